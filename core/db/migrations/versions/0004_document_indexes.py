"""documents: indexes for "newest first" lists (recent documents, parties, last warehouse)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_documents_business_latest": ["business_id", "id"],
    "ix_documents_author_latest": ["created_by", "id"],
    "ix_documents_customer_latest": ["customer_id", "id"],
    "ix_documents_supplier_latest": ["supplier_id", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "documents", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="documents")
