"""What owners and managers change about stock alerts: snooze, mute, per-warehouse points."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.models import (
    PartySnooze,
    StockAlertRule,
    UnreachableChat,
    WarehouseReorderPoint,
)
from core.catalog.models import Customer, Product, Warehouse
from core.commands import Command, CountedQuantity
from core.db.uow import UnitOfWork
from core.errors import NotFound, PermissionDenied
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Member, Role

SNOOZE_DAYS = 7


class QuietProduct(Command):
    """Snooze a product's low-stock alerts for some days, mute them, or turn them back on."""

    product_id: int
    snooze_days: int | None = None  # None with mute=None: alerts back on
    mute: bool | None = None


class SetWarehousePoint(Command):
    """A product's reorder point in one warehouse; None removes it."""

    product_id: int
    warehouse_id: int
    reorder_point: CountedQuantity | None = None


async def quiet_product(
    uow: UnitOfWork, actor: Actor, cmd: QuietProduct, now: datetime
) -> StockAlertRule:
    """Snoozes (until ``now`` + days), mutes, or clears; the same request twice is harmless.

    Raises:
        PermissionDenied: below manager (they are the ones alerted).
        NotFound: no such product in this business.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "quiet alerts")
        await _product(session, membership, cmd.product_id)
        rule = await session.get(StockAlertRule, cmd.product_id)
        if rule is None:
            rule = StockAlertRule(
                product_id=cmd.product_id, business_id=membership.business_id, muted=False
            )
            session.add(rule)
        if cmd.mute is not None:
            rule.muted = cmd.mute
        if cmd.snooze_days is not None:
            rule.snoozed_until = now + timedelta(days=cmd.snooze_days)
        if cmd.mute is None and cmd.snooze_days is None:
            rule.muted, rule.snoozed_until = False, None
        await session.flush()
        await uow.commit()
        return rule


async def set_warehouse_point(
    uow: UnitOfWork, actor: Actor, cmd: SetWarehousePoint
) -> Decimal | None:
    """Sets (or removes) the product's point in the warehouse.

    Raises:
        PermissionDenied: below manager.
        NotFound: the product or warehouse is not in this business.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "change products")
        await _product(session, membership, cmd.product_id)
        warehouse = await session.get(Warehouse, cmd.warehouse_id)
        if warehouse is None or warehouse.business_id != membership.business_id:
            raise NotFound("warehouse", str(cmd.warehouse_id))
        row = await session.get(WarehouseReorderPoint, (cmd.product_id, cmd.warehouse_id))
        if cmd.reorder_point is None:
            if row is not None:
                await session.delete(row)
        elif row is None:
            session.add(
                WarehouseReorderPoint(
                    product_id=cmd.product_id,
                    warehouse_id=cmd.warehouse_id,
                    business_id=membership.business_id,
                    reorder_point=cmd.reorder_point,
                )
            )
        else:
            row.reorder_point = cmd.reorder_point
        await uow.commit()
        return cmd.reorder_point


async def _product(session: AsyncSession, membership: Membership, product_id: int) -> Product:
    product = await session.scalar(
        select(Product).where(
            Product.id == product_id, Product.business_id == membership.business_id
        )
    )
    if product is None:
        raise NotFound("product", str(product_id))
    return product


class SnoozeCustomer(Command):
    """No overdue reminder about this customer for some days."""

    customer_id: int
    days: int = Field(default=3, ge=1, le=90)


async def snooze_customer(uow: UnitOfWork, actor: Actor, cmd: SnoozeCustomer, today: date) -> date:
    """Snoozes the customer's reminder until ``today`` + days (local dates); returns that date.

    Raises:
        PermissionDenied: below manager.
        NotFound: no such customer in this business.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "snooze reminders")
        customer = await session.get(Customer, cmd.customer_id)
        if customer is None or customer.business_id != membership.business_id:
            raise NotFound("customer", str(cmd.customer_id))
        until = today + timedelta(days=cmd.days)
        row = await session.get(PartySnooze, cmd.customer_id)
        if row is None:
            session.add(
                PartySnooze(
                    customer_id=cmd.customer_id, business_id=membership.business_id, until=until
                )
            )
        else:
            row.until = until
        await uow.commit()
        return until


class ChangeAlertSwitches(Command):
    """A member's alerts and digest on or off; None leaves one as it is."""

    member_id: int | None = None  # None: the actor's own
    alerts_on: bool | None = None
    digest_on: bool | None = None


