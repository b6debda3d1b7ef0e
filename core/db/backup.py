"""Operator backups of the whole database: backup, restore, and migrate SQLite → PostgreSQL.

These are the operator's tools (``jxc-bot backup|restore|migrate``): a backup holds every
business. A business owner gets an export of that business's own data instead, never this.

Two formats, told apart by their first bytes:

- **SQLite file** (``backup`` of a SQLite database): SQLite's online backup API copies the
  pages in one read transaction, so the copy is consistent while the bot goes on writing (WAL
  lets readers and the writer pass each other). The result is an ordinary database file,
  switched out of WAL mode so it is one self-contained file; open it with ``sqlite3`` or
  point ``DATABASE_URL`` at a copy of it.
- **Portable** (``backup`` of PostgreSQL, or of SQLite with ``portable=True``): gzip'd JSON
  lines, engine-neutral. The first line names the format, its version and the Alembic
  revision of the schema; then each table in dependency order (``Base.metadata.sorted_tables``)
  as a header line ``{"table", "columns", "rows"}`` and one JSON array per row, ordered by
  primary key (so rows that refer to earlier rows of their own table come after them); last an
  end line, so a cut-off file is refused rather than half restored. Values are typed the way
  the models read them: Decimals (scaled integers on SQLite, NUMERIC on PostgreSQL) as
  strings, timestamps as ISO 8601 in UTC, dates as ISO dates. It is read in one transaction
  (REPEATABLE READ on PostgreSQL), so it is consistent too.

  Why not ``pg_dump``: its archive restores only into PostgreSQL, of a compatible version,
  with client tools installed. The portable format restores into either engine, which is
  also what ``migrate`` needs, and it needs nothing but this program.

``restore`` takes either format into either engine: rows are copied through SQLAlchemy Core
with the models' column types, so a SQLite file restores into PostgreSQL as well. The target
must be empty (no rows in any table) and at the backup's schema revision; a database without
any schema is first migrated to that revision. ``force`` empties a database that has rows,
in the same transaction as the copy. After the copy, PostgreSQL's id sequences are moved past
the restored ids, every table's row count is compared with the backup's, and the ledger check
must pass, or the restore fails loudly (the rows stay, for the operator to look at).
"""

import asyncio
import gzip
import json
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final

from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import Date, DateTime, Integer, Table, func, insert, literal, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from core.db.base import UTCDateTime
from core.db.engine import WRITE_OPTION, Database, create_engine, normalise_url, open_database
from core.db.migrate import MIGRATION_LOCK, alembic_config
from core.db.models import Base
from core.db.types import ScaledDecimal
from core.inventory.check import LedgerReport, check_ledger

logger = logging.getLogger(__name__)

FORMAT: Final = "jxc-backup"
VERSION: Final = 1
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
GZIP_MAGIC: Final = b"\x1f\x8b"
BATCH: Final = 1000  # rows read, written or inserted at a time
TABLES: Final = tuple(Base.metadata.sorted_tables)  # parents before the rows that refer to them


class BackupError(Exception):
    """A backup, restore or migration that cannot go ahead; the message says why, in one line."""


class NotABackup(BackupError):
    """The file is neither kind of jxc-bot backup, or it is cut off."""


class RevisionMismatch(BackupError):
    """The backup's schema revision is not the target database's."""


class DatabaseNotEmpty(BackupError):
    """The target database has rows, and ``force`` was not given."""


class RowCountMismatch(BackupError):
    """A table of the target has another number of rows than its source."""


class LedgerCheckFailed(BackupError):
    """The restored data does not pass the ledger check."""

    def __init__(self, report: LedgerReport) -> None:
        super().__init__(
            f"the restored database fails the ledger check: {len(report.differences)} "
            "difference(s); run `jxc-bot check` for the list"
        )
        self.report = report


