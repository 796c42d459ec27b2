"""End-to-end: a generated project's real Better Auth server and real FastAPI backend.

For each api_style, generate a project, install its frontend (once: node_modules is shared
between variants through hard links, the lock files being identical), build it, and run the
project's own end-to-end tests (frontend/e2e: API level, then a real Chromium).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, generate

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
