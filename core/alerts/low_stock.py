"""Low-stock alerts: written in the posting's own transaction when stock crosses down.

A product's business-wide on hand (and, where it has a point there, a warehouse's) that goes
from above its reorder point to at or below it queues one alert per recipient. It does not
repeat while stock stays low: only a later crossing (after it recovered above the point)
queues another. Muted products never alert; snoozed ones not until the snooze ends.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.models import AlertKind, StockAlertRule, WarehouseReorderPoint
from core.alerts.outbox import enqueue
from core.alerts.recipients import recipients
from core.db.base import utcnow

K = TypeVar("K")


@dataclass(frozen=True)
class Crossing:
    """Stock of a product (in one warehouse, or in all) fell to or below its point."""

    product_id: int
    warehouse_id: int | None
    on_hand: Decimal
    point: Decimal


def crossings(
    before: Mapping[K, Decimal], after: Mapping[K, Decimal], points: Mapping[K, Decimal]
) -> list[K]:
    """The keys whose figure went from above their point to at or below it."""
    return [
        key
        for key, point in points.items()
        if key in after and before.get(key, after[key]) > point >= after[key]
    ]


async def warehouse_points(
    session: AsyncSession, keys: list[tuple[int, int]]
) -> dict[tuple[int, int], Decimal]:
    """(warehouse, product) → its point there, for the balances a posting changed."""
    if not keys:
        return {}
    products = sorted({p for _, p in keys})
    rows = await session.execute(
        select(
            WarehouseReorderPoint.warehouse_id,
            WarehouseReorderPoint.product_id,
            WarehouseReorderPoint.reorder_point,
        ).where(WarehouseReorderPoint.product_id.in_(products))
    )
    wanted = set(keys)
    return {(w, p): point for w, p, point in rows if (w, p) in wanted}


async def queue_low_stock(
    session: AsyncSession, business_id: int, document_id: int, found: list[Crossing]
) -> int:
    """Queues an alert per crossing and recipient (not for muted or snoozed products)."""
    if not found:
        return 0
    quiet = await _quiet(session, sorted({c.product_id for c in found}))
    loud = [c for c in found if c.product_id not in quiet]
    if not loud:
        return 0
    queued = 0
    for chat in await recipients(session, business_id, AlertKind.LOW_STOCK):
        for c in loud:
            payload = {
                "product_id": c.product_id,
                "warehouse_id": c.warehouse_id,
                "on_hand": str(c.on_hand),
                "point": str(c.point),
                "document_id": document_id,
                "public": chat.public,
            }
            key = f"low:{document_id}:{c.product_id}:{c.warehouse_id or 0}:{chat.chat_id}"
            queued += await enqueue(
                session,
                business_id=business_id,
                chat_id=chat.chat_id,
                kind=AlertKind.LOW_STOCK,
                dedupe_key=key,
                payload=json.dumps(payload),
                locale=chat.locale,
            )
    return queued


async def _quiet(session: AsyncSession, product_ids: list[int]) -> set[int]:
    now = utcnow()
    rules = await session.scalars(
        select(StockAlertRule).where(StockAlertRule.product_id.in_(product_ids))
    )
    return {
        r.product_id
        for r in rules
        if r.muted or (r.snoozed_until is not None and r.snoozed_until > now)
    }
