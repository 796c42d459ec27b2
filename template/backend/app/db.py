"""Database engine, per-request sessions and table creation."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine

from app import models  # noqa: F401  # registers the tables on SQLModel.metadata


def create_db_engine(database_url: str) -> Engine:
    """Create the engine for DATABASE_URL (SQLite is shared across FastAPI's threads)."""
    if database_url.startswith("sqlite"):
        return create_engine(database_url, connect_args={"check_same_thread": False})
    return create_engine(database_url, pool_pre_ping=True)


def create_tables(engine: Engine) -> None:
    """Create missing tables (a migration tool can take over later)."""
    SQLModel.metadata.create_all(engine)


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, on the app's engine."""
    with Session(request.app.state.engine) as session:
        yield session
