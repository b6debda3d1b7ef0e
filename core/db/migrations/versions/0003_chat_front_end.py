"""chat front end: business settings for the bot, void reasons, saved chat state

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("businesses") as batch:
        batch.add_column(
            sa.Column("undo_window_minutes", sa.Integer(), nullable=False, server_default="10")
        )
        batch.add_column(
            sa.Column(
                "conversation_timeout_minutes", sa.Integer(), nullable=False, server_default="30"
            )
        )
        batch.add_column(sa.Column("group_chat_id", sa.BigInteger(), nullable=True))
        batch.create_unique_constraint(op.f("uq_businesses_group_chat_id"), ["group_chat_id"])
    with op.batch_alter_table("businesses") as batch:  # defaults were for existing rows only
        batch.alter_column("undo_window_minutes", server_default=None)
        batch.alter_column("conversation_timeout_minutes", server_default=None)
    with op.batch_alter_table("documents") as batch:
        batch.add_column(
            sa.Column("void_reason", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("void_reason", server_default=None)
    op.create_table(
        "chat_states",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_chat_states")),
    )


def downgrade() -> None:
    op.drop_table("chat_states")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("void_reason")
    with op.batch_alter_table("businesses") as batch:
        batch.drop_constraint(op.f("uq_businesses_group_chat_id"), type_="unique")
        batch.drop_column("group_chat_id")
        batch.drop_column("conversation_timeout_minutes")
        batch.drop_column("undo_window_minutes")
