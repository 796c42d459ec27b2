"""One version, the same everywhere: `bafa --version`, what Copier reports and records, the tags.

A release is the commit that sets a new `__version__` in generator/__init__.py; its tag is
v<version> (scripts/release-tags.sh puts back the tags a clone lacks). Between releases every tool
spells the version as Copier does (X.Y.Z.postN.dev0+HASH). The tests work on clones made without
tags, as CI's is, and tag them with the script.
"""

from __future__ import annotations

import re
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_bafa


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def _tagged_clone(tmp_path: Path) -> Path:
    """A clone of what is committed, without tags, then tagged by scripts/release-tags.sh."""
    clone = tmp_path / "bafa"
    _git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(clone))
    tagged = subprocess.run(["bash", "scripts/release-tags.sh"], cwd=clone, capture_output=True, text=True)
    assert tagged.returncode == 0, tagged.stderr
    return clone


def _version_at(repo: Path, commit: str) -> str:
    text = _git(repo, "show", f"{commit}:generator/__init__.py")
    match = re.search(r'^__version__ = "(.+)"$', text, re.MULTILINE)
    assert match, f"no __version__ in generator/__init__.py at {commit}"
    return match.group(1)


def test_each_release_is_tagged_on_the_commit_that_set_its_version(tmp_path: Path) -> None:
    from generator import __version__

    clone = _tagged_clone(tmp_path)
    tags = _git(clone, "tag", "--list", "v*", "--sort=v:refname").split()
    assert tags and tags[-1] == f"v{__version__}", tags
    changelog = (REPO / "CHANGELOG.md").read_text()
    commits = [_git(clone, "rev-list", "-n", "1", tag) for tag in tags]
    for tag, commit in zip(tags, commits, strict=True):
        version = tag.removeprefix("v")
        assert _version_at(clone, commit) == version
        parent = subprocess.run(["git", "show", f"{commit}~1:generator/__init__.py"], cwd=clone, capture_output=True)
        assert parent.returncode != 0 or f'"{version}"' not in parent.stdout.decode(), f"{tag} is not the bump"
        assert f"\n## {version}\n" in changelog, f"CHANGELOG.md has no heading for {version}"
    for older, newer in pairwise(commits):  # a higher version is a later commit
        assert subprocess.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=clone).returncode == 0
    # Tags this checkout does have (a clone with tags, a maintainer's) agree with the history.
    for tag in _git(REPO, "tag", "--list", "v*").split():
        assert _git(REPO, "rev-list", "-n", "1", tag) == _git(clone, "rev-list", "-n", "1", tag), tag


def test_a_release_tag_on_another_commit_is_an_error_and_stays(tmp_path: Path) -> None:
    clone = tmp_path / "bafa"
    _git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(clone))
    first = _git(clone, "log", "--reverse", "--format=%H", "--", "generator/__init__.py").split()[0]
    misplaced = _git(clone, "rev-parse", "HEAD")  # a later commit, never the first release
    _git(clone, "tag", f"v{_version_at(clone, first)}", misplaced)
    tagged = subprocess.run(["bash", "scripts/release-tags.sh"], cwd=clone, capture_output=True, text=True)
    assert tagged.returncode == 1
    assert tagged.stderr.startswith("error: tag v") and tagged.stderr.count("\n") == 1, tagged.stderr
    assert _git(clone, "rev-list", "-n", "1", f"v{_version_at(clone, first)}") == misplaced


def test_bafa_and_copier_report_the_same_template_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A clone: what is committed (Copier adds a commit of its own for a dirty checkout's changes).
    from generator import __version__

    template = _tagged_clone(tmp_path)
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
    assert release == __version__
