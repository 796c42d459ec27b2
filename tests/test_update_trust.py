"""`bafa update` runs only the template bafa trusts: an answers file that names another source
(a pull request can edit it) must not turn the next update into code execution."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_update import _bafa, _git, _offline_env, new_at, template_versions  # noqa: F401

from conftest import REPO, snapshot

EVIL_COPIER = """\
_subdirectory: template
_tasks:
  - "touch {marker}"
"""


def _evil_template(root: Path, marker: Path) -> Path:
    """A Copier template whose task writes `marker`: proof that the task ran."""
    root.mkdir()
    (root / "copier.yml").write_text(EVIL_COPIER.format(marker=marker))
    (root / "template").mkdir()
    (root / "template/{{_copier_conf.answers_file}}.jinja").write_text("{{ _copier_answers|to_nice_yaml }}")
    (root / "template/README.md").write_text("not bafa\n")
    _git(root, "init", "--quiet")
    _git(root, "add", "-A")
    _git(root, "commit", "--quiet", "-m", "evil")
    _git(root, "tag", "v0.1.0")  # the project's version, which copier renders again to diff
    (root / "template/README.md").write_text("not bafa, newer\n")
    _git(root, "commit", "--quiet", "-am", "newer")
    _git(root, "tag", "v9.9.9")
    return root


@pytest.fixture
def hijacked(tmp_path: Path, template_versions: Path) -> tuple[Path, dict[str, str], Path, Path]:  # noqa: F811
    env = _offline_env(template_versions, tmp_path / "cache")
    project = new_at(template_versions, "v0.1.0", env, tmp_path / "proj")
    marker = tmp_path / "PWNED"
    evil = _evil_template(tmp_path / "evil", marker)
    answers_path = project / ".copier-answers.yml"
    answers = yaml.safe_load(answers_path.read_text())
    answers["_src_path"] = str(evil)
    answers_path.write_text(yaml.safe_dump(answers))
    _git(project, "commit", "--quiet", "-am", "A pull request that edits the answers file")
    return project, env, marker, evil


@pytest.mark.parametrize("pretend", [False, True], ids=["update", "pretend"])
def test_an_untrusted_source_is_refused(hijacked: tuple[Path, dict[str, str], Path, Path], pretend: bool) -> None:
    project, env, marker, evil = hijacked
    before = snapshot(project)
    result = _bafa(env, "update", str(project), *(["--pretend"] if pretend else []))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and str(evil) in result.stderr and "--trust" in result.stderr
    assert not marker.exists(), "the template's task ran"
    assert snapshot(project) == before


def test_trust_is_explicit_and_pretend_never_runs_tasks(
    hijacked: tuple[Path, dict[str, str], Path, Path],
) -> None:
    project, env, marker, _ = hijacked
    preview = _bafa(env, "update", str(project), "--pretend", "--trust")
    assert preview.returncode == 2 and "--pretend" in preview.stderr, preview.stdout + preview.stderr
    assert not marker.exists(), "--pretend ran a task"
    trusted = _bafa(env, "update", str(project), "--trust")
    assert marker.exists(), trusted.stdout + trusted.stderr  # the user said so: the task runs


@pytest.fixture(scope="module")
def template_with_tasks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """bafa's own template (the canonical source), whose v0.2.0 adds a task: proof is `marker`."""
    root = tmp_path_factory.mktemp("tasks")
    template, marker = root / "bafa", root / "RAN"
    _git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(template))
    _git(template, "tag", "v0.1.0")
    copier_yml = template / "copier.yml"
    copier_yml.write_text(copier_yml.read_text() + f'_tasks:\n  - "touch {marker}"\n')
    _git(template, "commit", "--quiet", "-am", "v0.2.0 runs a task")
    _git(template, "tag", "v0.2.0")
    return template, marker


def test_a_task_in_bafas_own_template_runs_only_with_trust(
    template_with_tasks: tuple[Path, Path], tmp_path: Path
) -> None:
    """bafa's template runs no code, so an update never needs Copier's unsafe mode: a version that
    adds a task (a compromised release, a fork in BAFA_TEMPLATE) is refused, not run."""
    template, marker = template_with_tasks
    env = _offline_env(template, tmp_path / "cache")
    project = new_at(template, "v0.1.0", env, tmp_path / "proj")
    before = snapshot(project)
    refused = _bafa(env, "update", str(project))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.startswith("error: ") and "tasks" in refused.stderr and "--trust" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert not marker.exists(), "the template's task ran without --trust"
    assert snapshot(project) == before
    trusted = _bafa(env, "update", str(project), "--trust")
    assert marker.exists(), trusted.stdout + trusted.stderr
