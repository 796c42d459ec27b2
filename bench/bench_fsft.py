"""Benchmark 6 — a generated backend vs the FastAPI full-stack template's backend (FSFT), side by side.

One run, one machine, one PostgreSQL server, the same uvicorn flags: both backends run at
the same time (`uvicorn app.main:app --workers 1 --no-access-log` on 127.0.0.1), each on its
own scratch database (created here, dropped at the end, also after an error or Ctrl-C), and
wrk (`-t1 -cCONNECTIONS -dDURATION`) loads one of them at a time:

    case     generated (bafa)          FSFT (full-stack-fastapi-template, commit a7275354)
    health   GET  /health              GET  /api/v1/utils/health-check/
    me       GET  /api/me              GET  /api/v1/users/me
    list20   GET  /api/tasks?limit=20  GET  /api/v1/items/?limit=20      (the caller's own, of 100)
    list100  GET  /api/tasks?limit=100 GET  /api/v1/items/?limit=100
    create   POST /api/tasks           POST /api/v1/items/               (a small JSON body)

Generated side: rendered from a bafa checkout (`bafa new DEST --defaults -d database=postgresql`,
default: this working tree), `alembic upgrade head`, served by the interpreter running this
script; one HS256 token minted from the project's backend/.env (BETTER_AUTH_SECRET,
iss = BETTER_AUTH_URL, aud = JWT_AUDIENCE). FSFT side: its own prestart steps (`alembic upgrade
head`, `python app/initial_data.py`) and server with --fsft-python; a regular user signed up
through its API (POST /api/v1/users/signup) and logged in (POST /api/v1/login/access-token).
Each side's user gets SEED tasks/items through the API. Creates are made by a second user on
each side, whose rows are deleted (and the table vacuumed) after every create run, so the
lists always read the same 100 rows.

Rounds are interleaved: in each round, for each case, the generated side then FSFT (the
order alternates every round). Reported per case and side: the median req/s over the
rounds, the median p50/p99 latency, non-2xx answers (wrk's "Non-2xx or 3xx responses") and
socket errors; per case the ratio generated ÷ FSFT of the medians, against the targets
(TARGETS), and per side list ÷ its own health.

FSFT is not part of bafa and never installed by this script: prepare FSFT's backend at commit
a7275354 as its own README describes (a checkout, and a Python environment in which its
backend is installed), then pass both:

    python bench/bench_fsft.py --fsft-backend /path/to/full-stack-fastapi-template/backend \\
        --fsft-python /path/to/fsft-venv/bin/python [--label before] [--bafa-checkout DIR]
        [--duration 8] [--connections 16] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import (
    NO_RATE_LIMITS,
    PYTHON,
    REPO,
    WRK_DONE_LUA,
    fresh_dir,
    generate,
    print_header,
    read_env_file,
    verdict,
    write_result,
)

FSFT_COMMIT = "a727535488542228dc19b13f217a104ad317c122"
TARGETS = {"health": 1.0, "me": 3.0, "list20": 2.5, "list100": 2.5, "create": 1.5}
SEED = 100
SIDES = ("generated", "fsft")
SCRATCH_DBS = {"generated": "bench_fsft_generated", "fsft": "bench_fsft_fsft"}
# case: (method, generated path, FSFT path, JSON body or None, authenticated as)
CASES: dict[str, tuple[str, str, str, dict[str, Any] | None, str]] = {
    "health": ("GET", "/health", "/api/v1/utils/health-check/", None, ""),
    "me": ("GET", "/api/me", "/api/v1/users/me", None, "reader"),
    "list20": ("GET", "/api/tasks?limit=20", "/api/v1/items/?limit=20", None, "reader"),
    "list100": ("GET", "/api/tasks?limit=100", "/api/v1/items/?limit=100", None, "reader"),
    "create": ("POST", "/api/tasks", "/api/v1/items/", {"title": "wrk", "description": "a small task"}, "creator"),
}
# Pause after each wrk run: requests still in flight when wrk stops finish before the next run
# (or the deletion of the created rows, which would make FSFT's session.refresh() fail).
SETTLE_S = 1.0
UVICORN_FLAGS = ["--workers", "1", "--no-access-log", "--log-level", "warning"]
PACKAGES = ("uvicorn", "uvloop", "httptools", "fastapi", "starlette", "pydantic", "sqlalchemy", "sqlmodel",
            "psycopg", "psycopg-binary", "asyncpg", "pyjwt", "anyio")

WRK_SCRIPT = r"""
-- One request, formatted once in init() (wrk.host is known there), sent again and again.
local req
init = function(args)
  local headers = {}
  local token = os.getenv("BENCH_TOKEN")
  if token ~= nil and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local body = os.getenv("BENCH_BODY")
  if body == "" then body = nil else headers["Content-Type"] = "application/json" end
  req = wrk.format(os.getenv("BENCH_METHOD"), os.getenv("BENCH_PATH"), headers, body)