@dataclass(frozen=True)
class BackupMade:
    """What ``backup`` wrote."""

    path: Path
    kind: str  # "sqlite" or "portable"
    revision: str | None
    size: int  # bytes
    rows: dict[str, int] = field(default_factory=dict)  # per table; portable backups only


@dataclass(frozen=True)
class Restored:
    """What ``restore`` or ``migrate`` copied, and the ledger check of the result."""

    revision: str
    rows: dict[str, int]
    ledger: LedgerReport

    @property
    def total_rows(self) -> int:
        """Rows in all tables."""
        return sum(self.rows.values())


# -- values ----------------------------------------------------------------------------------

Encode = Callable[[Any], Any]


def _plain(value: Any) -> Any:
    return value


def _codecs(table: Table) -> list[tuple[Encode, Encode]]:
    """(to JSON, from JSON) per column, by the column's type; None stays None."""
    codecs: list[tuple[Encode, Encode]] = []
    for column in table.columns:
        kind = column.type
        if isinstance(kind, ScaledDecimal):
            codecs.append((str, Decimal))
        elif isinstance(kind, UTCDateTime):
            codecs.append((datetime.isoformat, _utc))
        elif isinstance(kind, DateTime):
            codecs.append((datetime.isoformat, datetime.fromisoformat))
        elif isinstance(kind, Date):
            codecs.append((date.isoformat, date.fromisoformat))
        else:  # integers, strings, booleans: JSON has them
            codecs.append((_plain, _plain))
    return codecs


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- reading a database ----------------------------------------------------------------------


@dataclass(frozen=True)
class _TableStart:
    table: Table
    rows: int


@dataclass(frozen=True)
class _Rows:
    table: Table
    rows: list[dict[str, Any]]


_Event = _TableStart | _Rows


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def _read_database(conn: AsyncConnection) -> AsyncIterator[_Event]:
    """Every table's row count, then its rows in primary-key order (one transaction: caller's)."""
    for table in TABLES:
        count = await conn.scalar(select(func.count()).select_from(table)) or 0
        yield _TableStart(table, count)
        if not count:
            continue
        query = select(table).order_by(*table.primary_key.columns)
        result = await conn.stream(query.execution_options(yield_per=BATCH))
        async for part in result.mappings().partitions(BATCH):
            yield _Rows(table, [dict(row) for row in part])


def _file_engine(path: Path) -> AsyncEngine:
    """A SQLite backup file, opened read-only: reading it never changes it."""
    return create_async_engine(f"sqlite+aiosqlite:///file:{path.resolve()}?mode=ro&uri=true")


async def _snapshot(engine: AsyncEngine) -> AsyncConnection:
    conn = await engine.connect()
    if conn.dialect.name == "postgresql":  # one snapshot for every table
        await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    await conn.begin()  # SQLite (WAL): the snapshot is taken by the first read and kept
    return conn


# -- the portable file -----------------------------------------------------------------------


def _header(revision: str | None, dialect: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "revision": revision,
        "dialect": dialect,
        "created_at": datetime.now(UTC).isoformat(),
        "tables": [table.name for table in TABLES],
    }


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


async def _write_portable(conn: AsyncConnection, out: IO[str]) -> dict[str, int]:
    revision = await conn.run_sync(_revision_of)
    await asyncio.to_thread(out.write, _line(_header(revision, conn.dialect.name)))
    counts: dict[str, int] = {}
    codecs: list[tuple[Encode, Encode]] = []
    async for event in _read_database(conn):
        if isinstance(event, _TableStart):
            codecs = _codecs(event.table)
            columns = [column.name for column in event.table.columns]
            counts[event.table.name] = event.rows
            start = {"table": event.table.name, "columns": columns, "rows": event.rows}
            await asyncio.to_thread(out.write, _line(start))
            continue
        names = [column.name for column in event.table.columns]
        lines = [
            _line(
                [
                    None if row[name] is None else encode(row[name])
                    for name, (encode, _) in zip(names, codecs, strict=True)
                ]
            )
            for row in event.rows
        ]
        await asyncio.to_thread(out.writelines, lines)  # compressing is CPU work
    await asyncio.to_thread(out.write, _line({"end": True, "tables": len(counts)}))
    return counts


