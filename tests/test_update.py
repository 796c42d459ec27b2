"""`bafa update` and `copier update` across two real template versions, offline.

The test builds the versions itself: a clone of this checkout tagged v0.1.0, then one more
commit (a changed backend file, a new .env key, a secret key the template marks as generated
and a credential it does not) tagged v0.2.0.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, read_env, snapshot

HEALTH = "template/backend/app/api/routes/health.py"
OLD_LINE = 'return {"status": "ok"}'


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _offline_env(template: Path, cache: Path) -> dict[str, str]:
    """bafa reads the template from `template`; git may use no network protocol at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG")}
    env.update(
        {
            "BAFA_TEMPLATE": str(template),
            "XDG_CACHE_HOME": str(cache),
            "GIT_ALLOW_PROTOCOL": "file",  # https/ssh/git:// fail: no remote is reachable
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "HTTP_PROXY": "http://127.0.0.1:9",
        }
    )
    return env


def _bafa(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def new_at(template: Path, ref: str, env: dict[str, str], dest: Path) -> Path:
    """`bafa new DEST --defaults` from the template repository checked out at `ref`."""
    _git(template, "checkout", "--quiet", ref)
    try:
        result = _bafa(env, "new", str(dest), "--defaults")
    finally:
        _git(template, "checkout", "--quiet", "-")
    assert result.returncode == 0, result.stderr
    return dest


def assert_same_project(updated: Path, fresh: Path) -> None:
    """`updated` holds, file for file, what `bafa new` makes at the version it was updated to
    (`fresh`, same answers): nothing left behind, nothing merged wrongly. So it passes the suite
    that render passes (tests/test_generated_backends.py runs each one). The `.env` files are
    left out (their secrets are per project: test_update_keeps_edits_secrets_and_history)."""

    def files(project: Path) -> dict[str, bytes]:
        return {
            name: data
            for name, data in snapshot(project).items()
            if not name.startswith(".git/") and Path(name).name != ".env" and "__pycache__" not in name
        }

    old, new = files(updated), files(fresh)
    differing = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    assert not differing, f"the updated project differs from a new one at that version in: {differing}"


@pytest.fixture(scope="module")
def template_versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository with tags v0.1.0 and v0.2.0."""
    template = tmp_path_factory.mktemp("template") / "bafa"
    _git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(template))
    _git(template, "tag", "v0.1.0")
    health = template / HEALTH
    assert OLD_LINE in health.read_text(), "the template changed: update this test's v0.2.0 edit"
    health.write_text(health.read_text().replace(OLD_LINE, 'return {"status": "ok", "service": "tasks"}'))
    example = template / "template/backend/.env.example.jinja"
    example.write_text(
        example.read_text()
        + "LOG_LEVEL=info\n# generated: secret\nAUDIT_SIGNING_SECRET=replace-me\n"
        + "# From the GitHub OAuth app (only you have it).\nGITHUB_CLIENT_SECRET=\n"
    )
    _git(template, "commit", "--quiet", "-am", "v0.2.0: health names the service; three new settings")
    _git(template, "tag", "v0.2.0")
    return template


@pytest.fixture(scope="module")
def made_old_project(tmp_path_factory: pytest.TempPathFactory, template_versions: Path) -> Path:
    """A project generated from v0.1.0 with two committed user edits (made once; copied per test)."""
    work = tmp_path_factory.mktemp("old")
    project = new_at(template_versions, "v0.1.0", _offline_env(template_versions, work / "cache"), work / "proj")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.1.0"
    assert answers["_src_path"] == "https://github.com/bafa-project/bafa.git", "a canonical URL, not a local path"

    me = project / "backend/app/api/routes/me.py"
    me.write_text(me.read_text() + "\n# team note: /api/me is used by the mobile app\n")
    health = project / "backend/app/api/routes/health.py"
    health.write_text(health.read_text().replace(OLD_LINE, 'return {"status": "ok", "team": "blue"}'))
    _git(project, "commit", "--quiet", "-am", "Our edits")
    return project


@pytest.fixture
def old_project(made_old_project: Path, tmp_path: Path, template_versions: Path) -> tuple[Path, dict[str, str]]:
    return own_copy(made_old_project, tmp_path, template_versions)


def own_copy(made: Path, tmp_path: Path, template: Path) -> tuple[Path, dict[str, str]]:
    """A test's own copy of a project made once per file (modes and git history included), and
    its offline environment for bafa."""
    project = shutil.copytree(made, tmp_path / "proj", symlinks=True)
    _git(project, "update-index", "-q", "--refresh")  # the copy's new inodes: git's index settles once
    return project, _offline_env(template, tmp_path / "cache")


def test_update_keeps_edits_secrets_and_history(old_project: tuple[Path, dict[str, str]]) -> None:
    project, env = old_project
    env_before = {name: (project / name).read_bytes() for name in ("backend/.env", "frontend/.env")}
    secret = read_env(project / "backend/.env")["BETTER_AUTH_SECRET"]

    result = _bafa(env, "update", str(project))

    assert result.returncode == 1, result.stdout + result.stderr  # conflicts remain
    assert "conflict backend/app/api/routes/health.py" in result.stderr
    assert "from template v0.1.0 to v0.2.0" in result.stdout
    assert "changed  backend/app/api/routes/health.py" in result.stdout

    health = (project / "backend/app/api/routes/health.py").read_text()
    assert "<<<<<<< before updating" in health and ">>>>>>> after updating" in health
    assert '"team": "blue"' in health and '"service": "tasks"' in health
    assert "# team note: /api/me is used by the mobile app" in (project / "backend/app/api/routes/me.py").read_text()

    backend_env = read_env(project / "backend/.env")
    assert backend_env["BETTER_AUTH_SECRET"] == secret
    assert read_env(project / "frontend/.env")["BETTER_AUTH_SECRET"] == secret
    assert (project / "frontend/.env").read_bytes() == env_before["frontend/.env"]
    assert (project / "backend/.env").read_bytes().startswith(env_before["backend/.env"]), "existing lines untouched"
    assert backend_env["LOG_LEVEL"] == "info"
    assert len(backend_env["AUDIT_SIGNING_SECRET"]) >= 48 and backend_env["AUDIT_SIGNING_SECRET"] != "replace-me"
    assert backend_env["GITHUB_CLIENT_SECRET"] == "", "a credential the template does not mark is never invented"
    assert "new keys in backend/.env: LOG_LEVEL, AUDIT_SIGNING_SECRET, GITHUB_CLIENT_SECRET" in result.stdout
    assert "needs a value in backend/.env: GITHUB_CLIENT_SECRET" in result.stdout

    log = _git(project, "log", "--format=%s")
    assert log.splitlines()[:1] == ["Our edits"] and "Generate My Tasks with bafa" in log
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v0.2.0"
    answers_text = (project / ".copier-answers.yml").read_text()
    assert secret not in answers_text and "better_auth_secret" not in answers_text


def test_clean_update_exits_0_and_rej_style(old_project: tuple[Path, dict[str, str]]) -> None:
    project, env = old_project
    # Undo the conflicting edit: now the update merges cleanly.
    health = project / "backend/app/api/routes/health.py"
    health.write_text(health.read_text().replace(', "team": "blue"', ""))
    _git(project, "commit", "--quiet", "-am", "Drop our health edit")
    result = _bafa(env, "update", str(project), "--to", "v0.2.0", "--conflict", "rej")
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"service": "tasks"' in health.read_text()
    assert not list(project.rglob("*.rej"))
    again = _bafa(env, "update", str(project))
    assert again.returncode == 2 and "uncommitted" in again.stderr, "the update left changes to review and commit"


def test_an_up_to_date_project_is_said_so_at_once(template_versions: Path, tmp_path: Path) -> None:
    """Issue 16: `update --pretend` on an up-to-date project took 23 s and warned three times."""
    env = _offline_env(template_versions, tmp_path / "cache")
    project = new_at(template_versions, "v0.2.0", env, tmp_path / "proj")
    for args in (("--pretend",), (), ("--to", "v0.2.0")):
        trace = tmp_path / f"git-trace{len(args)}.log"  # every git command bafa and copier run
        result = _bafa(env | {"GIT_TRACE": str(trace)}, "update", str(project), *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "from template v0.2.0 to v0.2.0" in result.stdout and "already up to date" in result.stdout
        assert result.stderr == "", result.stderr
        commands = re.findall(r"trace: built-in: git (\S+)", trace.read_text())
        assert "clone" not in commands and "checkout" not in commands, f"nothing to render, yet: {commands[:12]}"
    assert _git(project, "status", "--porcelain") == ""


def test_conflicts_as_rej_files(old_project: tuple[Path, dict[str, str]]) -> None:
    project, env = old_project
    result = _bafa(env, "update", str(project), "--conflict", "rej")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "conflict backend/app/api/routes/health.py.rej" in result.stderr
    assert (project / "backend/app/api/routes/health.py.rej").is_file()


def test_pretend_changes_nothing(old_project: tuple[Path, dict[str, str]]) -> None:
    project, env = old_project
    before = snapshot(project)
    result = _bafa(env, "update", str(project), "--pretend")
    assert result.returncode == 1
    assert "Would update" in result.stdout
    assert "+LOG_LEVEL=info" in result.stdout and "-_commit: v0.1.0" in result.stdout
    assert snapshot(project) == before


def test_refusals_exit_2_and_change_nothing(old_project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    project, env = old_project

    older = _bafa(env, "update", str(project), "--to", "v0.0.9")
    assert older.returncode == 2 and "older than the project's v0.1.0" in older.stderr

    not_project = tmp_path / "plain-folder"
    not_project.mkdir()
    result = _bafa(env, "update", str(not_project))
    assert result.returncode == 2 and "is not a bafa project" in result.stderr

    (project / "backend/app/models.py").write_text("# dirty\n")
    before = snapshot(project)
    dirty = _bafa(env, "update", str(project))
    assert dirty.returncode == 2 and "uncommitted change" in dirty.stderr
    assert snapshot(project) == before

    missing = _bafa(env, "update", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "is not a folder" in missing.stderr

    _git(project, "checkout", "--quiet", "--", ".")
    unknown = _bafa(env, "update", str(project), "--to", "v9.9.9")
    assert unknown.returncode == 2 and "update failed, project left as it was" in unknown.stderr
    assert _git(project, "status", "--porcelain") == ""


def test_plain_copier_update(template_versions: Path, tmp_path: Path) -> None:
    """Without bafa: `copier copy` from the git repository, then `copier update`; neither needs
    --trust, as the template runs no code (docs/updating.md)."""
    env = {**_offline_env(template_versions, tmp_path / "cache")}
    copier = [sys.executable, "-m", "copier"]
    project = tmp_path / "plain"
    subprocess.run(
        [*copier, "copy", "--defaults", "--vcs-ref", "v0.1.0", str(template_versions), str(project)],
        env=env, capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    secret = read_env(project / "backend/.env")["BETTER_AUTH_SECRET"]
    _git(project, "init", "--quiet")
    _git(project, "add", "-A")
    _git(project, "commit", "--quiet", "-m", "init")
    result = subprocess.run(
        [*copier, "update", "--defaults", "--skip-answered"],
        cwd=project, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '"service": "tasks"' in (project / "backend/app/api/routes/health.py").read_text()
    assert read_env(project / "backend/.env")["BETTER_AUTH_SECRET"] == secret, ".env files are never re-rendered"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v0.2.0"


def test_checkout_without_git_history_cannot_update(tmp_path: Path) -> None:
    exported = tmp_path / "exported"
    shutil.copytree(REPO / "template", exported / "template")
    shutil.copy(REPO / "copier.yml", exported / "copier.yml")
    env = {**os.environ, "BAFA_TEMPLATE": str(exported)}
    result = _bafa(env, "new", str(tmp_path / "p"), "--defaults")
    assert result.returncode == 2 and "is not a git repository or bundle" in result.stderr


def test_changelog_names_the_current_version() -> None:
    from generator import __version__

    assert f"## {__version__}" in (REPO / "CHANGELOG.md").read_text()


def test_a_project_made_from_an_unreleased_template_updates_to_the_installed_one(
    template_versions: Path, tmp_path: Path
) -> None:
    """`bafa new` renders the template as installed (HEAD), which may be past the newest tag:
    `bafa update` must neither "downgrade" such a project to that tag nor fail on it."""
    template = tmp_path / "bafa"
    _git(tmp_path, "clone", "--quiet", str(template_versions), str(template))  # v0.1.0, v0.2.0 and their tags
    health = template / HEALTH
    health.write_text(health.read_text().replace('"service": "tasks"', '"service": "tasks", "stage": "one"'))
    _git(template, "commit", "--quiet", "-am", "unreleased one")
    env = _offline_env(template, tmp_path / "cache")
    project = tmp_path / "proj"
    made = _bafa(env, "new", str(project), "--defaults")
    assert made.returncode == 0, made.stderr
    made_at = yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"]
    assert made_at.startswith("v0.2.0-1-g"), made_at

    same = _bafa(env, "update", str(project))
    assert same.returncode == 0, same.stdout + same.stderr
    assert f"from template {made_at} to {made_at}" in same.stdout and "already up to date" in same.stdout

    health.write_text(health.read_text().replace('"stage": "one"', '"stage": "two"'))
    _git(template, "commit", "--quiet", "-am", "unreleased two")
    newer = _bafa(env, "update", str(project))
    assert newer.returncode == 0, newer.stdout + newer.stderr
    assert re.search(rf"from template {made_at} to v0\.2\.0-2-g[0-9a-f]+\n", newer.stdout), newer.stdout
    assert '"stage": "two"' in (project / "backend/app/api/routes/health.py").read_text()
