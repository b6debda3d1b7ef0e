"""product search: substring indexes for names of 3+ characters

SQLite: an FTS5 trigram table over products.name_key, kept in step by triggers.
PostgreSQL: pg_trgm and a GIN trigram index on products.name_key.
Terms of 1–2 characters use product_grams (0001) on both engines.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# External content: the index keeps only trigrams, the text stays in products. name_key is
# already casefolded, so the tokenizer compares exactly (case_sensitive 1), as LIKE on PG does.
SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE product_search USING fts5(
        name_key, content='products', content_rowid='id', tokenize='trigram case_sensitive 1'
    )
    """,
    """
    CREATE TRIGGER product_search_ai AFTER INSERT ON products BEGIN
        INSERT INTO product_search(rowid, name_key) VALUES (new.id, new.name_key);
    END
    """,
    """
    CREATE TRIGGER product_search_ad AFTER DELETE ON products BEGIN
        INSERT INTO product_search(product_search, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
    END
    """,
    """
    CREATE TRIGGER product_search_au AFTER UPDATE OF id, name_key ON products BEGIN
        INSERT INTO product_search(product_search, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
        INSERT INTO product_search(rowid, name_key) VALUES (new.id, new.name_key);
    END
    """,
    # index the products that exist already
    "INSERT INTO product_search(product_search) VALUES ('rebuild')",
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS product_search_au",
    "DROP TRIGGER IF EXISTS product_search_ad",
    "DROP TRIGGER IF EXISTS product_search_ai",
    "DROP TABLE IF EXISTS product_search",
)

# pg_trgm indexes Chinese only in a database with a UTF-8 ctype (DESIGN: Storage).
# fastupdate off: new names go straight into the index instead of a pending list that every
# search reads through until the next vacuum (2 ms a search after 7,000 new products).
POSTGRESQL_UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_products_name_trgm ON products"
    " USING gin (name_key gin_trgm_ops) WITH (fastupdate = off)",
)

# No CASCADE: if something else has come to use pg_trgm, the downgrade stops rather than
# dropping it.
POSTGRESQL_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_products_name_trgm",
    "DROP EXTENSION IF EXISTS pg_trgm",
)


def _run(statements: Sequence[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UPGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UPGRADE)
    else:
        raise NotImplementedError(f"no product search index for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWNGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_DOWNGRADE)
