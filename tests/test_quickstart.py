"""The README's first command, as a newcomer runs it: scripts/quickstart.sh on ports they chose
brings up the whole app (backend and Better Auth frontend), says where to open it, and stops
both servers on Ctrl-C. Bad ports get one `error:` line before anything is written."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from processes import free_port, install_node_modules, require_node

from conftest import REPO, generate

SCRIPT = REPO / "scripts" / "quickstart.sh"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--backend-port", "80"), "ports must be numbers from 1024 to 65535 (got 80)"),
        (("--frontend-port", "abc"), "ports must be numbers"),
        (("--backend-port", "3000"), "two different ports"),
        (("--bogus",), "unknown option --bogus"),
    ],
)
def test_bad_options_are_one_error_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = _run(str(tmp_path / "app"), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert not (tmp_path / "app").exists(), "nothing is written on bad input"


def test_a_taken_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run(str(tmp_path / "app"), "--backend-port", str(port))
    assert result.returncode == 2
    assert f"error: port {port} is taken" in result.stderr
    assert not (tmp_path / "app").exists()


@pytest.mark.slow
def test_quickstart_runs_the_whole_app_on_chosen_ports(tmp_path: Path) -> None:
    """Generated here with the ports the script would use (so node_modules comes from the test
    cache instead of a 2-minute `npm ci`); the script reuses the project, as on a second run."""
    require_node()
    backend_port, frontend_port = free_port(), free_port()
    dest = generate(tmp_path / "my-app", f"backend_port={backend_port}", f"auth_url=http://localhost:{frontend_port}")
    install_node_modules(dest / "frontend")
    log = tmp_path / "quickstart.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BETTER_AUTH", "DATABASE_URL", "CORS_"))}
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                "bash",
                str(SCRIPT),
                str(dest),
                "--backend-port",
                str(backend_port),
                "--frontend-port",
                str(frontend_port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C goes to the whole group, as in a terminal
        )
    try:
        deadline = time.monotonic() + 600
        # The log is read while the script writes it: its last character may be half written, and
        # "Ready:" comes a line before the last one (which ran late once in CI): wait for that one.
        while "Ctrl-C stops everything" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")[-4000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-4000:]
            time.sleep(1)
        text = log.read_text(errors="replace")
        assert f"Ready: open http://localhost:{frontend_port}" in text
        assert f"using the existing project in {dest}" in text
        assert re.search(r"==> backend: installing", text) and "==> frontend: starting" in text
        page = httpx.get(f"http://localhost:{frontend_port}/sign-up", timeout=60)
        assert page.status_code == 200 and "<form" in page.text
        assert httpx.get(f"http://127.0.0.1:{backend_port}/health", timeout=5).status_code == 200
        # The generated project's CORS list holds the frontend it runs with.
        preflight = httpx.options(
            f"http://127.0.0.1:{backend_port}/api/me",
            headers={"Origin": f"http://localhost:{frontend_port}", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.headers.get("access-control-allow-origin") == f"http://localhost:{frontend_port}"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    for port in (backend_port, frontend_port):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
