"""What every document posting shares: lookups, numbering, idempotency, results."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ScalarSelect, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Product, Supplier, Warehouse
from core.db.base import utcnow
from core.errors import InvalidInput, NotFound, RequestConflict
from core.inventory.ledger import Posting
from core.inventory.models import DocStatus, DocType, Document, DocumentLine, MoveKind, StockMove
from core.inventory.results import DocumentPosted, LinePosted
from core.numbers import ZERO
from core.sequences import next_number
from core.tenancy.access import Membership
from core.tenancy.models import Member

_DOC: Table = Document.__table__  # type: ignore[assignment]
_LINE: Table = DocumentLine.__table__  # type: ignore[assignment]
_UNSET_DOCUMENT_FIELDS: dict[str, Any] = {
    "to_warehouse_id": None,
    "supplier_id": None,
    "customer_id": None,
    "total": ZERO,
    "note": "",
    "started_at": None,
    "voided_at": None,
    "voided_by": None,
    "void_request_id": None,
    "order_id": None,
    "override_reason": "",
    "returns_id": None,
    "rate": None,
    "round_off": ZERO,
    "paid_now": None,
    "payment_method": None,
    "due_date": None,
}


def posted_request(request_id: str) -> ScalarSelect[int]:
    """The id of the document this request posted in the member's business, as a probe."""
    return (
        select(_DOC.c.id)
        .where(_DOC.c.business_id == Member.business_id, _DOC.c.request_id == request_id)
        .scalar_subquery()
    )


async def earlier_document(
    session: AsyncSession, membership: Membership, doc_type: DocType
) -> Document | None:
    """The document an earlier request posted, found by ``require_member``'s probe.

    Raises:
        RequestConflict: the id posted a document of another type.
    """
    if membership.probed is None:  # the usual case: nothing more to ask
        return None
    doc = await session.get_one(Document, membership.probed)
    if doc.doc_type != doc_type:
        raise RequestConflict(doc.request_id)
    return doc


async def require_warehouse(
    session: AsyncSession,
    business_id: int,
    warehouse_id: int | None,
    *,
    party: tuple[type[Supplier] | type[Customer], int | None] | None = None,
) -> Warehouse:
    """The warehouse (the default one when None) of this business, and a party's check.

    Raises:
        NotFound: not a warehouse of this business, or archived; or ``party`` (a supplier or
            customer id) is not one of this business.
    """
    query = select(Warehouse).where(Warehouse.business_id == business_id)
    if warehouse_id is None:
        query = query.where(Warehouse.is_default.is_(True))
    else:
        query = query.where(Warehouse.id == warehouse_id)
    model, party_id = party or (Supplier, None)
    if party_id is not None:  # asked in the same round trip
        query = query.add_columns(
            select(model.id)
            .where(model.id == party_id, model.business_id == business_id)
            .scalar_subquery()
            .label("party")
        )
    row = (await session.execute(query)).first()
    if row is None or row[0].archived:
        raise NotFound("warehouse", str(warehouse_id or "default"))
    if party_id is not None and row.party is None:
        raise NotFound(model.__tablename__.removesuffix("s"), str(party_id))
    return row[0]


def local_today(membership: Membership) -> date:
    """Today in the business's time zone."""
    return datetime.now(membership.zone).date()


def check_doc_date(membership: Membership, doc_date: date | None) -> date:
    """The document's date: today by default; never in the future.

    Raises:
        InvalidInput: a date after today (business time).
    """
    today = local_today(membership)
    if doc_date is None:
        return today
    if doc_date > today:
        raise InvalidInput("doc_date", "in the future", doc_date.isoformat())
    return doc_date


async def open_document(
    session: AsyncSession,
    membership: Membership,
    doc_type: DocType,
    request_id: str,
    doc_date: date,
    **fields: object,
) -> Document:
    """Numbers and inserts a posted document (CG-2026-00012): per business, type and year."""
    year = doc_date.year
    number = await next_number(session, membership.business_id, doc_type.value, year)
    values: dict[str, Any] = {
        "business_id": membership.business_id,
        "doc_type": doc_type.value,
        "number": f"{doc_type.value}-{year}-{number:05d}",
        "status": DocStatus.POSTED.value,
        "request_id": request_id,
        "currency": membership.business.base_currency,
        "doc_date": doc_date,
        "created_by": membership.member.id,
        "posted_at": utcnow(),
        **_UNSET_DOCUMENT_FIELDS,
        **fields,
    }
    conn = await session.connection()  # Core: the hot path of every posting
    doc_id = (await conn.execute(_DOC.insert().returning(_DOC.c.id), values)).scalar_one()
    return Document(id=doc_id, **values)  # transient: the row as inserted, for the result


