"""Starting a generated project's real servers from bafa's tests: the frontend's node_modules
(installed once per lock file, shared through hard links), free ports, waiting for a server."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from conftest import IN_CI, REPO

CACHE = REPO / ".cache"


def require(condition: bool, reason: str) -> None:
    """Skip without `condition` on a developer machine; fail in CI, which must provide it."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (CI must provide it)")
        pytest.skip(reason)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} failed in {cwd}:\n{output[-8000:]}"
    return output


def require_node() -> None:
    require(shutil.which("node") is not None and shutil.which("npm") is not None, "Node.js and npm are not installed")
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    require(int(out.strip().lstrip("v").split(".")[0]) >= 20, "Node.js 20+ is required")


def install_node_modules(frontend: Path) -> None:
    """Give a generated frontend its node_modules: `npm ci` once per lock file, then hard links."""
    lock = (frontend / "package-lock.json").read_bytes()
    cached = CACHE / f"node_modules-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not cached.is_dir():
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=frontend)
        CACHE.mkdir(exist_ok=True)
        staging = CACHE / f".{cached.name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.move(frontend / "node_modules", staging)
        staging.rename(cached)
    run(["cp", "-al", str(cached), str(frontend / "node_modules")], cwd=frontend)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
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


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
