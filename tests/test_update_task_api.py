"""`bafa update` from 0.2.0 brings a project and its data to the 0.3.0 task API.

v0.2.0 is the last commit of this repository before the task API (found by content), v0.3.0
this checkout's HEAD. A project is generated at v0.2.0, migrated, and given tasks by its own
0.2.0 backend; after `bafa update` and `alembic upgrade head` (migration 0003: columns added,
nothing rebuilt by hand, no row lost) the same database serves the new API: the old tasks with
their content, priority "medium" and no due date; and the updated project is file for file the
project `bafa new` makes at this version (whose suite test_generated_backends.py runs).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_update import _bafa, _git, _offline_env, assert_same_project, new_at
from test_update_async import MODELS, last_commit_without

from conftest import REPO
from generator import __version__

# Runs inside the generated backend: its own app, test helpers and a token for `user`.
CLIENT = """
import json, sys
sys.path.insert(0, "tests")
from fastapi.testclient import TestClient
from support import TEST_SECRET, auth_headers, tasks_url
from app.core.config import Settings
from app.factory import create_app

action, user = sys.argv[1], sys.argv[2]
limits = {"RATE_LIMIT_PER_USER": "", "RATE_LIMIT_PER_CLIENT": ""}
settings = Settings(DATABASE_URL=sys.argv[3], BETTER_AUTH_SECRET=TEST_SECRET, **limits)
app = create_app(settings)
with TestClient(app) as client:
    headers = auth_headers(user)
    if action == "create":
        for title in ("kept one", "kept two"):
            body = {"title": title, "description": f"{title}: details", "completed": title.endswith("two")}
            assert client.post(tasks_url(user), json=body, headers=headers).status_code == 201
    print(json.dumps(client.get(tasks_url(user), headers=headers).json()))
"""


@pytest.fixture(scope="module")
def template_0_2_to_0_3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = tmp_path_factory.mktemp("template") / "bafa"
    _git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(template))
    _git(template, "tag", f"v{__version__}")
    _git(template, "tag", "v0.2.0", last_commit_without(template, MODELS, "class Priority"))
    return template


def _backend(backend: Path, database: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=backend,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_update_to_the_task_api_keeps_the_data(template_0_2_to_0_3: Path, tmp_path: Path) -> None:
    import json

    env = _offline_env(template_0_2_to_0_3, tmp_path / "cache")
    project = new_at(template_0_2_to_0_3, "v0.2.0", env, tmp_path / "proj")
    backend = project / "backend"
    assert "priority" not in (backend / "app/models.py").read_text()
    database = f"sqlite:///{tmp_path / 'tasks.db'}"
    _backend(backend, database, "-m", "alembic", "upgrade", "head")
    before = json.loads(_backend(backend, database, "-c", CLIENT, "create", "user-old-0001", database))
    assert [t["title"] for t in before] == ["kept one", "kept two"]  # 0.2.0: oldest first

    updated = _bafa(env, "update", str(project))
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert f"from template v0.2.0 to v{__version__}" in updated.stdout
    assert (backend / "migrations/versions/0003_task_priority_due_date.py").exists()

    _backend(backend, database, "-m", "alembic", "upgrade", "head")
    after = json.loads(_backend(backend, database, "-c", CLIENT, "list", "user-old-0001", database))
    assert [t["title"] for t in after] == ["kept two", "kept one"]  # 0.3.0: newest first
    for old, new in zip(before, reversed(after), strict=True):
        assert {k: new[k] for k in old} == old, "a task changed in the update"
        assert (new["priority"], new["due_date"], new["user_id"]) == ("medium", None, "user-old-0001")

    assert_same_project(project, new_at(template_0_2_to_0_3, f"v{__version__}", env, tmp_path / "fresh"))
