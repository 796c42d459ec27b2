"""Deleting an account's data, and refusing the tokens of deleted accounts.

The frontend (Better Auth) deletes the user, then calls DELETE /api/me on every backend with a
JWT it mints for that user (frontend/lib/account-deletion.ts, retried until each backend
answered). Here, in one transaction: a tombstone for the user id (table deleted_user), and
every row whose user_id is that id in every user-owned table. A user-owned table is any
table of the metadata with a user_id column (the task and each resource of app/resources/),
so a new resource needs no edit here.

Afterwards every token of that user is refused with 401 (get_current_user asks
DeletedUsers): a JWT minted before the deletion stays valid until its exp, but it can no
longer read anything, nor create rows nobody owns. Deleting twice is fine.

DeletedUsers remembers answers: a deleted user for good (a tombstone is never removed), a
user who is not deleted for ALIVE_CACHE_SECONDS, and only for reads (GET, HEAD, OPTIONS):
a request that may write always asks the database, so a deletion made by another process
is seen at once by every write. If the database cannot answer, the request fails closed
(503, never let through).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import Table, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import DeletedUser

OWNER_COLUMN = "user_id"
ALIVE_CACHE_SECONDS = 5.0  # how long a read may rely on "this user is not deleted"
CACHE_SIZE = 4096  # user ids remembered per app, each way
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DeletedUsersUnavailable(Exception):
    """The tombstones cannot be read right now (503, fail closed)."""


def user_owned_tables() -> list[Table]:
    """Every table with a user_id column except the tombstones, children before parents (a
    table that references another is emptied first)."""
    tombstones = DeletedUser.__table__
    return [
        table
        for table in reversed(SQLModel.metadata.sorted_tables)
        if OWNER_COLUMN in table.columns and table is not tombstones
    ]


async def delete_user_data(session: AsyncSession, user_id: str) -> dict[str, int]:
    """Record the tombstone and delete every row `user_id` owns, in one transaction.

    Returns the number of rows deleted per table. Idempotent: a second call deletes nothing
    and keeps the first tombstone.
    """
    deleted: dict[str, int] = {}
    try:
        if await session.get(DeletedUser, user_id) is None:
            session.add(DeletedUser(user_id=user_id))
            await session.flush()
        for table in user_owned_tables():
            result = await session.exec(delete(table).where(table.c[OWNER_COLUMN] == user_id))
            deleted[table.name] = result.rowcount
        await session.commit()
    except IntegrityError:  # a concurrent deletion of the same user recorded it first
        await session.rollback()
        return await delete_user_data(session, user_id)
    return deleted


class DeletedUsers:
    """The tombstone check of one app (on app.state), with its remembered answers."""

    def __init__(
        self,
        alive_seconds: float = ALIVE_CACHE_SECONDS,
        size: int = CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.alive_seconds = alive_seconds
        self.size = size
        self.clock = clock  # tests advance a fake one instead of sleeping
        self._deleted: OrderedDict[str, None] = OrderedDict()
        self._alive: OrderedDict[str, float] = OrderedDict()  # user id -> when it was checked
        self._lock = threading.Lock()

    def _remember(self, entries: OrderedDict, user_id: str, value: object) -> None:
        entries[user_id] = value
        entries.move_to_end(user_id)
        while len(entries) > self.size:
            entries.popitem(last=False)

    def mark_deleted(self, user_id: str) -> None:
        with self._lock:
            self._alive.pop(user_id, None)
            self._remember(self._deleted, user_id, None)

    async def is_deleted(self, session: AsyncSession, user_id: str, *, fresh: bool) -> bool:
        """Whether `user_id` deleted their account. `fresh`: never rely on a remembered "not
        deleted" (requests that may write). Raises DeletedUsersUnavailable."""
        with self._lock:
            if user_id in self._deleted:
                self._deleted.move_to_end(user_id)
                return True
            checked = self._alive.get(user_id)
            if not fresh and checked is not None and self.clock() - checked < self.alive_seconds:
                return False
        try:
            found = await session.get(DeletedUser, user_id) is not None
        except PoolTimeoutError:
            raise  # every connection busy: the overload answer (app/core/overload.py), also a 503
        except Exception as error:  # noqa: BLE001 - any other failure: we cannot tell, so refuse
            raise DeletedUsersUnavailable(type(error).__name__) from None
        if found:
            self.mark_deleted(user_id)
        else:
            with self._lock:
                self._remember(self._alive, user_id, self.clock())
        return found
