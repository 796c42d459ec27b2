"""Where the Copier template lives, and how its history is reached offline.

Projects record a canonical git URL (`CANONICAL_URL`) in `.copier-answers.yml`, never a
path on this machine. To render a project's old template version (which `copier update`
needs) without a network, git is told to read that URL from a local source instead:

- `BAFA_TEMPLATE` (environment): a git repository or bundle of the template (forks, tests);
- an installed wheel's `generator/_template.bundle` (built from the repository's history);
- a checkout's own repository (editable installs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BafaError

CANONICAL_URL = "https://github.com/bafa-project/bafa.git"
TEMPLATE_ENV = "BAFA_TEMPLATE"

_PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class TemplateSource:
    """What to render from (`path`) and whether it carries git history (`is_git`)."""

    path: Path
    is_git: bool


def _is_git_source(path: Path) -> bool:
    return (path / ".git").exists() or (path.is_file() and path.suffix == ".bundle")


def template_source() -> TemplateSource:
    """The template to render new projects from."""
    override = os.environ.get(TEMPLATE_ENV)
    if override:
        path = Path(override).expanduser().resolve()
        if not (_is_git_source(path) and (path.is_file() or (path / "copier.yml").is_file())):
            raise BafaError(f"{TEMPLATE_ENV}={override} is not a git repository or bundle of the bafa template")
        return TemplateSource(path, True)
    bundle = _PACKAGE_DIR / "_template.bundle"
    if bundle.is_file():
        return TemplateSource(bundle, True)
    checkout = _PACKAGE_DIR.parent
    if (checkout / "copier.yml").is_file() and (checkout / "template").is_dir():
        return TemplateSource(checkout, _is_git_source(checkout))
    packed = _PACKAGE_DIR / "_template"
    if (packed / "copier.yml").is_file():
        return TemplateSource(packed, False)
    raise BafaError("the bafa template is missing from this installation (no copier.yml found)")


def template_root() -> Path:
    """A folder holding copier.yml, for reading the questions."""
    source = template_source()
    if source.path.is_dir():
        return source.path
    for candidate in (_PACKAGE_DIR / "_template", _PACKAGE_DIR.parent):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise BafaError("the bafa template is missing from this installation (no copier.yml found)")


def template_version() -> str:
    """The version of the template `bafa new` renders, spelled as Copier reports and records it.

    In a checkout that is what git's tags say (0.3.0, or 0.3.0.post4.dev0+abc1234 four commits
    after v0.3.0), computed as Copier computes it; an installed wheel is the release it was built
    from, whose tag is `__version__`.
    """
    from generator import __version__

    source = template_source()
    if not (source.is_git and source.path.is_dir()):
        return __version__
    import dunamai  # Copier's own dependency, and Copier's own call

    try:
        version = dunamai.Version.from_git(pattern=dunamai.Pattern.DefaultUnprefixed, path=source.path)
    except (RuntimeError, ValueError):  # not a repository after all, or no commit
        return __version__
    return version.serialize(style=dunamai.Style.Pep440)


def git_redirect_env(source: Path) -> dict[str, str]:
    """Environment that makes git read CANONICAL_URL from `source` (appended to any GIT_CONFIG_*)."""
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"url.{source}.insteadOf",
        f"GIT_CONFIG_VALUE_{count}": CANONICAL_URL,
    }
