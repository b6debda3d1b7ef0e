"""Every report as a ``Table``: language-neutral column keys, headers from the caller.

Cost columns (average cost, COGS, value, gross profit, margin, turnover) are left out when
the result carries no costs (``sees_costs`` False), so a clerk's file has no empty columns.
The totals row puts ``headers["total"]`` (default "Total") in its first column.
"""

from collections.abc import Callable, Mapping, Sequence
from functools import singledispatch
from typing import Any

from core.finance.results import BUCKETS, Aging
from core.reports.results import (
    AbcReport,
    PurchaseReport,
    SalesReport,
    SalesRow,
    SlowMovers,
    StockHistory,
    StockOnHand,
    TurnoverReport,
    TurnoverRow,
)
from core.reports.table import Cell, Column, ColumnKind, Table

Report = (
    StockOnHand
    | StockHistory
    | SalesReport
    | PurchaseReport
    | SlowMovers
    | AbcReport
    | TurnoverReport
    | Aging
)
Spec = tuple[str, ColumnKind, Callable[[Any], Cell]]  # key, kind, how a row gives the cell

TOTAL = "total"
VOID_MARK = " ✕"  # after the type of a move that reverses a voided document's (language-free)


def to_table(
    result: Report, headers: Mapping[str, str] | None = None, title: str | None = None
) -> Table:
    """The report as a table (one sheet of a workbook, or a CSV file).

    ``headers`` maps column keys (and ``"total"``, the totals row's label) to the text to
    show; keys without one show the key. ``title`` names the sheet (default: a key such as
    ``sales_by_day``).
    """
    table = _table(result)
    names = dict(headers or {})
    label = names.get(TOTAL, "Total")
    totals = table.totals
    if totals is not None:
        first_text = next(
            (
                i
                for i, c in enumerate(table.columns)
                if c.kind == "text" and totals[i] in ("", None)
            ),
            None,
        )
        if first_text is not None:
            totals = (*totals[:first_text], label, *totals[first_text + 1 :])
    out = Table(title or table.title, table.columns, table.rows, totals, table.timezone)
    return out.with_headers(names)


def _build(
    title: str,
    specs: Sequence[Spec],
    rows: Sequence[Any],
    totals: Mapping[str, Cell] | None,
    timezone: str | None = None,
) -> Table:
    columns = tuple(Column(key, kind) for key, kind, _ in specs)
    getters = [get for _, _, get in specs]
    body = [tuple(get(row) for get in getters) for row in rows]
    total_row = None
    if totals is not None:
        total_row = tuple(
            totals.get(key, "" if kind == "text" else None) for key, kind, _ in specs
        )
    return Table(title, columns, body, total_row, timezone)


def _costs(specs: Sequence[Spec], cost_keys: set[str], sees: bool) -> list[Spec]:
    return [s for s in specs if sees or s[0] not in cost_keys]


@singledispatch
def _table(result: object) -> Table:
    raise TypeError(f"no table for {type(result).__name__}")


@_table.register
def _stock(result: StockOnHand) -> Table:
    specs = _costs(
        [
            ("sku", "text", lambda r: r.sku),
            ("name", "text", lambda r: r.name),
            ("unit", "text", lambda r: r.unit),
            ("warehouse", "text", lambda r: r.warehouse),
            ("on_hand", "qty", lambda r: r.on_hand),
            ("avg_cost", "price", lambda r: r.avg_cost),
            ("value", "money", lambda r: r.value),
        ],
        {"avg_cost", "value"},
        result.sees_costs,
    )
    totals: dict[str, Cell] = {"value": result.total_value}
    return _build("stock_on_hand", specs, result.rows, totals)


@_table.register
def _history(result: StockHistory) -> Table:
    specs = _costs(
        [
            ("day", "date", lambda r: r.day),
            ("posted_at", "datetime", lambda r: r.posted_at),
            ("number", "text", lambda r: r.number),
            ("doc_type", "text", lambda r: r.doc_type + (VOID_MARK if r.is_void else "")),
            ("author", "text", lambda r: r.author),
            ("warehouse", "text", lambda r: r.warehouse),
            ("qty_in", "qty", lambda r: r.qty_in),
            ("qty_out", "qty", lambda r: r.qty_out),
            ("balance", "qty", lambda r: r.balance),
            ("total_balance", "qty", lambda r: r.total_balance),
            ("value", "money", lambda r: r.value),
        ],
        {"value"},
        result.sees_costs,
    )
    totals: dict[str, Cell] = {
        "qty_in": result.qty_in,
        "qty_out": result.qty_out,
        "total_balance": result.closing_total,
    }
    return _build(f"history_{result.sku}", specs, result.rows, totals, result.timezone)


