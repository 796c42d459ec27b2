"""Shared helpers for the generator's tests: run the real CLI, render real projects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_bafa(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the `bafa` CLI as a user would, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def read_env(path: Path) -> dict[str, str]:
    """Parse a KEY=VALUE .env file (no shell expansion)."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def generate(dest: Path, *data: str) -> Path:
    """Generate a project with --defaults and the given KEY=VALUE answers; fail loudly."""
    args = ["new", str(dest), "--defaults"]
    for pair in data:
        args += ["--data", pair]
    result = run_bafa(*args)
    assert result.returncode == 0, result.stderr
    return dest


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project generated with every default answer, shared by read-only tests."""
    return generate(tmp_path_factory.mktemp("default") / "my-app")


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file below PATH with its bytes: to prove a failed command changed nothing."""
    if not path.exists():
        return {}
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def clean_env() -> dict[str, str]:
    """The environment for a generated project's processes, without our own settings leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BETTER_AUTH", "CORS_", "DATABASE_URL"))}
    env.pop("PYTEST_ADDOPTS", None)
    return env
