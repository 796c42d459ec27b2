"""Overload: a bounded number of requests in the app at once, and 503 + Retry-After (never a
bare 500) when a request cannot be served in time.

- InFlightLimit lets at most MAX_CONCURRENT_REQUESTS requests per worker into the app; more
  wait their turn on the event loop (first come, first served). A burst then costs the event
  loop a bounded amount of work per turn, so what is exempt (/health) is answered at once
  however many requests are queued. A request still waiting after
  REQUEST_QUEUE_TIMEOUT_SECONDS is answered 503.
- Every pooled database connection busy for DB_POOL_TIMEOUT_SECONDS (SQLAlchemy's pool
  TimeoutError), or SQLite's writer lock still held after its busy timeout ("database is
  locked"): 503 as well.
The client may retry after Retry-After seconds, the process stays healthy, and the log says why.
"""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp, Receive, Scope, Send

RETRY_AFTER_SECONDS = 2
OVERLOADED_DETAIL = "service overloaded, retry later"
EXEMPT_PATHS = frozenset({"/health"})  # liveness must answer whatever the load

logger = logging.getLogger("app.overload")


def _overloaded(request: Request, reason: str) -> JSONResponse:
    logger.warning(
        "overloaded: %s (%s %s)",
        reason,
        request.method,
        request.url.path,
        extra={"event": "overloaded", "reason": reason, "path": request.url.path},
    )
    return JSONResponse(
        {"detail": OVERLOADED_DETAIL},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    return _overloaded(request, "no database connection free within DB_POOL_TIMEOUT_SECONDS")


async def _operational(request: Request, exc: Exception) -> JSONResponse:
    if "database is locked" in str(exc):
        return _overloaded(request, "SQLite database is locked")
    raise exc  # any other database failure is a real error (500, logged with its traceback)


def add_overload_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PoolTimeoutError, _pool_timeout)
    app.add_exception_handler(OperationalError, _operational)


class InFlightLimit:
    """Pure ASGI middleware: at most `limit` requests inside the app, the others queue."""

    def __init__(self, app: ASGIApp, *, limit: int, queue_timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.queue_timeout = queue_timeout
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:  # one per event loop (tests run several)
            self._slots, self._loop = asyncio.Semaphore(self.limit), loop
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        if slots.locked():
            try:
                await asyncio.wait_for(slots.acquire(), self.queue_timeout)
            except TimeoutError:
                await self._refuse(scope, send)
                return
        else:
            await slots.acquire()
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()

    async def _refuse(self, scope: Scope, send: Send) -> None:
        path = scope.get("path", "")
        reason = "request waited longer than REQUEST_QUEUE_TIMEOUT_SECONDS for a slot"
        logger.warning(
            "overloaded: %s (%s %s)",
            reason,
            scope.get("method"),
            path,
            extra={"event": "overloaded", "reason": reason, "path": path},
        )
        body = json.dumps({"detail": OVERLOADED_DETAIL}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})
