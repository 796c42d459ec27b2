"""Database engine (with a connection pool for server databases) and per-request sessions.

Tables are created by Alembic (`alembic upgrade head`, backend/migrations/); create_tables()
is only called at startup when AUTO_CREATE_TABLES is true (development and tests).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine

from app import models  # noqa: F401  # registers the tables on SQLModel.metadata
from app.core.config import Settings


def create_db_engine(database_url: str, settings: Settings | None = None) -> Engine:
    """Create the engine for DATABASE_URL; pool sizes come from `settings` (DB_POOL_*).

    SQLite is an in-process file: one shared engine across FastAPI's threads, no pool tuning.
    A server database (PostgreSQL) gets a bounded pool, checked before use (pool_pre_ping,
    so a connection the server or a proxy dropped is replaced instead of failing a request)
    and recycled after DB_POOL_RECYCLE_SECONDS.
    """
    if database_url.startswith("sqlite"):
        return create_engine(database_url, connect_args={"check_same_thread": False})
    pool_size, max_overflow, timeout, recycle = 5, 10, 30.0, 1800
    if settings is not None:
        pool_size = settings.DB_POOL_SIZE
        max_overflow = settings.DB_MAX_OVERFLOW
        timeout = settings.DB_POOL_TIMEOUT_SECONDS
        recycle = settings.DB_POOL_RECYCLE_SECONDS
    return create_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=timeout,
        pool_recycle=recycle,
        pool_pre_ping=True,
    )


def create_tables(engine: Engine) -> None:
    """Create missing tables directly (AUTO_CREATE_TABLES=true only; production uses Alembic)."""
    SQLModel.metadata.create_all(engine)


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, on the app's engine."""
    with Session(request.app.state.engine) as session:
        yield session
