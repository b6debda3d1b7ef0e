"""Reports (报表): read models over the ledger, their tables, xlsx/CSV files and charts.

Every report takes the unit of work and the acting member and reads one snapshot. Periods are
local dates [start, end] in the business's time zone, by document date, posted documents
only (voided ones are left out). Money is in the base currency: a foreign document counts at
its own rate, round(total × rate). Cost figures (COGS, stock value, gross profit, margin,
turnover) are None unless the member may see costs (DESIGN rule 9); viewers get the stock
reports only, without value.

The aging of receivables and payables is ``core.finance.accounts.aging``, re-exported here.
"""

from core.finance.accounts import aging
from core.finance.results import Aging, AgingLine
from core.reports.analysis import abc, slow_movers, turnover
from core.reports.charts import Chart, bar_chart, find_cjk_font, line_chart, sales_chart
from core.reports.results import (
    AbcClass,
    AbcReport,
    AbcRow,
    HistoryRow,
    PurchaseReport,
    PurchaseRow,
    SalesBy,
    SalesReport,
    SalesRow,
    SlowMover,
    SlowMovers,
    StockHistory,
    StockOnHand,
    StockRow,
    TurnoverReport,
    TurnoverRow,
    WarehouseStock,
)
from core.reports.sales import purchases, sales
from core.reports.stock import stock_history, stock_on_hand
from core.reports.table import Cell, Column, ColumnKind, Table
from core.reports.tables import to_table
from core.reports.xlsx import csv_bytes, workbook

__all__ = [
    "AbcClass",
    "AbcReport",
    "AbcRow",
    "Aging",
    "AgingLine",
    "Cell",
    "Chart",
    "Column",
    "ColumnKind",
    "HistoryRow",
    "PurchaseReport",
    "PurchaseRow",
    "SalesBy",
    "SalesReport",
    "SalesRow",
    "SlowMover",
    "SlowMovers",
    "StockHistory",
    "StockOnHand",
    "StockRow",
    "Table",
    "TurnoverReport",
    "TurnoverRow",
    "WarehouseStock",
    "abc",
    "aging",
    "bar_chart",
    "csv_bytes",
    "find_cjk_font",
    "line_chart",
    "purchases",
    "sales",
    "sales_chart",
    "slow_movers",
    "stock_history",
    "stock_on_hand",
    "to_table",
    "turnover",
    "workbook",
]
