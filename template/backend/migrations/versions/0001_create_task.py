"""Create the task table and the index of the list query.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task",
        # BIGSERIAL on PostgreSQL; SQLite keeps INTEGER (its rowid alias).
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # GET /api/tasks: WHERE user_id = ? ORDER BY id (also serves lookups by user_id alone).
    op.create_index("ix_task_user_id_id", "task", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_task_user_id_id", table_name="task")
    op.drop_table("task")
