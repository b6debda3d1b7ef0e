"""Transfers (调拨) between warehouses: quantity moves, value stays with the product."""

from datetime import date

from pydantic import Field

from core.commands import Command, MutatingCommand, Quantity
from core.db.uow import UnitOfWork
from core.errors import InvalidInput
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


class TransferLine(Command):
    """A product and how many to move."""

    product_id: int
    qty: Quantity


class PostTransfer(MutatingCommand):
    """Move goods from one warehouse to another."""

    from_warehouse_id: int
    to_warehouse_id: int
    doc_date: date | None = None
    note: str = Field(default="", max_length=500)
    lines: tuple[TransferLine, ...] = Field(min_length=1, max_length=10_000)


@once_per_request
async def post_transfer(uow: UnitOfWork, actor: Actor, cmd: PostTransfer) -> DocumentPosted:
    """Posts a transfer: on hand falls in one warehouse and rises in the other.

    Raises:
        PermissionDenied: viewers may not transfer.
        InvalidInput: both warehouses are the same.
        NotFound: a warehouse or product is not in this business.
        InsufficientStock: the source has too little; nothing is written.
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post transfers", probe=posted_request(cmd.request_id)
        )
        if cmd.from_warehouse_id == cmd.to_warehouse_id:
            raise InvalidInput("to_warehouse_id", "same as the source", str(cmd.to_warehouse_id))
        business_id = membership.business_id
        if earlier := await earlier_document(session, membership, DocType.TRANSFER):
            return await reload(session, earlier, membership.sees_costs)
        source = await require_warehouse(session, business_id, cmd.from_warehouse_id)
        target = await require_warehouse(session, business_id, cmd.to_warehouse_id)
        posting = await Posting.open(
            session, membership, (x.product_id for x in cmd.lines), [source, target]
        )
        draft = await start_document(
            session,
            membership,
            DocType.TRANSFER,
            cmd.request_id,
            cmd.doc_date,
            posting,
            [{"product_id": x.product_id, "qty": x.qty} for x in cmd.lines],
            warehouse_id=source.id,
            to_warehouse_id=target.id,
            note=cmd.note,
        )
        for line_no, line in enumerate(cmd.lines, start=1):
            posting.shift(line_no, source.id, target.id, line.product_id, line.qty)
        await draft.posting.finish()
        await uow.commit()
        return posted(draft.doc, draft.lines(), posting.products, {}, ZERO, membership.sees_costs)
