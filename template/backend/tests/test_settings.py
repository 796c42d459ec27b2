"""Settings refuse wildcard CORS and malformed URLs, with one clear line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://localhost:3000", ["http://localhost:3000"]),
        (
            "http://localhost:3000, https://app.example.com",
            ["http://localhost:3000", "https://app.example.com"],
        ),
        (
            '["http://localhost:3000","https://app.example.com"]',
            ["http://localhost:3000", "https://app.example.com"],
        ),
    ],
)
def test_cors_origins_comma_separated_or_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    for name, value in auth_settings(UNUSED_JWKS_URL).items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("CORS_ORIGINS", raw)
    assert get_settings().CORS_ORIGINS == expected


def test_the_env_files_survive_a_shell(tmp_path: Path) -> None:
    """`set -a; . ./.env` (and `docker run --env-file`) hand the app the values unchanged."""
    backend = Path(__file__).resolve().parents[1]
    for env_file in (backend / ".env.example", backend / ".env"):
        if not env_file.exists():
            continue
        script = f"set -a; . '{env_file}'; exec env"
        result = subprocess.run(  # noqa: S603
            [shutil.which("bash") or "/bin/bash", "-c", script],
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        from_shell = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        sourced, raw = from_shell["CORS_ORIGINS"], _read_raw(env_file)["CORS_ORIGINS"]
        assert make(CORS_ORIGINS=sourced).CORS_ORIGINS == make(CORS_ORIGINS=raw).CORS_ORIGINS
    # What 0.2 projects wrote, once a shell has removed its quotes: still the same origins.
    unquoted = make(CORS_ORIGINS="[http://localhost:3000, https://a.example]").CORS_ORIGINS
    assert unquoted == ["http://localhost:3000", "https://a.example"]


def _read_raw(path: Path) -> dict[str, str]:
    """KEY=value lines as written (what `docker run --env-file` passes on: no quote removal)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value for key, value in pairs if not key.lstrip().startswith("#")}
