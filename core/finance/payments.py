"""Payments (收款 SK, 付款 FK): money in from a customer, out to a supplier.

A payment books a credit item and settles the party's open items with it: the ones the user
picked first, then the oldest. What no item takes stays as the party's credit and settles
the next item booked for it. A void reverses the payment's allocations (reopening what it
paid) and books a reversing item; nothing is deleted.
"""

from datetime import date, timedelta
from decimal import Decimal

from pydantic import Field
from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.commands import Amount, Command, ExchangeRate, MutatingCommand
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.errors import (
    InvalidInput,
    InvalidState,
    ItemNotOpen,
    NotFound,
    RequestConflict,
    UndoExpired,
)
from core.finance.currency import check_amount, check_rate, to_base
from core.finance.items import (
    Account,
    PartyRow,
    add_item,
    lock_party,
    party_column,
    party_currency,
    require_money_member,
    reverse_items,
)
from core.finance.matching import ItemState, Match, apply_payment
from core.finance.models import (
    Allocation,
    OpenItem,
    PartyKind,
    Payment,
    PaymentMethod,
    PaymentType,
)
from core.finance.results import Allocated, PaymentPosted, PlannedAllocation
from core.idempotency import once_per_request
from core.inventory.documents import check_doc_date, local_today
from core.inventory.models import DocStatus
from core.numbers import ZERO, negate
from core.sequences import next_number
from core.tenancy.access import Actor, Membership
from core.tenancy.models import Member

TYPES = {PartyKind.CUSTOMER: PaymentType.RECEIVED, PartyKind.SUPPLIER: PaymentType.PAID}


class Pick(Command):
    """Pay this much of this open item (before the oldest ones)."""

    item_id: int
    amount: Amount


class PostPayment(MutatingCommand):
    """Money received from a customer (``kind`` customer) or paid to a supplier."""

    kind: PartyKind
    party_id: int
    amount: Amount
    method: PaymentMethod = PaymentMethod.CASH
    rate: ExchangeRate | None = None  # to the base currency; required for another currency
    doc_date: date | None = None
    picks: tuple[Pick, ...] = Field(default=(), max_length=200)
    note: str = Field(default="", max_length=500)


class VoidPayment(MutatingCommand):
    """Void a payment: an undo right after it (no reason) or a manager's void with a reason."""

    payment_id: int
    reason: str | None = Field(default=None, min_length=1, max_length=200)


def _posted_request(request_id: str) -> ScalarSelect[int]:
    return (
        select(Payment.id)
        .where(Payment.business_id == Member.business_id, Payment.request_id == request_id)
        .scalar_subquery()
    )


@once_per_request
async def post_payment(uow: UnitOfWork, actor: Actor, cmd: PostPayment) -> PaymentPosted:
    """Posts the payment and allocates it: picks first, then the oldest open items.

    Raises:
        PermissionDenied: below manager (clerks record goods, not money).
        NotFound: no such party in this business.
        InvalidInput: an amount finer than the currency allows, a missing or needless rate,
            picks that add up to more than the payment or pick more than an item has open.
        ItemNotOpen: a pick is settled, voided, a credit, or another party's.
    """
    async with uow:
        session = uow.session
        membership = await require_money_member(
            session, actor, "record payments", probe=_posted_request(cmd.request_id)
        )
        if membership.probed is not None:
            payment = await session.get_one(Payment, membership.probed)
            if payment.doc_type != TYPES[cmd.kind]:
                raise RequestConflict(cmd.request_id)
            return await _result(session, membership, payment)
        party = await lock_party(session, membership, cmd.kind, cmd.party_id)
        currency = party_currency(party, membership)
        amount = check_amount(cmd.amount, currency, "amount")
        rate = check_rate(cmd.rate, currency, membership.business.base_currency)
        doc_date = check_doc_date(membership, cmd.doc_date)
        account = await Account.load(session, membership, cmd.kind, party.id, currency)
        picks = await _checked_picks(session, account, cmd.picks, amount, currency)
        payment = await _insert(session, membership, cmd, currency, rate, amount, doc_date)
        item = await add_item(
            session,
            membership,
            cmd.kind,
            party.id,
            amount=negate(amount),
            currency=currency,
            rate=rate,
            number=payment.number,
            item_date=doc_date,
            payment_id=payment.id,
        )
        credit = account.add(item)
        account.matches += apply_payment(
            credit, account.debits(), picks, membership.business.base_currency
        )
        account.settle_rest()
        await account.write(session)
        result = await _result(session, membership, payment, party)
        await uow.commit()
        return result


