"""The task list's filters, search and order: which of the caller's tasks a list shows, and how.

Every condition is added to `Task.user_id == owner`, never instead of it (`TaskListQuery.where`).
The rules, which the generated property tests predict exactly on SQLite and on PostgreSQL:

- `status`: all (default) | pending | completed.   `priority`: low | medium | high.
- `q`: the text is in the title or the description; A-Z match a-z, every other character
  only itself.
- `due_after` <= due_date < `due_before` (RFC 3339 date-times); a task without a due date
  matches neither. `overdue=true`: due before now and not completed (`false`: the others).
- `sort`: created (default) | updated | title | due_date | priority, `created_at`/`updated_at`
  as aliases; `-name` or `order=asc|desc` gives the direction (`order` wins when both are
  given). Without one, created and updated go newest first, the others ascending. Titles sort
  A-Z ignoring the case of A-Z, other characters by code point; priority low → high; tasks
  without a due date come last in either direction. Ties go by id, in the same direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, case, func, not_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, String
from sqlmodel import col

from app.api.scope import TaskOwner
from app.models import (
    NO_NUL_PATTERN,
    PRIORITY_RANK,
    DateTimeUTC,
    Priority,
    Task,
    utc_now,
)

SEARCH_MAX = 200
PAGE_MAX = 100
# Larger numbers cannot be a stored id and would overflow the database driver (500).
MAX_DB_INT = 2**63 - 1

SORT_KEYS = {
    "created": "created",
    "created_at": "created",
    "updated": "updated",
    "updated_at": "updated",
    "title": "title",
    "due_date": "due_date",
    "priority": "priority",
}
SORT_PATTERN = "^-?(" + "|".join(SORT_KEYS) + ")$"
NEWEST_FIRST = {"created", "updated"}

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ASCII_LOWER = str.maketrans(_UPPER, _LOWER)


def ascii_lower(text: str) -> str:
    """A-Z to a-z, nothing else: what the database side does (SQLite's lower() does only this)."""
    return text.translate(_ASCII_LOWER)


class _AsciiLower(FunctionElement[str]):
    """SQL: the column with A-Z lowered, every other character unchanged, in code point order."""

    type = String()
    inherit_cache = True


@compiles(_AsciiLower)
def _ascii_lower_sqlite(element: _AsciiLower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"  # BINARY collation: code points


@compiles(_AsciiLower, "postgresql")
def _ascii_lower_postgresql(element: _AsciiLower, compiler: Any, **kw: Any) -> str:
    # translate(), unlike lower(), leaves every character outside A-Z alone; "C" compares
    # code points, like SQLite and Python.
    text = compiler.process(element.clauses, **kw)
    return f"translate({text}, '{_UPPER}', '{_LOWER}') COLLATE \"C\""


class _Contains(FunctionElement[bool]):
    """SQL: haystack contains needle, character for character (no LIKE wildcards to escape)."""

    type = Boolean()
    inherit_cache = True


@compiles(_Contains)
def _contains_sqlite(element: _Contains, compiler: Any, **kw: Any) -> str:
    haystack, needle = (compiler.process(c, **kw) for c in element.clauses)
    return f"(instr({haystack}, {needle}) > 0)"


@compiles(_Contains, "postgresql")
def _contains_postgresql(element: _Contains, compiler: Any, **kw: Any) -> str:
    haystack, needle = (compiler.process(c, **kw) for c in element.clauses)
    return f"(strpos({haystack}, {needle}) > 0)"


def _text_contains(column: Any, needle: str) -> ColumnElement[bool]:
    return _Contains(_AsciiLower(func.coalesce(column, "")), ascii_lower(needle))  # type: ignore[return-value]


_PRIORITY_RANK = case(
    {p.value: rank for p, rank in PRIORITY_RANK.items()}, value=col(Task.priority)
)


@dataclass(frozen=True)
class TaskListQuery:
    """A validated list request: filters, order and page (FastAPI fills it from the query)."""

    owner: str
    status: Literal["all", "pending", "completed"]
    priority: Priority | None
    q: str | None
    due_after: datetime | None
    due_before: datetime | None
    overdue: bool | None
    sort: str
    descending: bool
    limit: int
    offset: int

    def where(self) -> list[ColumnElement[bool]]:
        """The conditions: the owner's tasks, and only those, then the filters."""
        conditions: list[ColumnElement[bool]] = [col(Task.user_id) == self.owner]
        if self.status != "all":
            conditions.append(col(Task.completed).is_(self.status == "completed"))
        if self.priority is not None:
            conditions.append(col(Task.priority) == self.priority.value)
        if self.q is not None:
            conditions.append(
                or_(_text_contains(Task.title, self.q), _text_contains(Task.description, self.q))
            )
        if self.due_after is not None:
            conditions.append(col(Task.due_date) >= self.due_after)
        if self.due_before is not None:
            conditions.append(col(Task.due_date) < self.due_before)
        if self.overdue is not None:
            is_overdue = (col(Task.due_date) < utc_now()) & col(Task.completed).is_(False)
            conditions.append(
                is_overdue if self.overdue else not_(func.coalesce(is_overdue, False))
            )
        return conditions

    def order_by(self) -> list[Any]:
        """The sort keys, ties broken by id; tasks without a due date last in both directions."""
        keys: list[Any] = []
        if self.sort == "due_date":
            keys.append(col(Task.due_date).is_(None))  # false (has a date) first
        main = {
            "created": None,  # ids grow with creation time
            "updated": col(Task.updated_at),
            "title": _AsciiLower(col(Task.title)),
            "due_date": col(Task.due_date),
            "priority": _PRIORITY_RANK,
        }[self.sort]
        for key in ([main] if main is not None else []) + [col(Task.id)]:
            keys.append(key.desc() if self.descending else key.asc())
        return keys


def task_list_query(
    owner: TaskOwner,
    status: Literal["all", "pending", "completed"] = "all",
    priority: Priority | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=SEARCH_MAX,
            pattern=NO_NUL_PATTERN,
            description="Text in the title or description",
        ),
    ] = None,
    due_after: Annotated[
        DateTimeUTC | None, Query(description="Due on or after (RFC 3339)")
    ] = None,
    due_before: Annotated[DateTimeUTC | None, Query(description="Due before (RFC 3339)")] = None,
    overdue: bool | None = None,
    sort: Annotated[
        str, Query(pattern=SORT_PATTERN, description="A field; `-field` for descending")
    ] = "created",
    order: Literal["asc", "desc"] | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> TaskListQuery:
    key = SORT_KEYS[sort.removeprefix("-")]
    if order is not None:
        descending = order == "desc"
    elif sort.startswith("-"):
        descending = True
    else:
        descending = key in NEWEST_FIRST
    return TaskListQuery(
        owner=owner,
        status=status,
        priority=priority,
        q=q,
        due_after=due_after,
        due_before=due_before,
        overdue=overdue,
        sort=key,
        descending=descending,
        limit=limit,
        offset=offset,
    )


TaskList = Annotated[TaskListQuery, Depends(task_list_query)]
