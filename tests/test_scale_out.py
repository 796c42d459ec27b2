"""Scale-out: two backend and two frontend processes of one generated project, sharing one
PostgreSQL and one Redis. The limits are per user and per client address, not per process: the
per-user API limit and Better Auth's sign-in limit hold across the instances (the sum over all of
them stays within the limit), and a session made on one frontend works on the other.

Needs Node.js, PostgreSQL (see test_postgresql.py) and Redis; skipped without them, failed in CI.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from processes import build_frontend, free_port, install_node_modules, require, require_node, run, stop, wait_http
from test_postgresql import PG_HOST, PG_PORT, _admin_connect, postgres  # noqa: F401 - fixture

from conftest import clean_env, generate, read_env, redis_test_url

API_LIMIT = 10  # per user per minute, on both backends together
SIGN_IN_LIMIT = 10  # per client address per minute (the generated lib/auth.ts)


def _scratch_databases(count: int) -> Iterator[list[str]]:
    names = [f"bafa_scale_{secrets.token_hex(5)}" for _ in range(count)]
    with _admin_connect() as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield names
    finally:
        with _admin_connect() as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def databases(postgres: None) -> Iterator[list[str]]:  # noqa: F811 - the imported fixture
    yield from _scratch_databases(2)


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = redis_test_url()
    require(url is not None, "no Redis at 127.0.0.1:6379")
    # This test process's own database (conftest.redis_db: no other worker's or run's), emptied
    # before and after.
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    _flush(parts.hostname or "127.0.0.1", parts.port or 6379, db)
    try:
        yield url
    finally:
        _flush(parts.hostname or "127.0.0.1", parts.port or 6379, db)


def _flush(host: str, port: int, db: int) -> None:
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        assert sock.recv(64).startswith(b"+OK"), "Redis refused SELECT/FLUSHDB"


@pytest.fixture
def cluster(tmp_path: Path, databases: list[str], redis_url: str) -> Iterator[dict[str, list[str]]]:
    """Two frontends (server.mjs) and two backends (uvicorn), one PostgreSQL, one Redis."""
    require_node()
    project = generate(tmp_path / "scale", "database=postgresql")
    frontend, backend = project / "frontend", project / "backend"
    install_node_modules(frontend)

    auth_ports, api_ports = [free_port(), free_port()], [free_port(), free_port()]
    auth_url = f"http://127.0.0.1:{auth_ports[0]}"  # one issuer: every instance signs as it
    secret = read_env(backend / ".env")["BETTER_AUTH_SECRET"]
    frontend_env = clean_env() | {
        "NODE_ENV": "production",
        "BETTER_AUTH_SECRET": secret,
        "BETTER_AUTH_URL": auth_url,
        "TRUSTED_ORIGINS": auth_url,
        "BACKEND_URL": f"http://127.0.0.1:{api_ports[0]}",
        "DATABASE_URL": f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{databases[0]}",
        "REDIS_URL": redis_url,
    }
    backend_env = clean_env() | {
        "BETTER_AUTH_SECRET": secret,
        "BETTER_AUTH_URL": auth_url,
        "JWT_AUDIENCE": auth_url,
        "CORS_ORIGINS": json.dumps([auth_url]),
        "DATABASE_URL": f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{databases[1]}",
        "REDIS_URL": redis_url,
        "RATE_LIMIT_PER_USER": f"{API_LIMIT}/minute",
    }
    build_frontend(frontend, frontend_env)
    run(["npm", "run", "migrate"], cwd=frontend, env=frontend_env)
    run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=backend, env=backend_env)

    processes: list[subprocess.Popen] = []

    def start(name: str, args: list[str], cwd: Path, env: dict[str, str], health: str) -> None:
        log = tmp_path / f"{name}.log"
        processes.append(subprocess.Popen(args, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT))
        wait_http(health, processes[-1], log)

    try:
        for index, port in enumerate(auth_ports):
            start(
                f"frontend-{index}",
                ["node", "server.mjs", "--hostname", "127.0.0.1", "--port", str(port)],
                frontend,
                frontend_env,
                f"http://127.0.0.1:{port}/api/auth/ok",
            )
        for index, port in enumerate(api_ports):
            start(
                f"backend-{index}",
                [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
                backend,
                backend_env,
                f"http://127.0.0.1:{port}/health",
            )
        yield {
            "auth_url": [auth_url],
            "frontends": [f"http://127.0.0.1:{port}" for port in auth_ports],
            "backends": [f"http://127.0.0.1:{port}" for port in api_ports],
        }
    finally:
        stop(processes)
    for log in tmp_path.glob("*.log"):
        assert "Traceback" not in log.read_text(), f"{log.name}:\n{log.read_text()[-4000:]}"


@pytest.mark.slow
def test_limits_hold_across_instances(cluster: dict[str, list[str]]) -> None:
    (auth_url,) = cluster["auth_url"]
    origin = {"Origin": auth_url}
    email, password = f"scale-{secrets.token_hex(4)}@example.test", "pw-" + secrets.token_urlsafe(12)
    with httpx.Client(timeout=15) as http:
        # A session made on one frontend is a session on the other (one database, one Redis).
        signed_up = http.post(
            f"{cluster['frontends'][0]}/api/auth/sign-up/email",
            json={"email": email, "password": password, "name": "Scale"},
            headers=origin,
        )
        assert signed_up.status_code == 200, signed_up.text
        token = http.get(f"{cluster['frontends'][1]}/api/auth/token")
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['token']}"}

        # The per-user API limit, alternating between the backends.
        served: Counter[str] = Counter()
        refused = []
        for _, backend in zip(range(3 * API_LIMIT), cycle(cluster["backends"]), strict=False):
            response = http.get(f"{backend}/api/me", headers=bearer)
            assert response.status_code in (200, 429), response.text
            if response.status_code == 200:
                served[backend] += 1
            else:
                refused.append(response)
        assert sum(served.values()) == API_LIMIT, f"served {dict(served)}: the limit is per user, not per backend"
        assert len(served) == 2, "both backends must have served the user"
        assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)

        # Better Auth's sign-in limit, alternating between the frontends, with a forged
        # X-Forwarded-For on every guess (server.mjs keys the limit on the connection).
        statuses: Counter[int] = Counter()
        for attempt, frontend in zip(range(3 * SIGN_IN_LIMIT), cycle(cluster["frontends"]), strict=False):
            response = http.post(
                f"{frontend}/api/auth/sign-in/email",
                json={"email": email, "password": "wrong-password-123"},
                headers=origin | {"X-Forwarded-For": f"10.{attempt}.0.1"},
            )
            statuses[response.status_code] += 1
        assert statuses == {401: SIGN_IN_LIMIT, 429: 2 * SIGN_IN_LIMIT}, statuses
        # Now even the right password waits: the limit is on the address, not on wrong guesses.
        right = http.post(
            f"{cluster['frontends'][1]}/api/auth/sign-in/email",
            json={"email": email, "password": password},
            headers=origin,
        )
        assert right.status_code == 429, right.text
