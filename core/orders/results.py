"""What order services answer."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class OrderLineView:
    """One line of an order: ordered, done so far (received or shipped), still to come."""

    line_no: int
    product_id: int
    sku: str
    name: str
    unit: str
    qty: Decimal
    done_qty: Decimal
    unit_price: Decimal
    amount: Decimal

    @property
    def remaining(self) -> Decimal:
        """What the line still expects (never below zero, also after an over-receipt)."""
        return max(self.qty - self.done_qty, Decimal(0))


@dataclass(frozen=True)
class OrderEventView:
    """Who did what to an order, when, and the document number it posted (if any)."""

    at: datetime
    member: str
    action: str
    document_number: str | None


@dataclass(frozen=True)
class OrderView:
    """An order with its lines and its history, oldest event first."""

    order_id: int
    kind: str
    number: str
    status: str
    party_id: int | None
    party_name: str | None
    warehouse_id: int
    warehouse_name: str
    currency: str
    total: Decimal
    note: str
    created_at: datetime
    lines: tuple[OrderLineView, ...]
    events: tuple[OrderEventView, ...]


@dataclass(frozen=True)
class OrderSummary:
    """An order in a list: number, party, status, total, how far along."""

    order_id: int
    number: str
    status: str
    party_name: str | None
    total: Decimal
    lines: int
    created_at: datetime


@dataclass(frozen=True)
class OnOrder:
    """How much of a product open purchase orders still expect, per warehouse."""

    product_id: int
    by_warehouse: dict[int, Decimal]

    @property
    def total(self) -> Decimal:
        """All warehouses together."""
        return sum(self.by_warehouse.values(), Decimal(0))
