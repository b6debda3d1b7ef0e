"""How long does importing 50,000 product rows take? One run, one JSON object on stdout.

    .venv/bin/python -m benchmarks.import_rows                    # SQLite, 50,000 products
    .venv/bin/python -m benchmarks.import_rows --rows 20000 --stock
    .venv/bin/python -m benchmarks.import_rows \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/jxcbench_import

A fresh database (as ``benchmarks.core`` makes it) gets the benchmark's business; an .xlsx
of ``--rows`` products (realistic mixed Chinese/Latin names, a barcode, prices, reorder
settings) is built, then timed: ``parse`` (reading and typing every row, what the bot runs
off the event loop), ``preview`` (parse + every check against the database) and ``import``
(``run_import``: parse, check, write all in one transaction). With ``--stock`` every product
also gets an opening stock row (posted as QC documents) in a second sheet. Target: the
import of 50,000 rows in ≤ 30 s; the ledger check must pass afterwards.
"""

import argparse
import asyncio
import io
import json
import random
import time
from typing import Any

from openpyxl import Workbook

from benchmarks.core import create_target, open_shop
from benchmarks.core_catalogue import products
from core.db.engine import open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.inventory.check import check_ledger
from core.io.importing import ImportFile, parse, preview, run_import

TARGET_SECONDS = 30


def workbook(rows: int, *, stock: bool) -> bytes:
    """An .xlsx of ``rows`` products (and their opening stock)."""
    rng = random.Random(7)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("商品 Products")
    sheet.append(
        [
            "编号 SKU",
            "名称 Name",
            "单位 Unit",
            "条码 Barcode",
            "售价 Sale price",
            "进价 Purchase price",
            "安全库存 Reorder point",
            "补货量 Reorder qty",
        ]
    )
    specs = list(products(rows, rng))
    for n, spec in enumerate(specs):
        sheet.append(
            [
                f"SKU{n:06d}",
                spec.name,
                spec.unit,
                f"69{n:011d}",
                float(spec.cost * 2),
                float(spec.cost),
                5,
                20,
            ]
        )
    if stock:
        lines = book.create_sheet("期初库存 Opening stock")
        lines.append(["编号 SKU", "仓库 Warehouse", "数量 Qty", "单位成本 Unit cost"])
        for n, spec in enumerate(specs):
            lines.append([f"SKU{n:06d}", None, rng.randint(1, 200), float(spec.cost)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    target = await create_target(args.database_url)
    db = open_database(target.url)
    try:
        await upgrade(db.engine)
        shop = await open_shop(db)
        data = workbook(args.rows, stock=args.stock)
        file = ImportFile(data, "import.xlsx")
        started = time.perf_counter()
        rows = await asyncio.to_thread(parse, file)
        parsed = time.perf_counter() - started
        started = time.perf_counter()
        seen = await preview(UnitOfWork(db), shop.owner, file)
        previewed = time.perf_counter() - started
        assert seen.ok, seen.errors[:5]
        reports: list[tuple[int, int]] = []

        async def progress(done: int, total: int) -> None:
            reports.append((done, total))

        started = time.perf_counter()
        result = await run_import(UnitOfWork(db), shop.owner, file, "bench-import", progress)
        imported = time.perf_counter() - started
        ledger = await check_ledger(db)
        return {
            "engine": target.engine,
            "rows": args.rows + (args.rows if args.stock else 0),
            "file_mb": round(len(data) / 1e6, 2),
            "parse_s": round(parsed, 2),
            "preview_s": round(previewed, 2),
            "import_s": round(imported, 2),
            "progress_reports": len(reports),
            "created": {k: v.create for k, v in result.counts.items()},
            "documents": len(result.documents),
            "ledger_ok": ledger.ok,
            "target_s": TARGET_SECONDS,
            "ok": imported <= TARGET_SECONDS and ledger.ok and len(rows.products) == args.rows,
        }
    finally:
        await db.dispose()
        if not args.keep:
            await target.drop()


def main() -> None:
    """Runs the benchmark and prints its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--stock", action="store_true", help="an opening stock row per product")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    print(json.dumps(asyncio.run(run(parser.parse_args())), ensure_ascii=False))


if __name__ == "__main__":
    main()
