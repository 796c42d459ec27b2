"""What the generated backend's rate limits cost: the same backend with the limits off, in
memory, and in Redis, side by side.

One generated project (database=postgresql), three uvicorn servers (one worker each) on one
scratch database, differing only in RATE_LIMIT_* / REDIS_URL. The limits are set so high that
nothing is refused (what is measured is the counting, not 429s). wrk -t1 -c16 on /api/me and on
the list of 20, rounds interleaved (the order rotates), median req/s and server CPU per request;
ratios against "off". Needs PostgreSQL, wrk, and Redis for the third case (--no-redis without).

    python bench/bench_limits.py [--duration 8] [--rounds 3] [--no-redis] [--redis-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import NO_RATE_LIMITS, PYTHON, REPO, WRK_DONE_LUA, print_header, write_result
from bench_fsft import (
    CASES,
    WRK_SCRIPT,
    Failure,
    Postgres,
    Server,
    base_env,
    mint_token,
    read_env_file,
    render_project,
    run_step,
    seed,
    wrk,
)

SCRATCH_DB = "bench_limits"
MEASURED = ("me", "list20")
HIGH = "1000000/second"  # counted like any limit, never reached


def variants(redis_url: str | None) -> dict[str, dict[str, str]]:
    found = {
        "off": dict(NO_RATE_LIMITS),
        "memory": {"RATE_LIMIT_PER_USER": HIGH, "RATE_LIMIT_PER_CLIENT": HIGH},
    }
    if redis_url:
        found["redis"] = {"RATE_LIMIT_PER_USER": HIGH, "RATE_LIMIT_PER_CLIENT": HIGH, "REDIS_URL": redis_url}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    print_header("rate limits: off vs in memory vs in Redis (generated backend, uvicorn 1 worker, wrk)")
    pg = Postgres(args.pg_admin_url)
    servers: dict[str, Server] = {}
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
            work = Path(tmp)
            backend = render_project(work / "project", REPO, []) / "backend"
            env_file = read_env_file(backend / ".env")
            pg.create(SCRATCH_DB)
            env = {**base_env(), "DATABASE_URL": pg.url(SCRATCH_DB)}
            run_step([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env, what="alembic upgrade head")
            script = work / "bench.lua"
            script.write_text(WRK_SCRIPT + WRK_DONE_LUA)
            token = mint_token(env_file, "bench-reader")
            for name, extra in variants(None if args.no_redis else args.redis_url).items():
                servers[name] = Server(name, PYTHON, backend, {**env, **extra}, work / f"{name}.log")
            for server in servers.values():
                server.wait_up("/health")
            apps = {name: {"server": s, "tokens": {"reader": token}} for name, s in servers.items()}
            seed(apps["off"], CASES["list20"][1].split("?")[0], "generated")  # one database for all
            for round_number in range(args.rounds):
                order = list(servers)[round_number % len(servers):] + list(servers)[: round_number % len(servers)]
                print(f"round {round_number + 1}/{args.rounds} ({', '.join(order)})")
                for case in MEASURED:
                    for name in order:
                        data = wrk(apps[name], "generated", case, script,
                                   duration=args.duration, connections=args.connections)
                        runs.setdefault(name, {}).setdefault(case, []).append(data)
                        print(f"   {case:8} {name:7} {data['rps']:8.0f} req/s  non-2xx {data['non2xx']}")
    except Failure as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        for server in servers.values():
            server.stop()
        pg.drop_all()

    summary: dict[str, Any] = {}
    for case in MEASURED:
        off = statistics.median(r["rps"] for r in runs["off"][case])
        for name, by_case in runs.items():
            rps = statistics.median(r["rps"] for r in by_case[case])
            cpu = statistics.median(r.get("server_cpu_ms_per_req") or 0 for r in by_case[case])
            summary.setdefault(case, {})[name] = {"rps_median": rps, "ratio_to_off": round(rps / off, 3),
                                                  "server_cpu_ms_per_req_median": cpu,
                                                  "non2xx": sum(r["non2xx"] for r in by_case[case])}
    print("\nmedian req/s (ratio to limits off; server CPU ms per request):")
    for case, by_name in summary.items():
        cells = "  ".join(
            f"{n} {v['rps_median']:.0f} ({v['ratio_to_off']:.2f}; {v['server_cpu_ms_per_req_median']:.3f})"
            for n, v in by_name.items()
        )
        print(f"   {case:8} {cells}")
    write_result("limits", {"duration_s": args.duration, "rounds": args.rounds, "connections": args.connections,
                            "cases": summary, "runs": runs})


if __name__ == "__main__":
    main()
