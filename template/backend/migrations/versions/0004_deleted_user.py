"""The deleted_user table: tombstones of deleted accounts (DELETE /api/me).

A token whose sub is listed here is refused (401) on every route, so the still-valid JWT of
a deleted user can neither read nor create data. Existing data is not touched.

Projects that added resources before this migration have two heads after `bafa update`
(their resource's migration and this one both follow 0003): run `alembic merge heads -m
"merge deleted_user"` once, then `alembic upgrade head` (CHANGELOG.md, upgrade notes).

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-15
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_user",
        sa.Column("user_id", sa.String(length=255), primary_key=True, nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deleted_user")
