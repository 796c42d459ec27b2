"""A burst from one user never stalls the service: a real uvicorn, 100 clients at once.

A request path with a blocking step (a sync dependency or route waiting for a database
connection from a thread) stalls under such a burst: every worker thread waits for a
connection that the requests holding one cannot give back until they get a thread. Nothing
moves until the pool timeout; then the waiting requests fail with 500, and even /health,
which touches nothing, waits. The async path has no such cycle: waiting requests wait on the
event loop, and the loop keeps serving everything else.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from live_server import BACKEND, live_server, settings_env
from support import USER_A, auth_headers, tasks_url

from app.core.config import Settings

CLIENTS = 100  # concurrent connections, all with the same user's token
REQUESTS_PER_CLIENT = 3  # back to back: list, create, list
# A stall lasts until the pool timeout: /health then waits that long and the waiting requests
# fail. Half of it tells a stall from a slow machine (two suites sharing two busy cores have
# answered /health in 3 s during the burst; a stall answers it in 10 s or never).
POOL_TIMEOUT_SECONDS = 10.0
HEALTH_BOUND_SECONDS = POOL_TIMEOUT_SECONDS / 2
REQUEST_TIMEOUT_SECONDS = 20.0  # a request still unanswered then counts as status 0


async def _burst(base: str, headers: dict[str, str]) -> tuple[list[int | str], list[float]]:
    # An HTTP status per request; 0 for no answer in time; an error's name for a broken one.
    statuses: list[int | str] = []
    health: list[float] = []
    done = asyncio.Event()
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)

    async def client_loop(client: httpx.AsyncClient, number: int) -> None:
        for step in range(REQUESTS_PER_CLIENT):
            try:
                if step == 1:
                    body = {"title": f"burst task {number}"}
                    response = await client.post(tasks_url(USER_A), json=body, headers=headers)
                else:
                    response = await client.get(tasks_url(USER_A), headers=headers)
            except httpx.TimeoutException:
                statuses.append(0)
            except httpx.TransportError as error:
                statuses.append(type(error).__name__)
            else:
                statuses.append(response.status_code)

    async def probe(client: httpx.AsyncClient) -> None:
        while not done.is_set():
            started = time.perf_counter()
            try:
                response = await client.get("/health")
            except httpx.TimeoutException:
                health.append(REQUEST_TIMEOUT_SECONDS)
                continue
            health.append(time.perf_counter() - started)
            assert response.status_code == 200
            await asyncio.sleep(0.05)

    async with (
        httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT_SECONDS) as load,
        httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_SECONDS) as prober,
    ):
        probing = asyncio.create_task(probe(prober))
        try:
            await asyncio.gather(*(client_loop(load, n) for n in range(CLIENTS)))
        finally:
            done.set()
            await probing
    return statuses, health


def test_burst_from_one_user_never_stalls(settings: Settings, app: object, tmp_path: Path) -> None:
    # `app` (conftest.py) gives a clean database and drops its tables afterwards.
    server_settings = settings.model_dump() | {
        "DB_POOL_TIMEOUT_SECONDS": POOL_TIMEOUT_SECONDS,
        # The limiter runs (in memory), with room for the whole burst: it must not stall either.
        "RATE_LIMIT_PER_USER": "100000/minute",
    }
    headers = auth_headers(USER_A)
    with live_server(server_settings, tmp_path / "uvicorn.log") as base:
        statuses, health = asyncio.run(_burst(base, headers))
        unexpected = {status: statuses.count(status) for status in set(statuses) - {200, 201}}
        assert not unexpected, f"answers other than 200/201 (0: none in time): {unexpected}"
        assert health, "the /health probe never got an answer"
        assert max(health) < HEALTH_BOUND_SECONDS, f"/health took {max(health):.2f} s in the burst"
        created = 0
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while page := client.get(tasks_url(USER_A), params={"offset": created}).json():
                created += len(page)
    assert statuses.count(201) == CLIENTS and created == CLIENTS


def test_the_served_app_freezes_its_start_up_objects(settings: Settings) -> None:
    """app.main (what uvicorn imports) keeps start-up objects out of full GC passes."""
    env = os.environ | settings_env(settings.model_dump())
    code = "import gc, app.main; print(gc.get_freeze_count())"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=BACKEND, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 10_000
