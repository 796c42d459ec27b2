"""THE JWT CHECK: verify a Better Auth token and return the user it identifies.

The algorithm is pinned (Settings.JWT_ALGORITHMS); the signature is checked with the key
from the auth mode's SigningKeys (app/core/auth_settings.py: BETTER_AUTH_SECRET in
shared_secret mode, the issuer's public key by kid in jwks mode); iss must be BETTER_AUTH_URL
and aud JWT_AUDIENCE (Better Auth's base URL by default); exp, iat and sub are required. The
user id comes from `sub` only.

Each app has its own TokenVerifier (create_app puts it on app.state; get_current_user reaches
it through a dependency): its settings, its signing keys and the tokens it verified. Nothing
lives in module globals, so two apps in one process never share a key or a verification.

Verified tokens are remembered (VerifiedTokens: a bounded LRU keyed by the whole token
string), so a client that sends the same token on every request pays for its signature
check once, not per request. A remembered token is accepted again only while it is
unexpired (exp is checked against the clock on every hit, with the same leeway), under the
same iss/aud/leeway settings, and with the same signing key still current: the key is looked
up again on every hit (in jwks mode this keeps the key-cache rules: an expired, withdrawn or
unreachable key set rejects remembered tokens too). Only successful verifications are
remembered; a token that differs in any character is a different key and is verified in full.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from app.core.auth_errors import KeysUnavailable, TokenError
from app.core.auth_settings import SigningKeys
from app.core.config import Settings

__all__ = [
    "AuthenticatedUser",
    "KeysUnavailable",
    "TokenError",
    "TokenVerifier",
    "VerifiedTokens",
    "verify_token",
]

MAX_TOKEN_LENGTH = 8192
MAX_SUBJECT_LENGTH = 255  # the length of tasks.user_id
REQUIRED_CLAIMS = ["exp", "iat", "sub"]
TIME_CLAIMS = ("exp", "iat", "nbf")  # JSON numbers of seconds (RFC 7519 NumericDate)
TOKEN_CACHE_SIZE = 4096  # verified tokens remembered per app (least recently used go first)
# Three base64url segments without padding (a JWS in compact serialization, RFC 7515); an
# empty signature passes here and is refused with its alg ("none") by the next check.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class AuthenticatedUser:
    """The caller, as identified by a verified token."""

    id: str
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class _Verified:
    """What a successful verification established, and under which conditions."""

    user: AuthenticatedUser
    exp: float
    header: dict[str, Any]
    key: Any
    policy: tuple[Any, ...]


class VerifiedTokens:
    """A bounded, thread-safe LRU of verified tokens: token string -> _Verified."""

    def __init__(self, max_size: int = TOKEN_CACHE_SIZE) -> None:
        self.max_size = max_size
        self._entries: OrderedDict[str, _Verified] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> _Verified | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                self._entries.move_to_end(token)
            return entry

    def put(self, token: str, entry: _Verified) -> None:
        with self._lock:
            self._entries[token] = entry
            self._entries.move_to_end(token)
            while len(self._entries) > self.max_size:
                self._entries.popitem(last=False)

    def discard(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _policy(settings: Settings) -> tuple[Any, ...]:
    """The settings a verification depends on besides the key (which is compared separately)."""
    return (
        Settings.JWT_ALGORITHMS,
        settings.BETTER_AUTH_URL,
        settings.JWT_AUDIENCE,
        settings.JWT_LEEWAY_SECONDS,
    )


def _is_canonical(token: str) -> bool:
    """Only one spelling of a token is accepted: base64url without padding, and no unused bits
    set in a segment's last character (which would decode to the same bytes)."""
    if not _COMPACT_JWS.fullmatch(token):
        return False
    for segment in token.split("."):
        try:
            raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            return False
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != segment:
            return False
    return True


def _is_numeric_date(value: object) -> bool:
    """A number of seconds; PyJWT also takes "1700000000" (a string) or true (as 1)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _optional_str(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None


class TokenVerifier:
    """The JWT check of one app: its settings, its signing keys and the tokens it verified."""

    def __init__(
        self,
        settings: Settings,
        cache_size: int = TOKEN_CACHE_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings  # read on every call: settings changed at run time count
        self.keys = SigningKeys(settings)
        self.verified = VerifiedTokens(cache_size)
        # Seconds since the epoch, for exp and iat (PyJWT checks them against its own clock
        # too); tests advance a fake one instead of sleeping.
        self.clock = clock

    async def verify(self, token: str) -> AuthenticatedUser:
        """Return the token's user, or raise TokenError saying why the token is not acceptable.

        Async only because a jwks-mode key lookup may have to fetch the key set; a remembered
        token with its key cached is answered without suspending.
        """
        settings = self.settings
        if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise TokenError("invalid token")
        policy = _policy(settings)
        user = await self._remembered(token, policy)
        if user is not None:
            return user
        if not _is_canonical(token):  # checked once: a remembered token passed this already
            raise TokenError("invalid token")
        claims, header, key = await self._decode(token)

        for name in TIME_CLAIMS:
            if name in claims and not _is_numeric_date(claims[name]):
                raise TokenError(f"invalid claim: {name}")
        # PyJWT checks exp and rejects a future iat (>= 2.10); keep both checks explicit, on
        # this verifier's clock, so they never depend on that.
        now = self.clock()
        exp = claims.get("exp")
        if exp is not None and exp <= now - settings.JWT_LEEWAY_SECONDS:
            raise TokenError("token expired")
        iat = claims.get("iat")
        if iat is not None and iat > now + settings.JWT_LEEWAY_SECONDS:
            raise TokenError("token not yet valid")

        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.strip():
            raise TokenError("missing claim: sub")
        if len(sub) > MAX_SUBJECT_LENGTH or "\x00" in sub:
            raise TokenError("invalid claim: sub")
        user = AuthenticatedUser(
            id=sub, email=_optional_str(claims, "email"), name=_optional_str(claims, "name")
        )
        # Only a token that passed every check is remembered (never a failure), and only with
        # an exp (a number, checked above) to re-check on every hit.
        if exp is not None:
            self.verified.put(token, _Verified(user, float(exp), header, key, policy))
        return user

    async def _decode(self, token: str) -> tuple[dict[str, Any], dict[str, Any], Any]:
        """Check the header's algorithm, then the signature and the registered claims.

        Returns (claims, header, key).
        """
        settings = self.settings
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise TokenError("invalid token") from None
        if header.get("alg") not in Settings.JWT_ALGORITHMS:
            raise TokenError("unsupported algorithm")
        key = await self.keys.key_for(header)  # may raise TokenError or KeysUnavailable
        try:
            claims = jwt.decode(
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
        return claims, header, key

    async def _remembered(self, token: str, policy: tuple[Any, ...]) -> AuthenticatedUser | None:
        """The user of an already verified token, if every condition of that verification
        holds."""
        entry = self.verified.get(token)
        if entry is None:
            return None
        # Like PyJWT: expired when exp <= now - leeway. Checked on every hit.
        leeway = self.settings.JWT_LEEWAY_SECONDS
        if entry.exp <= self.clock() - leeway or entry.policy != policy:
            self.verified.discard(token)
            return None
        key = await self.keys.key_for(entry.header)  # the key rules apply on every request
        if key is not entry.key and key != entry.key:
            self.verified.discard(token)
            return None
        return entry.user


async def verify_token(token: str, settings: Settings) -> AuthenticatedUser:
    """One token checked on its own under `settings`, with nothing remembered (bafa doctor
    probes the JWT check through it). Requests use their app's TokenVerifier."""
    return await TokenVerifier(settings).verify(token)
