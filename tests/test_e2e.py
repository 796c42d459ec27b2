"""End-to-end: a generated project's real Better Auth server and real FastAPI backend.

For each api_style, generate a project, install its frontend (once: node_modules is shared
between variants through hard links, the lock files being identical), build it, and run the
project's own end-to-end tests (frontend/e2e: API level, then a real Chromium).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest
import yaml

from conftest import REPO, clean_env, generate, run_bafa

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
CACHE = REPO / ".cache"
ARTIFACTS = REPO / "artifacts" / "e2e"


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (CI must provide it)")
        pytest.skip(reason)


def _node_major() -> int:
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    return int(out.strip().lstrip("v").split(".")[0])


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} failed in {cwd}:\n{output[-8000:]}"
    return output


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A frontend node_modules installed with `npm ci` from the template's lock file."""
    _require(shutil.which("node") is not None and shutil.which("npm") is not None, "Node.js and npm are not installed")
    _require(_node_major() >= 20, "Node.js 20+ is required")
    project = generate(tmp_path_factory.mktemp("npm") / "npm-app")
    frontend = project / "frontend"
    lock = (frontend / "package-lock.json").read_bytes()
    cached = CACHE / f"node_modules-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not cached.is_dir():
        _run(["npm", "ci", "--no-audit", "--no-fund"], cwd=frontend)
        CACHE.mkdir(exist_ok=True)
        staging = CACHE / f".{cached.name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.move(frontend / "node_modules", staging)
        staging.rename(cached)
    return cached


def _link_node_modules(source: Path, frontend: Path) -> None:
    _run(["cp", "-al", str(source), str(frontend / "node_modules")], cwd=frontend)


def _node_test_counts(output: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r"^# (pass|fail|skipped|cancelled|todo) (\d+)$", output, re.M)}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("auth_mode", "api_style"),
    [("shared_secret", "flat"), ("shared_secret", "user_path"), ("jwks", "flat")],
)
def test_generated_project_end_to_end(tmp_path: Path, node_modules: Path, auth_mode: str, api_style: str) -> None:
    project = generate(tmp_path / f"e2e-{auth_mode}-{api_style}", f"auth_mode={auth_mode}", f"api_style={api_style}")
    frontend = project / "frontend"
    _link_node_modules(node_modules, frontend)
    _run(["npm", "run", "typecheck"], cwd=frontend)
    _run(["npm", "run", "build"], cwd=frontend)

    artifacts = ARTIFACTS / f"{auth_mode}-{api_style}"
    shutil.rmtree(artifacts, ignore_errors=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BETTER_AUTH", "DATABASE_URL", "CORS_"))},
        "BACKEND_PYTHON": sys.executable,
        "E2E_ARTIFACTS_DIR": str(artifacts),
    }
    result = subprocess.run(
        ["npm", "run", "test:e2e"], cwd=frontend, env=env, capture_output=True, text=True, timeout=900
    )
    output = result.stdout + result.stderr
    counts = _node_test_counts(output)
    assert result.returncode == 0 and counts.get("fail") == 0, output[-10000:]
    assert counts.get("pass", 0) >= 14, f"too few end-to-end tests ran: {counts}\n{output[-4000:]}"
    if IN_CI:
        assert counts.get("skipped", 0) == 0, f"CI must run the browser test: {counts}\n{output[-4000:]}"
    if counts.get("skipped", 0) == 0:
        shots = sorted(p.name for p in artifacts.glob("*.png"))
        assert len(shots) >= 7, shots


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: process exited:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text()[-4000:]}")


@pytest.mark.slow
def test_bootstrapped_services_trust_one_real_issuer(tmp_path: Path, node_modules: Path) -> None:
    """Two backend-only services from one manifest accept a real Better Auth server's EdDSA tokens."""
    issuer = generate(tmp_path / "issuer", "auth_mode=jwks")
    frontend = issuer / "frontend"
    _link_node_modules(node_modules, frontend)
    _run(["npm", "run", "build"], cwd=frontend)

    auth_port, ports = _free_port(), [_free_port(), _free_port()]
    auth_url = f"http://127.0.0.1:{auth_port}"
    auth_env = {
        **os.environ,
        "NODE_ENV": "production",
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "BETTER_AUTH_URL": auth_url,
        "TRUSTED_ORIGINS": auth_url,
        "BACKEND_URL": f"http://127.0.0.1:{ports[0]}",
        "DATABASE_URL": str(tmp_path / "auth.db"),
    }
    _run(["npm", "run", "migrate"], cwd=frontend, env=auth_env)

    manifest = tmp_path / "services.yml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "issuer": {"url": auth_url, "mode": "jwks", "jwt_algorithm": "EdDSA"},
                "origins": [auth_url],
                "services": [{"name": "billing", "port": ports[0]}, {"name": "reports", "port": ports[1]}],
            }
        )
    )
    result = run_bafa("bootstrap", str(manifest), "--into", str(tmp_path / "services"))
    assert result.returncode == 0, result.stderr
    assert "2 created, 0 skipped" in result.stdout

    processes: list[subprocess.Popen] = []
    try:
        log = tmp_path / "auth.log"
        processes.append(
            subprocess.Popen(
                [
                    "node",
                    str(frontend / "node_modules/next/dist/bin/next"),
                    "start",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    str(auth_port),
                ],
                cwd=frontend,
                env=auth_env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
        _wait_http(f"{auth_url}/api/auth/ok", processes[-1], log)
        service_urls = []
        for name, port in zip(("billing", "reports"), ports, strict=True):
            service_log = tmp_path / f"{name}.log"
            backend = tmp_path / "services" / name / "backend"
            _run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=backend, env=clean_env())
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
                    cwd=tmp_path / "services" / name / "backend",
                    env=clean_env(),
                    stdout=service_log.open("w"),
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            )
            _wait_http(f"http://127.0.0.1:{port}/health", processes[-1], service_log)
            service_urls.append(f"http://127.0.0.1:{port}")

        with httpx.Client(timeout=10) as http:
            signed_up = http.post(
                f"{auth_url}/api/auth/sign-up/email",
                json={"email": "ops@example.test", "password": "pw-" + secrets.token_urlsafe(9), "name": "Ops"},
                headers={"Origin": auth_url},
            )
            assert signed_up.status_code == 200, signed_up.text
            token = http.get(f"{auth_url}/api/auth/token").json()["token"]
            assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
            bearer = {"Authorization": f"Bearer {token}"}
            user_id = signed_up.json()["user"]["id"]
            for url in service_urls:
                me = http.get(f"{url}/api/me", headers=bearer)
                assert me.status_code == 200, me.text
                assert me.json()["id"] == user_id
            created = http.post(f"{service_urls[0]}/api/tasks", json={"title": "invoice"}, headers=bearer)
            assert created.status_code == 201, created.text
            assert http.get(f"{service_urls[1]}/api/tasks", headers=bearer).json() == [], (
                "each service has its own data"
            )
            forged = jwt.encode({"sub": user_id, "iat": int(time.time()), "exp": int(time.time()) + 60}, "x" * 48)
            for url in service_urls:
                refused = http.get(f"{url}/api/me", headers={"Authorization": f"Bearer {forged}"})
                assert refused.status_code == 401
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)
