"""Routes that need a user refuse a request without a usable Authorization header *before*
its body is read: nobody's body is ever read, let alone parsed (attack review: a 60 MB body
without a token was parsed before the 401).

FastAPI reads a request's body before it runs the route's dependencies, so the check cannot be
a dependency: AuthFirstRoute runs it in front of the route's handler, for every route whose
dependencies include get_current_user, with get_current_user's own parser, log line and
WWW-Authenticate challenge. A request that carries a Bearer token goes on, and
get_current_user verifies it as usual. Routers use it with APIRouter(route_class=AuthFirstRoute);
create_app() sets it for routes added to the app itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.api.deps import bearer_token, get_current_user, get_token_user, refuse


def needs_user(dependant: Dependant) -> bool:
    """Whether get_current_user (or get_token_user) is among a route's dependencies, at any
    depth."""
    return any(
        dep.call in (get_current_user, get_token_user) or needs_user(dep)
        for dep in dependant.dependencies
    )


class AuthFirstRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        if not needs_user(self.dependant):
            return handler

        async def token_first(request: Request) -> Response:
            token, reason, challenge = bearer_token(request)
            if token is None:
                await refuse(request, reason, challenge)  # 401 (or 429), the body never read
            return await handler(request)

        return token_first
