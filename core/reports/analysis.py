"""Analysis: slow movers, ABC classification, stock turnover and days of cover."""

from datetime import date
from decimal import Decimal
from typing import Final

from sqlalchemy import case, func, select, type_coerce

from core.db.types import Money, Qty
from core.db.uow import UnitOfWork
from core.errors import InvalidInput
from core.inventory.documents import local_today
from core.inventory.models import (
    DocStatus,
    DocType,
    Document,
    DocumentLine,
    MoveKind,
    ProductCost,
    StockMove,
)
from core.numbers import ZERO, quantize
from core.reports._common import base_places, check_period, period_instants, ratio
from core.reports.results import (
    AbcClass,
    AbcReport,
    AbcRow,
    SlowMover,
    SlowMovers,
    TurnoverReport,
    TurnoverRow,
)
from core.reports.sales import SALE_TYPES, product_names, tally_by_product
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role

A_CUT: Final = Decimal("0.80")
B_CUT: Final = Decimal("0.95")
SHARE_PLACES: Final = 4


async def slow_movers(
    uow: UnitOfWork,
    actor: Actor,
    days: int = 90,
    *,
    as_of: date | None = None,
    limit: int | None = None,
) -> SlowMovers:
    """Slow movers and dead stock (呆滞): products with stock and no sale in ``days`` days.

    A product is listed when its business-wide on hand is > 0 and it has no posted sale
    (XS, by document date) in the ``days`` days up to ``as_of`` (today, local, by default):
    its last sale is at least ``days`` days ago, or it never sold. Its stock value (what is
    tied up) is shown to managers and owners only; then the most value comes first, else the
    longest without a sale (never sold first).

    Raises:
        PermissionDenied: not a member of the business.
        InvalidInput: ``days`` below 1.
    """
    if days < 1:
        raise InvalidInput("days", "at least 1", str(days))
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock reports")
        sees = membership.sees_costs
        business_id = membership.business_id
        today = as_of or local_today(membership)
        last_sale: dict[int, date] = {
            row[0]: row[1]
            for row in (
                await session.execute(
                    select(DocumentLine.product_id, func.max(Document.doc_date))
                    .join(Document, Document.id == DocumentLine.document_id)
                    .where(
                        Document.business_id == business_id,
                        Document.doc_type == DocType.SHIPMENT.value,
                        Document.status == DocStatus.POSTED.value,
                        Document.doc_date <= today,
                    )
                    .group_by(DocumentLine.product_id)
                )
            )
        }
        stocked = (
            await session.execute(
                select(ProductCost.product_id, ProductCost.on_hand, ProductCost.value).where(
                    ProductCost.business_id == business_id, ProductCost.on_hand > ZERO
                )
            )
        ).all()
        slow: list[tuple[int, Decimal, Decimal, date | None]] = []
        for product_id, on_hand, value in stocked:
            last = last_sale.get(product_id)
            if last is None or (today - last).days >= days:
                slow.append((product_id, on_hand, value, last))
        info = await product_names(session, business_id, (s[0] for s in slow))
    rows = [
        SlowMover(
            product_id=pid,
            sku=info.get(pid, ("", "", ""))[0],
            name=info.get(pid, ("", "", ""))[1],
            unit=info.get(pid, ("", "", ""))[2],
            on_hand=on_hand,
            value=value if sees else None,
            last_sale=last,
            days_since_sale=(today - last).days if last is not None else None,
        )
        for pid, on_hand, value, last in slow
    ]
    never = 10**9
    if sees:
        rows.sort(key=lambda r: (-(r.value or ZERO), -(r.days_since_sale or never), r.sku))
    else:
        rows.sort(key=lambda r: (-(r.days_since_sale or never), r.sku))
    return SlowMovers(
        currency=membership.business.base_currency,
        days=days,
        as_of=today,
        sees_costs=sees,
        rows=tuple(rows if limit is None else rows[:limit]),
        total_rows=len(rows),
        total_on_hand=sum((r.on_hand for r in rows), ZERO),
        total_value=sum((r.value or ZERO for r in rows), ZERO) if sees else None,
    )


