"""Stock reports: on hand with value by warehouse, and one product's history."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.catalog.models import Product, Warehouse
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.errors import NotFound
from core.inventory.models import Document, MoveKind, ProductCost, StockBalance, StockMove
from core.numbers import AVG_PLACES, ZERO, mul_div, quantize
from core.reports._common import CHUNK, allocate, base_places, check_period, period_instants
from core.reports.results import (
    HistoryRow,
    StockHistory,
    StockOnHand,
    StockRow,
    WarehouseStock,
)
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Member, Role

AVG_SHOWN = 4  # averages are shown at 4 places (DESIGN rule 5)


def average_cost(on_hand: Decimal, value: Decimal, avg: Decimal) -> Decimal:
    """The product's average at 4 places: value / on hand while on hand > 0, else its last."""
    if on_hand > 0:
        return quantize(mul_div(value, Decimal(1), on_hand), AVG_SHOWN)
    return quantize(avg, min(AVG_SHOWN, AVG_PLACES))


async def stock_on_hand(
    uow: UnitOfWork, actor: Actor, warehouse_id: int | None = None, *, limit: int | None = None
) -> StockOnHand:
    """Stock on hand per product and warehouse (on hand ≠ 0), valued at moving average cost.

    Rows are by SKU, then warehouse name; ``limit`` keeps the first rows, the warehouse
    totals and the total cover all of them.

    A product's stock value is business-wide (DESIGN rule 4); each warehouse gets the share
    of it in proportion to its on hand, split by the largest remainder method: shares are
    rounded down to the cent and the cents left over go to the biggest remainders, ties to
    the lower warehouse id (so every engine and collation splits alike). The warehouses'
    values of a product add up to the product's value and the report's total to the
    ledger's, to the cent. Values and averages are None for clerks, viewers and in a group
    chat.

    Raises:
        PermissionDenied: not a member of the business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock reports")
        business_id = membership.business_id
        sees = membership.sees_costs
        places = base_places(membership)
        names = {
            w.id: w.name
            for w in await session.scalars(
                select(Warehouse).where(Warehouse.business_id == business_id)
            )
        }
        query = (
            select(
                StockBalance.product_id,
                StockBalance.warehouse_id,
                StockBalance.on_hand,
                Product.sku,
                Product.name,
                Product.unit,
                ProductCost.value,
            )
            .join(Product, Product.id == StockBalance.product_id)
            .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .outerjoin(ProductCost, ProductCost.product_id == StockBalance.product_id)
            .where(StockBalance.business_id == business_id, StockBalance.on_hand != ZERO)
            .order_by(Product.sku, StockBalance.product_id, Warehouse.name, Warehouse.id)
        )
        if warehouse_id is not None and not sees:  # no values to allocate: one warehouse only
            query = query.where(StockBalance.warehouse_id == warehouse_id)
        result = await session.stream(query.execution_options(yield_per=10_000))
        # (product id, warehouse id, on hand, sku, name, unit, share, product's on hand, value)
        kept: list[tuple[Any, ...]] = []
        total_rows = 0
        per_warehouse: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        products: set[int] = set()
        group: list[Any] = []

        def flush() -> None:
            nonlocal total_rows
            value = group[0][6] or ZERO
            qty = sum((g[2] for g in group), ZERO)  # = the cost row's on hand (rule 2)
            shares: list[Decimal] | None = None
            if sees:  # in warehouse id order, whatever order the rows are listed in
                order = sorted(range(len(group)), key=lambda i: group[i][1])
                split = allocate(value, [group[i][2] for i in order], places)
                shares = [ZERO] * len(group)
                for i, share in zip(order, split, strict=True):
                    shares[i] = share
            for n, row in enumerate(group):
                wid = row[1]
                if warehouse_id is not None and wid != warehouse_id:
                    continue
                share = shares[n] if shares is not None else ZERO
                total_rows += 1
                products.add(row[0])
                totals = per_warehouse[wid]
                totals[0] += 1
                totals[1] += share
                if limit is None or len(kept) < limit:
                    kept.append((*row[:6], share, qty, value))
            group.clear()

        async for partition in result.partitions():
            for row in partition:
                if group and group[0][0] != row[0]:
                    flush()
                group.append(row)
        if group:
            flush()
        avgs = await _last_averages(session, [k[0] for k in kept if k[7] <= 0]) if sees else {}
    rows = tuple(
        StockRow(
            pid,
            sku,
            name,
            unit,
            wid,
            names.get(wid, ""),
            qty,
            average_cost(total_qty, value, avgs.get(pid, ZERO)) if sees else None,
            share if sees else None,
        )
        for pid, wid, qty, sku, name, unit, share, total_qty, value in kept
    )
    warehouses = tuple(
        WarehouseStock(wid, names.get(wid, ""), int(t[0]), t[1] if sees else None)
        for wid, t in sorted(per_warehouse.items(), key=lambda kv: (names.get(kv[0], ""), kv[0]))
    )
    total_value = sum((w.value or ZERO for w in warehouses), ZERO) if sees else None
    return StockOnHand(
        currency=membership.business.base_currency,
        as_of=utcnow(),
        warehouse_id=warehouse_id,
        sees_costs=sees,
        rows=rows,
        total_rows=total_rows,
        warehouses=warehouses,
        products=len(products),
        total_value=total_value,
    )


async def _last_averages(session: AsyncSession, ids: list[int]) -> dict[int, Decimal]:
    """The stored (last) averages of products whose on hand is ≤ 0."""
    found: dict[int, Decimal] = {}
    for i in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(ProductCost.product_id, ProductCost.avg).where(
                ProductCost.product_id.in_(ids[i : i + CHUNK])
            )
        )
        found.update({row[0]: row[1] for row in rows})
    return found


async def stock_history(
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    start: date,
    end: date,
    *,
    limit: int | None = None,
) -> StockHistory:
    """Every goods move of one product booked in the period, with running balances.

    The period is local dates [start, end] by when each move was booked (posted, or voided
    for a void's reversing move), not by document date: a back-dated document's moves count
    when they were posted, so opening + in − out = closing always holds and the balances are
    the ledger's. Voided documents show both their moves and the reversals. Move values are
    for managers and owners only. ``limit`` keeps the first moves; the totals and closing
    balances still cover the whole period.

    Raises:
        PermissionDenied: not a member of the business.
        NotFound: no such product in this business.
        InvalidInput: ``end`` before ``start``.
    """
    check_period(start, end)
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock reports")
        business_id = membership.business_id
        sees = membership.sees_costs
        product = await session.scalar(
            select(Product).where(Product.id == product_id, Product.business_id == business_id)
        )
        if product is None:
            raise NotFound("product", str(product_id))
        names = {
            w.id: w.name
            for w in await session.scalars(
                select(Warehouse).where(Warehouse.business_id == business_id)
            )
        }
        begin, finish = period_instants(membership, start, end)
        goods = (
            StockMove.business_id == business_id,
            StockMove.product_id == product_id,
            StockMove.kind == MoveKind.GOODS,
        )
        opening: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for wid, qty in await session.execute(
            select(StockMove.warehouse_id, func.sum(StockMove.qty))
            .where(*goods, StockMove.created_at < begin)
            .group_by(StockMove.warehouse_id)
        ):
            if wid is not None and qty:
                opening[wid] += qty
        author = aliased(Member)
        voider = aliased(Member)
        moves = await session.execute(
            select(
                StockMove.id,
                StockMove.created_at,
                StockMove.warehouse_id,
                StockMove.qty,
                StockMove.value,
                StockMove.reverses_id,
                Document.id,
                Document.number,
                Document.doc_type,
                Document.doc_date,
                author.display_name,
                author.user_id,
                voider.display_name,
                voider.user_id,
            )
            .join(Document, Document.id == StockMove.document_id)
            .join(author, author.id == Document.created_by)
            .outerjoin(voider, voider.id == Document.voided_by)
            .where(*goods, StockMove.created_at >= begin, StockMove.created_at < finish)
            .order_by(StockMove.id)
        )
        zone = membership.zone
        balance = defaultdict(lambda: ZERO, opening)
        total = sum(opening.values(), ZERO)
        opening_total = total
        rows: list[HistoryRow] = []
        qty_in = qty_out = ZERO
        total_rows = 0
        for (
            move_id,
            created_at,
            wid,
            qty,
            value,
            reverses_id,
            doc_id,
            number,
            doc_type,
            doc_date,
            author_name,
            author_user,
            voider_name,
            voider_user,
        ) in moves:
            warehouse = wid or 0
            balance[warehouse] += qty
            total += qty
            total_rows += 1
            qty_in += max(qty, ZERO)
            qty_out += max(-qty, ZERO)
            is_void = reverses_id is not None
            who = (
                (voider_name or str(voider_user or ""))
                if is_void and voider_user is not None
                else (author_name or str(author_user))
            )
            if limit is None or len(rows) < limit:
                rows.append(
                    HistoryRow(
                        move_id=move_id,
                        posted_at=created_at,
                        day=created_at.astimezone(zone).date(),
                        doc_date=doc_date,
                        document_id=doc_id,
                        number=number,
                        doc_type=doc_type,
                        is_void=is_void,
                        author=who,
                        warehouse_id=warehouse,
                        warehouse=names.get(warehouse, ""),
                        qty_in=max(qty, ZERO),
                        qty_out=max(-qty, ZERO),
                        balance=balance[warehouse],
                        total_balance=total,
                        value=value if sees else None,
                    )
                )
    used = set(opening) | set(balance)
    return StockHistory(
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        currency=membership.business.base_currency,
        start=start,
        end=end,
        sees_costs=sees,
        opening={k: v for k, v in opening.items() if v},
        opening_total=opening_total,
        rows=tuple(rows),
        total_rows=total_rows,
        qty_in=qty_in,
        qty_out=qty_out,
        closing={k: v for k, v in balance.items() if v},
        closing_total=total,
        warehouses={w: names.get(w, "") for w in sorted(used)},
        timezone=membership.business.timezone,
    )
