"""Currencies (ISO 4217) and amounts in them: each rounded to its own minor unit."""

from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from babel.numbers import list_currencies

from core.errors import InvalidInput
from core.numbers import minor_units, mul_div, quantize, round_money

ONE = Decimal(1)


@cache
def _known() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if len(code) == 3 and code.isalpha())


def check_currency(code: str, field: str = "currency") -> str:
    """The ISO 4217 code, upper-cased.

    Raises:
        InvalidInput: not a currency (``"RMB"`` is not a code; CNY is).
    """
    upper = code.strip().upper()
    if upper not in _known():
        raise InvalidInput(field, "not an ISO 4217 currency", code[:10])
    return upper


def check_amount(amount: Decimal, currency: str, field: str) -> Decimal:
    """The amount, if it fits the currency's minor unit (JPY 0 places, CNY 2).

    Raises:
        InvalidInput: more decimal places than the currency has.
    """
    if amount != quantize(amount, minor_units(currency)):
        raise InvalidInput(
            field, f"{currency} has {minor_units(currency)} decimal places", str(amount)
        )
    return quantize(amount, minor_units(currency))


def check_rate(rate: Decimal | None, currency: str, base: str) -> Decimal:
    """The exchange rate to the base currency: 1 for the base itself, else required.

    Raises:
        InvalidInput: no rate for another currency, or a rate other than 1 for the base.
    """
    if currency == base:
        if rate is not None and rate != ONE:
            raise InvalidInput("rate", f"{base} is the base currency: its rate is 1", str(rate))
        return ONE
    if rate is None:
        raise InvalidInput("rate", f"{currency} needs a rate to {base}", "")
    return rate


def to_base(amount: Decimal, rate: Decimal, base: str) -> Decimal:
    """round(amount × rate) in the base currency."""
    return round_money(mul_div(amount, rate), base)


def due_from_terms(doc_date: date, terms_days: int) -> date:
    """The due date: the document's (local) date plus the party's terms in days."""
    return doc_date + timedelta(days=terms_days)