end
request = function()
  return req
end
"""  # + WRK_DONE_LUA

# Run in each interpreter: what uvicorn will pick (--loop auto: uvloop if importable, --http auto:
# httptools if importable) and the versions of the stack.
STACK_PROBE = r"""
import importlib.metadata as md, importlib.util as iu, json, platform, sys
pk = {}
for name in sys.argv[1:]:
    try:
        pk[name] = md.version(name)
    except md.PackageNotFoundError:
        pk[name] = None
uvloop, httptools = bool(iu.find_spec("uvloop")), bool(iu.find_spec("httptools"))
print(json.dumps({"python": platform.python_version(), "executable": sys.executable, "packages": pk,
                  "uvloop_importable": uvloop, "httptools_importable": httptools,
                  "uvicorn_loop": "uvloop" if uvloop else "asyncio",
                  "uvicorn_http": "httptools" if httptools else "h11"}))
"""


class Failure(Exception):
    """A step failed: reported as one `error:` line (cleanup still runs)."""


def fail(message: str) -> None:
    raise Failure(message)


def run_step(cmd: list[str], *, cwd: Path, env: dict[str, str], what: str, timeout: float = 300) -> None:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        tail = (out.stderr or out.stdout)[-2500:]
        fail(f"{what} failed ({out.returncode}): {' '.join(cmd)}\n{tail}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env() -> dict[str, str]:
    """A minimal environment: nothing of the caller's (DATABASE_URL, SECRET_KEY, …) leaks into an app."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "SYSTEMROOT")
    return {k: os.environ[k] for k in keep if k in os.environ}



# --- PostgreSQL scratch databases -------------------------------------------------------------