async def change_alert_switches(
    uow: UnitOfWork, actor: Actor, cmd: ChangeAlertSwitches
) -> tuple[bool, bool]:
    """Sets a member's switches: the owner anyone's, a manager their own.

    Returns (alerts_on, digest_on) as they now are.

    Raises:
        PermissionDenied: a manager changing someone else's, or anyone below manager.
        NotFound: no such member of this business.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "change alerts")
        member_id = cmd.member_id or membership.member.id
        if member_id != membership.member.id and membership.role != Role.OWNER:
            raise PermissionDenied("change someone else's alerts", membership.role.value)
        member = await session.get(Member, member_id)
        if member is None or member.business_id != membership.business_id:
            raise NotFound("member", str(member_id))
        if cmd.alerts_on is not None:
            member.alerts_on = cmd.alerts_on
        if cmd.digest_on is not None:
            member.digest_on = cmd.digest_on
        switches = (member.alerts_on, member.digest_on)
        await uow.commit()
        return switches


@dataclass(frozen=True)
class AlertSwitches:
    """An owner's or manager's alert and digest switches, and whether the bot reaches them."""

    member_id: int
    user_id: int
    display_name: str
    role: str
    alerts_on: bool
    digest_on: bool
    reachable: bool


async def alert_switches(uow: UnitOfWork, actor: Actor) -> list[AlertSwitches]:
    """Every active owner's and manager's switches, for the owner's settings.

    Raises:
        PermissionDenied: only an owner sees everyone's.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.OWNER, "see alert settings")
        blocked = set(
            await session.scalars(
                select(UnreachableChat.chat_id).where(
                    UnreachableChat.business_id == membership.business_id
                )
            )
        )
        members = await session.scalars(
            select(Member)
            .where(
                Member.business_id == membership.business_id,
                Member.active.is_(True),
                Member.role.in_([Role.OWNER.value, Role.MANAGER.value]),
            )
            .order_by(Member.id)
        )
        return [
            AlertSwitches(
                m.id,
                m.user_id,
                m.display_name,
                m.role,
                m.alerts_on,
                m.digest_on,
                m.user_id not in blocked,
            )
            for m in members
        ]


async def mark_reachable(uow: UnitOfWork, chat_id: int) -> int:
    """The chat talks to the bot again (/start, /bind): alerts go to it again, everywhere.

    Returns how many businesses had it marked unreachable.
    """
    async with uow:
        result = await uow.session.execute(
            delete(UnreachableChat).where(UnreachableChat.chat_id == chat_id)
        )
        await uow.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class WarehousePoint:
    """An active warehouse and the product's reorder point there (None: none of its own)."""

    warehouse_id: int
    name: str
    reorder_point: Decimal | None


async def warehouse_points(uow: UnitOfWork, actor: Actor, product_id: int) -> list[WarehousePoint]:
    """The product's point in each active warehouse of the business.

    Raises:
        PermissionDenied: viewers.
        NotFound: no such product in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see products")
        await _product(session, membership, product_id)
        rows = await session.execute(
            select(WarehouseReorderPoint.warehouse_id, WarehouseReorderPoint.reorder_point).where(
                WarehouseReorderPoint.product_id == product_id
            )
        )
        points: dict[int, Decimal] = {row[0]: row[1] for row in rows}
        warehouses = await session.scalars(
            select(Warehouse)
            .where(Warehouse.business_id == membership.business_id, Warehouse.archived.is_(False))
            .order_by(Warehouse.is_default.desc(), Warehouse.id)
        )
        return [WarehousePoint(w.id, w.name, points.get(w.id)) for w in warehouses]
