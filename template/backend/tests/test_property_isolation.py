"""Isolation, by property: a stateful model of several users' tasks, run against the real app.

Hypothesis plays random sequences of requests by three users: create, list (with random
filters, search, order and page), get, update (PUT and PATCH, any subset of the fields),
complete (with or without a body) and delete their own tasks; the same on other users' task ids
and on ids that never existed (or were deleted); a `user_id` smuggled into a body; and, with
api_style=user_path, another user's id in the path. A plain-Python model records who owns
which task and what each task holds, and predicts every list exactly: which tasks, in which
order, and the X-Total-Count (app/api/task_list.py's rules, written again here in Python). After
every step, each user's list equals the model's tasks for that user: no more, no less, the same
content. Every request answers below 500, and every attempt that is not the owner's answers
OWNERSHIP_STATUS (another user's task), 404 (no such task), 403 (another user's path) or 422
(a body user_id), and changes nothing.

Every resource added with `bafa add resource` (tests/resources/) gets the same isolation
properties from ResourceIsolationModel: create, read, PUT/PATCH and delete by their owner, every
request by anyone else on someone's item and on missing ids, a body `user_id`, and each user's
list equal to the model's. The task has the deeper model above; in a project without added
resources, ResourceIsolationModel runs on the task instead, so the generic model is always run.

Each example starts on empty tables (dropped and created again), so examples never interfere.
PROPERTY_EXAMPLES sets the number of runs of 20 steps (8 by default; 500 for a long run).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
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
from resources import RESOURCES, Resource
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
DESCRIPTIONS = st.none() | st.text(st.characters(categories=["L", "N", "P", "Zs"]), max_size=60)
PRIORITIES = st.sampled_from(["low", "medium", "high"])
PRIORITY_RANK = {"low": 0, "medium": 1, "high": 2}
# Due dates far from now (so "overdue" never depends on when a request runs), in any offset.
NOW = datetime.now(UTC).replace(microsecond=0)
DAYS = [-1000, -40, -5, -2, 2, 5, 40, 1000]
OFFSETS = [timedelta(0), timedelta(hours=2), timedelta(hours=-7, minutes=-30)]


def _rfc3339(moment: datetime, offset: timedelta) -> str:
    text = moment.astimezone(timezone(offset)).isoformat()
    return text.replace("+00:00", "Z")


DATES = st.builds(
    lambda days, seconds, offset: _rfc3339(NOW + timedelta(days=days, seconds=seconds), offset),
    st.sampled_from(DAYS),
    st.sampled_from([0, 1, 3600]),
    st.sampled_from(OFFSETS),
)
EDITABLE = {
    "title": TITLES,
    "description": DESCRIPTIONS,
    "completed": st.booleans(),
    "priority": PRIORITIES,
    "due_date": st.none() | DATES,
}
CREATE_BODIES = st.fixed_dictionaries(
    {"title": TITLES}, optional={k: v for k, v in EDITABLE.items() if k != "title"}
)
UPDATE_BODIES = st.fixed_dictionaries({}, optional=EDITABLE)  # PUT and PATCH alike
ONE_TASK_METHODS = ["get", "put", "patch", "toggle", "delete"]
CONTENT = ("title", "description", "completed", "priority", "due_date")
DEFAULTS = {"description": None, "completed": False, "priority": "medium", "due_date": None}
SORTS = ["created", "created_at", "updated", "updated_at", "title", "due_date", "priority"]


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _content(task: dict[str, Any]) -> dict[str, Any]:
    """What a task holds, with its due date as an instant (the API answers it in UTC)."""
    content = {name: task[name] for name in CONTENT}
    content["due_date"] = _instant(content["due_date"])
    return content


def _expected(body: dict[str, Any], before: dict[str, Any] | None = None) -> dict[str, Any]:
    """The content a task should have once `body` is applied (titles are stripped)."""
    content = {"title": "", **DEFAULTS} if before is None else _content(before)
    content.update({name: body[name] for name in CONTENT if name in body})
    content["title"] = content["title"].strip()
    if isinstance(content["due_date"], str):
        content["due_date"] = _instant(content["due_date"])
    return content


def ascii_lower(text: str) -> str:
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def predict(
    tasks: list[dict[str, Any]], params: dict[str, Any]
) -> tuple[list[dict[str, Any]], int]:
    """The page and the total the API must answer for `params`, from one user's model tasks."""
    now = datetime.now(UTC)
    chosen = []
    for task in tasks:
        due = _instant(task["due_date"])
        status = params.get("status", "all")
        if status != "all" and task["completed"] != (status == "completed"):
            continue
        if "priority" in params and task["priority"] != params["priority"]:
            continue
        if "q" in params:
            needle = ascii_lower(params["q"])
            if not any(needle in ascii_lower(task[f] or "") for f in ("title", "description")):
                continue
        if "due_after" in params and (due is None or due < _instant(params["due_after"])):
            continue
        if "due_before" in params and (due is None or due >= _instant(params["due_before"])):
            continue
        if "overdue" in params:
            overdue = due is not None and due < now and not task["completed"]
            if overdue != (params["overdue"] == "true"):
                continue
        chosen.append(task)
    sort = params.get("sort", "created")
    bare = sort.removeprefix("-")
    key_name = {"created_at": "created", "updated_at": "updated"}.get(bare, bare)
    if "order" in params:
        descending = params["order"] == "desc"
    elif sort.startswith("-"):
        descending = True
    else:
        descending = key_name in ("created", "updated")  # newest first

    def key(task: dict[str, Any]) -> tuple[Any, ...]:
        return {
            "created": (task["id"],),
            "updated": (_instant(task["updated_at"]), task["id"]),
            "title": (ascii_lower(task["title"]), task["id"]),
            "due_date": (_instant(task["due_date"]) or NOW, task["id"]),
            "priority": (PRIORITY_RANK[task["priority"]], task["id"]),
        }[key_name]

    ordered = sorted(chosen, key=key, reverse=descending)
    if key_name == "due_date":  # tasks without a due date last, in both directions
        dated = [t for t in ordered if t["due_date"] is not None]
        ordered = dated + [t for t in ordered if t["due_date"] is None]
    offset, limit = params.get("offset", 0), params.get("limit", 50)
    return ordered[offset : offset + limit], len(ordered)


