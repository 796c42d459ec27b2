"""Structured logs: one JSON object per line on stderr, with the request id of the request.

configure_logging() installs the JSON handler on the "app" logger (app.auth, app.access,
app.error, ...). Every record carries `request_id` when it was logged while serving a
request (app.core.middleware sets it). A last line of defence redacts anything that looks
like a JWT or an Authorization value: tokens and secrets are never logged on purpose, and
never by accident either.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Extra fields a record may carry (logger.info("...", extra={...})), in output order.
EXTRA_FIELDS = (
    "event",
    "reason",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "client",
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',;]+")
REDACTED = "[redacted]"
_HANDLER_NAME = "app-json"


def redact(text: str) -> str:
    """Replace JWT-looking strings and `Bearer <credential>` values."""
    return _CREDENTIAL.sub(lambda m: f"{m.group(1)} {REDACTED}", _JWT.sub(REDACTED, text))


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: ts, level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send the "app" loggers to stderr as JSON lines (idempotent; records still propagate)."""
    logger = logging.getLogger("app")
    logger.setLevel(level)
    if not any(getattr(h, "name", None) == _HANDLER_NAME for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
