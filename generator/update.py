"""`bafa update`: move a generated project, and every resource added to it, to a newer template version, in place.

Copier renders the project's recorded version and the target version and merges the
difference into the project (3-way); then the same for each resource, from its own answers
file (.copier-answers.resource-NAME.yml). bafa adds: precondition checks with clear errors,
offline access to the template history, secrets that never change, new .env keys, a
summary, and a roll-back to the commit it started from if anything fails (all or nothing).
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

import yaml

from generator.add_resource import resource_answers_files
from generator.env_files import ENV_FILES, append_new_keys, existing_secret
from generator.errors import BafaError, first_line, one_line
from generator.git_repo import _FALLBACK_IDENTITY, git, require_clean_root
from generator.project_files import ANSWERS_FILE, read_answers
from generator.secret import SECRET_QUESTION
from generator.template_source import CANONICAL_URL, git_redirect_env, template_source

_CONFLICT_MARKER = re.compile(r"^<{7} ", re.M)


@dataclass
class UpdateResult:
    """What `bafa update` did (or, with pretend, would do): to the project, and to each added
    resource (`resources`, each named by `resource`)."""

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
    resource: str = ""
    resources: list[UpdateResult] = field(default_factory=list)

    @property
    def all_conflicts(self) -> list[str]:
        return self.conflicts + [name for part in self.resources for name in part.conflicts]

    @property
    def exit_code(self) -> int:
        return 1 if self.all_conflicts else 0


@dataclass(frozen=True)
class _Part:
    """One Copier project in the project's folder: the project itself, or one added resource."""

    answers_file: str
    current: str  # the template version it was rendered from (_commit)
    source_url: str
    resource: str = ""  # the resource's name; "" for the project

    @property
    def where(self) -> str:
        """For messages: " (resource NAME)", or nothing for the project."""
        return f" (resource {self.resource})" if self.resource else ""


def update_project(
    path: Path, *, to: str | None = None, pretend: bool = False, conflict: str = "inline", trust: bool = False
) -> UpdateResult:
    """Update the project at PATH, then each resource added to it, to template version `to`
    (default: the newest), all or nothing.

    Only bafa's own template (CANONICAL_URL) is trusted: a project whose answers file names
    another source is refused unless `trust`. No template code (Copier tasks, migrations,
    Jinja extensions) runs without `trust` either: bafa's template has none, so a version that
    adds some is refused, not run. With `pretend` no template code ever runs.
    """
    project = path.expanduser().resolve()
    parts = _check_project(project)
    for part in parts:
        _check_source(part, trust)
        if to is not None:
            _check_not_older(part, to)
    source = template_source()
    if not source.is_git:
        raise BafaError("this bafa installation carries no template history; reinstall bafa from a wheel or a checkout")
    if to is None and parts[0].source_url == CANONICAL_URL:  # another (trusted) source: its newest tag
        to = _default_target(source.path, [part.current for part in parts])
    pending = _pending(parts, to, source.path)
    if not pending:  # nothing to render: say so at once
        current = parts[0].current
        return UpdateResult(path=project, from_version=current, to_version=current, pretend=pretend)
    _redirect_git_to(source.path)

    if not pretend:
        return _update_parts(project, project, parts[0], pending, to, conflict, trust=trust, pretend=False)
    with tempfile.TemporaryDirectory(prefix="bafa-pretend-") as tmp:
        work = Path(tmp) / project.name
        git(project, "clone", "--quiet", "--no-hardlinks", str(project), str(work))
        for relative in ENV_FILES:
            if (project / relative).is_file():
                shutil.copy2(project / relative, work / relative)
        result = _update_parts(work, project, parts[0], pending, to, conflict, trust=trust, pretend=True)
        result.diff = git(work, "diff", "--no-color", "HEAD")
        result.pretend = True
        return result


