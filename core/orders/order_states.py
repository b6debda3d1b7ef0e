"""Placing, cancelling, reading and listing orders of either kind; reopening after a void.

A sales order holds stock while it is open (``reservations``): placing it holds its lines,
cancelling releases what was not shipped, and every change goes through the same rebalance.
"""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Supplier
from core.commands import Command
from core.db.uow import UnitOfWork
from core.errors import NotFound, OrderNotOpen, PermissionDenied
from core.inventory.ledger import Posting
from core.orders.models import Order, OrderAction, OrderKind, OrderLine, OrderStatus
from core.orders.order_rows import add_event, commit_view, in_business, locked_order, progress
from core.orders.order_rows import order_lines as lines_of
from core.orders.reservations import held, open_posting, rebalance
from core.orders.results import OrderSummary, OrderView
from core.orders.views import order_view
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

LIST_LIMIT = 20


class PlaceOrder(Command):
    """Send a draft purchase order, or confirm a draft sales order (which then holds stock)."""

    order_id: int


class CancelOrder(Command):
    """Cancel an order not complete; what it still expected is no longer due (or held)."""

    order_id: int


async def place_order(uow: UnitOfWork, actor: Actor, cmd: PlaceOrder) -> OrderView:
    """Places a draft order (placing a placed one changes nothing).

    Raises:
        PermissionDenied: viewers do not order.
        NotFound: no such order in this business.
        OrderNotOpen: it was cancelled.
        InsufficientStock: a sales order would hold more than is available.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "place orders")
        order = await locked_order(session, membership, cmd.order_id)
        if order.status == OrderStatus.CANCELLED:
            raise OrderNotOpen(order.number, order.status)
        if order.status == OrderStatus.DRAFT:
            await _change(session, membership, order, OrderStatus.OPEN, check=True)
            add_event(session, order, membership, OrderAction.PLACED)
        return await commit_view(uow, order)


async def cancel_order(uow: UnitOfWork, actor: Actor, cmd: CancelOrder) -> OrderView:
    """Cancels an order not yet complete; what was received or shipped stays so.

    A clerk may cancel a draft of their own; placed orders need a manager. Cancelling a
    cancelled order changes nothing.

    Raises:
        PermissionDenied: as above.
        NotFound: no such order in this business.
        OrderNotOpen: it is complete.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "cancel orders")
        order = await locked_order(session, membership, cmd.order_id)
        if order.status == OrderStatus.CANCELLED:
            return await order_view(session, order)
        if order.status == OrderStatus.DONE:
            raise OrderNotOpen(order.number, order.status)
        own_draft = order.status == OrderStatus.DRAFT and order.created_by == membership.member.id
        if not own_draft and not membership.role.at_least(Role.MANAGER):
            raise PermissionDenied("cancel orders", membership.role.value)
        await _change(session, membership, order, OrderStatus.CANCELLED, check=False)
        add_event(session, order, membership, OrderAction.CANCELLED)
        return await commit_view(uow, order)


async def reopen_after_void(
    posting: Posting,
    membership: Membership,
    order_id: int,
    filled: dict[int, Decimal],
    document_id: int,
) -> None:
    """A receipt or shipment against the order was voided: its quantities are due again.

    ``filled`` is what the voided document moved per order line; ``posting`` is the void's,
    so a sales order holds its lines again under the same locks. A cancelled order stays
    cancelled (it simply received or shipped less).
    """
    session = posting.session
    order = await locked_order(session, membership, order_id)
    lines = await lines_of(session, order)
    before = held(order, lines)
    for line_no, qty in filled.items():
        lines[line_no].done_qty -= qty
    if order.status != OrderStatus.CANCELLED:
        order.status = progress(lines.values()).value
    rebalance(posting, order, lines, before, check=False)
    add_event(session, order, membership, OrderAction.REOPENED, document_id)


async def get_order(uow: UnitOfWork, actor: Actor, order_id: int) -> OrderView:
    """One order of the actor's business with its lines and history.

    Raises:
        PermissionDenied: viewers see stock only.
        NotFound: no such order in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see orders")
        order = await session.scalar(in_business(membership).where(Order.id == order_id))
        if order is None:
            raise NotFound("order", str(order_id))
        return await order_view(session, order)


async def list_orders(
    uow: UnitOfWork,
    actor: Actor,
    kind: OrderKind,
    statuses: tuple[OrderStatus, ...] = (OrderStatus.OPEN, OrderStatus.PARTIAL),
    limit: int = LIST_LIMIT,
) -> list[OrderSummary]:
    """The newest orders of a kind in the given states.

    Raises:
        PermissionDenied: viewers see stock only.
    """
    party = Supplier if kind == OrderKind.PURCHASE else Customer
    party_id = Order.supplier_id if kind == OrderKind.PURCHASE else Order.customer_id
    line_count = select(func.count()).where(OrderLine.order_id == Order.id).scalar_subquery()
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see orders")
        query = (
            select(Order, party.name.label("party_name"), line_count.label("line_count"))
            .outerjoin(party, party.id == party_id)
            .where(
                Order.business_id == membership.business_id,
                Order.kind == kind.value,
                Order.status.in_([s.value for s in statuses]),
            )
            .order_by(Order.id.desc())
            .limit(limit)
        )
        return [
            OrderSummary(
                order_id=row.Order.id,
                number=row.Order.number,
                status=row.Order.status,
                party_name=row.party_name,
                total=row.Order.total,
                lines=int(row.line_count),
                created_at=row.Order.created_at,
            )
            for row in await session.execute(query)
        ]


async def _change(
    session: AsyncSession,
    membership: Membership,
    order: Order,
    status: OrderStatus,
    *,
    check: bool,
) -> None:
    """Sets the state; a sales order's reservations follow it."""
    if order.kind != OrderKind.SALES:
        order.status = status.value
        return
    lines = await lines_of(session, order)
    posting = await open_posting(session, membership, order, lines)
    before = held(order, lines)
    order.status = status.value
    rebalance(posting, order, lines, before, check=check)
    await posting.finish()
