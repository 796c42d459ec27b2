"""OpenAPI documentation of the error answers, so the schema lists every status a route can give.

Documentation only: the answers themselves come from app/api/deps.py (401),
app/api/scope.py (403 for another user's id in the path), app/api/ownership.py (403/404)
and FastAPI's body parsing (400, 422).
"""

from typing import Any

from pydantic import BaseModel

from app.api.ownership import OWNERSHIP_STATUS
from app.api.scope import TASKS_PREFIX

Responses = dict[int | str, dict[str, Any]]


class ErrorDetail(BaseModel):
    """An error answer: `{"detail": "<short reason>"}`."""

    detail: str


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ErrorDetail, "description": description, **extra}


UNAUTHORIZED: Responses = {
    401: _error(
        "Missing or invalid bearer token",
        headers={
            "WWW-Authenticate": {
                "description": 'The challenge: `Bearer`, with `error="..."` for a bad token',
                "required": True,
                "schema": {"type": "string"},
            }
        },
    )
}

# FastAPI reads a JSON body before any dependency runs: bytes that are not text give 400
# "There was an error parsing the body" (text that is not JSON gives a documented 422).
UNREADABLE_BODY: Responses = {400: _error("The body could not be read as text")}

# api_style=user_path: the {user_id} in the path must be the token's own, otherwise 403.
PATH_USER_CHECKED = "{user_id}" in TASKS_PREFIX
_PATH_MISMATCH = "the user id in the path is not the token's"
_OTHER_USERS_TASK = "the task belongs to another user"


def _errors(*, one_task: bool) -> Responses:
    """401 always; 403 and 404 as the project's answers (api_style, ownership_error) give them."""
    forbidden = [_PATH_MISMATCH] if PATH_USER_CHECKED else []
    missing = ["no such task"]
    if one_task:
        (forbidden if OWNERSHIP_STATUS == 403 else missing).append(_OTHER_USERS_TASK)
    responses = dict(UNAUTHORIZED)
    if forbidden:
        responses[403] = _error("Forbidden: " + ", or ".join(forbidden))
    if one_task:
        responses[404] = _error("Not found: " + ", or ".join(missing))
    return responses


COLLECTION_ERRORS = _errors(one_task=False)  # list, create
ITEM_ERRORS = _errors(one_task=True)  # the routes that address one task by id

# The list's body is a bare JSON array (what clients of the Todo spec parse); the number of
# matching tasks, all pages together, travels in a header (exposed to browsers by CORS).
LIST_HEADERS: Responses = {
    200: {
        "description": "The page of tasks",
        "headers": {
            "X-Total-Count": {
                "description": "How many tasks match the filters, all pages together",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
            }
        },
    }
}