async def abc(
    uow: UnitOfWork, actor: Actor, start: date, end: date, *, limit: int | None = None
) -> AbcReport:
    """ABC classification of the products sold in the period, by net sales revenue.

    Products are ranked by revenue (net of returns, as in ``sales`` by product), biggest
    first (ties by product id). The cut rule: a product is A while the share of revenue of the
    products ranked above it is below 80 % — so the product that crosses 80 % is still A —,
    B while it is below 95 %, C after that. Products with no positive net revenue are C with
    a share of 0. Shares are of the period's positive revenue. Products not sold in the
    period are not listed.

    Raises:
        PermissionDenied: viewers (stock reports only).
        InvalidInput: ``end`` before ``start``.
    """
    check_period(start, end)
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see sales reports")
        tallies = await tally_by_product(
            session, membership, SALE_TYPES, start, end, with_cogs=False
        )
        ranked = sorted(tallies.items(), key=lambda kv: (-kv[1].revenue, kv[0]))
        positive = sum((t.revenue for _, t in ranked if t.revenue > 0), ZERO)
        a_cut, b_cut = positive * A_CUT, positive * B_CUT
        counts = {"A": 0, "B": 0, "C": 0}
        revenues = {"A": ZERO, "B": ZERO, "C": ZERO}
        classes: list[tuple[int, AbcClass, Decimal]] = []  # product, class, cumulative revenue
        running = ZERO
        for pid, tally in ranked:
            klass: AbcClass = "C"
            if tally.revenue > 0:  # by the revenue of the products ranked above it
                klass = "A" if running < a_cut else "B" if running < b_cut else "C"
                running += tally.revenue
            counts[klass] += 1
            revenues[klass] += tally.revenue
            if limit is None or len(classes) < limit:
                classes.append((pid, klass, running))
        info = await product_names(session, membership.business_id, (c[0] for c in classes))
    rows = []
    for pid, klass, cumulative in classes:
        tally = tallies[pid]
        sku, name, _ = info.get(pid, ("", "", ""))
        share = ratio(max(tally.revenue, ZERO), positive, SHARE_PLACES) or ZERO
        rows.append(
            AbcRow(
                pid,
                sku,
                name,
                tally.qty,
                tally.revenue,
                share,
                ratio(cumulative, positive, SHARE_PLACES) or ZERO,
                klass,
            )
        )
    return AbcReport(
        currency=membership.business.base_currency,
        start=start,
        end=end,
        rows=tuple(rows),
        total_rows=len(ranked),
        revenue=sum((t.revenue for _, t in ranked), ZERO),
        counts=counts,
        revenues=revenues,
    )


