"""What purchase and sales orders share inside a transaction: rows, numbers, events, states."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import Field
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Product, Supplier
from core.commands import Command, MutatingCommand, Quantity, UnitPrice
from core.db.uow import UnitOfWork
from core.errors import ArchivedProduct, BeyondOrder, NotFound, OrderNotOpen, RequestConflict
from core.finance.terms import MoneyTerms
from core.inventory.documents import local_today
from core.inventory.models import DocType
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
from core.orders.results import OrderView
from core.orders.trade import Linked, TradeDocument, TradeDraft, TradeLine, start_trade
from core.orders.views import order_view
from core.sequences import next_number
from core.tenancy.access import Membership

MAX_LINES = 1_000


class OrderLineInput(Command):
    """A product to order, how many, at what unit price."""

    product_id: int
    qty: Quantity
    unit_price: UnitPrice


class FillLine(Command):
    """How much of one order line arrives (or leaves); the order's price unless given."""

    line_no: int
    qty: Quantity
    unit_price: UnitPrice | None = None


FillLines = tuple[FillLine, ...]
FILL_LINES = Field(min_length=1, max_length=MAX_LINES)


class FillCommand(MutatingCommand, MoneyTerms):
    """Receive or ship (all or part of) an order: posts a document linked to it."""

    order_id: int
    lines: FillLines = FILL_LINES
    allow_over: bool = False  # the user confirmed taking more than a line expects
    doc_date: date | None = None  # None: today, business time
    note: str = Field(default="", max_length=500)


def in_business(membership: Membership) -> Select[Order]:
    """Orders of the member's business."""
    return select(Order).where(Order.business_id == membership.business_id)


async def earlier_order(
    session: AsyncSession, membership: Membership, request_id: str, kind: OrderKind
) -> Order | None:
    """The order an earlier request with this id created, if any.

    Raises:
        RequestConflict: the id created an order of the other kind.
    """
    earlier = await session.scalar(in_business(membership).where(Order.request_id == request_id))
    if earlier is not None and earlier.kind != kind:
        raise RequestConflict(request_id)
    return earlier


async def locked_order(
    session: AsyncSession, membership: Membership, order_id: int, kind: OrderKind | None = None
) -> Order:
    """The order, locked on PostgreSQL (two postings against it at once: one waits).

    Raises:
        NotFound: no such order (of this kind) in the business.
    """
    query = in_business(membership).where(Order.id == order_id)
    if kind is not None:
        query = query.where(Order.kind == kind.value)
    if (await session.connection()).dialect.name == "postgresql":
        query = query.with_for_update()
    order = await session.scalar(query)
    if order is None:
        raise NotFound("order", str(order_id))
    return order


async def order_lines(session: AsyncSession, order: Order) -> dict[int, OrderLine]:
    """The order's lines by line number."""
    rows = await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
    return {line.line_no: line for line in rows}


async def check_products(
    session: AsyncSession, membership: Membership, product_ids: list[int]
) -> None:
    """Every product is the business's and active.

    Raises:
        NotFound: a product is not in this business.
        ArchivedProduct: a product is archived.
    """
    rows = await session.execute(
        select(Product.id, Product.sku, Product.archived).where(
            Product.business_id == membership.business_id, Product.id.in_(set(product_ids))
        )
    )
    found = {row.id: row for row in rows}
    for product_id in product_ids:
        if product_id not in found:
            raise NotFound("product", str(product_id))
        if found[product_id].archived:
            raise ArchivedProduct(found[product_id].sku)


async def insert_order(
    session: AsyncSession,
    membership: Membership,
    kind: OrderKind,
    request_id: str,
    party: dict[str, int | None],
    warehouse_id: int,
    lines: tuple[OrderLineInput, ...],
    note: str,
    placed: bool,
) -> Order:
    """Numbers (CGDD-2026-00001, XSDD-…) and inserts an order with its lines and events."""
    year = local_today(membership).year
    number = await next_number(session, membership.business_id, kind.value, year)
    currency = membership.business.base_currency
    amounts = [round_money(mul_div(x.qty, x.unit_price), currency) for x in lines]
    order = Order(
        business_id=membership.business_id,
        kind=kind.value,
        number=f"{kind.value}-{year}-{number:05d}",
        status=(OrderStatus.OPEN if placed else OrderStatus.DRAFT).value,
        request_id=request_id,
        warehouse_id=warehouse_id,
        currency=currency,
        total=sum(amounts, ZERO),
        note=note,
        created_by=membership.member.id,
        **party,
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
        for n, (x, amount) in enumerate(zip(lines, amounts, strict=True), start=1)
    )
    add_event(session, order, membership, OrderAction.CREATED)
    if placed:
        add_event(session, order, membership, OrderAction.PLACED)
    await session.flush()
    return order


