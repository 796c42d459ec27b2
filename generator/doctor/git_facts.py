"""What git knows about the project's .env files: ignored, tracked, ever committed."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from generator.errors import BafaError
from generator.git_repo import git
from generator.project_files import Project

_SAFE_SUFFIXES = {"example", "sample", "template", "dist", "defaults"}


@dataclass(frozen=True)
class GitFacts:
    """`available` is False when git is missing or PATH is not inside a repository (`reason`)."""

    available: bool
    reason: str = ""
    not_ignored: list[str] = field(default_factory=list)
    tracked: list[str] = field(default_factory=list)
    committed: list[tuple[str, str]] = field(default_factory=list)  # (path, short commit)


def is_env_file(path: str) -> bool:
    """True for .env, .env.local, prod.env …; False for .env.example and friends."""
    name = PurePosixPath(path).name
    if name == ".env" or (name.endswith(".env") and len(name) > 4):
        return True
    if name.startswith(".env."):
        return name.rsplit(".", 1)[-1] not in _SAFE_SUFFIXES
    return False


def env_paths(project: Project) -> list[str]:
    """The .env files the project uses (whether or not they exist yet), relative to its root."""
    paths = [env.relative for env in (project.backend_env, project.frontend_env) if env.relative]
    return paths or [".env"]


def gather(project: Project) -> GitFacts:
    if shutil.which("git") is None:
        return GitFacts(False, "git is not installed")
    inside = _git(project, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.strip() != "true":
        return GitFacts(False, "not a git repository")
    paths = env_paths(project)
    ignored = set((_git(project, "check-ignore", "--no-index", *paths) or "").split())
    tracked_out = _git(project, "ls-files", "--", *paths) or ""
    return GitFacts(
        True,
        not_ignored=[p for p in paths if p not in ignored],
        tracked=tracked_out.split(),
        committed=_committed(project),
    )


def _committed(project: Project) -> list[tuple[str, str]]:
    """Every .env-like path ever added in any commit reachable from any ref (stash included)."""
    out = _git(project, "log", "--all", "--diff-filter=A", "--name-only", "--relative", "--format=@%h", "--", ".")
    found: list[tuple[str, str]] = []
    commit = ""
    for line in (out or "").splitlines():
        if line.startswith("@"):
            commit = line[1:]
        elif line and is_env_file(line) and all(line != p for p, _ in found):
            found.append((line, commit))
    return found


def _git(project: Project, *args: str) -> str | None:
    """stdout, or None when git failed (check-ignore's 'nothing ignored' exit 1 gives '')."""
    try:
        return git(project.root, *args, ok=(0, 1) if args[0] == "check-ignore" else (0,))
    except BafaError:
        return None
