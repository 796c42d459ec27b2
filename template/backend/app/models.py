"""The Task table and the request/response schemas of the task API."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic import Field as BodyField
from sqlalchemy import BigInteger, DateTime, Index, Integer
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
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


class Task(SQLModel, table=True):
    """A task, owned by the user whose id is in user_id (the token's sub).

    The schema is created by Alembic (migrations/versions/); a change here needs a new
    migration (`alembic revision --autogenerate -m "..."`), tests/test_migrations.py checks it.
    """

    # The list query filters on user_id and orders by id: one composite index serves both
    # (and any lookup by user_id alone).
    # SQLite: AUTOINCREMENT, so a deleted task's id is never given to another (user's) task
    # (PostgreSQL's BIGSERIAL never reuses one anyway).
    __table_args__ = (Index("ix_task_user_id_id", "user_id", "id"), {"sqlite_autoincrement": True})

    # 64-bit ids everywhere (BIGSERIAL on PostgreSQL); SQLite keeps INTEGER for its rowid alias.
    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    user_id: str = Field(max_length=USER_ID_MAX)
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    completed: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


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


def _optional(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # "may be left out", not "may be null"


class _Body(BaseModel):
    """Request bodies reject unknown fields, so a client can never send user_id."""

    model_config = ConfigDict(extra="forbid")


class TaskCreate(_Body):
    """POST body."""

    title: Title
    description: Description = ""
    completed: bool = False


class TaskUpdate(_Body):
    """PUT body: a full replacement, every field required."""

    title: Title
    description: Description
    completed: bool


class TaskPatch(_Body):
    """PATCH body: any subset of the fields; a field that is sent may not be null (the schema
    says so too: the fields are optional, not nullable)."""

    title: Title = BodyField(default=None, json_schema_extra=_optional)
    description: Description = BodyField(default=None, json_schema_extra=_optional)
    completed: bool = BodyField(default=None, json_schema_extra=_optional)


class TaskPublic(BaseModel):
    """A task as returned by the API."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    completed: bool
    created_at: datetime
    updated_at: datetime


class UserPublic(BaseModel):
    """The caller, as read from the token."""

    id: str
    email: str | None
    name: str | None
