"""last supplier

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base
import core.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_LAST_RECEIPT = """
    SELECT {column} FROM document_lines dl JOIN documents d ON d.id = dl.document_id
    WHERE dl.product_id = product_costs.product_id AND d.doc_type = 'CG'
      AND d.status = 'posted' AND d.supplier_id IS NOT NULL
    ORDER BY dl.id DESC LIMIT 1
"""


def upgrade() -> None:
    op.create_index(
        "ix_documents_business_type_date",
        "documents",
        ["business_id", "doc_type", "doc_date"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":  # in place: a batch copy fails on its rows
        op.execute(
            "ALTER TABLE product_costs ADD COLUMN last_supplier_id INTEGER "
            "CONSTRAINT fk_product_costs_last_supplier_id_suppliers REFERENCES suppliers (id)"
        )
    else:
        op.add_column("product_costs", sa.Column("last_supplier_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_product_costs_last_supplier_id_suppliers"),
            "product_costs",
            "suppliers",
            ["last_supplier_id"],
            ["id"],
        )
    op.add_column(
        "product_costs", sa.Column("last_purchase_price", core.db.types.Price(), nullable=True)
    )
    op.execute(  # what the receipts so far say
        "UPDATE product_costs SET "
        f"last_supplier_id = ({_LAST_RECEIPT.format(column='d.supplier_id')}), "
        f"last_purchase_price = ({_LAST_RECEIPT.format(column='dl.unit_price')})"
    )


def downgrade() -> None:
    with op.batch_alter_table("product_costs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_product_costs_last_supplier_id_suppliers"), type_="foreignkey"
        )
        batch_op.drop_column("last_purchase_price")
        batch_op.drop_column("last_supplier_id")
    op.drop_index("ix_documents_business_type_date", table_name="documents")