async def add_lines(session: AsyncSession, rows: list[dict[str, object]]) -> None:
    """Inserts document lines in one statement (moves refer to them by line number)."""
    if rows:
        conn = await session.connection()
        await conn.execute(_LINE.insert(), rows)


def posted(
    doc: Document,
    lines: list[DocumentLine],
    products: dict[int, Product],
    line_values: dict[int, Decimal],  # by line number
    variance: Decimal,
    sees_costs: bool,
) -> DocumentPosted:
    """The result of a posting; costs only for those who may see them."""
    items = tuple(
        LinePosted(
            line_no=line.line_no,
            product_id=line.product_id,
            sku=products[line.product_id].sku,
            name=products[line.product_id].name,
            qty=line.qty,
            unit_price=line.unit_price,
            amount=line.amount,
            discount=line.discount or ZERO,
            cost=abs(line_values.get(line.line_no, ZERO)) if sees_costs else None,
        )
        for line in sorted(lines, key=lambda line: line.line_no)
    )
    cost = sum((item.cost or ZERO for item in items), ZERO) if sees_costs else None
    return DocumentPosted(
        document_id=doc.id,
        number=doc.number,
        doc_type=doc.doc_type,
        status=doc.status,
        warehouse_id=doc.warehouse_id,
        to_warehouse_id=doc.to_warehouse_id,
        doc_date=doc.doc_date,
        currency=doc.currency,
        total=doc.total,
        lines=items,
        cost=cost,
        variance=variance if sees_costs else None,
        paid_now=doc.paid_now,
        round_off=doc.round_off or ZERO,
        rate=doc.rate,
        due_date=doc.due_date,
    )


async def reload(session: AsyncSession, doc: Document, sees_costs: bool) -> DocumentPosted:
    """The result of an earlier posting, rebuilt from the ledger (a repeated request)."""
    lines = list(
        await session.scalars(select(DocumentLine).where(DocumentLine.document_id == doc.id))
    )
    products = {
        p.id: p
        for p in await session.scalars(
            select(Product).where(Product.id.in_({line.product_id for line in lines}))
        )
    }
    values: dict[int, Decimal] = defaultdict(lambda: ZERO)
    variance = ZERO
    query = (
        select(StockMove.line_no, StockMove.kind, func.sum(StockMove.value))
        .where(StockMove.document_id == doc.id, StockMove.reverses_id.is_(None))
        .group_by(StockMove.line_no, StockMove.kind)
    )
    if doc.voided_at is not None:  # the void's own variance is not the posting's
        query = query.where(StockMove.created_at < doc.voided_at)
    moves = await session.execute(query)
    for line_no, kind, value in moves:
        if kind == MoveKind.VARIANCE:
            variance += value
        elif line_no is not None:
            values[line_no] += value
    return posted(doc, lines, products, values, variance, sees_costs)


@dataclass
class Draft:
    """A document being posted: its row, its lines' rows and its stock posting."""

    doc: Document
    rows: list[dict[str, Any]]
    posting: Posting

    def lines(self) -> list[DocumentLine]:
        """The lines as (transient) rows, for the result."""
        return [DocumentLine(**row) for row in self.rows]


async def start_document(
    session: AsyncSession,
    membership: Membership,
    doc_type: DocType,
    request_id: str,
    doc_date: date | None,
    posting: Posting,
    lines: list[dict[str, Any]],
    **fields: object,
) -> Draft:
    """Numbers the document and inserts it and its lines, numbered 1, 2, ... in order.

    The posting was opened first, so its cost rows are locked before the number is taken.
    ``fields`` must name the document's ``warehouse_id``.
    """
    doc = await open_document(
        session,
        membership,
        doc_type,
        request_id,
        check_doc_date(membership, doc_date),
        **fields,
    )
    posting.document_id = doc.id
    rows = [{"document_id": doc.id, "line_no": n, **line} for n, line in enumerate(lines, 1)]
    await add_lines(session, rows)
    return Draft(doc, rows, posting)
