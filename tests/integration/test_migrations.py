import asyncio
from pathlib import Path

from core.db.engine import Database, open_database
from core.db.migrate import schema_differences, upgrade
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