def _check_project(project: Path) -> list[_Part]:
    """The project's parts, the project first; or a BafaError saying why it cannot be updated."""
    if not project.is_dir():
        raise BafaError(f"{project} is not a folder")
    if not (project / ANSWERS_FILE).is_file():
        raise BafaError(f"{project} is not a bafa project (no {ANSWERS_FILE})")
    answers, _ = read_answers(project)
    if not answers.get("_commit"):
        raise BafaError(f"{ANSWERS_FILE} records no template version (_commit); the project cannot be updated")
    require_clean_root(project, "bafa update needs the project's git history", "before updating")
    project_part = _Part(ANSWERS_FILE, str(answers["_commit"]), str(answers.get("_src_path") or ""))
    return [project_part, *_resource_parts(project)]


def _resource_parts(project: Path) -> list[_Part]:
    """Each resource added with `bafa add resource`, from its answers file."""
    parts = []
    for name, answers_file in resource_answers_files(project).items():
        recorded = _recorded(project, answers_file)
        if not recorded.get("_commit"):
            raise BafaError(f"{answers_file} records no template version (_commit); the resource cannot be updated")
        parts.append(_Part(answers_file, str(recorded["_commit"]), str(recorded.get("_src_path") or ""), name))
    return parts


def _recorded(project: Path, answers_file: str) -> dict:
    """What a resource's answers file records (a mapping), or a BafaError."""
    try:
        recorded = yaml.safe_load((project / answers_file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise BafaError(f"{answers_file} cannot be read as YAML; the resource cannot be updated") from None
    return recorded if isinstance(recorded, dict) else {}


def _check_source(part: _Part, trust: bool) -> None:
    if part.source_url != CANONICAL_URL and not trust:
        raise BafaError(
            f"{part.answers_file} names the template source {part.source_url!r}, not bafa's own ({CANONICAL_URL}); "
            "updating from it runs that template's code: pass --trust only if you trust it"
        )


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


def _default_target(source: Path, currents: list[str]) -> str:
    """The newest release tag; the template as installed (HEAD, what `bafa new` and `bafa add
    resource` render) when there is no release yet or the project or a resource was made from a
    template newer than the newest one."""
    newest = _newest_tag(source)
    if newest is None:
        return "HEAD"
    new = version_of(newest)
    if any(old is not None and old > new for old in map(version_of, currents)):  # type: ignore[operator]
        return "HEAD"
    return newest


def _pending(parts: list[_Part], to: str | None, source: Path) -> list[_Part]:
    """The parts not at version `to` already: those have nothing to render."""
    head = _head_commit(source) if to == "HEAD" and any(part.current != to for part in parts) else ""
    return [part for part in parts if not (part.current == to or (to == "HEAD" and _same_commit(part.current, head)))]


def _head_commit(source: Path) -> str:
    """The full hash of the template source's HEAD ('' when git cannot tell)."""
    listing = git(source.parent, "ls-remote", str(source), "HEAD", ok=range(256))
    return listing.split()[0] if listing.strip() else ""


def _same_commit(described: str, full_hash: str) -> bool:
    """Whether a `_commit` value (a tag, `v1.2.0-3-gabc1234` or a bare hash) names `full_hash`."""
    match = re.search(r"(?:^|-g)([0-9a-f]{7,40})$", described)
    return bool(full_hash and match and full_hash.startswith(match.group(1)))


def _check_not_older(part: _Part, target: str) -> None:
    old, new = version_of(part.current), version_of(target)
    if old is not None and new is not None and new < old:  # type: ignore[operator]
        owner = f"resource {part.resource}'s" if part.resource else "project's"
        raise BafaError(
            f"template version {target} is older than the {owner} {part.current}; bafa update never downgrades"
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


def _update_parts(
    work: Path,
    project: Path,
    main: _Part,
    pending: list[_Part],
    to: str | None,
    conflict: str,
    *,
    trust: bool,
    pretend: bool,
) -> UpdateResult:
    """copier update of each pending part in `work` (the project, or its clone for --pretend), the
    project first; anything failing rolls all of them back to the commit the update started from.

    Copier updates only a clean work tree, so each part's result is committed for the next one
    (a step commit), and the step commits are undone at the end: the changes are left to review,
    uncommitted, as after a single `copier update`.
    """
    start = git(work, "rev-parse", "HEAD").strip()
    result = UpdateResult(path=project, from_version=main.current, to_version=main.current)
    unmerged = ""
    try:
        for number, part in enumerate(pending):
            if number:
                unmerged += _commit_step(work)
            done = _update_part(work, project, part, to, conflict, trust=trust, pretend=pretend)
            if part.resource:
                result.resources.append(done)
            else:
                result = done
        if len(pending) > 1:
            _undo_steps(work, start, unmerged + git(work, "ls-files", "--unmerged"))
        env_keys = append_new_keys(work)
    except BaseException:
        _roll_back(work, start)
        raise
    result.env_keys_added, result.env_keys_need_value = env_keys.added, env_keys.need_value
    return result


def _update_part(
    work: Path, project: Path, part: _Part, to: str | None, conflict: str, *, trust: bool, pretend: bool
) -> UpdateResult:
    """copier update of one part; a template's tasks, migrations and Jinja extensions run only with
    `trust` and never with `pretend`. The caller rolls back when this raises."""
    import copier
    from copier.errors import CopierError, UnsafeTemplateError

    secret = existing_secret(work)
    where = part.where
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copier.run_update(
                str(work),
                answers_file=part.answers_file,
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
        features = first_line(exc).rstrip(".")  # "Template uses potentially unsafe feature: tasks"
        if pretend:
            raise BafaError(
                f"--pretend never runs a template's code, and this one would{where} ({features}); "
                "review the template, then update with --trust (without --pretend)"
            ) from None
        raise BafaError(
            f"update refused{where}, project left as it was: the template would run code ({features}); "
            "bafa's template runs none: review it, then pass --trust only if you trust it"
        ) from None
    except (CopierError, ValueError, subprocess.CalledProcessError, OSError) as exc:
        raise BafaError(f"update failed{where}, project left as it was: {one_line(exc)}") from None
    recorded = _recorded(work, part.answers_file)
    result = UpdateResult(
        path=project, from_version=part.current, to_version=str(recorded.get("_commit", "?")), resource=part.resource
    )
    _classify(work, result, conflict)
    return result


# Step commits never stay: no hook runs, no key signs them, any identity does.
_STEP_COMMIT = ("-c", f"core.hooksPath={os.devnull}", "-c", "commit.gpgsign=false", *_FALLBACK_IDENTITY)


def _commit_step(work: Path) -> str:
    """Commit everything the last part's update changed, so Copier can update the next part;
    return git's record of the files left in conflict (unmerged index entries), which committing
    resolves and _undo_steps restores."""
    unmerged = git(work, "ls-files", "--unmerged")
    git(work, "add", "--all")
    git(work, *_STEP_COMMIT, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", "bafa update: one step")
    return unmerged


def _undo_steps(work: Path, start: str, unmerged: str) -> None:
    """Back to the commit the update started from with every change left in the work tree, and
    the conflicted files marked unmerged again (as Copier marks them)."""
    git(work, "reset", "--quiet", start)
    paths = sorted({line.split("\t", 1)[1] for line in unmerged.splitlines() if "\t" in line})
    if paths:
        removals = "".join(f"0 {'0' * 40}\t{path}\n" for path in paths)
        index_info = removals + "".join(f"{line}\n" for line in unmerged.splitlines())
        subprocess.run(["git", "update-index", "--index-info"], cwd=work, input=index_info, text=True, check=True)


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


def _roll_back(work: Path, start: str) -> None:
    """Back to the commit the update started from (the tree was clean then): ignored files like
    .env stay. A tree still clean at that commit (Copier refused before writing) is left alone,
    its git metadata too."""
    with contextlib.suppress(BafaError, OSError):  # best effort: the error being reported matters more
        if git(work, "rev-parse", "HEAD").strip() != start or git(work, "status", "--porcelain"):
            git(work, "reset", "--quiet", "--hard", start)
            git(work, "clean", "--quiet", "-fd")
