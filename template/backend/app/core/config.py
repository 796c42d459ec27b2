"""Application settings, read from environment variables and backend/.env.

Environment variables override values from the .env file. Invalid settings raise a
pydantic ValidationError that names the field but never echoes the rejected value;
get_settings() turns it into a one-line ConfigError.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict, SettingsError

from app.core.auth_settings import AuthSettings
from app.core.defaults import (
    DEFAULT_AUDIENCE,
    DEFAULT_AUTH_URL,
    DEFAULT_CORS_ORIGINS,
    DEFAULT_DATABASE_URL,
)
from app.core.rate_limit import parse_limits

ENV_FILE = Path(__file__).resolve().parents[2] / ".env"


class ConfigError(RuntimeError):
    """Invalid configuration; the message is one line and never contains secret values."""


# The URL rules this project shares with copier.yml's validators and the frontend
# (lib/backend-url.ts); bafa checks on one table of examples that every copy agrees.
# An origin as a browser sends it: scheme://host[:port], a name or an IPv4 address (no user,
# IPv6 or Unicode host), port 1-65535, nothing after it.
_PORT = r"6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}"
ORIGIN = re.compile(rf"https?://[A-Za-z0-9.-]+(?::(?:{_PORT}))?")
# A base URL: an origin and a path of visible ASCII characters (no query, fragment or spaces).
HTTP_URL = re.compile(ORIGIN.pattern + r'(?:/[!"$->@-~]*)?')


def _check_origin(origin: str, field: str) -> str:
    """Accept only an explicit scheme://host[:port] origin (no wildcard, path or query)."""
    if origin in ("*", "null"):
        raise ValueError(f"{field} must list explicit origins, not {origin!r}")
    if not ORIGIN.fullmatch(origin):
        raise ValueError(f"{field} entries must look like https://host[:port] with no path")
    return origin


