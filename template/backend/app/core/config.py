"""Application settings, read from environment variables and backend/.env.

Environment variables override values from the .env file. Invalid settings raise a
pydantic ValidationError that names the field but never echoes the rejected value;
get_settings() turns it into a one-line ConfigError.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from app.core.defaults import DEFAULT_AUTH_URL, DEFAULT_CORS_ORIGINS, DEFAULT_DATABASE_URL

ENV_FILE = Path(__file__).resolve().parents[2] / ".env"

MIN_SECRET_LENGTH = 32
MIN_DISTINCT_SECRET_CHARS = 8
PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "your-secret-here",
        "your_secret_here",
        "yoursecret",
        "password",
        "better-auth-secret",
        "better_auth_secret",
        "replace-me",
    }
)
PLACEHOLDER_MARKERS = ("generate-with", "changeme", "change-me", "your-secret", "replace-me")
GENERATE_HINT = 'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


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


class Settings(BaseSettings):
    """All runtime configuration of the backend."""

    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="ignore",
        hide_input_in_errors=True,
    )

    BETTER_AUTH_SECRET: str = Field(repr=False)
    BETTER_AUTH_URL: str = DEFAULT_AUTH_URL
    CORS_ORIGINS: list[str] = Field(default_factory=lambda: list(DEFAULT_CORS_ORIGINS))
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    JWT_LEEWAY_SECONDS: int = Field(default=10, ge=0, le=300)

    # shared_secret mode: HS256 only, deliberately not configurable.
    JWT_ALGORITHMS: ClassVar[tuple[str, ...]] = ("HS256",)

    @field_validator("BETTER_AUTH_SECRET")
    @classmethod
    def _strong_secret(cls, value: str) -> str:
        lowered = value.strip().lower()
        if lowered in PLACEHOLDER_SECRETS or any(m in lowered for m in PLACEHOLDER_MARKERS):
            raise ValueError(f"BETTER_AUTH_SECRET is a placeholder; {GENERATE_HINT}")
        if any(ch.isspace() for ch in value):
            raise ValueError("BETTER_AUTH_SECRET must not contain whitespace")
        if len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"BETTER_AUTH_SECRET must be at least {MIN_SECRET_LENGTH} characters; "
                f"{GENERATE_HINT}"
            )
        if len(set(value)) < MIN_DISTINCT_SECRET_CHARS:
            raise ValueError(f"BETTER_AUTH_SECRET is too repetitive; {GENERATE_HINT}")
        return value

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
