"""`bafa update` brings every resource added with `bafa add resource` to the project's new version.

The versions are built here: a --no-tags clone of this checkout tagged v0.9.0 (what the project
and its note resource are made from), and a v0.9.1 on a side branch that changes a project file
and a resource template file. The clone stays at v0.9.0, so `bafa new` and `bafa add resource`
render v0.9.0 and `bafa update` moves to v0.9.1, the newest tag.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_update import HEALTH, OLD_LINE, _bafa, _git, _offline_env, own_copy

from conftest import REPO, snapshot

ROUTER = "backend/app/api/routes/notes.py"
ROUTER_TEMPLATE = "resource/backend/app/api/routes/{{ resource_plural }}.py.jinja"
OLD_DOC = '"""One of the caller\'s {{ resource_plural }}."""'
NEW_DOC = '"""One of the caller\'s own {{ resource_plural }}."""'
USER_EDIT = "\n# the user's own edit\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template at v0.9.0, with v0.9.1 (health and the resource router changed) tagged beside."""
    template = tmp_path_factory.mktemp("template") / "bafa"
    _git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(template))
    _git(template, "tag", "v0.9.0")
    _git(template, "checkout", "--quiet", "-b", "next")
    router, health = template / ROUTER_TEMPLATE, template / HEALTH
    assert router.read_text().count(OLD_DOC) == 1, "the resource template changed: update this test's v0.9.1 edit"
    router.write_text(router.read_text().replace(OLD_DOC, NEW_DOC))
    health.write_text(health.read_text().replace(OLD_LINE, 'return {"status": "ok", "service": "tasks"}'))
    _git(template, "commit", "--quiet", "-am", "v0.9.1: a resource docstring, health names the service")
    _git(template, "tag", "v0.9.1")
    _git(template, "checkout", "--quiet", "v0.9.0")
    return template


