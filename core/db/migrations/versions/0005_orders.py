"""orders: purchase and sales orders, their lines and events; documents link to them

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base
import core.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", core.db.types.Money(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_orders_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_orders_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_orders_supplier_id_suppliers")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_orders_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("business_id", "number", name=op.f("uq_orders_business_id_number")),
        sa.UniqueConstraint(
            "business_id", "request_id", name=op.f("uq_orders_business_id_request_id")
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_business_kind_status", ["business_id", "kind", "status", "id"], unique=False
        )

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("qty", core.db.types.Qty(), nullable=False),
        sa.Column("done_qty", core.db.types.Qty(), nullable=False),
        sa.Column("unit_price", core.db.types.Price(), nullable=False),
        sa.Column("amount", core.db.types.Money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_order_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "line_no", name=op.f("uq_order_lines_order_id_line_no")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_order_lines_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_order_events_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_order_events_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_events_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_events_order_id"), ["order_id"], unique=False)

    with op.batch_alter_table("document_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_line_no", sa.Integer(), nullable=True))

    # Not a batch: on SQLite adding a foreign key in batch mode copies the table, and
    # dropping the old one fails on its document lines and moves (foreign keys are on).
    # SQLite adds a column with REFERENCES in place; Alembic will not emit it, so SQL does.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE documents ADD COLUMN order_id INTEGER "
            "CONSTRAINT fk_documents_order_id_orders REFERENCES orders (id)"
        )
    else:
        op.add_column("documents", sa.Column("order_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_documents_order_id_orders"), "documents", "orders", ["order_id"], ["id"]
        )
    op.create_index(op.f("ix_documents_order_id"), "documents", ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_documents_order_id_orders"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_order_id"))
        batch_op.drop_column("order_id")

    with op.batch_alter_table("document_lines", schema=None) as batch_op:
        batch_op.drop_column("order_line_no")

    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_events_order_id"))

    op.drop_table("order_events")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_product_id"))
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_business_kind_status")

    op.drop_table("orders")
