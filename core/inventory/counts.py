"""Stock counts (盘点): what was counted becomes adjustments against the book at posting."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field, field_validator
from sqlalchemy import select

from core.commands import Command, CountedQuantity, MutatingCommand
from core.db.base import utcnow
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
from core.inventory.models import DocType, Document, DocumentLine, StockMove
from core.inventory.results import CountDifference, CountPosted, DocumentPosted
from core.numbers import ZERO
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role


class CountLine(Command):
    """How many of a product were found on the shelf."""

    product_id: int
    counted_qty: CountedQuantity


class PostStockCount(MutatingCommand):
    """Post a count of some products in one warehouse, begun at ``started_at``."""

    warehouse_id: int | None = None
    started_at: datetime | None = None  # when counting began; None: now
    doc_date: date | None = None
    note: str = Field(default="", max_length=500)
    lines: tuple[CountLine, ...] = Field(min_length=1, max_length=20_000)

    @field_validator("lines")
    @classmethod
    def _one_line_per_product(cls, lines: tuple[CountLine, ...]) -> tuple[CountLine, ...]:
        if len({line.product_id for line in lines}) != len(lines):
            raise ValueError("a product is counted once per count")
        return lines

    @field_validator("started_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a time zone")
        return value


@once_per_request
async def post_stock_count(uow: UnitOfWork, actor: Actor, cmd: PostStockCount) -> CountPosted:
    """Posts a count: each difference from on hand at this moment becomes an adjustment.

    A surplus comes in at the current average, a shortfall leaves at it. The result lists the
    differences and the counted products that moved in the warehouse after ``started_at``, so
    the user can recount them.

    Raises:
        PermissionDenied: viewers may not count.
        NotFound: the warehouse or a product is not in this business.
        ArchivedProduct: a counted product is archived.
        InvalidInput: ``started_at`` is in the future.
    """
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post counts", probe=posted_request(cmd.request_id)
        )
        business_id = membership.business_id
        if earlier := await earlier_document(session, membership, DocType.COUNT):
            return await _reload(uow, earlier, membership)
        now = utcnow()
        started_at = cmd.started_at or now
        if started_at > now:
            raise InvalidInput("started_at", "in the future", started_at.isoformat())
        warehouse = await require_warehouse(session, business_id, cmd.warehouse_id)
        posting = await Posting.open(
            session, membership, (x.product_id for x in cmd.lines), [warehouse]
        )
        books = [posting.on_hand(warehouse.id, x.product_id) for x in cmd.lines]  # under lock
        diffs = [x.counted_qty - book for x, book in zip(cmd.lines, books, strict=True)]
        draft = await start_document(
            session,
            membership,
            DocType.COUNT,
            cmd.request_id,
            cmd.doc_date,
            posting,
            [
                {
                    "product_id": x.product_id,
                    "qty": diff,
                    "counted_qty": x.counted_qty,
                    "book_qty": book,
                }
                for x, book, diff in zip(cmd.lines, books, diffs, strict=True)
            ],
            warehouse_id=warehouse.id,
            note=cmd.note,
            started_at=started_at,
        )
        values: dict[int, Decimal] = {}
        variance = ZERO
        for line_no, (line, diff) in enumerate(zip(cmd.lines, diffs, strict=True), start=1):
            product_id = line.product_id
            if diff > 0:
                booked = posting.receive_at_average(line_no, warehouse.id, product_id, diff)
            elif diff < 0:
                booked = posting.issue(line_no, warehouse.id, product_id, -diff)
            else:
                continue
            values[line_no] = booked.value
            variance += booked.variance
        await posting.finish()
        doc = draft.doc
        moved = await _moved_since(
            uow, warehouse.id, started_at, now, doc.id, set(posting.products)
        )
        await uow.commit()
        lines = draft.lines()
        document = posted(doc, lines, posting.products, values, variance, membership.sees_costs)
        return _count_result(document, lines, values, moved, membership)


async def _moved_since(
    uow: UnitOfWork,
    warehouse_id: int,
    since: datetime,
    until: datetime,
    doc_id: int,
    counted: set[int],
) -> set[int]:
    moved = await uow.session.scalars(
        select(StockMove.product_id)
        .where(
            StockMove.warehouse_id == warehouse_id,
            StockMove.created_at > since,
            StockMove.created_at <= until,
            StockMove.document_id != doc_id,
        )
        .distinct()
    )
    return counted & set(moved)


def _count_result(
    document: DocumentPosted,
    lines: list[DocumentLine],
    values: dict[int, Decimal],
    moved: set[int],
    membership: Membership,
) -> CountPosted:
    differences = tuple(
        CountDifference(
            product_id=line.product_id,
            sku=item.sku,
            name=item.name,
            book_qty=line.book_qty or ZERO,
            counted_qty=line.counted_qty or ZERO,
            difference=line.qty,
            value=values.get(line.line_no, ZERO) if membership.sees_costs else None,
        )
        for line, item in zip(sorted(lines, key=lambda x: x.line_no), document.lines, strict=True)
        if line.qty != 0
    )
    skus = tuple(sorted(item.sku for item in document.lines if item.product_id in moved))
    return CountPosted(document, differences, skus)


async def _reload(uow: UnitOfWork, doc: Document, membership: Membership) -> CountPosted:
    session = uow.session
    document = await reload(session, doc, membership.sees_costs)
    lines = list(
        await session.scalars(select(DocumentLine).where(DocumentLine.document_id == doc.id))
    )
    values = {
        line.line_no: (item.cost or ZERO) * (1 if line.qty > 0 else -1)
        for line, item in zip(sorted(lines, key=lambda x: x.line_no), document.lines, strict=True)
    }
    assert doc.started_at is not None
    moved = await _moved_since(
        uow,
        doc.warehouse_id,
        doc.started_at,
        doc.posted_at,
        doc.id,
        {line.product_id for line in lines},
    )
    return _count_result(document, lines, values, moved, membership)
