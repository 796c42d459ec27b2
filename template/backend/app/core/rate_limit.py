"""Request limits per user and per client address: 429 + Retry-After when one is exceeded.

- RATE_LIMIT_PER_USER counts the requests of each user id (the verified token's sub), so one
  account cannot monopolise a worker; RATE_LIMIT_PER_CLIENT counts, per client address, the
  requests that carry no acceptable token (a flood of junk tokens, a password-less scan).
  Both use the `limits` library's moving window: "20/second", "600/minute", or several
  joined with ";". An empty value turns that limit off.
- Counts live in this process's memory by default, or in Redis when REDIS_URL is set, so the
  limits hold across workers and replicas. Redis unreachable: 503 (fail closed) and a log line.
- The client address is the connection's peer, or what a trusted proxy says it is (uvicorn's
  --proxy-headers with FORWARDED_ALLOW_IPS): a client cannot choose its own bucket.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

from fastapi import HTTPException, status
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

logger = logging.getLogger("app.rate_limit")
TOO_MANY_DETAIL = "too many requests"


def parse_limits(value: str) -> list[RateLimitItem]:
    """Parse "20/second;600/minute"; raises ValueError with a short reason."""
    if not value.strip():
        return []
    try:
        return parse_many(value)
    except ValueError:
        raise ValueError('use "N/second", "N/minute", "N/hour" (several joined with ";")') from None


class RateLimiter:
    """The app's limits, with their storage (one per event loop: tests run several loops)."""

    def __init__(self, per_user: str, per_client: str, redis_url: str | None, prefix: str) -> None:
        self.per_user = parse_limits(per_user)
        self.per_client = parse_limits(per_client)
        self.redis_url = redis_url
        self.prefix = prefix
        self._strategy: MovingWindowRateLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _limiter(self) -> MovingWindowRateLimiter:
        loop = asyncio.get_running_loop()
        if self._strategy is None or self._loop is not loop:
            storage: Storage = (
                RedisStorage(f"async+{self.redis_url}", key_prefix=self.prefix)
                if self.redis_url
                else MemoryStorage()
            )
            self._strategy, self._loop = MovingWindowRateLimiter(storage), loop
        return self._strategy

    async def check_user(self, user_id: str) -> None:
        await self._check(self.per_user, "user", user_id)

    async def check_client(self, address: str) -> None:
        await self._check(self.per_client, "client", address)

    async def _check(self, items: list[RateLimitItem], kind: str, key: str) -> None:
        if not items:
            return
        limiter = self._limiter()
        try:
            for item in items:
                if not await limiter.hit(item, kind, key):
                    stats = await limiter.get_window_stats(item, kind, key)
                    retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                    logger.warning(  # the key (a user id, an address) is not logged
                        "rate limited: %s over %s",
                        kind,
                        item,
                        extra={"event": "rate_limited", "reason": f"{kind} over {item}"},
                    )
                    raise HTTPException(
                        status.HTTP_429_TOO_MANY_REQUESTS,
                        TOO_MANY_DETAIL,
                        headers={"Retry-After": str(retry_after)},
                    )
        except HTTPException:
            raise
        except Exception as exc:  # noqa: BLE001 - the storage failed: fail closed
            logger.error(
                "rate limit storage unavailable: %s",
                type(exc).__name__,
                extra={"event": "rate_limit_unavailable", "reason": type(exc).__name__},
            )
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "rate limiting unavailable",
                headers={"Retry-After": "5"},
            ) from None
