"""What tenancy services answer."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.tenancy.models import Business, Role


@dataclass(frozen=True)
class BusinessView:
    """A business as its member sees it."""

    business_id: int
    name: str
    base_currency: str
    timezone: str
    locale: str
    allow_negative_stock: bool
    role: Role
    undo_window_minutes: int = 10
    conversation_timeout_minutes: int = 30
    group_chat_id: int | None = None
    round_off_limit: Decimal = Decimal(1)
    reminder_time: str = "09:00"
    coverage_days: int = 30

    @classmethod
    def of(cls, business: Business, role: Role) -> "BusinessView":
        """From the row and the viewer's role."""
        return cls(
            business.id,
            business.name,
            business.base_currency,
            business.timezone,
            business.locale,
            business.allow_negative_stock,
            role,
            business.undo_window_minutes,
            business.conversation_timeout_minutes,
            business.group_chat_id,
            business.round_off_limit,
            business.reminder_time,
            business.coverage_days,
        )


@dataclass(frozen=True)
class InviteCreated:
    """A single-use invite; the bot turns the token into a deep link."""

    token: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class MemberView:
    """A member of a business."""

    user_id: int
    display_name: str
    role: Role
    active: bool
