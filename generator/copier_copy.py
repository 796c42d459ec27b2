"""Render bafa's template with `copier copy`: one way for `bafa new` (the project) and `bafa add
resource` (resource/, chosen by the answers file's name), with Copier's failures as BafaError."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from generator.errors import BafaError, first_line, one_line
from generator.project_files import ANSWERS_FILE
from generator.template_source import CANONICAL_URL, template_source


def copy_template(
    dest: Path, data: dict[str, Any], *, defaults: bool, answers_file: str = ANSWERS_FILE
) -> dict[str, Any]:
    """Render the template as installed (HEAD, not the newest tag) into DEST; return the answers.

    The answers file records the canonical repository URL as its source, never a path on this
    machine. Nothing runs from the template: one that would run code is refused."""
    # Imported here: copier is slow to import and `bafa --help` should stay fast.
    import copier
    from copier.errors import CopierError, UnsafeTemplateError

    source = template_source()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. DirtyLocalWarning while developing bafa
            worker = copier.run_copy(
                str(source.path),
                dest,
                data=data,
                answers_file=answers_file,
                defaults=defaults,
                overwrite=True,
                quiet=True,
                cleanup_on_error=False,
                vcs_ref="HEAD" if source.is_git else None,
            )
    except UnsafeTemplateError as exc:  # bafa's template runs no code; a BAFA_TEMPLATE fork might
        unsafe = first_line(exc).rstrip(".")
        raise BafaError(f"{source.path} would run code ({unsafe}); bafa renders only templates that run none") from None
    except (CopierError, ValueError) as exc:
        raise BafaError(one_line(exc)) from None
    except KeyboardInterrupt:
        raise BafaError("interrupted; nothing was written") from None
    record_canonical_source(dest / answers_file)
    return dict(worker.answers.combined)


def record_canonical_source(answers: Path) -> None:
    """Point the answers file's `_src_path` at the canonical repository URL."""
    lines = answers.read_text(encoding="utf-8").splitlines(keepends=True)
    answers.write_text(
        "".join(f"_src_path: {CANONICAL_URL}\n" if line.startswith("_src_path:") else line for line in lines),
        encoding="utf-8",
    )
