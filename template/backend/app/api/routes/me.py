"""GET /api/me: who the token says the caller is."""

from fastapi import APIRouter

from app.api.auth_gate import AuthFirstRoute
from app.api.deps import CurrentUser
from app.api.routes.responses import UNAUTHORIZED
from app.models import UserPublic

router = APIRouter(prefix="/api", tags=["me"], route_class=AuthFirstRoute)


@router.get("/me", response_model=UserPublic, responses=UNAUTHORIZED)
async def read_me(user: CurrentUser) -> UserPublic:
    """Return the id (sub), email and name from the verified token."""
    return UserPublic(id=user.id, email=user.email, name=user.name)
