"""Purchase orders (采购订单): ordered → partially received → received, or cancelled.

Receiving against an order posts an ordinary purchase receipt (DESIGN rule 4 values it at
the price paid) linked to the order and its lines; the lines' received quantities rise in
the same transaction, and fall again when that receipt is voided. Open orders are what is
"on order" for the stock card.
"""

from decimal import Decimal
from typing import Any

from pydantic import Field
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Product, Supplier
from core.commands import Command, MutatingCommand, Quantity, UnitPrice
from core.db.uow import UnitOfWork
from core.errors import (
    ArchivedProduct,
    NotFound,
    OrderNotOpen,
    OverReceipt,
    PermissionDenied,
    RequestConflict,
)
from core.inventory.documents import (
    earlier_document,
    local_today,
    posted,
    posted_request,
    reload,
    require_warehouse,
)
from core.inventory.models import DocType
from core.inventory.results import DocumentPosted
from core.numbers import ZERO, mul_div, round_money
from core.orders.models import (
    OPEN_STATUSES,
    Order,
    OrderAction,
    OrderEvent,
    OrderKind,
    OrderLine,
    OrderStatus,
)
from core.orders.receipts import PostReceipt, ReceiptLine
from core.orders.results import OnOrder, OrderSummary, OrderView
from core.orders.trade import start_trade
from core.orders.views import order_view
from core.sequences import next_number
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

MAX_LINES = 1_000
LIST_LIMIT = 20


class OrderLineInput(Command):
    """A product to order, how many, at what unit price."""

    product_id: int
    qty: Quantity
    unit_price: UnitPrice


class CreatePurchaseOrder(MutatingCommand):
    """Order goods from a supplier, to be received into a warehouse (default: the default)."""

    supplier_id: int
    warehouse_id: int | None = None
    lines: tuple[OrderLineInput, ...] = Field(min_length=1, max_length=MAX_LINES)
    note: str = Field(default="", max_length=500)
    place: bool = True  # False: keep it as a draft to place later


class PlaceOrder(Command):
    """Send a draft order: from now on it counts as on order."""

    order_id: int


class CancelOrder(Command):
    """Cancel an order that is not fully received; what it still expected is no longer due."""

    order_id: int


class ReceiveLine(Command):
    """How much of one order line arrived; the order's price unless another is given."""

    line_no: int
    qty: Quantity
    unit_price: UnitPrice | None = None


class ReceiveOrder(MutatingCommand):
    """Receive (all or part of) a purchase order: posts a receipt linked to it."""

    order_id: int
    lines: tuple[ReceiveLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    allow_over: bool = False  # the user confirmed receiving more than a line expects
    doc_date: Any = None  # a date; None: today, business time
    note: str = Field(default="", max_length=500)


async def create_purchase_order(
    uow: UnitOfWork, actor: Actor, cmd: CreatePurchaseOrder
) -> OrderView:
    """Numbers (CGDD-2026-00001) and saves a purchase order, placed unless asked otherwise.

    Raises:
        PermissionDenied: viewers do not order.
        NotFound: the supplier, warehouse or a product is not in this business.
        ArchivedProduct: a line's product is archived.
        RequestConflict: the request id made something else.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "create orders")
        earlier = await session.scalar(
            select(Order).where(
                Order.business_id == membership.business_id, Order.request_id == cmd.request_id
            )
        )
        if earlier is not None:
            if earlier.kind != OrderKind.PURCHASE:
                raise RequestConflict(cmd.request_id)
            return await order_view(session, earlier)
        warehouse = await require_warehouse(
            session, membership.business_id, cmd.warehouse_id, party=(Supplier, cmd.supplier_id)
        )
        await _check_products(session, membership, [x.product_id for x in cmd.lines])
        order = await _insert_order(session, membership, cmd, warehouse.id)
        return await _commit(uow, order)


async def place_order(uow: UnitOfWork, actor: Actor, cmd: PlaceOrder) -> OrderView:
    """Places a draft order (placing a placed one changes nothing).

    Raises:
        PermissionDenied: viewers do not order.
        NotFound: no such order in this business.
        OrderNotOpen: it was cancelled.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "place orders")
        order = await _locked_order(session, membership, cmd.order_id)
        if order.status == OrderStatus.DRAFT:
            order.status = OrderStatus.OPEN.value
            _event(session, order, membership, OrderAction.PLACED)
        elif order.status == OrderStatus.CANCELLED:
            raise OrderNotOpen(order.number, order.status)
        return await _commit(uow, order)


