"""Static checks of the generated compose.yaml and Dockerfiles (no Docker engine runs here).

compose.yaml and the Dockerfiles are parsed and checked: the services, their healthchecks and
start order, published ports on 127.0.0.1 only, non-root images, and no secret written into any
of them. `docker compose config` validates the file too when a Docker client with the compose
plugin is installed (it needs no engine); otherwise that one test is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import clean_env, generate, read_env

VARIANTS = {
    "sqlite": ("database=sqlite",),
    "postgresql": ("database=postgresql",),
    "jwks-postgresql": ("database=postgresql", "auth_mode=jwks"),
    "no-account-emails": ("account_emails=false",),
    "backend-only": ("database=postgresql", "frontend=false"),
}
SECRET_NAMES = re.compile(r"(SECRET|PASSWORD|TOKEN|PRIVATE|API_KEY)", re.I)


@pytest.fixture(scope="module", params=list(VARIANTS))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp(request.param) / "app", *VARIANTS[request.param])


def _answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def _compose(project: Path) -> dict:
    return yaml.safe_load((project / "compose.yaml").read_text())


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, rest = line.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    assert not pending, f"{path}: dangling line continuation"
    return instructions


def _secret_values(project: Path) -> list[str]:
    values = []
    for env_file in (project / "backend/.env", project / "frontend/.env"):
        if env_file.exists():
            values += [v for k, v in read_env(env_file).items() if SECRET_NAMES.search(k) and v]
    return values


def test_services_healthchecks_and_start_order(project: Path) -> None:
    answers = _answers(project)
    compose = _compose(project)
    services = compose["services"]
    expected = {"backend"} | ({"postgres"} if answers["database"] == "postgresql" else set())
    expected |= {"frontend"} if answers["frontend"] else set()
    expected |= {"maildev"} if answers["frontend"] and answers.get("account_emails", True) else set()
    assert set(services) == expected
    for name, service in services.items():
        test = service["healthcheck"]["test"]
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"
    assert services["backend"]["build"] == "./backend"
    assert [e["path"] for e in services["backend"]["env_file"]] == ["backend/.env"]
    backend_env = services["backend"]["environment"]
    if answers["database"] == "postgresql":
        assert services["backend"]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert backend_env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in backend_env["DATABASE_URL"]
        assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
        assert "postgres-data" in compose["volumes"]
    else:
        assert backend_env["DATABASE_URL"].startswith("sqlite:////data/")
        assert str(backend_env["WEB_CONCURRENCY"]) == "1", "one SQLite file, one worker"
    if answers["frontend"]:
        frontend = services["frontend"]
        assert frontend["build"] == "./frontend"
        assert [e["path"] for e in frontend["env_file"]] == ["frontend/.env"]
        assert frontend["depends_on"]["backend"]["condition"] == "service_healthy"
        assert "/api/auth/ok" in " ".join(frontend["healthcheck"]["test"])
        if answers["auth_mode"] == "jwks":
            assert backend_env["JWKS_URL"] == "http://frontend:3000/api/auth/jwks"
        if "maildev" in services:  # account emails: the frontend sends to the catcher in development
            assert (frontend["environment"]["SMTP_HOST"], str(frontend["environment"]["SMTP_PORT"])) == (
                "maildev",
                "1025",
            )
            assert frontend["depends_on"]["maildev"]["condition"] == "service_healthy"


def test_no_secret_is_written_into_compose_or_images(project: Path) -> None:
    files = [project / "compose.yaml", project / "backend/Dockerfile", project / "backend/.dockerignore"]
    if (project / "frontend").exists():
        files += [project / "frontend/Dockerfile", project / "frontend/.dockerignore"]
    secrets = _secret_values(project)
    assert secrets, "the generated .env files hold a secret to look for"
    for path in files:
        text = path.read_text()
        for value in secrets:
            assert value not in text, f"{path.name} contains a secret from the .env files"
    compose = _compose(project)
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", str(value)), f"{name}.{key} must come from the shell"
            assert not re.search(r"://[^:/@\s]+:(?!\$\{)[^@\s]+@", str(value)), f"{name}.{key} has a password"
    for dockerfile in files:
        if dockerfile.name != "Dockerfile":
            continue
        ignore = (dockerfile.parent / ".dockerignore").read_text().splitlines()
        assert ".env" in ignore and ".env.*" in ignore, f"{dockerfile}: .env files must stay out of the build"
        for keyword, args in dockerfile_instructions(dockerfile):
            if keyword in ("ENV", "ARG"):
                assert not SECRET_NAMES.search(args), f"{dockerfile}: {keyword} {args}"
            if keyword in ("COPY", "ADD"):
                assert ".env" not in args.split(), f"{dockerfile}: copies a .env file"


@pytest.mark.parametrize("part", ["backend", "frontend"])
def test_dockerfiles_are_multi_stage_and_non_root(project: Path, part: str) -> None:
    dockerfile = project / part / "Dockerfile"
    if not dockerfile.parent.exists():
        pytest.skip("backend-only project: no frontend")
    instructions = dockerfile_instructions(dockerfile)
    stages = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    final = instructions[stages[-1] :]
    users = [args for keyword, args in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), f"{part} runs as {users}"
    keywords = [keyword for keyword, _ in final]
    assert "HEALTHCHECK" in keywords and "CMD" in keywords
    assert keywords.index("USER") < keywords.index("CMD")
    if part == "backend":
        cmd = dict(final)["CMD"]
        assert "scripts/start.sh" in cmd
        start = (project / "backend/scripts/start.sh").read_text()
        assert start.index("alembic upgrade heads") < start.index("exec uvicorn")
        assert "--workers" in start and "--proxy-headers" in start
    else:
        build = " ".join(args for keyword, args in instructions if keyword == "RUN" and "npm run build" in args)
        assert "randomBytes" in build, "next build gets a throw-away secret inside the RUN step"


def _docker_compose_available() -> str | None:
    """Why `docker compose config` cannot run here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker client installed"
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return "the docker client has no compose plugin (`docker compose version` failed)"
    return None


def test_docker_compose_config_accepts_the_file(project: Path) -> None:
    reason = _docker_compose_available()
    if reason:
        pytest.skip(f"docker compose config not run: {reason}; the static checks above still ran")
    env = clean_env() | {"POSTGRES_PASSWORD": "only-for-config-validation"}
    env.pop("ENVIRONMENT", None)
    result = subprocess.run(
        ["docker", "compose", "config", "--quiet"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    if _answers(project)["database"] == "postgresql":
        missing = {k: v for k, v in env.items() if k != "POSTGRES_PASSWORD"}
        refused = subprocess.run(
            ["docker", "compose", "config", "--quiet"],
            cwd=project,
            env=missing | {"PATH": os.environ.get("PATH", "")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr
