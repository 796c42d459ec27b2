"""The task API contract that clients of the "Todo full-stack web app" spec rely on, checked
against a generated backend served by a real uvicorn, in both API styles.

Written from what those clients send and read (issue 14), not from the generated code:
routes, fields and their types, status codes, filters, search, sorting, partial updates with
PUT and PATCH, the complete endpoint with and without a body, X-Total-Count (readable by the
browser through CORS), and the security side (401 without a token, another user's path 403,
another user's task OWNERSHIP, a body user_id 422).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from processes import free_port, run, stop, wait_http

from conftest import clean_env, generate, read_env

ORIGIN = "http://localhost:3000"
FIELDS = {
    "id": int,
    "user_id": str,
    "title": str,
    "description": (str, type(None)),
    "completed": bool,
    "priority": str,
    "due_date": (str, type(None)),
    "created_at": str,
    "updated_at": str,
}


class Api:
    """A client of one user, as the spec's frontends call the API."""

    def __init__(self, http: httpx.Client, base: str, style: str, secret: str, user: str) -> None:
        self.http, self.base, self.style, self.user = http, base, style, user
        now = int(time.time())
        claims = {"sub": user, "id": user, "email": f"{user}@example.test", "name": user}
        claims |= {"iat": now, "exp": now + 600, "iss": ORIGIN, "aud": ORIGIN}
        self.headers = {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}

    def url(self, task_id: int | None = None, *, as_user: str | None = None) -> str:
        root = "/api/tasks" if self.style == "flat" else f"/api/{as_user or self.user}/tasks"
        return self.base + root + ("" if task_id is None else f"/{task_id}")

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, url, headers=self.headers, **kwargs)

    def create(self, **body: Any) -> dict[str, Any]:
        response = self.call("POST", self.url(), json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def titles(self, **params: Any) -> list[str]:
        response = self.call("GET", self.url(), params=params)
        assert response.status_code == 200, (params, response.text)
        assert isinstance(response.json(), list), "the list body is a bare JSON array"
        return [task["title"] for task in response.json()]


@pytest.fixture(scope="module", params=["flat", "user_path"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    style = request.param
    tmp = tmp_path_factory.mktemp(f"contract-{style}")
    project = generate(tmp / "app", f"api_style={style}", "frontend=false")
    directory = project / "backend"
    env = clean_env() | {
        "DATABASE_URL": f"sqlite:///{tmp / 'tasks.db'}",
        "BETTER_AUTH_URL": ORIGIN,
        "JWT_AUDIENCE": ORIGIN,
        "CORS_ORIGINS": json.dumps([ORIGIN]),
        "RATE_LIMIT_PER_USER": "",
        "RATE_LIMIT_PER_CLIENT": "",
    }
    run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=directory, env=env)
    port = free_port()
    log = tmp / "uvicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=directory,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/health", process, log)
        yield {
            "base": f"http://127.0.0.1:{port}",
            "style": style,
            "secret": read_env(directory / ".env")["BETTER_AUTH_SECRET"],
        }
    finally:
        stop([process])
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _users(backend: dict[str, str], http: httpx.Client, tag: str) -> tuple[Api, Api]:
    def api(name: str) -> Api:
        return Api(http, backend["base"], backend["style"], backend["secret"], f"{name}-{tag}")

    return api("alice"), api("bob")


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.mark.slow
def test_fields_types_and_status_codes(backend: dict[str, str], http: httpx.Client) -> None:
    alice, bob = _users(backend, http, "fields")
    task = alice.create(title="  Write the spec  ", description="v1")
    assert set(task) == set(FIELDS)
    for name, kind in FIELDS.items():
        assert isinstance(task[name], kind), (name, task[name])
    assert task["user_id"] == alice.user
    assert (task["title"], task["priority"], task["due_date"], task["completed"]) == (
        "Write the spec",
        "medium",
        None,
        False,
    )
    url = alice.url(task["id"])
    assert alice.call("GET", url).json() == task
    assert http.get(alice.url()).status_code == 401
    assert http.get(alice.url()).headers["WWW-Authenticate"].startswith("Bearer")
    assert alice.call("POST", alice.url(), json={"title": "x", "user_id": bob.user}).status_code == 422
    for body in ({"title": ""}, {"title": "   "}, {"title": "x" * 201}, {"title": "x", "description": "d" * 1001}):
        assert alice.call("POST", alice.url(), json=body).status_code == 422, body
    assert alice.call("POST", alice.url(), json={"title": "x", "description": "d" * 1000}).status_code == 201
    assert alice.call("POST", alice.url(), json={"title": "x", "description": None}).json()["description"] is None
    other = bob.call("GET", bob.url(task["id"]))
    assert other.status_code in (403, 404)
    if backend["style"] == "user_path":
        assert bob.call("GET", bob.url(as_user=alice.user)).status_code == 403
    deleted = alice.call("DELETE", url)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert alice.call("GET", url).status_code == 404


@pytest.mark.slow
def test_partial_updates_with_put_and_patch(backend: dict[str, str], http: httpx.Client) -> None:
    alice, bob = _users(backend, http, "partial")
    task = alice.create(title="Edit me", description="old", priority="high")
    url = alice.url(task["id"])
    # The spec's edit forms: PUT {title, description} only, or {completed: true} only.
    edited = alice.call("PUT", url, json={"title": "Edited", "description": "new"}).json()
    assert (edited["title"], edited["description"], edited["priority"], edited["completed"]) == (
        "Edited",
        "new",
        "high",
        False,
    )
    assert alice.call("PUT", url, json={"completed": True}).json()["completed"] is True
    assert alice.call("PATCH", url, json={"completed": False}).json()["title"] == "Edited"
    same = alice.call("PUT", url, json={})
    assert same.status_code == 200 and same.json()["title"] == "Edited"
    cleared = alice.call("PATCH", url, json={"description": None, "due_date": None}).json()
    assert cleared["description"] is None
    for body in (
        {"title": None},
        {"id": 1},
        {"user_id": bob.user},
        {"created_at": "2030-01-01T00:00:00Z"},
        {"priority": "urgent"},
    ):
        for method in ("PUT", "PATCH"):
            assert alice.call(method, url, json=body).status_code == 422, (method, body)
    due = alice.call("PATCH", url, json={"due_date": "2031-06-01T12:00:00+02:00"}).json()["due_date"]
    assert datetime.fromisoformat(due) == datetime(2031, 6, 1, 10, tzinfo=UTC)
    assert bob.call("PUT", bob.url(task["id"]), json={"title": "mine now"}).status_code in (403, 404)
    assert alice.call("GET", url).json()["title"] == "Edited"


@pytest.mark.slow
def test_complete_with_and_without_a_body(backend: dict[str, str], http: httpx.Client) -> None:
    alice, _ = _users(backend, http, "complete")
    url = alice.url(alice.create(title="Done?")["id"]) + "/complete"
    assert alice.call("PATCH", url, json={"completed": True}).json()["completed"] is True
    assert alice.call("PATCH", url, json={"completed": True}).json()["completed"] is True
    assert alice.call("PATCH", url).json()["completed"] is False
    assert alice.call("PATCH", url).json()["completed"] is True


@pytest.mark.slow
def test_filters_search_sorting_and_total(backend: dict[str, str], http: httpx.Client) -> None:
    alice, bob = _users(backend, http, "lists")
    now = datetime.now(UTC)
    alice.create(title="pay rent", priority="high", due_date=_rfc3339(now - timedelta(days=2)))
    alice.create(title="Buy milk", description="and bread", priority="low", due_date=_rfc3339(now + timedelta(days=1)))
    alice.create(title="archive", completed=True)
    bob.create(title="Buy bread too")
    assert alice.titles() == ["archive", "Buy milk", "pay rent"]  # newest first
    assert alice.titles(status="pending") == ["Buy milk", "pay rent"]
    assert alice.titles(status="completed") == ["archive"]
    assert alice.titles(status="all") == alice.titles()
    assert alice.titles(q="BREAD") == ["Buy milk"]  # never bob's "Buy bread too"
    assert alice.titles(priority="low") == ["Buy milk"]
    assert alice.titles(overdue="true") == ["pay rent"]
    assert alice.titles(sort="title") == ["archive", "Buy milk", "pay rent"]
    assert alice.titles(sort="-title") == ["pay rent", "Buy milk", "archive"]
    assert alice.titles(sort="created") == alice.titles(sort="created_at") == alice.titles()
    assert alice.titles(sort="created", order="asc") == ["pay rent", "Buy milk", "archive"]
    assert alice.titles(sort="-created") == alice.titles(sort="created", order="desc")
    assert alice.titles(sort="updated_at") == alice.titles(sort="updated")
    assert alice.titles(sort="priority") == ["Buy milk", "archive", "pay rent"]
    assert alice.titles(sort="due_date") == ["pay rent", "Buy milk", "archive"]  # no date: last
    assert alice.titles(sort="due_date", order="desc") == ["Buy milk", "pay rent", "archive"]
    assert alice.titles(due_before=_rfc3339(now)) == ["pay rent"]
    assert alice.titles(due_after=_rfc3339(now)) == ["Buy milk"]
    page = alice.call("GET", alice.url(), params={"limit": 1, "offset": 1, "status": "all"})
    assert [t["title"] for t in page.json()] == ["Buy milk"]
    assert page.headers["X-Total-Count"] == "3"
    assert bob.call("GET", bob.url(), params={"q": "rent"}).headers["X-Total-Count"] == "0"
    for bad in ({"status": "done"}, {"sort": "owner"}, {"order": "up"}, {"due_before": "tomorrow"}):
        assert alice.call("GET", alice.url(), params=bad).status_code == 422, bad


@pytest.mark.slow
def test_the_browser_may_read_the_total(backend: dict[str, str], http: httpx.Client) -> None:
    alice, _ = _users(backend, http, "cors")
    alice.create(title="counted")
    response = http.get(alice.url(), headers=alice.headers | {"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert "x-total-count" in exposed
    assert response.headers["X-Total-Count"] == "1"
