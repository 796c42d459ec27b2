"""Request dependencies: the authenticated user (from the Bearer token) and a DB session.

All of them are async: on the request path nothing hops to the thread pool. What an app holds
for its requests (the token verifier, the rate limiter, the sessions) lives on app.state,
made by create_app(), never in module globals.
"""

from __future__ import annotations

import logging
from typing import Annotated, NoReturn

from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from app.api.account_deletion import SAFE_METHODS, DeletedUsers, DeletedUsersUnavailable
from app.core.rate_limit import RateLimiter
from app.core.security import AuthenticatedUser, KeysUnavailable, TokenError, TokenVerifier
from app.db import get_session, get_sync_session

logger = logging.getLogger("app.auth")


def _log_context(request: Request, reason: str) -> dict[str, str]:
    """Structured fields of an auth log line: why, which route, which client, which request."""
    route = request.scope.get("route")
    return {
        "reason": reason,
        "method": request.method,
        "route": getattr(route, "path", None) or request.url.path,
        "path": request.url.path,
        "client": request.client.host if request.client else "unknown",
        "request_id": getattr(request.state, "request_id", None) or "",
    }


def _reject(request: Request, reason: str, challenge: str = "Bearer") -> NoReturn:
    """Log why (never the token) and answer 401 with a WWW-Authenticate challenge."""
    context = _log_context(request, reason)
    logger.warning(
        "auth rejected: %s (%s %s from %s)",
        reason,
        context["method"],
        context["path"],
        context["client"],
        extra={"event": "auth_rejected", **context},
    )
    raise HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=reason,
        headers={"WWW-Authenticate": challenge},
    )


async def refuse(request: Request, reason: str, challenge: str = "Bearer") -> NoReturn:
    """A request without an acceptable token: counted against its client address's limit
    (429 once a client floods), then 401."""
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.check_client(request.client.host if request.client else "unknown")
    _reject(request, reason, challenge)


def bearer_token(request: Request) -> tuple[str | None, str, str]:
    """(token, refusal reason, challenge): the token, or why the header is not acceptable."""
    headers = request.headers.getlist("authorization")
    if not headers:
        return None, "missing token", "Bearer"
    scheme, _, token = headers[0].partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token:
        return None, "invalid authorization header", 'Bearer error="invalid_request"'
    return token, "", ""


async def get_token_verifier(request: Request) -> TokenVerifier:
    """The app's JWT check (app/core/security.py): its signing keys and verified tokens."""
    return request.app.state.token_verifier


Verifier = Annotated[TokenVerifier, Depends(get_token_verifier)]


async def get_token_user(request: Request, verifier: Verifier) -> AuthenticatedUser:
    """Verify `Authorization: Bearer <token>`, apply the rate limits, return the token's user.

    Routes use get_current_user, which also refuses the tokens of deleted accounts; only
    DELETE /api/me (deleting again is fine) takes a verified token as it is."""
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    if len(request.headers.getlist("authorization")) > 1:
        # Which one would count differs between proxies and apps: neither does.
        await limiter.check_client(client)
        context = _log_context(request, "more than one authorization header")
        logger.warning(
            "auth rejected: %s", context["reason"], extra={"event": "auth_rejected", **context}
        )
        raise HTTPException(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail=context["reason"],
            headers={"WWW-Authenticate": 'Bearer error="invalid_request"'},
        )
    token, reason, challenge = bearer_token(request)
    if token is None:
        await refuse(request, reason, challenge)
    try:
        user = await verifier.verify(token)
    except TokenError as exc:
        await refuse(request, exc.reason, 'Bearer error="invalid_token"')
    except KeysUnavailable as exc:
        # Our fault, not the token's: fail closed with 503 (never 401, never 500).
        logger.error(
            "auth unavailable: %s (%s %s)",
            exc.reason,
            request.method,
            request.url.path,
            extra={"event": "auth_unavailable", **_log_context(request, exc.reason)},
        )
        raise HTTPException(  # the reason is in the log line above, never in the answer
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="authentication unavailable",
            headers={"Retry-After": "5"},
        ) from None
    await limiter.check_user(user.id)
    request.state.user = user
    return user


TokenUser = Annotated[AuthenticatedUser, Depends(get_token_user)]


async def get_current_user(request: Request, user: TokenUser) -> AuthenticatedUser:
    """The token's user, unless that user deleted their account (401, every route): a JWT
    minted before the deletion is still unexpired, but it opens nothing any more
    (app/api/account_deletion.py)."""
    deleted_users: DeletedUsers = request.app.state.deleted_users
    try:
        async with request.app.state.sessions() as session:
            deleted = await deleted_users.is_deleted(
                session, user.id, fresh=request.method not in SAFE_METHODS
            )
    except DeletedUsersUnavailable as exc:
        logger.error(
            "auth unavailable: deleted-user check failed (%s %s)",
            request.method,
            request.url.path,
            extra={"event": "auth_unavailable", **_log_context(request, str(exc))},
        )
        raise HTTPException(  # fail closed: never let a possibly deleted user through
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="authentication unavailable",
            headers={"Retry-After": "5"},
        ) from None
    if deleted:
        await refuse(request, "account deleted", 'Bearer error="invalid_token"')
    return user


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
# For code that is not async yet, in `def` routes only (they run in FastAPI's thread pool).
SyncSessionDep = Annotated[Session, Depends(get_sync_session)]
