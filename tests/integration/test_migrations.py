from core.db.engine import Database
from core.db.migrate import schema_differences


async def test_migrations_build_the_same_schema_as_the_models(db: Database) -> None:
    assert await schema_differences(db.engine) == []


async def test_processes_upgrading_an_empty_database_at_once_all_succeed(
    tmp_path, postgres_template: str
) -> None:
    import asyncio

    from core.db.engine import open_database
    from core.db.migrate import upgrade
    from tests.conftest import RUN_ID, _admin, _database_url

    name = f"{RUN_ID}_race"
    await _admin(
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
    )
    urls = [f"sqlite+aiosqlite:///{tmp_path / 'race.db'}", _database_url(name)]
    try:
        for url in urls:  # separate engines: as separate processes would have
            databases = [open_database(url) for _ in range(3)]
            try:
                await asyncio.gather(*(upgrade(d.engine) for d in databases))
                assert await schema_differences(databases[0].engine) == []
            finally:
                for database in databases:
                    await database.dispose()
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
