"""Where the Copier template lives: the checkout, or the copy packed into the wheel."""

from __future__ import annotations

from pathlib import Path

from generator.errors import BafaError

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_root() -> Path:
    """Return the folder that holds copier.yml (and template/).

    An installed wheel carries the template in ``generator/_template``; an editable
    install or a checkout uses the repository root next to the package.
    """
    for candidate in (_PACKAGE_DIR / "_template", _PACKAGE_DIR.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "template").is_dir():
            return candidate
    raise BafaError("the bafa template is missing from this installation (no copier.yml found)")
