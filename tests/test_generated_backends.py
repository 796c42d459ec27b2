"""Render every supported answer combination and run each generated backend's own tests."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import clean_env, generate, redis_test_url

AUTH_MODES = ["shared_secret", "jwks"]
API_STYLES = ["flat", "user_path"]
OWNERSHIP_ERRORS = ["forbidden", "not_found"]
COMBINATIONS = list(itertools.product(AUTH_MODES, API_STYLES, OWNERSHIP_ERRORS))


def run_generated_tests(backend: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The generated project's own suite, with Redis for its cross-instance tests when there is one."""
    redis = redis_test_url()
    env = clean_env() | ({"TEST_REDIS_URL": redis} if redis else {}) | (extra_env or {})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
        ],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("auth_mode", "api_style", "ownership_error"),
    COMBINATIONS,
    ids=["-".join(c) for c in COMBINATIONS],
)
def test_generated_backend_suite_passes(tmp_path: Path, auth_mode: str, api_style: str, ownership_error: str) -> None:
    project = generate(
        tmp_path / "app",
        f"auth_mode={auth_mode}",
        f"api_style={api_style}",
        f"ownership_error={ownership_error}",
        "database=sqlite",
    )
    result = run_generated_tests(project / "backend")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    if redis_test_url():
        assert "TEST_REDIS_URL" not in result.stdout, "the Redis rate-limit test was skipped"
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project / "backend",
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout
    assert (project / "backend/tests/test_user_path.py").exists() == (api_style == "user_path")
