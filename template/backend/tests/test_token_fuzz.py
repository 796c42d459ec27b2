"""Token fuzzing: whatever arrives in `Authorization`, the answer is a 401 or a verified user.

Over HTTP (every value is one HTTP can carry: printable latin-1):
- random header values, random `Bearer <junk>`, JWT-shaped junk (bad base64, bad JSON, JSON
  that is not an object, huge numbers), and tokens signed with the right key whose claims have
  wrong types or absurd values: 401 with a `WWW-Authenticate: Bearer...` challenge, never a 5xx,
  no ERROR log record, and the rejection log line never contains the token;
- a token signed with the right key is accepted only when its claims are acceptable, and then
  the user is its `sub`; a token with acceptable claims is accepted (the fuzzing is not vacuous).

Directly, app.core.security.verify_token on arbitrary text (what HTTP cannot carry too): it
returns a user or raises TokenError, never anything else.

Examples per property: PROPERTY_EXAMPLES (25 by default; 500 for a long run).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support import AUTH_MODE, AUTH_URL, TEST_SECRET, USER_A, mint_token, tasks_url, verify

from app.core.config import Settings
from app.core.security import MAX_SUBJECT_LENGTH, MAX_TOKEN_LENGTH, TokenError, TokenVerifier

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "25"))
# PROPERTY_SHRINK=0: report the first failing example as found, without minimising it (faster).
PHASES = [p for p in Phase if p is not Phase.shrink or os.environ.get("PROPERTY_SHRINK") != "0"]
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=PHASES,
    database=None,  # nothing written into the project (no .hypothesis/ folder)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROTECTED = ["/api/me", tasks_url(USER_A)]
CLAIMS = ["sub", "exp", "iat", "nbf", "iss", "aud", "email", "name"]

# --- strategies -------------------------------------------------------------------------------

# What an HTTP header value can hold: printable latin-1 (h11/httpx refuse control characters).
HEADER_TEXT = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
# Values of the wrong type (or absurd ones) for a claim: huge numbers overflow C integers;
# numbers as strings and bools because int("5") and int(True) work where a number is expected.
WRONG_CLAIM_VALUES = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.booleans(),
    st.none(),
    st.integers(min_value=2**63) | st.integers(max_value=-(2**63)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(JSON_VALUES, max_size=3),
    st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3),
)
SUBJECTS = st.text(min_size=1, max_size=MAX_SUBJECT_LENGTH).filter(
    lambda s: bool(s.strip()) and "\x00" not in s
)


def valid_claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": USER_A,
        "exp": now + 600,
        "iat": now,
        "nbf": now,
        "iss": AUTH_URL,
        "aud": AUTH_URL,
        "email": "fuzz@example.com",
        "name": "Fuzz",
    }


@st.composite
def signed_tokens(draw: st.DrawFn, target: str | None = None) -> tuple[str, dict[str, Any]]:
    """A token signed with the right key: `target` wrong or missing, the other claims valid
    (or, in half of the examples, each valid, wrong or missing)."""
    claims = valid_claims()
    if target == "sub" or draw(st.booleans(), label="random sub"):
        claims["sub"] = draw(SUBJECTS | WRONG_CLAIM_VALUES, label="sub value")
    others_too = target is None or draw(st.booleans(), label="other claims wrong too")
    for name in CLAIMS:
        if name == target:
            choice = draw(st.sampled_from(["wrong", "wrong", "wrong", "missing"]), label=name)
        elif others_too:
            choice = draw(st.sampled_from(["valid", "wrong", "missing"]), label=name)
        else:
            continue
        if choice == "wrong":
            claims[name] = draw(WRONG_CLAIM_VALUES, label=f"{name} value")
        elif choice == "missing":
            claims.pop(name, None)
    return sign(json.dumps(claims)), claims


def hs256(header_and_payload: str) -> str:
    """An HMAC-SHA256 signature with TEST_SECRET (the right key in shared_secret mode only)."""
    mac = hmac.new(TEST_SECRET.encode(), header_and_payload.encode(), hashlib.sha256)
    return b64url(mac.digest())


def sign(payload: str) -> str:
    """This payload text, signed with the project's test key (as signing.py signs, but any
    text: PyJWT's claim encoder refuses some wrong claims)."""
    if AUTH_MODE == "jwks":
        from signing import TEST_KEY  # type: ignore[attr-defined]  # exists in jwks mode only

        key, algorithm, headers = TEST_KEY.private, TEST_KEY.alg, {"kid": TEST_KEY.kid}
    else:
        key, algorithm, headers = TEST_SECRET, "HS256", None
    return jwt.api_jws.encode(payload.encode(), key, algorithm=algorithm, headers=headers)


