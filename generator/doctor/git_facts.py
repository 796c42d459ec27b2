"""What git knows about the project's .env files: ignored, tracked, ever committed."""

from __future__ import annotations

import re
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
    # (path, "tracked" or the short commit that added it, key): an OAuth client secret with a value
    client_secrets: list[tuple[str, str, str]] = field(default_factory=list)


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
        client_secrets=_client_secrets(project),
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


# KEY=value, export KEY=value, - KEY=value (compose) and, in YAML files, KEY: value, for any
# *_CLIENT_SECRET key; a value is anything but nothing, a ${reference}, a <placeholder> or a comment.
_CLIENT_SECRET_LINE = re.compile(
    r"""^\s*(?:export\s+|-\s*)?["']?([A-Za-z0-9_]*CLIENT_SECRET)["']?\s*([=:])\s*["']?([^\s"'#$<][^\s"']*)"""
)


def client_secret_key(line: str, path: str) -> str | None:
    """The key when LINE of the file at PATH gives a *_CLIENT_SECRET a value (never returns the value)."""
    match = _CLIENT_SECRET_LINE.match(line)
    if match is None or (match.group(2) == ":" and not path.endswith((".yml", ".yaml"))):
        return None
    return match.group(1)


def _client_secrets(project: Project) -> list[tuple[str, str, str]]:
    """OAuth client secrets with a value in a tracked file (the index), then in any commit's diff."""
    found: list[tuple[str, str, str]] = []
    for line in (
        _git(project, "grep", "--cached", "-I", "-n", "--full-name", "-e", "CLIENT_SECRET") or ""
    ).splitlines():
        path, _, rest = line.partition(":")
        key = client_secret_key(rest.partition(":")[2], path)
        if key and all(p != path for p, _, _ in found):
            found.append((path, "tracked", key))
    log = _git(
        project, "log", "--all", "-p", "--no-color", "--no-ext-diff", "--unified=0", "-G", "CLIENT_SECRET",
        "--format=@%h", "--", ".",
    )  # fmt: skip
    commit, path = "", ""
    for line in (log or "").splitlines():
        if line.startswith("@"):
            commit = line[1:]
        elif line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else line[4:]
        elif line.startswith("+") and not line.startswith("+++"):
            key = client_secret_key(line[1:], path)
            if key and all(p != path for p, _, _ in found):
                found.append((path, commit, key))
    return found


def _git(project: Project, *args: str) -> str | None:
    """stdout, or None when git failed (check-ignore's 'nothing ignored' exit 1 gives '')."""
    try:
        return git(project.root, *args, ok=(0, 1) if args[0] in ("check-ignore", "grep") else (0,))
    except BafaError:
        return None
