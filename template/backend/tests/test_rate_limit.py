"""Rate limits: per user (the token's sub) and per client address for requests without an
acceptable token; 429 + Retry-After; shared by every instance through Redis; fail closed.

Set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run the Redis tests.
"""

from __future__ import annotations

import os
import uuid

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from support import USER_A, USER_B, auth_headers, bearer, mint_token

from app.core.config import Settings
from app.core.rate_limit import TOO_MANY_DETAIL
from app.factory import create_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def limited(settings: Settings, **limits: str | None) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=limits)))


def assert_429(response, limit_seconds: int = 60) -> None:  # noqa: ANN001
    assert response.status_code == 429, response.text
    assert response.json() == {"detail": TOO_MANY_DETAIL}
    assert 1 <= int(response.headers["retry-after"]) <= limit_seconds


def test_limits_are_on_by_default() -> None:
    fields = Settings.model_fields
    assert fields["RATE_LIMIT_PER_USER"].default and fields["RATE_LIMIT_PER_CLIENT"].default


@pytest.mark.parametrize("value", ["lots", "5/fortnight", "five/second"])
def test_a_malformed_limit_is_refused_at_start_up(value: str) -> None:
    with pytest.raises(ValidationError, match="RATE_LIMIT_PER_USER"):
        Settings(_env_file=None, RATE_LIMIT_PER_USER=value)


def test_one_user_is_limited_and_others_are_not(settings: Settings) -> None:
    with limited(settings, RATE_LIMIT_PER_USER="5/minute") as client:
        for _ in range(5):
            assert client.get("/api/me", headers=auth_headers(USER_A)).status_code == 200
        assert_429(client.get("/api/me", headers=auth_headers(USER_A)))
        assert_429(client.get("/api/me", headers=auth_headers(USER_A)))  # a fresh token: same sub
        assert client.get("/api/me", headers=auth_headers(USER_B)).status_code == 200
        assert client.get("/health").status_code == 200


def test_a_browser_script_can_read_how_long_to_wait(settings: Settings) -> None:
    """The frontend says "try again in N seconds": a cross-origin 429 exposes Retry-After."""
    origin = settings.CORS_ORIGINS[0]
    with limited(settings, RATE_LIMIT_PER_USER="1/minute") as client:
        headers = {"Origin": origin, **auth_headers(USER_A)}
        assert client.get("/api/me", headers=headers).status_code == 200
        response = client.get("/api/me", headers=headers)
        assert_429(response)
        assert response.headers["access-control-allow-origin"] == origin
        exposed = response.headers["access-control-expose-headers"].lower().split(", ")
        assert "retry-after" in exposed


def test_requests_without_an_acceptable_token_are_limited_per_client(settings: Settings) -> None:
    with limited(settings, RATE_LIMIT_PER_CLIENT="3/minute") as client:
        junk = [{}, bearer("not-a-jwt"), bearer(mint_token(USER_A, exp_delta=-3600))]
        for headers in junk:
            assert client.get("/api/me", headers=headers).status_code == 401
        assert_429(client.get("/api/me", headers=bearer("still-junk")))
        # A real user from the same address is counted on their own limit.
        assert client.get("/api/me", headers=auth_headers(USER_A)).status_code == 200


def test_an_unreachable_limit_store_fails_closed(settings: Settings) -> None:
    unreachable = {"RATE_LIMIT_PER_USER": "5/minute", "REDIS_URL": "redis://127.0.0.1:9/0"}
    with limited(settings, **unreachable) as client:
        response = client.get("/api/me", headers=auth_headers(USER_A))
    assert response.status_code == 503
    assert response.json() == {"detail": "rate limiting unavailable"}
    assert response.headers["retry-after"]


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to a Redis server to run this test")
def test_the_limit_holds_across_instances_through_redis(settings: Settings) -> None:
    """Two app instances (two workers or replicas) share one count: the sum stays the limit."""
    user = f"user-{uuid.uuid4().hex[:12]}"  # a fresh key in a shared Redis
    shared = {"RATE_LIMIT_PER_USER": "6/minute", "REDIS_URL": REDIS_URL}
    headers = auth_headers(user)
    with limited(settings, **shared) as first, limited(settings, **shared) as second:
        statuses = [
            client.get("/api/me", headers=headers).status_code
            for client in (first, second) * 5
        ]
    assert statuses.count(200) == 6 and statuses.count(429) == 4, statuses
