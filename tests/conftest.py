"""Shared fixtures: a migrated database per test, on SQLite and on PostgreSQL.

Migrations run once per engine per test session into a template (a file on SQLite, a
``TEMPLATE`` database on PostgreSQL); each test gets a fresh copy. PostgreSQL tests need
``JXC_TEST_POSTGRES_URL`` (default: the local server, database ``test``). In CI (``CI=true``)
an unreachable server fails the run; elsewhere those tests skip and say why.
"""

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from core.db.engine import Database, open_database
from core.db.migrate import upgrade

POSTGRES_URL = os.environ.get("JXC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
RUN_ID = f"jxct_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _admin_dsn() -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _database_url(name: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_admin_dsn(), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _run(coro: Coroutine[Any, Any, None]) -> None:
    """Runs a coroutine to the end in its own thread: session fixtures may be requested
    from inside a test's running event loop, where asyncio.run() is not allowed."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


async def _migrate(url: str) -> None:
    database = open_database(url)
    try:
        await upgrade(database.engine)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, copied by every SQLite test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@contextmanager
def fresh_postgres_database(suffix: str) -> Iterator[str]:
    """Creates an empty database with a UTF-8 ctype (as Chinese search needs), drops it after.

    PostgreSQL unreachable: the test fails in CI (``CI=true``) and is skipped, with the
    reason, elsewhere.
    """
    name = f"{RUN_ID}_{suffix}"
    try:
        _run(
            _admin(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
            )
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as down:
        reason = f"PostgreSQL at {POSTGRES_URL} is unreachable: {down}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    try:
        yield name
    finally:
        _run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated to head (UTF-8 ctype), the template of each test's."""
    with fresh_postgres_database("tpl") as name:
        _run(_migrate(_database_url(name)))
        yield name


_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database of the test's own."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "jxc.db"
        shutil.copyfile(template, path)
        database = open_database(f"sqlite+aiosqlite:///{path}")
        try:
            yield database
        finally:
            await database.dispose()
        return
    async with _postgres_copy(request.getfixturevalue("postgres_template")) as database:
        yield database


@asynccontextmanager
async def _postgres_copy(template_name: str) -> AsyncIterator[Database]:
    name = f"{RUN_ID}_{next(_counter)}"
    await _admin(f"CREATE DATABASE {name} TEMPLATE {template_name}")
    database = open_database(_database_url(name))
    try:
        yield database
    finally:
        await database.dispose()
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def postgres_db(postgres_template: str) -> AsyncIterator[Database]:
    """A migrated PostgreSQL database, for what only PostgreSQL does (several workers)."""
    async with _postgres_copy(postgres_template) as database:
        yield database


@pytest.fixture
async def sqlite_db(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database, for tests of SQLite-only behaviour."""
    path = tmp_path / "jxc.db"
    shutil.copyfile(sqlite_template, path)
    database = open_database(f"sqlite+aiosqlite:///{path}")
    try:
        yield database
    finally:
        await database.dispose()