class OwnedItemsMachine(RuleBasedStateMachine):
    """What both state machines below share: a fresh database per example, three users with
    their tokens, who owns which id, which ids are deleted, and a request that never 5xx."""

    def __init__(self, client: TestClient, engine: Engine) -> None:
        super().__init__()
        SQLModel.metadata.drop_all(engine)  # a fresh database for every example
        SQLModel.metadata.create_all(engine)
        self.client = client
        self.headers = {user: auth_headers(user) for user in USERS}
        self.owners: dict[int, str] = {}
        self.deleted: set[int] = set()

    def send(self, method: str, url: str, user: str, body: dict[str, Any] | None) -> httpx.Response:
        response = self.client.request(method, url, json=body, headers=self.headers[user])
        assert response.status_code < 500, (method, url, user, response.status_code, response.text)
        return response


class IsolationModel(OwnedItemsMachine):
    """Three users and their tasks: the API on one side, a dict on the other."""

    def __init__(self, client: TestClient, engine: Engine) -> None:
        super().__init__(client, engine)
        self.tasks: dict[int, dict[str, Any]] = {}  # id -> the task as the API last returned it

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
        if method in ("put", "patch") and body is None:
            body = {"title": "changed", "description": "changed", "completed": True}
        if method == "toggle":  # with or without a body
            method, url = "patch", f"{url}/complete"
        if method == "post" and body is None:
            body = {"title": "planted"}
        return self.send(method, url, user, body)

    def check_saved(self, response: httpx.Response, status: int, content: dict[str, Any]) -> None:
        assert response.status_code == status, response.text
        task = response.json()
        assert _content(task) == content, task
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
    @rule(data=st.data(), method=st.sampled_from(["put", "patch"]), body=UPDATE_BODIES)
    def update_own(self, data: st.DataObject, method: str, body: dict[str, Any]) -> None:
        """PUT and PATCH change the fields sent, and only those."""
        task_id, owner = self.draw_task(data)
        response = self.call(method, owner, task_id, body=body)
        self.check_saved(response, 200, _expected(body, self.tasks[task_id]))

    @precondition(has_tasks)
    @rule(data=st.data(), value=st.none() | st.booleans())
    def complete_own(self, data: st.DataObject, value: bool | None) -> None:
        """PATCH …/complete sets the value sent, or flips the flag without a body."""
        task_id, owner = self.draw_task(data)
        before = self.tasks[task_id]
        body = None if value is None else {"completed": value}
        completed = not before["completed"] if value is None else value
        response = self.call("toggle", owner, task_id, body=body)
        self.check_saved(response, 200, _expected({"completed": completed}, before))

    @precondition(has_tasks)
    @rule(data=st.data(), user=st.sampled_from(USERS))
    def list_filtered(self, data: st.DataObject, user: str) -> None:
        """Up to two filters, maybe an order and a page: exactly the model's prediction, and
        the total. Searches use pieces of any user's texts: other users' tasks must not match."""
        texts = [t[f] for t in self.tasks.values() for f in ("title", "description") if t[f]]
        piece = st.builds(
            lambda text, start, size: text[start : start + size],
            st.sampled_from(texts),
            st.integers(0, 10),
            st.integers(1, 4),
        ).filter(bool)
        swapped = piece.map(lambda t: "".join(c.swapcase() if c.isascii() else c for c in t))
        filters = {
            "status": st.sampled_from(["all", "pending", "completed"]),
            "priority": PRIORITIES,
            "q": piece
            | swapped
            | st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=3),
            "due_after": DATES,
            "due_before": DATES,
            "overdue": st.sampled_from(["true", "false"]),
        }
        names = data.draw(st.lists(st.sampled_from(sorted(filters)), max_size=2, unique=True))
        params: dict[str, Any] = {name: data.draw(filters[name], label=name) for name in names}
        if data.draw(st.booleans(), label="sorted"):
            sort = data.draw(st.sampled_from(SORTS), label="sort")
            params["sort"] = data.draw(st.sampled_from([sort, f"-{sort}"]), label="direction")
            if data.draw(st.booleans(), label="with order"):
                params["order"] = data.draw(st.sampled_from(["asc", "desc"]), label="order")
        if data.draw(st.booleans(), label="paged"):
            params["limit"] = data.draw(st.integers(1, 4), label="limit")
            params["offset"] = data.draw(st.integers(0, 3), label="offset")
        response = self.client.get(tasks_url(user), params=params, headers=self.headers[user])
        assert response.status_code == 200, (params, response.text)
        mine = [task for task_id, task in self.tasks.items() if self.owners[task_id] == user]
        page, total = predict(mine, params)
        got = response.json()
        assert [t["id"] for t in got] == [t["id"] for t in page], (params, got)
        assert got == page, params
        assert response.headers["X-Total-Count"] == str(total), params

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
            body = data.draw(UPDATE_BODIES, label="body") if method in ("put", "patch") else None
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
        bodies = CREATE_BODIES if method == "post" else UPDATE_BODIES
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
            mine = [
                self.tasks[i] for i in sorted(self.tasks, reverse=True) if self.owners[i] == user
            ]
            assert response.json() == mine, f"{user}'s list differs from the model (newest first)"
            assert response.headers["X-Total-Count"] == str(len(mine))

    @invariant()
    def searching_for_other_users_texts_finds_only_ones_own(self) -> None:
        """Each user searches for the start of other users' newest titles: the answer is the
        model's (the user's own matches, or nothing), never the other user's task."""
        for user in USERS:
            others = [
                t for i, t in sorted(self.tasks.items(), reverse=True) if self.owners[i] != user
            ]
            for needle in {task["title"][:3] for task in others[:2]}:
                params = {"q": needle}
                response = self.client.get(
                    tasks_url(user), params=params, headers=self.headers[user]
                )
                mine = [t for i, t in self.tasks.items() if self.owners[i] == user]
                page, total = predict(mine, params)
                assert response.json() == page, (user, params)
                assert response.headers["X-Total-Count"] == str(total), (user, params)


