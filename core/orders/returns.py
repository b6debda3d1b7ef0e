"""Returns (退货): a sales return (XSTH) takes goods back, a purchase return (CGTH) gives back.

A return names the posted document it returns and, per line, the line and how many. Each
line can be returned up to what it moved and was not yet returned by posted returns (a voided
return counts for nothing). Values follow DESIGN rule 4: goods come back at the value they
left with, and go back to the supplier at the value they came in with, each return booking
its share of what the line has left and the one that completes the line the rest. A
document with posted returns is not voided (void the returns first).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Product
from core.commands import Command, MutatingCommand, Quantity
from core.db.uow import UnitOfWork
from core.errors import BeyondReturn, InvalidState, NotFound
from core.finance.items import lock_party
from core.finance.models import PartyKind
from core.finance.returns import (
    book_return_credit,
    owed_item,
    price_return,
    return_fields,
)
from core.inventory.documents import (
    Draft,
    earlier_document,
    posted,
    posted_request,
    reload,
    require_warehouse,
    start_document,
)
from core.inventory.ledger import Posting
from core.inventory.models import (
    DocStatus,
    DocType,
    Document,
    DocumentLine,
    MoveKind,
    StockMove,
)
from core.inventory.results import DocumentPosted
from core.numbers import ZERO
from core.orders.trade import TradeLine
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

RETURNED: dict[DocType, DocType] = {
    DocType.SALES_RETURN: DocType.SHIPMENT,
    DocType.PURCHASE_RETURN: DocType.RECEIPT,
}


@dataclass(frozen=True)
class Returnable:
    """A line of a posted sale or receipt and how much of it can still be returned."""

    line_no: int
    sku: str
    name: str
    unit: str
    qty: Decimal


@dataclass(frozen=True)
class ReturnableDocument:
    """What a return of this document may take back (or give back)."""

    document_id: int
    number: str
    doc_type: str  # XS or CG
    lines: tuple[Returnable, ...]


class ReturnLine(Command):
    """How many of one line of the original document come back (or go back)."""

    line_no: int
    qty: Quantity


class PostReturn(MutatingCommand):
    """Return goods of a posted sale (a sales return) or receipt (a purchase return)."""

    document_id: int  # the sale or receipt returned
    lines: tuple[ReturnLine, ...] = Field(min_length=1, max_length=10_000)
    doc_date: date | None = None
    note: str = Field(default="", max_length=500)


async def post_sales_return(uow: UnitOfWork, actor: Actor, cmd: PostReturn) -> DocumentPosted:
    """Takes goods of a sale back into its warehouse at the value they left with.

    Raises:
        PermissionDenied: viewers do not post.
        NotFound: no such sale in this business, or no such line on it.
        InvalidState: the sale is voided.
        BeyondReturn: more than the line sold and was not yet returned.
    """
    return await _post(uow, actor, cmd, DocType.SALES_RETURN)


async def post_purchase_return(uow: UnitOfWork, actor: Actor, cmd: PostReturn) -> DocumentPosted:
    """Gives goods of a receipt back to the supplier at the value they came in with.

    Raises:
        PermissionDenied: viewers do not post.
        NotFound: no such receipt in this business, or no such line on it.
        InvalidState: the receipt is voided.
        BeyondReturn: more than the line received and was not yet returned.
        InsufficientStock: not that much available in the warehouse (negative stock off).
    """
    return await _post(uow, actor, cmd, DocType.PURCHASE_RETURN)


async def returnable(
    uow: UnitOfWork, actor: Actor, *, document_id: int | None = None, number: str | None = None
) -> ReturnableDocument:
    """A posted sale or receipt (by id or number) with what each line can still return.

    Raises:
        PermissionDenied: viewers do not post returns.
        NotFound: no such sale or receipt in this business.
        InvalidState: it is voided.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "post returns")
        query = select(Document).where(
            Document.business_id == membership.business_id,
            Document.doc_type.in_([DocType.SHIPMENT.value, DocType.RECEIPT.value]),
        )
        if document_id is not None:
            query = query.where(Document.id == document_id)
        else:
            query = query.where(Document.number == (number or "").strip().upper())
        original = await session.scalar(query)
        if original is None:
            raise NotFound("document", str(document_id or number))
        if original.status != DocStatus.POSTED:
            raise InvalidState(original.number, original.status)
        left = await _left(session, original)
        rows = await session.execute(
            select(DocumentLine.line_no, Product.sku, Product.name, Product.unit)
            .join(Product, Product.id == DocumentLine.product_id)
            .where(DocumentLine.document_id == original.id)
            .order_by(DocumentLine.line_no)
        )
        return ReturnableDocument(
            original.id,
            original.number,
            original.doc_type,
            tuple(
                Returnable(n, sku, name, unit, left.get(n, (ZERO, ZERO))[0])
                for n, sku, name, unit in rows
            ),
        )


async def has_returns(session: AsyncSession, document_id: int) -> bool:
    """Whether posted returns refer to the document (then it may not be voided)."""
    found = await session.scalar(
        select(Document.id)
        .where(Document.returns_id == document_id, Document.status == DocStatus.POSTED.value)
        .limit(1)
    )
    return found is not None


