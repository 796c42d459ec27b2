"""SQLite: rebuild the task table as AUTOINCREMENT, so a deleted task's id is never reused.

Without it SQLite gives the next task the highest rowid + 1, which after deleting the newest
task is that task's id again, possibly for another user. PostgreSQL's sequence never reuses
an id: nothing to do there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Batch mode copies the rows into a new table created with these options, then renames it.
    with op.batch_alter_table(
        "task", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
