"""Database engines and per-request sessions: async on the request path.

The app talks to the database through an async engine (psycopg 3's async mode for
PostgreSQL, aiosqlite for SQLite), so a request that waits for the database waits on the
event loop, not in a worker thread: no thread-pool hop, no stall when many requests wait
for a connection at once.

DATABASE_URL may name the plain dialect (`postgresql://…`, `postgres://…`, `sqlite:///…`)
or a driver; async_database_url() picks the async driver, sync_database_url() the sync one
(for SyncSessionDep, scripts and tests). Tables come from Alembic (`alembic upgrade heads`,
backend/migrations/); create_tables() runs at startup only when AUTO_CREATE_TABLES is true.

Pool (per worker process; see Settings.DB_POOL_*): a request holds a connection only while
its transaction is open, so DB_POOL_SIZE connections serve many more concurrent requests.
When all are busy, further requests wait (on the event loop) up to DB_POOL_TIMEOUT_SECONDS;
a request still waiting then is answered 503 with Retry-After (app/core/overload.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from fastapi import Request
from sqlalchemy import URL, Engine, create_engine, event, exc, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app import models, resources  # noqa: F401  # registers the tables on SQLModel.metadata
from app.core.config import Settings

# backend name -> (async driver, sync driver)
DRIVERS = {
    "sqlite": ("sqlite+aiosqlite", "sqlite"),
    "postgresql": ("postgresql+psycopg", "postgresql+psycopg"),
    "postgres": ("postgresql+psycopg", "postgresql+psycopg"),  # Heroku-style URLs
}
ASYNC_DRIVERS = {"aiosqlite", "psycopg", "asyncpg", "psycopg_async"}
# A pooled connection idle for longer than this is checked (SELECT 1) before a request uses it.
PING_AFTER_IDLE_SECONDS = 10.0


def _with_driver(database_url: str | URL, pick: int) -> URL:
    url = make_url(database_url)
    backend, _, driver = url.drivername.partition("+")
    if backend not in DRIVERS:
        return url
    if pick == 0 and driver in ASYNC_DRIVERS and backend != "postgres":
        return url  # an async driver chosen on purpose stays
    return url.set(drivername=DRIVERS[backend][pick])


def async_database_url(database_url: str | URL) -> URL:
    """DATABASE_URL with an async driver (the app's request path)."""
    return _with_driver(database_url, 0)


def sync_database_url(database_url: str | URL) -> URL:
    """DATABASE_URL with a sync driver (SyncSessionDep, scripts, tests)."""
    return _with_driver(database_url, 1)


def _is_sqlite(url: URL) -> bool:
    return url.drivername.partition("+")[0] == "sqlite"


def _is_sqlite_file(url: URL) -> bool:
    """A SQLite database in a file (not in memory)."""
    return _is_sqlite(url) and url.database not in (None, "", ":memory:")


def make_sqlite_file_private(database_url: str | URL) -> None:
    """Create a missing SQLite database file readable and writable by its owner only (it holds
    every user's tasks); SQLite gives its -wal and -shm files the same permissions."""
    url = make_url(database_url)
    if not _is_sqlite_file(url):
        return
    path = Path(url.database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # an empty file is an empty db


def _sqlite_pragmas(engine: Engine) -> None:
    """File SQLite: WAL, so readers never block the writer nor it them, and a busy timeout,
    so concurrent writers wait for each other instead of failing with "database is locked"."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _ping_when_idle(engine: Engine) -> None:
    """Replace a server connection that died while it sat idle in the pool, before a request
    uses it (a restarted server, a proxy's idle timeout, Neon's scale to zero).

    Like pool_pre_ping, but only for connections idle longer than PING_AFTER_IDLE_SECONDS:
    under load connections are reused within milliseconds and pay no extra round trip
    (pool_pre_ping's ping cost a quarter of the CPU of a list request, docs/performance.md).
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as error:  # noqa: BLE001 - any failure: a dead connection
            # The pool discards this connection and checks out (or opens) another one.
            raise exc.DisconnectionError(f"idle connection is gone: {error}") from error


def _pool_options(settings: Settings | None) -> dict[str, object]:
    if settings is None:
        return {}
    return {
        "pool_size": settings.DB_POOL_SIZE,
        "max_overflow": settings.DB_MAX_OVERFLOW,
        "pool_timeout": settings.DB_POOL_TIMEOUT_SECONDS,
        "pool_recycle": settings.DB_POOL_RECYCLE_SECONDS,
    }


def create_db_engine(database_url: str, settings: Settings | None = None) -> AsyncEngine:
    """The app's async engine for DATABASE_URL; pool sizes come from `settings` (DB_POOL_*).

    On a server database (PostgreSQL) a connection the server or a proxy dropped while it was
    idle is replaced instead of failing a request (_ping_when_idle).
    """
    url = async_database_url(database_url)
    if _is_sqlite(url):
        if not _is_sqlite_file(url):  # one in-memory database, one connection
            engine = create_async_engine(url)
        else:
            make_sqlite_file_private(url)
            engine = create_async_engine(url, **_pool_options(settings))
            _sqlite_pragmas(engine.sync_engine)
        return engine
    engine = create_async_engine(url, **_pool_options(settings))
    _ping_when_idle(engine.sync_engine)
    return engine


def create_sync_engine(database_url: str, settings: Settings | None = None) -> Engine:
    """A sync engine on the same database (SyncSessionDep, scripts, tests)."""
    url = sync_database_url(database_url)
    if _is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        if _is_sqlite_file(url):
            make_sqlite_file_private(url)
            _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **_pool_options(settings))


async def create_tables(engine: AsyncEngine) -> None:
    """Create missing tables directly (AUTO_CREATE_TABLES=true only; production uses Alembic)."""
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: a committed object stays readable without another query (an
    # async session cannot lazy-load attributes while the response is serialised).
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one async session per request, on the app's engine."""
    async with request.app.state.sessions() as session:
        yield session


def get_sync_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency for code that is not async yet: use it only in `def` routes (FastAPI
    runs those in its thread pool). Its engine connects on first use."""
    with Session(request.app.state.sync_engine) as session:
        yield session