class Postgres:
    def __init__(self, admin_url: str) -> None:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        self.psycopg = psycopg
        self.admin_url = admin_url
        info = conninfo_to_dict(admin_url)
        self.host = str(info.get("host") or "127.0.0.1")
        self.port = int(info.get("port") or 5432)
        self.user = str(info.get("user") or "postgres")
        self.password = str(info.get("password") or "")
        self.created: list[str] = []

    def url(self, db: str, driver: str = "postgresql+psycopg") -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"{driver}://{auth}@{self.host}:{self.port}/{db}"

    def _admin(self, *statements: str) -> None:
        with self.psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            for statement in statements:
                conn.execute(statement)

    def drop(self, db: str) -> None:
        self._admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'",
                    f'DROP DATABASE IF EXISTS "{db}"')

    def create(self, db: str) -> None:
        self.drop(db)  # a leftover of a killed run
        self._admin(f'CREATE DATABASE "{db}"')
        self.created.append(db)

    def execute(self, db: str, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with self.psycopg.connect(self.url(db, "postgresql"), autocommit=True, connect_timeout=10) as conn:
            for statement, params in statements:
                conn.execute(statement, params)

    def drop_all(self) -> None:
        for db in reversed(self.created):
            try:
                self.drop(db)
                print(f"dropped scratch database {db}")
            except Exception as exc:  # keep cleaning up
                print(f"warning: could not drop scratch database {db}: {exc}", file=sys.stderr)
        self.created.clear()


# --- servers ---------------------------------------------------------------------------------

class Server:
    def __init__(self, side: str, python: str, cwd: Path, env: dict[str, str], log: Path) -> None:
        self.side, self.log_path = side, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [python, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port),
                        *UVICORN_FLAGS]
        self.log = log.open("wb")
        self.proc = subprocess.Popen(self.command, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process, all threads (Linux /proc; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, n: int = 2500) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-n:]

    def wait_up(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                fail(f"{self.side} server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        fail(f"{self.side} server: {self.url}{path} did not answer 200 within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()

    def log_errors(self) -> dict[str, Any]:
        """Errors the server logged (uvicorn's `ERROR:` lines, JSON log records of level ERROR, tracebacks)."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        errors = [ln for ln in lines if ln.startswith("ERROR:") or '"level": "ERROR"' in ln]
        exceptions = [ln for ln in lines if ln and not ln[0].isspace() and ("Error: " in ln or "Exception: " in ln)]
        return {"error_lines": len(errors), "tracebacks": sum(ln.startswith("Traceback") for ln in lines),
                "first": (errors + exceptions)[:3], "exceptions": sorted(set(exceptions))[:5]}


def stack(python: str) -> dict[str, Any]:
    out = subprocess.run([python, "-c", STACK_PROBE, *PACKAGES], capture_output=True, text=True, timeout=60,
                         env=base_env())
    if out.returncode != 0:
        fail(f"{python} cannot run: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout)


def describe_stack(s: dict[str, Any]) -> str:
    p = s["packages"]
    driver = ", ".join(f"{n} {p[n]}" for n in ("psycopg", "asyncpg") if p.get(n))
    return (f"Python {s['python']}, uvicorn {p['uvicorn']} (loop {s['uvicorn_loop']}, http {s['uvicorn_http']}), "
            f"fastapi {p['fastapi']}, starlette {p['starlette']}, pydantic {p['pydantic']}, "
            f"sqlalchemy {p['sqlalchemy']}, sqlmodel {p['sqlmodel']}, {driver}")


# --- the two apps ----------------------------------------------------------------------------

def mint_token(env_file: dict[str, str], sub: str) -> str:
    import jwt

    secret = env_file.get("BETTER_AUTH_SECRET")
    if not secret:
        fail("the generated backend/.env has no BETTER_AUTH_SECRET (this benchmark needs auth_mode=shared_secret)")
    issuer = env_file.get("BETTER_AUTH_URL", "http://localhost:3000")
    now = int(time.time())
    claims = {"sub": sub, "email": f"{sub}@example.com", "name": sub, "iat": now, "exp": now + 6 * 3600,
              "iss": issuer, "aud": env_file.get("JWT_AUDIENCE") or issuer}
    return jwt.encode(claims, secret, algorithm="HS256")


def render_project(dest: Path, checkout: Path, data: list[str]) -> Path:
    answers = ["database=postgresql", *data]
    if checkout.resolve() == REPO:
        return generate(dest, *answers)
    # An older checkout: its own generator package, from its own working tree (python -m generator).
    cmd = [PYTHON, "-m", "generator", "new", str(dest), "--defaults", "--no-git"]
    for item in answers:
        cmd += ["-d", item]
    run_step(cmd, cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)}, what=f"rendering from {checkout}")
    return dest


def setup_generated(work: Path, args: argparse.Namespace, pg: Postgres) -> dict[str, Any]:
    project = render_project(work / "generated", args.bafa_checkout, args.data)
    backend = project / "backend"
    env_file = read_env_file(backend / ".env")
    db = SCRATCH_DBS["generated"]
    pg.create(db)
    env = {**base_env(), "DATABASE_URL": pg.url(db), **NO_RATE_LIMITS}
    run_step([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env, what="generated: alembic upgrade head")
    server = Server("generated", PYTHON, backend, env, work / "generated.log")
    return {"server": server, "health": CASES["health"][1], "db": db,
            "tokens": {role: mint_token(env_file, f"bench-{role}") for role in ("reader", "creator")},
            # rows made by the create case, deleted after each create run
            "reset": [("DELETE FROM task WHERE user_id = %s", ("bench-creator",)), ("VACUUM ANALYZE task", ())]}


def setup_fsft(work: Path, args: argparse.Namespace, pg: Postgres) -> dict[str, Any]:
    backend = args.fsft_backend
    db = SCRATCH_DBS["fsft"]
    pg.create(db)
    # Every setting FSFT's Settings requires, given explicitly: environment variables take precedence
    # over its ../.env (which still supplies the optional keys set here by nobody).
    env = {
        **base_env(),
        "ENVIRONMENT": "local", "PROJECT_NAME": "FSFT bench", "SECRET_KEY": secrets.token_urlsafe(32),
        "FIRST_SUPERUSER": "admin@example.com", "FIRST_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
        "POSTGRES_SERVER": pg.host, "POSTGRES_PORT": str(pg.port), "POSTGRES_USER": pg.user,
        # trust authentication ignores it; anything but FSFT's "changethis" (which it warns about)
        "POSTGRES_PASSWORD": pg.password or "unused-by-trust-auth", "POSTGRES_DB": db,
        "FRONTEND_HOST": "http://localhost:5173", "BACKEND_CORS_ORIGINS": "http://localhost:5173",
    }
    run_step([args.fsft_python, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env,
             what="FSFT: alembic upgrade head")
    run_step([args.fsft_python, "app/initial_data.py"], cwd=backend, env=env, what="FSFT: python app/initial_data.py")
    server = Server("fsft", args.fsft_python, backend, env, work / "fsft.log")
    return {"server": server, "health": CASES["health"][2], "db": db, "env": env}


def fsft_login(app: dict[str, Any]) -> None:
    """Two regular users (reader, creator), signed up through FSFT's API, and their tokens."""
    tokens, ids = {}, {}
    with httpx.Client(base_url=app["server"].url, timeout=30) as client:
        for role in ("reader", "creator"):
            email, password = f"bench-{role}@example.com", secrets.token_urlsafe(16)
            r = client.post("/api/v1/users/signup", json={"email": email, "password": password, "full_name": role})
            if r.status_code != 200:
                fail(f"FSFT signup answered {r.status_code}: {r.text[:300]}")
            ids[role] = r.json()["id"]
            r = client.post("/api/v1/login/access-token", data={"username": email, "password": password})
            if r.status_code != 200:
                fail(f"FSFT login answered {r.status_code}: {r.text[:300]}")
            tokens[role] = r.json()["access_token"]
    app["tokens"] = tokens
    app["reset"] = [("DELETE FROM item WHERE owner_id = %s", (ids["creator"],)), ("VACUUM ANALYZE item", ())]


def seed(app: dict[str, Any], path: str, side: str) -> None:
    headers = {"Authorization": f"Bearer {app['tokens']['reader']}"}
    with httpx.Client(base_url=app["server"].url, timeout=30) as client:
        for n in range(SEED):
            r = client.post(path, json={"title": f"{side} {n}"}, headers=headers)
            if not r.is_success:
                fail(f"{side}: seeding POST {path} answered {r.status_code}: {r.text[:300]}")


def check_case(app: dict[str, Any], side: str, case: str) -> None:
    """One request per case before any load: 2xx and, for the lists, the expected number of rows."""
    method, gen_path, fsft_path, body, role = CASES[case]
    path = gen_path if side == "generated" else fsft_path
    headers = {"Authorization": f"Bearer {app['tokens'][role]}"} if role else {}
    r = httpx.request(method, app["server"].url + path, json=body, headers=headers, timeout=30)
    if not r.is_success:
        fail(f"{side} {method} {path} answered {r.status_code}: {r.text[:300]}")
    if case.startswith("list"):
        data = r.json()
        rows = data if side == "generated" else data["data"]
        want = min(int(path.rsplit("=", 1)[1]), SEED)
        if len(rows) != want:
            fail(f"{side} {path} returned {len(rows)} rows, expected {want}")


def wrk(app: dict[str, Any], side: str, case: str, script: Path, *, duration: int, connections: int) -> dict[str, Any]:
    method, gen_path, fsft_path, body, role = CASES[case]
    path = gen_path if side == "generated" else fsft_path
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_PATH": path,
           "BENCH_TOKEN": app["tokens"][role] if role else "", "BENCH_BODY": json.dumps(body) if body else ""}
    cpu_before = app["server"].cpu_seconds()
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", str(script), app["server"].url],
        env=env, capture_output=True, text=True, timeout=duration + 60,
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if out.returncode != 0 or line is None:
        fail(f"wrk failed on {side} {path} ({out.returncode}): {out.stderr[-500:]}")
    data = json.loads(line.removeprefix("BENCH "))
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    cpu_after = app["server"].cpu_seconds()
    if cpu_before is not None and cpu_after is not None and data["requests"]:
        # the server's own CPU per request (not PostgreSQL's): moves less with other load than req/s
        data["server_cpu_ms_per_req"] = round((cpu_after - cpu_before) * 1000 / data["requests"], 3)
    if data["errors"] or data["non2xx"]:
        status = "?"
        try:  # what a failing answer looks like, for the report
            headers = {"Authorization": f"Bearer {app['tokens'][role]}"} if role else {}
            r = httpx.request(method, app["server"].url + path, json=body, headers=headers, timeout=10)
            status = f"{r.status_code} {r.text[:120]}"
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        data["probe_after"] = status
        print(f"   warning: {side} {case}: {data['non2xx']} non-2xx answers, {data['errors']} socket errors "
              f"(one more request now: {status})")
    return data


def reset_creates(pg: Postgres, apps: dict[str, dict[str, Any]]) -> None:
    for side, app in apps.items():
        try:
            pg.execute(app["db"], *app["reset"])
        except pg.psycopg.Error as exc:
            fail(f"{side}: deleting the rows of the create case failed: {exc}")


# --- main ------------------------------------------------------------------------------------

def check_inputs(args: argparse.Namespace) -> dict[str, Any]:
    hint = ("prepare FSFT's backend at commit a7275354 as its own README describes (a checkout and a Python "
            "environment with its backend installed), then pass --fsft-backend DIR/backend --fsft-python PYTHON "
            "(or set FSFT_BACKEND, FSFT_PYTHON)")
    if not args.fsft_backend or not args.fsft_python:
        fail(f"--fsft-backend and --fsft-python are required: {hint}")
    args.fsft_backend = Path(args.fsft_backend).expanduser().resolve()
    if not all((args.fsft_backend / f).is_file() for f in ("alembic.ini", "app/main.py", "app/initial_data.py")):
        fail(f"--fsft-backend {args.fsft_backend} is not FSFT's backend/ folder (no alembic.ini, app/main.py, "
             f"app/initial_data.py): {hint}")
    python = Path(args.fsft_python).expanduser()
    if not (python.is_file() and os.access(python, os.X_OK)):
        fail(f"--fsft-python {args.fsft_python} is not an executable: {hint}")
    args.fsft_python = str(python.absolute())  # keep a venv's bin/python symlink (not resolved)
    probe = subprocess.run([args.fsft_python, "-c", "import uvicorn, alembic, app.models"], cwd=args.fsft_backend,
                           capture_output=True, text=True, timeout=120, env=base_env())
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        fail(f"--fsft-python cannot import uvicorn, alembic and FSFT's app ({last}): {hint}")
    args.bafa_checkout = Path(args.bafa_checkout).expanduser().resolve()
    if not ((args.bafa_checkout / "copier.yml").is_file() and (args.bafa_checkout / "generator").is_dir()):
        fail(f"--bafa-checkout {args.bafa_checkout} is not a bafa checkout (copier.yml, generator/)")
    if shutil.which("wrk") is None:
        fail("wrk is required: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk")

    def git(*a: str, cwd: Path) -> str | None:
        out = subprocess.run(["git", *a], cwd=cwd, capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else None

    fsft: dict[str, Any] = {"expected_commit": FSFT_COMMIT}
    head = git("rev-parse", "HEAD", cwd=args.fsft_backend)
    if head is None:
        print(f"warning: {args.fsft_backend} is not in a git work tree: cannot check that it is FSFT at "
              f"commit {FSFT_COMMIT[:8]}", file=sys.stderr)
        fsft.update(commit=None, verified=False)
    else:
        dirty = bool(git("status", "--porcelain", "--", ".", cwd=args.fsft_backend))
        fsft.update(commit=head, verified=head == FSFT_COMMIT and not dirty, dirty=dirty)
        if head != FSFT_COMMIT and not args.fsft_any_commit:
            fail(f"{args.fsft_backend} is at commit {head[:10]}, not FSFT's {FSFT_COMMIT[:8]} "
                 "(check it out, or pass --fsft-any-commit to measure it anyway)")
        if dirty:
            print(f"warning: {args.fsft_backend} has uncommitted changes", file=sys.stderr)
    return {"fsft": fsft, "bafa_rendered_from": git("describe", "--always", "--dirty", cwd=args.bafa_checkout)}


def measure(apps: dict[str, dict[str, Any]], pg: Postgres, script: Path, args: argparse.Namespace) -> dict[str, Any]:
    kw = {"connections": args.connections}
    if args.warmup:
        print(f"warm-up: {args.warmup} s per case and side")
        for case in CASES:
            for side in SIDES:
                wrk(apps[side], side, case, script, duration=args.warmup, **kw)
                time.sleep(SETTLE_S)
            if case == "create":
                reset_creates(pg, apps)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {case: {side: [] for side in SIDES} for case in CASES}
    for round_no in range(args.rounds):
        order = SIDES if round_no % 2 == 0 else SIDES[::-1]
        print(f"round {round_no + 1}/{args.rounds} ({' then '.join(order)})", flush=True)
        for case in CASES:
            for position, side in enumerate(order):
                run = wrk(apps[side], side, case, script, duration=args.duration, **kw)
                run["round"], run["position"] = round_no, position
                runs[case][side].append(run)
                time.sleep(SETTLE_S)
            if case == "create":
                reset_creates(pg, apps)
            print(f"   {case:8} generated {runs[case]['generated'][-1]['rps']:8.0f} req/s   "
                  f"FSFT {runs[case]['fsft'][-1]['rps']:8.0f} req/s", flush=True)
    return runs


def summarise(runs: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    for case, per_side in runs.items():
        entry: dict[str, Any] = {"method": CASES[case][0], "paths": {"generated": CASES[case][1],
                                                                      "fsft": CASES[case][2]}}
        for side, rs in per_side.items():
            entry[side] = {
                "rps_median": round(statistics.median(r["rps"] for r in rs), 1),
                "rps_min": min(r["rps"] for r in rs), "rps_max": max(r["rps"] for r in rs),
                "p50_ms_median": statistics.median(r["p50_us"] for r in rs) / 1000,
                "p99_ms_median": statistics.median(r["p99_us"] for r in rs) / 1000,
                "non2xx": sum(r["non2xx"] for r in rs), "socket_errors": sum(r["errors"] for r in rs),
                "server_cpu_ms_per_req_median": (statistics.median(r["server_cpu_ms_per_req"] for r in rs)
                                                 if all("server_cpu_ms_per_req" in r for r in rs) else None),
                "rounds": rs,
            }
        ratio = entry["generated"]["rps_median"] / entry["fsft"]["rps_median"]
        per_round = [g["rps"] / f["rps"] for g, f in zip(per_side["generated"], per_side["fsft"], strict=True)]
        entry.update(ratio=round(ratio, 3), ratio_per_round=[round(x, 3) for x in per_round],
                     target=TARGETS[case], target_met=ratio >= TARGETS[case])
        cases[case] = entry
    own = {side: {f"{case}_vs_health": round(cases[case][side]["rps_median"] / cases["health"][side]["rps_median"], 3)
                  for case in ("list20", "list100")} for side in SIDES}
    return {"cases": cases, "list_vs_own_health": own}


def report(summary: dict[str, Any], stacks: dict[str, Any], meta: dict[str, Any], args: argparse.Namespace) -> None:
    cases = summary["cases"]
    print(f"\n{'case':8} {'app':9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'errors':>7} "
          f"{'CPU ms/req':>10}   (median of {args.rounds} rounds, wrk -t1 -c{args.connections} -d{args.duration}s)")
    for case, e in cases.items():
        for side in SIDES:
            s = e[side]
            cpu = s["server_cpu_ms_per_req_median"]
            print(f"{case if side == 'generated' else '':8} {side:9} {s['rps_median']:8.0f} {s['p50_ms_median']:8.2f} "
                  f"{s['p99_ms_median']:8.2f} {s['non2xx']:8d} {s['socket_errors']:7d} "
                  f"{'' if cpu is None else f'{cpu:10.3f}'}")
    print("\ngenerated ÷ FSFT (median req/s):")
    for case, e in cases.items():
        spread = f"per round {min(e['ratio_per_round']):.2f}–{max(e['ratio_per_round']):.2f}"
        print(f"   {case:8} {e['ratio']:6.2f}  {verdict(e['ratio'], e['target'], at_most=False)}   ({spread})")
    for side in SIDES:
        o = summary["list_vs_own_health"][side]
        print(f"{side:9} list20 ÷ own health {o['list20_vs_health']:.2f}, list100 ÷ own health "
              f"{o['list100_vs_health']:.2f}")
    f = meta["fsft"]
    print(f"\nFSFT commit {f['commit'] or 'unverified (not a git work tree)'}"
          f"{' (dirty)' if f.get('dirty') else ''}; generated from {args.bafa_checkout} "
          f"({meta['bafa_rendered_from']})")
    for side in SIDES:
        print(f"{side:9} {describe_stack(stacks[side])}")
    bad = [f"{c} {s}" for c, e in cases.items() for s in SIDES if e[s]["non2xx"] or e[s]["socket_errors"]]
    if bad:
        print(f"warning: non-2xx answers or socket errors in: {', '.join(bad)} (see the JSON)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fsft-backend", default=os.environ.get("FSFT_BACKEND"),
                        help="FSFT's backend/ folder at commit a7275354 (env FSFT_BACKEND)")
    parser.add_argument("--fsft-python", default=os.environ.get("FSFT_PYTHON"),
                        help="a Python in which FSFT's backend is installed (env FSFT_PYTHON)")
    parser.add_argument("--fsft-any-commit", action="store_true", help="measure an FSFT checkout at another commit")
    parser.add_argument("--bafa-checkout", default=str(REPO),
                        help="render the generated project from this bafa checkout (default: this working tree)")
    parser.add_argument("--label", default="", help="save as results/fsft-LABEL.json (e.g. before, after)")
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per case and side (0: none)")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="a database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("-d", "--data", action="append", default=[], help="extra answers for bafa new")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, project)")
    args = parser.parse_args()

    def on_term(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    work = Path(tempfile.mkdtemp(prefix="bafa-bench-fsft-"))
    pg: Postgres | None = None
    apps: dict[str, dict[str, Any]] = {}
    log_errors: dict[str, Any] = {}
    try:
        meta = check_inputs(args)
        print_header("generated backend vs FSFT's backend (uvicorn, 1 worker, wrk, PostgreSQL)")
        print(f"   generated project rendered from {args.bafa_checkout} ({meta['bafa_rendered_from']}); "
              f"FSFT {meta['fsft']['commit'] or 'commit unverified'}")
        stacks = {"generated": stack(PYTHON), "fsft": stack(args.fsft_python)}
        if stacks["generated"]["python"] != stacks["fsft"]["python"]:
            print(f"warning: different Pythons: generated {stacks['generated']['python']}, "
                  f"FSFT {stacks['fsft']['python']}", file=sys.stderr)
        pg = Postgres(args.pg_admin_url)
        script = work / "bench.lua"
        script.write_text(WRK_SCRIPT + WRK_DONE_LUA)
        fresh_dir(work / "generated")
        apps["generated"] = setup_generated(work, args, pg)
        apps["fsft"] = setup_fsft(work, args, pg)
        for app in apps.values():
            app["server"].wait_up(app["health"])
        fsft_login(apps["fsft"])
        seed(apps["generated"], CASES["create"][1], "generated")
        seed(apps["fsft"], CASES["create"][2], "fsft")
        for case in CASES:
            for side in SIDES:
                check_case(apps[side], side, case)
        reset_creates(pg, apps)
        runs = measure(apps, pg, script, args)
        for side, app in apps.items():
            if app["server"].proc.poll() is not None:
                fail(f"{side} server died during the run:\n{app['server'].log_tail()}")
    except Failure as exc:
        raise SystemExit(f"error: {exc}") from None
    except KeyboardInterrupt:
        raise SystemExit("error: interrupted; servers stopped, scratch databases dropped") from None
    finally:
        for side, app in apps.items():
            app["server"].stop()
            log_errors[side] = app["server"].log_errors()
        if pg is not None:
            pg.drop_all()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    summary = summarise(runs)
    report(summary, stacks, meta, args)
    for side, errors in log_errors.items():
        if errors["error_lines"] or errors["tracebacks"]:
            print(f"warning: the {side} server logged {errors['error_lines']} errors, {errors['tracebacks']} "
                  f"tracebacks: {'; '.join(errors['exceptions'] or errors['first'])[:300]}")
    write_result(f"fsft-{args.label}" if args.label else "fsft", {
        "label": args.label or None,
        "command": (f"uvicorn app.main:app --host 127.0.0.1 {' '.join(UVICORN_FLAGS)} (each side); "
                    f"wrk -t1 -c{args.connections} -d{args.duration}s --timeout 5s, one token per side"),
        "rounds": args.rounds, "duration_s": args.duration, "connections": args.connections, "warmup_s": args.warmup,
        "seeded_rows_per_user": SEED,
        "log_level": "each app's default (LOG_LEVEL not set); uvicorn --log-level warning, no access log",
        "fsft": {**meta["fsft"], "user": "regular user (signup), not the superuser"},
        "generated": {"rendered_from": meta["bafa_rendered_from"],
                      "bafa_new_answers": ["database=postgresql", *args.data]},
        "server_stack": stacks,
        "server_log_errors": log_errors,
        **summary,
        "targets": TARGETS,
        "targets_met": all(e["target_met"] for e in summary["cases"].values()),
    })


if __name__ == "__main__":
    main()
