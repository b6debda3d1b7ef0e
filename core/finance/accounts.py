"""Reading parties' accounts: open items, statements (对账单) and aging (账龄).

Managers and owners only: clerks record credit sales and receipts but see no accounts.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Supplier
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, NotFound
from core.finance.items import MODELS, PartyRow, party_column, party_currency, require_money_member
from core.finance.models import OpenItem, PartyKind, Payment
from core.finance.results import (
    BUCKETS,
    Aging,
    AgingLine,
    OpenItemView,
    PartyAccount,
    Statement,
    StatementRow,
)
from core.inventory.documents import local_today
from core.inventory.models import Document
from core.numbers import ZERO
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role


async def party_account(
    uow: UnitOfWork, actor: Actor, kind: PartyKind, party_id: int
) -> PartyAccount:
    """The party's open items in its currency (oldest first), balance and overdue part.

    Raises:
        PermissionDenied: below manager.
        NotFound: no such party in this business.
    """
    async with uow.reading() as session:
        membership = await require_money_member(session, actor, "see accounts")
        party = await _party(session, membership, kind, party_id)
        currency = party_currency(party, membership)
        today = local_today(membership)
        items = list(
            await session.scalars(
                _items(membership, kind, party_id).where(
                    OpenItem.currency == currency, OpenItem.open != ZERO
                )
            )
        )
        items.sort(key=lambda i: (i.open < 0, i.due_date or i.item_date, i.id))
        views = tuple(_view(i, today) for i in items)
        return PartyAccount(
            kind.value,
            party.id,
            party.name,
            currency,
            membership.business.base_currency,
            views,
            sum((v.open for v in views), ZERO),
            sum((v.open for v in views if v.days_overdue > 0), ZERO),
            party.credit_limit,
            await last_rate_in(session, membership, currency),
        )


def _view(item: OpenItem, today: date) -> OpenItemView:
    overdue = (today - item.due_date).days if item.due_date and item.open > 0 else 0
    return OpenItemView(
        item.id,
        item.number,
        item.item_date,
        item.due_date,
        item.amount,
        item.open,
        item.open_base,
        max(overdue, 0),
    )


def _items(membership: Membership, kind: PartyKind, party_id: int) -> Select[Any]:
    return select(OpenItem).where(
        OpenItem.business_id == membership.business_id, party_column(kind) == party_id
    )


async def _party(
    session: AsyncSession, membership: Membership, kind: PartyKind, party_id: int
) -> PartyRow:
    model = MODELS[kind]
    party: PartyRow | None = await session.scalar(
        select(model).where(model.id == party_id, model.business_id == membership.business_id)
    )
    if party is None:
        raise NotFound(kind.value, str(party_id))
    return party


async def last_rate(uow: UnitOfWork, actor: Actor, currency: str) -> Decimal | None:
    """The last exchange rate this business used for ``currency`` (None for the base)."""
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "post documents")
        return await last_rate_in(session, membership, currency)


async def last_rate_in(
    session: AsyncSession, membership: Membership, currency: str
) -> Decimal | None:
    """The rate of the newest document or payment in ``currency`` (the rate to offer)."""
    if currency == membership.business.base_currency:
        return None
    doc = await session.execute(
        select(Document.rate, Document.posted_at)
        .where(
            Document.business_id == membership.business_id,
            Document.currency == currency,
            Document.rate.is_not(None),
        )
        .order_by(Document.id.desc())
        .limit(1)
    )
    pay = await session.execute(
        select(Payment.rate, Payment.posted_at)
        .where(Payment.business_id == membership.business_id, Payment.currency == currency)
        .order_by(Payment.id.desc())
        .limit(1)
    )
    found = [row for row in (doc.first(), pay.first()) if row is not None]
    return max(found, key=lambda row: row[1])[0] if found else None


async def statement(
    uow: UnitOfWork, actor: Actor, kind: PartyKind, party_id: int, start: date, end: date
) -> Statement:
    """对账单: opening balance, each entry of the period by date, closing balance.

    Entries are the party's items in its currency dated in [start, end] (business dates):
    what its documents left owed, its returns, payments and voids. The closing balance of
    one period is the opening of the next.

    Raises:
        PermissionDenied: below manager.
        NotFound: no such party in this business.
        InvalidInput: ``end`` before ``start``.
    """
    if end < start:
        raise InvalidInput("end", "before the start", end.isoformat())
    async with uow.reading() as session:
        membership = await require_money_member(session, actor, "see statements")
        party = await _party(session, membership, kind, party_id)
        currency = party_currency(party, membership)
        base = _items(membership, kind, party_id).where(OpenItem.currency == currency)
        opening = await session.scalar(
            select(func.sum(OpenItem.amount)).where(
                OpenItem.business_id == membership.business_id,
                party_column(kind) == party_id,
                OpenItem.currency == currency,
                OpenItem.item_date < start,
            )
        )
        items = await session.scalars(
            base.where(OpenItem.item_date >= start, OpenItem.item_date <= end).order_by(
                OpenItem.item_date, OpenItem.id
            )
        )
        running = opening or ZERO
        rows = []
        for item in items:
            running += item.amount
            rows.append(
                StatementRow(
                    item.item_date,
                    item.number,
                    _entry_kind(item),
                    item.amount,
                    running,
                    item.due_date if item.amount > 0 and item.reverses_id is None else None,
                )
            )
        return Statement(
            kind.value,
            party.id,
            party.name,
            currency,
            start,
            end,
            opening or ZERO,
            tuple(rows),
            running,
        )


def _entry_kind(item: OpenItem) -> str:
    if item.reverses_id is not None:
        return "void"
    if item.payment_id is not None:
        return "payment"
    if item.amount < 0:
        return "return"
    return "sale" if item.customer_id is not None else "receipt"


async def aging(
    uow: UnitOfWork, actor: Actor, kind: PartyKind, as_of: date | None = None
) -> Aging:
    """账龄: every party's open items by days overdue, in the base currency.

    Buckets: current (not yet overdue), 1–30, 31–60, 61–90 and over 90 days overdue, and
    unapplied credit; they sum to the party's balance. Parties with nothing open are left
    out; the biggest balance comes first.

    Raises:
        PermissionDenied: below manager.
    """
    async with uow.reading() as session:
        membership = await require_money_member(session, actor, "see aging")
        today = as_of or local_today(membership)
        model: type[Customer] | type[Supplier] = MODELS[kind]
        column = party_column(kind)
        rows = await session.execute(
            select(column, model.name, OpenItem.open_base, OpenItem.open, OpenItem.due_date)
            .join(model, model.id == column)
            .where(
                OpenItem.business_id == membership.business_id,
                or_(OpenItem.open_base != ZERO, OpenItem.open != ZERO),
            )
        )
        per: dict[int, tuple[str, list[Decimal]]] = {}
        for party_id, name, open_base, open_, due in rows:
            buckets = per.setdefault(party_id, (name, [ZERO] * len(BUCKETS)))[1]
            buckets[bucket_of(open_, due, today)] += open_base
        lines = sorted(
            (AgingLine(pid, name, tuple(b)) for pid, (name, b) in per.items()),
            key=lambda line: (-line.total, line.party_name),
        )
        totals = tuple(sum((line.buckets[i] for line in lines), ZERO) for i in range(len(BUCKETS)))
        return Aging(kind.value, membership.business.base_currency, today, tuple(lines), totals)


def bucket_of(open_: Decimal, due: date | None, today: date) -> int:
    """The aging bucket (index into BUCKETS) of an item with ``open`` left."""
    if open_ < 0 or due is None:
        return BUCKETS.index("credit") if open_ < 0 else 0
    days = (today - due).days
    if days <= 0:
        return 0
    if days <= 30:
        return 1
    if days <= 60:
        return 2
    if days <= 90:
        return 3
    return 4
