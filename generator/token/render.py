"""`bafa token inspect` output: header, claims with human times, the backend's verdict."""

from __future__ import annotations

import json
import time

from generator.rules import is_numeric_date
from generator.token.diagnose import Verdict
from generator.token.parse import Decoded
from generator.token.policy import Policy
from generator.token.timefmt import relative, utc

_TIME_WORDS = {
    "exp": ("expired {d} ago", "expires in {d}"),
    "iat": ("issued {d} ago", "issued {d} in the future"),
    "nbf": ("valid since {d} ago", "not valid for another {d}"),
}


def inspect_text(token: Decoded, policy: Policy, verdict: Verdict, now: float | None = None) -> str:
    now = time.time() if now is None else now
    lines = ["header (not verified):", f"  {json.dumps(token.header)}", "claims (not verified):"]
    for name, value in token.claims.items():
        line = f"  {name}: {json.dumps(value)}"
        if name in _TIME_WORDS and is_numeric_date(value):
            past, future = _TIME_WORDS[name]
            line += f"  ({utc(value)}, {relative(value, now, past=past, future=future)})"
        lines.append(line)
    lines.append(
        f"checked against: auth_mode {policy.auth_mode}, algorithms {', '.join(policy.algorithms)}, "
        f"BETTER_AUTH_URL {policy.url or 'unknown'} ({policy.url_source}), leeway {policy.leeway} s"
    )
    lines += [f"note: {note}" for note in verdict.notes]
    if verdict.accepted:
        lines.append("verdict: the backend would accept this token")
    else:
        lines.append("verdict: the backend would reject this token (401):")
        lines += [f"  - {reason}" for reason in verdict.reasons]
    return "\n".join(lines)
