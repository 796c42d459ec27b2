"""The database layer: driver selection from DATABASE_URL, overload answered 503, and the
sync session kept for code that is not async yet."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import SQLModel, func, select
from support import USER_A, USER_B, auth_headers, tasks_url

from app import db
from app.api.deps import CurrentUser, SyncSessionDep
from app.core.config import Settings
from app.core.overload import OVERLOADED_DETAIL
from app.db import async_database_url, sync_database_url
from app.factory import create_app
from app.models import Task


@pytest.mark.parametrize(
    ("given", "async_url", "sync_url"),
    [
        ("sqlite:///./app.db", "sqlite+aiosqlite:///./app.db", "sqlite:///./app.db"),
        ("sqlite+aiosqlite:///./app.db", "sqlite+aiosqlite:///./app.db", "sqlite:///./app.db"),
        ("postgresql://u@db/app", "postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgres://u@db/app", "postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        (
            "postgresql+psycopg://u@db/app?sslmode=require",
            "postgresql+psycopg://u@db/app?sslmode=require",
            "postgresql+psycopg://u@db/app?sslmode=require",
        ),
        ("postgresql+psycopg2://u@db/app", "postgresql+psycopg://u@db/app", None),
        (  # what Neon hands out: one URL for the frontend and the backend
            "postgresql://u:pw@ep-x.aws.neon.tech/neondb?sslmode=require&channel_binding=require",
            "postgresql+psycopg://u:pw@ep-x.aws.neon.tech/neondb?channel_binding=require&sslmode=require",
            "postgresql+psycopg://u:pw@ep-x.aws.neon.tech/neondb?channel_binding=require&sslmode=require",
        ),
    ],
)
def test_database_url_picks_the_drivers(given: str, async_url: str, sync_url: str | None) -> None:
    assert async_database_url(given).render_as_string(hide_password=False) == async_url
    expected_sync = sync_url or "postgresql+psycopg://u@db/app"
    assert sync_database_url(given).render_as_string(hide_password=False) == expected_sync


def test_pool_exhaustion_is_503_with_retry_after(settings: Settings) -> None:
    """Every connection busy past DB_POOL_TIMEOUT_SECONDS: 503 + Retry-After, not a 500."""
    tight = settings.model_copy(
        update={"DB_POOL_SIZE": 1, "DB_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT_SECONDS": 0.3}
    )
    app = create_app(tight)
    SQLModel.metadata.create_all(app.state.sync_engine)
    headers = auth_headers(USER_A)

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            async with app.state.engine.connect() as held:  # the pool's only connection
                await held.execute(text("SELECT 1"))
                starved = await client.get(tasks_url(USER_A), headers=headers)
            recovered = await client.get(tasks_url(USER_A), headers=headers)
        await app.state.engine.dispose()
        return starved, recovered

    try:
        starved, recovered = asyncio.run(scenario())
    finally:
        SQLModel.metadata.drop_all(app.state.sync_engine)
        app.state.sync_engine.dispose()
    assert starved.status_code == 503, starved.text
    assert starved.json() == {"detail": OVERLOADED_DETAIL}
    assert int(starved.headers["retry-after"]) >= 1
    assert starved.headers["x-request-id"] and starved.headers["x-content-type-options"]
    assert recovered.status_code == 200 and recovered.json() == []


def test_sync_session_serves_a_plain_def_route(app: FastAPI) -> None:
    """Routes written before the async change keep working with SyncSessionDep."""

    @app.get("/api/my-task-count")
    def my_task_count(user: CurrentUser, session: SyncSessionDep) -> dict[str, int]:
        query = select(func.count()).select_from(Task).where(Task.user_id == user.id)
        return {"count": session.exec(query).one()}

    with TestClient(app) as client:
        for title in ("one", "two"):
            client.post(tasks_url(USER_A), json={"title": title}, headers=auth_headers(USER_A))
        client.post(tasks_url(USER_B), json={"title": "b"}, headers=auth_headers(USER_B))
        mine = client.get("/api/my-task-count", headers=auth_headers(USER_A))
        assert mine.status_code == 200 and mine.json() == {"count": 2}
        assert client.get("/api/my-task-count").status_code == 401


def _terminate_other_connections(database_url: str) -> int:
    """Kill every other server connection to this database, as a restart would."""
    engine = db.create_sync_engine(database_url)
    try:
        with engine.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(killed)


@pytest.mark.parametrize("ping", [True, False], ids=["idle-ping", "no-ping"])
def test_a_connection_that_died_while_idle_is_replaced(
    app: FastAPI, database_url: str, monkeypatch: pytest.MonkeyPatch, ping: bool
) -> None:
    if not database_url.startswith("postgres"):
        pytest.skip("needs a server database: set TEST_DATABASE_URL to a PostgreSQL URL")
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0 if ping else 1e9)
    headers = auth_headers(USER_A)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get(tasks_url(USER_A), headers=headers).status_code == 200
        assert _terminate_other_connections(database_url) >= 1  # the pooled one among them
        after = client.get(tasks_url(USER_A), headers=headers)
    if ping:
        assert after.status_code == 200, after.text
    else:  # the control: without the check the dead connection fails the request
        assert after.status_code == 500


def test_a_new_sqlite_database_is_readable_by_its_owner_only(
    settings: Settings, tmp_path: Path
) -> None:
    """It holds every user's tasks (attack review: app.db was created 0644)."""
    path = tmp_path / "fresh" / "app.db"
    app = create_app(settings.model_copy(update={"DATABASE_URL": f"sqlite:///{path}"}))
    with TestClient(app) as client:  # creates the tables (AUTO_CREATE_TABLES in the tests)
        client.post(tasks_url(USER_A), json={"title": "t"}, headers=auth_headers(USER_A))
    files = [p for p in path.parent.iterdir() if p.name.startswith("app.db")]
    assert path in files
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
