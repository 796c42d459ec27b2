"""Mint a token exactly like the generated Better Auth frontend does, for local testing only."""

from __future__ import annotations

import re
import time

from generator import rules
from generator.errors import BafaError
from generator.secret import SECRET_ENV
from generator.token.policy import JwksKeys, Policy, SharedSecretKey

_TTL = re.compile(r"^(\d+)\s*([smhd]?)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 60}
MAX_TTL_SECONDS = 86400


def parse_ttl(text: str) -> int:
    """'15m', '90s', '2h', '1d' or a number of minutes → seconds (1 s to 1 day)."""
    match = _TTL.match(text.strip().lower())
    if not match:
        raise BafaError(f"--ttl must look like 15m, 90s, 2h or 1d, got {text!r}")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not 1 <= seconds <= MAX_TTL_SECONDS:
        raise BafaError(f"--ttl must be between 1s and 1d, got {text!r}")
    return seconds


def mint(policy: Policy, sub: str, *, email: str | None, name: str | None, ttl_seconds: int) -> str:
    """An HS256 token with Better Auth's claims, signed with the project's secret; refuses unsafe setups."""
    import jwt

    if isinstance(policy.keys, JwksKeys):
        raise BafaError("token mint is not available in jwks mode: tokens are signed by Better Auth's private key")
    production = policy.production_reason()
    if production:
        raise BafaError(f"refusing to mint a token for what looks like production ({production})")
    subject = rules.subject_problem({"sub": sub})
    if subject:
        raise BafaError(f"--sub must be a non-empty user id of at most {rules.MAX_SUBJECT_LENGTH} characters")
    keys: SharedSecretKey = policy.keys
    if not keys.secret or rules.secret_problem(keys.secret):
        raise BafaError(f"no usable {SECRET_ENV} in {keys.source}; generate the project's .env first")
    if policy.url is None:
        raise BafaError("BETTER_AUTH_URL not found in backend/.env or .copier-answers.yml")
    now = int(time.time())
    claims: dict[str, object] = {"sub": sub, "id": sub}
    if email is not None:
        claims["email"] = email
    if name is not None:
        claims["name"] = name
    claims.update(iat=now, exp=now + ttl_seconds, iss=policy.url, aud=policy.audience or policy.url)
    return jwt.encode(claims, keys.secret, algorithm="HS256", headers={"typ": "JWT"})
