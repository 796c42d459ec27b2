"""Alembic: the migrations build the schema app/models.py describes, and can be undone.

Runs on a temporary SQLite file, or on TEST_DATABASE_URL (the tables are dropped around
each test, alembic_version included).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, inspect, pool, text
from sqlmodel import SQLModel
from support import USER_A, auth_headers, tasks_url

from app.core.config import Settings
from app.factory import create_app

BACKEND = Path(__file__).resolve().parents[1]


def _clean(engine: Engine) -> None:
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    _clean(engine)
    yield engine
    _clean(engine)
    engine.dispose()


@pytest.fixture
def alembic_config(database_url: str, engine: Engine) -> Config:
    config = Config(str(BACKEND / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["skip_logging_config"] = True  # leave pytest's logging alone
    return config


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_from_empty_builds_the_schema(alembic_config: Config, engine: Engine) -> None:
    assert "task" not in _tables(engine)
    command.upgrade(alembic_config, "heads")
    assert {"task", "alembic_version"} <= _tables(engine)
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("task")}
    assert indexes.get("ix_task_user_id_id") == ["user_id", "id"]
    # Every branch applied: a resource added by `bafa add resource` and a later template
    # migration may both follow the same revision (two heads, one database).
    heads = set(ScriptDirectory.from_config(alembic_config).get_heads())
    with engine.connect() as connection:
        assert set(MigrationContext.configure(connection).get_current_heads()) == heads


def test_round_trip_upgrade_downgrade_upgrade(alembic_config: Config, engine: Engine) -> None:
    command.upgrade(alembic_config, "heads")
    command.downgrade(alembic_config, "base")
    assert "task" not in _tables(engine)
    command.upgrade(alembic_config, "heads")
    assert "task" in _tables(engine)


def test_models_and_migrations_are_in_sync(alembic_config: Config, engine: Engine) -> None:
    """Autogenerate finds nothing to do: a model change without a migration fails here."""
    command.upgrade(alembic_config, "heads")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"app/models.py differs from the migrations: {diff}"


def test_migrated_schema_serves_the_api(
    alembic_config: Config, engine: Engine, settings: Settings
) -> None:
    command.upgrade(alembic_config, "heads")
    app = create_app(settings.model_copy(update={"AUTO_CREATE_TABLES": False}))
    with TestClient(app) as client:
        created = client.post(tasks_url(USER_A), headers=auth_headers(USER_A), json={"title": "x"})
        assert created.status_code == 201, created.text
        listed = client.get(tasks_url(USER_A), headers=auth_headers(USER_A))
        assert [task["id"] for task in listed.json()] == [created.json()["id"]]


def test_the_app_creates_no_tables_by_default(engine: Engine, settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"AUTO_CREATE_TABLES": False}))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
    assert "task" not in _tables(engine)


# A task row as the 0001/0002 schema holds it (the columns every version has).
INSERT_TASK = text(
    "INSERT INTO task (user_id, title, description, completed, created_at, updated_at)"
    " VALUES (:user_id, :title, :description, :completed, :at, :at) RETURNING id"
)


def test_migrated_schema_never_reuses_an_id(alembic_config: Config, engine: Engine) -> None:
    """SQLite reuses the highest rowid after a delete unless the table is AUTOINCREMENT."""
    command.upgrade(alembic_config, "heads")
    row = {"title": "t", "description": "", "completed": False, "at": "2026-01-01 00:00:00"}
    with engine.begin() as connection:
        first = connection.execute(INSERT_TASK, {**row, "user_id": "a"}).scalar_one()
        connection.execute(text("DELETE FROM task WHERE id = :id"), {"id": first})
        second = connection.execute(INSERT_TASK, {**row, "user_id": "b"}).scalar_one()
    assert second != first


def test_0003_keeps_tasks_and_never_reuses_a_deleted_id(
    alembic_config: Config, engine: Engine
) -> None:
    """Tasks made before priority and due dates keep everything and get the defaults; on
    SQLite the table copy must not forget the id of a task deleted before the upgrade."""
    command.upgrade(alembic_config, "0002")
    row = {"title": "old", "description": "kept", "completed": True, "at": "2026-01-01 00:00:00"}
    with engine.begin() as connection:
        kept = connection.execute(INSERT_TASK, {**row, "user_id": "a"}).scalar_one()
        newest = connection.execute(INSERT_TASK, {**row, "user_id": "b"}).scalar_one()
        connection.execute(text("DELETE FROM task WHERE id = :id"), {"id": newest})
    command.upgrade(alembic_config, "heads")
    with engine.begin() as connection:
        old = connection.execute(
            text(
                "SELECT title, description, completed, priority, due_date FROM task WHERE id = :id"
            ),
            {"id": kept},
        ).one()
        assert tuple(old) == ("old", "kept", True, "medium", None)
        new_row = {"title": "new", "at": "2026-01-02 00:00:00"}
        after = connection.execute(
            text(
                "INSERT INTO task (user_id, title, completed, created_at, updated_at)"
                " VALUES ('c', :title, false, :at, :at) RETURNING id"
            ),
            new_row,
        ).scalar_one()
    assert after > newest, "a deleted task's id was handed out again after the upgrade"


def test_migrating_a_new_sqlite_file_creates_it_private(tmp_path: Path) -> None:
    path = tmp_path / "migrated.db"
    config = Config(str(BACKEND / "alembic.ini"))
    config.attributes["database_url"] = f"sqlite:///{path}"
    config.attributes["skip_logging_config"] = True
    command.upgrade(config, "heads")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
