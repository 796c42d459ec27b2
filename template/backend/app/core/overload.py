"""Overload is answered 503 + Retry-After, never a bare 500.

When every pooled connection is busy for DB_POOL_TIMEOUT_SECONDS (SQLAlchemy's pool
TimeoutError), or SQLite's writer lock is still held after its busy timeout ("database is
locked"), the request is refused with 503 and a Retry-After hint: the client may retry, the
process stays healthy, and the log says why.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

RETRY_AFTER_SECONDS = 2
OVERLOADED_DETAIL = "service overloaded, retry later"

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
