"""The ownership check: user B can neither see nor change user A's tasks."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support import OWNERSHIP_DETAIL, OWNERSHIP_STATUS, USER_A, USER_B, tasks_url


def create(client: TestClient, headers: dict[str, str], owner: str, **body: object) -> dict:
    response = client.post(tasks_url(owner), json={"title": "task", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_owner_crud(client: TestClient, headers_a: dict[str, str]) -> None:
    task = create(client, headers_a, USER_A, title="  Write tests  ", description="all of them")
    assert task["title"] == "Write tests"
    assert task["description"] == "all of them"
    assert task["completed"] is False
    assert task["created_at"].endswith(("Z", "+00:00"))
    url = tasks_url(USER_A, task["id"])

    assert client.get(tasks_url(USER_A), headers=headers_a).json() == [task]
    assert client.get(url, headers=headers_a).json() == task

    put = client.put(
        url, json={"title": "Renamed", "description": "", "completed": True}, headers=headers_a
    )
    assert put.status_code == 200
    assert (put.json()["title"], put.json()["description"], put.json()["completed"]) == (
        "Renamed",
        "",
        True,
    )

    patch = client.patch(url, json={"description": "patched"}, headers=headers_a)
    assert patch.status_code == 200
    assert patch.json()["title"] == "Renamed"
    assert patch.json()["description"] == "patched"
    assert patch.json()["completed"] is True

    toggled = client.patch(f"{url}/complete", headers=headers_a)
    assert toggled.status_code == 200
    assert toggled.json()["completed"] is False
    assert client.patch(f"{url}/complete", headers=headers_a).json()["completed"] is True

    deleted = client.delete(url, headers=headers_a)
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = client.get(url, headers=headers_a)
    assert gone.status_code == 404
    assert gone.json() == {"detail": "task not found"}
    assert client.get(tasks_url(USER_A), headers=headers_a).json() == []


def test_other_user_cannot_touch_task(
    client: TestClient, headers_a: dict[str, str], headers_b: dict[str, str]
) -> None:
    task = create(client, headers_a, USER_A, title="A's secret", description="private")
    url_a = tasks_url(USER_A, task["id"])
    before = client.get(url_a, headers=headers_a).content

    # B addresses the task through B's own routes.
    url_b = tasks_url(USER_B, task["id"])
    attempts = [
        client.get(url_b, headers=headers_b),
        client.put(
            url_b, json={"title": "pwned", "description": "", "completed": True}, headers=headers_b
        ),
        client.patch(url_b, json={"title": "pwned"}, headers=headers_b),
        client.patch(f"{url_b}/complete", headers=headers_b),
        client.delete(url_b, headers=headers_b),
    ]
    for response in attempts:
        assert response.status_code == OWNERSHIP_STATUS, response.text
        assert response.json() == {"detail": OWNERSHIP_DETAIL}
        assert "A's secret" not in response.text

    assert client.get(tasks_url(USER_B), headers=headers_b).json() == []
    assert client.get(url_a, headers=headers_a).content == before


def test_missing_task_is_404(client: TestClient, headers_a: dict[str, str]) -> None:
    response = client.get(tasks_url(USER_A, 999_999), headers=headers_a)
    assert response.status_code == 404
    assert response.json() == {"detail": "task not found"}


def test_lists_are_per_user(
    client: TestClient, headers_a: dict[str, str], headers_b: dict[str, str]
) -> None:
    a1 = create(client, headers_a, USER_A, title="a1")
    b1 = create(client, headers_b, USER_B, title="b1")
    a2 = create(client, headers_a, USER_A, title="a2")
    listed_a = client.get(tasks_url(USER_A), headers=headers_a)
    assert listed_a.json() == [a2, a1]  # newest first
    assert listed_a.headers["X-Total-Count"] == "2"
    listed_b = client.get(tasks_url(USER_B), headers=headers_b)
    assert listed_b.json() == [b1]
    assert listed_b.headers["X-Total-Count"] == "1"
    assert {a1["user_id"], a2["user_id"], b1["user_id"]} == {USER_A, USER_B}
    assert a1["user_id"] == USER_A


def test_body_user_id_rejected(
    client: TestClient, headers_a: dict[str, str], headers_b: dict[str, str]
) -> None:
    response = client.post(
        tasks_url(USER_B), json={"title": "smuggled", "user_id": USER_A}, headers=headers_b
    )
    assert response.status_code == 422
    assert client.get(tasks_url(USER_A), headers=headers_a).json() == []
    assert client.get(tasks_url(USER_B), headers=headers_b).json() == []

    task = create(client, headers_a, USER_A)
    url = tasks_url(USER_A, task["id"])
    for method, body in (
        ("put", {"title": "t", "description": "", "completed": False, "user_id": USER_B}),
        ("patch", {"user_id": USER_B}),
    ):
        assert client.request(method, url, json=body, headers=headers_a).status_code == 422
    assert client.get(tasks_url(USER_B), headers=headers_b).json() == []
    assert client.get(url, headers=headers_a).json() == task


def test_a_deleted_tasks_id_is_never_given_to_another_task(
    client: TestClient, headers_a: dict[str, str], headers_b: dict[str, str]
) -> None:
    """A's bookmark or cached link to a deleted task must never open B's next task."""
    created = client.post(tasks_url(USER_A), json={"title": "mine"}, headers=headers_a).json()
    assert client.delete(tasks_url(USER_A, created["id"]), headers=headers_a).status_code == 204
    other = client.post(tasks_url(USER_B), json={"title": "B's"}, headers=headers_b).json()
    assert other["id"] != created["id"]