async def plan_payment(uow: UnitOfWork, actor: Actor, cmd: PostPayment) -> PlannedAllocation:
    """What ``post_payment`` would allocate, computed by the same rules; writes nothing.

    Raises:
        the same refusals as ``post_payment``.
    """
    async with uow.reading() as session:
        membership = await require_money_member(session, actor, "record payments")
        party = await lock_party(session, membership, cmd.kind, cmd.party_id)
        currency = party_currency(party, membership)
        amount = check_amount(cmd.amount, currency, "amount")
        rate = check_rate(cmd.rate, currency, membership.business.base_currency)
        account = await Account.load(session, membership, cmd.kind, party.id, currency)
        picks = await _checked_picks(session, account, cmd.picks, amount, currency)
        balance = sum((s.open for s in account.states.values()), ZERO)
        base = membership.business.base_currency
        worth = negate(to_base(amount, rate, base))  # what add_item would book
        credit = ItemState(0, "", negate(amount), worth, rate, local_today(membership), None)
        matches = apply_payment(credit, account.debits(), picks, membership.business.base_currency)
        return PlannedAllocation(
            tuple(_allocated(m) for m in matches), negate(credit.open), balance - amount
        )


def _allocated(match: Match) -> Allocated:
    return Allocated(
        match.debit.id, match.debit.number, match.amount, match.credit_base - match.debit_base
    )


async def _checked_picks(
    session: AsyncSession,
    account: Account,
    picks: tuple[Pick, ...],
    amount: Decimal,
    currency: str,
) -> list[tuple[int, Decimal]]:
    checked: list[tuple[int, Decimal]] = []
    for pick in picks:
        state = account.states.get(pick.item_id)
        if state is None or state.open <= 0:
            raise ItemNotOpen(state.number if state else await _number(session, account, pick))
        share = check_amount(pick.amount, currency, "picks.amount")
        if share > state.open:
            raise InvalidInput("picks.amount", f"more than {state.number} has open", str(share))
        checked.append((pick.item_id, share))
    if sum((share for _, share in checked), ZERO) > amount:
        raise InvalidInput("picks", "more than the payment", str(amount))
    return checked


async def _number(session: AsyncSession, account: Account, pick: Pick) -> str:
    """The number of a picked item that is not open (settled, voided), else its id."""
    number = await session.scalar(
        select(OpenItem.number).where(
            OpenItem.id == pick.item_id,
            OpenItem.business_id == account.membership.business_id,
        )
    )
    return number or str(pick.item_id)


async def _insert(
    session: AsyncSession,
    membership: Membership,
    cmd: PostPayment,
    currency: str,
    rate: Decimal,
    amount: Decimal,
    doc_date: date,
) -> Payment:
    doc_type = TYPES[cmd.kind]
    year = doc_date.year
    number = await next_number(session, membership.business_id, doc_type.value, year)
    payment = Payment(
        business_id=membership.business_id,
        doc_type=doc_type.value,
        number=f"{doc_type.value}-{year}-{number:05d}",
        status=DocStatus.POSTED.value,
        request_id=cmd.request_id,
        customer_id=cmd.party_id if cmd.kind == PartyKind.CUSTOMER else None,
        supplier_id=cmd.party_id if cmd.kind == PartyKind.SUPPLIER else None,
        currency=currency,
        rate=rate,
        amount=amount,
        method=cmd.method.value,
        doc_date=doc_date,
        note=cmd.note.strip(),
        created_by=membership.member.id,
        posted_at=utcnow(),
    )
    session.add(payment)
    await session.flush()
    return payment