@pytest.fixture(scope="module")
def made_project(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Path:
    """A v0.9.0 project (backend only) with a note resource (made once; copied per test)."""
    work = tmp_path_factory.mktemp("made")
    env = _offline_env(template, work / "cache")
    project = work / "proj"
    new = _bafa(env, "new", str(project), "--defaults", "-d", "frontend=false")
    assert new.returncode == 0, new.stderr
    added = _bafa(env, "add", "resource", "note", str(project), "-f", "body:text")
    assert added.returncode == 0, added.stdout + added.stderr
    for answers in (".copier-answers.yml", ".copier-answers.resource-note.yml"):
        assert yaml.safe_load((project / answers).read_text())["_commit"] == "v0.9.0"
    return project


@pytest.fixture
def project(made_project: Path, tmp_path: Path, template: Path) -> tuple[Path, dict[str, str]]:
    return own_copy(made_project, tmp_path, template)


def worktree(project: Path) -> dict[str, bytes]:
    """The project's files without git's own (a rolled-back update may leave objects and reflog lines)."""
    return {name: data for name, data in snapshot(project).items() if not name.startswith(".git/")}


def edit_and_commit(project: Path, old: str, new: str) -> None:
    router = project / ROUTER
    assert old in router.read_text()
    router.write_text(router.read_text().replace(old, new, 1))
    _git(project, "commit", "--quiet", "-am", "the user's edit")


def test_update_brings_the_resource_and_keeps_the_users_edit(project: tuple[Path, dict[str, str]]) -> None:
    path, env = project
    edit_and_commit(path, "from app.models import utc_now\n", "from app.models import utc_now\n" + USER_EDIT)
    result = _bafa(env, "update", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "from template v0.9.0 to v0.9.1" in result.stdout
    assert "resource note from template v0.9.0 to v0.9.1" in result.stdout, result.stdout
    assert f"changed  {ROUTER}" in result.stdout
    router = (path / ROUTER).read_text()
    assert '"""One of the caller\'s own notes."""' in router  # the template's change
    assert USER_EDIT in router  # the user's edit, kept
    assert '"service": "tasks"' in (path / "backend/app/api/routes/health.py").read_text()  # the project's too
    assert yaml.safe_load((path / ".copier-answers.resource-note.yml").read_text())["_commit"] == "v0.9.1"
    assert _git(path, "log", "-1", "--format=%s").strip() == "the user's edit", "the update commits nothing"
    assert _git(path, "diff", "--cached", "--name-only") == "", "changes are left unstaged to review, as Copier does"


def test_a_conflicting_edit_is_listed_and_exits_1(project: tuple[Path, dict[str, str]]) -> None:
    path, env = project
    edit_and_commit(path, '"""One of the caller\'s notes."""', '"""One note of the caller\'s, by id."""')
    result = _bafa(env, "update", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"conflict {ROUTER}" in result.stderr
    router = (path / ROUTER).read_text()
    assert "<<<<<<< before updating" in router and "One note of the caller's, by id." in router
    assert "One of the caller's own notes." in router
    assert _git(path, "ls-files", "--unmerged", ROUTER), "git knows the file is in conflict (git status: both ...)"


def test_pretend_shows_the_resources_change_and_writes_nothing(project: tuple[Path, dict[str, str]]) -> None:
    path, env = project
    before = snapshot(path)
    result = _bafa(env, "update", str(path), "--pretend")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Would update resource note from template v0.9.0 to v0.9.1" in result.stdout
    assert '+    """One of the caller\'s own notes."""' in result.stdout  # the diff
    assert snapshot(path) == before


def test_a_failing_resource_update_rolls_back_the_project_too(project: tuple[Path, dict[str, str]]) -> None:
    """All or nothing: the project updates first, then the note fails (its recorded version is gone)."""
    path, env = project
    answers = path / ".copier-answers.resource-note.yml"
    answers.write_text(answers.read_text().replace("_commit: v0.9.0", "_commit: v0.8.9"))
    _git(path, "commit", "--quiet", "-am", "a resource from a version the template has not")
    start = _git(path, "rev-parse", "HEAD")
    before = worktree(path)
    result = _bafa(env, "update", str(path), "--to", "v0.9.1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and "project left as it was" in result.stderr
    assert "resource note" in result.stderr
    assert _git(path, "rev-parse", "HEAD") == start and _git(path, "status", "--porcelain") == ""
    assert worktree(path) == before


TEMPLATE_MIGRATION = '''"""A later template version's own migration (a stand-in: it changes no table).

Revision ID: 0099
Revises: {parent}
"""

revision = "0099"
down_revision = "{parent}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def test_a_template_migration_after_a_resource_makes_two_heads_that_apply_and_join(tmp_path: Path) -> None:
    """Update brings a template migration that follows the revision the resource follows too."""
    from generator.add_resource import migration_heads

    template = tmp_path / "bafa"
    _git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(template))
    _git(template, "tag", "v0.9.0")
    versions = template / "template/backend/migrations/versions"
    parent = migration_heads(versions)
    (versions / "0099_next.py").write_text(TEMPLATE_MIGRATION.format(parent=parent))
    _git(template, "add", ".")
    _git(template, "commit", "--quiet", "-m", "v0.9.1: a migration of the template's own")
    _git(template, "tag", "v0.9.1")
    _git(template, "checkout", "--quiet", "v0.9.0")
    env = _offline_env(template, tmp_path / "cache")
    project = tmp_path / "proj"
    assert _bafa(env, "new", str(project), "--defaults", "-d", "frontend=false").returncode == 0
    added = _bafa(env, "add", "resource", "note", str(project), "-f", "body:text")
    assert added.returncode == 0, added.stdout + added.stderr
    updated = _bafa(env, "update", str(project))
    assert updated.returncode == 0, updated.stdout + updated.stderr
    _git(project, "add", ".")
    _git(project, "commit", "--quiet", "-m", "update to v0.9.1")
    project_versions = project / "backend/migrations/versions"
    assert migration_heads(project_versions) == "0099 res_note"  # two branches from `parent`

    # Both branches apply (the generated migration tests run `alembic upgrade heads`) ...
    migrations = ["tests/test_migrations.py", "-q", "-p", "no:cacheprovider", "-n", "0"]
    run_tests = [sys.executable, "-m", "pytest", *migrations]
    ran = subprocess.run(run_tests, cwd=project / "backend", capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    # ... and the next resource's migration follows both heads, joining them again.
    tag = _bafa(env, "add", "resource", "tag", str(project), "-f", "label:str")
    assert tag.returncode == 0, tag.stdout + tag.stderr
    assert migration_heads(project_versions) == "res_tag"
    text = (project_versions / "resource_tag.py").read_text()
    assert 'down_revision: str | Sequence[str] | None = ("0099", "res_note")' in text
    ran = subprocess.run(run_tests, cwd=project / "backend", capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
