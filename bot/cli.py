"""The ``jxc-bot`` command: run the bot and look after its database.

A mistake the operator can fix (a wrong setting, a database that cannot be reached) is reported as
one line on stderr with exit status 2, never as a traceback; a traceback means a bug. The commands
share ``start()``, ``run_async()`` and ``open_configured_database()``, so a new one is a few
lines::

    @app.command()
    def check() -> None:
        \"\"\"Recomputes every balance from the ledger and reports any difference.\"\"\"
        settings = start()
        run_async(_check(settings))

    async def _check(settings: Settings) -> None:
        async with open_configured_database(settings, must_exist=True) as database:
            ...

Exit status: 0 done, 1 a check found differences, 2 the operator must fix something.
"""

import asyncio
import hashlib
import logging
import socket
import sqlite3
import sys
import warnings
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, closing
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn, TypeVar

import asyncpg  # type: ignore[import-untyped]
import typer
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.warnings import PTBUserWarning
from typer.core import TyperGroup

from bot import app as front_end
from bot import console as terminal_chat
from core.db import backup as backups
from core.db.engine import Database, open_database
from core.db.migrate import alembic_config, upgrade
from core.db.uow import UnitOfWork
from core.demo import DemoSummary, create_demo
from core.errors import ConfigurationError, NotFound, PermissionDenied
from core.inventory.check import LedgerReport, check_ledger
from core.io import export as data_export
from core.io import importing
from core.io.errors import ImportInvalid, ImportRefused
from core.settings import Settings, load_settings
from core.tenancy.access import Actor

T = TypeVar("T")

PROG: Final = "jxc-bot"
EXIT_OPERATOR: Final = 2
CONNECT_TIMEOUT_SECONDS: Final = 15.0
DEMO_OWNER_ID: Final = 1  # the user of `jxc-bot console`; pass your own id for Telegram
LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MISSING_TOKEN: Final = (
    f"{PROG}: TELEGRAM_BOT_TOKEN is not set, and the bot cannot talk to Telegram without it. "
    "Get a token from @BotFather in Telegram (send it /newbot, or /token for an existing bot), "
    "then set it in the environment (export TELEGRAM_BOT_TOKEN=123456789:AA...) or put the line "
    "TELEGRAM_BOT_TOKEN=123456789:AA... in a .env file in the directory you start jxc-bot from."
)

logger = logging.getLogger(__name__)


class ConsoleLanguage(StrEnum):
    """The Telegram language codes ``jxc-bot console --language`` takes."""

    ZH = "zh"
    EN = "en"


class OperatorError(Exception):
    """Something the operator must fix; shown as one line, exit status 2."""


class DatabaseUnreachable(OperatorError):
    """The configured database cannot be opened, or the connection to it was lost."""


class _Commands(TyperGroup):
    """Turns the operator's mistakes into one line on stderr, for every command at once."""

    def invoke(self, ctx: Any) -> Any:  # click's Context, which typer vendors from 0.2x on
        try:
            return super().invoke(ctx)
        except (ConfigurationError, OperatorError) as mistake:
            fail(str(mistake))


app = typer.Typer(
    cls=_Commands,
    name=PROG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # rich tracebacks print local variables: secrets included
)
db_app = typer.Typer(cls=_Commands, no_args_is_help=True, help="Look after the database.")
app.add_typer(db_app, name="db")


@app.callback()
def _root() -> None:
    """进销存 (purchase · sales · inventory) on Telegram. Settings: docs/configuration.md."""


def fail(message: str, code: int = EXIT_OPERATOR) -> NoReturn:
    """Prints ``jxc-bot: message`` on stderr and exits with ``code``."""
    prefix = "" if message.startswith(f"{PROG}: ") else f"{PROG}: "
    typer.echo(f"{prefix}{message}", err=True)
    raise typer.Exit(code)


