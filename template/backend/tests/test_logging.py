"""Logs are JSON lines; an auth failure says why, where, from whom and for which request id,
and no log line ever contains the token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from support import USER_A, auth_headers, bearer, mint_token, tasks_url

from app.core.logging import JsonFormatter, redact


class LogCapture:
    """What the "app" loggers wrote, formatted by the app's JSON formatter."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.lines()]  # every line is one JSON object


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    handler = logging.StreamHandler(capture.stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("app")
    logger.addHandler(handler)
    yield capture
    logger.removeHandler(handler)


def test_auth_failure_is_logged_with_reason_route_client_and_request_id(
    client: TestClient, logs: LogCapture
) -> None:
    expired = mint_token(USER_A, exp_delta=-3600)
    response = client.get("/api/me", headers={**bearer(expired), "X-Request-ID": "req-expired-1"})
    assert response.status_code == 401
    entries = logs.entries()
    rejected = [e for e in entries if e.get("event") == "auth_rejected"]
    assert len(rejected) == 1, entries
    entry = rejected[0]
    assert entry["reason"] == "token expired"
    assert entry["route"] == "/api/me" and entry["method"] == "GET"
    assert entry["client"] and entry["level"] == "WARNING" and entry["logger"] == "app.auth"
    assert entry["request_id"] == "req-expired-1" == response.headers["x-request-id"]
    assert all(expired not in line for line in logs.lines())


def test_generated_request_id_is_the_logged_one(client: TestClient, logs: LogCapture) -> None:
    response = client.get("/api/me")  # no token, no X-Request-ID
    entry = next(e for e in logs.entries() if e.get("event") == "auth_rejected")
    assert entry["reason"] == "missing token"
    assert entry["request_id"] == response.headers["x-request-id"]


def test_access_lines_and_no_tokens_anywhere(client: TestClient, logs: LogCapture) -> None:
    token = mint_token(USER_A)
    headers = bearer(token)
    client.post(tasks_url(USER_A), headers=headers, json={"title": "logged?"})
    client.get(tasks_url(USER_A), headers=headers)
    client.get("/api/me", headers={"Authorization": f"Basic {token}"})
    client.get("/api/me", headers=bearer(token + "x"))  # invalid signature
    entries = logs.entries()
    access = [e for e in entries if e.get("event") == "request"]
    assert len(access) == 4
    assert {e["status"] for e in access} == {201, 200, 401}
    assert all(isinstance(e["duration_ms"], int | float) and e["request_id"] for e in access)
    signature = token.rsplit(".", 1)[1]
    lines = logs.lines()
    assert lines and all(token not in line and signature not in line for line in lines)


def test_redaction_is_a_safety_net(logs: LogCapture) -> None:
    token = auth_headers(USER_A)["Authorization"].removeprefix("Bearer ")
    logging.getLogger("app.test").warning("oops: Authorization: Bearer %s", token)
    logging.getLogger("app.test").warning("raw %s", token)
    entries = logs.entries()
    assert [e["message"] for e in entries] == [
        "oops: Authorization: Bearer [redacted]",
        "raw [redacted]",
    ]
    assert redact("nothing secret here") == "nothing secret here"


def test_successful_health_probes_are_not_logged_at_info(
    client: TestClient, logs: LogCapture
) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/api/me", headers=auth_headers(USER_A)).status_code == 200
    logged = [(e["path"], e["status"]) for e in logs.entries() if e.get("event") == "request"]
    assert logged == [("/api/me", 200)], "a liveness probe every few seconds would flood the log"
