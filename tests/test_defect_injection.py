"""The property tests bite: a rendered backend with a defect put in on purpose fails them (and so
do the example tests that guard what no property test models: account deletion's tombstones).

Each case renders a project, edits one protection out of the backend (the text it replaces is
asserted first, so a template change fails here loudly instead of testing nothing), then runs
the generated test file that holds the test guarding it (one of GUARD_FILES), with its
default example counts. The run must fail, and that property must be among the
failures. PROPERTY_SHRINK=0 keeps the failing runs short (Hypothesis reports the first failure
without minimising it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import clean_env, generate, run_bafa

PROPERTY_FILES = [
    "tests/test_property_isolation.py",
    "tests/test_schema_fuzz.py",
    "tests/test_token_fuzz.py",
]
# The example test file guarding what the property tests do not model (a deleted account).
GUARD_FILES = [*PROPERTY_FILES, "tests/test_account_deletion.py"]
ISOLATION = "tests/test_property_isolation.py::test_isolation_state_machine"
NOTE_ISOLATION = "tests/test_property_isolation.py::test_resource_isolation_state_machine[note]"
NO_TOKEN_FUZZ = "tests/test_schema_fuzz.py::test_without_token_everything_but_health_is_401"
TASKS = "app/api/routes/tasks.py"
NOTES = "app/api/routes/notes.py"
# A resource added with `bafa add resource` (tests/test_add_resource.py) before the defect is put in.
NOTE = ("note", "--field", "body:text", "--field", "pinned:bool=false", "--field", "due:datetime?")
TASK_LIST = "app/api/task_list.py"


@dataclass(frozen=True)
class Defect:
    answers: tuple[str, ...]
    edits: tuple[tuple[str, str, str], ...]  # (file, exact old text, new text)
    caught_by: str  # the test (id prefix) that must fail
    resource: tuple[str, ...] = ()  # `bafa add resource` arguments, run before the edits


DEFECTS = {
    # Every user's list shows every task.
    "list-without-user-filter": Defect(
        answers=("api_style=flat", "ownership_error=forbidden"),
        edits=(
            (
                TASK_LIST,
                "conditions: list[ColumnElement[bool]] = [col(Task.user_id) == self.owner]",
                "conditions: list[ColumnElement[bool]] = []",
            ),
        ),
        caught_by=ISOLATION,
    ),
    # A search replaces the conditions instead of adding to them: the owner's is lost, so a
    # search finds other users' tasks (and counts them in X-Total-Count).
    "search-without-user-filter": Defect(
        answers=("api_style=user_path", "ownership_error=not_found"),
        edits=(
            (
                TASK_LIST,
                "            conditions.append(\n                or_(",
                "            conditions = [\n                or_(",
            ),
            (
                TASK_LIST,
                "_text_contains(Task.description, self.q))\n            )\n",
                "_text_contains(Task.description, self.q))\n            ]\n",
            ),
        ),
        caught_by=ISOLATION,
    ),
    # DELETE loads the task by id and "checks" it against its own owner: anyone may delete it.
    "delete-without-ownership-check": Defect(
        answers=("api_style=user_path", "ownership_error=not_found"),
        edits=(
            (
                TASKS,
                "    task = await get_owned_task(session, owner, task_id)\n    await session.delete(task)\n",
                "    found = await session.get(Task, task_id)\n"
                "    task = await get_owned_task(session, found.user_id if found else owner, task_id)\n"
                "    await session.delete(task)\n",
            ),
        ),
        caught_by=ISOLATION,
    ),
    # Bodies accept unknown fields and create_task lets a body `user_id` pick the owner.
    "body-user-id-used": Defect(
        answers=("api_style=user_path", "ownership_error=forbidden"),
        edits=(
            (
                "app/models.py",
                'model_config = ConfigDict(extra="forbid", strict=True)',
                'model_config = ConfigDict(extra="allow", strict=True)',
            ),
            (
                TASKS,
                "task = Task(user_id=owner, **body.model_dump())",
                'task = Task(**{"user_id": owner, **body.model_dump()})',
            ),
        ),
        caught_by=ISOLATION,
    ),
    # An added resource's list forgets the owner: every user's list shows every note.
    "resource-list-without-user-filter": Defect(
        answers=("api_style=flat", "ownership_error=forbidden"),
        resource=NOTE,
        edits=((NOTES, "where = [col(Note.user_id) == owner]", "where = []"),),
        caught_by=NOTE_ISOLATION,
    ),
    # An added resource's lookup of one note forgets the owner: anyone reads, changes, deletes it.
    "resource-lookup-without-owner-check": Defect(
        answers=("api_style=user_path", "ownership_error=not_found"),
        resource=NOTE,
        edits=((NOTES, "    if item.user_id != owner:\n", "    if False:\n"),),
        caught_by=NOTE_ISOLATION,
    ),
    # One route of an added resource loses its auth dependency (no TaskOwner, so no token check).
    "resource-route-without-auth": Defect(
        answers=("api_style=flat", "ownership_error=not_found"),
        resource=NOTE,
        edits=(
            (
                NOTES,
                "async def read_note(\n    item_id: NoteId, owner: TaskOwner, session: SessionDep\n)",
                'async def read_note(\n    item_id: NoteId, session: SessionDep, owner: str = ""\n)',
            ),
        ),
        caught_by=NO_TOKEN_FUZZ,
    ),
    # Without the NumericDate check, a signed token whose iat is a numeric string gets past
    # PyJWT (int("123") works) and then fails the explicit iat comparison (str > float): 500.
    "iat-type-unchecked": Defect(
        answers=("api_style=flat", "ownership_error=not_found"),
        edits=(
            (
                "app/core/security.py",
                "            if name in claims and not _is_numeric_date(claims[name]):",
                "            if False:",
            ),
        ),
        caught_by="tests/test_token_fuzz.py::test_rightly_signed_tokens_with_wrong_claims[iat]",
    ),
    # The tombstone check is skipped: a deleted account's still-valid JWT opens its routes again
    # (and may create rows for a user who no longer exists).
    "deleted-account-token-accepted": Defect(
        answers=("api_style=user_path", "ownership_error=forbidden"),
        edits=(
            (
                "app/api/deps.py",
                '    if deleted:\n        await refuse(request, "account deleted"',
                '    if False:\n        await refuse(request, "account deleted"',
            ),
        ),
        caught_by="tests/test_account_deletion.py::test_a_deleted_users_valid_token_opens_nothing",
    ),
}


def inject(backend: Path, defect: Defect) -> None:
    for relative, old, new in defect.edits:
        path = backend / relative
        text = path.read_text()
        assert text.count(old) == 1, f"{relative} changed: this defect no longer applies, update the test"
        path.write_text(text.replace(old, new))


def run_guard_tests(backend: Path, test_file: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", test_file],
        cwd=backend,
        env=clean_env() | {"PROPERTY_SHRINK": "0"},
        capture_output=True,
        text=True,
        timeout=600,
    )


def failed_tests(output: str) -> list[str]:
    return re.findall(r"^FAILED (\S+)", output, flags=re.MULTILINE)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEFECTS))
def test_property_tests_catch_the_defect(tmp_path: Path, name: str) -> None:
    defect = DEFECTS[name]
    project = generate(tmp_path / "app", "database=sqlite", *defect.answers)
    if defect.resource:
        added = run_bafa("add", "resource", *defect.resource, str(project))
        assert added.returncode == 0, added.stderr
    backend = project / "backend"
    inject(backend, defect)

    test_file = defect.caught_by.split("::")[0]
    assert test_file in GUARD_FILES, defect.caught_by
    result = run_guard_tests(backend, test_file)

    failed = failed_tests(result.stdout)
    report = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 1, report  # 1: tests failed (not a collection or usage error)
    assert any(test.startswith(defect.caught_by) for test in failed), (failed, report)
