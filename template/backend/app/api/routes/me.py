"""/api/me: who the token says the caller is (GET), and deleting all of the caller's data
(DELETE, called by the frontend once Better Auth deleted the account)."""

import logging

from fastapi import APIRouter, Request, Response, status

from app.api.account_deletion import DeletedUsers, delete_user_data
from app.api.auth_gate import AuthFirstRoute
from app.api.deps import CurrentUser, SessionDep, TokenUser
from app.api.routes.responses import UNAUTHORIZED
from app.models import UserPublic

logger = logging.getLogger("app.account")

router = APIRouter(prefix="/api", tags=["me"], route_class=AuthFirstRoute)


@router.get("/me", response_model=UserPublic, responses=UNAUTHORIZED)
async def read_me(user: CurrentUser) -> UserPublic:
    """Return the id (sub), email and name from the verified token."""
    return UserPublic(id=user.id, email=user.email, name=user.name)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=UNAUTHORIZED)
async def delete_me(request: Request, user: TokenUser, session: SessionDep) -> Response:
    """Delete every row the caller owns, in every user-owned table, and refuse the caller's
    tokens from now on (401 on every route). Deleting again is fine (204)."""
    counts = await delete_user_data(session, user.id)
    deleted_users: DeletedUsers = request.app.state.deleted_users
    deleted_users.mark_deleted(user.id)
    logger.info(
        "account data deleted: %d rows",
        sum(counts.values()),
        extra={"event": "account_deleted", "rows": counts},
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