class _PortableReader:
    """Reads a portable backup line by line, refusing anything that does not fit."""

    def __init__(self, handle: IO[str], path: Path) -> None:
        self.handle, self.path = handle, path
        self.header = self._json(self._next())
        if not isinstance(self.header, dict) or self.header.get("format") != FORMAT:
            raise NotABackup(f"{path} is not a jxc-bot backup")
        if self.header.get("version") != VERSION:
            raise NotABackup(
                f"{path} is a jxc-bot backup of format version {self.header.get('version')}, "
                f"which this build does not read (it reads {VERSION})"
            )
        self.revision: str | None = self.header.get("revision")

    def _next(self) -> str:
        line = self.handle.readline()
        if not line:
            raise NotABackup(f"{self.path} ends early: the backup is incomplete")
        return line

    def _json(self, line: str) -> Any:
        try:
            return json.loads(line)
        except ValueError:
            raise NotABackup(f"{self.path} is damaged: a line is not JSON") from None

    def batches(self) -> Iterator[_Event]:
        """The tables and their rows, as the database reader gives them."""
        by_name = {table.name: table for table in TABLES}
        for _ in TABLES:
            start = self._json(self._next())
            table = by_name.get(str(start.get("table"))) if isinstance(start, dict) else None
            if table is None or start.get("columns") != [c.name for c in table.columns]:
                raise NotABackup(
                    f"{self.path} does not match this schema (table {start.get('table')!r})"
                )
            yield _TableStart(table, int(start["rows"]))
            names = start["columns"]
            decoders = [decode for _, decode in _codecs(table)]
            left = int(start["rows"])
            while left:
                rows = []
                for _ in range(min(BATCH, left)):
                    values = self._json(self._next())
                    rows.append(
                        {
                            name: None if value is None else decode(value)
                            for name, decode, value in zip(names, decoders, values, strict=True)
                        }
                    )
                left -= len(rows)
                yield _Rows(table, rows)
        end = self._json(self._next())
        if not isinstance(end, dict) or not end.get("end"):
            raise NotABackup(f"{self.path} does not match this schema (more tables than known)")


async def _read_portable(reader: _PortableReader) -> AsyncIterator[_Event]:
    batches = reader.batches()
    done = object()
    while (event := await asyncio.to_thread(next, batches, done)) is not done:
        assert isinstance(event, _TableStart | _Rows)
        yield event


# -- backup ----------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    return Path(parsed.database or "")


