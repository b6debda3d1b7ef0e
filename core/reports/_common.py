"""What the reports share: periods, the base currency, allocation to the cent."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import Final

from core.errors import InvalidInput
from core.numbers import ZERO, minor_units, mul_div, quantize
from core.tenancy.access import Membership

MARGIN_PLACES: Final = 4
CHUNK: Final = 900  # ids per IN list (SQLite allows 999 parameters per statement by default)


def check_period(start: date, end: date) -> None:
    """Refuses a period that ends before it starts.

    Raises:
        InvalidInput: ``end`` before ``start``.
    """
    if end < start:
        raise InvalidInput("end", "before the start", end.isoformat())


def local_midnight(membership: Membership, day: date) -> datetime:
    """The UTC instant the business's local ``day`` begins."""
    return datetime.combine(day, time(), tzinfo=membership.zone).astimezone(UTC)


def period_instants(membership: Membership, start: date, end: date) -> tuple[datetime, datetime]:
    """[from, to) in UTC: local midnight of ``start`` to local midnight after ``end``."""
    return local_midnight(membership, start), local_midnight(membership, end + timedelta(days=1))


def to_base(amount: Decimal, rate: Decimal | None, places: int) -> Decimal:
    """round(amount × rate) to the base currency's minor unit; no rate: the amount itself."""
    if rate is None:
        return quantize(amount, places)
    return quantize(mul_div(amount, rate), places)


def base_places(membership: Membership) -> int:
    """Decimals of the business's base currency."""
    return minor_units(membership.business.base_currency)


def margin(profit: Decimal | None, revenue: Decimal) -> Decimal | None:
    """Profit / revenue as a fraction, 4 places (None without a profit or a revenue)."""
    if profit is None or not revenue:
        return None
    return ratio(profit, revenue, MARGIN_PLACES)


def ratio(a: Decimal, b: Decimal, places: int) -> Decimal | None:
    """A / b rounded half-up to ``places`` (None when b is 0).

    The quotient is taken at the default 28 digits: plenty for a ratio shown at 1-4 places.
    """
    if not b:
        return None
    return quantize(a / b, places)


def allocate(total: Decimal, weights: Sequence[Decimal], places: int) -> list[Decimal]:
    """``total`` split in proportion to ``weights``, to the minor unit, summing to it exactly.

    Largest remainder: each share is total × w / Σw rounded down to the minor unit; the units
    left over go one each to the shares with the biggest remainders (ties: the earlier one).
    Weights may be negative (negative stock in one warehouse). When the weights sum to 0 the
    last share takes the whole total.
    """
    if not weights:
        return []
    if len(weights) == 1:  # the common case: one warehouse, one line
        return [quantize(total, places)]
    weight = sum(weights, ZERO)
    if not weight:
        return [ZERO] * (len(weights) - 1) + [quantize(total, places)]
    step = Decimal(1).scaleb(-places)
    exact = [mul_div(total, w, weight) for w in weights]
    with localcontext() as ctx:
        ctx.prec = 60
        floors = [e.quantize(step, rounding=ROUND_FLOOR) for e in exact]
        left = int((quantize(total, places) - sum(floors, ZERO)) / step)
        order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:left]:
            floors[i] += step
    return [f + 0 if f.is_zero() else f for f in floors]


def cut(rows: Sequence[object], limit: int | None) -> tuple[int, int]:
    """(how many rows to keep, how many there are)."""
    count = len(rows)
    return (count if limit is None else min(limit, count)), count
