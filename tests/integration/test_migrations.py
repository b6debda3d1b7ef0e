import asyncio
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from core.db.engine import WRITE_OPTION, Database, open_database
from core.db.migrate import alembic_config, schema_differences, upgrade
from tests.conftest import _database_url, fresh_postgres_database


async def test_migrations_build_the_same_schema_as_the_models(db: Database) -> None:
    assert await schema_differences(db.engine) == []


async def test_processes_upgrading_an_empty_database_at_once_all_succeed(tmp_path: Path) -> None:
    with fresh_postgres_database("race") as name:
        for url in (f"sqlite+aiosqlite:///{tmp_path / 'race.db'}", _database_url(name)):
            databases = [open_database(url) for _ in range(3)]  # as separate processes would
            try:
                await asyncio.gather(*(upgrade(d.engine) for d in databases))
                assert await schema_differences(databases[0].engine) == []
            finally:
                for database in databases:
                    await database.dispose()


SEEDED = (
    "businesses",
    "members",
    "warehouses",
    "suppliers",
    "customers",
    "products",
    "product_costs",
    "documents",
    "document_lines",
    "stock_moves",
    "stock_balances",
)


def _filler(column: sa.Column) -> object:  # type: ignore[type-arg]
    """A value a NOT NULL column of the old schema accepts (ids all point at row 1)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.DateTime):  # naive UTC, as UTCDateTime stores it
        return datetime(2026, 1, 1)  # noqa: DTZ001
    if isinstance(kind, sa.Date):
        return date(2026, 1, 1)
    if isinstance(kind, sa.String):
        return "x"
    return 1 if column.name == "id" or column.foreign_keys else 0


def _seed_old_schema(connection: sa.Connection) -> None:
    command.upgrade(alembic_config(connection), "0004")
    for name in SEEDED:
        table = sa.Table(name, sa.MetaData(), autoload_with=connection)
        row = {c.name: _filler(c) for c in table.columns if not c.nullable}
        connection.execute(table.insert().values(**row))


async def test_a_database_with_documents_in_it_upgrades_to_the_newest_schema(
    tmp_path: Path,
) -> None:
    with fresh_postgres_database("data") as name:
        for url in (f"sqlite+aiosqlite:///{tmp_path / 'old.db'}", _database_url(name)):
            database = open_database(url)
            try:
                async with database.engine.execution_options(**{WRITE_OPTION: True}).begin() as c:
                    await c.run_sync(_seed_old_schema)
                await upgrade(database.engine)  # 0005 adds documents.order_id in place
                assert await schema_differences(database.engine) == []
                async with database.engine.connect() as conn:
                    kept = await conn.scalar(sa.text("SELECT count(*) FROM document_lines"))
                assert kept == 1
            finally:
                await database.dispose()
