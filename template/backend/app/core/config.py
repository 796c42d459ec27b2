"""Application settings, read from environment variables and backend/.env.

Environment variables override values from the .env file. Invalid settings raise a
pydantic ValidationError that names the field but never echoes the rejected value;
get_settings() turns it into a one-line ConfigError.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import SettingsConfigDict, SettingsError

from app.core.auth_settings import AuthSettings
from app.core.defaults import (
    DEFAULT_AUDIENCE,
    DEFAULT_AUTH_URL,
    DEFAULT_CORS_ORIGINS,
    DEFAULT_DATABASE_URL,
)

ENV_FILE = Path(__file__).resolve().parents[2] / ".env"

class ConfigError(RuntimeError):
    """Invalid configuration; the message is one line and never contains secret values."""


def _check_origin(origin: str, field: str) -> str:
    """Accept only an explicit scheme://host[:port] origin (no wildcard, path or query)."""
    if origin in ("*", "null"):
        raise ValueError(f"{field} must list explicit origins, not {origin!r}")
    parts = urlsplit(origin)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "*" in origin
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
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
    CORS_ORIGINS: list[str] = Field(default_factory=lambda: list(DEFAULT_CORS_ORIGINS))
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    JWT_LEEWAY_SECONDS: int = Field(default=10, ge=0, le=300)

    @field_validator("BETTER_AUTH_URL")
    @classmethod
    def _auth_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("BETTER_AUTH_URL must be an http(s) URL")
        if value.endswith("/"):
            raise ValueError("BETTER_AUTH_URL must not end with '/' (it must equal the JWT iss)")
        return value

    @field_validator("CORS_ORIGINS")
    @classmethod
    def _cors_origins(cls, value: list[str]) -> list[str]:
        return [_check_origin(origin, "CORS_ORIGINS") for origin in value]


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
