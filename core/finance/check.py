"""The money half of ``jxc-bot check``: open items follow from documents and allocations."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.finance.models import Allocation, OpenItem, Payment
from core.inventory.models import DocStatus, DocType, Document
from core.numbers import ZERO

_OWED_SIGN = {
    DocType.SHIPMENT.value: 1,
    DocType.RECEIPT.value: 1,
    DocType.SALES_RETURN.value: -1,
    DocType.PURCHASE_RETURN.value: -1,
    DocType.OPENING.value: 1,  # an opening balance (期初): what the party owed when imported
}


@dataclass(frozen=True)
class MoneyDifference:
    """A money figure that does not follow from documents, payments and allocations."""

    what: str  # open, open_base, over_allocated, party_balance, mismatched_allocation
    business_id: int
    ref: str  # the item's number, or the party ("customer 3 CNY")
    stored: Decimal
    expected: Decimal

    def __str__(self) -> str:
        return (
            f"{self.what}: business {self.business_id} {self.ref}: "
            f"stored {self.stored}, expected {self.expected}"
        )


async def check_money(session: AsyncSession) -> list[MoneyDifference]:
    """Proves the open items.

    Each item's open = amount − its allocations (in its currency and in base), never past its
    amount; and per party and currency, Σ open = what documents left owed − payments.
    """
    found: list[MoneyDifference] = []
    taken: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for a in (await session.scalars(select(Allocation))).all():
        d, c = taken[a.debit_id], taken[a.credit_id]
        taken[a.debit_id] = (d[0] - a.amount, d[1] - a.debit_base)
        taken[a.credit_id] = (c[0] + a.amount, c[1] + a.credit_base)
    balances: dict[tuple[int, str, int, str], Decimal] = defaultdict(Decimal)
    items = {i.id: i for i in (await session.scalars(select(OpenItem))).all()}
    for item in items.values():
        moved, moved_base = taken[item.id]
        for what, stored, expected in (
            ("open", item.open, item.amount + moved),
            ("open_base", item.open_base, item.base_amount + moved_base),
        ):
            if stored != expected:
                found.append(
                    MoneyDifference(what, item.business_id, item.number, stored, expected)
                )
        if item.open * item.amount < 0 or abs(item.open) > abs(item.amount):
            found.append(
                MoneyDifference(
                    "over_allocated", item.business_id, item.number, item.open, item.amount
                )
            )
        balances[_party(item)] += item.open
    await _check_allocations(session, items, found)
    owed = await _owed_by_documents(session)
    for key in balances.keys() | owed.keys():
        if balances.get(key, ZERO) != owed.get(key, ZERO):
            business_id, kind, party_id, currency = key
            found.append(
                MoneyDifference(
                    "party_balance",
                    business_id,
                    f"{kind} {party_id} {currency}",
                    balances.get(key, ZERO),
                    owed.get(key, ZERO),
                )
            )
    return found


def _party(item: OpenItem) -> tuple[int, str, int, str]:
    if item.customer_id is not None:
        return (item.business_id, "customer", item.customer_id, item.currency)
    assert item.supplier_id is not None
    return (item.business_id, "supplier", item.supplier_id, item.currency)


async def _check_allocations(
    session: AsyncSession, items: dict[int, OpenItem], found: list[MoneyDifference]
) -> None:
    for a in (await session.scalars(select(Allocation))).all():
        debit, credit = items[a.debit_id], items[a.credit_id]
        if (
            _party(debit) != _party(credit)
            or debit.amount <= 0
            or credit.amount >= 0
            or (a.amount <= 0) != (a.reverses_id is not None)
        ):
            found.append(
                MoneyDifference(
                    "mismatched_allocation", a.business_id, debit.number, a.amount, ZERO
                )
            )


async def _owed_by_documents(session: AsyncSession) -> dict[tuple[int, str, int, str], Decimal]:
    """Per party and currency: posted documents' totals less paid now, less payments."""
    owed: dict[tuple[int, str, int, str], Decimal] = defaultdict(Decimal)
    docs = await session.execute(
        select(
            Document.business_id,
            Document.doc_type,
            Document.customer_id,
            Document.supplier_id,
            Document.currency,
            Document.total,
            Document.paid_now,
        ).where(Document.status == DocStatus.POSTED.value, Document.paid_now.is_not(None))
    )
    for business_id, doc_type, customer_id, supplier_id, currency, total, paid in docs:
        sign = _OWED_SIGN.get(doc_type)
        if sign is None or (customer_id is None and supplier_id is None):
            continue
        kind, party_id = ("customer", customer_id) if customer_id else ("supplier", supplier_id)
        assert party_id is not None  # the check above
        assert paid is not None  # the query
        owed[business_id, kind, party_id, currency] += sign * (total - paid)
    payments = await session.execute(
        select(
            Payment.business_id,
            Payment.customer_id,
            Payment.supplier_id,
            Payment.currency,
            func.sum(Payment.amount),
        )
        .where(Payment.status == DocStatus.POSTED.value)
        .group_by(Payment.business_id, Payment.customer_id, Payment.supplier_id, Payment.currency)
    )
    for business_id, customer_id, supplier_id, currency, amount in payments:
        kind, party_id = ("customer", customer_id) if customer_id else ("supplier", supplier_id)
        assert party_id is not None
        owed[business_id, kind, party_id, currency] -= amount
    return {k: v for k, v in owed.items() if v != 0}
