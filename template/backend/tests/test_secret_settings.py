"""shared_secret mode: weak secrets are refused, and the secret is never echoed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from support import TEST_SECRET

from app.core.config import ConfigError, Settings, get_settings

BACKEND_DIR = Path(__file__).resolve().parents[1]
EXAMPLE_PLACEHOLDER = 'generate-with-python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def make(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"BETTER_AUTH_SECRET": TEST_SECRET, **overrides}
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize(
    "secret",
    [
        "tooShortSecretValue42",
        EXAMPLE_PLACEHOLDER,
        "changeme",
        "your-secret-here",
        "secret",
        "a" * 64,
        "abababababababababababababababababababab",
        "changeme-changeme-changeme-changeme-1234",
        "aVeryLongSecret with spaces in it 1234567890",
    ],
)
def test_weak_secret_refused(secret: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make(BETTER_AUTH_SECRET=secret)
    message = str(caught.value)
    assert "BETTER_AUTH_SECRET" in message
    if len(secret) >= 8:  # "secret" itself is a word of the error message
        assert secret not in message


def test_example_file_placeholder_refused() -> None:
    example = BACKEND_DIR / ".env.example"
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=example)
    assert "BETTER_AUTH_SECRET" in str(caught.value)
    assert "generate-with" not in str(caught.value)


def test_missing_secret_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BETTER_AUTH_SECRET", raising=False)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    assert "BETTER_AUTH_SECRET" in str(caught.value)


def test_strong_secret_accepted() -> None:
    settings = make()
    assert settings.BETTER_AUTH_SECRET == TEST_SECRET
    assert settings.JWT_ALGORITHMS == ("HS256",)
    assert TEST_SECRET not in repr(settings)


def test_environment_overrides_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    weak = "tooShortFromEnv99"
    monkeypatch.setenv("BETTER_AUTH_SECRET", weak)
    with pytest.raises(ConfigError) as caught:
        get_settings()
    message = str(caught.value)
    assert "BETTER_AUTH_SECRET" in message
    assert weak not in message
    assert "\n" not in message


def test_uvicorn_refuses_to_start_with_weak_secret(tmp_path: Path) -> None:
    weak = "tooShortForUvicorn7"
    env = {
        **os.environ,
        "BETTER_AUTH_SECRET": weak,  # overrides whatever backend/.env says
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", "0"],
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "BETTER_AUTH_SECRET" in result.stderr
    assert weak not in result.stderr
    assert weak not in result.stdout
