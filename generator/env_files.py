"""Reading the project's .env files, and adding keys a newer template introduced."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

ENV_FILES = ("backend/.env", "frontend/.env")
_SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|PRIVATE_KEY|API_KEY)$")


def read_env(path: Path) -> dict[str, str]:
    """KEY=VALUE pairs of a .env file (comments and blank lines skipped; no expansion)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip().removeprefix("export ").strip()] = value.strip().strip("\"'")
    return values


def make_private(project: Path) -> None:
    """The .env files hold the shared secret: readable and writable by their owner only."""
    for relative in ENV_FILES:
        path = project / relative
        if path.is_file():
            path.chmod(0o600)


def existing_secret(project: Path) -> str | None:
    """The project's BETTER_AUTH_SECRET, from the first .env file that has one."""
    for relative in ENV_FILES:
        value = read_env(project / relative).get("BETTER_AUTH_SECRET")
        if value:
            return value
    return None


def append_new_keys(project: Path) -> dict[str, list[str]]:
    """Add to each .env the keys its .env.example has and it lacks.

    Secret-looking keys get a fresh random value (the same value in every .env file that
    gains that key); others take the example's value. Existing lines are never touched.
    Returns {relative .env path: [added keys]}.
    """
    generated: dict[str, str] = {}
    added: dict[str, list[str]] = {}
    for relative in ENV_FILES:
        env_path = project / relative
        example_path = env_path.with_name(".env.example")
        if not env_path.is_file() or not example_path.is_file():
            continue
        current = read_env(env_path)
        missing = [(k, v) for k, v in read_env(example_path).items() if k not in current]
        if not missing:
            continue
        lines = []
        for key, example_value in missing:
            if _SECRET_NAME.search(key):
                value = generated.setdefault(key, secrets.token_urlsafe(48))
            else:
                value = example_value
            lines.append(f"{key}={value}\n")
        text = env_path.read_text()
        prefix = "" if text.endswith("\n") or not text else "\n"
        env_path.write_text(f"{text}{prefix}# Added by bafa update (new in the template)\n{''.join(lines)}")
        added[relative] = [key for key, _ in missing]
    return added
