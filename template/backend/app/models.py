"""The Task table and the request/response schemas of the task API."""

from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator
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
    __table_args__ = (Index("ix_task_user_id_id", "user_id", "id"),)

    # 64-bit ids everywhere (BIGSERIAL on PostgreSQL); SQLite keeps INTEGER for its rowid alias.
    id: int | None = Field(default=None, primary_key=True, sa_type=ID_TYPE)
    user_id: str = Field(max_length=USER_ID_MAX)
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    completed: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


def _no_nul(value: str) -> str:
    """PostgreSQL cannot store NUL characters; refuse them up front (422, not 500)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(_no_nul),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX), AfterValidator(_no_nul)]


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
    """PATCH body: any subset of the fields; a field that is sent may not be null."""

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self


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
