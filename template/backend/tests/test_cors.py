"""The CORS setup: only configured origins get CORS headers, with credentials."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from support import ALLOWED_ORIGINS, USER_A, auth_headers, tasks_url

EVIL_ORIGIN = "https://evil.example"


def preflight(client: TestClient, origin: str, method: str = "GET") -> httpx.Response:
    return client.options(
        tasks_url(USER_A),
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_preflight_from_allowed_origin(client: TestClient) -> None:
    for origin in ALLOWED_ORIGINS:
        response = preflight(client, origin, "DELETE")
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == origin
        assert response.headers["access-control-allow-credentials"] == "true"
        allowed_headers = response.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed_headers
        assert "content-type" in allowed_headers
        assert "DELETE" in response.headers["access-control-allow-methods"]
        assert response.headers["access-control-max-age"] == "600"


def test_preflight_from_disallowed_origin(client: TestClient) -> None:
    response = preflight(client, EVIL_ORIGIN)
    assert response.status_code >= 400
    assert "access-control-allow-origin" not in response.headers


def test_simple_request_from_allowed_origin(client: TestClient) -> None:
    origin = ALLOWED_ORIGINS[0]
    response = client.get("/api/me", headers={"Origin": origin, **auth_headers(USER_A)})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"


def test_simple_request_from_disallowed_origin(client: TestClient) -> None:
    response = client.get("/api/me", headers={"Origin": EVIL_ORIGIN, **auth_headers(USER_A)})
    assert "access-control-allow-origin" not in response.headers
    response = client.get("/health", headers={"Origin": EVIL_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


def test_origin_null_is_not_allowed(client: TestClient) -> None:
    response = preflight(client, "null")
    assert "access-control-allow-origin" not in response.headers
