"""The task, as the generic property tests see it (tests/resources/__init__.py).

tests/test_property_isolation.py's task state machine goes further (filters, search, orders,
PATCH …/complete); this entry is what every resource shares: create, read, update, delete and
list, by their owner and by everyone else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from support import OWNERSHIP_DETAIL

from app.models import Task

NAME = "task"
COLLECTION = "tasks"
MODEL = Task
FIELDS = ("title", "description", "completed", "priority", "due_date")
DEFAULTS = {"description": None, "completed": False, "priority": "medium", "due_date": None}
SEED = {"title": "seeded"}
NOT_FOUND = "task not found"
NOT_YOURS = OWNERSHIP_DETAIL

_NOW = datetime.now(UTC).replace(microsecond=0)
_TITLES = st.text(
    st.characters(categories=["L", "N"]) | st.sampled_from(" -'"), min_size=1, max_size=40
).filter(lambda title: bool(title.strip()))
_DUE = st.sampled_from([-40, -2, 5, 1000]).map(
    lambda days: (_NOW + timedelta(days=days)).isoformat().replace("+00:00", "Z")
)
_EDITABLE = {
    "title": _TITLES,
    "description": st.none() | st.text(st.characters(categories=["L", "N", "Zs"]), max_size=40),
    "completed": st.booleans(),
    "priority": st.sampled_from(["low", "medium", "high"]),
    "due_date": st.none() | _DUE,
}
CREATE = st.fixed_dictionaries(
    {"title": _TITLES}, optional={k: v for k, v in _EDITABLE.items() if k != "title"}
)
UPDATE = st.fixed_dictionaries({}, optional=_EDITABLE)


def content(item: dict[str, Any]) -> dict[str, Any]:
    """What a task holds, its due date as an instant (the API answers it in UTC)."""
    result = {name: item[name] for name in FIELDS}
    if result["due_date"] is not None:
        result["due_date"] = datetime.fromisoformat(result["due_date"])
    return result


def expected(body: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """The content once `body` is applied: titles are stored trimmed."""
    result = {"title": "", **DEFAULTS} if before is None else content(before)
    result.update({name: body[name] for name in FIELDS if name in body})
    result["title"] = result["title"].strip()
    if isinstance(result["due_date"], str):
        result["due_date"] = datetime.fromisoformat(result["due_date"])
    return result
