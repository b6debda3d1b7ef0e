"""Adjustments (调整): a manager's signed correction of on hand, valued at the average."""

from datetime import date
from decimal import Decimal

from pydantic import Field

from core.commands import Command, MutatingCommand, NonZeroQuantity
from core.db.uow import UnitOfWork
from core.idempotency import once_per_request
from core.inventory.documents import (
    earlier_document,
    posted,
    posted_request,
    reload,
    require_warehouse,
    start_document,
)
from core.inventory.ledger import Posting
from core.inventory.models import DocType
from core.inventory.results import DocumentPosted
from core.numbers import ZERO
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


class AdjustmentLine(Command):
    """A product and the change of its on hand (+ found, − lost or broken)."""

    product_id: int
    qty: NonZeroQuantity


class PostAdjustment(MutatingCommand):
    """Correct on hand in one warehouse, with a reason."""

    warehouse_id: int | None = None
    doc_date: date | None = None
    note: str = Field(min_length=1, max_length=500)  # the reason: 破损, 赠品, ...
    lines: tuple[AdjustmentLine, ...] = Field(min_length=1, max_length=10_000)


@once_per_request
async def post_adjustment(uow: UnitOfWork, actor: Actor, cmd: PostAdjustment) -> DocumentPosted:
    """Posts an adjustment: + lines come in at the current average, − lines leave at it.

    Raises:
        PermissionDenied: managers and owners adjust stock.
        NotFound: the warehouse or a product is not in this business.
        InsufficientStock: a − line takes more than on hand; nothing is written.
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.MANAGER, "post adjustments", probe=posted_request(cmd.request_id)
        )
        business_id = membership.business_id
        if earlier := await earlier_document(session, membership, DocType.ADJUSTMENT):
            return await reload(session, earlier, membership.sees_costs)
        warehouse = await require_warehouse(session, business_id, cmd.warehouse_id)
        posting = await Posting.open(
            session, membership, (x.product_id for x in cmd.lines), [warehouse]
        )
        draft = await start_document(
            session,
            membership,
            DocType.ADJUSTMENT,
            cmd.request_id,
            cmd.doc_date,
            posting,
            [{"product_id": x.product_id, "qty": x.qty} for x in cmd.lines],
            warehouse_id=warehouse.id,
            note=cmd.note,
        )
        values: dict[int, Decimal] = {}
        variance = ZERO
        for line_no, line in enumerate(cmd.lines, start=1):
            pid = line.product_id
            if line.qty > 0:
                booked = posting.receive_at_average(line_no, warehouse.id, pid, line.qty)
            else:
                booked = posting.issue(line_no, warehouse.id, pid, -line.qty)
            values[line_no], variance = booked.value, variance + booked.variance
        await posting.finish()
        await uow.commit()
        return posted(
            draft.doc, draft.lines(), posting.products, values, variance, membership.sees_costs
        )
