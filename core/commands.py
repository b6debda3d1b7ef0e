"""Base classes of commands (what a caller asks of a service).

A command checks syntax (a quantity has at most three places and is above zero); the service
checks meaning (the product exists in this business). ``Command.build`` turns pydantic's
complaint into ``InvalidInput`` so callers handle one kind of error.
"""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from core.errors import InvalidInput
from core.numbers import MONEY_STORE_PLACES, PRICE_PLACES, QTY_PLACES

_LIMIT = Decimal(10) ** 12  # no quantity or unit price of a small business comes near this


class Command(BaseModel):
    """A frozen request to a service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def build(cls, **data: Any) -> Self:
        """Validates ``data`` into the command.

        Raises:
            InvalidInput: the first field that is wrong, with the reason and the value.
        """
        try:
            return cls(**data)
        except ValidationError as bad:
            error = bad.errors()[0]
            field = ".".join(str(part) for part in error["loc"]) or cls.__name__
            reason = str(error["msg"]).removeprefix("Value error, ")
            raise InvalidInput(field, reason, str(error.get("input", ""))[:50]) from None


class MutatingCommand(Command):
    """A command that writes: the same request id twice gives the same result."""

    request_id: str = Field(min_length=1, max_length=64)


def _places(limit: int, what: str) -> AfterValidator:
    step = Decimal(1).scaleb(-limit)

    def check(value: Decimal) -> Decimal:
        if not value.is_finite() or abs(value) >= _LIMIT:
            raise ValueError(f"{what} is out of range")
        try:
            exact = value == value.quantize(step)
        except InvalidOperation:
            exact = False
        if not exact:
            raise ValueError(f"{what} may have at most {limit} decimal places")
        return value.quantize(step)

    return AfterValidator(check)


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _not_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _not_zero(value: Decimal) -> Decimal:
    if value == 0:
        raise ValueError("must not be 0")
    return value


Quantity = Annotated[Decimal, _places(QTY_PLACES, "a quantity"), AfterValidator(_positive)]
NonZeroQuantity = Annotated[Decimal, _places(QTY_PLACES, "a quantity"), AfterValidator(_not_zero)]
CountedQuantity = Annotated[
    Decimal, _places(QTY_PLACES, "a quantity"), AfterValidator(_not_negative)
]
UnitPrice = Annotated[Decimal, _places(PRICE_PLACES, "a price"), AfterValidator(_not_negative)]


# Money is checked against its currency's minor unit by the service, which knows the
# currency; a command checks only what storage can hold.
Amount = Annotated[Decimal, _places(MONEY_STORE_PLACES, "an amount"), AfterValidator(_positive)]
AmountOrZero = Annotated[
    Decimal, _places(MONEY_STORE_PLACES, "an amount"), AfterValidator(_not_negative)
]


def _percent(value: Decimal) -> Decimal:
    if value > 100:
        raise ValueError("must be at most 100")
    return value


Percent = Annotated[
    Decimal, _places(2, "a percent"), AfterValidator(_positive), AfterValidator(_percent)
]
ExchangeRate = Annotated[Decimal, _places(6, "an exchange rate"), AfterValidator(_positive)]