async def turnover(
    uow: UnitOfWork, actor: Actor, start: date, end: date, *, limit: int | None = None
) -> TurnoverReport:
    """Stock turnover (周转率) and days of cover per product over local dates [start, end].

    Turnover = COGS of the period / average stock value, where the average is the mean of
    the opening and closing values, (opening + closing) / 2 — not a daily average. Opening
    and closing are the ledger's value and on hand at local midnight before ``start`` and
    after ``end`` (by when moves were booked; COGS and quantities sold are by document date,
    as in ``sales``). Days of cover = closing on hand / average daily sales, where daily
    sales = net quantity sold / days in the period. Listed: products sold in the period or
    with stock or stock value at either end. Money figures and turnover are for managers and
    owners only; clerks see quantities and days of cover. Rows: fastest turnover first
    (clerks: fewest days of cover first), products with neither at the end, ties by id.

    Raises:
        PermissionDenied: viewers (stock reports only).
        InvalidInput: ``end`` before ``start``.
    """
    check_period(start, end)
    days = (end - start).days + 1
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see sales reports")
        sees = membership.sees_costs
        places = base_places(membership)
        business_id = membership.business_id
        tallies = await tally_by_product(
            session, membership, SALE_TYPES, start, end, with_cogs=sees
        )
        begin, finish = period_instants(membership, start, end)
        before = StockMove.created_at < begin
        ledger: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
        for pid, opening, closing, on_hand in await session.execute(
            select(
                StockMove.product_id,
                type_coerce(func.sum(case((before, StockMove.value), else_=ZERO)), Money()),
                type_coerce(func.sum(StockMove.value), Money()),
                type_coerce(
                    func.sum(case((StockMove.kind == MoveKind.GOODS, StockMove.qty), else_=ZERO)),
                    Qty(),
                ),
            )
            .where(StockMove.business_id == business_id, StockMove.created_at < finish)
            .group_by(StockMove.product_id)
        ):
            if opening or closing or on_hand:
                ledger[pid] = (opening or ZERO, closing or ZERO, on_hand or ZERO)
        ids = set(ledger) | {pid for pid, t in tallies.items() if t.qty or t.docs or t.returns}
        sums = [ZERO, ZERO, ZERO, ZERO, ZERO]  # qty sold, on hand, cogs, opening, closing
        keys: list[tuple[int, Decimal, int]] = []  # (no figure, sort figure, product id)
        for pid in ids:
            opening, closing, on_hand = ledger.get(pid, (ZERO, ZERO, ZERO))
            tally = tallies.get(pid)
            qty, cogs = (tally.qty, tally.cogs) if tally else (ZERO, ZERO)
            for i, v in enumerate((qty, on_hand, cogs, opening, closing)):
                sums[i] += v
            if sees:  # fastest turnover first
                average = opening + closing
                keys.append((0, -cogs / average, pid) if average > 0 else (1, ZERO, pid))
            else:  # fewest days of cover first
                keys.append((0, max(on_hand, ZERO) / qty, pid) if qty > 0 else (1, ZERO, pid))
        keys.sort()
        kept = [k[2] for k in (keys if limit is None else keys[:limit])]
        info = await product_names(session, business_id, kept)
    rows = []
    for pid in kept:
        opening, closing, on_hand = ledger.get(pid, (ZERO, ZERO, ZERO))
        tally = tallies.get(pid)
        qty, cogs = (tally.qty, tally.cogs) if tally else (ZERO, ZERO)
        sku, name, unit = info.get(pid, ("", "", ""))
        rows.append(
            _turnover_row(
                pid, sku, name, unit, qty, on_hand, cogs, opening, closing, days, places, sees
            )
        )
    qty, on_hand, cogs, opening, closing = sums
    totals = _turnover_row(0, "", "", "", qty, on_hand, cogs, opening, closing, days, places, sees)
    return TurnoverReport(
        currency=membership.business.base_currency,
        start=start,
        end=end,
        days=days,
        sees_costs=sees,
        rows=tuple(rows),
        total_rows=len(ids),
        totals=totals,
    )


def _turnover_row(
    pid: int,
    sku: str,
    name: str,
    unit: str,
    qty: Decimal,
    on_hand: Decimal,
    cogs: Decimal,
    opening: Decimal,
    closing: Decimal,
    days: int,
    places: int,
    sees: bool,
) -> TurnoverRow:
    daily = quantize(qty / days, 3)
    cover = ratio(max(on_hand, ZERO), daily, 1) if daily > 0 else None
    average = quantize((opening + closing) / 2, places)
    turns = ratio(cogs, average, 2) if average > 0 else None
    return TurnoverRow(
        product_id=pid,
        sku=sku,
        name=name,
        unit=unit,
        qty_sold=qty,
        daily_sales=daily,
        on_hand=on_hand,
        days_of_cover=cover,
        cogs=cogs if sees else None,
        opening_value=opening if sees else None,
        closing_value=closing if sees else None,
        average_value=average if sees else None,
        turnover=turns if sees else None,
    )
