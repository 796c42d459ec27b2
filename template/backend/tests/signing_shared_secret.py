"""How tests sign tokens in shared_secret mode: HS256 with a random test secret.

tests/signing.py re-exports this module in shared_secret projects; signing_jwks.py has the
same names and a local JWKS server.
"""

from __future__ import annotations

import secrets
from typing import Any

import jwt

__all__ = ["ALGORITHM", "AUTH_MODE", "TEST_SECRET", "auth_settings", "forge", "sign"]

AUTH_MODE = "shared_secret"
ALGORITHM = "HS256"
# A fresh strong secret per test run; deliberately unrelated to backend/.env.
TEST_SECRET = secrets.token_urlsafe(48)


def sign(
    claims: dict[str, Any], *, alg: str | None = None, headers: dict[str, Any] | None = None
) -> str:
    """Sign like Better Auth's jwt plugin configured by this project (HS256, shared secret)."""
    return jwt.encode(claims, TEST_SECRET, algorithm=alg or ALGORITHM, headers=headers)


def forge(claims: dict[str, Any]) -> str:
    """The same claims signed with another key: the backend must say "invalid signature"."""
    return jwt.encode(claims, secrets.token_urlsafe(48), algorithm=ALGORITHM)


def auth_settings(jwks_url: str | None = None) -> dict[str, Any]:
    """The auth part of Settings for the tests."""
    return {"BETTER_AUTH_SECRET": TEST_SECRET}
