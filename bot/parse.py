"""What users type, read into values; a bad value raises InputError with the reason to show."""

import re
from collections.abc import Callable, Container
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Final

from bot.i18n import _
from core.errors import InvalidInput
from core.finance.currency import check_amount
from core.numbers import minor_units

MAX_QTY_PLACES: Final = 3
MAX_PRICE_PLACES: Final = 4
MAX_RATE_PLACES: Final = 6
_DAYS: Final = re.compile(r"(\d{1,4})\s*(?:d|days?|天)?", re.IGNORECASE)
_LIMIT: Final = Decimal(10) ** 12
_FULLWIDTH: Final = str.maketrans("０１２３４５６７８９．，－％", "0123456789.,-%")


class InputError(ValueError):
    """Input the current step cannot take; ``str()`` is the reason in the user's language."""


def number(text: str) -> Decimal:
    """A typed number: full-width digits and thousands separators are fine."""
    return _number(text)


def decimal_places(value: Decimal) -> int:
    """How many decimals a number has (2.50 → 1)."""
    return _places(value)


def _number(text: str) -> Decimal:
    cleaned = text.strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise InputError(_("“{text}” is not a number.").format(text=escape(text.strip()[:20])))
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise InputError(
            _("“{text}” is not a number.").format(text=escape(text.strip()[:20]))
        ) from None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def quantity(text: str) -> Decimal:
    """A quantity > 0 with at most 3 decimals: "2.5" → Decimal("2.5")."""
    value = _number(text)
    if value <= 0:
        raise InputError(_("Quantity must be greater than 0."))
    if _places(value) > MAX_QTY_PLACES:
        raise InputError(_("Quantity may have at most 3 decimals."))
    if value >= _LIMIT:
        raise InputError(_("That quantity is too large."))
    return value


def counted_quantity(text: str) -> Decimal:
    """A counted quantity ≥ 0 with at most 3 decimals (zero: none left)."""
    value = _number(text)
    if value < 0:
        raise InputError(_("A counted quantity cannot be negative."))
    if _places(value) > MAX_QTY_PLACES:
        raise InputError(_("Quantity may have at most 3 decimals."))
    if value >= _LIMIT:
        raise InputError(_("That quantity is too large."))
    return value


def price(text: str) -> Decimal:
    """A unit price ≥ 0 with at most 4 decimals."""
    value = _number(text)
    if value < 0:
        raise InputError(_("A price cannot be negative."))
    if _places(value) > MAX_PRICE_PLACES:
        raise InputError(_("A price may have at most 4 decimals."))
    if value >= _LIMIT:
        raise InputError(_("That price is too large."))
    return value


def amount(text: str, currency: str, field: str = "amount", *, positive: bool = False) -> Decimal:
    """Money in ``currency``: ≥ 0 (> 0 when ``positive``), no finer than its minor unit."""
    value = _number(text)
    if positive and value <= 0:
        raise InputError(_("The amount must be greater than 0."))
    if value < 0:
        raise InputError(_("An amount cannot be negative."))
    if value >= _LIMIT:
        raise InputError(_("That amount is too large."))
    try:
        return check_amount(value, currency, field)  # CNY 2 places, JPY none
    except InvalidInput:
        raise InputError(
            _("{currency} amounts have at most {places} decimal places.").format(
                currency=currency, places=minor_units(currency)
            )
        ) from None


def exchange_rate(text: str) -> Decimal:
    """An exchange rate to the base currency: above 0, at most 6 decimals."""
    value = _number(text)
    if value <= 0:
        raise InputError(_("An exchange rate must be above 0."))
    if _places(value) > MAX_RATE_PLACES:
        raise InputError(_("An exchange rate may have at most 6 decimals."))
    if value >= _LIMIT:
        raise InputError(_("That amount is too large."))
    return value


def due_date(text: str, today: date) -> date:
    """A due date: "2026-12-10" (or 2026/12/10), or a number of days from today ("30")."""
    cleaned = text.strip().translate(_FULLWIDTH)
    if days := _DAYS.fullmatch(cleaned):
        due = today + timedelta(days=int(days[1]))
    else:
        try:
            due = date.fromisoformat(cleaned.replace("/", "-"))
        except ValueError:
            raise InputError(
                _("That is not a date: type it as YYYY-MM-DD, or a number of days.")
            ) from None
    if due < today:
        raise InputError(_("The due date cannot be before today."))
    return due


def name(text: str, limit: int = 100) -> str:
    """A name: trimmed, not empty, at most ``limit`` characters."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InputError(_("Please type a name."))
    if len(cleaned) > limit:
        raise InputError(_("That is too long: at most {limit} characters.").format(limit=limit))
    return cleaned


def line_quantities(
    text: str, lines: Container[str], bad_line: Callable[[str], str]
) -> dict[str, Decimal]:
    """{line: quantity} from "line quantity" pairs, one per text line (a line named twice adds).

    Raises:
        InputError: ``bad_line(raw)`` for a text line that is not a pair of a known line and
            a number, or for nothing at all; a bad quantity says why.
    """
    chosen: dict[str, Decimal] = {}
    for raw in text.splitlines():
        parts = raw.split()
        if not parts:
            continue
        if len(parts) != 2 or parts[0] not in lines:
            raise InputError(bad_line(raw))
        chosen[parts[0]] = chosen.get(parts[0], Decimal(0)) + quantity(parts[1])
    if not chosen:
        raise InputError(bad_line(text))
    return chosen
