""".env files: one reader for `bafa update`, `bafa doctor`, `bafa token` and the tests, read the way the
generated backend reads them (pydantic-settings uses python-dotenv); keys a newer template adds.

In-process and fast: real files in tmp_path, no CLI subprocess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import env_files, project_files
from generator.env_files import append_new_keys, read_env

# (line as written in .env, the value the app sees or None when the key is not set)
LINES = [
    ("PLAIN=value", "value"),
    ("SPACED = padded  ", "padded"),
    ('DOUBLE="a b # not a comment"', "a b # not a comment"),
    ("SINGLE='it s'", "it s"),
    ("TRAILING_QUOTE=abc'", "abc'"),  # one quote is part of the value, not quoting
    ("INLINE=value # a comment", "value"),
    ("HASH=a#b", "a#b"),
    ("export EXPORTED=yes", "yes"),
    ("EMPTY=", ""),
    ('EMPTY_QUOTED=""', ""),
    ("BARE", None),  # no '=': not set
    ("NO_EXPANSION=${HOME}/x", "${HOME}/x"),
    ('JSON=["http://a.test","http://b.test"]', '["http://a.test","http://b.test"]'),
    ('CMD=generate-with-python3 -c "import secrets"', 'generate-with-python3 -c "import secrets"'),
]


def _write(tmp_path: Path, text: str, newline: str = "\n") -> Path:
    path = tmp_path / ".env"
    path.write_bytes(text.replace("\n", newline).encode())
    return path


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_values_as_the_app_reads_them(tmp_path: Path, newline: str) -> None:
    text = "# a comment line\n\n" + "\n".join(line for line, _ in LINES) + "\n"
    values = read_env(_write(tmp_path, text, newline))
    expected = {line.split("=")[0].removeprefix("export ").strip(): value for line, value in LINES}
    assert values == {key: value for key, value in expected.items() if value is not None}


def test_an_unterminated_quote_is_not_a_value_and_prints_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    values = read_env(_write(tmp_path, 'A=1\nC="q\n'))
    assert values["A"] == "1" and "C" not in values
    assert capfd.readouterr() == ("", ""), "bafa's output stays its own (python-dotenv logs a warning)"


def test_missing_file_reads_empty(tmp_path: Path) -> None:
    assert read_env(tmp_path / "absent.env") == {}


def test_update_and_doctor_read_the_same(tmp_path: Path) -> None:
    """They disagreed on B=abc' and C="q: `bafa update` and `bafa doctor` saw different secrets."""
    path = _write(tmp_path, "A=1\nB=abc'\nC=\"q\n")
    assert project_files.read_env is env_files.read_env
    assert read_env(path) == {"A": "1", "B": "abc'"}


# --- keys a newer template adds (bafa update) ---------------------------------------------------

BACKEND_ENV = "# mine\nBETTER_AUTH_SECRET=the-projects-own-secret-0123456789-abcdefghijkl\nDATABASE_URL=sqlite:///x.db"


def _project(tmp_path: Path, example: str, frontend_example: str | None = None) -> Path:
    (tmp_path / "backend").mkdir()
    (tmp_path / "backend/.env").write_text(BACKEND_ENV)  # no final newline
    (tmp_path / "backend/.env.example").write_text(example)
    if frontend_example is not None:
        (tmp_path / "frontend").mkdir()
        (tmp_path / "frontend/.env").write_text("BETTER_AUTH_URL=http://localhost:3000\r\n")
        (tmp_path / "frontend/.env.example").write_text(frontend_example)
    return tmp_path


def test_an_unmarked_secret_gets_no_invented_value(tmp_path: Path) -> None:
    """A template that adds GITHUB_CLIENT_SECRET must not hand every project a random 'credential'."""
    project = _project(tmp_path, "BETTER_AUTH_SECRET=x\n# From GitHub's OAuth app settings.\nGITHUB_CLIENT_SECRET=\n")
    new = append_new_keys(project)
    assert read_env(project / "backend/.env")["GITHUB_CLIENT_SECRET"] == ""
    assert new.added == {"backend/.env": ["GITHUB_CLIENT_SECRET"]}
    assert new.need_value == {"backend/.env": ["GITHUB_CLIENT_SECRET"]}


def test_a_marked_key_gets_one_generated_value_in_every_file(tmp_path: Path) -> None:
    marked = "# Signs the audit log.\n# generated: secret\nAUDIT_SIGNING_SECRET=replace-me\n"
    project = _project(tmp_path, f"LOG_LEVEL=info\n{marked}", frontend_example=marked)
    new = append_new_keys(project)
    backend, frontend = read_env(project / "backend/.env"), read_env(project / "frontend/.env")
    secret = backend["AUDIT_SIGNING_SECRET"]
    assert len(secret) >= 64 and secret != "replace-me" and frontend["AUDIT_SIGNING_SECRET"] == secret
    assert backend["LOG_LEVEL"] == "info", "a non-secret setting takes the example's value"
    assert new.added == {
        "backend/.env": ["LOG_LEVEL", "AUDIT_SIGNING_SECRET"],
        "frontend/.env": ["AUDIT_SIGNING_SECRET"],
    }
    assert new.need_value == {}


def test_a_marked_key_one_file_has_already_is_shared_not_redrawn(tmp_path: Path) -> None:
    """BETTER_AUTH_SECRET newly in frontend/.env must equal backend/.env's, or every token fails."""
    marked = "# generated: secret\nBETTER_AUTH_SECRET=generate-with-python3\n"
    project = _project(tmp_path, marked, frontend_example=marked)
    append_new_keys(project)
    assert (
        read_env(project / "frontend/.env")["BETTER_AUTH_SECRET"]
        == read_env(project / "backend/.env")["BETTER_AUTH_SECRET"]
    )


def test_existing_bytes_are_kept_and_only_lines_appended(tmp_path: Path) -> None:
    example = 'NEW_KEY=1\nPEM="line one\nline two"\n'
    project = _project(tmp_path, example, frontend_example="BETTER_AUTH_URL=x\nOTHER='quoted value'\n")
    frontend_before = (project / "frontend/.env").read_bytes()
    append_new_keys(project)
    backend = (project / "backend/.env").read_bytes()
    assert backend.startswith(BACKEND_ENV.encode() + b"\n"), "a missing final newline is added, nothing rewritten"
    assert b"\nNEW_KEY=1\n" in backend
    assert read_env(project / "backend/.env")["PEM"] == "line one\nline two", "a multi-line value survives"
    frontend = (project / "frontend/.env").read_bytes()
    assert frontend.startswith(frontend_before) and frontend.endswith(b"OTHER='quoted value'\r\n"), "CRLF kept"
    assert read_env(project / "frontend/.env")["OTHER"] == "quoted value"
    assert append_new_keys(project).added == {}, "a second run adds nothing"
