"""`bafa add resource`: new user-owned resources in generated projects, proven by the projects' own suites.

Two projects (both API styles, both ownership answers, both auth modes) each get two resources with
several field types, rendered once per module; their whole generated suite (property tests
included) and `bafa doctor` must pass. Bad names and fields, a dirty work tree: one `error:` line,
exit 2, and the project untouched.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from processes import install_node_modules, require_node, run
from test_generated_backends import run_generated_tests

from conftest import REPO, clean_env, generate, ruff_check, run_bafa, snapshot

NOTE = [
    "body:text",
    "title:str(max=80)",
    "pinned:bool=false",
    "due:datetime?",
    "day:date?",
    "rank:int=3",
    "weight:float?",
    "kind:enum(idea|todo|done)=idea",
]
CATEGORY = ["name:str", "color:enum(red|green|blue)?", "position:int?"]
PROJECTS = {
    "flat-forbidden-shared_secret": (
        "frontend=false",
        "api_style=flat",
        "ownership_error=forbidden",
        "auth_mode=shared_secret",
    ),
    "user_path-not_found-jwks": (
        "frontend=false",
        "api_style=user_path",
        "ownership_error=not_found",
        "auth_mode=jwks",
    ),
}


IDENTITY = ("-c", "user.name=bafa tests", "-c", "user.email=tests@localhost")


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def add(project: Path, name: str, fields: list[str]) -> subprocess.CompletedProcess[str]:
    args = ["add", "resource", name, str(project)]
    for field in fields:
        args += ["--field", field]
    return run_bafa(*args)


@pytest.fixture(scope="module", params=list(PROJECTS))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project (backend only) with the note and category resources added."""
    path = generate(tmp_path_factory.mktemp(request.param) / "app", *PROJECTS[request.param])
    for name, fields in (("note", NOTE), ("category", CATEGORY)):
        result = add(path, name, fields)
        assert result.returncode == 0, result.stderr
        assert f"Added the {name} resource" in result.stdout
    return path


@pytest.fixture(scope="module")
def plain_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("plain") / "app", "frontend=false")


