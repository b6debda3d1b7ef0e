"""Sales shipments (销售出库): goods out at moving average cost."""

from datetime import date
from decimal import Decimal

from pydantic import Field

from core.catalog.models import Customer
from core.commands import Command, MutatingCommand, Quantity, UnitPrice
from core.db.uow import UnitOfWork
from core.errors import NotFound
from core.inventory.documents import (
    add_lines, check_doc_date, earlier_document, open_document, posted, reload,
    require_products, require_warehouse,
)
from core.inventory.ledger import Posting
from core.inventory.models import DocType, DocumentLine
from core.inventory.results import DocumentPosted
from core.numbers import ZERO, mul_div, round_money
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


class ShipmentLine(Command):
    """A product sold, how many, at what unit price."""

    product_id: int
    qty: Quantity
    unit_price: UnitPrice


class PostShipment(MutatingCommand):
    """Ship goods to a customer (or a walk-in customer) from a warehouse."""

    warehouse_id: int | None = None  # None: the default warehouse
    customer_id: int | None = None  # None: walk-in
    doc_date: date | None = None
    note: str = Field(default="", max_length=500)
    lines: tuple[ShipmentLine, ...] = Field(min_length=1, max_length=10_000)


async def post_shipment(uow: UnitOfWork, actor: Actor, cmd: PostShipment) -> DocumentPosted:
    """Posts a sale: goods leave at moving average cost (the COGS, fixed forever).

    Raises:
        PermissionDenied: viewers may not sell.
        NotFound: the warehouse, customer or a product is not in this business.
        ArchivedProduct: a line's product is archived.
        InsufficientStock: a line needs more than is on hand; then nothing is written.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "post shipments")
        business_id = membership.business_id
        if earlier := await earlier_document(
            session, business_id, cmd.request_id, DocType.SHIPMENT
        ):
            return await reload(session, earlier, membership.sees_costs)
        warehouse = await require_warehouse(session, business_id, cmd.warehouse_id)
        if cmd.customer_id is not None:
            customer = await session.get(Customer, cmd.customer_id)
            if customer is None or customer.business_id != business_id:
                raise NotFound("customer", str(cmd.customer_id))
        products = await require_products(session, business_id, (x.product_id for x in cmd.lines))
        currency = membership.business.base_currency
        amounts = [round_money(mul_div(x.qty, x.unit_price), currency) for x in cmd.lines]
        doc = await open_document(
            session, membership, DocType.SHIPMENT, cmd.request_id, warehouse.id,
            check_doc_date(membership, cmd.doc_date), customer_id=cmd.customer_id,
            note=cmd.note, total=sum(amounts, ZERO),
        )
        rows = [
            {"document_id": doc.id, "line_no": n, "product_id": x.product_id, "qty": x.qty,
             "unit_price": x.unit_price, "amount": amount}
            for n, (x, amount) in enumerate(zip(cmd.lines, amounts, strict=True), start=1)
        ]
        line_ids = await add_lines(session, rows)
        posting = await Posting.open(
            session, business_id=business_id, document_id=doc.id, currency=currency,
            allow_negative=membership.business.allow_negative_stock, products=products,
            warehouses={warehouse.id: warehouse},
        )
        values: dict[int, Decimal] = {}
        for line_id, line in zip(line_ids, cmd.lines, strict=True):
            values[line_id] = posting.issue(line_id, warehouse.id, line.product_id, line.qty).value
        await posting.finish()
        await uow.commit()
        lines = [DocumentLine(id=i, **row) for i, row in zip(line_ids, rows, strict=True)]
        return posted(doc, lines, products, values, ZERO, membership.sees_costs)
