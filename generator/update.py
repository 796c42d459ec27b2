"""`bafa update`: move a generated project to a newer template version, in place.

Copier renders the project's recorded version and the target version and merges the
difference into the project (3-way). bafa adds: precondition checks with clear errors,
offline access to the template history, secrets that never change, new .env keys, a
summary, and a roll-back to the last commit if anything fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from generator.env_files import ENV_FILES, append_new_keys, existing_secret
from generator.errors import BafaError, first_line, one_line
from generator.git_repo import git, require_clean_root
from generator.project_files import ANSWERS_FILE, read_answers
from generator.secret import SECRET_QUESTION
from generator.template_source import CANONICAL_URL, git_redirect_env, template_source

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
    env_keys_need_value: dict[str, list[str]] = field(default_factory=dict)  # added empty
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
    another source is refused unless `trust`. No template code (Copier tasks, migrations,
    Jinja extensions) runs without `trust` either: bafa's template has none, so a version that
    adds some is refused, not run. With `pretend` no template code ever runs.
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
    if to is None and source_url == CANONICAL_URL:  # another (trusted) source: its newest tag
        to = _default_target(source.path, current)
    if current == to or (to == "HEAD" and _same_commit(current, _head_commit(source.path))):
        # nothing to render: say so at once
        return UpdateResult(path=project, from_version=current, to_version=current, pretend=pretend)
    _redirect_git_to(source.path)

    if not pretend:
        return _update_in(project, project, current, to, conflict, trust=trust, pretend=False)
    with tempfile.TemporaryDirectory(prefix="bafa-pretend-") as tmp:
        work = Path(tmp) / project.name
        git(project, "clone", "--quiet", "--no-hardlinks", str(project), str(work))
        for relative in ENV_FILES:
            if (project / relative).is_file():
                shutil.copy2(project / relative, work / relative)
        result = _update_in(work, project, current, to, conflict, trust=trust, pretend=True)
        result.diff = git(work, "diff", "--no-color", "HEAD")
        result.pretend = True
        return result


def _check_project(project: Path) -> dict:
    if not project.is_dir():
        raise BafaError(f"{project} is not a folder")
    if not (project / ANSWERS_FILE).is_file():
        raise BafaError(f"{project} is not a bafa project (no {ANSWERS_FILE})")
    answers, _ = read_answers(project)
    if not answers.get("_commit"):
        raise BafaError(f"{ANSWERS_FILE} records no template version (_commit); the project cannot be updated")
    require_clean_root(project, "bafa update needs the project's git history", "before updating")
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
    try:
        listing = git(source.parent, "ls-remote", "--tags", "--refs", str(source))
    except BafaError:
        return None
    tags = [line.rsplit("refs/tags/", 1)[-1] for line in listing.splitlines() if "refs/tags/" in line]
    versions = [(version, tag) for tag in tags if (version := version_of(tag)) is not None]
    return max(versions)[1] if versions else None


def _default_target(source: Path, current: str) -> str:
    """The newest release tag; the template as installed (HEAD, what `bafa new` renders) when
    there is no release yet or the project was made from a template newer than the newest one."""
    newest = _newest_tag(source)
    if newest is None:
        return "HEAD"
    old, new = version_of(current), version_of(newest)
    if old is not None and new is not None and old > new:  # type: ignore[operator]
        return "HEAD"
    return newest


def _head_commit(source: Path) -> str:
    """The full hash of the template source's HEAD ('' when git cannot tell)."""
    listing = git(source.parent, "ls-remote", str(source), "HEAD", ok=range(256))
    return listing.split()[0] if listing.strip() else ""


def _same_commit(described: str, full_hash: str) -> bool:
    """Whether a `_commit` value (a tag, `v1.2.0-3-gabc1234` or a bare hash) names `full_hash`."""
    match = re.search(r"(?:^|-g)([0-9a-f]{7,40})$", described)
    return bool(full_hash and match and full_hash.startswith(match.group(1)))


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
    work: Path, project: Path, current: str, to: str | None, conflict: str, *, trust: bool, pretend: bool
) -> UpdateResult:
    """copier update in `work` (the project, or its clone for --pretend); a template's tasks,
    migrations and Jinja extensions run only with `trust` and never with `pretend`."""
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
                unsafe=trust and not pretend,
                quiet=True,
                conflict=conflict,  # type: ignore[arg-type]
                user_defaults={SECRET_QUESTION: secret} if secret else None,
            )
    except UnsafeTemplateError as exc:
        _roll_back(work)
        features = first_line(exc).rstrip(".")  # "Template uses potentially unsafe feature: tasks"
        if pretend:
            raise BafaError(
                f"--pretend never runs a template's code, and this one would ({features}); "
                "review the template, then update with --trust (without --pretend)"
            ) from None
        raise BafaError(
            f"update refused, project left as it was: the template would run code ({features}); "
            "bafa's template runs none: review it, then pass --trust only if you trust it"
        ) from None
    except (CopierError, ValueError, subprocess.CalledProcessError, OSError) as exc:
        _roll_back(work)
        raise BafaError(f"update failed, project left as it was: {one_line(exc)}") from None
    except BaseException:
        _roll_back(work)
        raise
    env_keys = append_new_keys(work)
    new_answers, _ = read_answers(work)
    result = UpdateResult(path=project, from_version=current, to_version=str(new_answers.get("_commit", "?")))
    _classify(work, result, conflict)
    result.env_keys_added, result.env_keys_need_value = env_keys.added, env_keys.need_value
    return result


def _classify(work: Path, result: UpdateResult, conflict: str) -> None:
    # -uall lists new files one by one; paths are relative to the project root.
    for line in git(work, "status", "--porcelain", "-uall").splitlines():
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
    """Back to the last commit (the tree was clean before): ignored files like .env stay. A tree
    still clean (Copier refused before writing) is left alone, its git metadata too."""
    with contextlib.suppress(BafaError):  # best effort: the error being reported matters more
        if git(work, "status", "--porcelain"):
            git(work, "reset", "--quiet", "--hard", "HEAD")
            git(work, "clean", "--quiet", "-fd")
