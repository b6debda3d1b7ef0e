"""What the money services answer with: plain data, no Telegram, no text."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Allocated:
    """How much of one item a payment settled."""

    item_id: int
    number: str  # the document's
    amount: Decimal
    exchange_difference: Decimal  # in the base currency: the payment's rate less the item's


@dataclass(frozen=True)
class PaymentPosted:
    """A posted (or voided) payment and where its money went."""

    payment_id: int
    number: str
    doc_type: str  # SK or FK
    status: str
    party_id: int
    party_name: str
    currency: str
    rate: Decimal
    amount: Decimal
    method: str
    doc_date: date
    allocations: tuple[Allocated, ...]
    credit_left: Decimal  # what no open item took: the party's credit now
    balance_after: Decimal  # what the party owes in this currency after it (< 0: credit)
    voided_at: datetime | None = None

    @property
    def exchange_difference(self) -> Decimal:
        """The realised exchange difference of this payment, in the base currency."""
        return sum((a.exchange_difference for a in self.allocations), Decimal(0))


@dataclass(frozen=True)
class OpenItemView:
    """One open item of a party: what is left of it and when it is due."""

    item_id: int
    number: str
    item_date: date
    due_date: date | None
    amount: Decimal
    open: Decimal
    open_base: Decimal
    days_overdue: int  # 0 when not yet due


@dataclass(frozen=True)
class PartyAccount:
    """A party's open items in its currency, its balance and what it may still buy on credit."""

    kind: str  # customer or supplier
    party_id: int
    party_name: str
    currency: str
    base_currency: str
    items: tuple[OpenItemView, ...]  # debits oldest first, then credits
    balance: Decimal  # Σ open (> 0 owed; < 0 a credit)
    overdue: Decimal
    credit_limit: Decimal | None
    last_rate: Decimal | None  # the last rate used with this currency (None: the base)


@dataclass(frozen=True)
class PlannedAllocation:
    """A payment's allocations before it is posted (the preview the user confirms)."""

    allocations: tuple[Allocated, ...]
    credit_left: Decimal
    balance_after: Decimal


@dataclass(frozen=True)
class StatementRow:
    """One entry of a statement: a document or payment (or their void)."""

    entry_date: date
    number: str
    kind: str  # sale, receipt, return, payment, void
    amount: Decimal  # > 0 adds to what is owed; < 0 reduces it
    balance: Decimal  # running balance after it
    due_date: date | None


@dataclass(frozen=True)
class Statement:
    """对账单: a party's account over a period, in its currency."""

    kind: str
    party_id: int
    party_name: str
    currency: str
    start: date
    end: date
    opening: Decimal
    rows: tuple[StatementRow, ...]
    closing: Decimal


BUCKETS = ("current", "1-30", "31-60", "61-90", "90+", "credit")


@dataclass(frozen=True)
class AgingLine:
    """One party's open items by days overdue, in the base currency at each item's rate."""

    party_id: int
    party_name: str
    buckets: tuple[Decimal, ...]  # in BUCKETS order; "credit" holds unapplied credit (≤ 0)

    @property
    def total(self) -> Decimal:
        """The balance: the buckets' sum."""
        return sum(self.buckets, Decimal(0))


@dataclass(frozen=True)
class Aging:
    """Receivables or payables aging (账龄) as of a date, per party and in total."""

    kind: str
    base_currency: str
    as_of: date
    lines: tuple[AgingLine, ...]  # biggest balance first
    totals: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        """Everything owed (less credits), in the base currency."""
        return sum(self.totals, Decimal(0))
