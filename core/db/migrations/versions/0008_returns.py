"""returns: documents.returns_id (the document a return returns) and the line it returns

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("document_lines", sa.Column("returns_line_no", sa.Integer(), nullable=True))
    # In place, as 0005 does: a batch copy of documents fails on its lines and moves.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE documents ADD COLUMN returns_id INTEGER "
            "CONSTRAINT fk_documents_returns_id_documents REFERENCES documents (id)"
        )
    else:
        op.add_column("documents", sa.Column("returns_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_documents_returns_id_documents"),
            "documents",
            "documents",
            ["returns_id"],
            ["id"],
        )
    op.create_index(op.f("ix_documents_returns_id"), "documents", ["returns_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_returns_id"), table_name="documents")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_documents_returns_id_documents"), type_="foreignkey"
        )
        batch_op.drop_column("returns_id")
    with op.batch_alter_table("document_lines", schema=None) as batch_op:
        batch_op.drop_column("returns_line_no")
