"""Tables as .xlsx workbooks (openpyxl) and CSV files that open in Excel and WPS.

A sheet per table: a bold header row frozen at the top, typed cells (numbers are numbers with
a number format, dates are dates), column widths fitted to the text (a CJK character counts
as two), and a bold totals row. Written in openpyxl's write-only mode, so a 100,000-row
table streams instead of building a cell tree.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from core.reports.table import Cell, Column, ColumnKind, Table

FORMATS: Final[dict[ColumnKind, str]] = {
    "text": "@",
    "int": "#,##0",
    "qty": "#,##0.000",
    "money": "#,##0.00",
    "price": "#,##0.0000",
    "percent": "0.00%",
    "ratio": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
TITLE_MAX: Final = 31  # Excel's limit on a sheet's name
WIDTH_MIN: Final = 6
WIDTH_MAX: Final = 60
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: none of [ ] : * ? / and backslash, ≤ 31 chars, unique."""
    name = _BAD_TITLE.sub(" ", title).strip().strip("'").strip() or "Sheet"
    name = name[:TITLE_MAX]
    candidate, n = name, 1
    while candidate.casefold() in taken:  # Excel compares sheet names case-insensitively
        n += 1
        suffix = f" ({n})"
        candidate = name[: TITLE_MAX - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def display_width(text: str) -> int:
    """Columns the text takes: wide (CJK) characters count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: Cell, kind: ColumnKind) -> str:
    """Roughly what Excel shows for the cell, for fitting the column's width."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if kind == "percent":
            return f"{Decimal(value) * 100:,.2f}%"
        places = {"qty": 3, "money": 2, "price": 4, "ratio": 2}.get(kind, 0)
        return f"{value:,.{places}f}"
    if isinstance(value, datetime):
        return "0000-00-00 00:00"
    if isinstance(value, date):
        return "0000-00-00"
    return str(value)


def _widths(table: Table) -> list[int]:
    widths = [display_width(c.title) for c in table.columns]
    rows: list[Sequence[Cell]] = [*table.rows]
    if table.totals is not None:
        rows.append(table.totals)
    kinds = [c.kind for c in table.columns]
    for row in rows:
        for i, value in enumerate(row):
            if value is None:
                continue
            w = (
                display_width(_shown(value, kinds[i]))
                if kinds[i] == "text" or isinstance(value, str)
                else len(_shown(value, kinds[i]))
            )
            widths[i] = max(widths[i], w)
    return [min(max(w + 2, WIDTH_MIN), WIDTH_MAX) for w in widths]


def _value(value: Cell, kind: ColumnKind, zone: ZoneInfo | None) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(zone or UTC).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, Decimal) and kind == "int":
        return int(value)
    return value


def _sheet(book: Workbook, table: Table, title: str) -> None:
    ws = book.create_sheet(title)
    columns: Sequence[Column] = table.columns
    for i, width in enumerate(_widths(table), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.title)
        cell.font = _BOLD
        header.append(cell)
    ws.append(header)
    zone = ZoneInfo(table.timezone) if table.timezone else None
    formats = [FORMATS[c.kind] for c in columns]
    kinds = [c.kind for c in columns]
    for row in table.rows:
        out = []
        for i, value in enumerate(row):
            if value is None or (kinds[i] == "text" and isinstance(value, str)):
                out.append(value)
                continue
            cell = WriteOnlyCell(ws, value=_value(value, kinds[i], zone))
            cell.number_format = formats[i] if not isinstance(value, str) else "General"
            out.append(cell)
        ws.append(out)
    if table.totals is not None:
        totals = []
        for i, value in enumerate(table.totals):
            cell = WriteOnlyCell(ws, value=_value(value, kinds[i], zone))
            cell.font = _BOLD
            if value is not None and not isinstance(value, str):
                cell.number_format = formats[i]
            totals.append(cell)
        ws.append(totals)


def workbook(sections: Sequence[Table]) -> bytes:
    """An .xlsx workbook with one sheet per table, in order (an empty list: one empty sheet)."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for table in sections:
        _sheet(book, table, sheet_title(table.title, taken))
    if not sections:
        book.create_sheet("Sheet")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_cell(value: Cell, kind: ColumnKind, zone: ZoneInfo | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local: datetime = _value(value, kind, zone)
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a BOM (so Excel reads Chinese right), header and totals.

    Numbers are written in full (no thousands separators), dates as ISO dates, times in the
    table's time zone.
    """
    zone = ZoneInfo(table.timezone) if table.timezone else None
    kinds = [c.kind for c in table.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v, kinds[i], zone) for i, v in enumerate(row)])
    if table.totals is not None:
        writer.writerow([_csv_cell(v, kinds[i], zone) for i, v in enumerate(table.totals)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
