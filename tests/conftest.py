"""Shared helpers for the generator's tests: run the real CLI, render real projects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.env_files import read_env  # noqa: F401 - the one .env reader, for every test

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


IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
REDIS_TEST_URL = os.environ.get("BAFA_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_test_url() -> str | None:
    """The Redis for the generated suites' cross-instance rate-limit tests, if one answers.

    CI must have one (the machines run Redis on 127.0.0.1:6379): there its absence fails."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_TEST_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return REDIS_TEST_URL
    except OSError:
        pass
    if IN_CI:
        pytest.fail(f"no Redis at {REDIS_TEST_URL} (CI must provide it)")
    return None


def clean_env() -> dict[str, str]:
    """The environment for a generated project's processes, without our own settings leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BETTER_AUTH", "CORS_", "DATABASE_URL"))}
    env.pop("PYTEST_ADDOPTS", None)
    return env