def _sales_specs(by: str) -> list[Spec]:
    first: list[Spec]
    if by == "day":
        first = [("day", "date", lambda r: r.key)]
    elif by == "product":
        first = [("sku", "text", lambda r: r.sku), ("name", "text", lambda r: r.label)]
    else:
        first = [("customer", "text", lambda r: r.label)]
    return [
        *first,
        ("sales", "int", lambda r: r.sales),
        ("returns", "int", lambda r: r.returns),
        ("qty", "qty", lambda r: r.qty),
        ("revenue", "money", lambda r: r.revenue),
        ("cogs", "money", lambda r: r.cogs),
        ("gross_profit", "money", lambda r: r.gross_profit),
        ("margin", "percent", lambda r: r.margin),
    ]


@_table.register
def _sales(result: SalesReport) -> Table:
    specs = _costs(_sales_specs(result.by), {"cogs", "gross_profit", "margin"}, result.sees_costs)
    totals = _row_cells(specs, result.totals, skip={"day", "sku", "name", "customer"})
    return _build(f"sales_by_{result.by}", specs, result.rows, totals)


def _row_cells(
    specs: Sequence[Spec], row: SalesRow | TurnoverRow, skip: set[str]
) -> dict[str, Cell]:
    return {key: get(row) for key, _, get in specs if key not in skip}


@_table.register
def _purchases(result: PurchaseReport) -> Table:
    specs: list[Spec] = [
        ("supplier", "text", lambda r: r.supplier),
        ("receipts", "int", lambda r: r.receipts),
        ("returns", "int", lambda r: r.returns),
        ("qty", "qty", lambda r: r.qty),
        ("returned", "money", lambda r: r.returned),
        ("amount", "money", lambda r: r.amount),
    ]
    t = result.totals
    totals: dict[str, Cell] = {
        "receipts": t.receipts,
        "returns": t.returns,
        "qty": t.qty,
        "returned": t.returned,
        "amount": t.amount,
    }
    return _build("purchases_by_supplier", specs, result.rows, totals)


@_table.register
def _slow(result: SlowMovers) -> Table:
    specs = _costs(
        [
            ("sku", "text", lambda r: r.sku),
            ("name", "text", lambda r: r.name),
            ("unit", "text", lambda r: r.unit),
            ("on_hand", "qty", lambda r: r.on_hand),
            ("value", "money", lambda r: r.value),
            ("last_sale", "date", lambda r: r.last_sale),
            ("days_since_sale", "int", lambda r: r.days_since_sale),
        ],
        {"value"},
        result.sees_costs,
    )
    totals: dict[str, Cell] = {"on_hand": result.total_on_hand, "value": result.total_value}
    return _build("slow_movers", specs, result.rows, totals)


@_table.register
def _abc(result: AbcReport) -> Table:
    specs: list[Spec] = [
        ("sku", "text", lambda r: r.sku),
        ("name", "text", lambda r: r.name),
        ("qty", "qty", lambda r: r.qty),
        ("revenue", "money", lambda r: r.revenue),
        ("share", "percent", lambda r: r.share),
        ("cumulative", "percent", lambda r: r.cumulative),
        ("abc", "text", lambda r: r.abc),
    ]
    totals: dict[str, Cell] = {
        "qty": sum((r.qty for r in result.rows), type(result.revenue)(0)),
        "revenue": result.revenue,
    }
    if len(result.rows) < result.total_rows:
        totals.pop("qty")  # the rows were cut: only the revenue total is known
    return _build("abc", specs, result.rows, totals)


@_table.register
def _turnover(result: TurnoverReport) -> Table:
    specs = _costs(
        [
            ("sku", "text", lambda r: r.sku),
            ("name", "text", lambda r: r.name),
            ("unit", "text", lambda r: r.unit),
            ("qty_sold", "qty", lambda r: r.qty_sold),
            ("daily_sales", "qty", lambda r: r.daily_sales),
            ("on_hand", "qty", lambda r: r.on_hand),
            ("days_of_cover", "ratio", lambda r: r.days_of_cover),
            ("cogs", "money", lambda r: r.cogs),
            ("opening_value", "money", lambda r: r.opening_value),
            ("closing_value", "money", lambda r: r.closing_value),
            ("average_value", "money", lambda r: r.average_value),
            ("turnover", "ratio", lambda r: r.turnover),
        ],
        {"cogs", "opening_value", "closing_value", "average_value", "turnover"},
        result.sees_costs,
    )
    totals = _row_cells(specs, result.totals, skip={"sku", "name", "unit", "days_of_cover"})
    return _build("turnover", specs, result.rows, totals)


@_table.register
def _aging(result: Aging) -> Table:
    specs: list[Spec] = [("party", "text", lambda r: r.party_name)]
    specs += [(bucket, "money", _bucket(i)) for i, bucket in enumerate(BUCKETS)]
    specs.append(("balance", "money", lambda r: r.total))
    totals: dict[str, Cell] = dict(zip(BUCKETS, result.totals, strict=True))
    totals["balance"] = result.total
    return _build(f"aging_{result.kind}", specs, result.lines, totals)


def _bucket(index: int) -> Callable[[Any], Cell]:
    def get(line: Any) -> Cell:
        value: Cell = line.buckets[index]
        return value

    return get
