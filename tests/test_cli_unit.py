"""The CLI in-process (Typer's CliRunner): one error mapping for every command, and each command's renderer.

Fast: no subprocess, no rendering. The end-to-end paths stay subprocess runs in the other files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator._cli import app
from generator.bootstrap import BootstrapResult, ServicePlan
from generator.new import NewResult
from generator.render import bootstrap_text, new_text, update_text
from generator.update import UpdateResult

runner = CliRunner()

# One bad input per command: each must end as `error: …` on stderr (one line), exit 2.
BAD = [
    (["new", "{tmp}/app", "--defaults", "--data", "bogus=1"], "unknown question bogus"),
    (["update", "{tmp}/nowhere"], "is not a folder"),
    (["doctor", "{tmp}/nowhere"], "does not exist"),
    (["bootstrap", "{tmp}/none.yml"], "does not exist"),
    (["token", "inspect", "not-a-token"], "not a JWT"),
    (["token", "mint", "--sub", "u1", "--project", "{tmp}"], "is not a Better Auth + FastAPI project"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a[:2]) for a, _ in BAD])
def test_every_bafa_error_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_usage_error_stays_clicks() -> None:
    result = runner.invoke(app, ["new"])
    assert result.exit_code == 2 and "Missing argument 'DEST'" in result.stderr


def test_new_text() -> None:
    out = new_text(NewResult(Path("/p/app"), {"project_name": "App", "frontend": True}, git=True))
    assert out.stdout.splitlines() == [
        "Created App in /p/app",
        "  BETTER_AUTH_SECRET generated into backend/.env and frontend/.env",
        "  git repository initialised with one commit (.env files are ignored)",
        "Next: cd /p/app and follow README.md",
    ]
    assert (out.stderr, out.exit_code) == ("", 0)
    backend_only = new_text(NewResult(Path("/p/api"), {"project_name": "Api", "frontend": False}, git=False))
    assert "into backend/.env\n" in backend_only.stdout and "git repository" not in backend_only.stdout


def test_update_text_lists_changes_keys_and_conflicts() -> None:
    result = UpdateResult(
        Path("/p"),
        "v0.1.0",
        "v0.2.0",
        changed=["a.py"],
        added=["b.py"],
        conflicts=["a.py"],
        env_keys_added={"backend/.env": ["LOG_LEVEL", "GITHUB_CLIENT_SECRET"]},
        env_keys_need_value={"backend/.env": ["GITHUB_CLIENT_SECRET"]},
    )
    out = update_text(result)
    assert out.stdout.splitlines() == [
        "Updated /p from template v0.1.0 to v0.2.0",
        "  changed  a.py",
        "  added    b.py",
        "  new keys in backend/.env: LOG_LEVEL, GITHUB_CLIENT_SECRET",
        "  needs a value in backend/.env: GITHUB_CLIENT_SECRET",
    ]
    assert out.stderr.splitlines() == ["1 file(s) with conflicts to resolve:", "  conflict a.py"]
    assert out.exit_code == 1


def test_update_text_pretend_and_up_to_date() -> None:
    pretend = update_text(UpdateResult(Path("/p"), "v1", "v2", changed=["x"], pretend=True, diff="--- a/x\n"))
    assert pretend.stdout.startswith("--- a/x\nWould update /p from template v1 to v2\n")
    same = update_text(UpdateResult(Path("/p"), "v2", "v2"))
    assert same.stdout.endswith("  already up to date\n") and same.exit_code == 0


def test_bootstrap_text_is_a_table() -> None:
    result = BootstrapResult(
        Path("/s"), created=[ServicePlan("billing", 8101, {})], skipped=[ServicePlan("search", 8103, {})]
    )
    assert bootstrap_text(result).stdout.splitlines() == [
        "service  port  status            path",
        "billing  8101  created           /s/billing",
        "search   8103  skipped (exists)  /s/search",
        "1 created, 1 skipped",
    ]
