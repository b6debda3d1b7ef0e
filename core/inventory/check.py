"""The ledger check: balances and average costs recomputed from the moves (DESIGN rule 2).

It reads only, across every business: it is the operator's tool (``jxc-bot check``), run after
a restore or an incident, and it reports each difference rather than fixing anything.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import Database
from core.finance.check import MoneyDifference, check_money
from core.inventory.models import (
    DocStatus,
    Document,
    DocumentLine,
    MoveKind,
    ProductCost,
    StockBalance,
    StockMove,
)
from core.numbers import AVG_PLACES, ZERO, mul_div, quantize
from core.orders.models import OPEN_STATUSES, Order, OrderKind, OrderLine


@dataclass(frozen=True)
class Difference:
    """One figure that does not follow from the ledger."""

    what: str  # balance, on_hand, value, avg, value_without_qty, order_received, reserved,
    # over_returned (stored: what posted returns took of a line; from_moves: what it moved)
    business_id: int
    product_id: int
    warehouse_id: int | None
    stored: Decimal
    from_moves: Decimal  # "order_received": its posted documents; "reserved": open orders
    order_id: int | None = None

    def __str__(self) -> str:
        where = f" warehouse {self.warehouse_id}" if self.warehouse_id is not None else ""
        if self.order_id is not None:
            where += f" order {self.order_id}"
        return (
            f"{self.what}: business {self.business_id} product {self.product_id}{where}: "
            f"stored {self.stored}, moves say {self.from_moves}"
        )


@dataclass
class LedgerReport:
    """The outcome of a check."""

    products: int = 0
    moves: int = 0
    differences: list[Difference | MoneyDifference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every figure follows from the moves."""
        return not self.differences


async def check_ledger(db: Database) -> LedgerReport:
    """Recomputes every balance, on hand, stock value and average from the stock moves."""
    async with db.reads() as session:
        report = LedgerReport()
        report.moves = await session.scalar(select(func.count()).select_from(StockMove)) or 0
        await _check_balances(session, report)
        await _check_costs(session, report)
        await _check_orders(session, report)
        await _check_reserved(session, report)
        await _check_returns(session, report)
        report.differences += await check_money(session)
        await session.rollback()
        return report


async def _check_balances(session: AsyncSession, report: LedgerReport) -> None:
    sums = {
        (w, p): qty
        for w, p, qty in await session.execute(
            select(StockMove.warehouse_id, StockMove.product_id, func.sum(StockMove.qty))
            .where(StockMove.kind == MoveKind.GOODS)
            .group_by(StockMove.warehouse_id, StockMove.product_id)
        )
    }
    seen = set()
    for row in await session.execute(select(StockBalance)):
        balance = row[0]
        key = (balance.warehouse_id, balance.product_id)
        seen.add(key)
        expected = sums.get(key, ZERO)
        if balance.on_hand != expected:
            report.differences.append(
                Difference(
                    "balance",
                    balance.business_id,
                    balance.product_id,
                    balance.warehouse_id,
                    balance.on_hand,
                    expected,
                )
            )
    for (warehouse_id, product_id), qty in sums.items():
        if (warehouse_id, product_id) not in seen and qty != 0:
            report.differences.append(
                Difference("balance", 0, product_id, warehouse_id, ZERO, qty)
            )


async def _check_costs(session: AsyncSession, report: LedgerReport) -> None:
    totals: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for product_id, qty, value in await session.execute(
        select(StockMove.product_id, func.sum(StockMove.qty), func.sum(StockMove.value)).group_by(
            StockMove.product_id
        )
    ):
        totals[product_id] = (qty, value)
    for row in await session.execute(select(ProductCost)):
        cost = row[0]
        report.products += 1
        qty, value = totals.get(cost.product_id, (ZERO, ZERO))
        found = report.differences.append
        if cost.on_hand != qty:
            found(
                Difference("on_hand", cost.business_id, cost.product_id, None, cost.on_hand, qty)
            )
        if cost.value != value:
            found(Difference("value", cost.business_id, cost.product_id, None, cost.value, value))
        if qty == 0 and value != 0:
            found(
                Difference(
                    "value_without_qty", cost.business_id, cost.product_id, None, value, ZERO
                )
            )
        if qty > 0:
            avg = quantize(mul_div(value, Decimal(1), qty), AVG_PLACES)
            if cost.avg != avg:
                found(Difference("avg", cost.business_id, cost.product_id, None, cost.avg, avg))


