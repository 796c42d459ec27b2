"""The verified-token cache of app.core.security (one per app): faster, never weaker.

- a token already verified is not decoded again (the cache works);
- exp is enforced on every hit: an expired token is refused even though it was accepted before;
- the cache is bounded (least recently used tokens go first);
- no cross-token confusion: a token differing in one character is verified in full, and each
  token gives its own user;
- the cache is tied to the settings: another secret/key set, audience, issuer or leeway makes a
  remembered token a miss, verified (and here refused) in full;
- failures are never cached;
- the cache and the keys belong to one app: another app in the same process shares neither.
"""

from __future__ import annotations

import secrets
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support import AUTH_MODE, USER_A, USER_B, FakeClock, bearer, mint_token, verify

from app.core.config import Settings
from app.core.security import TokenError, TokenVerifier, VerifiedTokens
from app.factory import create_app


@pytest.fixture
def verifier(settings: Settings) -> TokenVerifier:
    """The JWT check as an app holds it (app.state.token_verifier), with an empty cache."""
    return TokenVerifier(settings)


def count_decodes(verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The list of tokens that `verifier` verifies in full (decodes) from now on."""
    seen: list[str] = []
    real = verifier._decode

    def counting(token: str) -> Any:
        seen.append(token)
        return real(token)

    monkeypatch.setattr(verifier, "_decode", counting)
    return seen


@pytest.fixture
def decodes(verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_decodes(verifier, monkeypatch)


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_verified_token_is_not_decoded_again(verifier: TokenVerifier, decodes: list[str]) -> None:
    token = mint_token(USER_A)
    first = verify(token, verifier)
    for _ in range(5):
        assert verify(token, verifier) == first
    assert first.id == USER_A
    assert decodes == [token]
    assert len(verifier.verified) == 1


def test_exp_is_enforced_on_every_hit(
    settings: Settings, verifier: TokenVerifier, decodes: list[str]
) -> None:
    clock = verifier.clock = FakeClock()
    token = mint_token(USER_A, exp_delta=60)
    verify(token, verifier)
    exp = claims_of(token)["exp"]
    leeway = settings.JWT_LEEWAY_SECONDS

    # One second before the end of the leeway: still a hit.
    clock.now = exp + leeway - 1
    verify(token, verifier)
    assert decodes == [token]

    # At exp + leeway the cache refuses the hit: the token is verified in full, and refused.
    clock.now = exp + leeway
    with pytest.raises(TokenError, match="token expired"):
        verify(token, verifier)
    assert decodes == [token, token]


def test_a_remembered_token_is_refused_once_expired(settings: Settings) -> None:
    clock = FakeClock()
    strict = TokenVerifier(settings.model_copy(update={"JWT_LEEWAY_SECONDS": 0}), clock=clock)
    token = mint_token(USER_A, exp_delta=2)
    assert verify(token, strict).id == USER_A  # remembered
    clock.now = claims_of(token)["exp"] - 0.5
    assert verify(token, strict).id == USER_A  # still unexpired: a hit
    clock.now = claims_of(token)["exp"]  # expired: exp <= now
    with pytest.raises(TokenError, match="token expired"):
        verify(token, strict)
    assert len(strict.verified) == 0, "the expired token is forgotten"


def test_the_cache_is_bounded_least_recently_used_first(
    verifier: TokenVerifier, decodes: list[str]
) -> None:
    verifier.verified = VerifiedTokens(max_size=3)
    tokens = [mint_token(f"user-{n}") for n in range(10)]
    for token in tokens:
        verify(token, verifier)
        assert len(verifier.verified) <= 3
    decodes.clear()
    verify(tokens[-1], verifier)  # recent: a hit
    assert decodes == []
    verify(tokens[0], verifier)  # evicted long ago: verified again
    assert decodes == [tokens[0]]


def _flip(token: str, index: int) -> str:
    char = token[index]
    return token[:index] + ("A" if char != "A" else "B") + token[index + 1 :]


def test_one_changed_character_is_not_a_hit(verifier: TokenVerifier, decodes: list[str]) -> None:
    token = mint_token(USER_A)
    verify(token, verifier)
    header, payload, signature = token.split(".")
    in_payload = len(header) + 1 + len(payload) // 2
    in_signature = len(header) + len(payload) + 2 + 1
    for index in (in_payload, in_signature):
        changed = _flip(token, index)
        with pytest.raises(TokenError):
            verify(changed, verifier)
        assert decodes[-1] == changed, "a different token must be verified in full"
    assert verify(token, verifier).id == USER_A  # the original is still fine


def test_each_token_gives_its_own_user(verifier: TokenVerifier) -> None:
    a, b = mint_token(USER_A), mint_token(USER_B)
    for _ in range(3):
        assert verify(a, verifier).id == USER_A
        assert verify(b, verifier).id == USER_B


@pytest.mark.parametrize(
    "change",
    [
        {"JWT_AUDIENCE": "https://another-audience.example"},
        {"BETTER_AUTH_URL": "https://another-issuer.example"},
    ],
)
def test_other_settings_do_not_reuse_a_verification(
    settings: Settings, verifier: TokenVerifier, decodes: list[str], change: dict[str, str]
) -> None:
    """Settings changed at run time: a remembered token is verified again under the new ones."""
    token = mint_token(USER_A)
    verify(token, verifier)
    for name, value in change.items():
        setattr(settings, name, value)
    with pytest.raises(TokenError, match="invalid (audience|issuer)"):
        verify(token, verifier)
    assert decodes == [token, token]


def test_a_new_leeway_does_not_reuse_a_verification(
    settings: Settings, verifier: TokenVerifier, decodes: list[str]
) -> None:
    token = mint_token(USER_A)
    verify(token, verifier)
    settings.JWT_LEEWAY_SECONDS = 0
    verify(token, verifier)
    assert decodes == [token, token]


def test_another_signing_key_invalidates(
    settings: Settings, verifier: TokenVerifier, decodes: list[str]
) -> None:
    """shared_secret: a new BETTER_AUTH_SECRET; jwks: a JWKS that publishes another key."""
    token = mint_token(USER_A)
    verify(token, verifier)
    if AUTH_MODE == "jwks":
        from signing import JwksServer, new_key  # type: ignore[attr-defined]

        server = JwksServer(new_key(kid="another-key"))
        original = settings.JWKS_URL
        try:
            settings.JWKS_URL = server.url
            with pytest.raises(TokenError, match="unknown signing key"):
                verify(token, verifier)
        finally:
            settings.JWKS_URL = original
            server.close()
    else:
        original = settings.BETTER_AUTH_SECRET
        settings.BETTER_AUTH_SECRET = secrets.token_urlsafe(48)
        with pytest.raises(TokenError, match="invalid signature"):
            verify(token, verifier)
        settings.BETTER_AUTH_SECRET = original
    assert verify(token, verifier).id == USER_A


def test_the_same_secret_changed_in_place_invalidates(
    settings: Settings, verifier: TokenVerifier
) -> None:
    """Settings changed at run time (not only a new Settings object) are honoured."""
    token = mint_token(USER_A)
    verify(token, verifier)
    if AUTH_MODE == "jwks":
        settings.JWT_AUDIENCE = "https://changed.example"
        with pytest.raises(TokenError, match="invalid audience"):
            verify(token, verifier)
    else:
        settings.BETTER_AUTH_SECRET = secrets.token_urlsafe(48)
        with pytest.raises(TokenError, match="invalid signature"):
            verify(token, verifier)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"exp_delta": -3600},  # expired
        {"forged": True},  # wrong key
        {"sub": "x" * 300},  # claims fine for PyJWT, refused by verify_token afterwards
    ],
)
def test_failures_are_never_cached(
    verifier: TokenVerifier, decodes: list[str], kwargs: dict[str, Any]
) -> None:
    token = mint_token(**kwargs)
    for attempt in range(1, 3):
        with pytest.raises(TokenError):
            verify(token, verifier)
        assert len(decodes) == attempt
    assert len(verifier.verified) == 0


def test_over_http_a_remembered_token_keeps_the_same_answers(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    decodes = count_decodes(app.state.token_verifier, monkeypatch)
    token = mint_token(USER_A)
    for _ in range(3):
        response = client.get("/api/me", headers=bearer(token))
        assert response.status_code == 200 and response.json()["id"] == USER_A
    assert decodes == [token]
    changed = _flip(token, len(token) - 5)
    response = client.get("/api/me", headers=bearer(changed))
    assert response.status_code == 401


def test_two_apps_in_one_process_share_no_auth_state(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each app verifies with its own cache and its own keys (made by create_app, nothing kept
    in module globals). App B has other keys: another BETTER_AUTH_SECRET, or (jwks) the same
    JWKS URL after the issuer withdrew the key app A fetched, so a new app trusts only what is
    published now. A token app A accepted and remembered is refused by B, and B's refusal
    leaves A's memory alone."""
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    token = mint_token(USER_A)
    server = None
    if AUTH_MODE == "jwks":
        from signing import TEST_KEY, JwksServer, new_key  # type: ignore[attr-defined]

        server = JwksServer(TEST_KEY)
        settings_a = settings.model_copy(update={"JWKS_URL": server.url})
        settings_b = settings_a.model_copy()
    else:
        settings_a = settings
        settings_b = settings.model_copy(update={"BETTER_AUTH_SECRET": secrets.token_urlsafe(48)})
    try:
        with TestClient(create_app(settings_a)) as a, TestClient(create_app(settings_b)) as b:
            assert a.get("/api/me", headers=bearer(token)).status_code == 200
            if server is not None:
                server.keys = [new_key(kid="after-the-withdrawal")]
            assert b.get("/api/me", headers=bearer(token)).status_code == 401
            verified_by_a_and_b = len(decoded)
            assert a.get("/api/me", headers=bearer(token)).status_code == 200
            assert len(decoded) == verified_by_a_and_b, "B's refusal made A verify it again"
        if server is not None:
            assert server.requests == 2, "each app fetches its own keys"
    finally:
        if server is not None:
            server.close()
