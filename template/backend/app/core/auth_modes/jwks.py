"""The jwks auth mode: Better Auth signs with its own key pair and publishes the public keys.

This backend holds no secret: it verifies tokens with the keys served at JWKS_URL (default:
BETTER_AUTH_URL + /api/auth/jwks).

- AuthSettings: JWKS_URL and how long its keys are kept; production asks for https.
- SigningKeys: per app, the public key named by a token's kid, from a JwksKeySet:
  - keys are kept for JWKS_CACHE_SECONDS: no fetch per request;
  - a token whose `kid` is not cached triggers a refetch at once (Better Auth uses a new key
    immediately after a rotation), but at most one fetch per JWKS_MIN_REFETCH_SECONDS, counted
    from the end of the previous fetch, so tokens with random kids cannot cause a refetch storm;
  - the fetch is async (httpx) and never blocks the event loop; at most one is in flight, and
    requests whose key is cached and fresh are answered meanwhile without waiting for it;
  - JWKS unreachable or invalid with no usable cached keys: KeysUnavailable (503, fail
    closed). It recovers by itself: the next request after the refetch interval tries again.

The shared_secret mode (app/core/auth_modes/shared_secret.py) exports the same names;
app/core/auth_settings.py picks this project's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import httpx
import jwt
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings

from app.core.auth_errors import KeysUnavailable, TokenError
from app.core.defaults import JWT_ALGORITHM

__all__ = ["AuthSettings", "SigningKeys"]

logger = logging.getLogger("app.auth")
MAX_JWKS_BYTES = 1_000_000
JWKS_PATH = "/api/auth/jwks"


class AuthSettings(BaseSettings):
    """The JWKS endpoint and how long its keys are cached."""

    if TYPE_CHECKING:  # a field of Settings (app/core/config.py), which validates it
        BETTER_AUTH_URL: str

    JWKS_URL: str = ""
    # Keys are refetched after this many seconds (or at once for a token with an unknown kid).
    JWKS_CACHE_SECONDS: int = Field(default=300, ge=10, le=86_400)
    # At most one refetch in this many seconds, whatever kids the tokens carry.
    JWKS_MIN_REFETCH_SECONDS: float = Field(default=2.0, ge=0.1, le=300)
    JWKS_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0, le=60)

    # The issuer's signing algorithm, pinned: a token with any other alg is refused.
    JWT_ALGORITHMS: ClassVar[tuple[str, ...]] = (JWT_ALGORITHM,)

    @field_validator("JWKS_URL")
    @classmethod
    def _jwks_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError("JWKS_URL must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _default_jwks_url(self) -> AuthSettings:
        if not self.JWKS_URL:
            self.JWKS_URL = f"{self.BETTER_AUTH_URL}{JWKS_PATH}"
        return self

    def production_problems(self) -> list[str]:
        """What ENVIRONMENT=production refuses here besides the common rules."""
        if urlsplit(self.JWKS_URL).scheme != "https":
            return ["JWKS_URL must be https in production"]
        return []


class JwksKeySet:
    """The public keys of one JWKS URL, by kid."""

    def __init__(
        self,
        url: str,
        cache_seconds: float,
        min_refetch_seconds: float,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        # Seconds, for the cache's age and the refetch interval; tests advance a fake one.
        self.clock = clock
        self.cache_seconds = cache_seconds
        self.min_refetch_seconds = min_refetch_seconds
        self.timeout = timeout
        self.fetch_count = 0  # fetch attempts, for tests and benchmarks
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._finished_at = float("-inf")  # end of the last fetch attempt
        self._last_error = "not fetched yet"
        self._inflight: asyncio.Task[None] | None = None

    def _fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self.cache_seconds

    def _running_fetch(self) -> asyncio.Task[None] | None:
        """The fetch in flight on this event loop (one left by a closed loop does not count)."""
        task = self._inflight
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            return None
        return task

    async def key_for(self, kid: str) -> jwt.PyJWK:
        now = self.clock()
        if self._fresh(now) and kid in self._keys:
            return self._keys[kid]  # the hot path: no fetch, no wait
        fetch = self._running_fetch()
        if fetch is None and now - self._finished_at >= self.min_refetch_seconds:
            fetch = self._inflight = asyncio.ensure_future(self._refetch())
        if fetch is not None:
            # shield: a client that goes away does not cancel the fetch the others wait for.
            await asyncio.shield(fetch)
        if not self._fresh(self.clock()):
            self._keys = {}  # expired keys are not trusted any more
        if not self._keys:
            raise KeysUnavailable(f"signing keys unavailable ({self._last_error})")
        key = self._keys.get(kid)
        if key is None:
            raise TokenError("unknown signing key")
        return key

    async def _refetch(self) -> None:
        self.fetch_count += 1
        try:
            keys = await self._download()
        except KeysUnavailable as exc:
            self._last_error = exc.reason
            logger.warning("JWKS fetch from %s failed: %s", self.url, exc.reason)
            # Keys fetched less than cache_seconds ago stay usable; expired ones are dropped.
            return
        finally:
            self._finished_at = self.clock()
        self._keys = keys
        self._fetched_at = self.clock()
        self._last_error = ""

    async def _download(self) -> dict[str, jwt.PyJWK]:
        # JWKS_URL is validated to be http(s) by the settings.
        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("GET", self.url, headers={"Accept": "application/json"}) as response,
            ):
                if response.status_code != 200:
                    raise KeysUnavailable(f"JWKS answered HTTP {response.status_code}")
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise KeysUnavailable("JWKS document too large")
        except httpx.HTTPError as exc:
            raise KeysUnavailable(f"JWKS unreachable: {type(exc).__name__}") from None
        try:
            document = json.loads(body)
            key_set = jwt.PyJWKSet.from_dict(document)
        except (
            ValueError,
            TypeError,
            AttributeError,
            RecursionError,
            jwt.PyJWKSetError,
            jwt.InvalidKeyError,
        ):
            raise KeysUnavailable("JWKS document is not a valid key set") from None
        keys = {key.key_id: key for key in key_set.keys if key.key_id}
        if not keys:
            raise KeysUnavailable("JWKS document has no keys with a kid")
        return keys


class SigningKeys:
    """The public key named by a token's kid. One per app (TokenVerifier): its key sets, one
    per JWKS URL and cache policy, so settings changed at run time get their own, and two apps
    never share one."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._key_sets: dict[tuple[str, float, float, float], JwksKeySet] = {}
        self._lock = threading.Lock()

    def key_set(self) -> JwksKeySet:
        """The key set of the current settings."""
        identity = (
            self.settings.JWKS_URL,
            float(self.settings.JWKS_CACHE_SECONDS),
            float(self.settings.JWKS_MIN_REFETCH_SECONDS),
            float(self.settings.JWKS_TIMEOUT_SECONDS),
        )
        with self._lock:
            if identity not in self._key_sets:
                self._key_sets[identity] = JwksKeySet(*identity)
            return self._key_sets[identity]

    async def key_for(self, header: dict[str, Any]) -> Any:
        """The public key named by the token's `kid` (required)."""
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("missing key id")
        return (await self.key_set().key_for(kid)).key
