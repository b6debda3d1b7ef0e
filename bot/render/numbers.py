"""Numbers as a shop reads them: grouped thousands, money at its currency's minor unit."""

from decimal import Decimal
from functools import partial
from html import escape as _html_escape

from core.numbers import minor_units, round_money

__all__ = ["escape", "money", "price", "qty"]

escape = partial(_html_escape, quote=False)  # Telegram HTML needs only <, > and & escaped


def qty(value: Decimal) -> str:
    """A quantity without trailing zeros: 12, 2.5, 0.125; grouped: 1,200."""
    text = f"{value.normalize():,f}" if value == value.to_integral() else f"{value:,f}".rstrip("0")
    return text.rstrip(".") if "." in text else text


def money(value: Decimal, currency: str = "CNY") -> str:
    """Money at the currency's minor unit, never -0.00: 1,234.50."""
    places = minor_units(currency)
    rounded = round_money(value, currency)
    text = f"{rounded:,.{places}f}"
    return text.removeprefix("-") if rounded == 0 else text


def price(value: Decimal, currency: str = "CNY") -> str:
    """A unit price as entered (up to 4 places), at least the currency's minor unit: 3.125."""
    places = max(minor_units(currency), -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{value:,.{min(places, 4)}f}"