@once_per_request
async def void_payment(uow: UnitOfWork, actor: Actor, cmd: VoidPayment) -> PaymentPosted:
    """Reverses the payment: what it paid is owed again, and its credit is gone.

    Raises:
        PermissionDenied: below manager.
        UndoExpired: an undo after the business's undo window (void it with a reason).
        NotFound: no such payment in this business.
        InvalidState: already voided (by another request).
    """
    async with uow:
        session = uow.session
        membership = await require_money_member(session, actor, "void payments")
        payment = await session.scalar(
            select(Payment).where(
                Payment.id == cmd.payment_id, Payment.business_id == membership.business_id
            )
        )
        if payment is None:
            raise NotFound("payment", str(cmd.payment_id))
        kind = PartyKind.CUSTOMER if payment.customer_id is not None else PartyKind.SUPPLIER
        party = await lock_party(session, membership, kind, _party_id(payment))
        await session.refresh(payment)  # as it is now that the party is locked
        if payment.status == DocStatus.VOIDED:
            if payment.void_request_id == cmd.request_id:
                return await _result(session, membership, payment, party)
            raise InvalidState(payment.number, payment.status)
        _check_may_void(membership, payment, cmd.reason)
        payment.status, payment.voided_at = DocStatus.VOIDED.value, utcnow()
        payment.voided_by, payment.void_request_id = membership.member.id, cmd.request_id
        payment.void_reason = (cmd.reason or "").strip()
        item = await session.scalar(
            select(OpenItem).where(
                OpenItem.payment_id == payment.id, OpenItem.reverses_id.is_(None)
            )
        )
        assert item is not None  # every payment books one
        await _unallocate(session, membership, item)
        await reverse_items(session, membership, kind, party.id, [item], local_today(membership))
        result = await _result(session, membership, payment, party)
        await uow.commit()
        return result


def _party_id(payment: Payment) -> int:
    party_id = payment.customer_id or payment.supplier_id
    assert party_id is not None
    return party_id


def _check_may_void(membership: Membership, payment: Payment, reason: str | None) -> None:
    if reason is not None:  # a manager's void, at any time
        return
    window = membership.business.undo_window_minutes
    if utcnow() - payment.posted_at > timedelta(minutes=window):
        raise UndoExpired(payment.number, window)


async def _unallocate(session: AsyncSession, membership: Membership, item: OpenItem) -> None:
    """Reverses every standing allocation of the payment's item: each item it paid reopens."""
    allocations = list(
        await session.scalars(
            select(Allocation).where(
                Allocation.credit_id == item.id, Allocation.reverses_id.is_(None)
            )
        )
    )
    undone = set(
        await session.scalars(
            select(Allocation.reverses_id).where(
                Allocation.reverses_id.in_([a.id for a in allocations])
            )
        )
    )
    for allocation in allocations:
        if allocation.id in undone:
            continue
        debit = await session.get_one(OpenItem, allocation.debit_id)
        debit.open += allocation.amount
        debit.open_base += allocation.debit_base
        item.open -= allocation.amount
        item.open_base -= allocation.credit_base
        session.add(
            Allocation(
                business_id=membership.business_id,
                debit_id=allocation.debit_id,
                credit_id=item.id,
                amount=negate(allocation.amount),
                debit_base=negate(allocation.debit_base),
                credit_base=negate(allocation.credit_base),
                reverses_id=allocation.id,
            )
        )
    await session.flush()


async def _result(
    session: AsyncSession,
    membership: Membership,
    payment: Payment,
    party: PartyRow | None = None,
) -> PaymentPosted:
    kind = PartyKind.CUSTOMER if payment.customer_id is not None else PartyKind.SUPPLIER
    if party is None:
        party = await lock_party(session, membership, kind, _party_id(payment))
    rows = await session.execute(
        select(Allocation, OpenItem.number)
        .join(OpenItem, OpenItem.id == Allocation.debit_id)
        .join(
            item := select(OpenItem.id)
            .where(OpenItem.payment_id == payment.id, OpenItem.reverses_id.is_(None))
            .subquery(),
            item.c.id == Allocation.credit_id,
        )
        .where(Allocation.reverses_id.is_(None))
        .order_by(Allocation.id)
    )
    allocations = tuple(
        Allocated(a.debit_id, number, a.amount, a.exchange_difference) for a, number in rows
    )
    own = await session.scalar(
        select(OpenItem.open).where(
            OpenItem.payment_id == payment.id, OpenItem.reverses_id.is_(None)
        )
    )
    balance = await session.scalar(
        select(func.sum(OpenItem.open)).where(
            OpenItem.business_id == membership.business_id,
            party_column(kind) == party.id,
            OpenItem.currency == payment.currency,
        )
    )
    return PaymentPosted(
        payment.id,
        payment.number,
        payment.doc_type,
        payment.status,
        party.id,
        party.name,
        payment.currency,
        payment.rate,
        payment.amount,
        payment.method,
        payment.doc_date,
        allocations,
        negate(own or ZERO),
        balance or ZERO,
        payment.voided_at,
    )
