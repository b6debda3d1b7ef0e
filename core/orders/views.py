"""Reading an order back as its view: lines with products, history with who and which document."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Product, Supplier, Warehouse
from core.inventory.models import Document
from core.orders.models import Order, OrderEvent, OrderLine
from core.orders.results import OrderEventView, OrderLineView, OrderView
from core.tenancy.models import Member


async def order_view(session: AsyncSession, order: Order) -> OrderView:
    """The order with its lines (in order) and its events (oldest first)."""
    lines = await session.execute(
        select(OrderLine, Product.sku, Product.name, Product.unit)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.line_no)
    )
    events = await session.execute(
        select(OrderEvent, Member.display_name, Document.number)
        .join(Member, Member.id == OrderEvent.member_id)
        .outerjoin(Document, Document.id == OrderEvent.document_id)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.id)
    )
    party_id = order.supplier_id if order.supplier_id is not None else order.customer_id
    party_name = None
    if party_id is not None:
        model = Supplier if order.supplier_id is not None else Customer
        party_name = await session.scalar(select(model.name).where(model.id == party_id))
    warehouse = await session.scalar(
        select(Warehouse.name).where(Warehouse.id == order.warehouse_id)
    )
    return OrderView(
        order_id=order.id,
        kind=order.kind,
        number=order.number,
        status=order.status,
        party_id=party_id,
        party_name=party_name,
        warehouse_id=order.warehouse_id,
        warehouse_name=warehouse or "",
        currency=order.currency,
        total=order.total,
        note=order.note,
        created_at=order.created_at,
        lines=tuple(
            OrderLineView(
                line_no=row.OrderLine.line_no,
                product_id=row.OrderLine.product_id,
                sku=row.sku,
                name=row.name,
                unit=row.unit,
                qty=row.OrderLine.qty,
                done_qty=row.OrderLine.done_qty,
                unit_price=row.OrderLine.unit_price,
                amount=row.OrderLine.amount,
            )
            for row in lines
        ),
        events=tuple(
            OrderEventView(
                at=row.OrderEvent.at,
                member=row.display_name,
                action=row.OrderEvent.action,
                document_number=row.number,
            )
            for row in events
        ),
    )
