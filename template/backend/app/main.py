"""ASGI entry point: run `uvicorn app.main:app` from the backend/ folder."""

from app.core.config import ConfigError
from app.factory import create_app

try:
    app = create_app()
except ConfigError as exc:  # one clean line on stderr and a non-zero exit, no traceback
    raise SystemExit(f"configuration error: {exc}") from None