def _huge_iat(digits: int) -> str:
    """Claims with an iat of `digits` nines (past 4300 digits, more than int() parses); the
    token has expired anyway, so it can never be accepted."""
    return json.dumps({"sub": "u", "exp": 1, "iss": AUTH_URL, "aud": AUTH_URL}).replace(
        '"exp"', f'"iat": {"9" * digits}, "exp"'
    )


RAW_PAYLOADS = st.one_of(
    JSON_VALUES.map(json.dumps),  # JSON, often not an object; NaN and Infinity too
    st.integers(min_value=1, max_value=5000).map(_huge_iat),
    st.sampled_from(['{"exp":1e999}', '{"sub":"a","sub":1}', "{", "", "null", '{"iat":-1e400}']),
    st.text(max_size=50),
)
HEADERS = st.one_of(
    st.just({"alg": "HS256", "typ": "JWT"}),
    st.fixed_dictionaries({"alg": JSON_VALUES}),
    JSON_VALUES,
).map(json.dumps) | st.text(max_size=30)
SEGMENTS = st.one_of(
    st.text(alphabet=BASE64URL, max_size=60),
    st.binary(max_size=60).map(b64url),
    st.text(HEADER_TEXT, max_size=30).filter(lambda s: " " not in s),
)


@st.composite
def jwt_shaped(draw: st.DrawFn) -> str:
    """Random segments; or a random header, a junk payload and an HMAC or random signature;
    or a junk payload rightly signed."""
    kind = draw(st.sampled_from(["segments", "junk", "signed junk"]), label="kind")
    if kind == "segments":
        return ".".join(draw(st.lists(SEGMENTS, min_size=1, max_size=5)))
    if kind == "signed junk":
        return sign(draw(RAW_PAYLOADS))
    signing_input = f"{b64url(draw(HEADERS).encode())}.{b64url(draw(RAW_PAYLOADS).encode())}"
    signature = hs256(signing_input) if draw(st.booleans(), label="hmac") else draw(SEGMENTS)
    return f"{signing_input}.{signature}"


SCHEMES = st.sampled_from(["Bearer", "bearer", "BEARER", "Basic", "Token", ""])
HEADER_VALUES = st.one_of(
    st.text(HEADER_TEXT, max_size=200),
    st.text(HEADER_TEXT, max_size=200).map(lambda s: f"Bearer {s}"),
    st.tuples(SCHEMES, jwt_shaped()).map(" ".join),
    st.integers(min_value=MAX_TOKEN_LENGTH - 2, max_value=MAX_TOKEN_LENGTH + 2).map(
        lambda n: "Bearer " + "a" * n
    ),
)


# --- fixtures -----------------------------------------------------------------------------------


