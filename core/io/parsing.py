"""Reading an uploaded file into sheets of rows: .xlsx, or .csv in UTF-8, GBK or UTF-16.

Pure: bytes in, rows out, no database. A file that cannot be read at all raises
``ImportRefused``; what is wrong in single cells (a formula, a merged range) comes back as
``CellError``s with the rows, so the preview can list every one.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Final
from xml.etree import ElementTree

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils.cell import (  # type: ignore[import-untyped]
    get_column_letter,
    range_boundaries,
)

from core.io.errors import CellError, ImportRefused

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_ROWS: Final = 100_000
MAX_COLUMNS: Final = 60  # far more than any kind has; a wider sheet is cut here
_ZIP: Final = b"PK\x03\x04"
_OLE: Final = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other compound files
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')

Cell = str | int | float | Decimal | date | datetime | bool | None


@dataclass
class Row:
    """A data row: its number as the user sees it, and its cells by column index."""

    number: int
    cells: list[Cell]


@dataclass
class Sheet:
    """One table of the file: its title (the file name for a CSV), header row and rows."""

    title: str
    headers: list[str]
    header_row: int
    rows: list[Row] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


def read_file(data: bytes, file_name: str) -> list[Sheet]:
    """Every non-empty sheet of an .xlsx file, or the one table of a .csv file.

    Raises:
        ImportRefused: not a spreadsheet (or an old .xls), an encoding that is none of UTF-8,
            GB18030/GBK and UTF-16 with BOM, empty, over 20 MB or 100,000 rows.
    """
    if len(data) > MAX_BYTES:
        raise ImportRefused("too_big", MAX_BYTES)
    if not data.strip():
        raise ImportRefused("empty")
    if data.startswith(_ZIP):
        sheets = _read_xlsx(data)
    elif data.startswith(_OLE) or file_name.lower().endswith(".xls"):
        raise ImportRefused("old_xls")
    elif file_name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportRefused("not_spreadsheet")
    else:
        sheets = [_read_csv(data, file_name)]
    sheets = [s for s in sheets if s.headers]
    if not sheets or not any(s.rows for s in sheets):
        raise ImportRefused("empty")
    return sheets


def decode_text(data: bytes) -> str:
    """The text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    Raises:
        ImportRefused: none of them reads it, or it holds NUL bytes (a binary file).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRefused("encoding") from None
    if b"\x00" in data:
        raise ImportRefused("not_spreadsheet")
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads GBK and GB2312 too
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("encoding")


def _read_csv(data: bytes, file_name: str) -> Sheet:
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    if ";" in first and "," not in first and "\t" not in first:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    title = file_name.rsplit("/", 1)[-1]
    sheet: Sheet | None = None
    rows = 0
    try:
        for record in reader:
            cells: list[Cell] = [c.strip() or None for c in record[:MAX_COLUMNS]]
            if not any(cells):
                continue
            if sheet is None:
                sheet = Sheet(title, _headers(cells), reader.line_num)
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise ImportRefused("too_many_rows", MAX_ROWS)
            sheet.rows.append(Row(reader.line_num, _trim(cells)))
    except csv.Error:
        raise ImportRefused("not_spreadsheet") from None
    return sheet or Sheet(title, [], 0)


def _headers(cells: list[Cell]) -> list[str]:
    return [_text(c) for c in _trim(cells)]


def _trim(cells: list[Cell]) -> list[Cell]:
    """The cells without the empty ones at the end of the row."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _read_xlsx(data: bytes) -> list[Sheet]:
    try:
        merged = _merged_ranges(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises anything from KeyError to its own errors
        raise ImportRefused("not_spreadsheet") from None
    try:
        sheets = [_read_worksheet(ws, merged.get(ws.title, [])) for ws in book.worksheets]
    except ImportRefused:
        raise
    except Exception:  # a damaged sheet inside a valid zip
        raise ImportRefused("not_spreadsheet") from None
    finally:
        book.close()
    if sum(len(sheet.rows) for sheet in sheets) > MAX_ROWS:
        raise ImportRefused("too_many_rows", MAX_ROWS)
    return sheets


def _read_worksheet(ws: object, merged: list[str]) -> Sheet:
    title = str(getattr(ws, "title", ""))
    sheet: Sheet | None = None
    formulas: list[tuple[int, int, str]] = []
    count = 0
    for cells in ws.iter_rows(max_col=MAX_COLUMNS):  # type: ignore[attr-defined]
        values: list[Cell] = []
        number = 0
        for cell in cells:
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                formulas.append((cell.row, cell.column, str(value)))
                value = None  # reported once, as a formula, not again as a bad value
            if isinstance(value, str):
                value = value.strip() or None
            values.append(value)
            number = getattr(cell, "row", number) or number
        if not any(v is not None for v in values):
            continue
        if sheet is None:
            sheet = Sheet(title, _headers(values), number)
            continue
        count += 1
        if count > MAX_ROWS:
            raise ImportRefused("too_many_rows", MAX_ROWS)
        sheet.rows.append(Row(number, _trim(values)))
    if sheet is None:
        return Sheet(title, [], 0)
    for row, col, formula in formulas:
        sheet.errors.append(CellError(title, row, _header_at(sheet, col), "formula", formula[:50]))
    for ref in merged:
        min_col, min_row, _max_col, _max_row = range_boundaries(ref)
        assert min_col is not None  # a cell range has both
        assert min_row is not None
        sheet.errors.append(
            CellError(title, min_row, _header_at(sheet, min_col), "merged", detail=ref)
        )
    return sheet


def _header_at(sheet: Sheet, column: int) -> str:
    """The header above a 1-based column, or its letter when it has none."""
    if 0 < column <= len(sheet.headers) and sheet.headers[column - 1]:
        return sheet.headers[column - 1]
    return str(get_column_letter(column))


def _merged_ranges(data: bytes) -> dict[str, list[str]]:
    """Merged ranges per sheet title, read from the XML (read-only openpyxl does not keep them)."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    rel_ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): str(r.get("Target")) for r in rels.iter(f"{rel_ns}Relationship")}
        for sheet in book.iterfind("m:sheets/m:sheet", ns):
            target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path not in archive.namelist():
                continue
            refs = list(_merge_refs(archive, path))
            if refs:
                found[str(sheet.get("name"))] = refs
    return found


def _merge_refs(archive: zipfile.ZipFile, path: str) -> Iterator[str]:
    """The merged ranges of one sheet's XML, read in pieces (a big sheet is never in memory)."""
    tail = b""
    with archive.open(path) as xml:
        while chunk := xml.read(1 << 20):
            text = tail + chunk
            cut = text.rfind(b"<")
            cut = cut if cut > 0 else len(text)
            for match in _MERGE.finditer(text[:cut]):
                yield match.group(1).decode()
            tail = text[cut:]
    for match in _MERGE.finditer(tail):
        yield match.group(1).decode()
