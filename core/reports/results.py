"""What the reports answer with: plain frozen data, no Telegram, no text.

Money is in the business's base currency (``currency``). Fields that show cost — average
cost, COGS, stock value, gross profit, margin, turnover — are None unless the member may see
costs (managers and owners, never in a group chat; DESIGN rule 9); ``sees_costs`` says which.
A margin is a fraction (0.2345 is 23.45 %), rounded to 4 places.

``rows`` may be cut to the report's first ``limit`` rows (the caller's choice, for a chat
summary); ``total_rows`` counts them all and the totals always cover all of them.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

SalesBy = Literal["day", "product", "customer"]
AbcClass = Literal["A", "B", "C"]


# -- stock on hand ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StockRow:
    """One product in one warehouse."""

    product_id: int
    sku: str
    name: str
    unit: str
    warehouse_id: int
    warehouse: str
    on_hand: Decimal
    avg_cost: Decimal | None  # the product's business-wide average, 4 places
    value: Decimal | None  # this warehouse's share of the product's stock value


@dataclass(frozen=True)
class WarehouseStock:
    """One warehouse's total."""

    warehouse_id: int
    warehouse: str
    products: int  # products with stock (on hand ≠ 0) there
    value: Decimal | None


@dataclass(frozen=True)
class StockOnHand:
    """Stock on hand per product and warehouse, valued at moving average cost."""

    currency: str
    as_of: datetime  # UTC, when it was read
    warehouse_id: int | None  # the warehouse asked for (None: all)
    sees_costs: bool
    rows: tuple[StockRow, ...]  # by SKU, then warehouse name
    total_rows: int
    warehouses: tuple[WarehouseStock, ...]  # by name
    products: int  # distinct products with stock
    total_value: Decimal | None  # Σ rows' values; for all warehouses: the ledger's value


# -- stock history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    """One goods move of the product, with the balances after it."""

    move_id: int
    posted_at: datetime  # UTC
    day: date  # the local date it was booked (the period is by this)
    doc_date: date  # the document's date
    document_id: int
    number: str
    doc_type: str  # a DocType value
    is_void: bool  # a reversing move booked by voiding the document
    author: str  # who posted it (for a void: who voided)
    warehouse_id: int
    warehouse: str
    qty_in: Decimal
    qty_out: Decimal
    balance: Decimal  # in this warehouse, after the move
    total_balance: Decimal  # all warehouses, after the move
    value: Decimal | None  # the move's value (signed), managers only


@dataclass(frozen=True)
class StockHistory:
    """Every move of one product in a period, with running balances."""

    product_id: int
    sku: str
    name: str
    unit: str
    currency: str
    start: date
    end: date
    sees_costs: bool
    opening: dict[int, Decimal]  # warehouse id -> on hand before the period
    opening_total: Decimal
    rows: tuple[HistoryRow, ...]
    total_rows: int
    qty_in: Decimal
    qty_out: Decimal
    closing: dict[int, Decimal]
    closing_total: Decimal
    warehouses: dict[int, str]  # id -> name of every warehouse in opening/closing/rows
    timezone: str  # the business's, for showing posted_at


# -- sales and purchases ---------------------------------------------------------------------


@dataclass(frozen=True)
class SalesRow:
    """Sales of one day, product or customer: net of sales returns."""

    key: date | int | None  # the day; the product id; the customer id (None: no customer)
    label: str  # the day ISO; the product's name; the customer's name
    sku: str  # the product's SKU ("" unless by product)
    sales: int  # posted sales (documents) in it
    returns: int  # posted sales returns in it
    qty: Decimal  # sold less returned
    revenue: Decimal  # base currency, after discounts and round-off, less returns
    cogs: Decimal | None
    gross_profit: Decimal | None
    margin: Decimal | None  # gross profit / revenue (None when revenue is 0)


@dataclass(frozen=True)
class SalesReport:
    """Sales by day, product or customer over local dates [start, end]."""

    by: SalesBy
    currency: str
    start: date
    end: date
    sees_costs: bool
    rows: tuple[SalesRow, ...]  # by day: oldest first; else biggest revenue first
    total_rows: int
    totals: SalesRow  # key None, label ""; sales/returns count documents once


@dataclass(frozen=True)
class PurchaseRow:
    """Purchases from one supplier, net of purchase returns."""

    supplier_id: int | None
    supplier: str
    receipts: int
    returns: int
    qty: Decimal  # received less returned
    amount: Decimal  # base currency: received less returned
    returned: Decimal  # the returns' amount (included in ``amount`` with a minus sign)


@dataclass(frozen=True)
class PurchaseReport:
    """Purchases by supplier over local dates [start, end]."""

    currency: str
    start: date
    end: date
    rows: tuple[PurchaseRow, ...]  # biggest amount first
    total_rows: int
    totals: PurchaseRow


# -- analysis --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlowMover:
    """A product with stock and no sale in the last ``days`` days."""

    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    value: Decimal | None  # stock value tied up, managers only
    last_sale: date | None  # None: never sold
    days_since_sale: int | None  # None: never sold


@dataclass(frozen=True)
class SlowMovers:
    """Slow movers and dead stock (呆滞): no sale in ``days`` days up to ``as_of``."""

    currency: str
    days: int
    as_of: date
    sees_costs: bool
    rows: tuple[SlowMover, ...]  # most value (clerks: longest without a sale) first
    total_rows: int
    total_on_hand: Decimal
    total_value: Decimal | None


@dataclass(frozen=True)
class AbcRow:
    """One product's class by its share of sales revenue."""

    product_id: int
    sku: str
    name: str
    qty: Decimal
    revenue: Decimal
    share: Decimal  # of the period's positive revenue, 4 places
    cumulative: Decimal  # share of this and every bigger product, 4 places
    abc: AbcClass


@dataclass(frozen=True)
class AbcReport:
    """ABC classification by sales value over local dates [start, end]."""

    currency: str
    start: date
    end: date
    rows: tuple[AbcRow, ...]  # biggest revenue first
    total_rows: int
    revenue: Decimal
    counts: dict[str, int]  # class -> products
    revenues: dict[str, Decimal]  # class -> revenue


@dataclass(frozen=True)
class TurnoverRow:
    """One product's stock turnover and days of cover over the period."""

    product_id: int
    sku: str
    name: str
    unit: str
    qty_sold: Decimal  # sold less returned
    daily_sales: Decimal  # qty_sold / days in the period, 3 places
    on_hand: Decimal  # at the end of the period
    days_of_cover: Decimal | None  # on_hand / daily_sales, 1 place (None: nothing sold)
    cogs: Decimal | None
    opening_value: Decimal | None
    closing_value: Decimal | None
    average_value: Decimal | None  # (opening + closing) / 2, to the cent
    turnover: Decimal | None  # cogs / average_value, 2 places (None: no stock value)


@dataclass(frozen=True)
class TurnoverReport:
    """Stock turnover (周转率) and days of cover per product over local dates [start, end]."""

    currency: str
    start: date
    end: date
    days: int
    sees_costs: bool
    rows: tuple[TurnoverRow, ...]  # fastest turnover (clerks: fewest days of cover) first
    total_rows: int
    totals: TurnoverRow  # product_id 0: the whole business
