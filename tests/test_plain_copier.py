"""The template works without the CLI: plain `copier copy` yields a strong, shared secret.

`--vcs-ref HEAD`: this checkout's template (plain copier renders the newest release tag).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO, read_env


def test_plain_copier_copy(tmp_path: Path) -> None:
    dest = tmp_path / "plain"
    result = subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref", "HEAD", str(REPO), str(dest)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    backend = read_env(dest / "backend/.env")["BETTER_AUTH_SECRET"]
    frontend = read_env(dest / "frontend/.env")["BETTER_AUTH_SECRET"]
    assert backend == frontend
    assert len(backend) >= 48 and len(set(backend)) >= 12
    answers_text = (dest / ".copier-answers.yml").read_text()
    assert backend not in answers_text
    assert "better_auth_secret" not in yaml.safe_load(answers_text)

    second = tmp_path / "second"
    subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref", "HEAD", str(REPO), str(second)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    assert read_env(second / "backend/.env")["BETTER_AUTH_SECRET"] != backend, "secret is random per copy"
