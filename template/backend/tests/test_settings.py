"""Settings refuse wildcard CORS and malformed URLs, with one clear line."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from signing import auth_settings
from support import AUTH_URL

from app.core.config import ConfigError, Settings, get_settings

# Settings only: nothing is fetched from this URL in these tests (jwks mode).
UNUSED_JWKS_URL = "http://127.0.0.1:9/api/auth/jwks"


def make(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **{**auth_settings(UNUSED_JWKS_URL), **overrides})


@pytest.mark.parametrize(
    "origins",
    [["*"], ["null"], ["http://localhost:3000/"], ["http://localhost:3000/app"], ["*.example.com"]],
)
def test_bad_cors_origins_refused(origins: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        make(CORS_ORIGINS=origins)
    assert "CORS_ORIGINS" in str(caught.value)


def test_auth_url_with_trailing_slash_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        make(BETTER_AUTH_URL=AUTH_URL + "/")
    assert "BETTER_AUTH_URL" in str(caught.value)


def test_wildcard_cors_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in auth_settings(UNUSED_JWKS_URL).items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("CORS_ORIGINS", '["*"]')
    with pytest.raises(ConfigError, match="CORS_ORIGINS"):
        get_settings()


