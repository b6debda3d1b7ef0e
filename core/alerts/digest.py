"""The daily digest's figures, all in the base currency, by local dates.

Yesterday's sales and profit, who posted what, what is low, what is overdue, and what falls
due this week.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Product
from core.finance.models import OpenItem
from core.inventory.models import DocStatus, DocType, Document, MoveKind, ProductCost, StockMove
from core.numbers import ZERO, mul_div, round_money
from core.tenancy.models import Business, Member


@dataclass(frozen=True)
class Digest:
    """Yesterday in numbers (``day`` is yesterday's local date)."""

    day: date
    currency: str
    sales_count: int
    sales_amount: Decimal
    gross_profit: Decimal
    by_member: list[tuple[str, int]] = field(default_factory=list)
    low_stock: int = 0
    overdue: Decimal = ZERO
    payables_week: Decimal = ZERO


async def digest_figures(session: AsyncSession, business: Business, today: date) -> Digest:
    """The figures for the digest sent on ``today`` (about yesterday)."""
    day = today - timedelta(days=1)
    base = business.base_currency
    sales = (
        await session.execute(
            select(Document.id, Document.total, Document.rate).where(
                Document.business_id == business.id,
                Document.doc_type == DocType.SHIPMENT.value,
                Document.status == DocStatus.POSTED.value,
                Document.doc_date == day,
            )
        )
    ).all()
    amount = sum(
        (round_money(mul_div(total, rate or Decimal(1)), base) for _, total, rate in sales), ZERO
    )
    cogs = ZERO
    if sales:
        cogs = -(
            await session.scalar(
                select(func.coalesce(func.sum(StockMove.value), 0)).where(
                    StockMove.document_id.in_([doc_id for doc_id, _, _ in sales]),
                    StockMove.kind == MoveKind.GOODS.value,
                )
            )
            or ZERO
        )
    members = await session.execute(
        select(Member.display_name, Member.user_id, func.count(Document.id))
        .join(Member, Member.id == Document.created_by)
        .where(
            Document.business_id == business.id,
            Document.doc_date == day,
            Document.status == DocStatus.POSTED.value,
        )
        .group_by(Member.display_name, Member.user_id)
        .order_by(func.count(Document.id).desc())
    )
    low = await session.scalar(
        select(func.count())
        .select_from(Product)
        .join(ProductCost, ProductCost.product_id == Product.id)
        .where(
            Product.business_id == business.id,
            Product.archived.is_(False),
            Product.reorder_point.is_not(None),
            ProductCost.on_hand <= Product.reorder_point,
        )
    )
    overdue = await _open_base(session, business.id, customers=True, due_before=today)
    payables = await _open_base(
        session, business.id, customers=False, due_before=today + timedelta(days=8)
    )
    return Digest(
        day,
        base,
        len(sales),
        amount,
        amount - Decimal(cogs),
        [(name or str(user_id), count) for name, user_id, count in members],
        int(low or 0),
        overdue,
        payables,
    )


async def _open_base(
    session: AsyncSession, business_id: int, *, customers: bool, due_before: date
) -> Decimal:
    party = OpenItem.customer_id if customers else OpenItem.supplier_id
    total = await session.scalar(
        select(func.coalesce(func.sum(OpenItem.open_base), 0)).where(
            OpenItem.business_id == business_id,
            party.is_not(None),
            OpenItem.open > 0,
            OpenItem.due_date < due_before,
        )
    )
    return Decimal(total or 0)
