"""Security headers on every response, and the X-Request-ID a request is known by."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support import ALLOWED_ORIGINS, USER_A, auth_headers, tasks_url

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def _assert_security_headers(headers: dict[str, str] | object) -> None:
    assert headers["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert headers["x-frame-options"] == "DENY"  # type: ignore[index]
    assert headers["referrer-policy"] == "no-referrer"  # type: ignore[index]
    csp = headers["content-security-policy"]  # type: ignore[index]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_security_headers_on_success_and_errors(client: TestClient) -> None:
    responses = [
        client.get("/health"),
        client.get(tasks_url(USER_A), headers=auth_headers(USER_A)),
        client.get("/api/me"),  # 401
        client.get("/no-such-route"),  # 404
        client.post(tasks_url(USER_A), headers=auth_headers(USER_A), json={"user_id": "x"}),  # 422
    ]
    assert [r.status_code for r in responses] == [200, 200, 401, 404, 422]
    for response in responses:
        _assert_security_headers(response.headers)
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers  # development mode


def test_docs_page_keeps_working(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers  # Swagger UI loads its scripts


def test_request_id_is_generated_when_absent(client: TestClient) -> None:
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/health").headers["x-request-id"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "incoming", ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "a" * 128, "req.1:2_3"]
)
def test_well_formed_request_id_is_returned(client: TestClient, incoming: str) -> None:
    response = client.get("/health", headers={"X-Request-ID": incoming})
    assert response.headers["x-request-id"] == incoming


@pytest.mark.parametrize(
    "incoming", ["", "a" * 129, "has space", "<script>", "id;drop", "ünïcode", "a\tb"]
)
def test_malformed_request_id_is_replaced(client: TestClient, incoming: str) -> None:
    response = client.get("/health", headers={"X-Request-ID": incoming.encode("utf-8")})
    returned = response.headers["x-request-id"]
    assert returned != incoming and GENERATED_ID.fullmatch(returned)
    assert len(response.headers.get_list("x-request-id")) == 1


def test_cors_allows_and_exposes_the_request_id(client: TestClient) -> None:
    origin = ALLOWED_ORIGINS[0]
    preflight = client.options(
        tasks_url(USER_A),
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, x-request-id",
        },
    )
    assert preflight.status_code == 200
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["x-request-id"]
    response = client.get(
        tasks_url(USER_A),
        headers={**auth_headers(USER_A), "Origin": origin, "X-Request-ID": "from-browser-1"},
    )
    assert response.headers["x-request-id"] == "from-browser-1"
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_no_redirect_echoes_the_host_header(client: TestClient) -> None:
    """A trailing slash is not redirected: the redirect's Location used the request's Host."""
    url = tasks_url(USER_A) + "/"
    response = client.get(url, headers={**auth_headers(USER_A), "Host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers


def test_a_crash_is_a_500_with_every_header_and_a_logged_request_id(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/crash")
    async def crash() -> None:
        raise RuntimeError("boom: an internal detail")

    origin = ALLOWED_ORIGINS[0]
    with (
        caplog.at_level("ERROR", logger="app.error"),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        response = client.get("/api/crash", headers={"Origin": origin, "X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error"}  # no internals in the answer
    assert response.headers["x-request-id"] == "req-500"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"]
    assert response.headers["access-control-allow-origin"] == origin
    logged = [r for r in caplog.records if getattr(r, "event", None) == "unhandled_error"]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert logged[0].request_id == "req-500"
    assert "boom" in str(logged[0].exc_info[1])