def configure_logging(settings: Settings) -> None:
    """Logs to stderr at JXC_LOG_LEVEL; chatty libraries stay quieter."""
    logging.basicConfig(level=settings.log_level_number, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines show the bot token
    if settings.log_level != "DEBUG":  # "Context impl ..." lines; upgrades are logged below
        logging.getLogger("alembic").setLevel(logging.WARNING)


def start() -> Settings:
    """Loads the settings and sets up logging: the first line of every command."""
    settings = load_settings()
    configure_logging(settings)
    return settings


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Runs one coroutine in a fresh event loop and returns its result."""
    return asyncio.run(coro)


def _reason(error: BaseException) -> str:
    """The driver's own words in a few, without SQLAlchemy's SQL and links."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    if isinstance(error, ConnectionRefusedError) or "Connect call failed" in str(error):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    if isinstance(error, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT_SECONDS:g} seconds"
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _check_sqlite_file(settings: Settings, *, must_exist: bool) -> None:
    path = _sqlite_file(settings.database_url)
    if path is None:
        return
    where = settings.masked_database_url
    if not path.parent.is_dir():
        raise DatabaseUnreachable(
            f"cannot open the database at {where}: directory {path.parent} does not exist"
        )
    if must_exist and not path.exists():
        raise DatabaseUnreachable(
            f"there is no database at {where}: create it with `{PROG} db upgrade`"
        )
    # Opened here first because aiosqlite, when opening fails, finishes its worker thread after
    # the event loop has closed and prints that thread's traceback under our one line.
    try:
        with closing(sqlite3.connect(path, timeout=5)) as conn:
            conn.execute("PRAGMA user_version").fetchall()  # reads the header: not just open()
    except sqlite3.Error as unusable:
        raise DatabaseUnreachable(f"cannot open the database at {where}: {unusable}") from None


async def _probe(database: Database, where: str) -> None:
    verb = "open" if database.is_sqlite else "reach"
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS), database.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")
    except (OSError, SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError) as down:
        raise DatabaseUnreachable(
            f"cannot {verb} the database at {where}: {_reason(down)}"
        ) from down


@asynccontextmanager
async def open_configured_database(
    settings: Settings, *, must_exist: bool = False
) -> AsyncIterator[Database]:
    """The database DATABASE_URL names, connected once to prove it answers; disposed after.

    Args:
        settings: the loaded settings.
        must_exist: refuse a SQLite file that is not there yet instead of creating it.

    Raises:
        DatabaseUnreachable: it cannot be opened, or the connection is lost while in use.
    """
    where = settings.masked_database_url
    _check_sqlite_file(settings, must_exist=must_exist)
    database = open_database(settings.database_url)
    try:
        await _probe(database, where)
        try:
            yield database
        except (DBAPIError, ConnectionError) as lost:
            if isinstance(lost, DBAPIError) and not lost.connection_invalidated:
                raise  # a real error of the statement: a bug, not the network
            raise DatabaseUnreachable(
                f"lost the connection to the database at {where}: {_reason(lost)}"
            ) from lost
    finally:
        await database.dispose()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The Alembic revision the database is at; None for an empty database."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current_revision)


async def upgrade_database(settings: Settings) -> str:
    """Applies every migration DATABASE_URL lacks and returns the revision it is now at.

    Raises:
        DatabaseUnreachable: the database cannot be reached.
        OperatorError: a newer jxc-bot migrated it to a revision this build does not know.
    """
    scripts = ScriptDirectory.from_config(alembic_config())
    async with open_configured_database(settings) as database:
        before = await current_revision(database.engine)
        if before is not None:
            try:
                scripts.get_revision(before)
            except CommandError:
                raise OperatorError(
                    f"the database at {settings.masked_database_url} is at revision {before}, "
                    f"which this build does not know: a newer {PROG} has migrated it"
                ) from None
        await upgrade(database.engine)
        after = await current_revision(database.engine)
    assert after is not None  # upgrade() to head leaves a revision behind
    if after != before:
        logger.info("database upgraded from %s to revision %s", before or "empty", after)
    return after


@app.command()
def run() -> None:
    """Runs the Telegram bot; brings the database to the newest schema first."""
    settings = start()
    if settings.telegram_bot_token is None:
        fail(MISSING_TOKEN)
    revision = run_async(upgrade_database(settings))
    logger.info("database at revision %s (head)", revision)
    front_end.build_and_run(settings)  # blocks until the bot is stopped


@app.command()
def console(
    user_id: int = typer.Option(
        DEMO_OWNER_ID, "--user-id", help="Your Telegram user id in the chat (1: the demo owner)."
    ),
    language: Annotated[
        ConsoleLanguage,
        typer.Option("--language", help="The language your Telegram app would report."),
    ] = ConsoleLanguage.EN,
    name: str = typer.Option("Console", "--name", help="Your first name as the bot sees it."),
    alerts: bool = typer.Option(
        False, "--alerts", help="Deliver pushed alerts here too (they then count as sent)."
    ),
) -> None:
    """Chats with the bot right here in the terminal: no Telegram, no token needed."""
    settings = start()
    logging.getLogger().setLevel(max(settings.log_level_number, logging.WARNING))  # a chat
    warnings.filterwarnings("ignore", category=PTBUserWarning)  # noise in a chat transcript
    revision = run_async(upgrade_database(settings))
    logger.info("database at revision %s (head)", revision)
    user = terminal_chat.ConsoleUser(
        user_id=user_id, language_code=language.value, first_name=name
    )
    try:
        run_async(_console(settings, user, alerts=alerts))
    except KeyboardInterrupt:  # Ctrl-C: as good as /quit
        typer.echo()


