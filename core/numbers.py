"""Exact numbers of the domain (DESIGN rule 5): quantities, money, prices and averages.

Everything is ``Decimal``; rounding is half-up (half away from zero) and never yields -0.
"""

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Final

from babel.numbers import get_currency_precision

QTY_PLACES: Final = 3
PRICE_PLACES: Final = 4
AVG_PLACES: Final = 8
MONEY_STORE_PLACES: Final = 4  # storage scale: JPY 0, CNY 2 and KWD 3 all fit
QTY_STEP: Final = Decimal(1).scaleb(-QTY_PLACES)
ZERO: Final = Decimal(0)

# Wide enough that a*b/c of any stored figures is exact before it is rounded once.
_WIDE: Final = Context(prec=60)


def quantize(value: Decimal, places: int) -> Decimal:
    """Rounds half away from zero to ``places`` decimals; -0 becomes 0."""
    result = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return result + 0 if result.is_zero() else result  # drop the sign of -0


def negate(value: Decimal) -> Decimal:
    """-value, but never -0."""
    return -value if value else abs(value)


def minor_units(currency: str) -> int:
    """Decimals of a currency's minor unit (ISO 4217): CNY 2, JPY 0, KWD 3."""
    return int(get_currency_precision(currency.upper()))


def round_money(value: Decimal, currency: str) -> Decimal:
    """Rounds an amount to its currency's minor unit, half-up."""
    return quantize(value, minor_units(currency))


def mul_div(a: Decimal, b: Decimal, c: Decimal = Decimal(1)) -> Decimal:
    """A × b / c computed at high precision, unrounded; the caller rounds once."""
    with localcontext(_WIDE):
        return a * b / c


def is_qty(value: Decimal) -> bool:
    """True when value has at most three decimals (kg, m)."""
    return value == value.quantize(QTY_STEP, rounding=ROUND_HALF_UP)
