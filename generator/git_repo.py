"""git for bafa: one way to run it, and the generated project's first commit (copier update needs one)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Collection
from pathlib import Path

from generator.errors import BafaError

_FALLBACK_IDENTITY = ["-c", "user.name=bafa", "-c", "user.email=bafa@localhost"]


def git(cwd: Path, *args: str, ok: Collection[int] = (0,)) -> str:
    """Run `git ARGS` in CWD and return its stdout.

    An exit code outside `ok` raises BafaError naming the subcommand and git's last line, as
    does a missing git. Callers for whom a failure is an answer (doctor: "not a repository")
    catch it.
    """
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise BafaError("git is not installed") from None
    if result.returncode not in ok:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BafaError(f"git {args[0]} failed: {detail[-1] if detail else 'no output'}")
    return result.stdout


def init_with_commit(path: Path, message: str) -> None:
    """`git init` PATH and commit everything that is not ignored, as one commit."""
    if shutil.which("git") is None:
        raise BafaError("git is not installed; install it or pass --no-git")
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "add", "--all")
    identity = [] if _has_identity(path) else _FALLBACK_IDENTITY
    git(path, *identity, "commit", "--quiet", "--no-verify", "-m", message)


def _has_identity(path: Path) -> bool:
    return all(git(path, "config", key, ok=(0, 1)).strip() for key in ("user.name", "user.email"))


def require_clean_root(project: Path, why: str, when: str) -> None:
    """PROJECT is the root of a git work tree with nothing uncommitted, or BafaError.

    `why` ends "is not the root of a git repository; …", `when` ends "commit or stash them …".
    """
    try:
        top = Path(git(project, "rev-parse", "--show-toplevel").strip()).resolve()
    except BafaError:
        top = None
    if top != project:
        raise BafaError(f"{project} is not the root of a git repository; {why}")
    dirty = git(project, "status", "--porcelain").splitlines()
    if dirty:
        raise BafaError(f"{project} has {len(dirty)} uncommitted change(s); commit or stash them {when}")
