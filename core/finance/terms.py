"""The money side of a sale or a receipt: discounts, round-off, rate, paid now or on credit."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.commands import AmountOrZero, Command, ExchangeRate, Percent
from core.errors import CreditLimitExceeded, InvalidInput, RoundOffBeyondLimit
from core.finance.currency import check_amount, check_rate, due_from_terms, to_base
from core.finance.items import Account, PartyRow, add_item, balance, party_currency
from core.finance.models import PartyKind, PaymentMethod
from core.numbers import ZERO, mul_div, round_money
from core.tenancy.access import Membership
from core.tenancy.models import Role


class Discount(Command):
    """A sale line's discount: a percent of qty × price, or an amount (not both)."""

    discount_pct: Percent | None = None
    discount: AmountOrZero | None = None


class MoneyTerms(Command):
    """How a sale or receipt is paid; every field has the old default: paid in full now."""

    paid_now: AmountOrZero | None = None  # None: the whole total, now
    payment_method: PaymentMethod = PaymentMethod.CASH
    due_date: date | None = None  # None: the document's date + the party's terms
    rate: ExchangeRate | None = None  # to the base currency; required for another currency
    round_off: AmountOrZero = Decimal(0)  # 抹零 off a sale's total
    credit_limit_ok: bool = False  # a manager confirmed a sale beyond the credit limit


@dataclass(frozen=True)
class PricedLine:
    """One line's money: qty × price, less its discount."""

    gross: Decimal
    discount: Decimal
    discount_pct: Decimal | None
    amount: Decimal


def price_line(
    qty: Decimal, unit_price: Decimal, off: Discount | None, currency: str
) -> PricedLine:
    """The line's amount in its currency, the discount rounded to the minor unit.

    Raises:
        InvalidInput: both a percent and an amount, an amount finer than the currency allows,
            or a discount above the line's value.
    """
    gross = round_money(mul_div(qty, unit_price), currency)
    pct = off.discount_pct if off else None
    if off is not None and off.discount is not None:
        if pct is not None:
            raise InvalidInput("discount", "give a percent or an amount, not both", "")
        discount = check_amount(off.discount, currency, "discount")
    elif pct is not None:
        discount = round_money(mul_div(gross, pct, Decimal(100)), currency)
    else:
        discount = ZERO
    if discount > gross:
        raise InvalidInput("discount", "more than the line's value", str(discount))
    return PricedLine(gross, discount, pct, gross - discount)


@dataclass(frozen=True)
class Settlement:
    """What the document records of its payment, and what stays owed."""

    currency: str
    rate: Decimal
    round_off: Decimal
    total: Decimal
    paid_now: Decimal
    method: PaymentMethod
    due_date: date | None  # None when nothing stays owed

    @property
    def credit(self) -> Decimal:
        """What stays owed: the total less what was paid at once."""
        return self.total - self.paid_now

    def document_fields(self, base: str) -> dict[str, object]:
        """The document's money columns."""
        return {
            "currency": self.currency,
            "rate": None if self.currency == base else self.rate,
            "round_off": self.round_off,
            "total": self.total,
            "paid_now": self.paid_now,
            "payment_method": self.method.value if self.paid_now else None,
            "due_date": self.due_date,
        }


def trade_currency(
    membership: Membership, party: PartyRow | None, terms: MoneyTerms
) -> tuple[str, Decimal]:
    """The document's currency (its party's) and its rate to the base currency.

    Raises:
        InvalidInput: no rate for a foreign currency, or one other than 1 for the base.
    """
    base = membership.business.base_currency
    currency = party_currency(party, membership) if party is not None else base
    return currency, check_rate(terms.rate, currency, base)


async def settle_terms(
    session: AsyncSession,
    membership: Membership,
    kind: PartyKind,
    party: PartyRow | None,
    terms: MoneyTerms,
    lines_total: Decimal,
    doc_date: date,
    currency: str,
    rate: Decimal,
) -> Settlement:
    """Checks the round-off, the payment and the credit limit; dates what stays owed.

    Raises:
        RoundOffBeyondLimit: more round-off than the owner allows.
        InvalidInput: a round-off on a receipt or above the total, paying more than the total,
            a walk-in buying on credit, a due date before the document's date, amounts finer
            than the currency allows.
        CreditLimitExceeded: the customer's balance would pass its credit limit (a clerk may
            never; a manager must say ``credit_limit_ok``).
    """
    base = membership.business.base_currency
    round_off = check_amount(terms.round_off, currency, "round_off")
    if round_off and kind != PartyKind.CUSTOMER:
        raise InvalidInput("round_off", "only a sale is rounded off", str(round_off))
    if round_off > lines_total:
        raise InvalidInput("round_off", "more than the total", str(round_off))
    limit = membership.business.round_off_limit
    if to_base(round_off, rate, base) > limit:
        raise RoundOffBeyondLimit(limit, base, round_off)
    total = lines_total - round_off
    paid = total if terms.paid_now is None else check_amount(terms.paid_now, currency, "paid_now")
    if paid > total:
        raise InvalidInput("paid_now", "more than the total", str(paid))
    credit = total - paid
    due = None
    if credit > 0:
        if party is None:
            raise InvalidInput("paid_now", "without a party nothing can stay owed", str(paid))
        due = terms.due_date or due_from_terms(doc_date, party.terms_days)
        if due < doc_date:
            raise InvalidInput("due_date", "before the document's date", due.isoformat())
        await _check_credit_limit(session, membership, kind, party, currency, credit, terms)
    return Settlement(currency, rate, round_off, total, paid, terms.payment_method, due)


async def _check_credit_limit(
    session: AsyncSession,
    membership: Membership,
    kind: PartyKind,
    party: PartyRow,
    currency: str,
    credit: Decimal,
    terms: MoneyTerms,
) -> None:
    if kind != PartyKind.CUSTOMER or party.credit_limit is None:
        return
    owed = await balance(session, membership, kind, party.id, currency)
    if owed + credit <= party.credit_limit:
        return
    manager = membership.role.at_least(Role.MANAGER)
    if not manager or not terms.credit_limit_ok:
        raise CreditLimitExceeded(
            party.name, currency, party.credit_limit, owed, credit, needs_manager=not manager
        )


async def book_credit(
    session: AsyncSession,
    membership: Membership,
    kind: PartyKind,
    party_id: int,
    settlement: Settlement,
    document_id: int,
    number: str,
    doc_date: date,
) -> None:
    """Books what stays owed of a posted sale or receipt and applies any credit the party has."""
    if settlement.credit <= 0:
        return
    account = await Account.load(session, membership, kind, party_id, settlement.currency)
    item = await add_item(
        session,
        membership,
        kind,
        party_id,
        amount=settlement.credit,
        currency=settlement.currency,
        rate=settlement.rate,
        number=number,
        item_date=doc_date,
        due_date=settlement.due_date,
        document_id=document_id,
    )
    account.add(item)
    account.settle_rest()  # an overpayment or return waiting as credit goes to it now
    await account.write(session)