async def _console(
    settings: Settings, user: "terminal_chat.ConsoleUser", *, alerts: bool = False
) -> None:
    async with open_configured_database(settings) as database:
        await terminal_chat.chat(
            settings, database, user=user, stdin=sys.stdin, out=sys.stdout, alerts=alerts
        )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Applies the migrations DATABASE_URL lacks (safe to repeat) and prints its revision."""
    settings = start()
    revision = run_async(upgrade_database(settings))
    typer.echo(f"database at revision {revision} (head)")


@app.command()
def check() -> None:
    """Recomputes balances and average costs from the stock moves; exit 1 on any difference."""
    settings = start()
    report = run_async(_check(settings))
    for difference in report.differences:
        typer.echo(str(difference))
    if not report.ok:
        typer.echo(f"ledger differs: {len(report.differences)} difference(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"ledger ok: {report.products} products, {report.moves} moves")


async def _check(settings: Settings) -> LedgerReport:
    async with open_configured_database(settings, must_exist=True) as database:
        return await check_ledger(database)


@app.command()
def demo(
    owner_id: int = typer.Option(
        DEMO_OWNER_ID, "--owner-id", help="Telegram user id of the demo business's owner."
    ),
) -> None:
    """Creates a demo business (~50 products, 3 warehouses, weeks of history); safe to repeat."""
    settings = start()
    upgrade_database_first = run_async(upgrade_database(settings))
    logger.info("database at revision %s (head)", upgrade_database_first)
    summary = run_async(_demo(settings, owner_id))
    typer.echo(
        f"demo business #{summary.business_id} {summary.name!r}: {summary.products} products, "
        f"{summary.warehouses} warehouses, {summary.documents} documents, "
        f"{summary.orders} open orders "
        f"(owner: Telegram user {owner_id})"
    )


async def _demo(settings: Settings, owner_id: int) -> DemoSummary:
    async with open_configured_database(settings) as database:
        return await create_demo(database, owner_id=owner_id)


@app.command("backup")
def backup_command(
    file: Annotated[
        Path, typer.Argument(help="Where to write the backup (replaced if it exists).")
    ],
    portable: bool = typer.Option(
        False, "--portable", help="SQLite: the portable format instead of a SQLite file."
    ),
) -> None:
    """Writes a consistent backup of the whole database to FILE, also while the bot runs."""
    settings = start()
    made = run_async(_backup(settings, file, portable=portable))
    kind = "SQLite file" if made.kind == "sqlite" else "portable (gzip'd JSON lines)"
    typer.echo(
        f"backup written to {made.path}: {kind}, {made.size:,} bytes, "
        f"schema revision {made.revision or 'none'}"
    )


async def _backup(settings: Settings, file: Path, *, portable: bool) -> backups.BackupMade:
    async with open_configured_database(settings, must_exist=True):  # one line if unreachable
        pass
    if not file.parent.is_dir():
        raise OperatorError(f"cannot write {file}: directory {file.parent} does not exist")
    try:
        return await backups.backup(settings.database_url, file, portable=portable)
    except backups.BackupError as failed:
        raise OperatorError(str(failed)) from None


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A backup made by `jxc-bot backup`.")],
    force: bool = typer.Option(
        False, "--force", help="Replace everything in a database that already has data."
    ),
) -> None:
    """Restores FILE into the database (empty, or --force), then runs the ledger check."""
    settings = start()
    restored = run_async(_restore(settings, file, force=force))
    ledger = restored.ledger
    typer.echo(
        f"restored {restored.total_rows:,} rows at schema revision {restored.revision}; "
        f"ledger ok: {ledger.products} products, {ledger.moves} moves"
    )


async def _restore(settings: Settings, file: Path, *, force: bool) -> backups.Restored:
    async with open_configured_database(settings):
        pass
    return await _copy(backups.restore(file, settings.database_url, force=force))


@app.command("migrate")
def migrate_command(
    to: str = typer.Option(
        ..., "--to", help="The empty PostgreSQL database: postgresql+asyncpg://user@host/db"
    ),
) -> None:
    """Copies the whole SQLite database (DATABASE_URL) into an empty PostgreSQL database."""
    settings = start()
    try:
        target = load_settings(database_url=to)  # validated like DATABASE_URL
    except ConfigurationError as wrong:
        fail(str(wrong).replace("DATABASE_URL", "--to"))
    moved = run_async(_migrate(settings, target))
    ledger = moved.ledger
    typer.echo(
        f"copied {moved.total_rows:,} rows in {len(moved.rows)} tables to "
        f"{target.masked_database_url}; row counts match; "
        f"ledger ok: {ledger.products} products, {ledger.moves} moves. "
        "Set DATABASE_URL to it to use it."
    )


async def _migrate(settings: Settings, target: Settings) -> backups.Restored:
    async with open_configured_database(settings, must_exist=True):
        pass
    async with open_configured_database(target):
        pass
    return await _copy(backups.migrate(settings.database_url, target.database_url))


async def _copy(copying: Coroutine[Any, Any, backups.Restored]) -> backups.Restored:
    """A restore or migration: a failed check exits 1, other refusals are one line (2)."""
    try:
        return await copying
    except (backups.LedgerCheckFailed, backups.RowCountMismatch) as wrong:
        typer.echo(f"{PROG}: {wrong}", err=True)
        raise typer.Exit(1) from None
    except backups.BackupError as refused:
        raise OperatorError(str(refused)) from None


@app.command("export")
def export_data(
    file: Annotated[Path, typer.Argument(help="Where to write the .xlsx (or .csv with --csv).")],
    business: int | None = typer.Option(
        None, "--business", help="The business id (needed when there are several)."
    ),
    csv_sheet: str | None = typer.Option(
        None, "--csv", help=f"One sheet as CSV (UTF-8 with BOM): {', '.join(data_export.SHEETS)}."
    ),
) -> None:
    """Exports a business (as its owner sees it) to an .xlsx workbook, or one sheet as CSV."""
    settings = start()
    if csv_sheet is not None and csv_sheet not in data_export.SHEETS:
        fail(f"--csv {csv_sheet!r} is not a sheet: use one of {', '.join(data_export.SHEETS)}")
    data = run_async(_export(settings, business, csv_sheet))
    try:
        file.write_bytes(data)
    except OSError as unwritable:
        fail(f"cannot write {file}: {unwritable.strerror or unwritable}")
    typer.echo(f"exported {len(data):,} bytes to {file}")


async def _export(settings: Settings, business: int | None, sheet: str | None) -> bytes:
    async with open_configured_database(settings, must_exist=True) as database:
        try:
            actor = await data_export.owner_actor(UnitOfWork(database), business)
        except NotFound:
            raise OperatorError(
                f"no business {business}"
                if business is not None
                else "there is not exactly one business: pass --business ID"
            ) from None
        if sheet is not None:
            return await data_export.export_csv(UnitOfWork(database), actor, sheet)
        return await data_export.export_business(UnitOfWork(database), actor)


@app.command("import")
def import_data(
    file: Annotated[Path, typer.Argument(help="The .xlsx or .csv to import.")],
    business: int = typer.Option(..., "--business", help="The business id to import into."),
    user_id: int = typer.Option(
        ..., "--user-id", help="Telegram user id of the owner or manager the import is by."
    ),
) -> None:
    """Imports products, opening stock, parties and balances; all or nothing; exit 1 on errors."""
    settings = start()
    try:
        data = file.read_bytes()
    except OSError as unreadable:
        fail(f"cannot read {file}: {unreadable.strerror or unreadable}")
    errors, summary = run_async(_import(settings, business, user_id, data, file.name))
    for line in errors:
        typer.echo(line)
    if errors:
        typer.echo(f"nothing imported: {len(errors)} error(s)", err=True)
        raise typer.Exit(1)
    typer.echo(summary)


async def _import(
    settings: Settings, business: int, user_id: int, data: bytes, name: str
) -> tuple[list[str], str]:
    actor = Actor(user_id=user_id, business_id=business)
    file = importing.ImportFile(data, name)
    request_id = "cli:" + hashlib.sha256(data).hexdigest()[:32]  # the same file imports once
    async with open_configured_database(settings, must_exist=True) as database:
        try:
            result = await importing.run_import(UnitOfWork(database), actor, file, request_id)
        except PermissionDenied:
            raise OperatorError(
                f"user {user_id} is not an owner or manager of business {business}"
            ) from None
        except ImportRefused as refused:
            limit = f" (limit {refused.limit:,})" if refused.limit else ""
            return [f"{name}: {refused.code}{limit}"], ""
        except ImportInvalid as invalid:
            return [
                f"{e.sheet} row {e.row}, column {e.column}: {e.code}"
                + (f" {e.value!r}" if e.value else "")
                + (f" ({e.detail})" if e.detail else "")
                for e in invalid.errors
            ], ""
    if result.repeated:
        return [], "already imported: nothing changed"
    counts = ", ".join(
        f"{kind}: {c.create} new, {c.update} updated, {c.skip} unchanged"
        for kind, c in result.counts.items()
    )
    return [], f"imported {counts}; documents: {', '.join(result.documents) or 'none'}"


def main() -> None:
    """Entry point of the ``jxc-bot`` console script."""
    app(prog_name=PROG)


if __name__ == "__main__":
    main()
