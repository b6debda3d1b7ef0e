"""How long do the reports take on a big shop? One run, one JSON object on stdout.

    .venv/bin/python -m benchmarks.reports                     # SQLite, 100,000 products
    .venv/bin/python -m benchmarks.reports --products 10000 --moves 100000
    .venv/bin/python -m benchmarks.reports \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/jxcbench_reports

The shop of ``benchmarks.core`` (products and a year of receipts and sales, bulk loaded). Then,
for each report (the owner asking, so every cost column is computed), after one warm-up call:

- ``summary``: what the chat answer needs — the report with ``limit=10`` (totals cover all);
- ``full``: the whole report, turned into a ``Table`` (what the xlsx is written from);

and for the biggest table (stock on hand, one row per product and warehouse) the .xlsx itself,
and a PNG chart (top 10 products by revenue over the year, from the summary). Sales, ABC and
turnover are over the last 365 days (the whole loaded year), the worst case. Targets: a
summary (and chart) ≤ 5 s, a full table with its xlsx ≤ 30 s.
"""

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from benchmarks.core import create_target, load, open_shop, progress
from core.db.engine import open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.finance.models import PartyKind
from core.inventory.models import StockMove
from core.reports import (
    abc,
    aging,
    csv_bytes,
    purchases,
    sales,
    sales_chart,
    slow_movers,
    stock_history,
    stock_on_hand,
    to_table,
    turnover,
    workbook,
)

SUMMARY_S = 5.0
FULL_S = 30.0


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Seconds one call took, and what it returned."""
    began = time.perf_counter()
    result = await call()
    return round(time.perf_counter() - began, 3), result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    target = await create_target(args.database_url)
    db = open_database(target.url)
    result: dict[str, Any] = {"engine": target.engine}
    try:
        await upgrade(db.engine)
        shop = await open_shop(db)
        started = time.perf_counter()
        await load(shop, target, args)
        result["load_s"] = round(time.perf_counter() - started, 1)
        result |= {"products": shop.loaded.products, "moves": shop.loaded.moves}
        owner = shop.owner
        today = datetime.now(ZoneInfo(shop.setup.timezone)).date()
        year = today - timedelta(days=365)
        async with db.reads() as session:
            busiest = await session.scalar(
                select(StockMove.product_id)
                .group_by(StockMove.product_id)
                .order_by(func.count().desc())
                .limit(1)
            )
        assert busiest is not None
        reports: dict[str, Callable[[int | None], Awaitable[Any]]] = {
            "stock_on_hand": lambda n: stock_on_hand(UnitOfWork(db), owner, limit=n),
            "stock_history": lambda n: stock_history(
                UnitOfWork(db), owner, busiest, year, today, limit=n
            ),
            "sales_by_day": lambda n: sales(UnitOfWork(db), owner, year, today, "day", limit=n),
            "sales_by_product": lambda n: sales(
                UnitOfWork(db), owner, year, today, "product", limit=n
            ),
            "sales_by_customer": lambda n: sales(
                UnitOfWork(db), owner, year, today, "customer", limit=n
            ),
            "purchases": lambda n: purchases(UnitOfWork(db), owner, year, today, limit=n),
            "slow_movers": lambda n: slow_movers(UnitOfWork(db), owner, 30, limit=n),
            "abc": lambda n: abc(UnitOfWork(db), owner, year, today, limit=n),
            "turnover": lambda n: turnover(UnitOfWork(db), owner, year, today, limit=n),
            "aging": lambda _: aging(UnitOfWork(db), owner, PartyKind.CUSTOMER),
        }
        timings: dict[str, dict[str, Any]] = {}
        tables = {}
        for name, call in reports.items():
            progress(f"report {name}")
            await call(10)  # warm-up
            summary_s, summary = await timed(lambda call=call: call(10))

            async def full(call: Callable[[int | None], Awaitable[Any]] = call) -> Any:
                return to_table(await call(None))

            full_s, table = await timed(full)
            tables[name] = table
            timings[name] = {
                "summary_s": summary_s,
                "full_s": full_s,
                "rows": len(table.rows),
                "summary_rows": len(getattr(summary, "rows", getattr(summary, "lines", ()))),
            }
        began = time.perf_counter()
        data = workbook([tables["stock_on_hand"]])
        timings["stock_on_hand"]["xlsx_s"] = round(time.perf_counter() - began, 3)
        timings["stock_on_hand"]["xlsx_mb"] = round(len(data) / 1e6, 2)
        began = time.perf_counter()
        csv = csv_bytes(tables["stock_on_hand"])
        timings["stock_on_hand"]["csv_s"] = round(time.perf_counter() - began, 3)
        timings["stock_on_hand"]["csv_mb"] = round(len(csv) / 1e6, 2)

        async def summary_and_chart() -> Any:
            report = await sales(UnitOfWork(db), owner, year, today, "product", limit=10)
            return await asyncio.to_thread(sales_chart, report, "Top 10")

        chart_s, chart = await timed(summary_and_chart)
        timings["chart_top_products"] = {"total_s": chart_s, "png_kb": len(chart.png) // 1024}
        result["reports"] = timings
        slowest_summary = max(
            [t["summary_s"] for t in timings.values() if "summary_s" in t] + [chart_s]
        )
        slowest_full = max(
            t["full_s"] + t.get("xlsx_s", 0) for t in timings.values() if "full_s" in t
        )
        result |= {
            "slowest_summary_s": slowest_summary,
            "slowest_full_with_xlsx_s": round(slowest_full, 3),
            "targets_s": {"summary": SUMMARY_S, "full": FULL_S},
            "targets_met": slowest_summary <= SUMMARY_S and slowest_full <= FULL_S,
        }
    finally:
        await db.dispose()
        if not args.keep:
            await target.drop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    progress(f"building {args.products:,} products, {args.moves:,} moves")
    print(json.dumps(asyncio.run(run(args)), ensure_ascii=False))


if __name__ == "__main__":
    main()
