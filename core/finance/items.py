"""Booking open items and matching them, inside the caller's transaction.

Every money posting of a party locks the party's row first (PostgreSQL), so two payments of
one customer at once are matched one after the other against the same open items.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ScalarSelect, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Supplier
from core.errors import NotFound, PermissionDenied
from core.finance.currency import to_base
from core.finance.matching import ItemState, Match, match_oldest_first, settle
from core.finance.models import Allocation, OpenItem, PartyKind
from core.inventory.models import Document
from core.numbers import ZERO, negate
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

PartyRow = Customer | Supplier
MODELS: dict[PartyKind, type[Customer] | type[Supplier]] = {
    PartyKind.CUSTOMER: Customer,
    PartyKind.SUPPLIER: Supplier,
}


async def require_money_member(
    session: AsyncSession, actor: Actor, action: str, *, probe: ScalarSelect[Any] | None = None
) -> Membership:
    """A manager or owner acting in a private chat: accounts are never shown in a group.

    Raises:
        PermissionDenied: below manager, or in a group chat.
    """
    membership = await require_member(session, actor, Role.MANAGER, action, probe=probe)
    if membership.in_public:
        raise PermissionDenied(action, "group")
    return membership


def party_column(kind: PartyKind):  # type: ignore[no-untyped-def]
    """The open items' column naming a party of this kind."""
    return OpenItem.customer_id if kind == PartyKind.CUSTOMER else OpenItem.supplier_id


def party_currency(party: PartyRow, membership: Membership) -> str:
    """The currency a party's documents and payments use."""
    return party.currency or membership.business.base_currency


async def lock_party(
    session: AsyncSession, membership: Membership, kind: PartyKind, party_id: int
) -> PartyRow:
    """The party of this business, its row locked on PostgreSQL until the commit.

    Raises:
        NotFound: no such customer or supplier in this business.
    """
    model = MODELS[kind]
    query = select(model).where(model.id == party_id, model.business_id == membership.business_id)
    if (await session.connection()).dialect.name == "postgresql":
        query = query.with_for_update()
    party: PartyRow | None = await session.scalar(query)
    if party is None:
        raise NotFound(kind.value, str(party_id))
    return party


async def add_item(
    session: AsyncSession,
    membership: Membership,
    kind: PartyKind,
    party_id: int,
    *,
    amount: Decimal,
    currency: str,
    rate: Decimal,
    number: str,
    item_date: date,
    due_date: date | None = None,
    document_id: int | None = None,
    payment_id: int | None = None,
    reverses: OpenItem | None = None,
) -> OpenItem:
    """Books one item; a reversal takes the exact negative of its original's base value."""
    base = membership.business.base_currency
    base_amount = negate(reverses.base_amount) if reverses else to_base(amount, rate, base)
    item = OpenItem(
        business_id=membership.business_id,
        customer_id=party_id if kind == PartyKind.CUSTOMER else None,
        supplier_id=party_id if kind == PartyKind.SUPPLIER else None,
        document_id=document_id,
        payment_id=payment_id,
        reverses_id=reverses.id if reverses else None,
        number=number,
        currency=currency,
        rate=rate,
        amount=amount,
        base_amount=base_amount,
        open=amount,
        open_base=base_amount,
        item_date=item_date,
        due_date=due_date if amount > 0 else None,
    )
    session.add(item)
    await session.flush()
    return item


def _state(item: OpenItem) -> ItemState:
    return ItemState(
        item.id, item.number, item.open, item.open_base, item.rate, item.item_date, item.due_date
    )


