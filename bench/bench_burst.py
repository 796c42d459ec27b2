"""Burst/stall: a generated backend under a burst of concurrent clients of one user.

A generated backend (rendered from a bafa checkout, `alembic upgrade head`, then
`uvicorn app.main:app --workers 1 --no-access-log` on 127.0.0.1) receives a burst of CLIENTS
concurrent clients, all with ONE user's token, each sending requests back to back for
DURATION seconds, on two workloads:

- list    GET  /api/tasks?limit=20   (the user owns 20 tasks, seeded first)
- create  POST /api/tasks            (a small task)

The clients are asyncio tasks of this process, one httpx.AsyncClient (one connection) each,
60 s timeout per request; responses are counted by status code, with transport errors and
timeouts apart. A request still unanswered DURATION + GRACE seconds after the start is
abandoned and counted as a timeout (`unfinished_at_cutoff`). Meanwhile a probe — a separate
process, its own connection — GETs /health every 100 ms (the next probe leaves when the
previous one is answered) and records each latency.

Each (database, clients, workload) case gets a fresh uvicorn process on the same database.

Target, per case: 0 responses with status 500 and /health under 100 ms throughout
(every probe answered within 100 ms).

    python bench/bench_burst.py [--clients 200 | --clients 60,200] [--duration 10]
        [--databases sqlite,postgresql] [--workloads list,create] [--bafa-checkout DIR] [--label NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import math
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from _common import NO_RATE_LIMITS, PYTHON, REPO, print_header, read_env_file, write_result

TASKS_PATH = "/api/tasks"  # the default (flat) API style
SEEDED_TASKS = 20
LIST_LIMIT = 20
REQUEST_TIMEOUT = 60.0
PROBE_INTERVAL = 0.1
HEALTH_TARGET_MS = 100.0
TARGET = "0 responses with status 500 and /health under 100 ms throughout"
WORKLOADS = {
    "list": ("GET", {"limit": LIST_LIMIT}, None),
    "create": ("POST", None, {"title": "burst task"}),
}
# Settings of the generated backend that must come from its own .env or from this script.
STRIP_ENV = ("JWKS_", "BETTER_AUTH", "JWT_", "DATABASE_URL", "DB_POOL", "DB_MAX", "AUTO_CREATE_TABLES",
             "ENVIRONMENT", "CORS_ORIGINS", "BAFA_TEMPLATE")
# Why requests failed: occurrences in the server log (a failed request logs its traceback more than
# once, and requests abandoned at the cutoff may still fail before the server stops).
LOG_PATTERNS = {
    "pool_timeout": "QueuePool limit of size",
    "sqlite_locked": "database is locked",
    "traceback": "Traceback (most recent call last)",
}


# --------------------------------------------------------------------------- the /health probe


async def _probe(url: str) -> dict[str, Any]:
    """GET url every PROBE_INTERVAL s on one connection until stdin says stop (or closes)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def wait_stdin() -> None:
        sys.stdin.readline()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_stdin, daemon=True).start()
    samples: list[tuple[float, float, str]] = []  # (offset s, latency s, status or error)
    unfinished: float | None = None
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits) as client:
        await client.get(url)  # connected before the load starts
        print("ready", flush=True)
        origin = time.monotonic()
        stopper = asyncio.ensure_future(stop.wait())
        while not stop.is_set():
            t0 = time.monotonic()
            request = asyncio.ensure_future(client.get(url))
            done, _ = await asyncio.wait({request, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if request not in done:  # the load is over and the probe is still waiting
                request.cancel()
                unfinished = time.monotonic() - t0
                break
            elapsed = time.monotonic() - t0
            try:
                outcome = str(request.result().status_code)
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            samples.append((round(t0 - origin, 3), elapsed, outcome))
            pause = t0 + PROBE_INTERVAL - time.monotonic()
            if pause > 0:
                await asyncio.wait({stopper}, timeout=pause)
        stopper.cancel()
    return {"samples": samples, "unfinished_s": unfinished}


def probe_main(url: str) -> None:
    print(json.dumps(asyncio.run(_probe(url))), flush=True)


class Probe:
    """The probe process: started before the burst, stopped after it."""

    def __init__(self, url: str) -> None:
        self.proc = subprocess.Popen([PYTHON, __file__, "--probe", url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            raise SystemExit(f"/health probe did not start ({line!r})")

    def stop(self) -> dict[str, Any]:
        out, _ = self.proc.communicate("stop\n", timeout=REQUEST_TIMEOUT + 10)
        return json.loads(out.strip().splitlines()[-1])

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- the burst


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


async def burst(base: str, token: str, workload: str, clients: int, duration: float,
                grace: float) -> dict[str, Any]:
    """CLIENTS clients send requests back to back for DURATION s; abandon what is left at +GRACE s."""
    method, params, body = WORKLOADS[workload]
    statuses: collections.Counter[int] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    latencies: list[float] = []
    timeouts = 0
    last_answer = 0.0
    tls = ssl.create_default_context()  # shared: one context instead of one per client
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    headers = {"Authorization": f"Bearer {token}"}
    pool = [httpx.AsyncClient(base_url=base, headers=headers, timeout=REQUEST_TIMEOUT, limits=limits, verify=tls)
            for _ in range(clients)]

    start = time.monotonic()
    stop_at = start + duration

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal timeouts, last_answer
        while time.monotonic() < stop_at:
            t0 = time.monotonic()
            try:
                response = await http.request(method, TASKS_PATH, params=params, json=body)
            except httpx.TimeoutException:
                timeouts += 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
            else:
                now = time.monotonic()
                statuses[response.status_code] += 1
                latencies.append(now - t0)
                last_answer = max(last_answer, now)

    tasks = [asyncio.ensure_future(client(http)) for http in pool]
    _, pending = await asyncio.wait(tasks, timeout=duration + grace)
    cut_off = time.monotonic() if pending else None
    for task in pending:  # each one waits for the answer to its last request
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(http.aclose() for http in pool), return_exceptions=True)
    end = cut_off or max(last_answer, start + duration)
    wall = end - start
    latencies.sort()
    answered = len(latencies)
    return {
        "requests": answered + timeouts + sum(errors.values()) + len(pending),
        "responses": answered,
        "wall_s": round(wall, 2),
        "rps": round(answered / wall, 1),
        "rps_2xx": round(sum(n for s, n in statuses.items() if 200 <= s < 300) / wall, 1),
        "status": {str(s): n for s, n in sorted(statuses.items())},
        "status_500": statuses.get(500, 0),
        "transport_errors": dict(errors),
        "timeouts": timeouts + len(pending),
        "unfinished_at_cutoff": len(pending),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(latencies[-1] if latencies else None),
    }


def health_summary(probe: dict[str, Any]) -> dict[str, Any]:
    samples = probe["samples"]
    unfinished = probe["unfinished_s"]
    # A probe still waiting when the load ended counts with the time it had waited (a lower bound).
    values = sorted([lat for _, lat, _ in samples] + ([unfinished] if unfinished is not None else []))
    worst = values[-1] if values else None
    slow = [(t, lat) for t, lat, _ in samples if lat * 1000 >= HEALTH_TARGET_MS]
    return {
        "probes": len(values),
        "not_200": sum(1 for _, _, outcome in samples if outcome != "200"),
        "p50_ms": ms(percentile(values, 50)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(worst),
        "over_100ms": sum(1 for v in values if v * 1000 >= HEALTH_TARGET_MS),
        "unfinished_at_stop_ms": ms(unfinished),
        # When the slow probes left (s after the probe started, just before the burst) and how long they took.
        "slow_probes": [[t, ms(lat)] for t, lat in slow[:100]],
    }


# --------------------------------------------------------------------------- the project and its server



def mint_token(backend: Path, sub: str) -> str:
    """An HS256 token signed with backend/.env's BETTER_AUTH_SECRET (iss, aud, sub, iat, exp)."""
    import jwt

    env = read_env_file(backend / ".env")
    issuer = env.get("BETTER_AUTH_URL", "http://localhost:3000")
    now = int(time.time())
    claims = {"sub": sub, "iss": issuer, "aud": env.get("JWT_AUDIENCE", issuer), "iat": now, "exp": now + 3600}
    return jwt.encode(claims, env["BETTER_AUTH_SECRET"], algorithm="HS256")


def describe_checkout(checkout: Path) -> str:
    out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=checkout, capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    if result.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-1500:]}"
                         f"{result.stderr[-2500:]}")


def render(checkout: Path, dest: Path, database: str) -> Path:
    """`python -m generator new DEST --defaults --data database=…` from the checkout itself."""
    env = {k: v for k, v in os.environ.items() if k != "BAFA_TEMPLATE"}
    env["PYTHONPATH"] = os.pathsep.join([str(checkout), *filter(None, [os.environ.get("PYTHONPATH")])])
    run([PYTHON, "-m", "generator", "new", str(dest), "--defaults", "--data", f"database={database}", "--no-git"],
        cwd=checkout, env=env)
    return dest


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn app.main:app, one worker, on 127.0.0.1 (cwd = backend/)."""

    def __init__(self, backend: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "1", "--no-access-log", "--log-level", "warning"],
            cwd=backend, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise SystemExit(f"uvicorn exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"{self.base}/health did not come up")

    def stop(self) -> dict[str, int]:
        """Stop the server; counts of interesting lines in its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        text = self.log_path.read_text(errors="replace")
        return {name: text.count(pattern) for name, pattern in LOG_PATTERNS.items()}


class ScratchDatabase:
    """A PostgreSQL database created for the run and dropped afterwards (even on failure)."""

    def __init__(self, admin_url: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.admin = admin_url
        self.name = f"bench_burst_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def url(self, scheme: str) -> str:
        info = self.psycopg.conninfo.conninfo_to_dict(self.admin)
        user = info.get("user", "postgres")
        host = info.get("host", "127.0.0.1")
        port = info.get("port", "5432")
        return f"{scheme}://{user}@{host}:{port}/{self.name}"

    def drop(self) -> None:
        with self.psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def bench_database(database: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    project = render(args.bafa_checkout, work / database, database)
    backend = project / "backend"
    scratch = None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(STRIP_ENV)}
        env.pop("PYTHONPATH", None)  # the backend's own app package, from cwd
        env.update(NO_RATE_LIMITS)  # one token at full speed: this measures the stall, not 429s
        if database == "postgresql":
            scratch = ScratchDatabase(args.pg_admin)
            env["DATABASE_URL"] = scratch.url(args.pg_scheme)
        else:
            env["DATABASE_URL"] = f"{args.sqlite_scheme}:///{work / database / 'burst.db'}"
        run([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env)
        token = mint_token(backend, "burst-user")
        cases: dict[str, Any] = {}
        seeded = False
        for clients in args.clients:
            for workload in args.workloads:
                name = f"{workload}@{clients}"
                server = Server(backend, env, work / f"{database}-{name}.log")
                probe = None
                try:
                    if not seeded:
                        with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}"}) as c:
                            for k in range(SEEDED_TASKS):
                                c.post(TASKS_PATH, json={"title": f"seeded {k}"}).raise_for_status()
                            got = c.get(TASKS_PATH, params={"limit": LIST_LIMIT}).json()
                            if len(got) != LIST_LIMIT:
                                raise SystemExit(f"seeding failed: the list holds {len(got)} tasks")
                        seeded = True
                    probe = Probe(f"{server.base}/health")
                    load = asyncio.run(burst(server.base, token, workload, clients, args.duration, args.grace))
                    health = health_summary(probe.stop())
                    probe = None
                finally:
                    if probe is not None:
                        probe.kill()
                    log_counts = server.stop()
                met = load["status_500"] == 0 and health["max_ms"] is not None and \
                    health["max_ms"] < HEALTH_TARGET_MS and health["not_200"] == 0
                cases[name] = {"database": database, "workload": workload, "clients": clients, **load,
                               "health": health, "server_log": log_counts, "target_met": met}
                print_case(database, name, cases[name])
        return cases
    finally:
        if scratch is not None:
            scratch.drop()


def print_case(database: str, name: str, c: dict[str, Any]) -> None:
    h = c["health"]
    status = " ".join(f"{s}:{n}" for s, n in c["status"].items()) or "none"
    errors = sum(c["transport_errors"].values())
    print(f"[{database:10}] {name:11} {c['requests']:6} req  {c['rps']:7.1f} req/s  p50 {c['p50_ms']} ms  "
          f"p99 {c['p99_ms']} ms | status {status} | 500s {c['status_500']}  timeouts {c['timeouts']} "
          f"(unfinished {c['unfinished_at_cutoff']})  errors {errors} | /health max {h['max_ms']} ms  "
          f"p99 {h['p99_ms']} ms ({h['probes']} probes, {h['over_100ms']} >= 100 ms) | "
          f"{'MET' if c['target_met'] else 'MISSED'}", flush=True)


def int_list(text: str) -> list[int]:
    values = [int(v) for v in re.split(r"[,\s]+", text.strip()) if v]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("expected positive integers, e.g. 60,200")
    return values


def name_list(choices: list[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        values = [v for v in re.split(r"[,\s]+", text.strip()) if v]
        unknown = [v for v in values if v not in choices]
        if not values or unknown:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)}")
        return values

    return parse


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        probe_main(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int_list, default=[200], help="concurrent clients, e.g. 200 or 60,200")
    parser.add_argument("--duration", type=float, default=10, help="seconds each client keeps sending")
    parser.add_argument("--grace", type=float, default=45,
                        help="requests unanswered DURATION + GRACE s after the start are abandoned (timeouts)")
    parser.add_argument("--databases", type=name_list(["sqlite", "postgresql"]), default=["sqlite", "postgresql"])
    parser.add_argument("--workloads", type=name_list(list(WORKLOADS)), default=list(WORKLOADS))
    parser.add_argument("--bafa-checkout", type=Path, default=REPO, help="bafa checkout to render from")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="libpq URL of an existing database, to create/drop the scratch database")
    parser.add_argument("--pg-scheme", default="postgresql+psycopg", help="DATABASE_URL scheme for PostgreSQL")
    parser.add_argument("--sqlite-scheme", default="sqlite", help="DATABASE_URL scheme for SQLite")
    parser.add_argument("--label", default="", help="results/burst-LABEL.json (default results/burst.json)")
    args = parser.parse_args()
    args.bafa_checkout = args.bafa_checkout.resolve()
    if not (args.bafa_checkout / "generator").is_dir() or not (args.bafa_checkout / "template").is_dir():
        raise SystemExit(f"{args.bafa_checkout} is not a bafa checkout")

    # SIGTERM runs the finally blocks too (servers stopped, scratch database dropped).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    checkout = describe_checkout(args.bafa_checkout)
    print_header(f"burst/stall: {','.join(map(str, args.clients))} clients x {args.duration:g} s, one user's token, "
                 f"uvicorn 1 worker; rendered from {args.bafa_checkout} ({checkout})")
    work = Path(tempfile.mkdtemp(prefix="bafa-bench-burst-"))
    results: dict[str, Any] = {}
    try:
        for database in args.databases:
            results[database] = bench_database(database, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    all_met = all(c["target_met"] for cases in results.values() for c in cases.values())
    print(f"\ntarget: {TARGET} — {'MET' if all_met else 'MISSED'} "
          f"({sum(c['target_met'] for cs in results.values() for c in cs.values())} of "
          f"{sum(len(cs) for cs in results.values())} cases)")
    write_result(f"burst-{args.label}" if args.label else "burst", {
        "command": "uvicorn app.main:app --workers 1 --no-access-log; httpx.AsyncClient per client, "
                   f"60 s timeout; /health probe every {PROBE_INTERVAL * 1000:g} ms (own process, one connection)",
        "argv": sys.argv[1:],
        "bafa_checkout": str(args.bafa_checkout),
        "bafa_checkout_describe": checkout,
        "clients": args.clients,
        "duration_s": args.duration,
        "grace_s": args.grace,
        "workloads": {name: f"{m} {TASKS_PATH}" + (f"?limit={LIST_LIMIT}" if p else "")
                      for name, (m, p, _) in WORKLOADS.items() if name in args.workloads},
        "seeded_tasks": SEEDED_TASKS,
        "target": TARGET,
        "target_met": all_met,
        "databases": results,
    })


if __name__ == "__main__":
    main()
