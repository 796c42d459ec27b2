"""jwks mode: keys from the issuer's JWKS, cached; rotation, outages and algorithm confusion."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from signing import ALGORITHM, TEST_KEY, JwksServer, new_key, sign
from sqlmodel import SQLModel
from support import (
    ALLOWED_ORIGINS,
    AUTH_URL,
    NO_RATE_LIMITS,
    USER_A,
    FakeClock,
    bearer,
    mint_token,
)

from app.core.config import Settings
from app.factory import create_app

MIN_REFETCH = 0.5


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer(TEST_KEY)
    yield server
    server.close()


def make_settings(jwks_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "JWKS_URL": jwks_url,
        "JWKS_MIN_REFETCH_SECONDS": MIN_REFETCH,
        "BETTER_AUTH_URL": AUTH_URL,
        "CORS_ORIGINS": list(ALLOWED_ORIGINS),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jwks.db'}",
        # Every user request reads the tombstones of deleted accounts (app/api/account_deletion.py).
        "AUTO_CREATE_TABLES": True,
        **NO_RATE_LIMITS,
    }
    return Settings(_env_file=None, **{**values, **overrides})


@pytest.fixture
def jwks_settings(jwks: JwksServer, tmp_path: Path) -> Settings:
    return make_settings(jwks.url, tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    """The key cache's clock: the tests advance it past the refetch interval, never sleep."""
    return FakeClock()


def clocked_app(settings: Settings, clock: FakeClock) -> FastAPI:
    app = create_app(settings)
    app.state.token_verifier.keys.key_set().clock = clock
    return app


@pytest.fixture
def api(jwks_settings: Settings, clock: FakeClock) -> Iterator[TestClient]:
    with TestClient(clocked_app(jwks_settings, clock)) as client:
        yield client


def me(api: TestClient, token: str) -> tuple[int, dict]:
    response = api.get("/api/me", headers=bearer(token))
    return response.status_code, response.json()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_backend_needs_no_secret_and_derives_the_jwks_url(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, BETTER_AUTH_URL="https://auth.example.test")
    assert settings.JWKS_URL == "https://auth.example.test/api/auth/jwks"
    assert not hasattr(settings, "BETTER_AUTH_SECRET")
    assert Settings.JWT_ALGORITHMS == (ALGORITHM,)


def test_bad_jwks_url_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, JWKS_URL="ftp://keys.example.test/jwks")
    assert "JWKS_URL" in str(caught.value)


def test_valid_token_and_one_fetch_for_many_requests(api: TestClient, jwks: JwksServer) -> None:
    for _ in range(20):
        assert me(api, mint_token(USER_A)) == (
            200,
            {"id": USER_A, "email": f"{USER_A}@example.com", "name": f"Name of {USER_A}"},
        )
    assert jwks.requests == 1, "keys must be cached: no fetch per request"


def test_missing_kid_is_refused(api: TestClient) -> None:
    now = int(time.time())
    claims = {"sub": USER_A, "iat": now, "exp": now + 600, "iss": AUTH_URL, "aud": AUTH_URL}
    token = jwt.encode(claims, TEST_KEY.private, algorithm=TEST_KEY.alg)
    assert me(api, token) == (401, {"detail": "missing key id"})


def test_unknown_kid_refetches_once_then_401(
    api: TestClient, jwks: JwksServer, clock: FakeClock
) -> None:
    assert me(api, mint_token(USER_A))[0] == 200
    clock.advance(MIN_REFETCH + 0.1)
    stranger = new_key(kid="never-published")
    token = sign(
        {
            "sub": USER_A,
            "iat": int(time.time()),
            "exp": int(time.time()) + 600,
            "iss": AUTH_URL,
            "aud": AUTH_URL,
        },
        key=stranger,
    )
    assert me(api, token) == (401, {"detail": "unknown signing key"})
    assert jwks.requests == 2, "an unknown kid triggers exactly one refetch"


def test_random_kids_cannot_cause_a_refetch_storm(jwks: JwksServer, tmp_path: Path) -> None:
    # A long refetch interval makes the bound independent of how fast this machine is.
    settings = make_settings(jwks.url, tmp_path, JWKS_MIN_REFETCH_SECONDS=60)
    now = int(time.time())
    with TestClient(create_app(settings)) as client:
        for _ in range(50):
            key = new_key(kid=secrets.token_hex(8))
            claims = {"sub": USER_A, "iat": now, "exp": now + 600, "iss": AUTH_URL, "aud": AUTH_URL}
            assert me(client, sign(claims, key=key)) == (401, {"detail": "unknown signing key"})
        assert me(client, mint_token(USER_A))[0] == 200, "the real key still works"
    assert jwks.requests == 1, f"{jwks.requests} fetches for 50 random kids"


def test_rotated_key_is_accepted_within_seconds(
    api: TestClient, jwks: JwksServer, clock: FakeClock
) -> None:
    assert me(api, mint_token(USER_A))[0] == 200
    rotated = new_key(kid="rotated-key-2")
    jwks.keys = [rotated, TEST_KEY]  # Better Auth publishes the new key and signs with it at once
    clock.advance(MIN_REFETCH + 0.1)
    now = int(time.time())
    token = sign(
        {"sub": USER_A, "iat": now, "exp": now + 600, "iss": AUTH_URL, "aud": AUTH_URL}, key=rotated
    )
    assert me(api, token)[0] == 200
    assert me(api, mint_token(USER_A))[0] == 200, "the old key keeps working while it is published"
    assert jwks.requests == 2


