"""The project's .env files: read them as the generated apps do, add keys a newer template introduced.

Reading is python-dotenv's `dotenv_values`, the parser pydantic-settings (the generated backend)
uses: quotes, `export`, inline comments, empty values and CRLF mean here what they mean to the
app. Writing only ever appends lines: a user's file keeps every byte it had.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from generator.secret import SECRET_ENV

ENV_FILES = ("backend/.env", "frontend/.env")
# In a .env.example, the comment line right above a key whose value bafa draws itself.
GENERATED_MARKER = "# generated: secret"
_KEY_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=")


def read_env(path: Path) -> dict[str, str]:
    """KEY=VALUE pairs of a .env file ({} when it is absent), without ${VAR} expansion.

    A bare `KEY` (no `=`) is not set, as for the app; a line python-dotenv cannot parse (an
    unterminated quote) is skipped silently, as the app skips it.
    """
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8", errors="replace")
    from dotenv import dotenv_values

    parser_log = logging.getLogger("dotenv.main")
    was_disabled, parser_log.disabled = parser_log.disabled, True  # its warnings would mix into bafa's output
    try:
        values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    finally:
        parser_log.disabled = was_disabled
    return {key: value for key, value in values.items() if value is not None}


def make_private(project: Path) -> None:
    """The .env files hold the shared secret: readable and writable by their owner only."""
    for relative in ENV_FILES:
        path = project / relative
        if path.is_file():
            path.chmod(0o600)


def existing_secret(project: Path) -> str | None:
    """The project's BETTER_AUTH_SECRET, from the first .env file that has one."""
    return _existing_value(project, SECRET_ENV)


def _existing_value(project: Path, key: str) -> str | None:
    for relative in ENV_FILES:
        value = read_env(project / relative).get(key)
        if value:
            return value
    return None


@dataclass
class NewKeys:
    """What `append_new_keys` wrote: {relative .env path: [keys]}."""

    added: dict[str, list[str]] = field(default_factory=dict)
    need_value: dict[str, list[str]] = field(default_factory=dict)  # added empty: the user must set them


def append_new_keys(project: Path) -> NewKeys:
    """Append to each .env the keys its .env.example has and it lacks.

    A key the example marks `# generated: secret` (on the line above it) gets the value another
    .env file of the project already has for it, else a fresh random one, the same in every file.
    Any other key gets the example's line as written: a default (`LOG_LEVEL=info`), or an empty
    value, reported in `need_value` (a credential only the user can supply). Nothing is
    ever invented for a key the template did not mark, whatever its name.
    """
    drawn: dict[str, str] = {}
    new = NewKeys()
    for relative in ENV_FILES:
        env_path = project / relative
        example_path = env_path.with_name(".env.example")
        if not env_path.is_file() or not example_path.is_file():
            continue
        current = read_env(env_path)
        example = read_env(example_path)
        lines, keys, empty = [], [], []
        for key, line, generated in _example_lines(example_path):
            if key in current or key in keys or key not in example:
                continue
            if generated:
                if key not in drawn:
                    drawn[key] = _existing_value(project, key) or secrets.token_urlsafe(48)
                line = f"{key}={drawn[key]}"
            elif example[key] == "":
                empty.append(key)
            elif "\n" in example[key]:  # a quoted multi-line value: one line, escaped
                line = f"{key}={json.dumps(example[key], ensure_ascii=False)}"
            lines.append(line)
            keys.append(key)
        if keys:
            _append(env_path, ["# Added by bafa update (new in the template)", *lines])
            new.added[relative] = keys
        if empty:
            new.need_value[relative] = empty
    return new


def keys_needing_value(project: Path) -> dict[str, list[str]]:
    """{relative .env path: keys} that a .env has empty and its .env.example leaves empty, unmarked:
    credentials only the user can supply (an OAuth client secret), never drawn by bafa."""
    found: dict[str, list[str]] = {}
    for relative in ENV_FILES:
        env_path = project / relative
        example_path = env_path.with_name(".env.example")
        if not example_path.is_file():
            continue
        current, example = read_env(env_path), read_env(example_path)
        keys = [
            key
            for key, _, generated in _example_lines(example_path)
            if not generated and example.get(key) == "" and current.get(key) == ""
        ]
        if keys:
            found[relative] = list(dict.fromkeys(keys))
    return found


def _example_lines(path: Path) -> list[tuple[str, str, bool]]:
    """(key, its line as written, marked as generated) for each KEY= line of a .env.example."""
    found = []
    previous = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _KEY_LINE.match(line)
        if match:
            found.append((match.group(1), line.strip(), previous.strip() == GENERATED_MARKER))
        previous = line
    return found


def _append(path: Path, lines: list[str]) -> None:
    """Add LINES at the end of PATH in its own newline style; the bytes before are kept."""
    data = path.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    prefix = newline if data and not data.endswith(b"\n") else b""
    with path.open("ab") as out:
        out.write(prefix + b"".join(line.encode() + newline for line in lines))
