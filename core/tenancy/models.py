"""Businesses, their members and invites; per-business sequences; request log."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Money, UTCDateTime, utcnow


class Role(StrEnum):
    """What a member may do (DESIGN rule 9), most powerful first."""

    OWNER = "owner"
    MANAGER = "manager"
    CLERK = "clerk"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        """Higher is more powerful."""
        return {"owner": 4, "manager": 3, "clerk": 2, "viewer": 1}[self.value]

    def at_least(self, other: "Role") -> bool:
        """True when this role may do whatever ``other`` may."""
        return self.rank >= other.rank

    @property
    def sees_costs(self) -> bool:
        """Average cost, COGS, stock value and margins: managers and owners only."""
        return self.at_least(Role.MANAGER)


class Business(Base):
    """A shop walled off from every other one (DESIGN rule 9)."""

    __tablename__ = "businesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    base_currency: Mapped[str] = mapped_column(String(3), default="CNY")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    undo_window_minutes: Mapped[int] = mapped_column(Integer, default=10)
    conversation_timeout_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # The most a sale's total may be rounded off (抹零), in the base currency.
    round_off_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal(1))
    # Alerts: the local time of the daily reminders and digest ("HH:MM"), and how many days
    # of sales a suggested order should cover.
    reminder_time: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    coverage_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)  # /bind
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Member(Base):
    """A Telegram user's membership of one business; kept after removal for the audit trail."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("business_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(10))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Pushed messages this member gets (owners and managers): stock and money alerts, and the
    # daily digest; each can turn either off.
    alerts_on: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    digest_on: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invite(Base):
    """A single-use, expiring invitation to join a business with a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(BigInteger)


class UserPreference(Base):
    """Which business a person is working in now, and their language."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    current_business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    locale: Mapped[str | None] = mapped_column(String(10))


class Sequence(Base):
    """A per-business counter (document numbers per type and year, generated SKUs)."""

    __tablename__ = "sequences"

    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RequestRecord(Base):
    """The outcome of a mutating request that is not a document, for idempotency."""

    __tablename__ = "request_records"
    __table_args__ = (UniqueConstraint("user_id", "scope", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    scope: Mapped[int] = mapped_column(Integer)  # the business acted in; 0: opening a business
    request_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
