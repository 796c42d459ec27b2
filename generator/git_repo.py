"""The generated project's own git repository (copier update needs one)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from generator.errors import BafaError

_FALLBACK_IDENTITY = ["-c", "user.name=bafa", "-c", "user.email=bafa@localhost"]


def init_with_commit(path: Path, message: str) -> None:
    """`git init` PATH and commit everything that is not ignored, as one commit."""
    if shutil.which("git") is None:
        raise BafaError("git is not installed; install it or pass --no-git")
    _git(path, "init", "--quiet", "--initial-branch=main")
    _git(path, "add", "--all")
    identity = [] if _has_identity(path) else _FALLBACK_IDENTITY
    _git(path, *identity, "commit", "--quiet", "--no-verify", "-m", message)


def _has_identity(path: Path) -> bool:
    def configured(key: str) -> bool:
        probe = subprocess.run(["git", "config", key], cwd=path, capture_output=True, text=True)
        return probe.returncode == 0 and bool(probe.stdout.strip())

    return configured("user.name") and configured("user.email")


def _git(path: Path, *args: str) -> None:
    result = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BafaError(f"git {args[0]} failed: {detail[-1] if detail else 'no output'}")
