"""What a purchase receipt and a sales shipment share: a party, priced lines, a total.

And how it is paid: now, partly, or on credit.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Supplier
from core.commands import MutatingCommand, Quantity, UnitPrice
from core.errors import InvalidInput
from core.finance.items import lock_party
from core.finance.models import PartyKind
from core.finance.terms import (
    Discount,
    MoneyTerms,
    Settlement,
    book_credit,
    price_line,
    settle_terms,
    trade_currency,
)
from core.inventory.documents import Draft, check_doc_date, require_warehouse, start_document
from core.inventory.ledger import Posting
from core.inventory.models import DocType
from core.numbers import ZERO
from core.tenancy.access import Membership


class TradeLine(Discount):
    """A product, how many, at what unit price (a sale's line may take a discount)."""

    product_id: int
    qty: Quantity
    unit_price: UnitPrice


class TradeDocument(MutatingCommand, MoneyTerms):
    """Fields a receipt and a shipment share."""

    warehouse_id: int | None = None  # None: the default warehouse
    doc_date: date | None = None  # None: today, business time; never later
    note: str = Field(default="", max_length=500)


@dataclass(frozen=True)
class Linked:
    """A document's link to an order (or to the document it returns), line by line."""

    document_id: int
    line_nos: list[int]


@dataclass
class TradeDraft(Draft):
    """A priced document being posted, and how it is settled."""

    settlement: Settlement | None = None

    @property
    def rate(self) -> Decimal:
        """Its rate to the base currency (a receipt's stock value is in the base)."""
        return self.settlement.rate if self.settlement else Decimal(1)


async def start_trade(
    session: AsyncSession,
    membership: Membership,
    doc_type: DocType,
    cmd: TradeDocument,
    lines: tuple[TradeLine, ...],
    party: tuple[type[Supplier] | type[Customer], int | None],
    *,
    order: Linked | None = None,
    override_reason: str = "",
) -> TradeDraft:
    """Checks, prices, numbers and inserts the document; books what stays owed.

    The party, warehouse and products are checked first.

    ``order`` links the document to an order: its id and, per line, the order line it fills.

    Raises:
        NotFound: the warehouse, the party or a product is not in this business.
        ArchivedProduct: a line's product is archived.
        InvalidInput, RoundOffBeyondLimit, CreditLimitExceeded: see ``price_line`` and
            ``settle_terms``.
    """
    warehouse = await require_warehouse(
        session, membership.business_id, cmd.warehouse_id, party=party
    )
    model, party_id = party
    kind = PartyKind.SUPPLIER if model is Supplier else PartyKind.CUSTOMER
    posting = await Posting.open(session, membership, (x.product_id for x in lines), [warehouse])
    party_row = await lock_party(session, membership, kind, party_id) if party_id else None
    currency, rate = trade_currency(membership, party_row, cmd)
    sale = doc_type == DocType.SHIPMENT
    if not sale and any(x.discount or x.discount_pct for x in lines):
        raise InvalidInput("discount", "only a sale's lines take a discount", "")
    priced = [price_line(x.qty, x.unit_price, x, currency) for x in lines]
    doc_date = check_doc_date(membership, cmd.doc_date)
    settlement = await settle_terms(
        session,
        membership,
        kind,
        party_row,
        cmd,
        sum((p.amount for p in priced), ZERO),
        doc_date,
        currency,
        rate,
    )
    order_id, order_lines = (order.document_id, order.line_nos) if order else (None, None)
    draft = await start_document(
        session,
        membership,
        doc_type,
        cmd.request_id,
        doc_date,
        posting,
        [
            {
                "product_id": x.product_id,
                "qty": x.qty,
                "unit_price": x.unit_price,
                "amount": p.amount,
                "discount": p.discount,
                "discount_pct": p.discount_pct,
                "order_line_no": order_lines[n] if order_lines else None,
                "returns_line_no": None,
            }
            for n, (x, p) in enumerate(zip(lines, priced, strict=True))
        ],
        warehouse_id=warehouse.id,
        order_id=order_id,
        override_reason=override_reason,
        note=cmd.note,
        **settlement.document_fields(membership.business.base_currency),
        **{"supplier_id" if kind == PartyKind.SUPPLIER else "customer_id": party_id},
    )
    if party_id is not None:
        await book_credit(
            session,
            membership,
            kind,
            party_id,
            settlement,
            draft.doc.id,
            draft.doc.number,
            doc_date,
        )
    return TradeDraft(draft.doc, draft.rows, draft.posting, settlement)
