"""The Task table and the request/response schemas of the task API."""

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import Field as BodyField
from sqlalchemy import BigInteger, DateTime, Index, Integer, String, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

TITLE_MAX = 200
DESCRIPTION_MAX = 1000  # what the API accepts
# The column is wider: projects made before 0.3 accepted 2000 characters, and a migration never
# cuts a user's text.
DESCRIPTION_COLUMN_MAX = 2000
USER_ID_MAX = 255
ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes and always loads them as UTC (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Priority(StrEnum):
    """How important a task is; sorting by priority goes low → medium → high (PRIORITY_RANK)."""

    low = "low"
    medium = "medium"
    high = "high"


PRIORITY_RANK = {Priority.low: 0, Priority.medium: 1, Priority.high: 2}
PRIORITY_MAX = max(len(p) for p in Priority)


# The published schema says exactly what is accepted (the schema tests accept every input it
# allows and expect a refusal for everything else), so every rule is a JSON-schema rule:
# - no NUL characters (PostgreSQL cannot store them): a pattern, not a hidden check;
# - a title has a character other than whitespace; the length limit counts what was sent.
# The whitespace a title is trimmed of is spelled out, so the pattern means the same in
# Python, in pydantic's regex engine and in a client's JavaScript.
WHITESPACE = " \t\n\r\f\v"
NO_NUL_PATTERN = r"^[^\x00]*$"
TITLE_PATTERN = r"^[^\x00]*[^\x00 \t\n\r\f\v][^\x00]*$"


def _trim(value: str) -> str:
    return value.strip(WHITESPACE)


Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_MAX, pattern=TITLE_PATTERN),
    AfterValidator(_trim),  # stored trimmed: "  buy milk " is "buy milk"
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX, pattern=NO_NUL_PATTERN)]

# A due date is an RFC 3339 date-time with its offset ("2030-05-01T17:00:00Z",
# "…+02:00"), years 1970-9998 (so that it is still a date once moved to UTC). Spelled out as a
# pattern because pydantic's own datetime parsing accepts more (Unix times, no seconds, a
# space for the T), and the schema must say exactly what is accepted.
DATE_TIME_PATTERN = (
    r"^(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
    r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def _parse_date_time(value: object) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Already parsed (JSON never gives one): a body turned into a Task (TaskBase's rules).
        return value.astimezone(UTC)
    if not isinstance(value, str) or not re.fullmatch(DATE_TIME_PATTERN, value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2030-05-01T17:00:00Z")
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:  # matches the pattern, but is no date (February 30th)
        raise ValueError("not a valid date-time") from None


DateTimeUTC = Annotated[
    datetime,
    BeforeValidator(_parse_date_time),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}),
]


def _optional(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # "may be left out", not "may be null"


# A priority arrives as its JSON string ("high"); strict bodies would ask for the enum object.
PriorityName = Annotated[Priority, Strict(False)]


class _Body(BaseModel):
    """Request bodies reject unknown fields, so a client can never send user_id, and take JSON
    types as the schema states them (strict: `"yes"` is not a boolean, `"1"` not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class TaskBase(SQLModel):
    """The fields a user sets on a task, each declared once: the rules of what a client may
    send, and (sa_type, ignored outside the table) how the column stores it.

    TaskCreate takes them as they are and Task adds the owner, the id and the timestamps.
    TaskUpdate makes each one optional; TaskPublic answers them as stored, without the input
    rules (a task saved before 0.3 may hold a 2000-character description).
    """

    title: Title = Field(sa_type=String(TITLE_MAX))
    # The column is wider than what the API accepts (DESCRIPTION_COLUMN_MAX).
    description: Description | None = Field(default=None, sa_type=String(DESCRIPTION_COLUMN_MAX))
    completed: bool = False
    priority: PriorityName = Field(
        default=Priority.medium,
        sa_type=String(PRIORITY_MAX),
        sa_column_kwargs={"server_default": Priority.medium.value},
    )
    due_date: DateTimeUTC | None = Field(default=None, sa_type=UTCDateTime)


class Task(TaskBase, table=True):
    """A task, owned by the user whose id is in user_id (the token's sub).

    The schema is created by Alembic (migrations/versions/); a change here needs a new
    migration (`alembic revision --autogenerate -m "..."`), tests/test_migrations.py checks it.
    """

    # Every list query filters on user_id first (app/api/task_list.py). (user_id, id) serves the
    # default order (newest first) and any lookup by user_id alone; (user_id, completed, id) the
    # status filter; (user_id, due_date) the due-date ranges; (user_id, updated_at) the order by
    # last change; ix_task_user_id_due_order the order by due date, tasks without one last,
    # exactly as task_list.py writes it (bench/bench_list_filters.py measures each).
    # SQLite: AUTOINCREMENT, so a deleted task's id is never given to another (user's) task
    # (PostgreSQL's BIGSERIAL never reuses one anyway).
    __table_args__ = (
        Index("ix_task_user_id_id", "user_id", "id"),
        Index("ix_task_user_id_completed_id", "user_id", "completed", "id"),
        Index("ix_task_user_id_due_date", "user_id", "due_date"),
        Index("ix_task_user_id_updated_at", "user_id", "updated_at"),
        Index("ix_task_user_id_due_order", "user_id", text("(due_date IS NULL)"), "due_date", "id"),
        {"sqlite_autoincrement": True},
    )

    # 64-bit ids everywhere (BIGSERIAL on PostgreSQL); SQLite keeps INTEGER for its rowid alias.
    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    user_id: str = Field(max_length=USER_ID_MAX)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TaskCreate(TaskBase, _Body):
    """POST body."""


class TaskUpdate(TaskBase, _Body):
    """PUT and PATCH body: any subset of the editable fields; fields not sent stay as they are,
    and an empty body changes nothing. `description` and `due_date` may be null (cleared); the
    others may be left out but not sent as null (the schema says so: optional, not nullable).
    Unknown fields (user_id, id, the timestamps) are refused."""

    title: Title = BodyField(default=None, json_schema_extra=_optional)
    description: Description | None = BodyField(default=None, json_schema_extra=_optional)
    completed: bool = BodyField(default=None, json_schema_extra=_optional)
    priority: PriorityName = BodyField(default=None, json_schema_extra=_optional)
    due_date: DateTimeUTC | None = BodyField(default=None, json_schema_extra=_optional)


class TaskCompletion(_Body):
    """PATCH …/complete body (optional): the value to set; without a body the flag flips."""

    completed: bool


# Not a TaskBase: an answer gives every field as stored, always present, without the input
# rules (a task saved before 0.3 may hold a 2000-character description). The docstrings of the
# API's models are their descriptions in the OpenAPI schema (frontend/lib/api-schema.ts).
class TaskPublic(BaseModel):
    """A task as returned by the API."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime


class UserPublic(BaseModel):
    """The caller, as read from the token."""

    id: str
    email: str | None
    name: str | None


class DeletedUser(SQLModel, table=True):
    """A tombstone: this user id deleted their account (DELETE /api/me). A token whose sub is
    here is refused with 401 on every route, however long it is still valid, so a deleted
    user's data can never come back (app/api/account_deletion.py). Never removed."""

    __tablename__ = "deleted_user"

    user_id: str = Field(primary_key=True, max_length=USER_ID_MAX)
    deleted_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
