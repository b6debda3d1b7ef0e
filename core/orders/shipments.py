"""Sales shipments (销售出库): goods out at moving average cost."""

from pydantic import Field

from core.catalog.models import Customer
from core.db.uow import UnitOfWork
from core.errors import PermissionDenied
from core.idempotency import once_per_request
from core.inventory.documents import earlier_document, posted, posted_request, reload
from core.inventory.models import DocType
from core.inventory.results import DocumentPosted
from core.numbers import ZERO
from core.orders.trade import TradeDocument, TradeLine, start_trade
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


class ShipmentLine(TradeLine):
    """A product sold, how many, at what unit price."""


class PostShipment(TradeDocument):
    """Ship goods to a customer (None: a walk-in customer) from a warehouse."""

    customer_id: int | None = None
    lines: tuple[ShipmentLine, ...] = Field(min_length=1, max_length=10_000)
    # A manager may sell what confirmed sales orders hold, saying why (kept on the document).
    override_reason: str | None = Field(default=None, min_length=1, max_length=200)


@once_per_request
async def post_shipment(uow: UnitOfWork, actor: Actor, cmd: PostShipment) -> DocumentPosted:
    """Posts a sale: goods leave at moving average cost (the COGS, fixed forever).

    Raises:
        PermissionDenied: viewers may not sell.
        NotFound: the warehouse, customer or a product is not in this business.
        ArchivedProduct: a line's product is archived.
        InsufficientStock: a line needs more than is available (on hand less what confirmed
            sales orders hold; a manager's ``override_reason`` makes it on hand); then nothing
            is written.
        PermissionDenied: an override by someone below manager.
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post shipments", probe=posted_request(cmd.request_id)
        )
        if earlier := await earlier_document(session, membership, DocType.SHIPMENT):
            return await reload(session, earlier, membership.sees_costs)
        override = (cmd.override_reason or "").strip()
        if override and not membership.role.at_least(Role.MANAGER):
            raise PermissionDenied("sell stock held for orders", membership.role.value)
        draft = await start_trade(
            session,
            membership,
            DocType.SHIPMENT,
            cmd,
            cmd.lines,
            (Customer, cmd.customer_id),
            override_reason=override,
        )
        values = {
            line_no: draft.posting.issue(  # what confirmed sales orders hold stays theirs
                line_no,
                draft.doc.warehouse_id,
                line.product_id,
                line.qty,
                leave_reserved=not override,
            ).value
            for line_no, line in enumerate(cmd.lines, start=1)
        }
        await draft.posting.finish()
        await uow.commit()
        return posted(
            draft.doc, draft.lines(), draft.posting.products, values, ZERO, membership.sees_costs
        )
