"""Read a token from an argument or stdin and decode it WITHOUT trusting it."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from generator.errors import BafaError


@dataclass(frozen=True)
class Decoded:
    """The token as sent, its header and its claims (none of them verified)."""

    raw: str
    header: dict[str, Any]
    claims: dict[str, Any]


def read_token(argument: str) -> str:
    """TOKEN itself, or stdin's content for "-"; an `Authorization: Bearer ` prefix is dropped."""
    text = sys.stdin.read() if argument == "-" else argument
    text = text.strip()
    for prefix in ("Authorization:", "Bearer "):
        if text[: len(prefix)].lower() == prefix.lower():
            text = text[len(prefix) :].strip()
    if not text:
        raise BafaError("no token given (pass it as an argument or pipe it with -)")
    return text


def decode_unverified(raw: str) -> Decoded:
    """Header and claims of a compact JWS, or BafaError when RAW is not a JWT."""
    import jwt

    if raw.count(".") != 2:
        raise BafaError("not a JWT: expected three base64url parts separated by dots (header.payload.signature)")
    try:
        header = jwt.get_unverified_header(raw)
        claims = jwt.decode(raw, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise BafaError(f"not a JWT: {str(exc).rstrip('.') or type(exc).__name__}") from None
    if not isinstance(claims, dict):
        raise BafaError("not a JWT: its payload is not a JSON object")
    return Decoded(raw=raw, header=dict(header), claims=claims)
