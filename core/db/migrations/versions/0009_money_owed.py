"""money owed: open items, payments, allocations; documents' money fields

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base
import core.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=4), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", core.db.types.Rate(), nullable=False),
        sa.Column("amount", core.db.types.Money(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("posted_at", core.db.base.UTCDateTime(), nullable=False),
        sa.Column("voided_at", core.db.base.UTCDateTime(), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_request_id", sa.String(length=64), nullable=True),
        sa.Column("void_reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_payments_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_payments_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payments_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_payments_supplier_id_suppliers")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"], ["members.id"], name=op.f("fk_payments_voided_by_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("business_id", "number", name=op.f("uq_payments_business_id_number")),
        sa.UniqueConstraint(
            "business_id", "request_id", name=op.f("uq_payments_business_id_request_id")
        ),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_business_latest", ["business_id", "id"], unique=False)

    op.create_table(
        "open_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", core.db.types.Rate(), nullable=False),
        sa.Column("amount", core.db.types.Money(), nullable=False),
        sa.Column("base_amount", core.db.types.Money(), nullable=False),
        sa.Column("open", core.db.types.Money(), nullable=False),
        sa.Column("open_base", core.db.types.Money(), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_open_items_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_open_items_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_open_items_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_open_items_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["open_items.id"], name=op.f("fk_open_items_reverses_id_open_items")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_open_items_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_items")),
    )
    with op.batch_alter_table("open_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_open_items_customer",
            ["business_id", "customer_id", "currency", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_open_items_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_open_items_payment_id"), ["payment_id"], unique=False)
        batch_op.create_index(
            "ix_open_items_supplier",
            ["business_id", "supplier_id", "currency", "id"],
            unique=False,
        )

    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("debit_id", sa.Integer(), nullable=False),
        sa.Column("credit_id", sa.Integer(), nullable=False),
        sa.Column("amount", core.db.types.Money(), nullable=False),
        sa.Column("debit_base", core.db.types.Money(), nullable=False),
        sa.Column("credit_base", core.db.types.Money(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_allocations_business_id_businesses")
        ),
        sa.ForeignKeyConstraint(
            ["credit_id"], ["open_items.id"], name=op.f("fk_allocations_credit_id_open_items")
        ),
        sa.ForeignKeyConstraint(
            ["debit_id"], ["open_items.id"], name=op.f("fk_allocations_debit_id_open_items")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["allocations.id"],
            name=op.f("fk_allocations_reverses_id_allocations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allocations_business_id"), ["business_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_allocations_credit_id"), ["credit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocations_debit_id"), ["debit_id"], unique=False)

    with op.batch_alter_table("businesses", schema=None) as batch_op:
        # 1.00 of the base currency: SQLite keeps money as ten-thousandths (DESIGN rule 5).
        one = "10000" if op.get_bind().dialect.name == "sqlite" else "1"
        batch_op.add_column(
            sa.Column("round_off_limit", core.db.types.Money(), server_default=one, nullable=False)
        )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("credit_limit", core.db.types.Money(), nullable=True))

    with op.batch_alter_table("document_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discount", core.db.types.Money(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("discount_pct", core.db.types.Price(), nullable=True))

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate", core.db.types.Rate(), nullable=True))
        batch_op.add_column(
            sa.Column("round_off", core.db.types.Money(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("paid_now", core.db.types.Money(), nullable=True))
        batch_op.add_column(sa.Column("payment_method", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))

    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("credit_limit", core.db.types.Money(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_column("credit_limit")
        batch_op.drop_column("currency")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("due_date")
        batch_op.drop_column("payment_method")
        batch_op.drop_column("paid_now")
        batch_op.drop_column("round_off")
        batch_op.drop_column("rate")

    with op.batch_alter_table("document_lines", schema=None) as batch_op:
        batch_op.drop_column("discount_pct")
        batch_op.drop_column("discount")

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("credit_limit")
        batch_op.drop_column("currency")

    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.drop_column("round_off_limit")

    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocations_debit_id"))
        batch_op.drop_index(batch_op.f("ix_allocations_credit_id"))
        batch_op.drop_index(batch_op.f("ix_allocations_business_id"))

    op.drop_table("allocations")
    with op.batch_alter_table("open_items", schema=None) as batch_op:
        batch_op.drop_index("ix_open_items_supplier")
        batch_op.drop_index(batch_op.f("ix_open_items_payment_id"))
        batch_op.drop_index(batch_op.f("ix_open_items_document_id"))
        batch_op.drop_index("ix_open_items_customer")

    op.drop_table("open_items")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_business_latest")

    op.drop_table("payments")
