"""Fixtures: settings with a random test secret, an app on a temporary database, a client.

Tests use a fresh SQLite file per test. Set TEST_DATABASE_URL (for example
postgresql+psycopg://postgres@127.0.0.1:5432/test) to run them against another database;
its tables are dropped after each test. Tables are created by the app at startup
(AUTO_CREATE_TABLES=True); test_migrations.py builds them with Alembic instead. The app runs
on its async engine; set-up and clean-up use app.state.sync_engine (the same database).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from signing import auth_settings
from sqlmodel import SQLModel
from support import (
    ALLOWED_ORIGINS,
    AUTH_MODE,
    AUTH_URL,
    NO_RATE_LIMITS,
    USER_A,
    USER_B,
    auth_headers,
)

from app.core.config import Settings
from app.factory import create_app

# Property and fuzz tests (Hypothesis, schemathesis): in CI the same examples on every run, so
# a red build is reproducible and never a matter of luck; locally new examples each run, and
# PROPERTY_EXAMPLES=500 for a long one.
if os.environ.get("CI", "").lower() not in ("", "0", "false"):
    hypothesis.settings.register_profile("ci", derandomize=True)
    hypothesis.settings.load_profile("ci")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="session")
def jwks_url() -> Iterator[str | None]:
    """jwks mode: a local JWKS endpoint serving the test key (None in shared_secret mode)."""
    if AUTH_MODE != "jwks":
        yield None
        return
    from signing import JwksServer  # type: ignore[attr-defined]  # exists in jwks mode only

    server = JwksServer()
    yield server.url
    server.close()


@pytest.fixture
def settings(database_url: str, jwks_url: str | None) -> Settings:
    # Every value is explicit and _env_file=None: tests never depend on backend/.env
    # or on variables set in the shell.
    return Settings(
        _env_file=None,
        **auth_settings(jwks_url),
        BETTER_AUTH_URL=AUTH_URL,
        CORS_ORIGINS=list(ALLOWED_ORIGINS),
        DATABASE_URL=database_url,
        JWT_LEEWAY_SECONDS=10,
        # The app creates its tables at startup here; tests/test_migrations.py checks that
        # the Alembic migrations build the same schema.
        AUTO_CREATE_TABLES=True,
        **NO_RATE_LIMITS,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    engine = application.state.sync_engine  # the app's database, for set-up and clean-up
    SQLModel.metadata.drop_all(engine)  # a clean slate on a shared server database
    yield application
    SQLModel.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:  # runs the lifespan: tables are created
        yield test_client


@pytest.fixture
def headers_a() -> dict[str, str]:
    return auth_headers(USER_A)


@pytest.fixture
def headers_b() -> dict[str, str]:
    return auth_headers(USER_B)
