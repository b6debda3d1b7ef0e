"""How credits settle debits: oldest first unless picked, and each side's base value.

Pure functions over item states, so the rules are tested without a database and the bot's
allocation preview is computed by the same code that posts.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.finance.currency import to_base
from core.numbers import ZERO


@dataclass
class ItemState:
    """What matching needs of an open item: ``open`` > 0 a debit, < 0 a credit."""

    id: int
    number: str
    open: Decimal
    open_base: Decimal
    rate: Decimal
    item_date: date
    due_date: date | None

    @property
    def age_key(self) -> tuple[date, int]:
        """Oldest first: by due date (or date) then by when it was booked."""
        return (self.due_date or self.item_date, self.id)


@dataclass(frozen=True)
class Match:
    """``amount`` of ``credit`` settles as much of ``debit``, with each side's base value."""

    debit: ItemState
    credit: ItemState
    amount: Decimal
    debit_base: Decimal
    credit_base: Decimal


def portion_base(item: ItemState, amount: Decimal, base: str) -> Decimal:
    """Base value of ``amount`` (a magnitude) taken from the item.

    round(amount × rate), except that the allocation which settles the item takes all its
    base value left, so an item's base value is used up to the cent (as the last issue of a
    product takes its stock value, DESIGN rule 4).
    """
    left = abs(item.open_base)
    if amount == abs(item.open):
        return left
    return min(to_base(amount, item.rate, base), left)


def settle(debit: ItemState, credit: ItemState, amount: Decimal, base: str) -> Match:
    """Matches ``amount`` of the two items and lowers what each has open."""
    assert ZERO < amount <= min(debit.open, -credit.open), (debit, credit, amount)
    debit_base = portion_base(debit, amount, base)
    credit_base = portion_base(credit, amount, base)
    debit.open -= amount
    debit.open_base -= debit_base
    credit.open += amount
    credit.open_base += credit_base
    return Match(debit, credit, amount, debit_base, credit_base)


def match_oldest_first(
    debits: Iterable[ItemState], payers: Iterable[ItemState], base: str
) -> list[Match]:
    """Settles open debits with open credits, oldest of each first, until one side is used up."""
    due = sorted((d for d in debits if d.open > 0), key=lambda d: d.age_key)
    paying = sorted((c for c in payers if c.open < 0), key=lambda c: (c.item_date, c.id))
    matches: list[Match] = []
    i = j = 0
    while i < len(due) and j < len(paying):
        amount = min(due[i].open, -paying[j].open)
        matches.append(settle(due[i], paying[j], amount, base))
        if due[i].open == 0:
            i += 1
        if paying[j].open == 0:
            j += 1
    return matches


def apply_payment(
    credit: ItemState,
    debits: Sequence[ItemState],
    picks: Sequence[tuple[int, Decimal]],
    base: str,
) -> list[Match]:
    """A payment's allocations: the picked items (id, amount) first, then oldest first.

    The caller checked the picks (each an open debit of this party, each amount at most its
    open, their sum at most the payment).
    """
    by_id = {d.id: d for d in debits}
    matches = [settle(by_id[item_id], credit, amount, base) for item_id, amount in picks]
    return matches + match_oldest_first(debits, [credit], base)
