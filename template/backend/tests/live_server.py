"""A real `uvicorn app.main:app` in its own process, configured only by the environment.

For the tests that need what the in-process TestClient cannot show: many requests truly in
flight at once on one event loop, as in production.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BACKEND = Path(__file__).resolve().parents[1]
# Longer than any test keeps a connection idle. With uvicorn's 5 s default, a pooled client
# connection idle for 5 s can be closed by the server just as the client sends on it again:
# the client then gets a ReadError that says nothing about the app (a loaded CI machine
# stretches a burst past 5 s).
KEEP_ALIVE_SECONDS = 120


def _listening_socket() -> socket.socket:
    """A socket bound to a free port and listening, for uvicorn to serve on (--fd): no other
    process can take the port between choosing it and serving on it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)  # uvicorn's own backlog (--backlog) when it binds the port itself
    return sock


def _env_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def settings_env(settings: dict[str, object]) -> dict[str, str]:
    """Settings as environment variables (lists and dicts as JSON; unset ones left out)."""
    return {key: _env_value(value) for key, value in settings.items() if value is not None}


@contextmanager
def live_server(settings: dict[str, object], log_path: Path) -> Iterator[str]:
    """Start uvicorn with `settings` as environment variables; yield its base URL.

    Every setting the test depends on must be in `settings`: they override backend/.env.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    env.update(settings_env(settings))
    with _listening_socket() as sock, log_path.open("w") as log:
        port = sock.getsockname()[1]
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--fd", str(sock.fileno())]
        command += ["--no-access-log", "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=BACKEND,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError("uvicorn exited:\n" + log_path.read_text())
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not answer /health within 30 s")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