@pytest.mark.slow
def test_each_resource_is_one_commit_of_new_files(project: Path) -> None:
    log = git(project, "log", "--format=%s").splitlines()
    assert log[:2] == ["Add the category resource with bafa", "Add the note resource with bafa"]
    assert git(project, "status", "--porcelain") == ""
    changed = git(project, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert changed and all(line.startswith("A\t") for line in changed), changed  # only new files
    answers = yaml.safe_load((project / ".copier-answers.resource-category.yml").read_text())
    assert answers["resource_name"] == "category"
    assert answers["resource_down_revision"] == "res_note"  # follows the note's migration
    assert answers["_src_path"] == "https://github.com/bafa-project/bafa.git"
    assert (project / "backend/app/api/routes/categories.py").is_file()


@pytest.mark.slow
def test_the_generated_suite_passes_with_the_resources(project: Path) -> None:
    result = run_generated_tests(project / "backend")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    lint = ruff_check(project / "backend")
    assert lint.returncode == 0, lint.stdout


@pytest.mark.slow
def test_the_resources_openapi_names_the_resource_not_the_task(project: Path) -> None:
    exported = subprocess.run(
        [sys.executable, "scripts/export_openapi.py"],
        cwd=project / "backend",
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    paths = json.loads(exported.stdout)["paths"]
    documented = {path: answers for path, answers in paths.items() if "/notes" in path or "/categories" in path}
    assert len(documented) == 4, list(paths)
    text = json.dumps(documented)
    assert "no such note" in text and "the category belongs to another user" in text
    assert "The page of categories" in text and "How many notes there are" in text
    assert not re.search(r"(?i)task", text), re.findall(r"(?i).{60}task.{20}", text)


@pytest.mark.slow
def test_doctor_audits_and_passes_the_resources_routes(project: Path) -> None:
    result = run_bafa("doctor", str(project), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"routes.auth"' in result.stdout
    # health, me (GET, DELETE), 7 task routes, 6 for each resource: every one but /health needs a user.
    assert "all 21 API routes of app.main:app require get_current_user" in result.stdout


@pytest.mark.slow
def test_the_frontends_typed_client_is_regenerated_in_the_resources_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a frontend: without its node_modules bafa says what to run and leaves the typed client;
    with them (and a backend Python that imports the app) it regenerates it in the same commit."""
    require_node()
    monkeypatch.setenv("BACKEND_PYTHON", sys.executable)  # scripts/backend-python.mjs: the one with the backend's deps
    project = generate(tmp_path / "app", "frontend=true")
    schema = project / "frontend/lib/api-schema.ts"
    before = schema.read_text()

    stale = add(project, "memo", ["body:text"])
    assert stale.returncode == 0, stale.stdout + stale.stderr
    assert "not regenerated: frontend/lib/api-schema.ts (frontend/node_modules is not installed" in stale.stdout
    assert "cd frontend && npm run api:types" in stale.stdout
    assert schema.read_text() == before and git(project, "status", "--porcelain") == ""

    install_node_modules(project / "frontend")
    fresh = add(project, "note", NOTE)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "changed  frontend/lib/api-schema.ts (regenerated)" in fresh.stdout
    assert "frontend/lib/api-schema.ts" in git(project, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert git(project, "status", "--porcelain") == ""
    assert "NotePublic" in schema.read_text() and "MemoPublic" in schema.read_text()
    run(["npm", "run", "--silent", "api:check"], cwd=project / "frontend")  # the frontend's CI check passes


BAD = {
    "reserved-python": (["class", "--field", "a:int"], "reserved word"),
    "reserved-sql": (["select", "--field", "a:int"], "reserved word"),
    "uppercase": (["Note", "--field", "a:int"], "is invalid"),
    "the-task": (["task", "--field", "a:int"], "is reserved: the project"),
    "no-field": (["thing"], "at least one field"),
    "bad-type": (["thing", "--field", "a:blob"], "is invalid"),
    "reserved-field": (["thing", "--field", "user_id:str"], "reserved"),
    "bad-default": (["thing", "--field", "a:int=x"], "not a int default"),
    "twice": (["thing", "--field", "a:int", "--field", "a:text"], "given twice"),
    "enum-default": (["thing", "--field", "a:enum(x|y)=z"], "not one of x|y"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_names_and_fields_are_one_error_line_and_change_nothing(plain_project: Path, case: str) -> None:
    args, message = BAD[case]
    before = snapshot(plain_project)
    result = run_bafa("add", "resource", args[0], str(plain_project), *args[1:])
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert snapshot(plain_project) == before


def test_an_existing_resource_or_table_is_refused(plain_project: Path) -> None:
    first = add(plain_project, "memo", ["body:text"])
    assert first.returncode == 0, first.stderr
    before = snapshot(plain_project)
    again = add(plain_project, "memo", ["title:str"])
    assert again.returncode == 2
    assert again.stderr.startswith("error: ") and "already has a resource or table named 'memo'" in again.stderr
    assert snapshot(plain_project) == before


def test_a_dirty_work_tree_is_refused(plain_project: Path) -> None:
    (plain_project / "notes.txt").write_text("work in progress\n")
    try:
        before = snapshot(plain_project)
        result = add(plain_project, "thing", ["a:int"])
        assert result.returncode == 2
        assert "uncommitted change(s)" in result.stderr and result.stderr.startswith("error: ")
        assert snapshot(plain_project) == before
    finally:
        (plain_project / "notes.txt").unlink()


@pytest.mark.slow
def test_copier_update_brings_a_resource_to_a_newer_template_and_keeps_edits(tmp_path: Path) -> None:
    """Each resource is a Copier project of its own: its answers file updates it (3-way)."""
    template = tmp_path / "bafa"
    git(REPO, "clone", "--quiet", "--no-tags", str(REPO), str(template))
    env = clean_env() | {"BAFA_TEMPLATE": str(template)}
    project = tmp_path / "app"
    bafa = [sys.executable, "-m", "generator"]
    new = subprocess.run([*bafa, "new", str(project), "--defaults", "-d", "frontend=false"], env=env, cwd=REPO)
    assert new.returncode == 0
    added = subprocess.run([*bafa, "add", "resource", "note", str(project), "-f", "body:text"], env=env, cwd=REPO)
    assert added.returncode == 0
    answers = project / ".copier-answers.resource-note.yml"
    answers.write_text(answers.read_text().replace("https://github.com/bafa-project/bafa.git", str(template)))
    router = project / "backend/app/api/routes/notes.py"
    router.write_text(router.read_text() + "\n# the user's own edit\n")
    git(project, *IDENTITY, "commit", "--quiet", "-am", "edit the note routes")

    source = template / "resource/backend/app/api/routes/{{ resource_plural }}.py.jinja"
    old = '"""One of the caller\'s {{ resource_plural }}."""'
    assert source.read_text().count(old) == 1
    source.write_text(source.read_text().replace(old, '"""One of the caller\'s own {{ resource_plural }}."""'))
    git(template, *IDENTITY, "commit", "--quiet", "-am", "a newer resource template")

    update = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--answers-file", answers.name, "--defaults", "--vcs-ref", "HEAD"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert update.returncode == 0, update.stderr
    text = router.read_text()
    assert '"""One of the caller\'s own notes."""' in text  # the template's change
    assert "# the user's own edit" in text  # the user's edit kept
    assert not (project / "backend/app/main.py").read_text().count("<<<<<<<")
