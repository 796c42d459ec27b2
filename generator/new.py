"""`bafa new`: render the template into a fresh project, atomically."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.env_files import keys_needing_value, make_private
from generator.errors import BafaError, first_line, one_line
from generator.git_repo import init_with_commit
from generator.project_files import ANSWERS_FILE
from generator.secret import SECRET_QUESTION, new_secret
from generator.template_source import CANONICAL_URL, template_source


@dataclass(frozen=True)
class NewResult:
    """What `bafa new` produced."""

    path: Path
    answers: dict[str, Any]
    git: bool
    need_value: dict[str, list[str]] = field(default_factory=dict)  # left empty: the user must set them


def create_project(
    dest: Path,
    answers: dict[str, Any],
    *,
    defaults: bool,
    force: bool = False,
    git: bool = True,
) -> NewResult:
    """Render the template into DEST.

    The project is rendered into a temporary sibling folder first and moved into place
    only when rendering (and the initial git commit) succeeded, so a failure leaves
    nothing at DEST.
    """
    dest = dest.expanduser().absolute()
    _check_destination(dest, force=force)
    if not defaults and not sys.stdin.isatty():
        raise BafaError("no terminal to ask the questions on: pass --defaults (with --data to override)")
    data = dict(answers)
    data.setdefault(SECRET_QUESTION, new_secret())

    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.bafa-", dir=dest.parent))
    except OSError as exc:
        raise BafaError(f"cannot write to {dest.parent}: {exc.strerror or exc}") from None
    try:
        staging.chmod(0o777 & ~_current_umask())  # mkdtemp makes it 0700
        rendered = _render(staging, data, defaults=defaults)
        if git and not (force and (dest / ".git").exists()):
            init_with_commit(staging, f"Generate {rendered.get('project_name', dest.name)} with bafa")
        _move_into_place(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    public = {k: v for k, v in rendered.items() if not k.startswith("_") and k != SECRET_QUESTION}
    return NewResult(path=dest, answers=public, git=git, need_value=keys_needing_value(dest))


def _check_destination(dest: Path, *, force: bool) -> None:
    if dest.exists() or dest.is_symlink():
        if not dest.is_dir():
            raise BafaError(f"{dest} exists and is not a folder")
        if any(dest.iterdir()) and not force:
            raise BafaError(f"{dest} is not empty; choose a new folder or pass --force")
    if not dest.parent.is_dir():
        raise BafaError(f"{dest.parent} does not exist; create it first")
    if not os.access(dest.parent, os.W_OK | os.X_OK):
        raise BafaError(f"cannot write to {dest.parent}: permission denied")


def _render(staging: Path, data: dict[str, Any], *, defaults: bool) -> dict[str, Any]:
    # Imported here: copier is slow to import and `bafa --help` should stay fast.
    import copier
    from copier.errors import CopierError, UnsafeTemplateError

    source = template_source()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. DirtyLocalWarning while developing bafa
            worker = copier.run_copy(
                str(source.path),
                staging,
                data=data,
                defaults=defaults,
                overwrite=True,
                quiet=True,
                cleanup_on_error=False,
                vcs_ref="HEAD" if source.is_git else None,  # the template as installed, not the newest tag
            )
    except UnsafeTemplateError as exc:  # bafa's template runs no code; a BAFA_TEMPLATE fork might
        unsafe = first_line(exc).rstrip(".")
        raise BafaError(f"{source.path} would run code ({unsafe}); bafa renders only templates that run none") from None
    except (CopierError, ValueError) as exc:
        raise BafaError(one_line(exc)) from None
    except KeyboardInterrupt:
        raise BafaError("interrupted; nothing was written") from None
    record_canonical_source(staging)
    make_private(staging)
    return dict(worker.answers.combined)


def record_canonical_source(project: Path) -> None:
    """Point `_src_path` at the canonical repository URL, never at a path on this machine."""
    answers = project / ANSWERS_FILE
    lines = answers.read_text().splitlines(keepends=True)
    answers.write_text(
        "".join(f"_src_path: {CANONICAL_URL}\n" if line.startswith("_src_path:") else line for line in lines)
    )


def _move_into_place(staging: Path, dest: Path) -> None:
    if dest.is_dir() and not any(dest.iterdir()):
        dest.rmdir()
    if not dest.exists():
        staging.rename(dest)
        staging.mkdir()  # so the caller's cleanup has something to remove
        return
    # --force on a non-empty folder: overlay the rendered files.
    shutil.copytree(staging, dest, dirs_exist_ok=True, symlinks=True)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
