"""`bafa new`: render the template into a fresh project, atomically."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.copier_copy import copy_template
from generator.env_files import keys_needing_value, make_private
from generator.errors import BafaError
from generator.git_repo import init_with_commit
from generator.secret import SECRET_QUESTION, new_secret


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
    answers = copy_template(staging, data, defaults=defaults)
    make_private(staging)
    return answers


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
