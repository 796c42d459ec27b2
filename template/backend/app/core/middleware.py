"""Request ids, security headers and one access log line per request (a pure ASGI middleware).

- X-Request-ID: a caller's value is kept when it is 1-128 characters of [A-Za-z0-9._:-]
  (anything else is replaced), otherwise a new one is made; it is returned on every
  response, available as request.state.request_id and in every log line of the request.
- Security headers on every response: nosniff, DENY framing, no referrer, a CSP that lets an
  API response load nothing (the interactive /docs pages keep theirs), no caching of API
  data, and HSTS in production.
- The access log line of a successful liveness probe (/health) is DEBUG, not INFO: load
  balancers and orchestrators call it every few seconds, and it would drown the log.
- ErrorBoundary (innermost) turns an unhandled exception into a plain 500 *inside* the other
  middleware, so even a crash answers with the request id, the security headers and CORS
  headers; the traceback is logged once, with the request id, and never sent.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logging import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
PROBE_PATHS = frozenset({"/health"})  # access-logged at DEBUG when they succeed
HSTS = "max-age=63072000; includeSubDomains"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-site",
}

access_logger = logging.getLogger("app.access")
error_logger = logging.getLogger("app.error")


def accepted_request_id(value: str | None) -> str:
    """The caller's request id when it is well-formed, else a fresh random one."""
    if value is not None and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")  # any byte is a latin-1 character: never fails
    return None


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class RequestContextMiddleware:
    """Wraps the whole app (outside CORS), so even preflight answers carry the headers."""

    def __init__(self, app: ASGIApp, *, production: bool = False) -> None:
        self.app = app
        self.production = production

    def _extra_headers(self, path: str, existing: Iterable[bytes]) -> list[tuple[bytes, bytes]]:
        present = {key.lower() for key in existing}
        headers = dict(SECURITY_HEADERS)
        if path not in DOCS_PATHS:
            headers["content-security-policy"] = API_CSP
            headers["cache-control"] = "no-store"
        if self.production:
            headers["strict-transport-security"] = HSTS
        return [(k.encode(), v.encode()) for k, v in headers.items() if k.encode() not in present]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(_header(scope, b"x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        path = scope.get("path", "")
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode()))
                headers += self._extra_headers(path, (k for k, _ in headers))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            level = logging.DEBUG if path in PROBE_PATHS and status < 400 else logging.INFO
            access_logger.log(
                level,
                "%s %s %s",
                scope.get("method"),
                path,
                status,
                extra={
                    "event": "request",
                    "method": scope.get("method"),
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": _client(scope),
                },
            )
            request_id_var.reset(token)


INTERNAL_ERROR_BODY = b'{"detail":"internal server error"}'


class ErrorBoundary:
    """Innermost middleware: an exception becomes a logged, plain 500 answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_logger.exception(
                "unhandled error",
                extra={
                    "event": "unhandled_error",
                    "method": scope.get("method"),
                    "path": scope.get("path", ""),
                    "request_id": scope.get("state", {}).get("request_id"),
                },
            )
            if started:  # too late for another answer: the server drops the connection
                raise
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(INTERNAL_ERROR_BODY)).encode()),
            ]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": INTERNAL_ERROR_BODY})
