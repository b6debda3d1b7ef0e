"""Typed rows from sheets: every cell checked by the catalog's own rules, errors collected.

Pure (no database): the CPU-heavy half of a preview, run off the event loop. What needs the
database (is the SKU new? does the customer exist?) is decided in ``core.io.importing``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ValidationError

from core.catalog.parties import CreateParty
from core.catalog.products import CreateProduct
from core.io.columns import COLUMNS, Kind, guess_kind, match_header, sheet_kind
from core.io.errors import CellError
from core.io.parsing import Cell, Row, Sheet

_SPLIT_CODES = re.compile(r"[,;，；、|\s]+")
_MONEY_MARKS = re.compile(r"[,，¥￥$\s]")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
# Pydantic's word for a rule (its type, or a phrase of the message) → our code.
_RULES = (
    ("string_too_long", "too_long"),
    ("string_too_short", "required"),
    ("decimal places", "too_many_places"),
    ("out of range", "out_of_range"),
    ("must not be negative", "negative"),
    ("must be greater than 0", "not_positive"),
    ("no spaces", "has_spaces"),
    ("without spaces", "has_spaces"),
    ("less_than_equal", "out_of_range"),
    ("greater_than_equal", "out_of_range"),
)


@dataclass(frozen=True)
class ProductIn:
    """A product row. None: the cell was blank (a new product's default, an old one's value)."""

    row: int
    sku: str
    name: str | None
    unit: str | None
    barcodes: tuple[str, ...] | None
    sale_price: Decimal | None
    purchase_price: Decimal | None
    reorder_point: Decimal | None
    reorder_qty: Decimal | None

    @property
    def key(self) -> str:
        """The SKU as compared: case-folded (A001 and a001 are one product)."""
        return self.sku.casefold()


@dataclass(frozen=True)
class StockIn:
    """Opening stock of a product in a warehouse (None: the default one) at a unit cost."""

    row: int
    sku: str
    warehouse: str | None
    qty: Decimal
    unit_cost: Decimal | None
    value: Decimal | None  # the stock value itself, when given: exact to the cent


@dataclass(frozen=True)
class PartyIn:
    """A customer or supplier row."""

    kind: Kind
    row: int
    name: str
    contact: str | None
    phone: str | None
    terms_days: int | None
    currency: str | None
    credit_limit: Decimal | None


@dataclass(frozen=True)
class BalanceIn:
    """An opening receivable (customer owes) or payable (owed to a supplier)."""

    kind: Kind
    row: int
    party: str
    amount: Decimal
    currency: str | None
    rate: Decimal | None
    item_date: date | None
    due_date: date | None
    number: str


@dataclass
class Rows:
    """Every typed row of a file, the errors found, and where each column was."""

    products: list[ProductIn] = field(default_factory=list)
    stock: list[StockIn] = field(default_factory=list)
    parties: list[PartyIn] = field(default_factory=list)
    balances: list[BalanceIn] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    kinds: list[Kind] = field(default_factory=list)  # in file order, each once
    ignored: list[str] = field(default_factory=list)  # sheets left alone
    # (kind, key) → the header as written, for errors found later
    headers: dict[tuple[Kind, str], str] = field(default_factory=dict)
    sheets: dict[Kind, str] = field(default_factory=dict)
    skus: list[tuple[str, int, str]] = field(default_factory=list)  # every product row's SKU

    def header(self, kind: Kind, key: str) -> str:
        """The header of a column as the user wrote it."""
        found = self.headers.get((kind, key))
        return found or next(c.header for c in COLUMNS[kind] if c.key == key)


class _Reader:
    """Reads one row's cells by column key, recording what is wrong."""

    def __init__(self, sheet: Sheet, kind: Kind, where: dict[str, int], errors: list[CellError]):
        self.sheet, self.kind, self.where, self.errors = sheet, kind, where, errors
        self.row = Row(0, [])
        self.bad = False

    def start(self, row: Row) -> None:
        self.row, self.bad = row, False

    def fail(self, key: str, code: str, value: object = "", detail: str = "") -> None:
        self.bad = True
        self.errors.append(
            CellError(
                self.sheet.title,
                self.row.number,
                self.header(key),
                code,
                _shown(value),
                detail,
            )
        )

    def header(self, key: str) -> str:
        index = self.where.get(key)
        if index is None:
            return next(c.header for c in COLUMNS[self.kind] if c.key == key)
        return self.sheet.headers[index]

    def cell(self, key: str) -> Cell:
        index = self.where.get(key)
        if index is None or index >= len(self.row.cells):
            return None
        return self.row.cells[index]

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.cell(key)
        if value is None or (text := _text(value)) == "":
            if required:
                self.fail(key, "required")
            return None
        return text

    def number(self, key: str, *, required: bool = False) -> Decimal | None:
        value = self.cell(key)
        if value is None:
            if required:
                self.fail(key, "required")
            return None
        number = to_decimal(value)
        if number is None:
            self.fail(key, "not_a_number", value)
        return number

    def day(self, key: str) -> date | None:
        value = self.cell(key)
        if value is None:
            return None
        found = to_date(value)
        if found is None:
            self.fail(key, "not_a_date", value)
        return found


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return _text(value)[:50] if value is not None else ""


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def to_decimal(value: object) -> Decimal | None:
    """A number from a cell: 12, 12.5, "1,234.50", "¥12"; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))  # the shortest decimal that is this float: 0.1, not 0.1000…
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(_MONEY_MARKS.sub("", value))
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def to_date(value: object) -> date | None:
    """A date from a cell: a date cell, or 2026-03-01, 2026/3/1, 20260301, 2026年3月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        value = _text(value)
    if not isinstance(value, str):
        return None
    text = value.strip().split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 — a calendar date
        except ValueError:
            continue
    return None


