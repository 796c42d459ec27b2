"""A generated default backend started with uvicorn, as its README says, talked to over HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from processes import free_port

from conftest import clean_env, read_env


@pytest.fixture(scope="module")
def live_backend(
    default_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    backend = default_project / "backend"
    port = free_port()
    log_path = tmp_path_factory.mktemp("logs") / "uvicorn.log"
    log = log_path.open("w")
    # As the README says: migrate first (the backend never creates its tables itself).
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=backend, env=clean_env(), check=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=backend,
        env=clean_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail("uvicorn exited: " + log_path.read_text())
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("backend did not answer /health within 30 s")
            time.sleep(0.2)
        yield base, read_env(backend / ".env")
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _mint(env: dict[str, str], sub: str, *, secret: str | None = None, exp_delta: int = 900) -> str:
    now = int(time.time())
    claims = {
        "sub": sub,
        "id": sub,
        "email": f"{sub}@example.test",
        "name": sub.title(),
        "iat": now,
        "exp": now + exp_delta,
        "iss": env["BETTER_AUTH_URL"],
        "aud": env["BETTER_AUTH_URL"],
    }
    return jwt.encode(claims, secret or env["BETTER_AUTH_SECRET"], algorithm="HS256")


def test_health_is_public(live_backend: tuple[str, dict[str, str]]) -> None:
    base, _ = live_backend
    response = httpx.get(f"{base}/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_correct_token_is_accepted_and_scopes_tasks(
    live_backend: tuple[str, dict[str, str]],
) -> None:
    base, env = live_backend
    alice = {"Authorization": f"Bearer {_mint(env, 'alice')}"}
    bob = {"Authorization": f"bearer {_mint(env, 'bob')}"}
    me = httpx.get(f"{base}/api/me", headers=alice)
    assert me.status_code == 200
    assert me.json()["id"] == "alice" and me.json()["email"] == "alice@example.test"

    created = httpx.post(f"{base}/api/tasks", headers=alice, json={"title": "buy milk"})
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    assert [t["id"] for t in httpx.get(f"{base}/api/tasks", headers=alice).json()] == [task_id]
    assert httpx.get(f"{base}/api/tasks", headers=bob).json() == []
    assert httpx.delete(f"{base}/api/tasks/{task_id}", headers=bob).status_code == 403
    assert httpx.get(f"{base}/api/tasks/{task_id}", headers=alice).json()["title"] == "buy milk"


@pytest.mark.parametrize(
    "case",
    ["missing", "wrong-secret", "expired", "tampered", "alg-none", "basic-scheme"],
)
def test_bad_tokens_get_401_with_bearer_challenge(live_backend: tuple[str, dict[str, str]], case: str) -> None:
    base, env = live_backend
    good = _mint(env, "alice")
    header, payload, signature = good.split(".")
    headers = {
        "missing": {},
        "wrong-secret": {"Authorization": f"Bearer {_mint(env, 'alice', secret='x' * 64)}"},
        "expired": {"Authorization": f"Bearer {_mint(env, 'alice', exp_delta=-3600)}"},
        "tampered": {"Authorization": f"Bearer {header}.{_mint(env, 'mallory').split('.')[1]}.{signature}"},
        "alg-none": {"Authorization": f"Bearer {jwt.encode({'sub': 'alice'}, None, algorithm='none')}"},
        "basic-scheme": {"Authorization": f"Basic {good}"},
    }[case]
    response = httpx.get(f"{base}/api/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert payload  # the good token had a payload to tamper with