async def cancel_order(uow: UnitOfWork, actor: Actor, cmd: CancelOrder) -> OrderView:
    """Cancels an order not yet complete; what was received stays received.

    A clerk may cancel a draft of their own; placed orders need a manager. Cancelling a
    cancelled order changes nothing.

    Raises:
        PermissionDenied: as above.
        NotFound: no such order in this business.
        OrderNotOpen: it is complete (received in full).
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "cancel orders")
        order = await _locked_order(session, membership, cmd.order_id)
        if order.status == OrderStatus.CANCELLED:
            return await order_view(session, order)
        if order.status == OrderStatus.DONE:
            raise OrderNotOpen(order.number, order.status)
        own_draft = order.status == OrderStatus.DRAFT and order.created_by == membership.member.id
        if not own_draft and not membership.role.at_least(Role.MANAGER):
            raise PermissionDenied("cancel orders", membership.role.value)
        order.status = OrderStatus.CANCELLED.value
        _event(session, order, membership, OrderAction.CANCELLED)
        return await _commit(uow, order)


async def receive_order(uow: UnitOfWork, actor: Actor, cmd: ReceiveOrder) -> DocumentPosted:
    """Posts a receipt for what arrived against a placed purchase order.

    Raises:
        PermissionDenied: viewers do not receive goods.
        NotFound: no such order, or no such line on it.
        OrderNotOpen: the order is a draft, cancelled or already received in full.
        OverReceipt: a line receives more than it still expects, unless ``allow_over``.
        ArchivedProduct: a line's product was archived since the order.
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post receipts", probe=posted_request(cmd.request_id)
        )
        if earlier := await earlier_document(session, membership, DocType.RECEIPT):
            return await reload(session, earlier, membership.sees_costs)
        order = await _locked_order(session, membership, cmd.order_id, OrderKind.PURCHASE)
        if order.status not in OPEN_STATUSES:
            raise OrderNotOpen(order.number, order.status)
        lines = await _order_lines(session, order)
        receipt = await _receipt(session, order, lines, cmd)
        draft = await start_trade(
            session,
            membership,
            DocType.RECEIPT,
            receipt,
            receipt.lines,
            (Supplier, order.supplier_id),
            order=(order.id, [x.line_no for x in cmd.lines]),
        )
        values, variance = {}, ZERO
        for line_no, line in enumerate(receipt.lines, start=1):
            booked = draft.posting.receive(
                line_no, draft.doc.warehouse_id, line.product_id, line.qty, line.unit_price
            )
            values[line_no], variance = booked.value, variance + booked.variance
        await draft.posting.finish()
        for x in cmd.lines:
            lines[x.line_no].done_qty += x.qty
        order.status = _progress(lines.values()).value
        _event(session, order, membership, OrderAction.RECEIVED, draft.doc.id)
        await uow.commit()
        return posted(
            draft.doc,
            draft.lines(),
            draft.posting.products,
            values,
            variance,
            membership.sees_costs,
        )


async def get_order(uow: UnitOfWork, actor: Actor, order_id: int) -> OrderView:
    """One order of the actor's business with its lines and history.

    Raises:
        PermissionDenied: viewers see stock only.
        NotFound: no such order in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see orders")
        order = await session.scalar(_in_business(membership).where(Order.id == order_id))
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
    party = Supplier if kind == OrderKind.PURCHASE else None
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see orders")
        lines = (
            select(func.count())
            .where(OrderLine.order_id == Order.id)
            .scalar_subquery()
            .label("line_count")
        )
        query = (
            select(Order, Supplier.name.label("party_name") if party else Order.note, lines)
            .where(
                Order.business_id == membership.business_id,
                Order.kind == kind.value,
                Order.status.in_([s.value for s in statuses]),
            )
            .order_by(Order.id.desc())
            .limit(limit)
        )
        if party is not None:
            query = query.outerjoin(Supplier, Supplier.id == Order.supplier_id)
        return [
            OrderSummary(
                order_id=row.Order.id,
                number=row.Order.number,
                status=row.Order.status,
                party_name=row.party_name if party else None,
                total=row.Order.total,
                lines=int(row.line_count),
                created_at=row.Order.created_at,
            )
            for row in await session.execute(query)
        ]


async def on_order(uow: UnitOfWork, actor: Actor, product_id: int) -> OnOrder:
    """What placed, not yet complete purchase orders still expect of a product, per warehouse.

    Raises:
        PermissionDenied: not a member of the business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock")
        remaining = func.sum(OrderLine.qty - OrderLine.done_qty)
        rows = await session.execute(
            select(Order.warehouse_id, remaining)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(
                Order.business_id == membership.business_id,
                Order.kind == OrderKind.PURCHASE.value,
                Order.status.in_(OPEN_STATUSES),
                OrderLine.product_id == product_id,
                OrderLine.done_qty < OrderLine.qty,
            )
            .group_by(Order.warehouse_id)
        )
        return OnOrder(product_id, {w: Decimal(q) for w, q in rows if q})


async def reopen_after_void(
    session: AsyncSession,
    membership: Membership,
    order_id: int,
    filled: dict[int, Decimal],
    document_id: int,
) -> None:
    """A receipt against the order was voided: its quantities are expected again.

    ``filled`` is what the voided document received per order line. A cancelled order stays
    cancelled (what it received is simply less).
    """
    order = await _locked_order(session, membership, order_id)
    lines = await _order_lines(session, order)
    for line_no, qty in filled.items():
        lines[line_no].done_qty -= qty
    if order.status != OrderStatus.CANCELLED:
        order.status = _progress(lines.values()).value
    _event(session, order, membership, OrderAction.REOPENED, document_id)


