"""Why the project's backend would reject a token: every reason, in the backend's order.

The rules mirror the generated app/core/security.py (algorithm pinned, signature, required
exp/iat/sub, exp/iat/nbf with leeway, iss and aud equal BETTER_AUTH_URL). A final full
PyJWT decode, exactly as the backend calls it, catches anything the rules missed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from generator.token.parse import Decoded
from generator.token.policy import JwksKeys, Policy
from generator.token.timefmt import duration

MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 255
REQUIRED = ("sub", "exp", "iat")


@dataclass(frozen=True)
class Verdict:
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.reasons


def diagnose(token: Decoded, policy: Policy, now: float | None = None) -> Verdict:
    now = time.time() if now is None else now
    reasons: list[str] = []
    notes: list[str] = []
    if len(token.raw) > MAX_TOKEN_LENGTH:
        reasons.append(f"token is {len(token.raw)} characters, longer than the backend's {MAX_TOKEN_LENGTH}")
    algorithm = str(token.header.get("alg"))
    if algorithm not in policy.algorithms:
        reasons.append(
            f"wrong algorithm: the token is {algorithm}, the backend accepts only {', '.join(policy.algorithms)}"
        )
    else:
        problem = policy.keys.problem(token.raw, algorithm)
        if problem:
            reasons.append(problem)
    if isinstance(policy.keys, JwksKeys):
        notes.append(JwksKeys.note)
    reasons += _claim_problems(token.claims, policy, now)
    if not reasons and not isinstance(policy.keys, JwksKeys):
        reasons += _backend_decode(token.raw, policy)
    return Verdict(reasons, notes)


def _claim_problems(claims: dict, policy: Policy, now: float) -> list[str]:
    problems = [f"missing claim: {name}" for name in REQUIRED if claims.get(name) in (None, "")]
    sub = claims.get("sub")
    if sub not in (None, "") and (not isinstance(sub, str) or len(sub) > MAX_SUBJECT_LENGTH or "\x00" in sub):
        problems.append(f"invalid claim: sub must be a string of at most {MAX_SUBJECT_LENGTH} characters")
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"invalid claim: {name} must be a number of seconds, got {value!r}")
    exp = claims.get("exp")
    if _number(exp) and exp + policy.leeway < now:
        problems.append(f"expired {duration(now - exp)} ago (leeway {policy.leeway} s)")
    for name in ("iat", "nbf"):
        value = claims.get(name)
        if _number(value) and value > now + policy.leeway:
            problems.append(
                f"not yet valid: {name} is {duration(value - now)} in the future (clocks differ by more than "
                f"{policy.leeway} s?)"
            )
    if policy.url is None:
        problems.append("cannot check iss/aud: BETTER_AUTH_URL not found in backend/.env or the answers")
        return problems
    if claims.get("iss") != policy.url:
        problems.append(f"iss {claims.get('iss')!r} differs from BETTER_AUTH_URL {policy.url!r} ({policy.url_source})")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if policy.audience not in audiences:
        expected = "BETTER_AUTH_URL" if policy.audience == policy.url else "the expected audience"
        problems.append(f"aud {aud!r} differs from {expected} {policy.audience!r} ({policy.audience_source})")
    return problems


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _backend_decode(raw: str, policy: Policy) -> list[str]:
    """The backend's own jwt.decode call; [] when it accepts."""
    import jwt

    try:
        jwt.decode(
            raw,
            key=policy.keys.secret,
            algorithms=list(policy.algorithms),
            audience=policy.audience,
            issuer=policy.url,
            leeway=policy.leeway,
            options={"require": list(REQUIRED)},
        )
    except jwt.InvalidTokenError as exc:
        return [f"PyJWT rejects it: {exc}"]
    return []