MACHINE_SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    phases=PHASES,
    database=None,  # nothing written into the project (no .hypothesis/ folder)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_isolation_state_machine(app: FastAPI) -> None:
    engine = app.state.sync_engine  # the same database, for the model's own resets
    with TestClient(app, raise_server_exceptions=False) as client:  # a 500 is an answer here
        run_state_machine_as_test(lambda: IsolationModel(client, engine), settings=MACHINE_SETTINGS)


ITEM_METHODS = ["get", "put", "patch", "delete"]


class ResourceIsolationModel(OwnedItemsMachine):
    """Three users and their items of one resource (tests/resources/): the API on one side, a
    dict on the other. What every user-owned resource must do, whatever its fields."""

    def __init__(self, client: TestClient, engine: Engine, resource: Resource) -> None:
        super().__init__(client, engine)
        self.resource = resource
        self.items: dict[int, dict[str, Any]] = {}  # id -> the item as the API last returned it

    def call(
        self,
        method: str,
        user: str,
        item_id: int | None = None,
        *,
        path_user: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response:
        url = self.resource.url(path_user or user, item_id)
        if method in ("put", "patch") and body is None:
            body = {}
        return self.send(method, url, user, body)

    def check_saved(
        self, response: httpx.Response, status: int, content: dict[str, Any]
    ) -> dict[str, Any]:
        assert response.status_code == status, response.text
        item = response.json()
        assert self.resource.content(item) == content, item
        self.items[item["id"]] = item
        return item

    def has_items(self) -> bool:
        return bool(self.items)

    def draw_item(self, data: st.DataObject) -> tuple[int, str]:
        item_id = data.draw(st.sampled_from(sorted(self.items)), label="item id")
        return item_id, self.owners[item_id]

    @rule(data=st.data(), user=st.sampled_from(USERS))
    def create(self, data: st.DataObject, user: str) -> None:
        """Create an item; first, sometimes, the same body naming an owner (refused)."""
        body = data.draw(self.resource.create, label="body")
        if data.draw(st.booleans(), label="try a body user_id first"):
            claimed = data.draw(st.sampled_from(USERS), label="claimed owner")
            refused = self.call("post", user, body={**body, "user_id": claimed})
            assert refused.status_code == 422, refused.text
        response = self.call("post", user, body=body)
        item = self.check_saved(response, 201, self.resource.expected(body, None))
        assert item["user_id"] == user
        assert item["id"] not in self.owners, "a new item took the id of a live one"
        self.owners[item["id"]] = user
        self.deleted.discard(item["id"])
        if data.draw(st.booleans(), label="an intruder tries it at once"):
            self.intrude(data, item["id"])

    @precondition(has_items)
    @rule(data=st.data())
    def read_own(self, data: st.DataObject) -> None:
        item_id, owner = self.draw_item(data)
        response = self.call("get", owner, item_id)
        assert response.status_code == 200, response.text
        assert response.json() == self.items[item_id]

    @precondition(has_items)
    @rule(data=st.data(), method=st.sampled_from(["put", "patch"]))
    def update_own(self, data: st.DataObject, method: str) -> None:
        """PUT and PATCH change the fields sent, and only those."""
        item_id, owner = self.draw_item(data)
        body = data.draw(self.resource.update, label="body")
        response = self.call(method, owner, item_id, body=body)
        self.check_saved(response, 200, self.resource.expected(body, self.items[item_id]))

    @precondition(has_items)
    @rule(data=st.data())
    def delete_own(self, data: st.DataObject) -> None:
        item_id, owner = self.draw_item(data)
        response = self.call("delete", owner, item_id)
        assert response.status_code == 204, response.text
        del self.items[item_id], self.owners[item_id]
        self.deleted.add(item_id)

    @precondition(has_items)
    @rule(data=st.data(), user=st.sampled_from(USERS))
    def list_a_page(self, data: st.DataObject, user: str) -> None:
        """A page of the list (newest first) and the total: the user's own items only."""
        params = {"limit": data.draw(st.integers(1, 4)), "offset": data.draw(st.integers(0, 3))}
        response = self.client.get(
            self.resource.url(user), params=params, headers=self.headers[user]
        )
        assert response.status_code == 200, (params, response.text)
        mine = [self.items[i] for i in sorted(self.items, reverse=True) if self.owners[i] == user]
        assert response.json() == mine[params["offset"] : params["offset"] + params["limit"]]
        assert response.headers["X-Total-Count"] == str(len(mine))

    @precondition(has_items)
    @rule(data=st.data())
    def touch_other_users_item(self, data: st.DataObject) -> None:
        self.intrude(data, self.draw_item(data)[0])

    def intrude(self, data: st.DataObject, item_id: int) -> None:
        """An intruder tries every request on someone else's item: refused, nothing changes."""
        owner = self.owners[item_id]
        intruder = data.draw(st.sampled_from([u for u in USERS if u != owner]), label="intruder")
        for method in data.draw(st.permutations(ITEM_METHODS), label="methods"):
            body = data.draw(self.resource.update) if method in ("put", "patch") else None
            response = self.call(method, intruder, item_id, body=body)
            assert response.status_code == OWNERSHIP_STATUS, (method, response.text)
            assert response.json() == {"detail": self.resource.not_yours}

    @rule(data=st.data(), user=st.sampled_from(USERS), methods=st.permutations(ITEM_METHODS))
    def touch_missing_item(self, data: st.DataObject, user: str, methods: list[str]) -> None:
        """Every request on an id that never existed, or was deleted, is a 404."""
        known = max([*self.owners, *self.deleted], default=0)
        never = st.integers(min_value=known + 1000, max_value=MAX_DB_INT)
        deleted = sorted(self.deleted - set(self.owners))
        item_id = data.draw((st.sampled_from(deleted) | never) if deleted else never)
        for method in methods:
            response = self.call(method, user, item_id)
            assert response.status_code == 404, (method, response.text)
            assert response.json() == {"detail": self.resource.not_found}

    @precondition(has_items)
    @rule(data=st.data(), claimed=st.sampled_from(USERS), method=st.sampled_from(["put", "patch"]))
    def smuggle_user_id_in_update(self, data: st.DataObject, claimed: str, method: str) -> None:
        item_id, owner = self.draw_item(data)
        body = {**data.draw(self.resource.update, label="body"), "user_id": claimed}
        response = self.call(method, owner, item_id, body=body)
        assert response.status_code == 422, (method, response.text)

    @precondition(lambda self: API_STYLE == "user_path")
    @rule(
        data=st.data(),
        user=st.sampled_from(USERS),
        methods=st.permutations(["list", "post", *ITEM_METHODS]),
    )
    def use_other_users_path(self, data: st.DataObject, user: str, methods: list[str]) -> None:
        """Every request on another user's path is a 403, whatever the item id."""
        victim = data.draw(st.sampled_from([u for u in USERS if u != user]), label="victim")
        ids = sorted(self.items) or [1]
        for method in methods:
            item_id = None
            if method not in ("list", "post"):
                item_id = data.draw(st.sampled_from(ids) | st.integers(1, MAX_DB_INT), label="id")
            verb = "get" if method == "list" else method
            body = data.draw(self.resource.create) if method == "post" else None
            response = self.call(verb, user, item_id, path_user=victim, body=body)
            assert response.status_code == 403, (method, response.text)

    @invariant()
    def nobody_else_reads_an_item(self) -> None:
        """After every step, each item read by the next user: refused (the single-item lookup
        checks the owner, whatever the random steps were)."""
        for item_id, owner in self.owners.items():
            other = USERS[(USERS.index(owner) + 1) % len(USERS)]
            response = self.call("get", other, item_id)
            assert response.status_code == OWNERSHIP_STATUS, response.text
            assert response.json() == {"detail": self.resource.not_yours}

    @invariant()
    def each_list_is_exactly_the_users_items(self) -> None:
        for user in USERS:
            response = self.client.get(
                self.resource.url(user), params={"limit": 100}, headers=self.headers[user]
            )
            assert response.status_code == 200, response.text
            mine = [
                self.items[i] for i in sorted(self.items, reverse=True) if self.owners[i] == user
            ]
            assert response.json() == mine, f"{user}'s list differs from the model (newest first)"
            assert response.headers["X-Total-Count"] == str(len(mine))


# The added resources; the task (IsolationModel's) only when there is none.
GENERIC = [resource for resource in RESOURCES if resource.name != "task"] or RESOURCES


@pytest.mark.parametrize("resource", GENERIC, ids=[r.name for r in GENERIC])
def test_resource_isolation_state_machine(app: FastAPI, resource: Resource) -> None:
    engine = app.state.sync_engine
    with TestClient(app, raise_server_exceptions=False) as client:
        run_state_machine_as_test(
            lambda: ResourceIsolationModel(client, engine, resource), settings=MACHINE_SETTINGS
        )
