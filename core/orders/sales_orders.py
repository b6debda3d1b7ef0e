"""Sales orders (销售订单): confirmed → partially shipped → shipped, or cancelled.

A confirmed order holds (reserves) its lines' remaining quantities in its warehouse, so a
sale not against an order may take only what is available (on hand − reserved). Shipping
against the order posts an ordinary shipment linked to it (goods leave at moving average,
DESIGN rule 4) and releases what it shipped from the hold, in the same transaction.
"""

from pydantic import Field

from core.catalog.models import Customer
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
from core.orders.models import OrderAction, OrderKind
from core.orders.order_rows import (
    MAX_LINES,
    FillCommand,
    OrderLineInput,
    add_event,
    check_products,
    commit_view,
    earlier_order,
    insert_order,
    order_lines,
    progress,
    start_fill,
)
from core.orders.reservations import held, open_posting, rebalance
from core.orders.results import OrderView
from core.orders.views import order_view
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


class CreateSalesOrder(MutatingCommand):
    """Agree to sell to a customer (None: walk-in) from a warehouse (default: the default)."""

    customer_id: int | None = None
    warehouse_id: int | None = None
    lines: tuple[OrderLineInput, ...] = Field(min_length=1, max_length=MAX_LINES)
    note: str = Field(default="", max_length=500)
    confirm: bool = True  # False: a draft, holding nothing until confirmed


class ShipOrder(FillCommand):
    """Ship (all or part of) a confirmed sales order: posts a shipment linked to it."""


async def create_sales_order(uow: UnitOfWork, actor: Actor, cmd: CreateSalesOrder) -> OrderView:
    """Numbers (XSDD-2026-00001) and saves a sales order; confirmed, it holds its stock.

    Raises:
        PermissionDenied: viewers do not sell.
        NotFound: the customer, warehouse or a product is not in this business.
        ArchivedProduct: a line's product is archived.
        InsufficientStock: confirming would hold more than is available (negative stock off);
            then nothing is written.
        RequestConflict: the request id made something else.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "create orders")
        earlier = await earlier_order(session, membership, cmd.request_id, OrderKind.SALES)
        if earlier is not None:
            return await order_view(session, earlier)
        warehouse = await require_warehouse(
            session, membership.business_id, cmd.warehouse_id, party=(Customer, cmd.customer_id)
        )
        await check_products(session, membership, [x.product_id for x in cmd.lines])
        order = await insert_order(
            session,
            membership,
            OrderKind.SALES,
            cmd.request_id,
            {"customer_id": cmd.customer_id},
            warehouse.id,
            cmd.lines,
            cmd.note,
            cmd.confirm,
        )
        if cmd.confirm:
            lines = await order_lines(session, order)
            posting = await open_posting(session, membership, order, lines)
            rebalance(posting, order, lines, {}, check=True)
            await posting.finish()
        return await commit_view(uow, order)


async def ship_order(uow: UnitOfWork, actor: Actor, cmd: ShipOrder) -> DocumentPosted:
    """Posts a shipment of what leaves against a confirmed sales order.

    What the order held for the shipped lines is released first; beyond that (an over-
    shipment) the shipment takes only stock no other order holds.

    Raises:
        PermissionDenied: viewers do not sell.
        NotFound: no such order, or no such line on it.
        OrderNotOpen: the order is a draft, cancelled or already shipped in full.
        BeyondOrder: a line ships more than it still expects, unless ``allow_over``.
        InsufficientStock: not enough on hand (or available, for an over-shipment).
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post shipments", probe=posted_request(cmd.request_id)
        )
        if earlier := await earlier_document(session, membership, DocType.SHIPMENT):
            return await reload(session, earlier, membership.sees_costs)
        fill = await start_fill(session, membership, OrderKind.SALES, DocType.SHIPMENT, cmd)
        order, lines, draft = fill.order, fill.lines, fill.draft
        before = held(order, lines)
        for line, qty, _ in fill.filled:
            line.done_qty += qty
        order.status = progress(lines.values()).value
        rebalance(draft.posting, order, lines, before, check=False)  # its hold goes first
        values = {
            line_no: draft.posting.issue(
                line_no, draft.doc.warehouse_id, line.product_id, qty, leave_reserved=True
            ).value
            for line_no, (line, qty, _) in enumerate(fill.filled, start=1)
        }
        await draft.posting.finish()
        add_event(session, order, membership, OrderAction.SHIPPED, draft.doc.id)
        await uow.commit()
        return posted(
            draft.doc, draft.lines(), draft.posting.products, values, ZERO, membership.sees_costs
        )
