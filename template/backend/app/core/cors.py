"""THE CORS SETUP: only the configured browser origins may call the API with credentials."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.core.config import Settings

ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Request-ID"]
# Response headers a browser script may read: the request id (to quote in bug reports), the
# task list's total count, and how long to wait after a 429 or 503 (the UI says so).
EXPOSED_HEADERS = ["X-Request-ID", "X-Total-Count", "Retry-After"]
PREFLIGHT_MAX_AGE_SECONDS = 600


def add_cors(app: FastAPI, settings: Settings) -> None:
    """Install CORSMiddleware with an explicit origin list (Settings already refuses "*")."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.CORS_ORIGINS),
        allow_credentials=True,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=PREFLIGHT_MAX_AGE_SECONDS,
    )