async def _post(
    uow: UnitOfWork, actor: Actor, cmd: PostReturn, doc_type: DocType
) -> DocumentPosted:
    async with uow:
        session = uow.session
        membership = await require_member(
            session, actor, Role.CLERK, "post returns", probe=posted_request(cmd.request_id)
        )
        if earlier := await earlier_document(session, membership, doc_type):
            return await reload(session, earlier, membership.sees_costs)
        original = await _original(session, membership, cmd.document_id, RETURNED[doc_type])
        left = await _left(session, original)
        lines = await _lines(session, original)
        trade_lines, after = [], []
        left_after = {n: q for n, (q, _) in left.items()}
        for x in cmd.lines:
            if x.line_no not in lines:
                raise NotFound("document line", f"{original.number}/{x.line_no}")
            line = lines[x.line_no]
            if x.qty > left_after[x.line_no]:
                raise BeyondReturn(original.number, line[1], left_after[x.line_no], x.qty)
            left_after[x.line_no] -= x.qty
            after.append(left_after[x.line_no])
            trade_lines.append(
                TradeLine(product_id=line[0], qty=x.qty, unit_price=line[2] or ZERO)
            )
        sale = doc_type == DocType.SALES_RETURN
        draft = await _start_return(
            session,
            membership,
            cmd,
            doc_type,
            original,
            trade_lines,
            (after, all(q == 0 for q in left_after.values())),
        )
        values, variance = {}, ZERO
        for line_no, (x, back) in enumerate(zip(cmd.lines, trade_lines, strict=True), start=1):
            book = draft.posting.take_back if sale else draft.posting.give_back
            booked = book(line_no, original.warehouse_id, back.product_id, x.qty, left[x.line_no])
            values[line_no], variance = booked.value, variance + booked.variance
            qty_left, value_left = left[x.line_no]  # a line returned twice in one return
            left[x.line_no] = (qty_left - x.qty, value_left - abs(booked.value))
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


async def _start_return(
    session: AsyncSession,
    membership: Membership,
    cmd: PostReturn,
    doc_type: DocType,
    original: Document,
    trade_lines: list[TradeLine],
    left_after: tuple[list[Decimal], bool],
) -> Draft:
    """Numbers and inserts the return with its money, and books its credit (or refund)."""
    warehouse = await require_warehouse(session, membership.business_id, original.warehouse_id)
    posting = await Posting.open(
        session, membership, (x.product_id for x in trade_lines), [warehouse]
    )
    kind = PartyKind.CUSTOMER if doc_type == DocType.SALES_RETURN else PartyKind.SUPPLIER
    party_id = original.customer_id if kind == PartyKind.CUSTOMER else original.supplier_id
    if party_id is not None:
        await lock_party(session, membership, kind, party_id)
    picked = [(x.line_no, x.qty) for x in cmd.lines]
    after, complete = left_after
    money = await price_return(session, original, picked, after, complete)
    item = await owed_item(session, original)
    draft = await start_document(
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
                "amount": amount,
                "returns_line_no": line_no,
            }
            for x, amount, (line_no, _) in zip(trade_lines, money.amounts, picked, strict=True)
        ],
        warehouse_id=warehouse.id,
        returns_id=original.id,
        note=cmd.note or original.number,
        customer_id=original.customer_id,
        supplier_id=original.supplier_id,
        **return_fields(original, money, credited=item is not None),
    )
    if item is not None and party_id is not None:
        await book_return_credit(
            session,
            membership,
            kind,
            party_id,
            item,
            money.total,
            draft.doc.id,
            draft.doc.number,
            draft.doc.doc_date,
        )
    return draft


async def _original(
    session: AsyncSession, membership: Membership, document_id: int, doc_type: DocType
) -> Document:
    query = select(Document).where(
        Document.id == document_id,
        Document.business_id == membership.business_id,
        Document.doc_type == doc_type.value,
    )
    if (await session.connection()).dialect.name == "postgresql":
        query = query.with_for_update()  # two returns of one document at once: one waits
    original = await session.scalar(query)
    if original is None:
        raise NotFound("document", str(document_id))
    if original.status != DocStatus.POSTED:
        raise InvalidState(original.number, original.status)
    return original


async def _lines(
    session: AsyncSession, original: Document
) -> dict[int, tuple[int, str, Decimal | None]]:
    """(product id, SKU, unit price) by line number."""
    rows = await session.execute(
        select(DocumentLine.line_no, DocumentLine.product_id, Product.sku, DocumentLine.unit_price)
        .join(Product, Product.id == DocumentLine.product_id)
        .where(DocumentLine.document_id == original.id)
    )
    return {n: (product_id, sku, price) for n, product_id, sku, price in rows}


async def _left(session: AsyncSession, original: Document) -> dict[int, tuple[Decimal, Decimal]]:
    """Per line of the original: (quantity, value) it moved less what posted returns moved.

    Magnitudes: a sale's goods move is negative, its return's positive, and the reverse for
    a receipt.
    """
    moved = await session.execute(
        select(StockMove.line_no, StockMove.qty, StockMove.value).where(
            StockMove.document_id == original.id,
            StockMove.kind == MoveKind.GOODS.value,
            StockMove.reverses_id.is_(None),
        )
    )
    left: dict[int, tuple[Decimal, Decimal]] = {}
    for line_no, qty, value in moved:
        if line_no is not None:
            q, v = left.get(line_no, (ZERO, ZERO))
            left[line_no] = (q + abs(qty), v + abs(value))
    returned = await session.execute(
        select(DocumentLine.returns_line_no, StockMove.qty, StockMove.value)
        .join(Document, Document.id == DocumentLine.document_id)
        .join(
            StockMove,
            (StockMove.document_id == DocumentLine.document_id)
            & (StockMove.line_no == DocumentLine.line_no)
            & (StockMove.kind == MoveKind.GOODS.value)
            & StockMove.reverses_id.is_(None),
        )
        .where(Document.returns_id == original.id, Document.status == DocStatus.POSTED.value)
    )
    back: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for line_no, qty, value in returned:
        if line_no is None:  # every return line names one; the query's type cannot tell
            continue
        q, v = back[line_no]
        back[line_no] = (q + abs(qty), v + abs(value))
    return {n: (q - back[n][0], v - back[n][1]) for n, (q, v) in left.items()}
