"""`bafa bootstrap MANIFEST`: several backend-only services from one manifest, all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import clean_env, read_env, run_bafa, snapshot
from generator._cli import app
from generator.bootstrap import plan_services, validate_manifest
from generator.errors import BafaError

GOOD = {
    "issuer": {"url": "https://auth.example.test", "mode": "jwks", "jwt_algorithm": "ES256"},
    "origins": ["https://app.example.test"],
    "defaults": {"api_style": "user_path"},
    "services": [
        {"name": "billing", "port": 8101},
        {"name": "reports", "port": 8102, "answers": {"ownership_error": "not_found"}},
    ],
}


def write(tmp_path: Path, manifest: object) -> Path:
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(manifest))
    return path


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bootstrap")
    result = run_bafa("bootstrap", str(write(root, GOOD)), "--into", str(root / "services"))
    assert result.returncode == 0, result.stderr
    assert "billing  8101  created" in result.stdout and "2 created, 0 skipped" in result.stdout
    return root / "services"


def test_services_share_the_manifest_settings(services: Path) -> None:
    for name, port in (("billing", 8101), ("reports", 8102)):
        project = services / name
        assert not (project / "frontend").exists(), "backend-only"
        env = read_env(project / "backend/.env")
        assert "BETTER_AUTH_SECRET" not in env, "jwks services hold no secret"
        assert env["JWKS_URL"] == "https://auth.example.test/api/auth/jwks"
        assert env["BETTER_AUTH_URL"] == env["JWT_AUDIENCE"] == "https://auth.example.test"
        assert env["CORS_ORIGINS"] == "https://app.example.test"  # comma-separated
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["backend_port"] == port and answers["jwt_algorithm"] == "ES256"
        assert answers["api_style"] == "user_path"
    assert yaml.safe_load((services / "reports/.copier-answers.yml").read_text())["ownership_error"] == "not_found"


@pytest.mark.slow
def test_a_bootstrapped_service_passes_its_own_tests(services: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=services / "reports/backend", env=clean_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-5000:]


def test_rerun_is_idempotent_and_adds_new_services(services: Path, tmp_path: Path) -> None:
    before = snapshot(services / "billing")
    grown = {**GOOD, "services": [*GOOD["services"], {"name": "search", "port": 8103}]}
    result = run_bafa("bootstrap", str(write(tmp_path, grown)), "--into", str(services))
    assert result.returncode == 0, result.stderr
    assert "billing  8101  skipped (exists)" in result.stdout and "search   8103  created" in result.stdout
    assert snapshot(services / "billing") == before, "existing services are never overwritten"
    assert (services / "search/backend/app/main.py").is_file()


BAD = [
    (
        {**GOOD, "services": [{"name": "a-svc", "port": 8101}, {"name": "a-svc", "port": 8102}]},
        "duplicate service name",
    ),
    ({**GOOD, "services": [{"name": "one", "port": 8101}, {"name": "two", "port": 8101}]}, "port 8101 is already used"),
    ({**GOOD, "services": [{"name": "Bad_Name", "port": 8101}]}, "services[0].name"),
    ({**GOOD, "services": [{"name": "ok-svc", "port": 80}]}, "services[0].port"),
    ({**GOOD, "origins": ["*"]}, "origins: '*'"),
    ({**GOOD, "issuer": {"url": "auth.example.test"}}, "issuer.url"),
    ({**GOOD, "issuer": {"url": "https://a.test", "mode": "magic"}}, "issuer.mode"),
    ({**GOOD, "issuer": {"url": "https://a.test", "jwt_algorithm": "HS256"}}, "issuer.jwt_algorithm"),
    ({**GOOD, "colour": "blue"}, "unknown manifest keys: colour"),
    ({**GOOD, "defaults": {"frontend": True}}, "defaults.frontend: not settable"),
    ({**GOOD, "services": []}, "services: a non-empty list"),
    (["not", "a", "mapping"], "must be a YAML mapping"),
]


@pytest.mark.parametrize(("manifest", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_manifest_exits_2_and_writes_nothing(tmp_path: Path, manifest: object, message: str) -> None:
    """In-process (the whole CLI path but no subprocess): validation fails before anything renders."""
    path = write(tmp_path, manifest)
    result = CliRunner().invoke(app, ["bootstrap", str(path), "--into", str(tmp_path / "out")])
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    manifest = {**GOOD, "origins": ["*"], "services": [{"name": "x", "port": 1}]}
    result = CliRunner().invoke(app, ["bootstrap", str(write(tmp_path, manifest)), "--into", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "origins" in result.stderr and "services[0].name" in result.stderr and "services[0].port" in result.stderr


def test_every_section_names_itself_when_it_is_missing_or_of_the_wrong_kind() -> None:
    manifest = {"issuer": [], "origins": "x", "defaults": 3, "services": ["s", {"answers": 3, "bogus": 1}], "a": 1}
    with pytest.raises(BafaError) as caught:
        validate_manifest(manifest, Path("m.yml"))
    problems = str(caught.value).removeprefix("invalid manifest: ").split("; ")
    assert problems == [
        "unknown manifest keys: a (allowed: defaults, issuer, origins, services)",
        "issuer: a mapping with url (and optionally audience, mode, jwt_algorithm) is required",
        'origins: a non-empty list of browser origins is required, e.g. ["https://app.example.com"]',
        "defaults: must be a mapping of answers",
        "services[0]: must be a mapping with name and port",
        "services[1].name: None must match ^[a-z][a-z0-9-]{1,49}$",
        "services[1].port: None must be a whole number from 1024 to 65535",
        "services[1].answers: must be a mapping",
        "services[1].bogus: unknown key (allowed: answers, description, name, port)",
    ]


def test_plans_share_the_issuer_and_take_defaults_then_own_answers() -> None:
    manifest = {
        **GOOD,
        "defaults": {"api_style": "user_path", "database": "postgresql"},
        "services": [
            {"name": "billing", "port": 8101, "description": "Invoices", "answers": {"database": "sqlite"}},
            {"name": "reports", "port": 8102},
        ],
    }
    billing, reports = plan_services(validate_manifest(manifest, Path("m.yml")), secret=None)
    assert billing.answers == {
        "api_style": "user_path",
        "database": "sqlite",
        "description": "Invoices",
        "frontend": False,
        "auth_mode": "jwks",
        "auth_url": "https://auth.example.test",
        "jwt_audience": "https://auth.example.test",
        "frontend_origins": ["https://app.example.test"],
        "jwt_algorithm": "ES256",
        "project_name": "billing",
        "project_slug": "billing",
        "backend_port": 8101,
    }
    assert reports.answers["database"] == "postgresql" and "description" not in reports.answers
    shared = {**GOOD, "issuer": {"url": "https://auth.example.test", "mode": "shared_secret", "audience": "api"}}
    secret = "s3cr3t-k" + "abcdefgh" * 4
    (plan, *_) = plan_services(validate_manifest(shared, Path("m.yml")), secret=secret)
    assert plan.answers["better_auth_secret"] == secret and plan.answers["jwt_audience"] == "api"
    assert "jwt_algorithm" not in plan.answers


def test_shared_secret_mode_needs_the_issuers_secret(tmp_path: Path) -> None:
    manifest = {**GOOD, "issuer": {"url": "https://auth.example.test", "mode": "shared_secret"}}
    path = write(tmp_path, manifest)
    env = {k: v for k, v in os.environ.items() if k != "BETTER_AUTH_SECRET"}
    missing = subprocess.run(
        [sys.executable, "-m", "generator", "bootstrap", str(path), "--into", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert missing.returncode == 2 and "BETTER_AUTH_SECRET" in missing.stderr
    assert not (tmp_path / "out").exists()
    secret = "s3cr3t-" + "k" * 10 + "-issuer-owned-value-0123456789"
    made = subprocess.run(
        [sys.executable, "-m", "generator", "bootstrap", str(path), "--into", str(tmp_path / "out")],
        env={**env, "BETTER_AUTH_SECRET": secret}, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert read_env(tmp_path / "out/billing/backend/.env")["BETTER_AUTH_SECRET"] == secret
    assert secret not in (tmp_path / "out/billing/.copier-answers.yml").read_text()


def test_missing_manifest(tmp_path: Path) -> None:
    result = run_bafa("bootstrap", str(tmp_path / "none.yml"), "--into", str(tmp_path / "out"))
    assert result.returncode == 2 and "does not exist" in result.stderr
