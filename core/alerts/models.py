"""The alert outbox and what alerting remembers: snoozes, mutes, runs, unreachable chats."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Qty, UTCDateTime, utcnow


class AlertKind(StrEnum):
    """What an outbox row carries."""

    LOW_STOCK = "low_stock"
    OVERDUE = "overdue"  # a customer past their due date (one row per customer)
    PAYABLES = "payables_due"  # suppliers we owe something due within a week
    DIGEST = "digest"
    UNREACHABLE = "unreachable"  # told to the owner once: a member blocked the bot


class OutboxStatus(StrEnum):
    """Pending → sent, or dead (the chat is unreachable, or it failed too often)."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class Outbox(Base):
    """One message to deliver to one chat, exactly once (the dedupe key is unique).

    A worker leases due rows (``leased_until``) before sending; a worker that dies mid-send
    leaves its rows to be taken again when the lease runs out.
    """

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_alert_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    dedupe_key: Mapped[str] = mapped_column(String(160))
    payload: Mapped[str] = mapped_column(Text)  # JSON: ids and figures the message is made of
    locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StockAlertRule(Base):
    """A product's alert state: snoozed until a time, or muted for good."""

    __tablename__ = "stock_alert_rules"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)


class WarehouseReorderPoint(Base):
    """A product's reorder point in one warehouse (besides its business-wide one)."""

    __tablename__ = "warehouse_reorder_points"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    reorder_point: Mapped[Decimal] = mapped_column(Qty)


class PartySnooze(Base):
    """A customer's overdue reminder snoozed until a local date."""

    __tablename__ = "party_snoozes"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    until: Mapped[date]


class ScheduledRun(Base):
    """A daily run (reminders and digest) claimed for one business and local date: once."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (UniqueConstraint("business_id", "kind", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    kind: Mapped[str] = mapped_column(String(16))
    local_date: Mapped[date]
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnreachableChat(Base):
    """A chat the bot may not write to (the user blocked it, or left the group)."""

    __tablename__ = "unreachable_chats"

    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")
