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
from core.db.engine import Database, open_database
from core.db.migrate import alembic_config, upgrade
from core.demo import DemoSummary, create_demo
from core.errors import ConfigurationError
from core.inventory.check import LedgerReport, check_ledger
from core.settings import Settings, load_settings

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


def main() -> None:
    """Entry point of the ``jxc-bot`` console script."""
    app(prog_name=PROG)


if __name__ == "__main__":
    main()
