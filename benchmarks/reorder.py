"""How long do reorder suggestions take on a big shop? One run, one JSON object on stdout.

    .venv/bin/python -m benchmarks.reorder                     # SQLite, 100,000 products
    .venv/bin/python -m benchmarks.reorder --products 10000 --moves 100000
    .venv/bin/python -m benchmarks.reorder \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/jxcbench_reorder

The shop of ``benchmarks.core`` (products and a year of receipts and sales, bulk loaded) gets a
reorder point on every product: every tenth at its current on hand (so it is at its point),
the others at 0. Then, after a warm-up, ``reorder_suggestions`` (every product at or below
its point with 30 days of sales, what is on order, the last supplier and the suggested
quantity) is timed ``--runs`` times, and ``suggestions_for_one_product`` (what an alert
needs) as well. Target: ≤ 500 ms for all of them at 100,000 products and 1,000,000 moves.
"""

import argparse
import asyncio
import json
import statistics
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from benchmarks.core import create_target, load, open_shop, progress
from core.alerts.suggestions import reorder_suggestions
from core.db.engine import open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork

TARGET_MS = 500


async def set_points(db: Any) -> None:
    """Every tenth product at its point (its on hand now), the others at 0."""
    async with UnitOfWork(db) as uow:
        await uow.session.execute(
            text(
                "UPDATE products SET reorder_point = CASE WHEN id % 10 = 0 THEN "
                "(SELECT on_hand FROM product_costs WHERE product_costs.product_id = products.id)"
                " ELSE 0 END"
            )
        )
        await uow.commit()
    if db.engine.dialect.name == "postgresql":  # what autovacuum does after such an update
        async with db.engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("ANALYZE products"))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    target = await create_target(args.database_url)
    db = open_database(target.url)
    result: dict[str, Any] = {"engine": target.engine}
    try:
        await upgrade(db.engine)
        shop = await open_shop(db)
        started = time.perf_counter()
        await load(shop, target, args)
        await set_points(db)
        result["load_s"] = round(time.perf_counter() - started, 1)
        result |= {"products": shop.loaded.products, "moves": shop.loaded.moves}
        today = datetime.now(ZoneInfo(shop.setup.timezone)).date()
        found = await reorder_suggestions(UnitOfWork(db), shop.owner, today)  # warm-up
        timings = []
        for _ in range(args.runs):
            began = time.perf_counter()
            found = await reorder_suggestions(UnitOfWork(db), shop.owner, today)
            timings.append((time.perf_counter() - began) * 1000)
        one = found[0].product_id
        single = []
        for _ in range(args.runs):
            began = time.perf_counter()
            await reorder_suggestions(UnitOfWork(db), shop.owner, today, product_ids=[one])
            single.append((time.perf_counter() - began) * 1000)
        result |= {
            "suggestions": len(found),
            "with_sales": sum(1 for s in found if s.daily_sales > 0),
            "all_p50_ms": round(statistics.median(timings), 1),
            "all_max_ms": round(max(timings), 1),
            "one_product_p50_ms": round(statistics.median(single), 1),
            "target_ms": TARGET_MS,
            "target_met": max(timings) <= TARGET_MS,
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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    progress(f"building {args.products:,} products, {args.moves:,} moves")
    print(json.dumps(asyncio.run(run(args)), ensure_ascii=False))


if __name__ == "__main__":
    main()
