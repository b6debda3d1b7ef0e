"""alerts

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base
import core.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", core.db.base.UTCDateTime(), nullable=False),
        sa.Column("leased_until", core.db.base.UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(), nullable=False),
        sa.Column("sent_at", core.db.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_alert_outbox_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alert_outbox_dedupe_key")),
    )
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_outbox_business_id"), ["business_id"], unique=False
        )
        batch_op.create_index("ix_alert_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "scheduled_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("ran_at", core.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_scheduled_runs_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_runs")),
        sa.UniqueConstraint(
            "business_id",
            "kind",
            "local_date",
            name=op.f("uq_scheduled_runs_business_id_kind_local_date"),
        ),
    )
    op.create_table(
        "unreachable_chats",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("since", core.db.base.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_unreachable_chats_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("business_id", "chat_id", name=op.f("pk_unreachable_chats")),
    )
    op.create_table(
        "party_snoozes",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_party_snoozes_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_party_snoozes_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_party_snoozes")),
    )
    with op.batch_alter_table("party_snoozes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_snoozes_business_id"), ["business_id"], unique=False
        )

    op.create_table(
        "stock_alert_rules",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("snoozed_until", core.db.base.UTCDateTime(), nullable=True),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_stock_alert_rules_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_stock_alert_rules_product_id_products")
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_stock_alert_rules")),
    )
    with op.batch_alter_table("stock_alert_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_alert_rules_business_id"), ["business_id"], unique=False
        )

    op.create_table(
        "warehouse_reorder_points",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("reorder_point", core.db.types.Qty(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_warehouse_reorder_points_business_id_businesses"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_warehouse_reorder_points_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_warehouse_reorder_points_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint(
            "product_id", "warehouse_id", name=op.f("pk_warehouse_reorder_points")
        ),
    )
    with op.batch_alter_table("warehouse_reorder_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warehouse_reorder_points_business_id"), ["business_id"], unique=False
        )

    # Plain ALTER TABLE ADD COLUMN: a batch copy of these tables fails on the rows that
    # refer to them (as 0005 and 0008 found for documents).
    op.add_column(
        "businesses",
        sa.Column("reminder_time", sa.String(length=5), server_default="09:00", nullable=False),
    )
    op.add_column(
        "businesses", sa.Column("coverage_days", sa.Integer(), server_default="30", nullable=False)
    )
    for column in ("alerts_on", "digest_on"):
        op.add_column(
            "members", sa.Column(column, sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("digest_on")
        batch_op.drop_column("alerts_on")

    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.drop_column("coverage_days")
        batch_op.drop_column("reminder_time")

    with op.batch_alter_table("warehouse_reorder_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warehouse_reorder_points_business_id"))

    op.drop_table("warehouse_reorder_points")
    with op.batch_alter_table("stock_alert_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_alert_rules_business_id"))

    op.drop_table("stock_alert_rules")
    with op.batch_alter_table("party_snoozes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_snoozes_business_id"))

    op.drop_table("party_snoozes")
    op.drop_table("unreachable_chats")
    op.drop_table("scheduled_runs")
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_outbox_due")
        batch_op.drop_index(batch_op.f("ix_alert_outbox_business_id"))

    op.drop_table("alert_outbox")
