"""The task API as clients of the Todo spec use it: filters, search, order, the total count,
partial updates with PUT, the complete endpoint with and without a body, priority and due date.
Every list here is also asked as the other user, who must see none of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support import USER_A, USER_B, tasks_url

NOW = datetime.now(UTC)
PAST = (NOW - timedelta(days=3)).isoformat().replace("+00:00", "Z")
SOON = (NOW + timedelta(days=1)).isoformat().replace("+00:00", "Z")
LATER = (NOW + timedelta(days=30)).isoformat().replace("+00:00", "Z")


def _create(client: TestClient, headers: dict[str, str], owner: str, **body: Any) -> dict:
    response = client.post(tasks_url(owner), json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _titles(client: TestClient, headers: dict[str, str], owner: str, **params: Any) -> list[str]:
    response = client.get(tasks_url(owner), params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["X-Total-Count"] == str(len(response.json())), "one page here"
    return [task["title"] for task in response.json()]


@pytest.fixture
def seeded(
    client: TestClient, headers_a: dict[str, str], headers_b: dict[str, str]
) -> dict[str, dict]:
    """A's tasks, created in this order, and B's look-alikes (which A must never see)."""
    tasks = {
        "milk": _create(client, headers_a, USER_A, title="buy Milk", priority="low", due_date=SOON),
        "bank": _create(
            client,
            headers_a,
            USER_A,
            title="Call the bank",
            description="about the MORTGAGE",
            priority="high",
            due_date=PAST,
        ),
        "zoo": _create(client, headers_a, USER_A, title="zoo trip", completed=True, due_date=PAST),
        "apple": _create(client, headers_a, USER_A, title="Apple pie", due_date=LATER),
    }
    for title in ("buy Milk", "Call the bank", "Apple pie", "mortgage papers"):
        _create(client, headers_b, USER_B, title=title, description="mortgage", due_date=PAST)
    return tasks


QUERIES = [
    ({}, ["Apple pie", "zoo trip", "Call the bank", "buy Milk"]),  # newest first
    ({"status": "all"}, ["Apple pie", "zoo trip", "Call the bank", "buy Milk"]),
    ({"status": "pending"}, ["Apple pie", "Call the bank", "buy Milk"]),
    ({"status": "completed"}, ["zoo trip"]),
    ({"priority": "high"}, ["Call the bank"]),
    ({"priority": "medium"}, ["Apple pie", "zoo trip"]),
    ({"q": "milk"}, ["buy Milk"]),
    ({"q": "MORTGAGE"}, ["Call the bank"]),  # the description counts; A-Z ignore case
    ({"q": "nothing like it"}, []),
    ({"sort": "created"}, ["Apple pie", "zoo trip", "Call the bank", "buy Milk"]),
    ({"sort": "created", "order": "asc"}, ["buy Milk", "Call the bank", "zoo trip", "Apple pie"]),
    (
        {"sort": "created_at", "order": "asc"},
        ["buy Milk", "Call the bank", "zoo trip", "Apple pie"],
    ),
    ({"sort": "title"}, ["Apple pie", "buy Milk", "Call the bank", "zoo trip"]),
    ({"sort": "-title"}, ["zoo trip", "Call the bank", "buy Milk", "Apple pie"]),
    ({"sort": "-title", "order": "asc"}, ["Apple pie", "buy Milk", "Call the bank", "zoo trip"]),
    ({"sort": "priority"}, ["buy Milk", "zoo trip", "Apple pie", "Call the bank"]),
    ({"sort": "priority", "order": "desc"}, ["Call the bank", "Apple pie", "zoo trip", "buy Milk"]),
    ({"sort": "due_date"}, ["Call the bank", "zoo trip", "buy Milk", "Apple pie"]),
    ({"sort": "-due_date"}, ["Apple pie", "buy Milk", "zoo trip", "Call the bank"]),
    ({"overdue": "true"}, ["Call the bank"]),  # zoo trip is past due but completed
    ({"overdue": "false"}, ["Apple pie", "zoo trip", "buy Milk"]),
    ({"due_before": SOON}, ["zoo trip", "Call the bank"]),
    ({"due_after": SOON}, ["Apple pie", "buy Milk"]),  # on or after
    ({"due_after": PAST, "due_before": SOON, "status": "pending"}, ["Call the bank"]),
]


@pytest.mark.parametrize(("params", "expected"), QUERIES, ids=[str(q) for q, _ in QUERIES])
def test_filters_search_and_order(
    client: TestClient,
    headers_a: dict[str, str],
    headers_b: dict[str, str],
    seeded: dict[str, dict],
    params: dict[str, str],
    expected: list[str],
) -> None:
    assert _titles(client, headers_a, USER_A, **params) == expected
    b_titles = _titles(client, headers_b, USER_B, **params)
    assert set(b_titles) <= {"buy Milk", "Call the bank", "Apple pie", "mortgage papers"}
    b_tasks = client.get(tasks_url(USER_B), params=params, headers=headers_b).json()
    assert all(task["user_id"] == USER_B for task in b_tasks), "B saw another user's task"


def test_total_count_counts_every_page(
    client: TestClient, headers_a: dict[str, str], seeded: dict[str, dict]
) -> None:
    response = client.get(
        tasks_url(USER_A), params={"status": "pending", "limit": 2}, headers=headers_a
    )
    assert len(response.json()) == 2
    assert response.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize(
    "params",
    [
        {"status": "done"},
        {"sort": "owner"},
        {"sort": "--title"},
        {"order": "up"},
        {"priority": "urgent"},
        {"q": ""},
        {"q": "x" * 201},
        {"due_before": "2030-01-01"},
        {"due_before": "2030-01-01T00:00:00"},  # no offset: which day is that?
        {"due_after": "1700000000"},
        {"due_after": "2030-02-30T00:00:00Z"},
        {"overdue": "maybe"},
    ],
)
def test_bad_list_parameters_are_422(
    client: TestClient, headers_a: dict[str, str], params: dict[str, str]
) -> None:
    assert client.get(tasks_url(USER_A), params=params, headers=headers_a).status_code == 422


def test_put_and_patch_change_only_what_was_sent(
    client: TestClient, headers_a: dict[str, str], seeded: dict[str, dict]
) -> None:
    bank = seeded["bank"]
    url = tasks_url(USER_A, bank["id"])
    for method in ("put", "patch"):
        edited = client.request(
            method, url, json={"title": "Call the bank", "description": "today"}, headers=headers_a
        ).json()
        assert {k: edited[k] for k in ("completed", "priority", "due_date")} == {
            k: bank[k] for k in ("completed", "priority", "due_date")
        }
        assert edited["description"] == "today"
        done = client.request(method, url, json={"completed": True}, headers=headers_a).json()
        assert (done["completed"], done["title"], done["description"]) == (
            True,
            bank["title"],
            "today",
        )
        client.request(method, url, json={"completed": False}, headers=headers_a)
    unchanged = client.put(url, json={}, headers=headers_a)
    assert unchanged.status_code == 200
    cleared = client.patch(url, json={"description": None, "due_date": None}, headers=headers_a)
    assert (cleared.json()["description"], cleared.json()["due_date"]) == (None, None)
    moved = client.put(url, json={"due_date": "2031-03-04T05:06:07+02:00"}, headers=headers_a)
    assert moved.json()["due_date"] == "2031-03-04T03:06:07Z"  # stored and answered in UTC


def test_complete_sets_the_value_sent_or_flips_without_a_body(
    client: TestClient, headers_a: dict[str, str], seeded: dict[str, dict]
) -> None:
    url = tasks_url(USER_A, seeded["zoo"]["id"]) + "/complete"  # completed already
    for _ in range(2):  # setting true twice keeps it true (it used to flip)
        assert client.patch(url, json={"completed": True}, headers=headers_a).json()["completed"]
    assert client.patch(url, headers=headers_a).json()["completed"] is False
    assert client.patch(url, headers=headers_a).json()["completed"] is True
    assert (
        client.patch(url, json={"completed": False}, headers=headers_a).json()["completed"] is False
    )
    for body in ({"completed": "yes"}, {"completed": None}, {}, {"completed": True, "title": "x"}):
        assert client.patch(url, json=body, headers=headers_a).status_code == 422, body


def test_new_fields_defaults_and_user_id(client: TestClient, headers_a: dict[str, str]) -> None:
    task = _create(client, headers_a, USER_A, title="plain")
    assert task["user_id"] == USER_A
    assert (task["description"], task["priority"], task["due_date"]) == (None, "medium", None)


def test_a_body_turned_into_a_task_keeps_every_value() -> None:
    """Task and the bodies share TaskBase: `Task.model_validate(body, update=...)` (SQLModel's
    way, which a new route may use) takes a validated body as it is, due date included."""
    from app.models import Priority, Task, TaskCreate

    body = TaskCreate.model_validate(
        {"title": " buy milk ", "description": "2 l", "priority": "high", "due_date": SOON}
    )
    task = Task.model_validate(body, update={"user_id": USER_A})
    assert (task.user_id, task.title, task.description) == (USER_A, "buy milk", "2 l")
    assert (task.completed, task.priority) == (False, Priority.high)
    assert task.due_date == datetime.fromisoformat(SOON) and task.due_date.tzinfo == UTC