class Account:
    """The open items of one party in one currency, matched and written back together."""

    def __init__(self, membership: Membership, items: list[OpenItem]) -> None:
        self.membership = membership
        self.rows = {item.id: item for item in items}
        self.states = {item.id: _state(item) for item in items}
        self.matches: list[Match] = []

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        membership: Membership,
        kind: PartyKind,
        party_id: int,
        currency: str,
    ) -> "Account":
        """The party's items with something open (its row is locked by ``lock_party``)."""
        items = await session.scalars(
            select(OpenItem).where(
                OpenItem.business_id == membership.business_id,
                party_column(kind) == party_id,
                OpenItem.currency == currency,
                OpenItem.open != ZERO,
            )
        )
        return cls(membership, list(items))

    def add(self, item: OpenItem) -> ItemState:
        """Takes a new (or reopened) item into the account."""
        self.rows[item.id] = item
        self.states[item.id] = state = _state(item)
        return state

    def debits(self) -> list[ItemState]:
        """Open debit items, oldest first."""
        return sorted((s for s in self.states.values() if s.open > 0), key=lambda s: s.age_key)

    def settle_pair(self, debit_id: int, credit_id: int, amount: Decimal | None = None) -> None:
        """Settles as much as both items allow (or ``amount``) of one debit with one credit."""
        debit, credit = self.states[debit_id], self.states[credit_id]
        amount = min(debit.open, -credit.open) if amount is None else amount
        if amount > 0:
            self.matches.append(settle(debit, credit, amount, self._base))

    def settle_rest(self) -> None:
        """Whatever is still open on both sides: oldest first."""
        states = list(self.states.values())
        self.matches += match_oldest_first(states, states, self._base)

    @property
    def _base(self) -> str:
        return self.membership.business.base_currency

    async def write(self, session: AsyncSession) -> list[Allocation]:
        """Inserts the allocations and writes each item's open amounts back."""
        allocations = [
            Allocation(
                business_id=self.membership.business_id,
                debit_id=m.debit.id,
                credit_id=m.credit.id,
                amount=m.amount,
                debit_base=m.debit_base,
                credit_base=m.credit_base,
            )
            for m in self.matches
        ]
        session.add_all(allocations)
        for item_id, state in self.states.items():
            row = self.rows[item_id]
            row.open, row.open_base = state.open, state.open_base
        self.matches = []
        await session.flush()
        return allocations


async def balance(
    session: AsyncSession, membership: Membership, kind: PartyKind, party_id: int, currency: str
) -> Decimal:
    """What the party owes (or is owed) in ``currency``: the sum of its open items."""
    account = await Account.load(session, membership, kind, party_id, currency)
    return sum((s.open for s in account.states.values()), ZERO)


async def reverse_items(
    session: AsyncSession,
    membership: Membership,
    kind: PartyKind,
    party_id: int,
    items: list[OpenItem],
    item_date: date,
) -> None:
    """Books the reversal of each item (a void), settling it against its original first."""
    for original in items:
        account = await Account.load(session, membership, kind, party_id, original.currency)
        reversal = await add_item(
            session,
            membership,
            kind,
            party_id,
            amount=negate(original.amount),
            currency=original.currency,
            rate=original.rate,
            number=original.number,
            item_date=item_date,
            due_date=item_date,
            document_id=original.document_id,
            payment_id=original.payment_id,
            reverses=original,
        )
        account.add(reversal)
        if original.id in account.states:
            debit, credit = (original, reversal) if original.amount > 0 else (reversal, original)
            account.settle_pair(debit.id, credit.id)
        account.settle_rest()
        await account.write(session)


async def reverse_document(session: AsyncSession, membership: Membership, doc: Document) -> None:
    """A voided document's items are reversed: what it left owed (or credited) is undone.

    What was already paid against a voided sale stays with the customer as credit, applied
    to their oldest open items.
    """
    kind = PartyKind.CUSTOMER if doc.customer_id is not None else PartyKind.SUPPLIER
    party_id = doc.customer_id if kind == PartyKind.CUSTOMER else doc.supplier_id
    if party_id is None:
        return
    items = list(
        await session.scalars(
            select(OpenItem).where(OpenItem.document_id == doc.id, OpenItem.reverses_id.is_(None))
        )
    )
    if items:
        await lock_party(session, membership, kind, party_id)
        today = datetime.now(membership.zone).date()
        await reverse_items(session, membership, kind, party_id, items, today)
