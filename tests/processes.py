"""Starting a generated project's real servers from bafa's tests: the frontend's node_modules
(installed once per lock file, shared through hard links), free ports, waiting for a server.

Safe with several test processes at once (pytest-xdist workers, another checkout's suite):
one `npm ci` per lock file (a file lock), and no port or Redis database handed out twice
(`reserve`: a lock file per port or database)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        CACHE.mkdir(exist_ok=True)
        # Another worker may be installing the same lock file: wait for it, then use its copy.
        with _file_lock(CACHE / f".{cached.name}.lock"):
            if not cached.is_dir():
                run(["npm", "ci", "--no-audit", "--no-fund"], cwd=frontend)
                staging = CACHE / f".{cached.name}.partial"
                shutil.rmtree(staging, ignore_errors=True)
                shutil.move(frontend / "node_modules", staging)
                staging.rename(cached)
    if not (frontend / "node_modules").exists():
        run(["cp", "-al", str(cached), str(frontend / "node_modules")], cwd=frontend)


def build_frontend(frontend: Path, env: dict[str, str] | None = None) -> None:
    """`npm run build`, starting from the build cache the last build here left (.next/cache, kept
    in CACHE as Next.js advises CI to keep it): Turbopack rebuilds only what differs, about a
    third less time for another variant of the frontend."""
    kept, cache, lock = CACHE / "next-build-cache", frontend / ".next" / "cache", CACHE / ".next-build-cache.lock"
    CACHE.mkdir(exist_ok=True)
    if not cache.exists():
        with _file_lock(lock):
            if kept.is_dir():
                cache.parent.mkdir(exist_ok=True)
                shutil.copytree(kept, cache, symlinks=True)  # a copy: the build writes into it
    run(["npm", "run", "build"], cwd=frontend, env=env)
    if cache.is_dir():
        with _file_lock(lock):
            staging = CACHE / ".next-build-cache.partial"
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(cache, staging, symlinks=True)
            shutil.rmtree(kept, ignore_errors=True)
            staging.rename(kept)


def node_cache_is_cold() -> bool:
    """No frontend's node_modules is cached yet (a clean clone: the `npm ci`s are still to come)."""
    return not any(CACHE.glob("node_modules-*"))


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (released when the holder exits, even by a crash)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


LOCKS = Path(tempfile.gettempdir()) / f"bafa-test-locks-{os.getuid()}"
_reserved: dict[str, object] = {}  # name -> its open lock file, held for this process's life


def reserve(kind: str, candidates: list[int], usable: Callable[[int], bool] = lambda _: True) -> int:
    """The first of `candidates` that no other test process on this machine holds (xdist workers,
    another checkout's suite) and that is `usable`: reserved by a lock file in LOCKS which this
    process holds until it exits. Never the same one twice in this process either."""
    LOCKS.mkdir(exist_ok=True)
    for candidate in candidates:
        name = f"{kind}-{candidate}"
        if name in _reserved:
            continue
        handle = (LOCKS / name).open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()  # another test process holds it
            continue
        if not usable(candidate):
            handle.close()
            continue
        _reserved[name] = handle
        return candidate
    raise RuntimeError(f"every {kind} is taken: {candidates[:3]}...")


def _port_range() -> range:
    """Ports below the kernel's ephemeral range, which outgoing connections (and bind to port 0)
    draw from: a port chosen here is not taken by a client socket before the server binds it."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    return range(max(1024, low - 12000), max(2048, low))


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts: below the ephemeral range, and
    reserved (`reserve`) so that no other test process on this machine gets it too."""
    ports = list(_port_range())
    start = random.randrange(len(ports))
    return reserve("port", ports[start:] + ports[:start], usable=_bindable)


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False  # in use by something else
    return True


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