def _copy_sqlite(source: Path, target: Path) -> str | None:
    """SQLite's online backup into ``target``: one step, so one consistent read snapshot."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)  # pages=-1: every page in one step, while writers go on (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        ok = dst.execute("PRAGMA quick_check").fetchone()
        if ok is None or ok[0] != "ok":
            raise BackupError(f"the copy of {source} fails SQLite's quick_check: {ok}")
        found = dst.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if found is None:
            return None
        row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])


async def backup(db_url: str, file: Path, *, portable: bool = False) -> BackupMade:
    """Writes a consistent backup of the whole database to ``file`` while it stays in use.

    SQLite gives a SQLite file unless ``portable``; PostgreSQL always the portable format
    (see the module's docstring). The file appears only when complete: it is written beside
    it under a temporary name first.

    Raises:
        BackupError: the database cannot be read, or the copy is damaged.
    """
    file = Path(file)
    part = file.with_name(file.name + ".part")
    part.unlink(missing_ok=True)
    source = _sqlite_path(db_url)
    try:
        if source is not None and not portable:
            if not source.is_file():
                raise BackupError(f"there is no SQLite database at {source}")
            revision = await asyncio.to_thread(_copy_sqlite, source, part)
            size = await asyncio.to_thread(_publish, part, file)
            made = BackupMade(file, "sqlite", revision, size)
        else:
            made = await _portable_backup(db_url, file, part)
    finally:
        part.unlink(missing_ok=True)
    logger.info("backup %s written (%s, revision %s)", made.path, made.kind, made.revision)
    return made


async def _portable_backup(db_url: str, file: Path, part: Path) -> BackupMade:
    engine = create_engine(db_url)  # a live database: the project's connection settings
    try:
        conn = await _snapshot(engine)
        try:
            revision = await conn.run_sync(_revision_of)
            with gzip.open(part, "wt", encoding="utf-8", compresslevel=6) as out:
                counts = await _write_portable(conn, out)
        finally:
            await conn.close()
    finally:
        await engine.dispose()
    size = await asyncio.to_thread(_publish, part, file)
    return BackupMade(file, "portable", revision, size, counts)


def _publish(part: Path, file: Path) -> int:
    """Gives the finished backup its name (atomically) and returns its size."""
    os.replace(part, file)
    return file.stat().st_size


# -- restore and migrate ---------------------------------------------------------------------


def kind_of(file: Path) -> str:
    """``"sqlite"`` or ``"portable"``, by the file's first bytes.

    Raises:
        NotABackup: it is neither, or cannot be read.
    """
    try:
        with Path(file).open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as unreadable:
        raise NotABackup(f"cannot read {file}: {unreadable.strerror or unreadable}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(GZIP_MAGIC):
        return "portable"
    raise NotABackup(f"{file} is not a jxc-bot backup (neither a SQLite file nor a portable one)")


async def restore(file: Path, db_url: str, *, force: bool = False) -> Restored:
    """Restores a backup (either format) into the database at ``db_url``, then checks it.

    Args:
        file: a backup made by :func:`backup`.
        db_url: the target; empty (no rows), at the backup's revision or with no schema yet.
        force: empty a target that has rows first (in the same transaction as the copy).

    Raises:
        NotABackup: the file is not a backup, is cut off, or does not fit this schema.
        RevisionMismatch: the target's schema is at another revision than the backup's.
        DatabaseNotEmpty: the target has rows and ``force`` is not given.
        RowCountMismatch: a table did not end up with the backup's number of rows.
        LedgerCheckFailed: the restored data fails the ledger check.
    """
    file = Path(file)
    if kind_of(file) == "sqlite":
        engine = _file_engine(file)
        try:
            conn = await _snapshot(engine)
            try:
                revision = await conn.run_sync(_revision_of)
                if revision is None:
                    raise NotABackup(f"{file} is a SQLite file without a jxc-bot schema")
                return await _copy_into(db_url, revision, _read_database(conn), force=force)
            finally:
                await conn.close()
        finally:
            await engine.dispose()
    try:
        with gzip.open(file, "rt", encoding="utf-8") as handle:
            reader = _PortableReader(handle, file)
            if reader.revision is None:
                raise NotABackup(f"{file} is a backup of a database without a schema")
            return await _copy_into(db_url, reader.revision, _read_portable(reader), force=force)
    except (OSError, EOFError, UnicodeDecodeError) as damaged:  # gzip's own complaints
        raise NotABackup(f"{file} is damaged: {damaged}") from None


async def migrate(sqlite_url: str, pg_url: str) -> Restored:
    """Copies a whole SQLite database into an empty PostgreSQL one, then checks the copy.

    The source is read in one transaction, so the bot may keep running, though what it
    writes after the start is not copied: stop it first for a move. The target gets the
    source's schema revision if it has none.

    Raises:
        BackupError: the source is not SQLite or the target not PostgreSQL.
        RevisionMismatch, DatabaseNotEmpty, RowCountMismatch, LedgerCheckFailed: as for
            :func:`restore` (the target is never emptied here).
    """
    if _sqlite_path(sqlite_url) is None:
        raise BackupError("migrate copies from a SQLite database: DATABASE_URL is not one")
    if make_url(normalise_url(pg_url)).get_backend_name() != "postgresql":
        raise BackupError("migrate copies into PostgreSQL: --to must be a postgresql:// URL")
    engine = create_engine(sqlite_url)
    try:
        conn = await _snapshot(engine)
        try:
            revision = await conn.run_sync(_revision_of)
            if revision is None:
                raise BackupError("the SQLite database has no jxc-bot schema: nothing to copy")
            return await _copy_into(pg_url, revision, _read_database(conn), force=None)
        finally:
            await conn.close()
    finally:
        await engine.dispose()


async def _copy_into(
    db_url: str, revision: str, events: AsyncIterator[_Event], *, force: bool | None
) -> Restored:
    """Copies the events' rows into ``db_url`` in one transaction, then verifies the copy.

    ``force``: empty a target with rows first; False refuses it, None too (no force offered).
    """
    target = open_database(db_url)
    try:
        await _prepare(target, revision)
        expected: dict[str, int] = {}
        async with target.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            if await _rows_in(conn):
                if not force:
                    raise DatabaseNotEmpty(
                        "the target database has data; restore into an empty one, or give "
                        "--force to replace everything in it"
                        if force is False
                        else "the target database has data: migrate copies into an empty one"
                    )
                await _empty(conn)
            async for event in events:
                if isinstance(event, _TableStart):
                    expected[event.table.name] = event.rows
                else:
                    await conn.execute(insert(event.table), event.rows)
            await _after_copy(conn)
        await _verify_counts(target, expected)
        report = await check_ledger(target)
    finally:
        await target.dispose()
    if not report.ok:
        raise LedgerCheckFailed(report)
    logger.info("restored %s rows at revision %s", sum(expected.values()), revision)
    return Restored(revision, expected, report)


async def _prepare(target: Database, revision: str) -> None:
    """Brings a target without schema to ``revision``; refuses one at another revision."""
    async with target.engine.connect() as conn:
        current = await conn.run_sync(_revision_of)
    if current == revision:
        return
    if current is not None:
        raise RevisionMismatch(
            f"the backup is at schema revision {revision} and the target database at "
            f"{current}: restore into a new, empty database (it is brought to {revision}), "
            "then run `jxc-bot db upgrade`"
        )
    async with target.engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await conn.run_sync(_upgrade_to, revision)


def _upgrade_to(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


async def _rows_in(conn: AsyncConnection) -> bool:
    for table in TABLES:
        if await conn.scalar(select(literal(1)).select_from(table).limit(1)):
            return True
    return False


async def _empty(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in TABLES)
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        return
    for table in reversed(TABLES):  # children first: foreign keys are on
        await conn.execute(table.delete())


async def _after_copy(conn: AsyncConnection) -> None:
    """PostgreSQL: each id sequence continues after the largest restored id."""
    if conn.dialect.name == "sqlite":  # rowids continue by themselves; reindex the search
        search = await conn.scalar(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'product_search'")
        )
        if search:
            await conn.execute(
                text("INSERT INTO product_search(product_search) VALUES ('rebuild')")
            )
        return
    for table in TABLES:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        key = keys[0].name
        sequence = await conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": key},
        )
        if sequence is None:
            continue
        await conn.execute(
            text(
                f'SELECT setval(:sequence, COALESCE((SELECT MAX("{key}") FROM "{table.name}"), 0)'
                " + 1, false)"
            ),
            {"sequence": sequence},
        )


async def _verify_counts(target: Database, expected: dict[str, int]) -> None:
    async with target.engine.connect() as conn:
        for table in TABLES:
            found = await conn.scalar(select(func.count()).select_from(table)) or 0
            if found != expected.get(table.name, 0):
                raise RowCountMismatch(
                    f"table {table.name} has {found} rows after the copy, the source "
                    f"{expected.get(table.name, 0)}"
                )
