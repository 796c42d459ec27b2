"""`bafa update`: move a generated project to a newer template version, in place.

Copier renders the project's recorded version and the target version and merges the
difference into the project (3-way). bafa adds: precondition checks with clear errors,
offline access to the template history, secrets that never change, new .env keys, a
summary, and a roll-back to the last commit if anything fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.env_files import ENV_FILES, append_new_keys, existing_secret
from generator.errors import BafaError
from generator.secret import SECRET_QUESTION
from generator.template_source import CANONICAL_URL, git_redirect_env, template_source

ANSWERS_FILE = ".copier-answers.yml"
_CONFLICT_MARKER = re.compile(r"^<{7} ", re.M)


@dataclass
class UpdateResult:
    """What `bafa update` did (or, with pretend, would do)."""

    path: Path
    from_version: str
    to_version: str
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    env_keys_added: dict[str, list[str]] = field(default_factory=dict)
    pretend: bool = False
    diff: str = ""

    @property
    def exit_code(self) -> int:
        return 1 if self.conflicts else 0


def update_project(
    path: Path, *, to: str | None = None, pretend: bool = False, conflict: str = "inline", trust: bool = False
) -> UpdateResult:
    """Update the project at PATH to template version `to` (default: the newest).

    Only bafa's own template (CANONICAL_URL) is trusted: a project whose answers file names
    another source is refused unless `trust` (its tasks and migrations would run). With
    `pretend` no template code ever runs.
    """
    project = path.expanduser().resolve()
    answers = _check_project(project)
    source_url = str(answers.get("_src_path") or "")
    if source_url != CANONICAL_URL and not trust:
        raise BafaError(
            f"{ANSWERS_FILE} names the template source {source_url!r}, not bafa's own ({CANONICAL_URL}); "
            "updating from it runs that template's code: pass --trust only if you trust it"
        )
    current = str(answers["_commit"])
    if to is not None:
        _check_not_older(current, to)
    source = template_source()
    if not source.is_git:
        raise BafaError("this bafa installation carries no template history; reinstall bafa from a wheel or a checkout")
    if current == (to or _newest_tag(source.path)):  # nothing to render: say so at once
        return UpdateResult(path=project, from_version=current, to_version=current, pretend=pretend)
    _redirect_git_to(source.path)

    if not pretend:
        return _update_in(project, project, current, to, conflict, run_code=True)
    with tempfile.TemporaryDirectory(prefix="bafa-pretend-") as tmp:
        work = Path(tmp) / project.name
        _git(project, "clone", "--quiet", "--no-hardlinks", str(project), str(work))
        for relative in ENV_FILES:
            if (project / relative).is_file():
                shutil.copy2(project / relative, work / relative)
        result = _update_in(work, project, current, to, conflict, run_code=False)
        result.diff = _git(work, "diff", "--no-color", "HEAD")
        result.pretend = True
        return result


def _check_project(project: Path) -> dict:
    if not project.is_dir():
        raise BafaError(f"{project} is not a folder")
    answers_path = project / ANSWERS_FILE
    if not answers_path.is_file():
        raise BafaError(f"{project} is not a bafa project (no {ANSWERS_FILE})")
    try:
        answers = yaml.safe_load(answers_path.read_text()) or {}
    except yaml.YAMLError:
        raise BafaError(f"{answers_path} is not valid YAML") from None
    if not answers.get("_commit"):
        raise BafaError(f"{ANSWERS_FILE} records no template version (_commit); the project cannot be updated")
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=project, capture_output=True, text=True)
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != project:
        raise BafaError(f"{project} is not the root of a git repository; bafa update needs the project's git history")
    dirty = _git(project, "status", "--porcelain").splitlines()
    if dirty:
        raise BafaError(f"{project} has {len(dirty)} uncommitted change(s); commit or stash them before updating")
    return answers


def version_of(ref: str) -> object | None:
    """A comparable version for a tag or `git describe` string (v1.2.0, 1.2.0-3-gabc1234)."""
    from packaging.version import InvalidVersion, Version

    match = re.fullmatch(r"v?(\d+(?:\.\d+)*)(?:-(\d+)-g[0-9a-f]+)?", ref.strip())
    if not match:
        return None
    try:
        return Version(match.group(1) + (f".post{match.group(2)}" if match.group(2) else ""))
    except InvalidVersion:
        return None


def _newest_tag(source: Path) -> str | None:
    """The newest version tag of the template source (a repository or a bundle), the one
    copier updates to by default; None when it has none."""
    listing = subprocess.run(
        ["git", "ls-remote", "--tags", "--refs", str(source)], capture_output=True, text=True, check=False
    )
    tags = [line.rsplit("refs/tags/", 1)[-1] for line in listing.stdout.splitlines() if "refs/tags/" in line]
    versions = [(version, tag) for tag in tags if (version := version_of(tag)) is not None]
    return max(versions)[1] if versions else None


def _check_not_older(current: str, target: str) -> None:
    old, new = version_of(current), version_of(target)
    if old is not None and new is not None and new < old:  # type: ignore[operator]
        raise BafaError(
            f"template version {target} is older than the project's {current}; bafa update never downgrades"
        )


def _redirect_git_to(source: Path) -> None:
    """Make git (and so copier) read the canonical template URL from `source`, offline.

    plumbum, which copier runs git through, copies the environment when it is imported,
    so its copy is updated too when it was imported already.
    """
    redirect = git_redirect_env(source)
    os.environ.update(redirect)
    import sys

    if "plumbum" in sys.modules:
        from plumbum import local

        local.env.update(redirect)


def _update_in(
    work: Path, project: Path, current: str, to: str | None, conflict: str, *, run_code: bool
) -> UpdateResult:
    """copier update in `work`; a template's tasks and migrations run only with `run_code`."""
    import copier
    from copier.errors import CopierError, UnsafeTemplateError

    secret = existing_secret(work)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copier.run_update(
                str(work),
                vcs_ref=to,
                defaults=True,
                overwrite=True,
                skip_answered=True,
                unsafe=run_code,
                quiet=True,
                conflict=conflict,  # type: ignore[arg-type]
                user_defaults={SECRET_QUESTION: secret} if secret else None,
            )
    except UnsafeTemplateError as exc:
        _roll_back(work)
        raise BafaError(
            f"--pretend never runs a template's code, and this one would ({_one_line(exc)}); "
            "review the template, then update without --pretend"
        ) from None
    except (CopierError, ValueError, subprocess.CalledProcessError, OSError) as exc:
        _roll_back(work)
        raise BafaError(f"update failed, project left as it was: {_one_line(exc)}") from None
    except BaseException:
        _roll_back(work)
        raise
    env_keys = append_new_keys(work)
    new_answers = yaml.safe_load((work / ANSWERS_FILE).read_text()) or {}
    result = UpdateResult(path=project, from_version=current, to_version=str(new_answers.get("_commit", "?")))
    _classify(work, result, conflict)
    result.env_keys_added = env_keys
    return result


def _classify(work: Path, result: UpdateResult, conflict: str) -> None:
    # -uall lists new files one by one; paths are relative to the project root.
    for line in _git(work, "status", "--porcelain", "-uall").splitlines():
        code, name = line[:2], line[3:].strip('"')
        if "D" in code:
            result.removed.append(name)
        elif code == "??" or "A" in code:
            result.added.append(name)
        else:
            result.changed.append(name)
    if conflict == "rej":
        result.conflicts = sorted(n for n in result.added if n.endswith(".rej"))
        result.added = [n for n in result.added if not n.endswith(".rej")]
    else:
        for name in result.changed + result.added:
            file = work / name
            if file.is_file() and _CONFLICT_MARKER.search(file.read_text(errors="replace")):
                result.conflicts.append(name)


def _roll_back(work: Path) -> None:
    """Back to the last commit (the tree was clean before): ignored files like .env stay."""
    subprocess.run(["git", "reset", "--quiet", "--hard", "HEAD"], cwd=work, capture_output=True)
    subprocess.run(["git", "clean", "--quiet", "-fd"], cwd=work, capture_output=True)


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BafaError(f"git {args[0]} failed: {lines[-1] if lines else 'no output'}")
    return result.stdout


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__
