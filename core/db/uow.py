"""The unit of work: one transaction for one service call (cosmicpython ch. 6).

Nothing is saved unless ``commit()`` is called; leaving the block rolls back whatever is left,
so an exception anywhere means nothing half-written.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import Database


class UnitOfWork:
    """A write transaction (``async with uow:``) or a read snapshot (``uow.reading()``)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session: AsyncSession | None = None
        self._locked = False

    @property
    def session(self) -> AsyncSession:
        """The session of the open transaction."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.db.engine.dialect.name

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work is not re-entrant")
        if self.db.write_lock is not None:
            await self.db.write_lock.acquire()
            self._locked = True
        try:
            self._session = self.db.writes()
            await self._session.connection()  # BEGIN IMMEDIATE now, not at the first write
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    async def _close(self) -> None:
        try:
            if self._session is not None:
                await self._session.rollback()  # a no-op after commit(); after an error, the point
                await self._session.close()
        finally:
            self._session = None
            if self._locked and self.db.write_lock is not None:
                self._locked = False
                self.db.write_lock.release()

    async def commit(self) -> None:
        """Makes the transaction's writes permanent."""
        await self.session.commit()
        self.db.committed()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only session: no writer lock, a consistent snapshot, always rolled back."""
        session = self.db.reads()
        try:
            yield session
        finally:
            await session.close()  # ends the transaction; loaded rows stay readable
