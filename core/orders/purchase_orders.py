"""Purchase orders (采购订单): ordered → partially received → received, or cancelled.

Receiving against an order posts an ordinary purchase receipt (DESIGN rule 4 values it at
the price paid) linked to the order and its lines; the lines' received quantities rise in
the same transaction, and fall again when that receipt is voided (``order_states``). Placed
orders not yet complete are what is "on order" for the stock card.
"""

from decimal import Decimal

from pydantic import Field
from sqlalchemy import func, select

from core.catalog.models import Supplier
from core.commands import MutatingCommand
from core.db.uow import UnitOfWork
from core.inventory.documents import (
    earlier_document,
    posted,
    posted_request,
    reload,
    require_warehouse,
)
from core.inventory.models import DocType
from core.inventory.results import DocumentPosted
from core.numbers import ZERO
from core.orders.models import OPEN_STATUSES, Order, OrderAction, OrderKind, OrderLine
from core.orders.order_rows import (
    MAX_LINES,
    FillCommand,
    OrderLineInput,
    add_event,
    check_products,
    commit_view,
    earlier_order,
    insert_order,
    progress,
    start_fill,
)
from core.orders.results import OnOrder, OrderView
from core.orders.views import order_view
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


class CreatePurchaseOrder(MutatingCommand):
    """Order goods from a supplier, to be received into a warehouse (default: the default)."""

    supplier_id: int
    warehouse_id: int | None = None
    lines: tuple[OrderLineInput, ...] = Field(min_length=1, max_length=MAX_LINES)
    note: str = Field(default="", max_length=500)
    place: bool = True  # False: keep it as a draft to place later


class ReceiveOrder(FillCommand):
    """Receive (all or part of) a purchase order: posts a receipt linked to it."""


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
        earlier = await earlier_order(session, membership, cmd.request_id, OrderKind.PURCHASE)
        if earlier is not None:
            return await order_view(session, earlier)
        warehouse = await require_warehouse(
            session, membership.business_id, cmd.warehouse_id, party=(Supplier, cmd.supplier_id)
        )
        await check_products(session, membership, [x.product_id for x in cmd.lines])
        order = await insert_order(
            session,
            membership,
            OrderKind.PURCHASE,
            cmd.request_id,
            {"supplier_id": cmd.supplier_id},
            warehouse.id,
            cmd.lines,
            cmd.note,
            cmd.place,
        )
        return await commit_view(uow, order)


async def receive_order(uow: UnitOfWork, actor: Actor, cmd: ReceiveOrder) -> DocumentPosted:
    """Posts a receipt for what arrived against a placed purchase order.

    Raises:
        PermissionDenied: viewers do not receive goods.
        NotFound: no such order, or no such line on it.
        OrderNotOpen: the order is a draft, cancelled or already received in full.
        BeyondOrder: a line receives more than it still expects, unless ``allow_over``.
        ArchivedProduct: a line's product was archived since the order.
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post receipts", probe=posted_request(cmd.request_id)
        )
        if earlier := await earlier_document(session, membership, DocType.RECEIPT):
            return await reload(session, earlier, membership.sees_costs)
        fill = await start_fill(session, membership, OrderKind.PURCHASE, DocType.RECEIPT, cmd)
        draft = fill.draft
        values, variance = {}, ZERO
        for line_no, (line, qty, price) in enumerate(fill.filled, start=1):
            booked = draft.posting.receive(
                line_no, draft.doc.warehouse_id, line.product_id, qty, price * draft.rate
            )
            values[line_no], variance = booked.value, variance + booked.variance
            line.done_qty += qty
            if fill.order.supplier_id is not None:
                draft.posting.note_supplier(line.product_id, fill.order.supplier_id, price)
        await draft.posting.finish()
        fill.order.status = progress(fill.lines.values()).value
        add_event(session, fill.order, membership, OrderAction.RECEIVED, draft.doc.id)
        await uow.commit()
        return posted(
            draft.doc,
            draft.lines(),
            draft.posting.products,
            values,
            variance,
            membership.sees_costs,
        )


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
