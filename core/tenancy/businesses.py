"""Creating a business and changing its settings."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_currency_name
from pydantic import Field, field_validator
from sqlalchemy import update

from core.catalog.models import Warehouse
from core.commands import AmountOrZero, Command, MutatingCommand
from core.db.uow import UnitOfWork
from core.idempotency import NEW_BUSINESS, earlier_result, once_per_request, remember
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Business, Member, Role, UserPreference
from core.tenancy.results import BusinessView

SUPPORTED_LOCALES = ("zh-CN", "en")
DEFAULT_WAREHOUSE_NAME = {"zh-CN": "主仓库", "en": "Main warehouse"}


def _currency(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha() or get_currency_name(code, locale="en") == code:
        raise ValueError("not an ISO 4217 currency code")
    return code


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known time zone") from None
    return name


class _Settings(Command):
    @field_validator("base_currency", check_fields=False)
    @classmethod
    def _check_currency(cls, value: str | None) -> str | None:
        return None if value is None else _currency(value)

    @field_validator("timezone", check_fields=False)
    @classmethod
    def _check_zone(cls, value: str | None) -> str | None:
        return None if value is None else _zone(value)

    @field_validator("locale", check_fields=False)
    @classmethod
    def _check_locale(cls, value: str | None) -> str | None:
        if value is not None and value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value


class CreateBusiness(_Settings, MutatingCommand):
    """Open a new business; whoever asks becomes its owner."""

    name: str = Field(min_length=1, max_length=100)
    base_currency: str = "CNY"
    timezone: str = "Asia/Shanghai"
    locale: str = "zh-CN"
    owner_name: str = Field(default="", max_length=100)


class ChangeBusinessSettings(_Settings):
    """Change what the owner may change; None leaves a setting as it is."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: str | None = None
    locale: str | None = None
    allow_negative_stock: bool | None = None
    undo_window_minutes: int | None = Field(default=None, ge=0, le=1440)  # 0: no undo button
    conversation_timeout_minutes: int | None = Field(default=None, ge=1, le=1440)
    round_off_limit: AmountOrZero | None = None  # 抹零: the most a sale is rounded off
    reminder_time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    coverage_days: int | None = Field(default=None, ge=1, le=365)  # reorder suggestions


@once_per_request
async def create_business(uow: UnitOfWork, actor: Actor, cmd: CreateBusiness) -> BusinessView:
    """Creates a business with its owner and a default warehouse, and switches to it."""
    async with uow:
        session = uow.session
        if done := await earlier_result(
            session, actor.user_id, NEW_BUSINESS, cmd.request_id, "business"
        ):
            business = await session.get_one(Business, done)
            return BusinessView.of(business, Role.OWNER)
        business = Business(
            name=cmd.name.strip(),
            base_currency=cmd.base_currency,
            timezone=cmd.timezone,
            locale=cmd.locale,
            allow_negative_stock=False,
        )
        session.add(business)
        await session.flush()
        session.add(
            Member(
                business_id=business.id,
                user_id=actor.user_id,
                role=Role.OWNER,
                display_name=cmd.owner_name,
            )
        )
        session.add(
            Warehouse(
                business_id=business.id,
                name=DEFAULT_WAREHOUSE_NAME[cmd.locale],
                is_default=True,
            )
        )
        await choose_business(uow, actor.user_id, business.id)
        remember(session, actor.user_id, NEW_BUSINESS, cmd.request_id, "business", business.id)
        await uow.commit()
        return BusinessView.of(business, Role.OWNER)


async def change_business_settings(
    uow: UnitOfWork, actor: Actor, cmd: ChangeBusinessSettings
) -> BusinessView:
    """Applies the owner's changes (setting the same values twice is harmless).

    Raises:
        PermissionDenied: only an owner changes settings.
    """
    async with uow:
        membership = await require_member(uow.session, actor, Role.OWNER, "change settings")
        business = membership.business
        for field in ChangeBusinessSettings.model_fields:
            if field != "request_id" and (value := getattr(cmd, field)) is not None:
                setattr(business, field, value)
        await uow.commit()
        return BusinessView.of(business, membership.role)


async def choose_business(uow: UnitOfWork, user_id: int, business_id: int) -> None:
    """Makes ``business_id`` the one the person acts in when they name none (same transaction)."""
    session = uow.session
    updated = await session.execute(
        update(UserPreference)
        .where(UserPreference.user_id == user_id)
        .values(current_business_id=business_id)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.add(UserPreference(user_id=user_id, current_business_id=business_id))


async def current_business(uow: UnitOfWork, actor: Actor) -> BusinessView:
    """The business the actor works in now, with their role in it.

    Raises:
        NoBusiness: they belong to none (or to several and chose none).
        PermissionDenied: they were removed from the one they chose.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "use the business")
        return BusinessView.of(membership.business, membership.role)
