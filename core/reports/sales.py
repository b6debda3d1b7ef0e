"""Sales by day, product or customer with gross profit; purchases by supplier.

Revenue is what the documents came to: each line after its discount, the document after its
round-off (抹零), in the base currency at the document's own rate (round(total × rate)), and
sales returns (XSTH) take theirs off. Most documents are summed in SQL; a document with a
round-off or in another currency is split over its lines in Python (see ``split``). COGS is
the value the shipments' goods moves took out of stock, less what their returns brought back
(DESIGN rule 4: that value is fixed when posted).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Product, Supplier
from core.db.types import Money, Qty
from core.db.uow import UnitOfWork
from core.errors import InvalidInput
from core.inventory.models import DocStatus, DocType, Document, DocumentLine, MoveKind, StockMove
from core.numbers import ZERO
from core.reports._common import CHUNK, allocate, base_places, check_period, margin, to_base
from core.reports.results import PurchaseReport, PurchaseRow, SalesBy, SalesReport, SalesRow
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

SALE_TYPES = (DocType.SHIPMENT.value, DocType.SALES_RETURN.value)
PURCHASE_TYPES = (DocType.RECEIPT.value, DocType.PURCHASE_RETURN.value)
RETURNS = frozenset({DocType.SALES_RETURN.value, DocType.PURCHASE_RETURN.value})


@dataclass
class Tally:
    """What one key (a day, a product, a party) adds up to; returns already subtracted."""

    docs: int = 0
    returns: int = 0
    qty: Decimal = ZERO
    revenue: Decimal = ZERO  # base currency
    returned: Decimal = ZERO  # the returns' part of ``revenue``, as a positive amount
    cogs: Decimal = ZERO
    doc_ids: set[int] = field(default_factory=set)


def _sign(doc_type: str) -> int:
    return -1 if doc_type in RETURNS else 1


def _in_period(
    membership: Membership, types: Sequence[str], start: date, end: date
) -> tuple[ColumnElement[bool], ...]:
    return (
        Document.business_id == membership.business_id,
        Document.doc_type.in_(types),
        Document.doc_date >= start,
        Document.doc_date <= end,
        Document.status == DocStatus.POSTED.value,
    )


def split(total: Decimal, amounts: Sequence[Decimal], places: int) -> list[Decimal]:
    """A document's base total over its lines, in proportion to the lines' amounts.

    The lines' amounts (after discounts, in the document's currency) sum to the total before
    the round-off; each line gets ``total × amount / Σ amounts`` by the largest remainder
    method, so the round-off and the exchange rate's rounding are shared out and the lines
    add up to the document's base total exactly.
    """
    return allocate(total, list(amounts), places)


async def tally_by_product(
    session: AsyncSession,
    membership: Membership,
    types: Sequence[str],
    start: date,
    end: date,
    *,
    with_cogs: bool,
) -> dict[int, Tally]:
    """Per product: documents, net quantity, net revenue (base) and, if asked, COGS."""
    places = base_places(membership)
    where = _in_period(membership, types, start, end)
    plain = and_(Document.rate.is_(None), Document.round_off == ZERO)
    tallies: dict[int, Tally] = defaultdict(Tally)
    rows = await session.execute(
        select(
            DocumentLine.product_id,
            Document.doc_type,
            func.count(func.distinct(Document.id)),
            type_coerce(func.sum(DocumentLine.qty), Qty()),
            type_coerce(func.sum(case((plain, DocumentLine.amount), else_=ZERO)), Money()),
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .where(*where)
        .group_by(DocumentLine.product_id, Document.doc_type)
    )
    for product_id, doc_type, count, qty, amount in rows:
        tally = tallies[product_id]
        sign = _sign(doc_type)
        if sign < 0:
            tally.returns += count
            tally.returned += amount or ZERO
        else:
            tally.docs += count
        tally.qty += sign * (qty or ZERO)
        tally.revenue += sign * (amount or ZERO)
    special = await session.execute(
        select(
            Document.id,
            Document.doc_type,
            Document.total,
            Document.rate,
            DocumentLine.product_id,
            DocumentLine.amount,
        )
        .join(DocumentLine, DocumentLine.document_id == Document.id)
        .where(*where, ~plain)
        .order_by(Document.id, DocumentLine.line_no)
    )
    for group in _by_document(special):
        doc_type, total, rate = group[0][1], group[0][2], group[0][3]
        sign = _sign(doc_type)
        shares = split(to_base(total, rate, places), [g[5] or ZERO for g in group], places)
        for line, share in zip(group, shares, strict=True):
            tally = tallies[line[4]]
            tally.revenue += sign * share
            if sign < 0:
                tally.returned += share
    if with_cogs:
        for product_id, value in await session.execute(
            select(StockMove.product_id, type_coerce(func.sum(StockMove.value), Money()))
            .join(Document, Document.id == StockMove.document_id)
            .where(*where, StockMove.kind == MoveKind.GOODS, StockMove.reverses_id.is_(None))
            .group_by(StockMove.product_id)
        ):
            tallies[product_id].cogs -= value or ZERO  # out: negative values
    return tallies


def _by_document(rows: Iterable[Any]) -> Iterable[list[Any]]:
    group: list[Any] = []
    for row in rows:
        if group and group[0][0] != row[0]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


async def _tally_by_document_key(
    session: AsyncSession,
    membership: Membership,
    types: Sequence[str],
    start: date,
    end: date,
    key: Any,
    *,
    with_cogs: bool,
) -> dict[Any, Tally]:
    """Per ``key`` (a Document column: its date, customer or supplier)."""
    places = base_places(membership)
    where = _in_period(membership, types, start, end)
    tallies: dict[Any, Tally] = defaultdict(Tally)
    for k, doc_type, count, total in await session.execute(
        select(
            key,
            Document.doc_type,
            func.count(Document.id),
            type_coerce(
                func.sum(case((Document.rate.is_(None), Document.total), else_=ZERO)), Money()
            ),
        )
        .where(*where)
        .group_by(key, Document.doc_type)
    ):
        tally = tallies[k]
        sign = _sign(doc_type)
        if sign < 0:
            tally.returns += count
            tally.returned += total or ZERO
        else:
            tally.docs += count
        tally.revenue += sign * (total or ZERO)
    for k, doc_type, total, rate in await session.execute(
        select(key, Document.doc_type, Document.total, Document.rate).where(
            *where, Document.rate.is_not(None)
        )
    ):
        amount = to_base(total, rate, places)
        tallies[k].revenue += _sign(doc_type) * amount
        if _sign(doc_type) < 0:
            tallies[k].returned += amount
    for k, doc_type, qty in await session.execute(
        select(key, Document.doc_type, type_coerce(func.sum(DocumentLine.qty), Qty()))
        .join(DocumentLine, DocumentLine.document_id == Document.id)
        .where(*where)
        .group_by(key, Document.doc_type)
    ):
        tallies[k].qty += _sign(doc_type) * (qty or ZERO)
    if with_cogs:
        for k, value in await session.execute(
            select(key, type_coerce(func.sum(StockMove.value), Money()))
            .join(StockMove, StockMove.document_id == Document.id)
            .where(*where, StockMove.kind == MoveKind.GOODS, StockMove.reverses_id.is_(None))
            .group_by(key)
        ):
            tallies[k].cogs -= value or ZERO
    return tallies


async def _doc_counts(
    session: AsyncSession, membership: Membership, types: Sequence[str], start: date, end: date
) -> dict[str, int]:
    rows = await session.execute(
        select(Document.doc_type, func.count(Document.id))
        .where(*_in_period(membership, types, start, end))
        .group_by(Document.doc_type)
    )
    return {row[0]: row[1] for row in rows}


async def product_names(
    session: AsyncSession, business_id: int, ids: Iterable[int]
) -> dict[int, tuple[str, str, str]]:
    """(SKU, name, unit) of the products, read in chunks (or all at once when many)."""
    wanted = sorted(set(ids))
    query = select(Product.id, Product.sku, Product.name, Product.unit).where(
        Product.business_id == business_id
    )
    if len(wanted) > 20 * CHUNK:
        return {pid: (sku, name, unit) for pid, sku, name, unit in await session.execute(query)}
    found: dict[int, tuple[str, str, str]] = {}
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        for pid, sku, name, unit in await session.execute(query.where(Product.id.in_(chunk))):
            found[pid] = (sku, name, unit)
    return found


async def _party_names(
    session: AsyncSession, model: type[Customer] | type[Supplier], ids: Iterable[int | None]
) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, str] = {}
    for i in range(0, len(wanted), CHUNK):
        chunk = wanted[i : i + CHUNK]
        for pid, name in await session.execute(
            select(model.id, model.name).where(model.id.in_(chunk))
        ):
            found[pid] = name
    return found


def _sales_row(key: date | int | None, label: str, sku: str, tally: Tally, sees: bool) -> SalesRow:
    cogs = tally.cogs if sees else None
    profit = tally.revenue - tally.cogs if sees else None
    return SalesRow(
        key=key,
        label=label,
        sku=sku,
        sales=tally.docs,
        returns=tally.returns,
        qty=tally.qty,
        revenue=tally.revenue,
        cogs=cogs,
        gross_profit=profit,
        margin=margin(profit, tally.revenue),
    )


async def sales(
    uow: UnitOfWork,
    actor: Actor,
    start: date,
    end: date,
    by: SalesBy = "day",
    *,
    limit: int | None = None,
) -> SalesReport:
    """Sales over local dates [start, end] by document date, net of sales returns.

    Posted sales (XS) and sales returns (XSTH) dated in the period; voided ones are left
    out. Revenue is each document's total after discounts and round-off at its own rate
    (round(total × rate)); by product, a document's base total is split over its lines in
    proportion to their amounts after discount (largest remainder, so products add up to
    the documents to the cent). COGS is the value of the shipments' goods moves less that
    of the returns'; gross profit = revenue − COGS; margin = gross profit / revenue.
    COGS, gross profit and margin are None for clerks and in a group chat.

    Rows: by day oldest first, by product or customer the biggest revenue first (ties by
    id); ``limit`` keeps the first rows, the totals cover all of them.

    Raises:
        PermissionDenied: viewers (stock reports only).
        InvalidInput: ``end`` before ``start``, or an unknown ``by``.
    """
    check_period(start, end)
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see sales reports")
        sees = membership.sees_costs
        tallies: dict[Any, Tally]
        if by == "product":
            tallies = await tally_by_product(
                session, membership, SALE_TYPES, start, end, with_cogs=sees
            )
        elif by in ("customer", "day"):
            key = Document.customer_id if by == "customer" else Document.doc_date
            tallies = await _tally_by_document_key(
                session, membership, SALE_TYPES, start, end, key, with_cogs=sees
            )
        else:
            raise InvalidInput("by", "day, product or customer", str(by))
        if by == "day":
            order = sorted(tallies)
        else:  # biggest revenue first, then by id (None: no customer, last)
            order = sorted(tallies, key=lambda k: (-tallies[k].revenue, k is None, k or 0))
        kept = order if limit is None else order[:limit]
        rows: list[SalesRow]
        if by == "product":
            info = await product_names(session, membership.business_id, kept)
            rows = [
                _sales_row(k, info.get(k, ("", ""))[1], info.get(k, ("", ""))[0], tallies[k], sees)
                for k in kept
            ]
        elif by == "customer":
            names = await _party_names(session, Customer, kept)
            rows = [
                _sales_row(k, names.get(k, "") if k is not None else "", "", tallies[k], sees)
                for k in kept
            ]
        else:
            rows = [_sales_row(k, k.isoformat(), "", tallies[k], sees) for k in kept]
        counts = await _doc_counts(session, membership, SALE_TYPES, start, end)
    total = Tally(
        docs=counts.get(DocType.SHIPMENT.value, 0),
        returns=counts.get(DocType.SALES_RETURN.value, 0),
        qty=sum((t.qty for t in tallies.values()), ZERO),
        revenue=sum((t.revenue for t in tallies.values()), ZERO),
        cogs=sum((t.cogs for t in tallies.values()), ZERO),
    )
    return SalesReport(
        by=by,
        currency=membership.business.base_currency,
        start=start,
        end=end,
        sees_costs=sees,
        rows=tuple(rows),
        total_rows=len(tallies),
        totals=_sales_row(None, "", "", total, sees),
    )


async def purchases(
    uow: UnitOfWork, actor: Actor, start: date, end: date, *, limit: int | None = None
) -> PurchaseReport:
    """Purchases by supplier over local dates [start, end] by document date.

    Posted receipts (CG) less posted purchase returns (CGTH) dated in the period; voided ones
    are left out. The amount is each document's total at its own rate, round(total × rate),
    in the base currency; ``returned`` shows the returns' part. These are purchase prices,
    which clerks type themselves, so clerks see them; no average cost is shown.

    Raises:
        PermissionDenied: viewers (stock reports only).
        InvalidInput: ``end`` before ``start``.
    """
    check_period(start, end)
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see purchase reports")
        tallies = await _tally_by_document_key(
            session, membership, PURCHASE_TYPES, start, end, Document.supplier_id, with_cogs=False
        )
        names = await _party_names(session, Supplier, tallies)
    rows = [
        PurchaseRow(
            supplier_id=sid,
            supplier=names.get(sid, "") if sid is not None else "",
            receipts=t.docs,
            returns=t.returns,
            qty=t.qty,
            amount=t.revenue,
            returned=t.returned,
        )
        for sid, t in tallies.items()
    ]
    rows.sort(key=lambda r: (-r.amount, r.supplier, r.supplier_id or 0))
    totals = PurchaseRow(
        supplier_id=None,
        supplier="",
        receipts=sum(r.receipts for r in rows),
        returns=sum(r.returns for r in rows),
        qty=sum((r.qty for r in rows), ZERO),
        amount=sum((r.amount for r in rows), ZERO),
        returned=sum((r.returned for r in rows), ZERO),
    )
    return PurchaseReport(
        currency=membership.business.base_currency,
        start=start,
        end=end,
        rows=tuple(rows if limit is None else rows[:limit]),
        total_rows=len(rows),
        totals=totals,
    )
