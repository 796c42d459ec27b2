"""One version, the same everywhere: `bafa --version`, what Copier reports and records, the tags.

Releases are git tags (vX.Y.Z) on the commit whose generator/__init__.py says X.Y.Z; between
releases every tool spells the version as Copier does (X.Y.Z.postN.dev0+HASH).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_bafa


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def test_the_newest_release_tag_is_the_package_version() -> None:
    from generator import __version__

    tags = _git("tag", "--list", "v*", "--merged", "HEAD").split()
    assert tags, "no release tags in this clone of bafa: fetch them (git fetch --tags)"
    newest = _git("describe", "--tags", "--abbrev=0", "--match", "v*")
    assert newest == f"v{__version__}", "a release bumps generator/__init__.py and tags that commit"


def test_bafa_and_copier_report_the_same_template_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A clone: what is committed (Copier adds a commit of its own for a dirty checkout's changes).
    template = tmp_path / "bafa"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(template)], check=True)
    monkeypatch.setenv("BAFA_TEMPLATE", str(template))
    shown = run_bafa("--version")
    assert shown.returncode == 0, shown.stderr
    version = shown.stdout.strip().removeprefix("bafa ")

    # bafa renders the template as installed (HEAD); plain copier takes the newest tag by default.
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref", "HEAD", "--data", "frontend=false"]
    copied = subprocess.run([*copier, str(template), str(tmp_path / "c")], capture_output=True, text=True)
    assert copied.returncode == 0, copied.stderr
    assert f"template version {version}\n" in copied.stderr, copied.stderr[:500]

    # What `bafa new` records names the same release and commit.
    made = run_bafa("new", str(tmp_path / "b"), "--defaults", "--no-git", "--data", "frontend=false")
    assert made.returncode == 0, made.stderr
    commit = yaml.safe_load((tmp_path / "b/.copier-answers.yml").read_text())["_commit"]
    match = re.fullmatch(r"v(\d+\.\d+\.\d+)(?:-(\d+)-g([0-9a-f]+))?", commit)
    assert match, commit
    release, distance, short = match.groups()
    assert version == (release if distance is None else f"{release}.post{distance}.dev0+{short}")
