"""Runs Alembic migrations from the application: the only way the schema changes."""

from typing import Any, Literal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import WRITE_OPTION
from core.db.types import ScaledDecimal

SCRIPT_LOCATION = "core.db:migrations"

# Tables that exist only in the database: Alembic cannot reflect or compare them.
_UNREFLECTABLE_TABLES = (
    # SQLite FTS5 virtual table for 3+-character name search and its shadow tables
    # (product_search_data, _idx, _content, _docsize, _config): created by raw SQL in a
    # migration, there is no SQLAlchemy model for a virtual table.
    "product_search",
)
# Indexes Alembic reflects but cannot compare with the models.
_UNCOMPARABLE_INDEXES = {
    # pg_trgm GIN index on an expression with an operator class (gin_trgm_ops): Alembic
    # reflects expression indexes only partially and would report it as removed.
    "ix_products_name_trgm",
}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, _compare: Any) -> bool:
    """Leaves out of autogenerate what lives only in migrations' raw SQL (see the lists)."""
    if type_ == "table" and name and name.startswith(_UNREFLECTABLE_TABLES):
        return False
    return not (type_ == "index" and name in _UNCOMPARABLE_INDEXES)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Renders our exact Decimal types by their import path in generated migrations."""
    if type_ == "type" and isinstance(obj, ScaledDecimal):
        return f"core.db.types.{type(obj).__name__}()"
    return False


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


MIGRATION_LOCK = 0x6A7863  # "jxc": the advisory lock key of schema upgrades on PostgreSQL


async def upgrade(engine: AsyncEngine) -> None:
    """Brings the database to the newest schema (a no-op when it is there already).

    Safe when several processes start at once (the bot and a worker beside it): on PostgreSQL
    they queue on an advisory lock held to the end of the transaction, on SQLite on the write
    lock (``BEGIN IMMEDIATE``); whoever comes second finds the schema at head.
    """
    async with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await conn.run_sync(_upgrade)


def _differences(connection: Connection) -> list[Any]:
    from core.db.models import Base

    context = MigrationContext.configure(
        connection,
        opts={"include_object": include_object, "compare_type": True},
    )
    return list(compare_metadata(context, Base.metadata))


async def schema_differences(engine: AsyncEngine) -> list[Any]:
    """What autogenerate would change to make the database match the models."""
    async with engine.connect() as conn:
        return await conn.run_sync(_differences)