async def _check_orders(session: AsyncSession, report: LedgerReport) -> None:
    """Each order line's received (or shipped) quantity = its posted documents' lines."""
    filled = (
        select(Document.order_id, DocumentLine.order_line_no, func.sum(DocumentLine.qty))
        .join(Document, Document.id == DocumentLine.document_id)
        .where(Document.order_id.is_not(None), Document.status == DocStatus.POSTED.value)
        .group_by(Document.order_id, DocumentLine.order_line_no)
    )
    from_documents = {(o, n): qty for o, n, qty in await session.execute(filled)}
    lines = select(
        Order.business_id,
        OrderLine.order_id,
        OrderLine.line_no,
        OrderLine.product_id,
        OrderLine.done_qty,
    ).join(Order, Order.id == OrderLine.order_id)
    for business_id, order_id, line_no, product_id, done in await session.execute(lines):
        expected = from_documents.get((order_id, line_no), ZERO)
        if done != expected:
            report.differences.append(
                Difference(
                    "order_received", business_id, product_id, None, done, expected, order_id
                )
            )


async def _check_reserved(session: AsyncSession, report: LedgerReport) -> None:
    """Each balance's reserved = what open sales orders still have to ship from there."""
    rows = await session.execute(
        select(
            Order.business_id,
            Order.warehouse_id,
            OrderLine.product_id,
            OrderLine.qty,
            OrderLine.done_qty,
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.kind == OrderKind.SALES.value, Order.status.in_(OPEN_STATUSES))
    )
    held: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    for business_id, warehouse_id, product_id, qty, done in rows:
        held[business_id, warehouse_id, product_id] += max(qty - done, ZERO)
    stored = await session.execute(
        select(
            StockBalance.business_id,
            StockBalance.warehouse_id,
            StockBalance.product_id,
            StockBalance.reserved,
        ).where(StockBalance.reserved != 0)
    )
    seen = set()
    for business_id, warehouse_id, product_id, reserved in stored:
        key = (business_id, warehouse_id, product_id)
        seen.add(key)
        if reserved != held.get(key, ZERO):
            report.differences.append(Difference("reserved", *key, reserved, held.get(key, ZERO)))
    for (business_id, warehouse_id, product_id), qty in held.items():
        if (business_id, warehouse_id, product_id) not in seen and qty != 0:
            report.differences.append(
                Difference("reserved", business_id, product_id, warehouse_id, ZERO, qty)
            )


async def _check_returns(session: AsyncSession, report: LedgerReport) -> None:
    """No line of a sale or receipt is returned beyond what it moved."""
    returns = Document.__table__.alias("returns")
    returned = await session.execute(
        select(
            Document.business_id,
            Document.id,
            DocumentLine.returns_line_no,
            func.sum(DocumentLine.qty),
        )
        .select_from(DocumentLine)
        .join(returns, returns.c.id == DocumentLine.document_id)
        .join(Document, Document.id == returns.c.returns_id)
        .where(returns.c.status == DocStatus.POSTED.value)
        .group_by(Document.business_id, Document.id, DocumentLine.returns_line_no)
    )
    for business_id, document_id, line_no, qty in returned:
        line = await session.scalar(
            select(DocumentLine).where(
                DocumentLine.document_id == document_id, DocumentLine.line_no == line_no
            )
        )
        if line is not None and qty > abs(line.qty):
            report.differences.append(
                Difference("over_returned", business_id, line.product_id, None, qty, line.qty)
            )
