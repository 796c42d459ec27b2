"""Isolation, by property: a stateful model of several users' tasks, run against the real app.

Hypothesis plays random sequences of requests by three users: create, list, get, replace (PUT),
patch, toggle and delete their own tasks; the same on other users' task ids and on ids that
never existed (or were deleted); a `user_id` smuggled into a body; and, with
api_style=user_path, another user's id in the path. A plain-Python model records who owns
which task and what each task holds. After every step, each user's list equals the model's
tasks for that user: no more, no less, the same content. Every request answers below 500, and
every attempt that is not the owner's answers OWNERSHIP_STATUS (another user's task), 404 (no
such task), 403 (another user's path) or 422 (a body user_id), and changes nothing.

Each example starts on empty tables (dropped and created again), so examples never interfere.
PROPERTY_EXAMPLES sets the number of runs of 20 steps (8 by default; 500 for a long run).
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine
from sqlmodel import SQLModel
from support import API_STYLE, OWNERSHIP_DETAIL, OWNERSHIP_STATUS, auth_headers, tasks_url

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "8"))  # runs of STEPS steps each
STEPS = 20
# PROPERTY_SHRINK=0: report the first failing run as found, without minimising it (faster).
PHASES = [p for p in Phase if p is not Phase.shrink or os.environ.get("PROPERTY_SHRINK") != "0"]
MAX_DB_INT = 2**63 - 1

USERS = ("user-alice-01", "user-bob-0002", "user-carol-03")
MISSING = {"detail": "task not found"}

TITLES = st.text(
    st.characters(categories=["L", "N"]) | st.sampled_from(" -'"), min_size=1, max_size=40
).filter(lambda title: bool(title.strip()))
DESCRIPTIONS = st.text(st.characters(categories=["L", "N", "P", "Zs"]), max_size=60)
CREATE_BODIES = st.fixed_dictionaries(
    {"title": TITLES}, optional={"description": DESCRIPTIONS, "completed": st.booleans()}
)
REPLACE_BODIES = st.fixed_dictionaries(
    {"title": TITLES, "description": DESCRIPTIONS, "completed": st.booleans()}
)
PATCH_BODIES = st.fixed_dictionaries(
    {}, optional={"title": TITLES, "description": DESCRIPTIONS, "completed": st.booleans()}
)
ONE_TASK_METHODS = ["get", "put", "patch", "toggle", "delete"]
CONTENT = ("title", "description", "completed")


def _expected(body: dict[str, Any], before: dict[str, Any] | None = None) -> dict[str, Any]:
    """The content a task should have once `body` is applied (titles are stripped)."""
    content = {"title": "", "description": "", "completed": False}
    if before is not None:
        content = {name: before[name] for name in CONTENT}
    content.update({name: body[name] for name in CONTENT if name in body})
    content["title"] = content["title"].strip()
    return content


class IsolationModel(RuleBasedStateMachine):
    """Three users and their tasks: the API on one side, a dict on the other."""

    def __init__(self, client: TestClient, engine: Engine) -> None:
        super().__init__()
        SQLModel.metadata.drop_all(engine)  # a fresh database for every example
        SQLModel.metadata.create_all(engine)
        self.client = client
        self.headers = {user: auth_headers(user) for user in USERS}
        self.tasks: dict[int, dict[str, Any]] = {}  # id -> the task as the API last returned it
        self.owners: dict[int, str] = {}
        self.deleted: set[int] = set()

    # --- helpers --------------------------------------------------------------------------

    def call(
        self,
        method: str,
        user: str,
        task_id: int | None = None,
        *,
        path_user: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """`method` ("toggle" is PATCH .../complete) as `user`, on `path_user`'s URL."""
        url = tasks_url(path_user or user, task_id)
        if method == "toggle":
            method, url = "patch", f"{url}/complete"
        if method in ("put", "patch") and body is None:
            body = {"title": "changed", "description": "changed", "completed": True}
        if method == "post" and body is None:
            body = {"title": "planted"}
        response = self.client.request(method, url, json=body, headers=self.headers[user])
        assert response.status_code < 500, (method, url, user, response.status_code, response.text)
        return response

    def check_saved(self, response: httpx.Response, status: int, content: dict[str, Any]) -> None:
        assert response.status_code == status, response.text
        task = response.json()
        assert {name: task[name] for name in CONTENT} == content, task
        self.tasks[task["id"]] = task

    def draw_task(self, data: st.DataObject) -> tuple[int, str]:
        task_id = data.draw(st.sampled_from(sorted(self.tasks)), label="task id")
        return task_id, self.owners[task_id]

    def has_tasks(self) -> bool:
        return bool(self.tasks)

    # --- the owner's own requests ---------------------------------------------------------

    @rule(data=st.data(), user=st.sampled_from(USERS), body=CREATE_BODIES)
    def create(self, data: st.DataObject, user: str, body: dict[str, Any]) -> None:
        """Create a task; first, sometimes, the same body naming an owner (refused)."""
        if data.draw(st.booleans(), label="try a body user_id first"):
            claimed = data.draw(st.sampled_from(USERS), label="claimed owner")
            refused = self.call("post", user, body={**body, "user_id": claimed})
            assert refused.status_code == 422, refused.text
        response = self.call("post", user, body=body)
        self.check_saved(response, 201, _expected(body))
        task_id = response.json()["id"]
        assert task_id not in self.owners, "a new task took the id of a live one"
        self.owners[task_id] = user
        self.deleted.discard(task_id)  # SQLite may hand out a deleted id again
        if data.draw(st.booleans(), label="an intruder tries it at once"):
            self.intrude(data, task_id)

    @precondition(has_tasks)
    @rule(data=st.data())
    def read_own(self, data: st.DataObject) -> None:
        task_id, owner = self.draw_task(data)
        response = self.call("get", owner, task_id)
        assert response.status_code == 200, response.text
        assert response.json() == self.tasks[task_id]

    @precondition(has_tasks)
    @rule(data=st.data(), body=REPLACE_BODIES)
    def replace_own(self, data: st.DataObject, body: dict[str, Any]) -> None:
        task_id, owner = self.draw_task(data)
        self.check_saved(self.call("put", owner, task_id, body=body), 200, _expected(body))

    @precondition(has_tasks)
    @rule(data=st.data(), body=PATCH_BODIES)
    def patch_own(self, data: st.DataObject, body: dict[str, Any]) -> None:
        task_id, owner = self.draw_task(data)
        response = self.call("patch", owner, task_id, body=body)
        self.check_saved(response, 200, _expected(body, self.tasks[task_id]))

    @precondition(has_tasks)
    @rule(data=st.data())
    def toggle_own(self, data: st.DataObject) -> None:
        task_id, owner = self.draw_task(data)
        before = self.tasks[task_id]
        expected = _expected({"completed": not before["completed"]}, before)
        self.check_saved(self.call("toggle", owner, task_id), 200, expected)

    @precondition(has_tasks)
    @rule(data=st.data())
    def delete_own(self, data: st.DataObject) -> None:
        task_id, owner = self.draw_task(data)
        response = self.call("delete", owner, task_id)
        assert response.status_code == 204, response.text
        del self.tasks[task_id], self.owners[task_id]
        self.deleted.add(task_id)

    # --- attempts that must fail and change nothing ---------------------------------------

    @precondition(has_tasks)
    @rule(data=st.data())
    def touch_other_users_task(self, data: st.DataObject) -> None:
        self.intrude(data, self.draw_task(data)[0])

    def intrude(self, data: st.DataObject, task_id: int) -> None:
        """An intruder tries every request on someone else's task, in a random order."""
        owner = self.owners[task_id]
        intruder = data.draw(st.sampled_from([u for u in USERS if u != owner]), label="intruder")
        for method in data.draw(st.permutations(ONE_TASK_METHODS), label="methods"):
            body = data.draw(REPLACE_BODIES if method == "put" else PATCH_BODIES, label="body")
            response = self.call(method, intruder, task_id, body=body)
            assert response.status_code == OWNERSHIP_STATUS, (method, response.text)
            assert response.json() == {"detail": OWNERSHIP_DETAIL}

    @rule(data=st.data(), user=st.sampled_from(USERS), methods=st.permutations(ONE_TASK_METHODS))
    def touch_missing_task(self, data: st.DataObject, user: str, methods: list[str]) -> None:
        """Every request on an id that never existed, or was deleted, is a 404."""
        known = max([*self.owners, *self.deleted], default=0)
        never = st.integers(min_value=known + 1000, max_value=MAX_DB_INT)
        deleted = sorted(self.deleted - set(self.owners))
        ids = (st.sampled_from(deleted) | never) if deleted else never
        task_id = data.draw(ids, label="missing id")
        for method in methods:
            response = self.call(method, user, task_id)
            assert response.status_code == 404, (method, response.text)
            assert response.json() == MISSING

    @rule(
        data=st.data(),
        user=st.sampled_from(USERS),
        claimed=st.sampled_from(USERS),
        method=st.sampled_from(["post", "put", "patch"]),
    )
    def smuggle_user_id_in_body(
        self, data: st.DataObject, user: str, claimed: str, method: str
    ) -> None:
        own = sorted(i for i, owner in self.owners.items() if owner == user)
        if method != "post" and not own:
            method = "post"
        bodies = {"post": CREATE_BODIES, "put": REPLACE_BODIES, "patch": PATCH_BODIES}[method]
        body = data.draw(bodies, label="body")
        task_id = None if method == "post" else data.draw(st.sampled_from(own), label="own id")
        response = self.call(method, user, task_id, body={**body, "user_id": claimed})
        assert response.status_code == 422, (method, response.text)

    @precondition(lambda self: API_STYLE == "user_path")
    @rule(
        data=st.data(),
        user=st.sampled_from(USERS),
        methods=st.permutations(["list", "post", *ONE_TASK_METHODS]),
    )
    def use_other_users_path(self, data: st.DataObject, user: str, methods: list[str]) -> None:
        """Every request on another user's path is a 403, whatever the task id."""
        victim = data.draw(st.sampled_from([u for u in USERS if u != user]), label="victim")
        ids = sorted(self.tasks) or [1]
        for method in methods:
            task_id = None
            if method not in ("list", "post"):
                task_id = data.draw(st.sampled_from(ids) | st.integers(1, MAX_DB_INT), label="id")
            verb = "get" if method == "list" else method
            response = self.call(verb, user, task_id, path_user=victim)
            assert response.status_code == 403, (method, response.text)
            assert set(response.json()) == {"detail"}

    # --- after every step -----------------------------------------------------------------

    @invariant()
    def each_list_is_exactly_the_users_tasks(self) -> None:
        for user in USERS:
            response = self.client.get(
                tasks_url(user), params={"limit": 100}, headers=self.headers[user]
            )
            assert response.status_code == 200, response.text
            expected = [self.tasks[i] for i in sorted(self.tasks) if self.owners[i] == user]
            assert response.json() == expected, f"{user}'s list differs from the model"


def test_isolation_state_machine(app: FastAPI) -> None:
    engine = app.state.sync_engine  # the same database, for the model's own resets
    with TestClient(app, raise_server_exceptions=False) as client:  # a 500 is an answer here
        run_state_machine_as_test(
            lambda: IsolationModel(client, engine),
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                phases=PHASES,
                database=None,  # nothing written into the project (no .hypothesis/ folder)
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