def _rule_errors(bad: ValidationError, reader: _Reader, fields: dict[str, str]) -> None:
    """The catalog command's complaints, each on its column."""
    for error in bad.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        key = fields.get(name, name)
        message = f"{error['type']} {error['msg']}"
        code = next((c for word, c in _RULES if word in message), "invalid")
        reader.fail(key, code, reader.cell(key))


def _check(model: type[BaseModel], reader: _Reader, fields: dict[str, str], **data: Any) -> bool:
    try:
        model(**data)
    except ValidationError as bad:
        _rule_errors(bad, reader, fields)
        return False
    return True


def read_rows(sheets: list[Sheet]) -> Rows:
    """Types every row of every sheet; what cannot be typed becomes a ``CellError``."""
    rows = Rows()
    for sheet in sheets:
        rows.errors += sheet.errors
        said = sheet_kind(sheet.title)
        if said is False:
            rows.ignored.append(sheet.title)
            continue
        kind = said if isinstance(said, Kind) else guess_kind(sheet.headers)
        if kind is None:
            rows.ignored.append(sheet.title)
            continue
        where = _columns(sheet, kind, rows)
        if where is None:
            continue
        if kind not in rows.kinds:
            rows.kinds.append(kind)
        rows.sheets[kind] = sheet.title
        reader = _Reader(sheet, kind, where, rows.errors)
        _READERS[kind](rows, kind, sheet, reader)
    _duplicates(rows)
    return rows


def _columns(sheet: Sheet, kind: Kind, rows: Rows) -> dict[str, int] | None:
    """Column key → index; unknown, doubled and missing headers are errors (None: unusable)."""
    where: dict[str, int] = {}
    ok = True
    for index, header in enumerate(sheet.headers):
        if not header:
            if any(index < len(r.cells) and r.cells[index] is not None for r in sheet.rows):
                rows.errors.append(
                    CellError(sheet.title, sheet.header_row, _letter(index), "unknown_header")
                )
                ok = False
            continue
        key = match_header(kind, header)
        if key is None:
            rows.errors.append(
                CellError(sheet.title, sheet.header_row, header, "unknown_header", header)
            )
            ok = False
        elif key in where:
            rows.errors.append(
                CellError(sheet.title, sheet.header_row, header, "duplicate_header", header)
            )
            ok = False
        else:
            where[key] = index
            rows.headers[kind, key] = header
    for col in COLUMNS[kind]:
        if col.required and col.key not in where:
            rows.errors.append(
                CellError(sheet.title, sheet.header_row, col.header, "missing_column")
            )
            ok = False
    if kind == Kind.STOCK and not {"unit_cost", "value"} & where.keys():
        rows.errors.append(
            CellError(sheet.title, sheet.header_row, "单位成本 Unit cost", "missing_column")
        )
        ok = False
    return where if ok else None


def _letter(index: int) -> str:
    from openpyxl.utils.cell import (  # type: ignore[import-untyped]  # noqa: PLC0415
        get_column_letter,
    )

    return str(get_column_letter(index + 1))


_PRODUCT_FIELDS = {
    "default_sale_price": "sale_price",
    "default_purchase_price": "purchase_price",
}


def _products(rows: Rows, _kind: Kind, sheet: Sheet, reader: _Reader) -> None:
    for row in sheet.rows:
        reader.start(row)
        sku = reader.text("sku", required=True)
        if sku is not None:
            rows.skus.append((sku.casefold(), row.number, sku))
        name = reader.text("name")
        unit = reader.text("unit")
        codes = reader.text("barcodes")
        barcodes = tuple(c for c in _SPLIT_CODES.split(codes) if c) if codes else None
        numbers = {
            key: reader.number(key)
            for key in ("sale_price", "purchase_price", "reorder_point", "reorder_qty")
        }
        if reader.bad or sku is None:
            continue
        if not _check(
            CreateProduct,
            reader,
            _PRODUCT_FIELDS,
            request_id="import",
            sku=sku,
            name=name or sku,  # a blank name: an existing product keeps its own
            unit=unit or "",
            barcodes=barcodes or (),
            default_sale_price=numbers["sale_price"],
            default_purchase_price=numbers["purchase_price"],
            reorder_point=numbers["reorder_point"],
            reorder_qty=numbers["reorder_qty"],
        ):
            continue
        rows.products.append(
            ProductIn(
                row.number,
                sku,
                name,
                unit,
                tuple(dict.fromkeys(barcodes)) if barcodes else None,
                _places(numbers["sale_price"], 4),
                _places(numbers["purchase_price"], 4),
                _places(numbers["reorder_point"], 3),
                _places(numbers["reorder_qty"], 3),
            )
        )


