"""Every bad input: one clear line on stderr, exit code 2, nothing written.

The answers and destinations are checked in this process (conftest.invoke_bafa: the same CLI,
through Typer's CliRunner); a bad answer, a missing terminal, an unknown option and --help/--version
also go through the real console command (run_bafa), for its exit code and stderr as a process."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import invoke_bafa, run_bafa, snapshot

BAD_DATA = [
    (["--data", "bogus=1"], "unknown question bogus"),
    (["--data", "no-equals-sign"], "--data expects KEY=VALUE"),
    (["--data", "project_slug=Bad_Slug"], 'project_slug "Bad_Slug" is invalid'),
    (["--data", "project_slug=1abc"], "project_slug"),
    (["--data", "project_name="], "project_name must be 1-60 characters"),
    (["--data", "project_name=" + "x" * 61], "project_name must be 1-60 characters"),
    (["--data", "api_style=sideways"], "api_style"),
    (["--data", "ownership_error=teapot"], "ownership_error"),
    (["--data", "auth_mode=magic"], "auth_mode"),
    (["--data", "auth_mode=jwks", "--data", "jwt_algorithm=HS256"], "jwt_algorithm"),
    (["--data", "frontend=false", "--data", "jwt_audience= "], "jwt_audience must not be empty"),
    (["--data", "database=oracle"], "database"),
    (["--data", "backend_port=abc"], "backend_port must be a whole number"),
    (["--data", "backend_port=80"], "backend_port must be between 1024 and 65535"),
    (["--data", "jwt_ttl_minutes=0"], "jwt_ttl_minutes must be between 1 and 1440"),
    (["--data", "session_ttl_days=1000"], "session_ttl_days must be between 1 and 365"),
    (["--data", "auth_url=localhost:3000"], "auth_url must be an http(s) URL"),
    (["--data", "auth_url=http://localhost:3000/"], "without a trailing slash"),
    (["--data", 'frontend_origins=["*"]'], 'frontend_origin "*" is invalid'),
    (["--data", 'frontend_origins=["http://ok.test", "http://a.test/path"]'], "is invalid"),
    (["--data", "frontend_origins=[]"], "frontend_origins must be a non-empty list"),
    (["--data", "frontend_origins=[unclosed"], "frontend_origins is not valid YAML"),
    (["--data", "frontend=maybe"], "frontend must be true or false"),
    (["--data", "better_auth_secret=short"], "better_auth_secret must be at least 32 characters"),
]


@pytest.mark.parametrize(("args", "message"), BAD_DATA, ids=[a[-1][:40] for a, _ in BAD_DATA])
def test_bad_answer_exits_2_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    dest = tmp_path / "app"
    result = invoke_bafa("new", str(dest), "--defaults", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [], "a failed run left files behind"


def test_a_bad_answer_through_the_console_command(tmp_path: Path) -> None:
    result = run_bafa("new", str(tmp_path / "app"), "--defaults", "--data", "api_style=sideways")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and "api_style" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_non_empty_destination_is_refused_and_kept(tmp_path: Path) -> None:
    dest = tmp_path / "app"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    before = snapshot(dest)
    result = invoke_bafa("new", str(dest), "--defaults")
    assert result.returncode == 2
    assert "is not empty" in result.stderr and "--force" in result.stderr
    assert snapshot(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app"]


def test_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "app"
    dest.write_text("a file")
    result = invoke_bafa("new", str(dest), "--defaults")
    assert result.returncode == 2
    assert "is not a folder" in result.stderr
    assert dest.read_text() == "a file"


def test_missing_parent_is_refused(tmp_path: Path) -> None:
    result = invoke_bafa("new", str(tmp_path / "no" / "such" / "app"), "--defaults")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_destination_is_refused(tmp_path: Path) -> None:
    # /proc refuses new entries even to root, unlike a chmod'ed folder.
    target = Path("/proc/bafa-test-app") if Path("/proc/self").exists() else None
    if target is None:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user that ignores folder permissions and no /proc")
        target = locked / "app"
    result = invoke_bafa("new", str(target), "--defaults")
    assert result.returncode == 2
    assert "cannot write to" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_file_errors(tmp_path: Path) -> None:
    missing = invoke_bafa("new", str(tmp_path / "a"), "--defaults", "--data-file", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr

    bad_yaml = tmp_path / "bad.yml"
    bad_yaml.write_text("api_style: [unclosed\n")
    result = invoke_bafa("new", str(tmp_path / "b"), "--defaults", "--data-file", str(bad_yaml))
    assert result.returncode == 2 and "not valid YAML" in result.stderr

    not_mapping = tmp_path / "list.yml"
    not_mapping.write_text("- a\n- b\n")
    result = invoke_bafa("new", str(tmp_path / "c"), "--defaults", "--data-file", str(not_mapping))
    assert result.returncode == 2 and "must hold a YAML mapping" in result.stderr

    unknown = tmp_path / "unknown.yml"
    unknown.write_text("colour: blue\n")
    result = invoke_bafa("new", str(tmp_path / "d"), "--defaults", "--data-file", str(unknown))
    assert result.returncode == 2 and "unknown question colour" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yml", "list.yml", "unknown.yml"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("project_name: [1, 2]\n", "error: project_name must be text, got list [1, 2]"),
        ("backend_port: [8000]\n", "error: backend_port must be a whole number, got list [8000]"),
        ("frontend: {a: 1}\n", "error: frontend must be true or false, got dict {'a': 1}"),
    ],
)
def test_data_file_value_of_the_wrong_type_names_the_question(tmp_path: Path, yaml_text: str, message: str) -> None:
    data = tmp_path / "answers.yml"
    data.write_text(yaml_text)
    result = invoke_bafa("new", str(tmp_path / "app"), "--defaults", "--data-file", str(data))
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert not (tmp_path / "app").exists()


def test_prompts_need_a_terminal(tmp_path: Path) -> None:
    result = run_bafa("new", str(tmp_path / "app"))
    assert result.returncode == 2
    assert "--defaults" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    result = run_bafa("new", str(tmp_path / "app"), "--frobnicate")
    assert result.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_version_and_help() -> None:
    version = run_bafa("--version")
    # A release, or a checkout N commits after it as Copier spells it; which release it names is
    # test_version.py's (this checkout may have no tags: then Copier counts from 0.0.0).
    pattern = r"bafa \d+\.\d+\.\d+(\.post\d+\.dev0\+[0-9a-f]+)?"
    assert version.returncode == 0 and re.fullmatch(pattern, version.stdout.strip()), version.stdout
    help_text = run_bafa("new", "--help")
    assert help_text.returncode == 0
    for option in ("--defaults", "--data", "--data-file", "--force", "--no-git"):
        assert option in help_text.stdout
    top = run_bafa("--help")
    assert top.returncode == 0 and "--install-completion" in top.stdout
    # Plain Click help: the argument by its name, no type column next to flags (issue 16).
    assert help_text.stdout.startswith("Usage: bafa new [OPTIONS] {DEST}")
    for command in (("new",), ("update",), ("doctor",), ("bootstrap",), ("token", "inspect"), ("token", "mint")):
        text = invoke_bafa(*command, "--help").stdout
        assert "<bool>" not in text and "{dest}" not in text and "{path}" not in text, (command, text)
