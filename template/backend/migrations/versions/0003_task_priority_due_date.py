"""Tasks get a priority and a due date; the description may be empty (null); indexes for the
list's filters and orders.

Existing tasks keep everything they had and get priority "medium" and no due date. The
description column keeps its width (2000): the API accepts 1000 characters from now on, and a
migration never cuts a user's text.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_task_user_id_completed_id": ["user_id", "completed", "id"],
    "ix_task_user_id_due_date": ["user_id", "due_date"],
    "ix_task_user_id_updated_at": ["user_id", "updated_at"],
    # The order by due date, tasks without one last: the expression app/api/task_list.py sorts on.
    "ix_task_user_id_due_order": ["user_id", sa.text("(due_date IS NULL)"), "due_date", "id"],
}


def _sqlite_sequence() -> int | None:
    """SQLite: the highest id ever handed out (deleted ones included), or None elsewhere."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    row = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'task'")).first()
    return row[0] if row else 0


def _restore_sqlite_sequence(seq: int | None) -> None:
    """A copied table only remembers the ids still present: keep a deleted task's id unused."""
    if seq:
        op.execute(
            sa.text(
                "UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = 'task'"
            ).bindparams(seq=seq)
        )
        op.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'task', :seq "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'task')"
            ).bindparams(seq=seq)
        )


def upgrade() -> None:
    # Batch mode: SQLite cannot change a column's nullability in place (it copies the table,
    # keeping AUTOINCREMENT and every row); PostgreSQL gets plain ALTER TABLE statements.
    seq = _sqlite_sequence()
    with op.batch_alter_table("task", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(
            sa.Column("priority", sa.String(length=6), server_default="medium", nullable=False)
        )
        batch.add_column(sa.Column("due_date", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("description", existing_type=sa.String(length=2000), nullable=True)
    _restore_sqlite_sequence(seq)
    for name, columns in INDEXES.items():
        op.create_index(name, "task", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="task")
    op.execute(sa.text("UPDATE task SET description = '' WHERE description IS NULL"))
    seq = _sqlite_sequence()
    with op.batch_alter_table("task", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("description", existing_type=sa.String(length=2000), nullable=False)
        batch.drop_column("due_date")
        batch.drop_column("priority")
    _restore_sqlite_sequence(seq)
