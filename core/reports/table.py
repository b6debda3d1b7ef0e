"""A report as a plain table: what the xlsx and CSV writers take.

Column keys are language-neutral (``sku``, ``revenue``); the bot passes translated headers.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

ColumnKind = Literal[
    "text", "int", "qty", "money", "price", "percent", "ratio", "date", "datetime"
]
Cell = str | int | Decimal | date | datetime | None


@dataclass(frozen=True)
class Column:
    """One column: its key, what kind of value it holds, and its header text."""

    key: str
    kind: ColumnKind
    header: str = ""

    @property
    def title(self) -> str:
        """The header to show: the translated one, else the key."""
        return self.header or self.key


@dataclass(frozen=True)
class Table:
    """A titled table with typed columns, rows and an optional totals row.

    ``rows`` may be any sequence (a tuple, or a list built lazily); each row has one cell per
    column. A datetime cell is written in the table's ``timezone`` when one is given (naive
    datetimes are taken as UTC).
    """

    title: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[Cell, ...]]
    totals: tuple[Cell, ...] | None = None
    timezone: str | None = None
    notes: tuple[str, ...] = field(default=())  # lines written above nothing: kept for callers

    def with_headers(self, headers: Mapping[str, str]) -> "Table":
        """The same table with headers from ``headers`` (key -> text); others keep theirs."""
        columns = tuple(Column(c.key, c.kind, headers.get(c.key, c.header)) for c in self.columns)
        return Table(self.title, columns, self.rows, self.totals, self.timezone, self.notes)