class ErrorRecords(logging.Handler):
    """Every logged message, and the records of level ERROR or above or with a traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.messages: list[str] = []

    def clear(self) -> None:
        self.records.clear()
        self.messages.clear()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture
def fuzz_client(app: FastAPI) -> Iterator[tuple[TestClient, ErrorRecords]]:
    """A client that turns server errors into 500 responses, and the log records of the run."""
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, handler
    finally:
        root.setLevel(previous)
        root.removeHandler(handler)


def _send(client: TestClient, path: str, value: str) -> Any:
    # bytes, so httpx sends latin-1 as is (a str header value must be ASCII for httpx)
    return client.get(path, headers={"Authorization": value.encode("latin-1")})


def _assert_rejected(response: Any, logs: ErrorRecords, value: str) -> None:
    assert response.status_code == 401, (value, response.status_code, response.text)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert not logs.records, [r.getMessage() for r in logs.records]
    token = value.partition(" ")[2]
    if len(token) >= 16:  # long enough not to occur in the log line by chance
        assert not any(token in message for message in logs.messages), "token logged"


# --- over HTTP ----------------------------------------------------------------------------------


def test_malformed_authorization_headers_are_401(
    fuzz_client: tuple[TestClient, ErrorRecords],
) -> None:
    client, logs = fuzz_client

    @FUZZ
    @given(value=HEADER_VALUES, path=st.sampled_from(PROTECTED))
    def check(value: str, path: str) -> None:
        logs.clear()
        _assert_rejected(_send(client, path, value), logs, value)

    check()


def _acceptable(claims: dict[str, Any], audience: str) -> bool:
    """What the token check promises: accepted implies these (PyJWT may refuse more)."""
    sub, aud = claims.get("sub"), claims.get("aud")
    return (
        isinstance(sub, str)
        and bool(sub.strip())
        and len(sub) <= MAX_SUBJECT_LENGTH
        and "\x00" not in sub
        and claims.get("iss") == AUTH_URL
        and (aud == audience or (isinstance(aud, list) and audience in aud))
        and "exp" in claims
        and "iat" in claims
    )


@pytest.mark.parametrize("claim", CLAIMS)
def test_rightly_signed_tokens_with_wrong_claims(
    fuzz_client: tuple[TestClient, ErrorRecords], settings: Settings, claim: str
) -> None:
    client, logs = fuzz_client
    audience = getattr(settings, "JWT_AUDIENCE", AUTH_URL)

    @FUZZ
    @given(signed=signed_tokens(claim))
    def check(signed: tuple[str, dict[str, Any]]) -> None:
        token, claims = signed
        logs.clear()
        response = _send(client, "/api/me", f"Bearer {token}")
        assert not logs.records, [r.getMessage() for r in logs.records]
        if response.status_code == 200:
            assert _acceptable(claims, audience), claims
            assert response.json()["id"] == claims["sub"]
        else:
            assert response.status_code == 401, (claims, response.status_code, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")

    check()


def test_acceptable_tokens_are_accepted(fuzz_client: tuple[TestClient, ErrorRecords]) -> None:
    client, _ = fuzz_client

    @FUZZ
    @given(sub=SUBJECTS.filter(lambda s: s.isascii()))
    def check(sub: str) -> None:
        response = _send(client, "/api/me", f"Bearer {mint_token(sub)}")
        assert response.status_code == 200, response.text
        assert response.json()["id"] == sub

    check()


# --- verify_token directly ----------------------------------------------------------------------

# Any text at all, lone surrogates included: verify_token refuses non-ASCII tokens up front
# (a JWT is ASCII by definition), so nothing reaches PyJWT's UTF-8 encoding.
ANY_TEXT = st.text()


def _verify_raises_only_token_error(settings: Settings) -> Callable[[str], None]:
    verifier = TokenVerifier(settings)

    def check_one(token: str) -> None:
        try:
            user = verify(token, verifier)
        except TokenError as exc:
            assert exc.reason and isinstance(exc.reason, str)
        else:
            assert isinstance(user.id, str) and user.id.strip()

    return check_one


def test_verify_token_raises_only_token_error(settings: Settings) -> None:
    check_one = _verify_raises_only_token_error(settings)

    @FUZZ
    @given(
        token=st.one_of(
            ANY_TEXT,
            jwt_shaped(),
            st.lists(ANY_TEXT, min_size=2, max_size=4).map(".".join),
            ANY_TEXT.map(lambda s: "a" * MAX_TOKEN_LENGTH + s),
            signed_tokens().map(lambda signed: signed[0]),
        )
    )
    def check(token: str) -> None:
        check_one(token)

    check()
