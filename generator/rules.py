"""The rules a setting or a token must follow: their one home in the generator.

doctor, `bafa token` and `bafa bootstrap` import them from here. A generated project runs
without bafa, so it holds its own copies: copier.yml's validators (includes/macros.jinja), the
backend (app/core/auth_modes/shared_secret.py, app/core/config.py, app/core/security.py) and
the frontend (lib/auth.ts, lib/backend-url.ts). tests/test_rule_parity.py renders each auth
mode and checks, on one table of examples, that every copy accepts and refuses the same
inputs. The patterns are written so that Python's re, JavaScript's RegExp and Copier's Jinja
read them alike: ASCII classes and explicit character lists, no \\s, \\d or \\w (whose
meanings differ between the languages).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

# --- the shared BETTER_AUTH_SECRET -------------------------------------------------------------

MIN_SECRET_LENGTH = 32  # characters (Unicode code points, not UTF-16 units or bytes)
MIN_DISTINCT_SECRET_CHARS = 8
PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme", "change-me", "change_me", "secret", "your-secret-here", "your_secret_here", "yoursecret",
        "password", "better-auth-secret", "better_auth_secret", "replace-me",
    }
)  # fmt: skip
PLACEHOLDER_MARKERS = ("generate-with", "changeme", "change-me", "your-secret", "replace-me")
# Whitespace for Python (str.isspace) or for JavaScript (\s), spelled out: one set for every copy.
WHITESPACE = r"[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
GENERATE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'

_WHITESPACE = re.compile(WHITESPACE)


def secret_problem(value: str) -> str | None:
    """Why this secret is refused, in words that never repeat it; None when it is fine."""
    lowered = value.strip().lower()
    if lowered in PLACEHOLDER_SECRETS or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return "is a placeholder"
    if _WHITESPACE.search(value):
        return "contains whitespace"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is {len(value)} characters (at least {MIN_SECRET_LENGTH} needed)"
    if len(set(value)) < MIN_DISTINCT_SECRET_CHARS:
        return "is too repetitive"
    return None


# --- URLs and browser origins ------------------------------------------------------------------

HOST = r"[A-Za-z0-9.-]+"  # a name or an IPv4 address; no IPv6, no user, no Unicode (punycode it)
PORT = r"6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}"  # 1-65535
# scheme://host[:port] as a browser sends it in Origin: no path, no trailing slash, no wildcard.
ORIGIN = rf"https?://{HOST}(?::(?:{PORT}))?"
# A base URL (BETTER_AUTH_URL, the token's iss): an origin and a path of visible ASCII
# characters, no query or fragment. Where it is the issuer it must not end with "/".
HTTP_URL = ORIGIN + r'(?:/[!"$->@-~]*)?'
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})

_ORIGIN = re.compile(ORIGIN)
_HTTP_URL = re.compile(HTTP_URL)


def url_problem(value: str) -> str | None:
    """Why VALUE is not a base URL (BETTER_AUTH_URL, auth_url, the issuer's url); None when fine."""
    if not _HTTP_URL.fullmatch(value):
        return "is not an http(s) URL like http://localhost:3000 (no user, query, fragment or spaces; port 1-65535)"
    if value.endswith("/"):
        return "ends with '/' (the token's iss would not match)"
    return None


def origin_problem(value: str) -> str | None:
    """Why VALUE is not an explicit browser origin (CORS_ORIGINS, TRUSTED_ORIGINS); None when fine."""
    if "*" in value:
        return "a wildcard"
    if value == "null":
        return "'null' (sandboxed pages and file:// URLs)"
    if not _ORIGIN.fullmatch(value):
        return "not a scheme://host[:port] origin (no path, trailing slash, user or query; port 1-65535)"
    return None


def audience_problem(value: str) -> str | None:
    """Why VALUE cannot be the tokens' expected aud (JWT_AUDIENCE, jwt_audience); None when fine."""
    return "is empty" if not value.strip() else None


def split_cors_origins(text: str) -> list[Any]:
    """CORS_ORIGINS as the backend reads it: a JSON list, the same list with the quotes a shell
    removed, or comma-separated (each part stripped of spaces and quotes)."""
    text = text.strip()
    if text.startswith("["):
        try:
            return json.loads(text)  # a list: the text starts with "["
        except json.JSONDecodeError:
            text = text.removeprefix("[").removesuffix("]")
    return [part.strip().strip("'\"") for part in text.split(",") if part.strip()]


def split_trusted_origins(text: str) -> list[str]:
    """TRUSTED_ORIGINS as the frontend reads it: comma-separated, each part trimmed."""
    parts = (re.sub(rf"^{WHITESPACE}+|{WHITESPACE}+$", "", part) for part in text.split(","))
    return [part for part in parts if part]


def is_local(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def is_https(url: str) -> bool:
    return url.lower().startswith("https://")


# --- tokens (what app/core/security.py accepts) -----------------------------------------------

MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 255  # the length of tasks.user_id
REQUIRED_CLAIMS = ("exp", "iat", "sub")
TIME_CLAIMS = ("exp", "iat", "nbf")
JWKS_ALGORITHMS = ("EdDSA", "ES256", "RS256")  # copier.yml's jwt_algorithm choices
DEFAULT_LEEWAY_SECONDS = 10
MAX_LEEWAY_SECONDS = 300
# Three base64url segments without padding (a JWS in compact serialization, RFC 7515).
COMPACT_JWS = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"

_COMPACT_JWS = re.compile(COMPACT_JWS)


def token_problem(raw: str) -> str | None:
    """Why the backend refuses this string before reading it as a JWT; None when its shape is fine.

    One spelling of a token only: ASCII, base64url without padding, and no unused bits set in a
    segment's last character (which would decode to the same bytes)."""
    if not raw:
        return "the token is empty"
    if len(raw) > MAX_TOKEN_LENGTH:
        return f"token is {len(raw)} characters, longer than the backend's {MAX_TOKEN_LENGTH}"
    if not raw.isascii():
        return "the token contains non-ASCII characters"
    if not _COMPACT_JWS.fullmatch(raw):
        return "not three base64url segments without padding (header.payload.signature)"
    for name, segment in zip(("header", "payload", "signature"), raw.split("."), strict=True):
        try:
            decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            return f"its {name} is not valid base64url"
        if base64.urlsafe_b64encode(decoded).rstrip(b"=").decode() != segment:
            return f"its {name} is not canonical base64url (unused bits set in its last character)"
    return None


def subject_problem(claims: dict[str, Any]) -> str | None:
    """Why the token's sub (the user id) is refused; None when it is fine."""
    sub = claims.get("sub")
    if sub is None or (isinstance(sub, str) and not sub.strip()):
        return "missing claim: sub"
    if not isinstance(sub, str) or len(sub) > MAX_SUBJECT_LENGTH or "\x00" in sub:
        return f"invalid claim: sub must be a string of at most {MAX_SUBJECT_LENGTH} characters"
    return None


def is_numeric_date(value: object) -> bool:
    """A JSON number of seconds (RFC 7519's NumericDate): not a string, a boolean, NaN or infinite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def expired(exp: float, now: float, leeway: float) -> bool:
    """PyJWT's rule, which the backend uses: whole seconds, expired at exp itself."""
    return int(exp) <= now - leeway


def issued_in_future(iat: float, now: float, leeway: float) -> bool:
    """The backend's own check (stricter than PyJWT's, which drops iat's fraction)."""
    return iat > now + leeway


def not_before_in_future(nbf: float, now: float, leeway: float) -> bool:
    """PyJWT's rule, which the backend uses."""
    return int(nbf) > now + leeway


def parse_leeway(text: str | None) -> int | None:
    """JWT_LEEWAY_SECONDS as the backend's settings read it (pydantic), or None when they refuse
    it; unset is the default."""
    if text is None:
        return DEFAULT_LEEWAY_SECONDS
    from pydantic import Field, TypeAdapter, ValidationError

    try:
        return TypeAdapter(Annotated[int, Field(ge=0, le=MAX_LEEWAY_SECONDS)]).validate_python(text)
    except ValidationError:
        return None