def test_hs256_signed_with_the_public_key_is_refused(api: TestClient) -> None:
    """Algorithm confusion: the public key used as an HMAC secret."""
    public_pem = TEST_KEY.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": TEST_KEY.kid}).encode())
    payload = b64(
        json.dumps(
            {"sub": USER_A, "iat": now, "exp": now + 600, "iss": AUTH_URL, "aud": AUTH_URL}
        ).encode()
    )
    signature = b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert me(api, f"{header}.{payload}.{signature}") == (401, {"detail": "unsupported algorithm"})


def test_another_asymmetric_algorithm_is_refused(api: TestClient, jwks: JwksServer) -> None:
    other_alg = "ES256" if ALGORITHM != "ES256" else "EdDSA"
    other = new_key(other_alg, kid="other-alg")
    jwks.keys = [TEST_KEY, other]
    now = int(time.time())
    token = sign(
        {"sub": USER_A, "iat": now, "exp": now + 600, "iss": AUTH_URL, "aud": AUTH_URL}, key=other
    )
    assert me(api, token) == (401, {"detail": "unsupported algorithm"})


@pytest.mark.parametrize("mode", ["down", "garbage", "deep"])
def test_jwks_outage_fails_closed_with_503_and_recovers(
    api: TestClient, jwks: JwksServer, clock: FakeClock, mode: str
) -> None:
    jwks.mode = mode
    response = api.get("/api/me", headers=bearer(mint_token(USER_A)))
    assert response.status_code == 503
    assert response.json()["detail"].startswith("authentication unavailable")
    assert api.get("/health").status_code == 200, "unauthenticated routes keep working"
    jwks.mode = "ok"
    clock.advance(MIN_REFETCH + 0.1)
    assert me(api, mint_token(USER_A))[0] == 200, "recovers by itself once the JWKS is back"


def test_unreachable_jwks_is_503_and_only_the_log_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings("http://127.0.0.1:9/api/auth/jwks", tmp_path, JWKS_TIMEOUT_SECONDS=1.0)
    with caplog.at_level("WARNING", logger="app.auth"), TestClient(create_app(settings)) as client:
        response = client.get("/api/me", headers=bearer(mint_token(USER_A)))
    assert response.status_code == 503
    # A caller with any junk token learns nothing about the internals ...
    assert response.json() == {"detail": "authentication unavailable"}
    assert int(response.headers["retry-after"]) >= 1
    # ... the operator does.
    assert any("unreachable" in record.getMessage() for record in caplog.records)


def test_expired_cache_with_jwks_down_fails_closed(
    jwks: JwksServer, jwks_settings: Settings, clock: FakeClock
) -> None:
    app = clocked_app(jwks_settings, clock)
    with TestClient(app) as api:
        assert me(api, mint_token(USER_A))[0] == 200
        app.state.token_verifier.keys.key_set().cache_seconds = 0.2
        jwks.mode = "down"
        clock.advance(MIN_REFETCH + 0.1)
        assert api.get("/api/me", headers=bearer(mint_token(USER_A))).status_code == 503


def test_a_slow_jwks_fetch_holds_up_only_the_requests_that_need_it(
    jwks: JwksServer, jwks_settings: Settings, clock: FakeClock
) -> None:
    """One fetch in flight, off the event loop; cached keys keep serving meanwhile."""
    app = clocked_app(jwks_settings, clock)
    good = bearer(mint_token(USER_A))
    now = int(time.time())
    claims = {"sub": USER_A, "iat": now, "exp": now + 600, "iss": AUTH_URL, "aud": AUTH_URL}

    async def scenario() -> tuple[list[int], list[bool], list[httpx.Response]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/api/me", headers=good)).status_code == 200  # fetch 1
            clock.advance(MIN_REFETCH + 0.1)
            jwks.delay = 2.0
            strangers = [
                asyncio.create_task(
                    client.get("/api/me", headers=bearer(sign(claims, key=new_key(kid=f"x{n}"))))
                )
                for n in range(5)
            ]
            await asyncio.sleep(0.2)  # the refetch for the unknown kids is in flight now
            cached = [(await client.get("/api/me", headers=good)).status_code for _ in range(10)]
            still_waiting = [not task.done() for task in strangers]
            return cached, still_waiting, await asyncio.gather(*strangers)

    # No lifespan runs here (ASGITransport): the tombstone table /api/me reads is made by hand.
    SQLModel.metadata.create_all(app.state.sync_engine)
    try:
        cached, still_waiting, refused = asyncio.run(scenario())
    finally:
        SQLModel.metadata.drop_all(app.state.sync_engine)
        app.state.sync_engine.dispose()
    assert cached == [200] * 10
    assert all(still_waiting), "a request with a cached key waited for the JWKS fetch"
    assert [r.json() for r in refused] == [{"detail": "unknown signing key"}] * 5
    assert jwks.requests == 2, "five unknown kids at once: one fetch in flight, not five"
