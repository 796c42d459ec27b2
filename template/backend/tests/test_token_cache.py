"""The verified-token cache of app.core.security: faster, never weaker.

- a token already verified is not decoded again (the cache works);
- exp is enforced on every hit: an expired token is refused even though it was accepted before;
- the cache is bounded (least recently used tokens go first);
- no cross-token confusion: a token differing in one character is verified in full, and each
  token gives its own user;
- the cache is tied to the settings: another secret/key set, audience, issuer or leeway makes a
  remembered token a miss, verified (and here refused) in full;
- failures are never cached.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from support import AUTH_MODE, USER_A, USER_B, bearer, mint_token, verify

from app.core import security
from app.core.config import Settings
from app.core.security import TokenError, VerifiedTokens


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A fresh, empty cache, and the list of tokens that were verified in full (decoded)."""
    monkeypatch.setattr(security, "verified_tokens", VerifiedTokens())
    seen: list[str] = []
    real = security._decode

    def counting(token: str, settings: Settings) -> Any:
        seen.append(token)
        return real(token, settings)

    monkeypatch.setattr(security, "_decode", counting)
    yield seen


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_verified_token_is_not_decoded_again(settings: Settings, decodes: list[str]) -> None:
    token = mint_token(USER_A)
    first = verify(token, settings)
    for _ in range(5):
        assert verify(token, settings) == first
    assert first.id == USER_A
    assert decodes == [token]
    assert len(security.verified_tokens) == 1


def test_exp_is_enforced_on_every_hit(
    settings: Settings, decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = mint_token(USER_A, exp_delta=60)
    verify(token, settings)
    exp = claims_of(token)["exp"]
    leeway = settings.JWT_LEEWAY_SECONDS

    # One second before the end of the leeway: still a hit.
    monkeypatch.setattr(security, "time", SimpleNamespace(time=lambda: exp + leeway - 1))
    verify(token, settings)
    assert decodes == [token]

    # At exp + leeway the cache refuses the hit and the token is verified in full (PyJWT uses
    # its own clock, so here it still passes: the point is that the cache did not answer).
    monkeypatch.setattr(security, "time", SimpleNamespace(time=lambda: exp + leeway))
    verify(token, settings)
    assert decodes == [token, token]


def test_a_remembered_token_is_refused_once_expired(settings: Settings) -> None:
    strict = settings.model_copy(update={"JWT_LEEWAY_SECONDS": 0})
    token = mint_token(USER_A, exp_delta=2)
    assert verify(token, strict).id == USER_A  # remembered
    exp = claims_of(token)["exp"]
    while time.time() <= exp:
        time.sleep(0.05)
    with pytest.raises(TokenError, match="token expired"):
        verify(token, strict)


def test_the_cache_is_bounded_least_recently_used_first(
    settings: Settings, decodes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security, "verified_tokens", VerifiedTokens(max_size=3))
    tokens = [mint_token(f"user-{n}") for n in range(10)]
    for token in tokens:
        verify(token, settings)
        assert len(security.verified_tokens) <= 3
    decodes.clear()
    verify(tokens[-1], settings)  # recent: a hit
    assert decodes == []
    verify(tokens[0], settings)  # evicted long ago: verified again
    assert decodes == [tokens[0]]


def _flip(token: str, index: int) -> str:
    char = token[index]
    return token[:index] + ("A" if char != "A" else "B") + token[index + 1 :]


def test_one_changed_character_is_not_a_hit(settings: Settings, decodes: list[str]) -> None:
    token = mint_token(USER_A)
    verify(token, settings)
    header, payload, signature = token.split(".")
    in_payload = len(header) + 1 + len(payload) // 2
    in_signature = len(header) + len(payload) + 2 + 1
    for index in (in_payload, in_signature):
        changed = _flip(token, index)
        with pytest.raises(TokenError):
            verify(changed, settings)
        assert decodes[-1] == changed, "a different token must be verified in full"
    assert verify(token, settings).id == USER_A  # the original is still fine


def test_each_token_gives_its_own_user(settings: Settings) -> None:
    a, b = mint_token(USER_A), mint_token(USER_B)
    for _ in range(3):
        assert verify(a, settings).id == USER_A
        assert verify(b, settings).id == USER_B


@pytest.mark.parametrize(
    "change",
    [
        {"JWT_AUDIENCE": "https://another-audience.example"},
        {"BETTER_AUTH_URL": "https://another-issuer.example"},
    ],
)
def test_other_settings_do_not_reuse_a_verification(
    settings: Settings, decodes: list[str], change: dict[str, str]
) -> None:
    token = mint_token(USER_A)
    verify(token, settings)
    other = settings.model_copy(update=change)
    with pytest.raises(TokenError, match="invalid (audience|issuer)"):
        verify(token, other)
    assert decodes == [token, token]


def test_a_new_leeway_does_not_reuse_a_verification(settings: Settings, decodes: list[str]) -> None:
    token = mint_token(USER_A)
    verify(token, settings)
    verify(token, settings.model_copy(update={"JWT_LEEWAY_SECONDS": 0}))
    assert decodes == [token, token]


def test_another_signing_key_invalidates(
    settings: Settings, decodes: list[str], tmp_path: Path
) -> None:
    """shared_secret: a new BETTER_AUTH_SECRET; jwks: a JWKS that publishes another key."""
    token = mint_token(USER_A)
    verify(token, settings)
    if AUTH_MODE == "jwks":
        from signing import JwksServer, new_key  # type: ignore[attr-defined]

        server = JwksServer(new_key(kid="another-key"))
        try:
            other = settings.model_copy(update={"JWKS_URL": server.url})
            with pytest.raises(TokenError, match="unknown signing key"):
                verify(token, other)
        finally:
            server.close()
    else:
        other = settings.model_copy(update={"BETTER_AUTH_SECRET": secrets.token_urlsafe(48)})
        with pytest.raises(TokenError, match="invalid signature"):
            verify(token, other)
    assert verify(token, settings).id == USER_A


def test_the_same_secret_changed_in_place_invalidates(settings: Settings) -> None:
    """Settings changed at run time (not only a new Settings object) are honoured."""
    token = mint_token(USER_A)
    verify(token, settings)
    if AUTH_MODE == "jwks":
        settings.JWT_AUDIENCE = "https://changed.example"
        with pytest.raises(TokenError, match="invalid audience"):
            verify(token, settings)
    else:
        settings.BETTER_AUTH_SECRET = secrets.token_urlsafe(48)
        with pytest.raises(TokenError, match="invalid signature"):
            verify(token, settings)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"exp_delta": -3600},  # expired
        {"forged": True},  # wrong key
        {"sub": "x" * 300},  # claims fine for PyJWT, refused by verify_token afterwards
    ],
)
def test_failures_are_never_cached(
    settings: Settings, decodes: list[str], kwargs: dict[str, Any]
) -> None:
    token = mint_token(**kwargs)
    for attempt in range(1, 3):
        with pytest.raises(TokenError):
            verify(token, settings)
        assert len(decodes) == attempt
    assert len(security.verified_tokens) == 0


def test_over_http_a_remembered_token_keeps_the_same_answers(
    client: TestClient, decodes: list[str]
) -> None:
    token = mint_token(USER_A)
    for _ in range(3):
        response = client.get("/api/me", headers=bearer(token))
        assert response.status_code == 200 and response.json()["id"] == USER_A
    assert decodes == [token]
    changed = _flip(token, len(token) - 5)
    response = client.get("/api/me", headers=bearer(changed))
    assert response.status_code == 401
