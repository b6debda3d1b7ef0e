"""What document services answer. Costs are None unless the member may see them."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class LinePosted:
    """One line of a posted document."""

    line_no: int
    product_id: int
    sku: str
    name: str
    qty: Decimal
    unit_price: Decimal | None
    amount: Decimal | None
    cost: Decimal | None  # the line's stock value moved (COGS for a sale); None for clerks
    discount: Decimal = Decimal(0)  # a sale line's discount; ``amount`` is after it


@dataclass(frozen=True)
class DocumentPosted:
    """A posted (or voided) document."""

    document_id: int
    number: str
    doc_type: str
    status: str
    warehouse_id: int
    to_warehouse_id: int | None
    doc_date: date
    currency: str
    total: Decimal
    lines: tuple[LinePosted, ...]
    cost: Decimal | None  # Σ line costs; None for clerks
    variance: Decimal | None  # cost-variance booked by this posting; None for clerks
    # Money: what was paid at once (None: documents without money, like a count), the
    # round-off, the rate to the base currency (None: in the base), when the rest is due.
    paid_now: Decimal | None = None
    round_off: Decimal = Decimal(0)
    rate: Decimal | None = None
    due_date: date | None = None

    @property
    def owed(self) -> Decimal:
        """What stays owed (or, for a return, credited) after what was paid at once."""
        return self.total - self.paid_now if self.paid_now is not None else Decimal(0)


@dataclass(frozen=True)
class CountDifference:
    """A counted product whose count differs from the book (or that moved meanwhile)."""

    product_id: int
    sku: str
    name: str
    book_qty: Decimal
    counted_qty: Decimal
    difference: Decimal
    value: Decimal | None  # the adjustment's value; None for clerks


@dataclass(frozen=True)
class CountPosted:
    """A posted stock count: the document, its differences and what moved since it began."""

    document: DocumentPosted
    differences: tuple[CountDifference, ...]
    moved_since_start: tuple[str, ...]  # SKUs with moves in the warehouse after started_at


@dataclass(frozen=True)
class VoidPosted:
    """A voided document and what the void booked."""

    document_id: int
    number: str
    voided_at: datetime
    reversed_moves: int
    variance: Decimal | None  # None for clerks


@dataclass(frozen=True)
class StockLevel:
    """On hand of a product in one warehouse."""

    warehouse_id: int
    warehouse: str
    on_hand: Decimal


@dataclass(frozen=True)
class StockCard:
    """A product's stock across warehouses; value and average only for managers."""

    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    levels: tuple[StockLevel, ...]
    avg_cost: Decimal | None
    value: Decimal | None
    on_order: Decimal = Decimal(0)  # what placed purchase orders still expect
    reserved: Decimal = Decimal(0)  # what confirmed sales orders hold

    @property
    def available(self) -> Decimal:
        """What a sale not against an order may take: on hand less what orders hold."""
        return self.on_hand - self.reserved
