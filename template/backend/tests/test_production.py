"""ENVIRONMENT=production refuses http URLs and implicit table creation, and adds HSTS."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from signing import auth_settings
from support import AUTH_MODE, TEST_SECRET

from app.core.config import ConfigError, Settings, get_settings
from app.factory import create_app

HTTPS_AUTH = "https://auth.example.test"
HTTPS_JWKS = f"{HTTPS_AUTH}/api/auth/jwks"  # never fetched in these tests


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        **auth_settings(HTTPS_JWKS),
        "ENVIRONMENT": "production",
        "BETTER_AUTH_URL": HTTPS_AUTH,
        "JWT_AUDIENCE": HTTPS_AUTH,
        "CORS_ORIGINS": ["https://app.example.test"],
        "DATABASE_URL": "sqlite:///:memory:",
    }
    return Settings(_env_file=None, **{**values, **overrides})


def test_https_production_settings_are_accepted() -> None:
    settings = production()
    assert settings.is_production and settings.AUTO_CREATE_TABLES is False


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"BETTER_AUTH_URL": "http://auth.example.test"}, "BETTER_AUTH_URL must be https"),
        ({"CORS_ORIGINS": ["https://a.example", "http://b.example"]}, "CORS_ORIGINS must all be"),
        ({"AUTO_CREATE_TABLES": True}, "AUTO_CREATE_TABLES must be false"),
    ],
)
def test_production_refusals(overrides: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError) as caught:
        production(**overrides)
    assert complaint in str(caught.value)


@pytest.mark.skipif(AUTH_MODE != "jwks", reason="JWKS_URL exists in jwks mode only")
def test_production_refuses_an_http_jwks_url() -> None:
    with pytest.raises(ValidationError, match="JWKS_URL must be https"):
        production(JWKS_URL="http://auth.example.test/api/auth/jwks")


def test_development_allows_http_and_auto_create() -> None:
    settings = production(
        ENVIRONMENT="development",
        BETTER_AUTH_URL="http://localhost:3000",
        CORS_ORIGINS=["http://localhost:3000"],
        AUTO_CREATE_TABLES=True,
        **auth_settings("http://localhost:3000/api/auth/jwks"),
    )
    assert not settings.is_production


def test_production_refusal_from_environment_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in auth_settings(HTTPS_JWKS).items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("BETTER_AUTH_URL", "http://auth.example.test")
    monkeypatch.setenv("CORS_ORIGINS", '["https://app.example.test"]')
    monkeypatch.setenv("AUTO_CREATE_TABLES", "true")
    monkeypatch.setattr(Settings, "model_config", {**Settings.model_config, "env_file": None})
    with pytest.raises(ConfigError) as caught:
        get_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert "BETTER_AUTH_URL must be https" in message and "AUTO_CREATE_TABLES" in message
    assert TEST_SECRET not in message


def test_production_responses_carry_hsts() -> None:
    app = create_app(production())
    with TestClient(app, base_url="https://api.example.test") as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-frame-options"] == "DENY"


DOCS = ("/docs", "/redoc", "/openapi.json")


@pytest.mark.parametrize(
    ("overrides", "served"),
    [
        ({}, False),  # production: no API explorer, no schema (Swagger UI loads from a CDN)
        ({"DOCS_ENABLED": True}, True),  # unless asked for
        ({"ENVIRONMENT": "development", "BETTER_AUTH_URL": "http://localhost:3000"}, True),
        ({"ENVIRONMENT": "development", "DOCS_ENABLED": False}, False),
    ],
    ids=["production", "production-enabled", "development", "development-disabled"],
)
def test_api_docs_are_off_in_production_unless_enabled(
    overrides: dict[str, Any], served: bool
) -> None:
    with TestClient(create_app(production(**overrides)), base_url="https://api.test") as client:
        statuses = {path: client.get(path).status_code for path in DOCS}
    assert statuses == dict.fromkeys(DOCS, 200 if served else 404)
