"""The deleted_user table: tombstones of deleted accounts (DELETE /api/me).

A token whose sub is listed here is refused (401) on every route, so the still-valid JWT of
a deleted user can neither read nor create data. Existing data is not touched.

A project that added resources before this migration has two heads after `bafa update`
(its resources' migrations and this one both follow 0003): `alembic upgrade heads` applies
both branches, and the next `bafa add resource` joins them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
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
