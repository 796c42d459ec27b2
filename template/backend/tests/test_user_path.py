"""user_path API style: the user id in the URL must be the token's own."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support import USER_A, USER_B, tasks_url

MISMATCH = {"detail": "user id in path does not match token"}


def test_other_users_path_is_forbidden(
    client: TestClient, headers_a: dict[str, str], headers_b: dict[str, str]
) -> None:
    task = client.post(tasks_url(USER_A), json={"title": "mine"}, headers=headers_a).json()
    before = client.get(tasks_url(USER_A, task["id"]), headers=headers_a).content

    url = tasks_url(USER_A, task["id"])
    replacement = {"title": "x", "description": "", "completed": True}
    attempts = [
        client.get(tasks_url(USER_A), headers=headers_b),
        client.post(tasks_url(USER_A), json={"title": "planted"}, headers=headers_b),
        client.get(url, headers=headers_b),
        client.put(url, json=replacement, headers=headers_b),
        client.patch(url, json={"title": "x"}, headers=headers_b),
        client.patch(f"{url}/complete", headers=headers_b),
        client.delete(url, headers=headers_b),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.json() == MISMATCH

    assert client.get(tasks_url(USER_A), headers=headers_a).json() == [task]
    assert client.get(url, headers=headers_a).content == before
    assert client.get(tasks_url(USER_B), headers=headers_b).json() == []


def test_path_checked_after_token(client: TestClient) -> None:
    response = client.get(tasks_url(USER_A))
    assert response.status_code == 401
