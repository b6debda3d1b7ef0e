"""Purchase receipts (采购入库): goods in at the price paid."""

from pydantic import Field

from core.catalog.models import Supplier
from core.db.uow import UnitOfWork
from core.idempotency import once_per_request
from core.inventory.documents import earlier_document, posted, posted_request, reload
from core.inventory.models import DocType
from core.inventory.results import DocumentPosted
from core.numbers import ZERO
from core.orders.trade import TradeDocument, TradeLine, start_trade
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


class ReceiptLine(TradeLine):
    """A product received, how many, at what unit price."""


class PostReceipt(TradeDocument):
    """Receive goods from a supplier (or none: a cash purchase) into a warehouse."""

    supplier_id: int | None = None
    lines: tuple[ReceiptLine, ...] = Field(min_length=1, max_length=10_000)


@once_per_request
async def post_receipt(uow: UnitOfWork, actor: Actor, cmd: PostReceipt) -> DocumentPosted:
    """Posts a purchase receipt: stock and stock value rise by what was paid.

    Raises:
        PermissionDenied: viewers may not receive goods.
        NotFound: the warehouse, supplier or a product is not in this business.
        ArchivedProduct: a line's product is archived.
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post receipts", probe=posted_request(cmd.request_id)
        )
        if earlier := await earlier_document(session, membership, DocType.RECEIPT):
            return await reload(session, earlier, membership.sees_costs)
        draft = await start_trade(
            session, membership, DocType.RECEIPT, cmd, cmd.lines, (Supplier, cmd.supplier_id)
        )
        values, variance = {}, ZERO
        for line_no, line in enumerate(cmd.lines, start=1):
            booked = draft.posting.receive(
                line_no,
                draft.doc.warehouse_id,
                line.product_id,
                line.qty,
                line.unit_price * draft.rate,  # stock value is in the base currency
            )
            values[line_no], variance = booked.value, variance + booked.variance
            if cmd.supplier_id is not None:
                draft.posting.note_supplier(line.product_id, cmd.supplier_id, line.unit_price)
        await draft.posting.finish()
        await uow.commit()
        return posted(
            draft.doc,
            draft.lines(),
            draft.posting.products,
            values,
            variance,
            membership.sees_costs,
        )
