"""Engines and the process-wide database handle.

SQLite: WAL, foreign keys, busy timeout and ``synchronous=FULL`` (a posted sale survives a power
cut). Writers are serialised twice: inside the process by an ``asyncio.Lock`` so tasks queue in
order instead of sleeping in SQLite's busy handler (which is what pushes p99 to a second), and
across processes by ``BEGIN IMMEDIATE`` so a transaction never fails half-way on "database is
locked". PostgreSQL needs neither: row locks taken in product-id order do the work.
"""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.db.sqlite_driver import OneTripConnection, one_trip_dbapi
from core.errors import ConfigurationError

WRITE_OPTION = "jxc_write"
WAL_PRAGMA = "PRAGMA journal_mode=WAL"
WAL_SWITCH_ATTEMPTS = 100  # 5 seconds
SQLITE_PRAGMAS = (
    WAL_PRAGMA,
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=FULL",
    # Checkpoints run in the background (Database.committed); a commit that had to copy the
    # WAL into the database itself is what pushes a sale's p99 to 40 ms. This is the safety
    # net for a process that never gets to run one: about 40 MB of WAL.
    "PRAGMA wal_autocheckpoint=10000",
)
CHECKPOINT_EVERY = 200  # write commits between two background checkpoints


def normalise_url(url: str) -> str:
    """Accepts the usual spellings and returns the async driver's URL.

    Raises:
        ConfigurationError: the scheme is neither SQLite nor PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except Exception as bad:  # SQLAlchemy raises ArgumentError with a long text
        raise ConfigurationError(f"DATABASE_URL is not a database URL: {url!r}") from bad
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ConfigurationError(
        f"DATABASE_URL scheme {parsed.drivername!r} is not supported: "
        "use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        if pragma == WAL_PRAGMA:
            _switch_to_wal(cursor)
        else:
            cursor.execute(pragma)
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Puts a new database file in WAL mode (a file once in WAL mode stays so).

    Switching needs the file to itself, and SQLite answers "database is locked" at once
    rather than waiting when another connection (processes starting together on a new file)
    holds it; so try again for a few seconds. Only a brand-new file ever waits here.
    """
    for attempt in range(WAL_SWITCH_ATTEMPTS):
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute(WAL_PRAGMA)
        except Exception as busy:  # sqlite3.OperationalError, as the adapter re-raises it
            if "locked" not in str(busy) or attempt == WAL_SWITCH_ATTEMPTS - 1:
                raise
            time.sleep(0.05)
        else:
            return


def _sqlite_on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    adapter = conn.connection.dbapi_connection
    if not isinstance(adapter, OneTripConnection):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    elif immediate:  # waits for the write lock now, before the unit of work reads anything
        adapter.begin_now("BEGIN IMMEDIATE")
    else:  # a read: its BEGIN takes no lock, so it may travel with the first statement
        adapter.begin_with_next("BEGIN")


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url`` with this project's connection settings."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": 30}, module=one_trip_dbapi()
        )
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10)


@dataclass
class Database:
    """One per process: the engine, its session factories and the SQLite writer lock."""

    engine: AsyncEngine
    writes: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]
    write_lock: asyncio.Lock | None = field(default=None)
    _commits: int = 0
    _checkpoint: "asyncio.Task[None] | None" = None

    @property
    def is_sqlite(self) -> bool:
        """True on SQLite, where one writer at a time is the rule."""
        return self.engine.dialect.name == "sqlite"

    def committed(self) -> None:
        """Counts a write commit; on SQLite, now and then checkpoints the WAL off the path."""
        if self.write_lock is None:
            return
        self._commits += 1
        running = self._checkpoint is not None and not self._checkpoint.done()
        if self._commits >= CHECKPOINT_EVERY and not running:
            self._commits = 0
            self._checkpoint = asyncio.get_running_loop().create_task(self.checkpoint())

    async def checkpoint(self) -> None:
        """Copies the WAL into the database file without blocking readers or the writer."""
        async with self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            await raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]

    async def dispose(self) -> None:
        """Waits for a running checkpoint, then closes every pooled connection."""
        if self._checkpoint is not None:
            await self._checkpoint
        await self.engine.dispose()


def open_database(url: str, *, echo: bool = False) -> Database:
    """Builds the database handle for ``url`` (no I/O yet)."""
    engine = create_engine(url, echo=echo)
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    sqlite = engine.dialect.name == "sqlite"
    return Database(
        engine=engine,
        writes=async_sessionmaker(write_engine, expire_on_commit=False, autoflush=False),
        reads=async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
        write_lock=asyncio.Lock() if sqlite else None,
    )
