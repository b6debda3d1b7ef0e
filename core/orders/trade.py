"""What a purchase receipt and a sales shipment share: a party, priced lines, a total."""

from datetime import date

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Supplier
from core.commands import Command, MutatingCommand, Quantity, UnitPrice
from core.inventory.documents import Draft, require_warehouse, start_document
from core.inventory.ledger import Posting
from core.inventory.models import DocType
from core.numbers import ZERO, mul_div, round_money
from core.tenancy.access import Membership


class TradeLine(Command):
    """A product, how many, at what unit price."""

    product_id: int
    qty: Quantity
    unit_price: UnitPrice


class TradeDocument(MutatingCommand):
    """Fields a receipt and a shipment share."""

    warehouse_id: int | None = None  # None: the default warehouse
    doc_date: date | None = None  # None: today, business time; never later
    note: str = Field(default="", max_length=500)


async def start_trade(
    session: AsyncSession,
    membership: Membership,
    doc_type: DocType,
    cmd: TradeDocument,
    lines: tuple[TradeLine, ...],
    party: tuple[type[Supplier] | type[Customer], int | None],
    *,
    order: tuple[int, list[int]] | None = None,
    returns: tuple[int, list[int]] | None = None,
    override_reason: str = "",
) -> Draft:
    """Checks the party, warehouse and products; numbers and inserts the priced document.

    ``order`` links the document to an order: its id and, per line, the order line it fills;
    ``returns`` to the document it returns: its id and, per line, the line it returns.

    Raises:
        NotFound: the warehouse, the party or a product is not in this business.
        ArchivedProduct: a line's product is archived.
    """
    warehouse = await require_warehouse(
        session, membership.business_id, cmd.warehouse_id, party=party
    )
    model, party_id = party
    posting = await Posting.open(session, membership, (x.product_id for x in lines), [warehouse])
    currency = membership.business.base_currency
    amounts = [round_money(mul_div(x.qty, x.unit_price), currency) for x in lines]
    party_field = "supplier_id" if model is Supplier else "customer_id"
    order_id, order_lines = order if order is not None else (None, [None] * len(lines))
    returns_id, returned = returns if returns is not None else (None, [None] * len(lines))
    return await start_document(
        session,
        membership,
        doc_type,
        cmd.request_id,
        cmd.doc_date,
        posting,
        [
            {
                "product_id": x.product_id,
                "qty": x.qty,
                "unit_price": x.unit_price,
                "amount": a,
                "order_line_no": n,
                "returns_line_no": r,
            }
            for x, a, n, r in zip(lines, amounts, order_lines, returned, strict=True)
        ],
        warehouse_id=warehouse.id,
        order_id=order_id,
        returns_id=returns_id,
        override_reason=override_reason,
        note=cmd.note,
        total=sum(amounts, ZERO),
        **{party_field: party_id},
    )
