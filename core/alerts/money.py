"""What the daily money reminder lists: overdue customers, and payables falling due."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Supplier
from core.finance.models import OpenItem
from core.numbers import ZERO
from core.tenancy.models import Business


@dataclass(frozen=True)
class OverdueCustomer:
    """A customer with items past their due date: how much (base currency), how late."""

    customer_id: int
    name: str
    amount: Decimal  # overdue, in the base currency at each item's rate
    currency: str  # the base currency
    days: int  # of the oldest overdue item
    oldest: str  # its document's number


@dataclass(frozen=True)
class PayableDue:
    """A supplier we owe something due by a date (or already overdue)."""

    supplier_id: int
    name: str
    amount: Decimal
    currency: str
    due_date: date


async def overdue_customers(
    session: AsyncSession, business: Business, today: date
) -> list[OverdueCustomer]:
    """Customers with open items due before ``today``, the biggest amount first."""
    rows = await session.execute(
        select(Customer.id, Customer.name, OpenItem.open_base, OpenItem.due_date, OpenItem.number)
        .join(Customer, Customer.id == OpenItem.customer_id)
        .where(
            OpenItem.business_id == business.id,
            OpenItem.open > 0,
            OpenItem.due_date < today,
        )
        .order_by(OpenItem.due_date, OpenItem.id)
    )
    found: dict[int, OverdueCustomer] = {}
    for customer_id, name, open_base, due, number in rows:
        assert due is not None  # the query asks for a due date before today
        seen = found.get(customer_id)
        if seen is None:
            found[customer_id] = OverdueCustomer(
                customer_id, name, open_base, business.base_currency, (today - due).days, number
            )
        else:
            found[customer_id] = OverdueCustomer(
                customer_id,
                name,
                seen.amount + open_base,
                seen.currency,
                seen.days,
                seen.oldest,
            )
    return sorted(found.values(), key=lambda c: (-c.amount, c.name))


async def payables_due(
    session: AsyncSession, business: Business, today: date, days: int
) -> list[PayableDue]:
    """Suppliers with open items due within ``days`` (or overdue), the soonest first."""
    rows = await session.execute(
        select(Supplier.id, Supplier.name, OpenItem.open_base, OpenItem.due_date)
        .join(Supplier, Supplier.id == OpenItem.supplier_id)
        .where(
            OpenItem.business_id == business.id,
            OpenItem.open > 0,
            OpenItem.due_date <= today + timedelta(days=days),
        )
    )
    total: dict[int, tuple[str, Decimal, date]] = {}
    for supplier_id, name, open_base, due in rows:
        assert due is not None
        _, amount, soonest = total.get(supplier_id, (name, ZERO, due))
        total[supplier_id] = (name, amount + open_base, min(soonest, due))
    return sorted(
        (
            PayableDue(sid, name, amount, business.base_currency, due)
            for sid, (name, amount, due) in total.items()
        ),
        key=lambda p: (p.due_date, p.name),
    )
