"""Benchmark 3 — auth overhead: authenticated routes vs GET /health, same server, same run.

A generated backend (per auth mode) runs under uvicorn on 127.0.0.1 with one worker;
wrk (a second process) sends bounded load: -t1 -cCONNECTIONS -dDURATION per endpoint,
ROUNDS rounds with the endpoints interleaved; the best round of each endpoint counts
(the least disturbed by other work on the machine; medians are in the JSON too).

- GET /health         no auth, no database
- GET /api/me         auth, no database
- GET /api/tasks      auth + a per-user list of TASKS_PER_USER tasks (SQLite)

The authenticated requests cycle through USERS users, each with its own token, minted by
the generated tests' own helpers (tests/support.py's mint_token, tests/signing.py), so
the tokens are exactly those the generated test suite accepts. In jwks mode the JWKS is
served by tests/signing.py's JwksServer (a thread of this process), which counts fetches.

Targets: /api/me / /health >= 0.85 (shared_secret), >= 0.75 (jwks, with 1 JWKS fetch).

    python bench/bench_auth.py [--modes shared_secret jwks] [--duration 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import NO_RATE_LIMITS, PYTHON, WRK_DONE_LUA, generate, print_header, verdict, write_result

TARGETS = {"shared_secret": 0.85, "jwks": 0.75}
USERS = 64
TASKS_PER_USER = 3

WRK_SCRIPT = r"""
-- Requests are formatted once, in init() (wrk.host is known there), then cycled:
-- the load generator stays cheap.
local reqs = {}
init = function(args)
  local path = os.getenv("BENCH_PATH")
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    local sub, tok = string.match(line, "^(%S+) (%S+)$")
    local p = string.gsub(path, "{user}", sub)
    reqs[#reqs + 1] = wrk.format("GET", p, {["Authorization"] = "Bearer " .. tok})
  end
  if #reqs == 0 then reqs[1] = wrk.format("GET", path) end
end
local i = 0
request = function()
  i = (i % #reqs) + 1
  return reqs[i]
end
"""  # + WRK_DONE_LUA


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("uvicorn exited (see its log)")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def wrk(url: str, path: str, tokens_file: Path, script: Path, *, duration: float,
        connections: int) -> dict[str, Any]:
    env = {**os.environ, "BENCH_PATH": path, "BENCH_TOKENS": str(tokens_file)}
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{int(duration)}s", "--timeout", "5s", "-s", str(script), url],
        env=env, capture_output=True, text=True, timeout=duration + 30, check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    if data["errors"] or data["non2xx"]:
        raise SystemExit(f"{path}: {data['errors']} socket errors, {data['non2xx']} non-2xx answers")
    return data


PROFILE_FRAMES = {
    "verify_token": "verify_token (app/core/security.py)",
    "jwt_decode": "PyJWT.decode (jwt/api_jwt.py)",
    "get_current_user": "get_current_user (app/api/deps.py)",
    "thread_pool_hops": "run_in_threadpool (starlette/concurrency.py)",
    "solve_dependencies": "solve_dependencies (fastapi/dependencies/utils.py)",
    "serialize_response": "serialize_response (fastapi/routing.py)",
    "logging": "Logger._log (logging/__init__.py)",
    "h11_http": "H11Protocol.data_received (uvicorn/protocols/http/h11_impl.py)",
}


def profile_shares(raw: Path, run: dict[str, Any]) -> dict[str, Any]:
    """Share of busy samples (all threads) under each interesting frame, from py-spy."""
    from pyspy_summary import load

    inclusive, total = load(raw)
    return {
        "busy_samples": total,
        "rps_while_profiled": round(run["rps"], 1),
        "share": {k: round(inclusive.get(frame, 0) / total, 3) if total else None
                  for k, frame in PROFILE_FRAMES.items()},
    }


def verify_micro(signing: Any, support: Any, jwks_url: str | None, n: int = 3000) -> dict[str, Any]:
    """In-process cost of app.core.security.verify_token: a full verification vs a cache hit."""
    from app.core import security
    from app.core.config import Settings

    settings = Settings(_env_file=None, **signing.auth_settings(jwks_url),
                        BETTER_AUTH_URL=support.AUTH_URL, DATABASE_URL="sqlite://")
    token = support.mint_token("micro-user")
    if hasattr(security, "TokenVerifier"):  # since 0.4: the cache belongs to the app's verifier
        verifier = security.TokenVerifier(settings)
        cache, check = verifier.verified, verifier.verify
    else:  # a module-level cache (0.2, 0.3), or none (0.1)
        cache = getattr(security, "verified_tokens", None)

        def check(token: str) -> Any:
            return security.verify_token(token, settings)

    async def measure() -> tuple[float, float]:
        async def verify() -> Any:  # async since the async template; sync before it
            result = check(token)
            return await result if inspect.isawaitable(result) else result

        await verify()  # warm: keys fetched, code paths loaded
        start = time.perf_counter()
        for _ in range(n):
            if cache is not None:
                cache.clear()
            await verify()
        full = (time.perf_counter() - start) / n
        start = time.perf_counter()
        for _ in range(n):
            await verify()
        return full, (time.perf_counter() - start) / n

    full, again = asyncio.run(measure())
    return {"full_verification_us": round(full * 1e6, 1), "repeat_token_us": round(again * 1e6, 1),
            "token_cache": cache is not None}


def bench_mode(mode: str, work: Path, args: argparse.Namespace, wrk_script: Path) -> dict[str, Any]:
    project = generate(work / mode, f"auth_mode={mode}", *args.data)
    backend = project / "backend"
    backends = {"": backend}
    if args.experiment == "async-deps":
        # Measurement only, on a copy of the temporary project, served side by side by a second
        # uvicorn: get_current_user as an async dependency (no thread-pool hop). Not a drop-in
        # change: a JWKS fetch would then block the event loop.
        patched = project / "backend_async"
        shutil.copytree(backend, patched)
        deps = patched / "app/api/deps.py"
        text = deps.read_text()
        assert "\ndef get_current_user(" in text, "deps.py changed: update the experiment"
        deps.write_text(text.replace("\ndef get_current_user(", "\nasync def get_current_user("))
        backends["_async"] = patched
    sys.path[:0] = [str(backend), str(backend / "tests")]
    for name in [m for m in sys.modules if m in ("signing", "support") or m.split(".")[0] == "app"]:
        del sys.modules[name]
    import signing  # the generated project's test helpers
    import support

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JWKS_", "BETTER_AUTH", "JWT_"))}
    env["DATABASE_URL"] = f"sqlite:///{work / mode / 'bench.db'}"
    env["BETTER_AUTH_URL"] = support.AUTH_URL
    env["AUTO_CREATE_TABLES"] = "true"  # tables without running migrations (ignored if unknown)
    env.update(NO_RATE_LIMITS)
    if args.log_level:
        env["LOG_LEVEL"] = args.log_level
    jwks_server = None
    if mode == "jwks":
        jwks_server = signing.JwksServer()
        env["JWKS_URL"] = jwks_server.url
    else:
        env["BETTER_AUTH_SECRET"] = signing.TEST_SECRET

    server_env: dict[str, dict[str, str]] = {}
    extra_jwks = []
    if jwks_server and "_async" in backends:  # its own JWKS endpoint: fetches counted per server
        extra_jwks.append(signing.JwksServer())
        server_env["_async"] = {"JWKS_URL": extra_jwks[0].url}
    servers: dict[str, tuple[subprocess.Popen[bytes], str, Any]] = {}
    for suffix, directory in backends.items():
        log = (work / mode / f"server{suffix}.log").open("wb")
        port = free_port()
        servers[suffix] = (subprocess.Popen(
            [PYTHON, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1", "--no-access-log", "--log-level", "warning"],
            cwd=directory, env={**env, **server_env.get(suffix, {}),
                                "DATABASE_URL": f"sqlite:///{work / mode / f'bench{suffix}.db'}"},
            stdout=log, stderr=subprocess.STDOUT,
        ), f"http://127.0.0.1:{port}", log)
    server, base, _ = servers[""]
    try:
        users = [f"bench-user-{n:04d}" for n in range(USERS)]
        tokens = {user: support.mint_token(user) for user in users}
        for proc, url, _ in servers.values():
            wait_up(f"{url}/health", proc)
            with httpx.Client(base_url=url) as client:
                for user in users:
                    for k in range(TASKS_PER_USER):
                        r = client.post(support.tasks_url(user), json={"title": f"task {k}"},
                                        headers=support.bearer(tokens[user]))
                        r.raise_for_status()
        fetches_before = jwks_server.requests if jwks_server else 0
        tokens_file = work / mode / "tokens.txt"
        tokens_file.write_text("".join(f"{u} {t}\n" for u, t in tokens.items()))
        no_tokens = work / mode / "none.txt"
        no_tokens.write_text("")
        list_path = support.tasks_url("{user}")
        endpoints = {
            "health": ("/health", no_tokens),
            "me": ("/api/me", tokens_file),
            "tasks": (list_path, tokens_file),
        }
        if "_async" in servers:  # the same routes on the patched copy (its /health is the same code)
            endpoints["me_async"] = ("/api/me", tokens_file)
            endpoints["tasks_async"] = (list_path, tokens_file)

        def target(name: str) -> tuple[subprocess.Popen[bytes], str]:
            proc, url, _ = servers["_async" if name.endswith("_async") else ""]
            return proc, url

        for name, (path, toks) in endpoints.items():  # warm-up
            wrk(target(name)[1], path, toks, wrk_script, duration=2, connections=args.connections)
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in endpoints}
        profiles: dict[str, Any] = {}
        for round_no in range(args.rounds + (1 if args.profile else 0)):
            profiling = args.profile and round_no == args.rounds  # an extra round, not counted
            for name, (path, toks) in endpoints.items():
                spy = None
                if profiling and name.endswith("_async"):
                    continue
                if profiling:
                    raw = work / mode / f"{name}.raw"
                    spy = subprocess.Popen(
                        ["py-spy", "record", "-p", str(server.pid), "-r", "200", "-d",
                         str(max(1, args.duration - 2)), "-f", "raw", "-o", str(raw)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                run = wrk(target(name)[1], path, toks, wrk_script, duration=args.duration,
                          connections=args.connections)
                if spy is not None:
                    spy.wait(timeout=60)
                    profiles[name] = profile_shares(raw, run)
                else:
                    rounds[name].append(run)
        fetches = (jwks_server.requests if jwks_server else 0)
        micro = verify_micro(signing, support, jwks_server.url if jwks_server else None)
    finally:
        for suffix, (proc, _, log) in servers.items():
            proc.terminate()
            proc.wait(timeout=10)
            log.close()
            if proc.returncode not in (0, -15):
                print((work / mode / f"server{suffix}.log").read_text()[-3000:])
        if jwks_server:
            jwks_server.close()
        for extra in extra_jwks:
            extra.close()
        sys.path[:2] = []

    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in rounds.items()}
    result: dict[str, Any] = {"endpoints": {}, "verify_token": micro}
    if args.profile:
        result["profile"] = profiles
    for name, runs in rounds.items():
        result["endpoints"][name] = {
            "path": endpoints[name][0],
            "rps": round(best[name]["rps"], 1),
            "p50_ms": best[name]["p50_us"] / 1000,
            "p99_ms": best[name]["p99_us"] / 1000,
            "rps_median_of_rounds": round(statistics.median(r["rps"] for r in runs), 1),
            "rounds": runs,
        }
    h = best["health"]["rps"]
    result["ratio_me_vs_health"] = round(best["me"]["rps"] / h, 3)
    result["ratio_tasks_vs_health"] = round(best["tasks"]["rps"] / h, 3)
    if "me_async" in best:
        result["ratio_me_async_vs_health"] = round(best["me_async"]["rps"] / h, 3)
        result["ratio_tasks_async_vs_health"] = round(best["tasks_async"]["rps"] / h, 3)
    result["target"] = TARGETS[mode]
    result["target_met"] = result["ratio_me_vs_health"] >= TARGETS[mode]
    if jwks_server:
        result["jwks_fetches_total"] = fetches
        result["jwks_fetches_during_load"] = fetches - fetches_before
        result["target_met"] = result["target_met"] and fetches == 1

    print(f"\n[{mode}] {'endpoint':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  (best of {args.rounds} rounds)")
    for name, e in result["endpoints"].items():
        print(f"[{mode}] {name:10} {e['rps']:9.0f} {e['p50_ms']:8.2f} {e['p99_ms']:8.2f}")
    print(f"[{mode}] /api/me / /health = {result['ratio_me_vs_health']:.2f}  "
          f"{verdict(result['ratio_me_vs_health'], TARGETS[mode], at_most=False)}")
    print(f"[{mode}] task list / /health = {result['ratio_tasks_vs_health']:.2f}")
    if "ratio_me_async_vs_health" in result:
        print(f"[{mode}] experiment, get_current_user async: /api/me / /health = "
              f"{result['ratio_me_async_vs_health']:.2f}, task list / /health = "
              f"{result['ratio_tasks_async_vs_health']:.2f}")
    print(f"[{mode}] verify_token in-process: full verification {micro['full_verification_us']} us, "
          f"same token again {micro['repeat_token_us']} us (token cache: {micro['token_cache']})")
    if jwks_server:
        print(f"[{mode}] JWKS fetches: {fetches} in the whole run (target 1), "
              f"{fetches - fetches_before} during the load")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["shared_secret", "jwks"], choices=list(TARGETS))
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("-d", "--data", action="append", default=[], help="extra answers for bafa new")
    parser.add_argument("--log-level", default="", help="LOG_LEVEL of the backend (default: the project's)")
    parser.add_argument("--profile", action="store_true",
                        help="one extra round under py-spy (pip install py-spy): where the time goes")
    parser.add_argument("--experiment", choices=["async-deps"],
                        help="also measure a patched copy side by side (same run, interleaved): "
                             "async-deps = get_current_user as async def")
    parser.add_argument("--name", default="auth", help="result file name (bench/results/NAME.json)")
    args = parser.parse_args()
    if args.profile and shutil.which("py-spy") is None:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk")
    print_header("auth overhead: /api/me and the task list vs /health (uvicorn, 1 worker, wrk)")
    work = Path(tempfile.mkdtemp(prefix="bafa-bench-auth-"))
    script = work / "bench.lua"
    script.write_text(WRK_SCRIPT + WRK_DONE_LUA)
    try:
        modes = {mode: bench_mode(mode, work, args, script) for mode in args.modes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_result(args.name, {
        "command": (f"uvicorn app.main:app --workers 1 --no-access-log; wrk -t1 -c{args.connections} "
                    f"-d{args.duration:g}s (lua: {USERS} users' tokens round-robin)"),
        "log_level": args.log_level or "project default",
        "experiment": args.experiment,
        "users": USERS, "tasks_per_user": TASKS_PER_USER, "rounds": args.rounds,
        "modes": modes,
    })


if __name__ == "__main__":
    main()
