"""Exact column types: NUMERIC on PostgreSQL, scaled integers on SQLite.

SQLite's NUMERIC affinity stores a double, so ``on_hand - 0.1`` and ``on_hand >= 0.3`` in SQL
drift. There each value is stored as an integer count of its smallest step (thousandths of a
unit, ten-thousandths of money) and handed back as ``Decimal``; comparisons and sums in SQL stay
exact because they are integer arithmetic.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

from core.numbers import AVG_PLACES, MONEY_STORE_PLACES, PRICE_PLACES, QTY_PLACES


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of places, exact on every engine."""

    impl = Numeric
    cache_ok = True
    places: int = 0
    precision: int = 20

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.places, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(value)
        scaled = number.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{number} has more than {self.places} decimal places")
        if dialect.name == "sqlite":
            return int(scaled)
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.places)
        return Decimal(value).quantize(Decimal(1).scaleb(-self.places))

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self  # literals compared with a column are scaled the same way


class Qty(ScaledDecimal):
    """A quantity: three places (kg, m)."""

    cache_ok = True
    places = QTY_PLACES
    precision = 18


class Money(ScaledDecimal):
    """Money in any currency: stored with four places, holds well over 10^13.

    Read back with as few places as say it exactly, but at least two: 2065.00, not
    2065.0000; a dinar's 1.001 keeps its third place.
    """

    cache_ok = True
    places = MONEY_STORE_PLACES
    precision = 22

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        amount = super().process_result_value(value, dialect)
        if amount is None:
            return None
        for places in range(2, MONEY_STORE_PLACES):
            shorter = amount.quantize(Decimal(1).scaleb(-places))
            if shorter == amount:
                return shorter
        return amount


class Price(ScaledDecimal):
    """A unit price as entered: up to four places."""

    cache_ok = True
    places = PRICE_PLACES
    precision = 22


class Rate(ScaledDecimal):
    """An average cost or exchange rate kept at eight places."""

    cache_ok = True
    places = AVG_PLACES
    precision = 26
