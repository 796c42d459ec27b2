"""database=postgresql for real: the generated suite on PostgreSQL, and a multi-worker backend
under concurrent load from many users.

Needs a PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth or PG* variables; the
`test` database is used only to CREATE and DROP scratch databases). Without one the tests are
skipped; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import os
import random
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import jwt
import pytest
from processes import free_port, require
from test_generated_backends import run_generated_tests

from conftest import clean_env, generate, read_env

PG_HOST = os.environ.get("BAFA_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BAFA_PG_PORT", "5432"))
PG_ADMIN_DB = os.environ.get("BAFA_PG_ADMIN_DB", "test")
USERS = 20
TASKS_PER_USER = 8
WORKERS = 2
CLIENT_THREADS = 16  # bounded load: at most this many requests in flight


def _admin_connect():
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user="postgres", dbname=PG_ADMIN_DB, autocommit=True, connect_timeout=3
    )


def _postgres_reason() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    try:
        with _admin_connect() as connection:
            connection.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means: no usable server
        return f"no PostgreSQL at {PG_HOST}:{PG_PORT} ({type(exc).__name__}: {str(exc).strip()[:120]})"
    return None


@pytest.fixture(scope="module")
def postgres() -> None:
    reason = _postgres_reason()
    require(reason is None, reason or "")


@pytest.fixture
def scratch_database(postgres: None) -> Iterator[str]:
    """A fresh database, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"bafa_scratch_{secrets.token_hex(6)}"
    with _admin_connect() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin_connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_project(postgres: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("pg") / "app", "database=postgresql")


@pytest.mark.slow
def test_generated_suite_passes_on_postgresql(pg_project: Path, scratch_database: str) -> None:
    result = run_generated_tests(pg_project / "backend", {"TEST_DATABASE_URL": scratch_database})
    output = result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    skipped = output.split("short test summary")[-1]
    for module in ("test_isolation.py", "test_migrations.py"):
        assert f"tests/{module}" not in skipped, f"{module} did not run on PostgreSQL"


def _mint(env: dict[str, str], sub: str) -> str:
    now = int(time.time())
    claims = {
        "sub": sub,
        "id": sub,
        "email": f"{sub}@example.test",
        "name": sub,
        "iat": now,
        "exp": now + 900,
        "iss": env["BETTER_AUTH_URL"],
        "aud": env["BETTER_AUTH_URL"],
    }
    return jwt.encode(claims, env["BETTER_AUTH_SECRET"], algorithm="HS256")


@pytest.fixture
def live_workers(pg_project: Path, scratch_database: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str], str]]:
    """The generated backend after `alembic upgrade heads`, served by several uvicorn workers."""
    backend = pg_project / "backend"
    env = clean_env() | {"DATABASE_URL": scratch_database, "DB_POOL_SIZE": "5", "DB_MAX_OVERFLOW": "5"}
    # A load test of isolation: 20 users as fast as 16 threads go (the limits have their own tests).
    env |= {"RATE_LIMIT_PER_USER": "", "RATE_LIMIT_PER_CLIENT": ""}
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=backend, env=env, check=True, capture_output=True
    )
    port = free_port()
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(WORKERS), "--no-access-log"],
            cwd=backend,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail("uvicorn exited: " + log_path.read_text()[-4000:])
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    started = log_path.read_text().count("Application startup complete")
                    if started >= WORKERS:
                        break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the workers did not all start within 60 s: " + log_path.read_text()[-4000:])
            time.sleep(0.2)
        yield base, read_env(backend / ".env"), scratch_database
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-4000:]


