"""The ``jxc-bot`` command as an operator meets it: exit status, stdout and stderr."""

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner, Result

from bot import app as front_end
from bot import cli
from core.db.migrate import alembic_config
from core.settings import Settings
from tests.conftest import IN_CI, POSTGRES_URL, RUN_ID, _database_url, fresh_postgres_database

REPO = Path(__file__).resolve().parents[2]
VARIABLES = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE_URL", "JXC_LOG_LEVEL")
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
AT_HEAD = f"database at revision {HEAD} (head)\n"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Runs every command in an empty directory with none of our variables set."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def jxc(*args: str, **env: str) -> Result:
    return CliRunner().invoke(cli.app, list(args), env=env, prog_name="jxc-bot")


def assert_one_line_refusal(result: Result, starts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"jxc-bot: {starts}"), result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # not an exception escaping the command


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database (UTF-8 ctype, as production needs) and its URL."""
    with fresh_postgres_database("cli") as name:
        yield _database_url(name)


# --- run -------------------------------------------------------------------------------------


def test_run_without_a_token_says_where_to_get_one_and_touches_nothing(tmp_path: Path) -> None:
    result = jxc("run")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("jxc-bot: TELEGRAM_BOT_TOKEN is not set")
    for hint in ("@BotFather", "export TELEGRAM_BOT_TOKEN=", ".env"):
        assert hint in result.stderr
    assert result.stderr.count("\n") == 1  # one paragraph
    assert not (tmp_path / "jxc.db").exists()


def test_run_hands_the_settings_to_the_bot_once_the_database_is_at_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Settings, set[str]]] = []
    monkeypatch.setattr(
        front_end,
        "build_and_run",
        lambda settings: seen.append((settings, tables(tmp_path / "jxc.db"))),
    )

    result = jxc("run", TELEGRAM_BOT_TOKEN=TOKEN)

    assert result.exit_code == 0, result.output
    [(settings, schema)] = seen
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert {"alembic_version", "stock_moves"} <= schema


# --- db upgrade ------------------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_in_a_new_sqlite_file_and_is_idempotent(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.db"

    first = jxc("db", "upgrade", DATABASE_URL=f"sqlite:///{path}")
    second = jxc("db", "upgrade", DATABASE_URL=f"sqlite:///{path}")

    assert (first.exit_code, first.stdout) == (0, AT_HEAD), first.output
    assert (second.exit_code, second.stdout) == (0, AT_HEAD), second.output
    assert {"alembic_version", "products", "stock_moves", "documents"} <= tables(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


def test_db_upgrade_without_database_url_uses_jxc_db_in_the_working_directory(
    tmp_path: Path,
) -> None:
    result = jxc("db", "upgrade")

    assert result.stdout == AT_HEAD
    assert "products" in tables(tmp_path / "jxc.db")


def test_db_upgrade_on_postgresql_creates_the_schema_and_is_idempotent(
    empty_postgres: str,
) -> None:
    first = jxc("db", "upgrade", DATABASE_URL=empty_postgres)
    second = jxc("db", "upgrade", DATABASE_URL=empty_postgres)

    assert (first.exit_code, first.stdout) == (0, AT_HEAD), first.output
    assert (second.exit_code, second.stdout) == (0, AT_HEAD), second.output

    async def revision() -> str:
        dsn = empty_postgres.replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(dsn)
        try:
            return str(await conn.fetchval("SELECT version_num FROM alembic_version"))
        finally:
            await conn.close()

    assert asyncio.run(revision()) == HEAD


def test_db_upgrade_refuses_a_database_migrated_by_a_newer_build(tmp_path: Path) -> None:
    path = tmp_path / "jxc.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")

    result = jxc("db", "upgrade")

    assert_one_line_refusal(result, f"the database at sqlite+aiosqlite:///{path} is at revision")
    assert "9999, which this build does not know" in result.stderr


# --- settings and where they come from --------------------------------------------------------


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    path = tmp_path / "from-dotenv.db"
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{path}\n", encoding="utf-8")

    result = jxc("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert "products" in tables(path)
    assert not (tmp_path / "jxc.db").exists()


def test_a_token_in_the_dotenv_file_is_enough_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n", encoding="utf-8")
    started: list[Settings] = []
    monkeypatch.setattr(front_end, "build_and_run", started.append)

    result = jxc("run")

    assert result.exit_code == 0, result.output
    assert "TELEGRAM_BOT_TOKEN" not in result.stderr
    assert len(started) == 1


def test_an_unknown_database_scheme_is_one_line(tmp_path: Path) -> None:
    result = jxc("db", "upgrade", DATABASE_URL="mysql://x")

    assert_one_line_refusal(result, "DATABASE_URL scheme 'mysql' is not supported")


def test_run_checks_the_settings_before_the_token(tmp_path: Path) -> None:
    result = jxc("run", DATABASE_URL="mysql://x")

    assert_one_line_refusal(result, "DATABASE_URL scheme 'mysql'")


def test_a_bad_log_level_is_one_line() -> None:
    result = jxc("db", "upgrade", JXC_LOG_LEVEL="LOUD")

    assert_one_line_refusal(result, "JXC_LOG_LEVEL 'LOUD' is not a log level")


# --- a database that cannot be reached ---------------------------------------------------------


def test_an_unreachable_postgresql_is_one_line_with_the_password_masked() -> None:
    result = jxc("db", "upgrade", DATABASE_URL="postgresql://jxc:s3cret@127.0.0.1:1/jxc")

    assert_one_line_refusal(
        result,
        "cannot reach the database at postgresql+asyncpg://jxc:***@127.0.0.1:1/jxc: "
        "connection refused",
    )
    assert "s3cret" not in result.output


def test_a_missing_postgresql_database_is_one_line() -> None:
    url = _database_url(f"{RUN_ID}_never_created")

    result = jxc("db", "upgrade", DATABASE_URL=url)

    if "connection refused" in result.stderr and not IN_CI:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable")
    assert_one_line_refusal(result, "cannot reach the database at postgresql+asyncpg://")
    assert result.stderr.endswith(f'database "{RUN_ID}_never_created" does not exist\n')


def test_a_server_that_never_answers_is_given_up_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "CONNECT_TIMEOUT_SECONDS", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never speaks
        port = silent.getsockname()[1]

        result = jxc("db", "upgrade", DATABASE_URL=f"postgresql://jxc@127.0.0.1:{port}/jxc")

    assert_one_line_refusal(result, "cannot reach the database at postgresql+asyncpg://jxc@")
    assert result.stderr.endswith(": no answer within 0.3 seconds\n")


def test_a_sqlite_file_in_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "jxc.db"

    result = jxc("db", "upgrade", DATABASE_URL=f"sqlite:///{path}")

    assert_one_line_refusal(
        result,
        f"cannot open the database at sqlite+aiosqlite:///{path}: "
        f"directory {path.parent} does not exist",
    )


def test_a_sqlite_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "jxc.db").mkdir()  # a directory where the file should be

    result = jxc("db", "upgrade")

    assert_one_line_refusal(result, "cannot open the database at sqlite+aiosqlite:///")
    assert result.stderr.endswith(": unable to open database file\n")


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "jxc.db").write_text("a spreadsheet, saved under the wrong name\n" * 100)

    result = jxc("db", "upgrade")

    assert_one_line_refusal(result, "cannot open the database at sqlite+aiosqlite:///")
    assert result.stderr.endswith(": file is not a database\n")


async def test_must_exist_refuses_to_create_a_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'jxc.db'}")

    with pytest.raises(cli.DatabaseUnreachable, match="create it with `jxc-bot db upgrade`"):
        async with cli.open_configured_database(settings, must_exist=True):
            pass

    assert not (tmp_path / "jxc.db").exists()


# --- the installed command, end to end ---------------------------------------------------------


def test_the_real_command_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env |= {"DATABASE_URL": "postgresql://jxc:s3cret@127.0.0.1:1/jxc", "PYTHONPATH": str(REPO)}

    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "jxc-bot: cannot reach the database at postgresql+asyncpg://jxc:***@127.0.0.1:1/jxc: "
        "connection refused\n"
    )
