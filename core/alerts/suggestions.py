"""Reorder suggestions (自动补货): what to order of each product at or below its point.

For a product: on hand (the business's, or a warehouse's when it has a point there), average
daily sales over the last 30 days (sales less sales returns, by document date, posted ones),
days of cover, what open purchase orders still expect, and the suggested quantity: the
product's reorder quantity when it has one, else enough to cover the business's coverage
days of sales less what is on hand and on order — and never less than what brings it back
above its point — rounded up to a whole unit.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.models import StockAlertRule, WarehouseReorderPoint
from core.catalog.models import Product, Supplier
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.inventory.models import (
    DocStatus,
    DocType,
    Document,
    DocumentLine,
    ProductCost,
    StockBalance,
)
from core.numbers import ZERO
from core.orders.models import OPEN_STATUSES, Order, OrderKind, OrderLine
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

SALES_DAYS = 30
FEW = 50  # up to this many products, sales are read product by product
_CHUNK = 900  # ids per IN list (SQLite allows 999 parameters per statement by default)


@dataclass(frozen=True)
class Suggestion:
    """One product to reorder (in one warehouse when ``warehouse_id`` is set)."""

    product_id: int
    sku: str
    name: str
    unit: str
    warehouse_id: int | None  # None: the business's total against the product's point
    on_hand: Decimal
    reorder_point: Decimal
    daily_sales: Decimal  # average over the last 30 days, 3 places
    days_of_cover: Decimal | None  # None: nothing sold in 30 days
    on_order: Decimal
    suggested: Decimal
    supplier_id: int | None  # the last supplier it was received from
    supplier_name: str | None
    last_price: Decimal | None  # that receipt's unit price (else the default purchase price)
    muted: bool = False
    snoozed: bool = False


def suggested_qty(
    on_hand: Decimal,
    on_order: Decimal,
    point: Decimal,
    daily_sales: Decimal,
    reorder_qty: Decimal | None,
    coverage_days: int,
) -> Decimal:
    """The quantity to order, a whole number of units (see the module's docstring)."""
    if reorder_qty:
        return reorder_qty
    cover = daily_sales * coverage_days - on_hand - on_order
    above_point = point - on_hand - on_order + 1 if on_hand + on_order <= point else ZERO
    need = max(cover, above_point, ZERO)
    return need.to_integral_value(rounding=ROUND_CEILING)


def daily_average(sold: Decimal) -> Decimal:
    """Average daily sales over the window, 3 places."""
    return (sold / SALES_DAYS).quantize(Decimal("0.001"))


def cover_days(on_hand: Decimal, daily: Decimal) -> Decimal | None:
    """Days the stock on hand lasts at that rate (None when nothing sells)."""
    if daily <= 0:
        return None
    return (max(on_hand, ZERO) / daily).quantize(Decimal("0.1"))


async def reorder_suggestions(
    uow: UnitOfWork,
    actor: Actor,
    today: date,
    *,
    product_ids: list[int] | None = None,
    include_quiet: bool = True,
) -> list[Suggestion]:
    """Every product at or below its point (or just ``product_ids``), grouped by supplier.

    ``today`` is the business's local date (the caller's clock). Muted products and those
    snoozed now are left out unless ``include_quiet``: then they come flagged, even those
    above their point (to be turned back on).

    Raises:
        PermissionDenied: viewers (the suggestions carry purchase prices).
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see reorder suggestions")
        return await suggestions_in(
            session, membership, today, product_ids=product_ids, include_quiet=include_quiet
        )


async def suggestions_in(
    session: AsyncSession,
    membership: Membership,
    today: date,
    *,
    product_ids: list[int] | None = None,
    include_quiet: bool = True,
    low_only: bool = True,
) -> list[Suggestion]:
    """``reorder_suggestions`` inside the caller's session.

    With ``include_quiet``, muted and snoozed products come too even when above their point
    (flagged), so they can be turned back on from the list.
    """
    business_id = membership.business_id
    low = await _low_products(session, business_id, product_ids, low_only)
    rules = await _rules(session, business_id)
    if include_quiet and low_only:
        quiet = [
            p
            for p, (muted, snoozed) in rules.items()
            if (muted or snoozed) and (product_ids is None or p in product_ids)
        ]
        if quiet:
            low = await _low_products(session, business_id, quiet, low_only=False) | low
    if not low:
        return []
    ids = sorted({product_id for product_id, _ in low})
    sold = await _sold(session, business_id, ids, today)
    ordered = await _on_order(session, business_id, ids)
    suppliers = await _supplier_names(session, business_id, low.values())
    coverage = membership.business.coverage_days
    found = []
    for (product_id, warehouse_id), row in low.items():
        daily = daily_average(sold.get(product_id, ZERO))
        on_order = (
            sum(ordered.get(product_id, {}).values(), ZERO)
            if warehouse_id is None
            else ordered.get(product_id, {}).get(warehouse_id, ZERO)
        )
        muted, snoozed = rules.get(product_id, (False, False))
        if not include_quiet and (muted or snoozed):
            continue
        found.append(
            Suggestion(
                product_id=product_id,
                sku=row.sku,
                name=row.name,
                unit=row.unit,
                warehouse_id=warehouse_id,
                on_hand=row.on_hand,
                reorder_point=row.point,
                daily_sales=daily,
                days_of_cover=cover_days(row.on_hand, daily),
                on_order=on_order,
                suggested=suggested_qty(
                    row.on_hand, on_order, row.point, daily, row.reorder_qty, coverage
                ),
                supplier_id=row.supplier_id,
                supplier_name=suppliers.get(row.supplier_id) if row.supplier_id else None,
                last_price=row.last_price or row.purchase_price,
                muted=muted,
                snoozed=snoozed,
            )
        )
    found.sort(key=lambda s: (s.supplier_name or "\uffff", s.sku, s.warehouse_id or 0))
    return found


@dataclass(frozen=True)
class _Low:
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    point: Decimal
    reorder_qty: Decimal | None
    purchase_price: Decimal | None
    supplier_id: int | None
    last_price: Decimal | None


async def _low_products(
    session: AsyncSession, business_id: int, product_ids: list[int] | None, low_only: bool
) -> dict[tuple[int, int | None], _Low]:
    """(product, warehouse or None) → its figures, for those at or below their point."""
    total = (
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.unit,
            ProductCost.on_hand,
            Product.reorder_point,
            Product.reorder_qty,
            Product.default_purchase_price,
            ProductCost.last_supplier_id,
            ProductCost.last_purchase_price,
        )
        .join(ProductCost, ProductCost.product_id == Product.id)
        .where(
            Product.business_id == business_id,
            Product.archived.is_(False),
            Product.reorder_point.is_not(None),
        )
    )
    if low_only:
        total = total.where(ProductCost.on_hand <= Product.reorder_point)
    if product_ids is not None:
        total = total.where(Product.id.in_(product_ids))
    found: dict[tuple[int, int | None], _Low] = {}
    for pid, sku, name, unit, on_hand, point, qty, buy, supplier, last in await session.execute(
        total
    ):
        found[pid, None] = _Low(sku, name, unit, on_hand, point or ZERO, qty, buy, supplier, last)
    per_warehouse = (
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.unit,
            StockBalance.on_hand,
            WarehouseReorderPoint.reorder_point,
            Product.reorder_qty,
            Product.default_purchase_price,
            ProductCost.last_supplier_id,
            ProductCost.last_purchase_price,
            WarehouseReorderPoint.warehouse_id,
        )
        .join(Product, Product.id == WarehouseReorderPoint.product_id)
        .join(ProductCost, ProductCost.product_id == Product.id)
        .join(
            StockBalance,
            (StockBalance.product_id == WarehouseReorderPoint.product_id)
            & (StockBalance.warehouse_id == WarehouseReorderPoint.warehouse_id),
            isouter=True,
        )
        .where(WarehouseReorderPoint.business_id == business_id, Product.archived.is_(False))
    )
    if product_ids is not None:
        per_warehouse = per_warehouse.where(Product.id.in_(product_ids))
    for (
        pid,
        sku,
        name,
        unit,
        on_hand,
        point,
        qty,
        buy,
        supplier,
        last,
        wid,
    ) in await session.execute(per_warehouse):
        here = on_hand if on_hand is not None else ZERO
        if here <= point or not low_only:
            found[pid, wid] = _Low(sku, name, unit, here, point, qty, buy, supplier, last)
    return found


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


async def _sold(
    session: AsyncSession, business_id: int, ids: list[int], today: date
) -> dict[int, Decimal]:
    """Quantity sold less returned by customers, last 30 days (posted documents).

    One pass over the window's sales (by the business, type and date index): cheaper than
    asking product by product when many are low.
    """
    since = today - timedelta(days=SALES_DAYS - 1)
    wanted = set(ids)
    query = (
        select(Document.doc_type, DocumentLine.product_id, func.sum(DocumentLine.qty))
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            Document.business_id == business_id,
            Document.doc_type.in_([DocType.SHIPMENT.value, DocType.SALES_RETURN.value]),
            Document.doc_date >= since,
            Document.doc_date <= today,
            Document.status == DocStatus.POSTED.value,
        )
        .group_by(Document.doc_type, DocumentLine.product_id)
    )
    if len(ids) <= FEW:  # an alert's product or two: by the lines' product index instead
        query = query.where(DocumentLine.product_id.in_(ids))
    rows = await session.execute(query)
    sold: dict[int, Decimal] = defaultdict(Decimal)
    for doc_type, product_id, qty in rows:
        if product_id in wanted:
            sold[product_id] += qty if doc_type == DocType.SHIPMENT.value else -qty
    return sold


async def _on_order(
    session: AsyncSession, business_id: int, ids: list[int]
) -> dict[int, dict[int, Decimal]]:
    """Product → warehouse → what placed purchase orders still expect (of ``ids``).

    One query for the business's open purchase orders: there are few of them, and a list of
    thousands of ids would cost more round trips than it saves.
    """
    wanted = set(ids)
    ordered: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = await session.execute(
        select(
            Order.warehouse_id, OrderLine.product_id, func.sum(OrderLine.qty - OrderLine.done_qty)
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.business_id == business_id,
            Order.kind == OrderKind.PURCHASE.value,
            Order.status.in_(OPEN_STATUSES),
            OrderLine.done_qty < OrderLine.qty,
        )
        .group_by(Order.warehouse_id, OrderLine.product_id)
    )
    for warehouse_id, product_id, qty in rows:
        if product_id in wanted:
            ordered[product_id][warehouse_id] = qty
    return ordered


async def _supplier_names(
    session: AsyncSession, business_id: int, rows: Iterable["_Low"]
) -> dict[int, str]:
    """Names of the products' last suppliers."""
    ids = sorted({row.supplier_id for row in rows if row.supplier_id is not None})
    names: dict[int, str] = {}
    for chunk in _chunks(ids):
        for supplier_id, name in await session.execute(
            select(Supplier.id, Supplier.name).where(
                Supplier.business_id == business_id, Supplier.id.in_(chunk)
            )
        ):
            names[supplier_id] = name
    return names


async def _rules(session: AsyncSession, business_id: int) -> dict[int, tuple[bool, bool]]:
    """Product → (muted, snoozed now), for the business's products that have a rule."""
    now = utcnow()
    found = {}
    for rule in await session.scalars(
        select(StockAlertRule).where(StockAlertRule.business_id == business_id)
    ):
        snoozed = rule.snoozed_until is not None and rule.snoozed_until > now
        found[rule.product_id] = (rule.muted, snoozed)
    return found