# -- inside a transaction ----------------------------------------------------------------------


async def _commit(uow: UnitOfWork, order: Order) -> OrderView:
    """The order as it now stands, then the commit (loaded rows expire at commit)."""
    await uow.session.flush()
    view = await order_view(uow.session, order)
    await uow.commit()
    return view


def _in_business(membership: Membership) -> Select[Order]:
    return select(Order).where(Order.business_id == membership.business_id)


async def _locked_order(
    session: AsyncSession, membership: Membership, order_id: int, kind: OrderKind | None = None
) -> Order:
    query = _in_business(membership).where(Order.id == order_id)
    if kind is not None:
        query = query.where(Order.kind == kind.value)
    if (await session.connection()).dialect.name == "postgresql":
        query = query.with_for_update()  # two receipts of one order at once: one waits
    order = await session.scalar(query)
    if order is None:
        raise NotFound("order", str(order_id))
    return order


async def _order_lines(session: AsyncSession, order: Order) -> dict[int, OrderLine]:
    rows = await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
    return {line.line_no: line for line in rows}


async def _receipt(
    session: AsyncSession, order: Order, lines: dict[int, OrderLine], cmd: ReceiveOrder
) -> PostReceipt:
    """The receipt a receiving posts, after checking each line against the order."""
    skus = await session.execute(
        select(Product.id, Product.sku).where(
            Product.id.in_({x.product_id for x in lines.values()})
        )
    )
    products = {row.id: row.sku for row in skus}
    receipt_lines = []
    for x in cmd.lines:
        line = lines.get(x.line_no)
        if line is None:
            raise NotFound("order line", f"{order.number}/{x.line_no}")
        remaining = max(line.qty - line.done_qty, ZERO)
        if x.qty > remaining and not cmd.allow_over:
            raise OverReceipt(order.number, products[line.product_id], remaining, x.qty)
        price = line.unit_price if x.unit_price is None else x.unit_price
        receipt_lines.append(ReceiptLine(product_id=line.product_id, qty=x.qty, unit_price=price))
    return PostReceipt(
        request_id=cmd.request_id,
        warehouse_id=order.warehouse_id,
        supplier_id=order.supplier_id,
        doc_date=cmd.doc_date,
        note=cmd.note or order.number,
        lines=tuple(receipt_lines),
    )


async def _check_products(
    session: AsyncSession, membership: Membership, product_ids: list[int]
) -> None:
    wanted = set(product_ids)
    rows = await session.execute(
        select(Product.id, Product.sku, Product.archived).where(
            Product.business_id == membership.business_id, Product.id.in_(wanted)
        )
    )
    found = {row.id: row for row in rows}
    for product_id in product_ids:
        if product_id not in found:
            raise NotFound("product", str(product_id))
        if found[product_id].archived:
            raise ArchivedProduct(found[product_id].sku)


async def _insert_order(
    session: AsyncSession, membership: Membership, cmd: CreatePurchaseOrder, warehouse_id: int
) -> Order:
    year = local_today(membership).year
    kind = OrderKind.PURCHASE.value
    number = await next_number(session, membership.business_id, kind, year)
    currency = membership.business.base_currency
    amounts = [round_money(mul_div(x.qty, x.unit_price), currency) for x in cmd.lines]
    order = Order(
        business_id=membership.business_id,
        kind=kind,
        number=f"{kind}-{year}-{number:05d}",
        status=(OrderStatus.OPEN if cmd.place else OrderStatus.DRAFT).value,
        request_id=cmd.request_id,
        supplier_id=cmd.supplier_id,
        warehouse_id=warehouse_id,
        currency=currency,
        total=sum(amounts, ZERO),
        note=cmd.note,
        created_by=membership.member.id,
    )
    session.add(order)
    await session.flush()
    session.add_all(
        OrderLine(
            order_id=order.id,
            line_no=n,
            product_id=x.product_id,
            qty=x.qty,
            done_qty=ZERO,
            unit_price=x.unit_price,
            amount=amount,
        )
        for n, (x, amount) in enumerate(zip(cmd.lines, amounts, strict=True), start=1)
    )
    _event(session, order, membership, OrderAction.CREATED)
    if cmd.place:
        _event(session, order, membership, OrderAction.PLACED)
    return order


def _progress(lines: Any) -> OrderStatus:
    """Open, partial or done, from what the lines have received."""
    lines = list(lines)
    if all(line.done_qty >= line.qty for line in lines):
        return OrderStatus.DONE
    if any(line.done_qty > 0 for line in lines):
        return OrderStatus.PARTIAL
    return OrderStatus.OPEN


def _event(
    session: AsyncSession,
    order: Order,
    membership: Membership,
    action: OrderAction,
    document_id: int | None = None,
) -> None:
    session.add(
        OrderEvent(
            order_id=order.id,
            member_id=membership.member.id,
            action=action.value,
            document_id=document_id,
        )
    )
