"""Input limits: bad input is a 4xx (never a 500), and pagination is stable."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import SQLModel
from support import USER_A, auth_headers, tasks_url

from app.api.deps import CurrentUser


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "ok", "description": "d" * 2001},
        {"title": 123},
        {"title": None},
        {},
        {"title": "ok", "completed": "maybe"},
        {"title": "nul\u0000byte"},
        {"title": "ok", "description": "nul\u0000byte"},
    ],
)
def test_invalid_create_bodies(
    client: TestClient, headers_a: dict[str, str], body: dict[str, object]
) -> None:
    assert client.post(tasks_url(USER_A), json=body, headers=headers_a).status_code == 422
    assert client.get(tasks_url(USER_A), headers=headers_a).json() == []


def test_limits_are_inclusive(client: TestClient, headers_a: dict[str, str]) -> None:
    body = {"title": "x" * 200, "description": "d" * 1000}
    response = client.post(tasks_url(USER_A), json=body, headers=headers_a)
    assert response.status_code == 201
    assert response.json()["title"] == "x" * 200
    assert (
        client.post(
            tasks_url(USER_A), json={**body, "description": "d" * 1001}, headers=headers_a
        ).status_code
        == 422
    )


def test_non_json_body(client: TestClient, headers_a: dict[str, str]) -> None:
    response = client.post(
        tasks_url(USER_A),
        content=b"not json",
        headers={**headers_a, "Content-Type": "application/json"},
    )
    assert response.status_code == 422


def test_invalid_updates(client: TestClient, headers_a: dict[str, str]) -> None:
    task = client.post(tasks_url(USER_A), json={"title": "t"}, headers=headers_a).json()
    url = tasks_url(USER_A, task["id"])
    for method in ("put", "patch"):
        for body in (
            {"title": "  "},
            {"title": None},
            {"completed": None},
            {"priority": None},
            {"priority": "urgent"},
            {"description": "d" * 1001},
            {"due_date": "2030-01-01T00:00:00"},  # no offset
            {"due_date": "1700000000"},
            {"id": 5},
            {"user_id": USER_A},
            {"created_at": "2030-01-01T00:00:00Z"},
        ):
            response = client.request(method, url, json=body, headers=headers_a)
            assert response.status_code == 422, (method, body, response.text)
    assert client.get(url, headers=headers_a).json() == task


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=abc", "offset=1e3"])
def test_invalid_pagination(client: TestClient, headers_a: dict[str, str], query: str) -> None:
    assert client.get(f"{tasks_url(USER_A)}?{query}", headers=headers_a).status_code == 422


@pytest.mark.parametrize(
    "task_id", ["abc", "1.5", "0", "-1", str(2**63), str(2**64), "9" * 50, str(2**63 - 1)]
)
def test_bad_task_ids_are_4xx(client: TestClient, headers_a: dict[str, str], task_id: str) -> None:
    url = tasks_url(USER_A, task_id)
    for method in ("get", "put", "patch", "delete"):
        kwargs = {} if method in ("get", "delete") else {"json": {"title": "x"}}
        response = client.request(method, url, headers=headers_a, **kwargs)
        assert response.status_code in (404, 422), (method, task_id, response.status_code)
    response = client.patch(f"{url}/complete", headers=headers_a)
    assert response.status_code in (404, 422)


def test_huge_offset_is_not_a_500(client: TestClient, headers_a: dict[str, str]) -> None:
    response = client.get(f"{tasks_url(USER_A)}?offset={2**64}", headers=headers_a)
    assert response.status_code == 422
    response = client.get(f"{tasks_url(USER_A)}?offset={2**63 - 1}", headers=headers_a)
    assert response.status_code == 200
    assert response.json() == []


def test_pagination_is_stable(client: TestClient, headers_a: dict[str, str]) -> None:
    ids = [
        client.post(tasks_url(USER_A), json={"title": f"t{i}"}, headers=headers_a).json()["id"]
        for i in range(7)
    ]
    assert ids == sorted(ids)
    newest_first = ids[::-1]
    pages = [
        client.get(f"{tasks_url(USER_A)}?limit=3&offset={offset}", headers=headers_a)
        for offset in (0, 3, 6, 9)
    ]
    assert [len(page.json()) for page in pages] == [3, 3, 1, 0]
    assert {page.headers["X-Total-Count"] for page in pages} == {"7"}
    assert [task["id"] for page in pages for task in page.json()] == newest_first
    everything = client.get(tasks_url(USER_A), headers=headers_a).json()
    assert [task["id"] for task in everything] == newest_first
    assert [t["title"] for t in everything] == [f"t{i}" for i in reversed(range(7))]


@pytest.mark.parametrize(
    ("title", "accepted"),
    [
        (" " + "x" * 200, False),  # 201 characters sent: over the limit, although trimmed it fits
        ("x" * 200, True),
        ("  " + "x" * 198, True),  # stored trimmed
        ("\t\n", False),
        ("\u00a0", True),  # only ASCII whitespace is trimmed, as the schema's pattern says
    ],
)
def test_title_rules_are_the_schemas(
    client: TestClient, headers_a: dict[str, str], title: str, accepted: bool
) -> None:
    """The published schema describes exactly what is accepted (attack review)."""
    from app.models import TITLE_PATTERN

    in_schema = 1 <= len(title) <= 200 and re.fullmatch(TITLE_PATTERN, title) is not None
    response = client.post(tasks_url(USER_A), json={"title": title}, headers=headers_a)
    assert in_schema == accepted and (response.status_code == 201) == accepted, response.text
    if accepted:
        assert response.json()["title"] == title.strip(" \t\n\r\f\v")


def test_null_is_refused_where_the_schema_says(
    client: TestClient, headers_a: dict[str, str]
) -> None:
    task = client.post(tasks_url(USER_A), json={"title": "t"}, headers=headers_a).json()
    schema = client.get("/openapi.json").json()["components"]["schemas"]["TaskUpdate"]
    nullable = {
        name
        for name, field in schema["properties"].items()
        if {"type": "null"} in field.get("anyOf", [])
    }
    assert nullable == {"description", "due_date"}
    assert "required" not in schema
    for name in ("title", "completed", "priority"):
        for method in ("put", "patch"):
            url = tasks_url(USER_A, task["id"])
            response = client.request(method, url, json={name: None}, headers=headers_a)
            assert response.status_code == 422, (method, name)


def test_a_body_over_the_cap_is_413_declared_or_streamed(
    client: TestClient, headers_a: dict[str, str]
) -> None:
    """Attack review: a 60 MB body was parsed (1.7 GB, 6 s) before anything said no."""
    from app.core.config import Settings

    cap = Settings.model_fields["MAX_BODY_BYTES"].default
    big = b'{"title": "' + b"x" * cap + b'"}'
    declared = client.post(
        tasks_url(USER_A), content=big, headers={**headers_a, "Content-Type": "application/json"}
    )
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is only known while reading
        yield big[: cap // 2]
        yield big[cap // 2 :]

    json_headers = {**headers_a, "Content-Type": "application/json"}
    streamed = client.post(tasks_url(USER_A), content=chunks(), headers=json_headers)
    assert streamed.status_code == 413
    assert client.get(tasks_url(USER_A), headers=headers_a).json() == []
    # The largest valid task is far below the cap.
    body = {
        "title": "x" * 200,
        "description": "d" * 1000,
        "priority": "medium",
        "due_date": "2030-01-01T00:00:00.000000+00:00",
    }
    assert client.post(tasks_url(USER_A), json=body, headers=headers_a).status_code == 201


def test_a_body_without_a_token_is_refused_before_it_is_read(app: FastAPI) -> None:
    """Attack review: bodies were read and parsed before the token was checked."""
    # No lifespan runs here (ASGITransport): the tables a user's request reads (the tombstones of
    # deleted accounts, app/api/account_deletion.py) are made by hand.
    SQLModel.metadata.create_all(app.state.sync_engine)

    @app.post("/api/public-echo")  # a route without CurrentUser reads its body as usual
    async def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    @app.post("/api/my-echo")  # a route added to the app itself that needs a user
    async def my_echo(body: dict[str, str], user: CurrentUser) -> dict[str, str]:
        return body | {"user": user.id}

    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:  # streamed: read only when the app asks
        for number in range(8):
            sent.append(number)
            yield b'{"title": "x"}' if number == 0 else b" " * 1024

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        answers = []
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            json_type = {"Content-Type": "application/json"}
            for url in (tasks_url(USER_A), "/api/my-echo"):
                sent.clear()
                answers.append(await client.post(url, content=chunks(), headers=json_type))
                assert len(sent) < 8, f"{url}: the body was read before the token was checked"
            answers.append(await client.post("/api/public-echo", json={"hello": "world"}))
            answers.append(
                await client.post("/api/my-echo", json={"a": "b"}, headers=auth_headers(USER_A))
            )
        return answers

    refused_task, refused_echo, public, mine = asyncio.run(scenario())
    for refused in (refused_task, refused_echo):
        assert refused.status_code == 401
        assert refused.json() == {"detail": "missing token"}
        assert refused.headers["www-authenticate"] == "Bearer"
    assert public.status_code == 200 and public.json() == {"hello": "world"}
    assert mine.status_code == 200 and mine.json() == {"a": "b", "user": USER_A}
