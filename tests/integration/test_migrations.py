from core.db.engine import Database
from core.db.migrate import schema_differences


async def test_migrations_build_the_same_schema_as_the_models(db: Database) -> None:
    assert await schema_differences(db.engine) == []