class Settings(AuthSettings):
    """All runtime configuration of the backend."""

    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="ignore",
        hide_input_in_errors=True,
    )

    BETTER_AUTH_URL: str = DEFAULT_AUTH_URL
    # The JWT's expected aud; Better Auth sets it to its base URL unless configured otherwise.
    JWT_AUDIENCE: str = DEFAULT_AUDIENCE
    # Comma-separated (`http://localhost:3000,https://app.example.com`, what .env files and
    # `docker run --env-file` pass through unchanged) or a JSON list.
    CORS_ORIGINS: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_CORS_ORIGINS)
    )
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    JWT_LEEWAY_SECONDS: int = Field(default=10, ge=0, le=300)

    # "production" requires https URLs and refuses AUTO_CREATE_TABLES (see _production_rules).
    ENVIRONMENT: Literal["development", "production"] = "development"
    # Tables come from Alembic (`alembic upgrade heads`); True lets the app create missing
    # tables at startup instead (a development/test convenience, refused in production).
    AUTO_CREATE_TABLES: bool = False
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The interactive API docs (/docs, /redoc) and /openapi.json. Unset: served in development,
    # not in production (an API map for anyone, and Swagger UI loads its code from a CDN).
    DOCS_ENABLED: bool | None = None

    # Connection pool, per worker process: the database sees up to
    # workers x (DB_POOL_SIZE + DB_MAX_OVERFLOW) connections (PostgreSQL allows 100 by default).
    # The request path is async and holds a connection only while its transaction is open
    # (a few ms), so DB_POOL_SIZE is the number of requests *in the database* at once, not of
    # clients: 20 served 200 concurrent clients without a wait near the timeout (see
    # docs/performance.md). A fixed pool (no overflow) never opens and closes connections
    # under load. Requests beyond the pool wait on the event loop; one still waiting after
    # DB_POOL_TIMEOUT_SECONDS is answered 503 + Retry-After (app/core/overload.py).
    DB_POOL_SIZE: int = Field(default=20, ge=1, le=100)
    DB_MAX_OVERFLOW: int = Field(default=0, ge=0, le=100)
    DB_POOL_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0, le=300)
    # Requests inside the app at once, per worker; more wait their turn, and one still waiting
    # after REQUEST_QUEUE_TIMEOUT_SECONDS gets 503 + Retry-After. Bounding the work per event
    # loop turn keeps /health (exempt) instant under any burst; twice the pool keeps the
    # database busy while others parse, verify tokens and serialise (app/core/overload.py).
    MAX_CONCURRENT_REQUESTS: int = Field(default=40, ge=1, le=10_000)
    # Request bodies larger than this are refused with 413 while they are read (declared or
    # streamed), never parsed: the largest valid task is about 2 KB.
    MAX_BODY_BYTES: int = Field(default=64 * 1024, ge=1024, le=100 * 1024 * 1024)

    # Request limits (app/core/rate_limit.py): per user id, and per client address for requests
    # without an acceptable token; "N/second", "N/minute", several joined with ";"; empty: off.
    # Over a limit: 429 + Retry-After. Counted per process unless REDIS_URL is set (then shared
    # by every worker and replica).
    RATE_LIMIT_PER_USER: str = "20/second"
    RATE_LIMIT_PER_CLIENT: str = "10/second"
    REDIS_URL: str | None = None
    REQUEST_QUEUE_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0, le=300)
    # Connections older than this are replaced (proxies and managed servers drop idle ones).
    DB_POOL_RECYCLE_SECONDS: int = Field(default=1800, ge=-1, le=86_400)

    @field_validator("BETTER_AUTH_URL")
    @classmethod
    def _auth_url(cls, value: str) -> str:
        if not HTTP_URL.fullmatch(value):
            raise ValueError(
                "BETTER_AUTH_URL must be an http(s) URL (no user, query, fragment or spaces; "
                "port 1-65535)"
            )
        if value.endswith("/"):
            raise ValueError("BETTER_AUTH_URL must not end with '/' (it must equal the JWT iss)")
        return value

    @field_validator("JWT_AUDIENCE")
    @classmethod
    def _audience(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("JWT_AUDIENCE must not be empty (leave it out for the default)")
        return value

    @field_validator("CORS_ORIGINS", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    # A JSON list whose quotes a shell removed (`set -a; . ./.env` on a
                    # 0.2 project's ["http://localhost:3000"]): the same origins.
                    text = text.removeprefix("[").removesuffix("]")
            return [part.strip().strip("'\"") for part in text.split(",") if part.strip()]
        return value

    @field_validator("CORS_ORIGINS")
    @classmethod
    def _cors_origins(cls, value: list[str]) -> list[str]:
        return [_check_origin(origin, "CORS_ORIGINS") for origin in value]

    @field_validator("RATE_LIMIT_PER_USER", "RATE_LIMIT_PER_CLIENT")
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        parse_limits(value)
        return value

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in ("redis", "rediss"):
            raise ValueError("REDIS_URL must be a redis:// or rediss:// URL")
        return value or None

    @property
    def is_production(self) -> bool:
        return self.ENVIRONMENT == "production"

    @property
    def serves_docs(self) -> bool:
        return self.DOCS_ENABLED if self.DOCS_ENABLED is not None else not self.is_production

    @model_validator(mode="after")
    def _production_rules(self) -> Self:
        """ENVIRONMENT=production: https everywhere (the auth mode adds its own rules), and no
        implicit table creation."""
        if not self.is_production:
            return self
        problems = []
        if urlsplit(self.BETTER_AUTH_URL).scheme != "https":
            problems.append("BETTER_AUTH_URL must be https in production")
        if any(urlsplit(origin).scheme != "https" for origin in self.CORS_ORIGINS):
            problems.append("CORS_ORIGINS must all be https in production")
        problems += self.production_problems()  # the auth mode's own (app/core/auth_modes/)
        if self.AUTO_CREATE_TABLES:
            problems.append(
                "AUTO_CREATE_TABLES must be false in production (run `alembic upgrade heads`)"
            )
        if problems:
            raise ValueError("ENVIRONMENT=production: " + "; ".join(problems))
        return self


def _describe(exc: ValidationError) -> str:
    """One line listing each invalid field and why (the input values are never included)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        message = error["msg"].removeprefix("Value error, ")
        problems.append(message if message.startswith(field) else f"{field}: {message}")
    return "; ".join(problems)


def get_settings() -> Settings:
    """Load settings from the environment and backend/.env, or raise ConfigError."""
    try:
        return Settings()  # type: ignore[call-arg]  # values come from env / .env
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except SettingsError as exc:  # e.g. CORS_ORIGINS that is not a JSON list
        raise ConfigError(str(exc).splitlines()[0]) from None
