"""The shared_secret auth mode: Better Auth and this backend hold one HS256 secret.

- AuthSettings: BETTER_AUTH_SECRET. The backend refuses to start with a missing, short,
  repetitive or placeholder secret; the error names BETTER_AUTH_SECRET, never its value.
- SigningKeys: the key that checks a token's signature, the secret itself.

The jwks mode (app/core/auth_modes/jwks.py) exports the same names; app/core/auth_settings.py
picks this project's.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

MIN_SECRET_LENGTH = 32
MIN_DISTINCT_SECRET_CHARS = 8
PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "your-secret-here",
        "your_secret_here",
        "yoursecret",
        "password",
        "better-auth-secret",
        "better_auth_secret",
        "replace-me",
    }
)
PLACEHOLDER_MARKERS = ("generate-with", "changeme", "change-me", "your-secret", "replace-me")
# Whitespace for Python (str.isspace) or JavaScript (\s), spelled out: the frontend checks the
# same secret with the same list (lib/auth.ts), and bafa checks that every copy agrees.
WHITESPACE = re.compile(
    r"[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
)
GENERATE_HINT = 'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


__all__ = ["AuthSettings", "SigningKeys"]


class AuthSettings(BaseSettings):
    """BETTER_AUTH_SECRET, and the one algorithm it signs with."""

    BETTER_AUTH_SECRET: str = Field(repr=False)

    # HS256 only, deliberately not configurable.
    JWT_ALGORITHMS: ClassVar[tuple[str, ...]] = ("HS256",)

    @field_validator("BETTER_AUTH_SECRET")
    @classmethod
    def _strong_secret(cls, value: str) -> str:
        lowered = value.strip().lower()
        if lowered in PLACEHOLDER_SECRETS or any(m in lowered for m in PLACEHOLDER_MARKERS):
            raise ValueError(f"BETTER_AUTH_SECRET is a placeholder; {GENERATE_HINT}")
        if WHITESPACE.search(value):
            raise ValueError("BETTER_AUTH_SECRET must not contain whitespace")
        if len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"BETTER_AUTH_SECRET must be at least {MIN_SECRET_LENGTH} characters; "
                f"{GENERATE_HINT}"
            )
        if len(set(value)) < MIN_DISTINCT_SECRET_CHARS:
            raise ValueError(f"BETTER_AUTH_SECRET is too repetitive; {GENERATE_HINT}")
        return value

    def production_problems(self) -> list[str]:
        """What ENVIRONMENT=production refuses here besides the common rules: nothing more (a
        weak secret is refused in every environment)."""
        return []


class SigningKeys:
    """The key that checks a token's signature: BETTER_AUTH_SECRET (a token's kid is ignored).

    One per app (TokenVerifier); the secret is read on every call, so a changed setting counts.
    """

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings

    async def key_for(self, header: dict[str, Any]) -> str:
        return self.settings.BETTER_AUTH_SECRET
