"""`bafa new` produces a complete project: shared secret, ignored .env files, a git commit."""

from __future__ import annotations

import json
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import generate, read_env, run_bafa, snapshot


def _git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def test_default_project_layout(default_project: Path) -> None:
    for relative in (
        "README.md",
        ".gitignore",
        ".copier-answers.yml",
        "backend/pyproject.toml",
        "backend/app/main.py",
        "backend/app/core/security.py",
        "backend/app/api/ownership.py",
        "backend/app/core/cors.py",
        "backend/.env",
        "backend/.env.example",
        "frontend/.env",
        "frontend/.env.example",
    ):
        assert (default_project / relative).is_file(), relative


def test_same_strong_secret_in_both_env_files(default_project: Path) -> None:
    backend = read_env(default_project / "backend/.env")["BETTER_AUTH_SECRET"]
    frontend = read_env(default_project / "frontend/.env")["BETTER_AUTH_SECRET"]
    assert backend == frontend
    assert len(backend) >= 48
    assert re.fullmatch(r"[A-Za-z0-9_-]+", backend), "the CLI's secret is url-safe"
    assert len(set(backend)) > 20


def test_secret_is_never_written_to_answers_or_examples(default_project: Path) -> None:
    secret = read_env(default_project / "backend/.env")["BETTER_AUTH_SECRET"]
    answers = (default_project / ".copier-answers.yml").read_text()
    assert secret not in answers
    assert "better_auth_secret" not in yaml.safe_load(answers)
    for example in ("backend/.env.example", "frontend/.env.example"):
        assert secret not in (default_project / example).read_text()
    tracked = _git(default_project, "ls-files").split()
    for path in tracked:
        assert secret not in (default_project / path).read_text(errors="replace"), path


def test_each_project_gets_its_own_secret(tmp_path: Path, default_project: Path) -> None:
    other = generate(tmp_path / "other")
    assert (
        read_env(other / "backend/.env")["BETTER_AUTH_SECRET"]
        != read_env(default_project / "backend/.env")["BETTER_AUTH_SECRET"]
    )


def test_git_repository_with_one_commit_and_ignored_env(default_project: Path) -> None:
    assert _git(default_project, "rev-list", "--count", "HEAD").strip() == "1"
    tracked = _git(default_project, "ls-files").split()
    assert "backend/.env" not in tracked and "frontend/.env" not in tracked
    assert "backend/.env.example" in tracked and ".copier-answers.yml" in tracked
    assert _git(default_project, "status", "--porcelain").strip() == "", "tree is clean after generation"
    ignored = _git(default_project, "check-ignore", "backend/.env", "frontend/.env").split()
    assert ignored == ["backend/.env", "frontend/.env"]


def test_answers_are_recorded_for_updates(default_project: Path) -> None:
    answers = yaml.safe_load((default_project / ".copier-answers.yml").read_text())
    assert answers["api_style"] == "flat"
    assert answers["auth_mode"] == "shared_secret"
    assert answers["frontend_origins"] == ["http://localhost:3000"]
    assert "_commit" in answers and "_src_path" in answers


@pytest.mark.parametrize(
    ("auth_url", "origin"),
    [
        ("http://localhost:19230", "http://localhost:19230"),
        ("https://tasks.example.test/app", "https://tasks.example.test"),
    ],
)
def test_origins_follow_auth_url(tmp_path: Path, auth_url: str, origin: str) -> None:
    """Changing auth_url alone gives a project whose CORS list holds its own frontend (issue 16)."""
    project = generate(tmp_path / "app", f"auth_url={auth_url}")
    assert read_env(project / "backend/.env")["CORS_ORIGINS"] == origin
    assert read_env(project / "frontend/.env")["TRUSTED_ORIGINS"] == origin
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["frontend_origins"] == [origin]
    # npm run dev / npm start listen on auth_url's port without PORT (3000 behind an https proxy).
    package = json.loads((project / "frontend/package.json").read_text())
    port = auth_url.rsplit(":", 1)[1] if auth_url.count(":") == 2 else "3000"
    assert package["config"]["port"] == port
    assert package["scripts"]["dev"] == f"next dev --port {port}"
    assert port in (project / "README.md").read_text()


def test_answers_reach_the_settings(tmp_path: Path) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text(
        yaml.safe_dump(
            {
                "project_name": "Acme Tasks",
                "auth_url": "https://auth.acme.test",
                "frontend_origins": ["https://app.acme.test", "https://admin.acme.test"],
                "backend_port": 8123,
            }
        )
    )
    project = tmp_path / "acme"
    result = run_bafa(
        "new",
        str(project),
        "--defaults",
        "--data-file",
        str(data_file),
        "--data",
        "backend_port=8124",
    )
    assert result.returncode == 0, result.stderr
    env = read_env(project / "backend/.env")
    assert env["BETTER_AUTH_URL"] == "https://auth.acme.test"
    assert "https://app.acme.test" in env["CORS_ORIGINS"] and "https://admin.acme.test" in env["CORS_ORIGINS"]
    assert env["DATABASE_URL"] == "sqlite:///./app.db", "one KEY=VALUE per line"
    assert "8124" in (project / "README.md").read_text(), "--data wins over --data-file"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["project_slug"] == "acme-tasks"


def test_no_git_and_no_frontend(tmp_path: Path) -> None:
    project = generate(tmp_path / "api-only", "frontend=false")
    assert not (project / "frontend").exists()
    assert (project / "backend/.env").is_file()
    result = run_bafa("new", str(tmp_path / "plain"), "--defaults", "--no-git")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "plain/.git").exists()


def test_empty_destination_is_used(tmp_path: Path) -> None:
    dest = tmp_path / "empty"
    dest.mkdir()
    generate(dest)
    assert (dest / "backend/app/main.py").is_file()


def test_force_renders_into_non_empty_folder_and_keeps_other_files(tmp_path: Path) -> None:
    dest = tmp_path / "app"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = run_bafa("new", str(dest), "--defaults", "--force")
    assert result.returncode == 0, result.stderr
    assert (dest / "notes.txt").read_text() == "mine"
    assert (dest / "backend/app/main.py").is_file()


def test_failure_during_render_leaves_no_staging_folder(tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = run_bafa("new", str(tmp_path / "app"), "--defaults", "--data", "jwt_ttl_minutes=-5")
    assert result.returncode == 2
    assert snapshot(tmp_path) == before
    assert list(tmp_path.iterdir()) == []


def test_env_files_are_readable_by_their_owner_only(default_project: Path) -> None:
    """They hold the shared secret (attack review: they were created 0644)."""
    for relative in ("backend/.env", "frontend/.env"):
        assert stat.S_IMODE((default_project / relative).stat().st_mode) == 0o600, relative
