"""The JWT check, end to end: which tokens reach the API and which get a 401."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi.testclient import TestClient
from support import AUTH_URL, TEST_SECRET, USER_A, bearer, mint_token, tasks_url, unsigned_token

from app.core.security import MAX_TOKEN_LENGTH


def assert_401(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": detail}
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_valid_token_identifies_user(client: TestClient) -> None:
    token = mint_token(USER_A, email="a@example.com", name="Ada")
    response = client.get("/api/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"id": USER_A, "email": "a@example.com", "name": "Ada"}


def test_lowercase_scheme_accepted(client: TestClient) -> None:
    response = client.get("/api/me", headers={"Authorization": f"bearer {mint_token(USER_A)}"})
    assert response.status_code == 200
    assert response.json()["id"] == USER_A


def test_user_id_comes_from_sub_only(client: TestClient) -> None:
    token = mint_token(USER_A, id="someone-else", user_id="someone-else")
    assert client.get("/api/me", headers=bearer(token)).json()["id"] == USER_A


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_missing_header(client: TestClient) -> None:
    response = client.get("/api/me")
    assert_401(response, "missing token")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "value",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Token abc.def.ghi",
        "Bearer a.b.c extra",
        "Bearer  a.b.c",
        "Bearer\ta.b.c",
    ],
)
def test_malformed_header(client: TestClient, value: str) -> None:
    response = client.get("/api/me", headers={"Authorization": value})
    assert_401(response, "invalid authorization header")


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (unsigned_token(), "unsupported algorithm"),
        (mint_token(USER_A, alg="HS512", secret=TEST_SECRET), "unsupported algorithm"),
        (mint_token(USER_A, alg="HS384", secret=TEST_SECRET), "unsupported algorithm"),
        (mint_token(USER_A, forged=True), "invalid signature"),
        (mint_token(USER_A, exp_delta=-60), "token expired"),
        (mint_token(USER_A, iss="https://evil.example"), "invalid issuer"),
        (mint_token(USER_A, aud="https://evil.example"), "invalid audience"),
        (mint_token(USER_A, drop=("iss",)), "missing claim: iss"),
        (mint_token(USER_A, drop=("aud",)), "missing claim: aud"),
        (mint_token(None), "missing claim: sub"),
        (mint_token(USER_A, drop=("exp",)), "missing claim: exp"),
        (mint_token(USER_A, drop=("iat",)), "missing claim: iat"),
        (mint_token(""), "missing claim: sub"),
        (mint_token("   "), "missing claim: sub"),
        (mint_token(12345), "invalid token"),  # type: ignore[arg-type]
        (mint_token("x" * 256), "invalid claim: sub"),
        (mint_token("nul\x00sub"), "invalid claim: sub"),
        (mint_token(USER_A, iat_delta=3600, exp_delta=7200), "token not yet valid"),
        (mint_token(USER_A, nbf=10**10), "token not yet valid"),
        ("not-a-jwt", "invalid token"),
        ("a.b.c", "invalid token"),
        (mint_token(USER_A, padding="x" * MAX_TOKEN_LENGTH), "invalid token"),
    ],
    ids=[
        "alg-none",
        "hs512",
        "hs384",
        "wrong-secret",
        "expired",
        "wrong-iss",
        "wrong-aud",
        "no-iss",
        "no-aud",
        "no-sub",
        "no-exp",
        "no-iat",
        "empty-sub",
        "blank-sub",
        "non-string-sub",
        "overlong-sub",
        "nul-in-sub",
        "future-iat",
        "future-nbf",
        "garbage",
        "garbage-segments",
        "overlong-token",
    ],
)
def test_rejected_tokens(client: TestClient, token: str, detail: str) -> None:
    assert_401(client.get("/api/me", headers=bearer(token)), detail)
    assert client.get("/api/me", headers=bearer(token)).headers["www-authenticate"] == (
        'Bearer error="invalid_token"'
    )


def test_small_clock_skew_tolerated(client: TestClient) -> None:
    token = mint_token(USER_A, iat_delta=5, exp_delta=-5)  # inside the 10 s leeway
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_audience_list_containing_auth_url(client: TestClient) -> None:
    token = mint_token(USER_A, aud=[AUTH_URL, "https://other.example"])
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_task_routes_require_a_token(client: TestClient) -> None:
    assert_401(client.get(tasks_url(USER_A)), "missing token")
    assert_401(client.post(tasks_url(USER_A), json={"title": "x"}), "missing token")
    assert_401(client.delete(tasks_url(USER_A, 1)), "missing token")


def test_logs_reason_but_never_token_or_secret(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    expired = mint_token(USER_A, exp_delta=-600)
    forged = mint_token(USER_A, forged=True)
    with caplog.at_level(logging.DEBUG):
        client.get("/api/me", headers=bearer(expired))
        client.get("/api/me", headers=bearer(forged))
        client.get("/api/me", headers={"Authorization": f"Basic {expired}"})
    auth_records = [r for r in caplog.records if r.name == "app.auth"]
    assert len(auth_records) == 3
    assert all(r.levelno == logging.WARNING for r in auth_records)
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "token expired" in text
    assert "invalid signature" in text
    assert "invalid authorization header" in text
    assert "/api/me" in text
    for token in (expired, forged):
        assert token not in text
        assert token.split(".")[2] not in text
    assert TEST_SECRET not in text


_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _same_bytes_variants(part: str) -> list[str]:
    """Other spellings of a base64url segment that decode to the same bytes (unused low bits
    of the last character set), plus padded and standard-alphabet spellings."""
    unused_bits = {2: 4, 3: 2}.get(len(part) % 4, 0)  # 1 or 2 bytes in the last quantum
    index = _B64URL.index(part[-1])
    same = [
        part[:-1] + _B64URL[(index & ~((1 << unused_bits) - 1)) | low]
        for low in range(1 << unused_bits)
    ]
    padded = part + "=" * (-len(part) % 4)
    standard = part.replace("-", "+").replace("_", "/")
    return sorted({*same, padded, standard} - {part})


def test_only_the_canonical_spelling_of_a_token_is_accepted(client: TestClient) -> None:
    """Attack review: 4 of 16 re-spellings of a signature were accepted (200)."""
    for attempt in range(20):  # a token whose signature has unused bits and a '-' or '_'
        token = mint_token(USER_A, nonce=attempt)
        header, payload, signature = token.split(".")
        if len(signature) % 4 and any(c in signature for c in "-_"):
            break
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    variants = [f"{header}.{payload}.{s}" for s in _same_bytes_variants(signature)]
    variants += [f"{header}.{p}.{signature}" for p in _same_bytes_variants(payload)]
    assert len(variants) >= 4
    for variant in variants:
        assert_401(client.get("/api/me", headers=bearer(variant)), "invalid token")


def test_two_authorization_headers_are_refused(client: TestClient) -> None:
    first, second = mint_token(USER_A), mint_token("user-b-0002")
    both = [("Authorization", f"Bearer {first}"), ("Authorization", f"Bearer {second}")]
    response = client.get("/api/me", headers=both)
    assert response.status_code == 400
    assert response.json() == {"detail": "more than one authorization header"}
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_request"'
