"""aiosqlite with one trip to its thread per statement.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes it as four
separate trips to aiosqlite's worker thread; each trip is a queue hand-off and an event-loop
wake-up, and together they cost more than SQLite itself (a 2-line sale is ~45 trips). This
adapter does the four steps in one function run on that same thread, then hands SQLAlchemy
the buffered rows, exactly as the stock adapter does after its ``fetchall``. It is passed to
``create_async_engine(module=...)``, so URLs, the dialect and everything above stay standard.

It relies on two long-stable parts of aiosqlite (``Connection._execute`` and
``Connection._conn``) and on SQLAlchemy's adapter classes; ``tests/integration`` runs every
test through it, and ``test_sqlite_engine`` checks it against the stock adapter.
"""

import sqlite3
from collections import deque
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, list[Any], int, int | None]


def _run(
    conn: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool
) -> _Outcome:
    """On aiosqlite's thread: begin (if the transaction has not yet), execute, fetch, close."""
    if begin is not None:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _begin(conn: sqlite3.Connection, statement: str) -> None:
    """On aiosqlite's thread: begins a transaction."""
    conn.execute(statement).close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose every statement is one trip to the SQLite thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount", "arraysize")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # there is no aiosqlite cursor
        self._soft_closed_memoized = EMPTY_DICT
        self._rows: deque[Any] = deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self.arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:  # type: ignore[override]
        return self._lastrowid

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._go(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> None:
        self._go(operation, seq_of_parameters, many=True)

    def _go(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        adapter: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        begin, adapter.pending_begin = adapter.pending_begin, None
        try:
            outcome: _Outcome = await_(
                connection._execute(  # type: ignore[no-untyped-call]  # aiosqlite's own queue
                    _run, connection._conn, begin, operation, parameters, many
                )
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = deque(rows)

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        return  # nothing is open on the other side


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """The stock adapter connection, handing out one-trip cursors."""

    __slots__ = ("pending_begin",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # a subclass of the stock one

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.pending_begin: str | None = None

    def begin_with_next(self, statement: str) -> None:
        """Sends ``statement`` (a read's BEGIN) in the same trip as the next statement.

        A deferred BEGIN takes no lock, so sending it with the first statement changes
        nothing but the trip it saves. BEGIN IMMEDIATE is not deferred: it waits for the
        write lock, and must do so before its unit of work reads anything.
        """
        self.pending_begin = statement

    def begin_now(self, statement: str) -> None:
        """Runs ``statement`` (BEGIN IMMEDIATE: it waits for the write lock) in one trip."""
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            await_(connection._execute(_begin, connection._conn, statement))  # type: ignore[no-untyped-call]
        except Exception as error:
            self._handle_exception(error)

    def commit(self) -> None:
        """Commits, without a trip when no statement ran since BEGIN (nothing to commit)."""
        if self._dropped_begin():
            return
        super().commit()

    def rollback(self) -> None:
        """Rolls back, without a trip when no transaction is open.

        The pool "resets" every connection it gets back with a rollback, after the session
        has already committed or rolled back: one wasted trip per transaction. SQLite's own
        autocommit flag (read here between statements, never during one) says when.
        """
        if self._dropped_begin():
            return
        raw: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        if raw._conn is not None and not raw._conn.in_transaction:
            return
        super().rollback()

    def _dropped_begin(self) -> bool:
        pending, self.pending_begin = self.pending_begin, None
        return pending is not None


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The stock aiosqlite DBAPI shim whose connections are ``OneTripConnection``."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        stock = super().connect(*arg, **kw)
        return OneTripConnection(self, stock._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    """The module object for ``create_async_engine(..., module=...)``."""
    sqlite: ModuleType = sqlite3
    return OneTripDBAPI(aiosqlite, sqlite)