async def checked_fills(
    session: AsyncSession, order: Order, lines: dict[int, OrderLine], fills: FillLines, over: bool
) -> list[tuple[OrderLine, Decimal, Decimal]]:
    """(order line, quantity, unit price) per fill, after checking each against the order.

    Raises:
        NotFound: no such line on the order.
        BeyondOrder: more than a line still expects, unless ``over``.
    """
    skus = await session.execute(
        select(Product.id, Product.sku).where(
            Product.id.in_({x.product_id for x in lines.values()})
        )
    )
    sku_of = {row.id: row.sku for row in skus}
    checked = []
    for fill in fills:
        line = lines.get(fill.line_no)
        if line is None:
            raise NotFound("order line", f"{order.number}/{fill.line_no}")
        remaining = max(line.qty - line.done_qty, ZERO)
        if fill.qty > remaining and not over:
            raise BeyondOrder(order.number, sku_of[line.product_id], remaining, fill.qty)
        price = line.unit_price if fill.unit_price is None else fill.unit_price
        checked.append((line, fill.qty, price))
    return checked


@dataclass
class Fill:
    """A receipt or shipment being posted against an order, before its stock is booked."""

    order: Order
    lines: dict[int, OrderLine]  # all the order's lines, by number
    filled: list[tuple[OrderLine, Decimal, Decimal]]  # (line, quantity, unit price)
    draft: TradeDraft  # the document, numbered and linked; ``filled[i]`` is its line i + 1


async def start_fill(
    session: AsyncSession,
    membership: Membership,
    kind: OrderKind,
    doc_type: DocType,
    cmd: FillCommand,
) -> Fill:
    """Checks the order and the quantities, then starts the linked receipt or shipment.

    Raises:
        NotFound: no such order of ``kind``, or no such line on it.
        OrderNotOpen: the order is a draft, cancelled or complete.
        BeyondOrder: a line takes more than it still expects, unless ``cmd.allow_over``.
        ArchivedProduct: a line's product was archived since the order.
    """
    order = await locked_order(session, membership, cmd.order_id, kind)
    if order.status not in OPEN_STATUSES:
        raise OrderNotOpen(order.number, order.status)
    lines = await order_lines(session, order)
    filled = await checked_fills(session, order, lines, cmd.lines, cmd.allow_over)
    purchase = kind == OrderKind.PURCHASE
    draft = await start_trade(
        session,
        membership,
        doc_type,
        TradeDocument(
            request_id=cmd.request_id,
            warehouse_id=order.warehouse_id,
            doc_date=cmd.doc_date,
            note=cmd.note or order.number,
            **cmd.model_dump(include=set(MoneyTerms.model_fields)),
        ),
        tuple(TradeLine(product_id=x.product_id, qty=q, unit_price=p) for x, q, p in filled),
        (Supplier, order.supplier_id) if purchase else (Customer, order.customer_id),
        order=Linked(order.id, [line.line_no for line, _, _ in filled]),
    )
    return Fill(order, lines, filled, draft)


def progress(lines: Iterable[OrderLine]) -> OrderStatus:
    """Open, partial or done, from what the lines have received or shipped."""
    lines = list(lines)
    if all(line.done_qty >= line.qty for line in lines):
        return OrderStatus.DONE
    if any(line.done_qty > 0 for line in lines):
        return OrderStatus.PARTIAL
    return OrderStatus.OPEN


def add_event(
    session: AsyncSession,
    order: Order,
    membership: Membership,
    action: OrderAction,
    document_id: int | None = None,
) -> None:
    """Records who did what to the order (and the document it posted)."""
    session.add(
        OrderEvent(
            order_id=order.id,
            member_id=membership.member.id,
            action=action.value,
            document_id=document_id,
        )
    )


async def commit_view(uow: UnitOfWork, order: Order) -> OrderView:
    """The order as it now stands, then the commit (loaded rows expire at commit)."""
    await uow.session.flush()
    view = await order_view(uow.session, order)
    await uow.commit()
    return view