@pytest.mark.slow
def test_concurrent_users_on_several_workers_stay_isolated(live_workers: tuple[str, dict[str, str], str]) -> None:
    import psycopg

    base, env, database_url = live_workers
    users = [f"load-user-{n:02d}" for n in range(USERS)]
    headers = {user: {"Authorization": f"Bearer {_mint(env, user)}"} for user in users}
    statuses: Counter[int] = Counter()
    violations: list[str] = []
    limits = httpx.Limits(max_connections=CLIENT_THREADS, max_keepalive_connections=CLIENT_THREADS)
    client = httpx.Client(base_url=base, timeout=30, limits=limits)

    def call(method: str, path: str, user: str, json: dict | None = None) -> httpx.Response:
        response = client.request(method, path, headers=headers[user], json=json)
        statuses[response.status_code] += 1
        return response

    # Phase 1: every user creates tasks, all users at once.
    def create(job: tuple[str, int]) -> tuple[str, int]:
        user, n = job
        response = call("POST", "/api/tasks", user, {"title": f"{user} task {n}", "description": user})
        assert response.status_code == 201, response.text
        return user, response.json()["id"]

    jobs = [(user, n) for user in users for n in range(TASKS_PER_USER)]
    random.Random(1).shuffle(jobs)
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        created = list(pool.map(create, jobs))
    owned: dict[str, list[int]] = {user: [] for user in users}
    for user, task_id in created:
        owned[user].append(task_id)
    owner_of = {task_id: user for user, task_id in created}
    assert len(owner_of) == len(jobs), "every create got its own id"

    # Phase 2: reads, updates, lists and cross-user attempts, interleaved across users.
    operations: list[tuple] = []
    rng = random.Random(2)
    for user in users:
        others = [u for u in users if u != user]
        for task_id in owned[user]:
            operations += [("read", user, task_id), ("update", user, task_id)]
            victim = rng.choice(others)
            operations += [
                ("cross-read", user, rng.choice(owned[victim])),
                ("cross-write", user, rng.choice(owned[victim])),
                ("cross-delete", user, rng.choice(owned[victim])),
            ]
        operations += [("list", user, None)] * 4
    rng.shuffle(operations)

    def run(operation: tuple) -> None:
        kind, user, task_id = operation
        if kind == "read":
            response = call("GET", f"/api/tasks/{task_id}", user)
            if response.status_code != 200 or response.json()["id"] != task_id:
                violations.append(f"{user} could not read own task {task_id}: {response.status_code}")
        elif kind == "update":
            title = f"{user} updated {task_id}"
            response = call("PATCH", f"/api/tasks/{task_id}", user, {"title": title, "completed": True})
            if response.status_code != 200 or response.json()["title"] != title:
                violations.append(f"{user} could not update own task {task_id}: {response.status_code}")
        elif kind == "cross-read":
            response = call("GET", f"/api/tasks/{task_id}", user)
            if response.status_code != 403:
                violations.append(f"{user} read {owner_of[task_id]}'s task {task_id}: {response.status_code}")
        elif kind == "cross-write":
            response = call("PATCH", f"/api/tasks/{task_id}", user, {"title": f"hijacked by {user}"})
            if response.status_code != 403:
                violations.append(f"{user} wrote {owner_of[task_id]}'s task {task_id}: {response.status_code}")
        elif kind == "cross-delete":
            response = call("DELETE", f"/api/tasks/{task_id}", user)
            if response.status_code != 403:
                violations.append(f"{user} deleted {owner_of[task_id]}'s task {task_id}: {response.status_code}")
        else:
            response = call("GET", "/api/tasks?limit=100", user)
            ids = {task["id"] for task in response.json()} if response.status_code == 200 else set()
            if response.status_code != 200 or not ids <= set(owned[user]):
                violations.append(f"{user}'s list has foreign tasks: {sorted(ids - set(owned[user]))}")

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        list(pool.map(run, operations))
    client.close()
    expected_title = {task_id: f"{user} updated {task_id}" for task_id, user in owner_of.items()}

    total = sum(statuses.values())
    assert total >= 900, f"only {total} requests were made"
    assert not [s for s in statuses if s >= 500], f"server errors: {statuses}"
    assert violations == [], violations[:20]

    # Every write is in the database, with its owner, and no foreign write landed.
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT id, user_id, title, description, completed FROM task").fetchall()
    assert len(rows) == len(jobs)
    for task_id, user_id, title, description, completed in rows:
        assert user_id == owner_of[task_id] == description, (task_id, user_id)
        assert title == expected_title[task_id], (task_id, title)
        assert completed is True
