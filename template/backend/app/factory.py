"""create_app(): settings, logging, database engine, middleware (CORS, request ids, security
headers), routers (every router of app/api/routes/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.account_deletion import DeletedUsers
from app.api.auth_gate import AuthFirstRoute
from app.api.routes import routers
from app.core.config import Settings, get_settings
from app.core.cors import add_cors
from app.core.defaults import PROJECT_NAME, PROJECT_SLUG
from app.core.logging import configure_logging
from app.core.middleware import ErrorBoundary, RequestContextMiddleware
from app.core.overload import InFlightLimit, add_overload_handlers
from app.core.rate_limit import RateLimiter
from app.core.security import TokenVerifier
from app.db import create_db_engine, create_sync_engine, create_tables, session_factory


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; without `settings` they are read from env / backend/.env.

    Raises app.core.config.ConfigError (a one-line message) when the configuration is invalid.
    """
    settings = settings if settings is not None else get_settings()
    configure_logging(settings.LOG_LEVEL)
    engine = create_db_engine(settings.DATABASE_URL, settings)
    sync_engine = create_sync_engine(settings.DATABASE_URL, settings)  # connects on first use

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Tables come from `alembic upgrade heads`; creating them here is opt-in (never in
        # production: Settings refuses AUTO_CREATE_TABLES there).
        if settings.AUTO_CREATE_TABLES:
            await create_tables(engine)
        yield
        await engine.dispose()
        sync_engine.dispose()

    docs = settings.serves_docs
    app = FastAPI(
        title=PROJECT_NAME,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        # No trailing-slash redirects: their Location echoed the request's Host header.
        redirect_slashes=False,
        max_body_size=settings.MAX_BODY_BYTES,  # 413 while reading, before any parsing
    )
    app.router.route_class = AuthFirstRoute  # for routes added to the app itself
    app.state.settings = settings
    # Per app, never module globals: its signing keys and the tokens it verified (the JWT check,
    # app/core/security.py), reached through app/api/deps.py.
    app.state.token_verifier = TokenVerifier(settings)
    # Tombstones of deleted accounts, with the answers it remembers (app/api/account_deletion.py).
    app.state.deleted_users = DeletedUsers()
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.sync_engine = sync_engine
    app.state.rate_limiter = RateLimiter(
        settings.RATE_LIMIT_PER_USER,
        settings.RATE_LIMIT_PER_CLIENT,
        settings.REDIS_URL,
        prefix=f"{PROJECT_SLUG}-api",
    )
    # Innermost first: a crash becomes a 500, and requests wait for a slot, after CORS and the
    # request context are set up, so those answers carry CORS headers, a request id and the
    # security headers like any other.
    app.add_middleware(ErrorBoundary)
    app.add_middleware(
        InFlightLimit,
        limit=settings.MAX_CONCURRENT_REQUESTS,
        queue_timeout=settings.REQUEST_QUEUE_TIMEOUT_SECONDS,
    )
    add_cors(app, settings)
    add_overload_handlers(app)
    # Added last, so it wraps CORS: preflight answers get a request id and the headers too.
    app.add_middleware(RequestContextMiddleware, production=settings.is_production)
    for router in routers():  # health, me, tasks, then each added resource (app/api/routes/)
        app.include_router(router)
    return app
