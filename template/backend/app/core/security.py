"""THE JWT CHECK: verify a Better Auth token and return the user it identifies.

The algorithm is pinned (Settings.JWT_ALGORITHMS); the signature is checked with the key
from app.core.signing_keys (BETTER_AUTH_SECRET in shared_secret mode, the issuer's public
key by kid in jwks mode); iss must be BETTER_AUTH_URL and aud JWT_AUDIENCE (Better Auth's
base URL by default); exp, iat and sub are required. The user id comes from `sub` only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from app.core.auth_errors import KeysUnavailable, TokenError
from app.core.config import Settings
from app.core.signing_keys import signing_key

__all__ = ["AuthenticatedUser", "KeysUnavailable", "TokenError", "verify_token"]

MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 255  # the length of tasks.user_id
REQUIRED_CLAIMS = ["exp", "iat", "sub"]


@dataclass(frozen=True, slots=True)
class AuthenticatedUser:
    """The caller, as identified by a verified token."""

    id: str
    email: str | None = None
    name: str | None = None


def _optional_str(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None


def _decode(token: str, settings: Settings) -> dict[str, Any]:
    """Check the header's algorithm, then the signature and the registered claims."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise TokenError("invalid token") from None
    if header.get("alg") not in Settings.JWT_ALGORITHMS:
        raise TokenError("unsupported algorithm")
    key = signing_key(header, settings)  # may raise TokenError or KeysUnavailable
    try:
        return jwt.decode(
            token,
            key=key,
            algorithms=list(Settings.JWT_ALGORITHMS),
            audience=settings.JWT_AUDIENCE,
            issuer=settings.BETTER_AUTH_URL,
            leeway=settings.JWT_LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("token expired") from None
    except jwt.InvalidSignatureError:
        raise TokenError("invalid signature") from None
    except jwt.InvalidIssuerError:
        raise TokenError("invalid issuer") from None
    except jwt.InvalidAudienceError:
        raise TokenError("invalid audience") from None
    except jwt.ImmatureSignatureError:
        raise TokenError("token not yet valid") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenError(f"missing claim: {exc.claim}") from None
    except jwt.InvalidAlgorithmError:
        raise TokenError("unsupported algorithm") from None
    except (jwt.InvalidTokenError, jwt.InvalidKeyError, ValueError, TypeError):
        raise TokenError("invalid token") from None


def verify_token(token: str, settings: Settings) -> AuthenticatedUser:
    """Return the token's user, or raise TokenError saying why the token is not acceptable."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("invalid token")
    claims = _decode(token, settings)

    # PyJWT >= 2.10 rejects a future iat; keep the check explicit so it never depends on that.
    iat = claims["iat"]
    if isinstance(iat, int | float) and iat > time.time() + settings.JWT_LEEWAY_SECONDS:
        raise TokenError("token not yet valid")

    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise TokenError("missing claim: sub")
    if len(sub) > MAX_SUBJECT_LENGTH or "\x00" in sub:
        raise TokenError("invalid claim: sub")
    return AuthenticatedUser(
        id=sub, email=_optional_str(claims, "email"), name=_optional_str(claims, "name")
    )
