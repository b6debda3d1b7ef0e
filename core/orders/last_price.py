"""The price a party last paid (or charged) for a product: the price step's second offer.

A shop charges its regular customers their own prices and buys from each supplier at its
own; "what did 王老板 pay last time?" is the question behind the button. The newest posted
(not voided) sale to that customer, or receipt from that supplier, with the product answers
it, in the party's current currency (a price in a currency the party no longer uses is no
price to offer).
"""

from decimal import Decimal

from sqlalchemy import select

from core.catalog.models import Customer, Supplier
from core.db.uow import UnitOfWork
from core.inventory.models import DocStatus, DocType, Document, DocumentLine
from core.orders.hints import PartyKind
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


async def last_price(
    uow: UnitOfWork, actor: Actor, kind: PartyKind, party_id: int, product_id: int
) -> Decimal | None:
    """The unit price on the party's newest posted document with the product, if any.

    A clerk may read it: a sale price is no cost, and a clerk types the purchase prices it
    enters. A supplier's price is a purchase price, so where others read the answer (a group
    chat, which follows its lowest role) it is None, as ``last_purchase_cost`` is.

    Raises:
        PermissionDenied: viewers see stock only.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see prices")
        if kind == "supplier" and membership.in_public:
            return None
        party: Supplier | Customer | None = await session.get(
            Supplier if kind == "supplier" else Customer, party_id
        )
        if party is None or party.business_id != membership.business_id:
            return None
        party_column = Document.supplier_id if kind == "supplier" else Document.customer_id
        doc_type = DocType.RECEIPT if kind == "supplier" else DocType.SHIPMENT
        price: Decimal | None = await session.scalar(
            select(DocumentLine.unit_price)
            .join(Document, Document.id == DocumentLine.document_id)
            .where(
                Document.business_id == membership.business_id,
                party_column == party_id,
                Document.doc_type == doc_type.value,
                Document.status == DocStatus.POSTED.value,
                Document.currency == (party.currency or membership.business.base_currency),
                DocumentLine.product_id == product_id,
            )
            .order_by(Document.id.desc(), DocumentLine.line_no.desc())
            .limit(1)
        )
        return price
