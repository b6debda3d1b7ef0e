"""What confirmed sales orders hold: each open line's remaining quantity, in its warehouse.

Every change to a sales order (confirm, ship, cancel, a void of its shipment) compares what
its lines held before with what they hold after and moves ``stock_balances.reserved`` by the
difference, in the same transaction, with the products locked as for a posting.
"""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Warehouse
from core.inventory.ledger import Posting
from core.numbers import ZERO
from core.orders.models import OPEN_STATUSES, Order, OrderKind, OrderLine
from core.tenancy.access import Membership

Held = dict[int, Decimal]  # by order line number


def held(order: Order, lines: dict[int, OrderLine]) -> Held:
    """What each line holds now: its remaining quantity while a sales order is open."""
    holds = order.kind == OrderKind.SALES and order.status in OPEN_STATUSES
    return {n: max(line.qty - line.done_qty, ZERO) if holds else ZERO for n, line in lines.items()}


async def open_posting(
    session: AsyncSession, membership: Membership, order: Order, lines: dict[int, OrderLine]
) -> Posting:
    """A posting over the order's products in its warehouse (locks them, loads balances)."""
    warehouse = await session.get_one(Warehouse, order.warehouse_id)
    return await Posting.open(
        session, membership, (x.product_id for x in lines.values()), [warehouse], archived_ok=True
    )


def rebalance(
    posting: Posting,
    order: Order,
    lines: dict[int, OrderLine],
    before: Held,
    *,
    check: bool,
) -> None:
    """Moves the reservations by what the lines hold now less what they held ``before``.

    Raises:
        InsufficientStock: with ``check``, holding more than is available.
    """
    after = held(order, lines)
    deltas: dict[int, Decimal] = {}
    for n, line in lines.items():
        change = after[n] - before.get(n, ZERO)
        if change:
            deltas[line.product_id] = deltas.get(line.product_id, ZERO) + change
    for product_id, delta in sorted(deltas.items()):
        posting.reserve(order.warehouse_id, product_id, delta, check=check)


async def reserved_of(session: AsyncSession, business_id: int) -> dict[tuple[int, int], Decimal]:
    """What open sales orders hold per (warehouse, product), from their lines."""
    rows = await session.execute(
        select(Order.warehouse_id, OrderLine.product_id, OrderLine.qty, OrderLine.done_qty)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.business_id == business_id,
            Order.kind == OrderKind.SALES.value,
            Order.status.in_(OPEN_STATUSES),
        )
    )
    total: dict[tuple[int, int], Decimal] = {}
    for warehouse_id, product_id, qty, done in rows:
        key = (warehouse_id, product_id)
        total[key] = total.get(key, ZERO) + max(qty - done, ZERO)
    return total
