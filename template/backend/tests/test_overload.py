"""Requests beyond MAX_CONCURRENT_REQUESTS queue; one that waits too long is answered 503 +
Retry-After (with the usual headers), and /health never queues."""

from __future__ import annotations

import asyncio

import httpx
from sqlmodel import SQLModel
from support import ALLOWED_ORIGINS, USER_A, auth_headers

from app.core.config import Settings
from app.core.overload import OVERLOADED_DETAIL
from app.factory import create_app


def test_a_full_app_queues_then_refuses_but_health_answers(settings: Settings) -> None:
    app = create_app(
        settings.model_copy(
            update={"MAX_CONCURRENT_REQUESTS": 1, "REQUEST_QUEUE_TIMEOUT_SECONDS": 0.3}
        )
    )
    # No lifespan runs here (ASGITransport): the tombstone table /api/me reads is made by hand.
    SQLModel.metadata.create_all(app.state.sync_engine)
    release = asyncio.Event()

    @app.get("/api/slow")
    async def slow() -> dict[str, str]:
        await release.wait()
        return {"status": "done"}

    headers = {**auth_headers(USER_A), "Origin": ALLOWED_ORIGINS[0]}

    async def scenario() -> tuple[httpx.Response, ...]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            holder = asyncio.create_task(client.get("/api/slow"))  # takes the only slot
            await asyncio.sleep(0.05)
            health = await client.get("/health")
            assert not holder.done()
            refused = await client.get("/api/me", headers=headers)  # waits 0.3 s, then 503
            queued = asyncio.create_task(client.get("/api/me", headers=headers))
            await asyncio.sleep(0.05)
            release.set()  # the slot frees: the queued request gets it
            return health, refused, await holder, await queued

    try:
        health, refused, held, queued = asyncio.run(scenario())
    finally:
        SQLModel.metadata.drop_all(app.state.sync_engine)
        app.state.sync_engine.dispose()
    assert health.status_code == 200
    assert refused.status_code == 503 and refused.json() == {"detail": OVERLOADED_DETAIL}
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["x-request-id"] and refused.headers["x-content-type-options"]
    assert refused.headers["access-control-allow-origin"] == ALLOWED_ORIGINS[0]
    assert held.json() == {"status": "done"}
    assert queued.status_code == 200 and queued.json()["id"] == USER_A
