"""Why the project's backend would reject a token: every reason, in the backend's order.

The rules are generator/rules.py's copy of the generated app/core/security.py (one spelling of
a token, algorithm pinned, signature, required exp/iat/sub, numeric times with leeway, iss and
aud, the user id); tests/test_rule_parity.py checks both on one table of tokens. A final PyJWT
decode, exactly as the backend calls it, catches anything the rules missed (in jwks mode
without the signature, which is not checked here).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from generator import rules
from generator.token.parse import Decoded
from generator.token.policy import JwksKeys, Policy
from generator.token.timefmt import duration


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
    shape = rules.token_problem(token.raw)
    if shape:
        reasons.append(shape)
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
    if not reasons:
        reasons += _backend_decode(token.raw, policy)
    return Verdict(reasons, notes)


def _claim_problems(claims: dict, policy: Policy, now: float) -> list[str]:
    problems = [f"missing claim: {name}" for name in ("exp", "iat") if claims.get(name) in (None, "")]
    subject = rules.subject_problem(claims)
    if subject:
        problems.append(subject)
    for name in rules.TIME_CLAIMS:
        value = claims.get(name)
        if value not in (None, "") and not rules.is_numeric_date(value):
            problems.append(f"invalid claim: {name} must be a number of seconds, got {value!r}")
    exp, iat, nbf = (claims.get(name) for name in rules.TIME_CLAIMS)
    if rules.is_numeric_date(exp) and rules.expired(exp, now, policy.leeway):
        problems.append(f"expired {duration(now - exp)} ago (leeway {policy.leeway} s)")
    for name, value, early in (("iat", iat, rules.issued_in_future), ("nbf", nbf, rules.not_before_in_future)):
        if rules.is_numeric_date(value) and early(value, now, policy.leeway):
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


def _backend_decode(raw: str, policy: Policy) -> list[str]:
    """The backend's own jwt.decode call; [] when it accepts. jwks mode: every check but the signature."""
    import jwt

    if isinstance(policy.keys, JwksKeys):
        key, checks = "", dict.fromkeys(("exp", "nbf", "iat", "aud", "iss", "sub", "jti"), True)
        options = {"verify_signature": False, **{f"verify_{name}": on for name, on in checks.items()}}
    else:
        key, options = policy.keys.secret, {}
    try:
        jwt.decode(
            raw,
            key=key,
            algorithms=list(policy.algorithms),
            audience=policy.audience,
            issuer=policy.url,
            leeway=policy.leeway,
            options={**options, "require": list(rules.REQUIRED_CLAIMS)},
        )
    except jwt.InvalidTokenError as exc:
        return [f"PyJWT rejects it: {exc}"]
    return []