def _places(value: Decimal | None, places: int) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-places))


def _stock(rows: Rows, _kind: Kind, sheet: Sheet, reader: _Reader) -> None:
    for row in sheet.rows:
        reader.start(row)
        sku = reader.text("sku", required=True)
        warehouse = reader.text("warehouse")
        qty = reader.number("qty", required=True)
        cost = reader.number("unit_cost")
        value = reader.number("value")
        if qty is not None and not reader.bad:
            if qty <= 0:
                reader.fail("qty", "not_positive", reader.cell("qty"))
            elif qty != qty.quantize(Decimal("0.001")) or qty >= Decimal(10) ** 12:
                reader.fail("qty", "too_many_places", reader.cell("qty"))
        for key, number, places in (("unit_cost", cost, 4), ("value", value, 2)):
            if number is None:
                continue
            if number < 0:
                reader.fail(key, "negative", reader.cell(key))
            elif number != number.quantize(Decimal(1).scaleb(-places)):
                reader.fail(key, "too_many_places", reader.cell(key))
        if cost is None and value is None and not reader.bad:
            reader.fail("unit_cost" if "unit_cost" in reader.where else "value", "required")
        if reader.bad or sku is None or qty is None:
            continue
        if warehouse is not None and len(warehouse) > 100:
            reader.fail("warehouse", "too_long", warehouse)
            continue
        rows.stock.append(StockIn(row.number, sku, warehouse, qty, cost, value))


def _parties(rows: Rows, kind: Kind, sheet: Sheet, reader: _Reader) -> None:
    for row in sheet.rows:
        reader.start(row)
        name = reader.text("name", required=True)
        contact, phone = reader.text("contact"), reader.text("phone")
        terms = reader.number("terms_days")
        currency = reader.text("currency")
        limit = reader.number("credit_limit")
        if terms is not None and terms != terms.to_integral_value():
            reader.fail("terms_days", "not_a_number", reader.cell("terms_days"))
        if reader.bad or name is None:
            continue
        if not _check(
            CreateParty,
            reader,
            {},
            request_id="import",
            name=name,
            contact=contact or "",
            phone=phone or "",
            terms_days=int(terms) if terms is not None else 0,
            currency=currency,
            credit_limit=limit,
        ):
            continue
        rows.parties.append(
            PartyIn(
                kind,
                row.number,
                name,
                contact,
                phone,
                int(terms) if terms is not None else None,
                currency,
                limit,
            )
        )


def _balances(rows: Rows, kind: Kind, sheet: Sheet, reader: _Reader) -> None:
    for row in sheet.rows:
        reader.start(row)
        party = reader.text("party", required=True)
        amount = reader.number("amount", required=True)
        currency = reader.text("currency")
        rate = reader.number("rate")
        item_date, due = reader.day("date"), reader.day("due_date")
        number = reader.text("number") or ""
        if rate is not None and rate <= 0:
            reader.fail("rate", "not_positive", reader.cell("rate"))
        if item_date and due and due < item_date:
            reader.fail("due_date", "due_before_date", reader.cell("due_date"))
        if amount is not None and abs(amount) >= Decimal(10) ** 13:
            reader.fail("amount", "out_of_range", reader.cell("amount"))
        if reader.bad or party is None or amount is None:
            continue
        rows.balances.append(
            BalanceIn(
                kind, row.number, party, amount, currency, rate, item_date, due, number[:200]
            )
        )


_READERS = {
    Kind.PRODUCTS: _products,
    Kind.STOCK: _stock,
    Kind.CUSTOMERS: _parties,
    Kind.SUPPLIERS: _parties,
    Kind.RECEIVABLES: _balances,
    Kind.PAYABLES: _balances,
}


def _duplicates(rows: Rows) -> None:
    """A SKU, barcode, party name or (SKU, warehouse) given twice in the file is an error."""

    def twice(kind: Kind, key: str, keyed: list[tuple[object, int, str]]) -> None:
        first: dict[object, int] = {}
        for k, row, shown in keyed:
            if k in first:
                rows.errors.append(
                    CellError(
                        rows.sheets.get(kind, ""),
                        row,
                        rows.header(kind, key),
                        "duplicate",
                        shown,
                        str(first[k]),
                    )
                )
            else:
                first[k] = row

    twice(Kind.PRODUCTS, "sku", list(rows.skus))
    twice(
        Kind.PRODUCTS,
        "barcodes",
        [(code, p.row, code) for p in rows.products for code in p.barcodes or ()],
    )
    twice(
        Kind.STOCK,
        "sku",
        [((s.sku.casefold(), (s.warehouse or "").casefold()), s.row, s.sku) for s in rows.stock],
    )
    for kind in (Kind.CUSTOMERS, Kind.SUPPLIERS):
        twice(kind, "name", [(p.name, p.row, p.name) for p in rows.parties if p.kind == kind])
