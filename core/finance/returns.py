"""The money of a return: its share of the original's amounts, and a credit or a refund.

A returned line is worth its share of what the original line came to after its discount
(the return that completes the line takes the rest); the original's round-off is shared the
same way over the whole document. When the original left something owed, the return is a
credit against it (and beyond it, the party's credit); when it was paid in full at once, the
money is refunded at once the same way.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.finance.items import Account, add_item
from core.finance.models import OpenItem, PartyKind, PaymentMethod
from core.inventory.models import DocStatus, Document, DocumentLine
from core.numbers import ZERO, mul_div, negate, round_money
from core.tenancy.access import Membership


@dataclass(frozen=True)
class ReturnMoney:
    """Each returned line's amount, the round-off share and the return's total."""

    amounts: list[Decimal]
    round_off: Decimal
    total: Decimal


async def price_return(
    session: AsyncSession,
    original: Document,
    picked: list[tuple[int, Decimal]],  # (original line number, quantity returned)
    left_after: list[Decimal],  # per picked line: what its line has left after it
    complete: bool,  # nothing of the original is left to return after this return
) -> ReturnMoney:
    """The return's amounts in the original's currency."""
    lines = {
        n: (qty, amount or ZERO)
        for n, qty, amount in await session.execute(
            select(DocumentLine.line_no, DocumentLine.qty, DocumentLine.amount).where(
                DocumentLine.document_id == original.id
            )
        )
    }
    returns = (
        select(Document.id)
        .where(Document.returns_id == original.id, Document.status == DocStatus.POSTED.value)
        .scalar_subquery()
    )
    done: dict[int, Decimal] = {
        n: amount or ZERO
        for n, amount in await session.execute(
            select(DocumentLine.returns_line_no, func.sum(DocumentLine.amount))
            .where(DocumentLine.document_id.in_(returns))
            .group_by(DocumentLine.returns_line_no)
        )
        if n is not None
    }
    currency = original.currency
    amounts = []
    for (line_no, qty), after in zip(picked, left_after, strict=True):
        line_qty, line_amount = lines[line_no]
        if after == 0:  # completes the line: the rest of it
            share = line_amount - done.get(line_no, ZERO)
        else:
            share = round_money(mul_div(line_amount, qty, line_qty), currency)
        done[line_no] = done.get(line_no, ZERO) + share
        amounts.append(share)
    returned = sum(amounts, ZERO)
    round_off = ZERO
    if original.round_off:
        taken = await session.scalar(
            select(func.coalesce(func.sum(Document.round_off), 0)).where(Document.id.in_(returns))
        )
        if complete:
            round_off = original.round_off - Decimal(taken or 0)
        else:
            gross = sum((amount for _, amount in lines.values()), ZERO)
            round_off = round_money(mul_div(original.round_off, returned, gross), currency)
    return ReturnMoney(amounts, round_off, returned - round_off)


async def owed_item(session: AsyncSession, original: Document) -> OpenItem | None:
    """The item the original booked for what stayed owed, if it left anything owed."""
    return await session.scalar(
        select(OpenItem).where(OpenItem.document_id == original.id, OpenItem.reverses_id.is_(None))
    )


def return_fields(original: Document, money: ReturnMoney, credited: bool) -> dict[str, object]:
    """The return document's money columns: a credit, or a refund made at once."""
    refund = ZERO if credited else money.total
    return {
        "currency": original.currency,
        "rate": original.rate,
        "round_off": money.round_off,
        "total": money.total,
        "paid_now": refund,
        "payment_method": (original.payment_method or PaymentMethod.CASH.value)
        if refund
        else None,
        "due_date": None,
    }


async def book_return_credit(
    session: AsyncSession,
    membership: Membership,
    kind: PartyKind,
    party_id: int,
    item: OpenItem,  # the original's
    total: Decimal,
    document_id: int,
    number: str,
    doc_date: date,
) -> None:
    """A credit of ``total`` against the original's item first, then the party's oldest."""
    if total <= 0:
        return
    account = await Account.load(session, membership, kind, party_id, item.currency)
    credit = await add_item(
        session,
        membership,
        kind,
        party_id,
        amount=negate(total),
        currency=item.currency,
        rate=item.rate,
        number=number,
        item_date=doc_date,
        document_id=document_id,
    )
    account.add(credit)
    if item.id in account.states:
        account.settle_pair(item.id, credit.id)
    account.settle_rest()
    await account.write(session)
