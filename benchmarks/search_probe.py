"""How fast is product search with 100,000 products? Prints p50/p99 per term, per engine.

    .venv/bin/python -m benchmarks.search_probe
    .venv/bin/python -m benchmarks.search_probe --sqlite-path /var/tmp/probe.db \
        --database-url postgresql://postgres@127.0.0.1:5432/jxc_probe

SQLite runs (unless ``--skip-sqlite``) in ``--sqlite-path``, by default a fresh temporary file.
PostgreSQL runs when ``--database-url`` names a database with a UTF-8 ctype (C.UTF-8); the
probe migrates it. Products are loaded once, as ``index_product`` would key them (names of
brand, style, goods and pack size; three in four with an EAN-13); a second run on the same
database reuses them. Besides the big business, a small one (``--small``, default 1,000
products) is loaded after it and searched too: in one database its terms share the trigram
indexes with the big one's, whose matches come first.

Each search is timed as a handler would pay for it: a read session opened, search_products,
the session closed; wall clock and this process's CPU time (on a busy machine the first
shows the queue for a CPU, the second does not). Terms are interleaved so PostgreSQL's
prepared-statement plans see them mixed. Target: p99 <= 10 ms for every term.
"""

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.catalog.models import Barcode, Product, ProductGram
from core.catalog.search import gram_rows, search_keys, search_products
from core.db.base import utcnow
from core.db.engine import Database, open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.tenancy.models import Business


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BRANDS = _words(
    "伊利 蒙牛 光明 康师傅 统一 农夫山泉 娃哈哈 海天 李锦记 金龙鱼 三只松鼠 良品铺子 得力 "
    "晨光 小米 华为 苏泊尔 美的 九阳 双汇 雀巢 立白 蓝月亮 维达 清风 心相印 百事 可口可乐 "
    "旺旺 Nestle Apple Nike Adidas Sony Philips Colgate Oreo Lipton Anker Uniqlo Lego"
)
STYLES = _words(
    "原味 草莓味 巧克力味 低脂 全脂 无糖 加厚 大号 小号 经典 新款 红色 蓝色 黑色 白色 家庭装 "
    "旅行装 升级版 进口 有机 Pro Max Mini Lite Plus"
)
GOODS = {
    "纯牛奶": ("250ml", "1L", "24盒/箱"),
    "酸奶": ("100g", "200g*12"),
    "奶茶": ("350ml", "12杯/箱"),
    "矿泉水": ("550ml", "1.5L", "24瓶/箱"),
    "不锈钢保温杯": ("500ml", "350ml", "1L"),
    "保温壶": ("2L", "1.5L"),
    "玻璃杯": ("300ml", "6只装"),
    "马克杯": ("400ml",),
    "洗发水": ("400ml", "750ml"),
    "沐浴露": ("1L", "500ml"),
    "牙膏": ("120g", "3支装"),
    "方便面": ("5连包", "桶装"),
    "酱油": ("500ml", "1.9L"),
    "食用油": ("5L", "1.8L"),
    "中性笔": ("0.5mm 黑色", "12支/盒"),
    "笔记本": ("A5", "B5 80页"),
    "USB-C Cable": ("1m", "2m"),
    "Phone Case": ("iPhone 15", "Mate 60"),
    "T恤": ("S", "M", "L", "XL"),
    "运动鞋": ("42码", "40码"),
    "巧克力": ("100g", "礼盒装"),
    "饼干": ("200g", "量贩装"),
    "茶叶": ("250g", "礼盒"),
    "咖啡 Coffee": ("三合一 30条", "挂耳 10包"),
    "纸巾": ("3层 10包", "抽纸 24包"),
    "洗衣液": ("2kg", "3kg"),
    "充电宝 Power Bank": ("10000mAh", "20000mAh"),
    "数据线": ("1m", "Lightning"),
}
RARE_NAMES = ("麒麟牌保温壶 2L", "Zebra 斑马牌中性笔 0.5mm")  # five products each

EAN_PREFIX = {"probe-big": "690", "probe-small": "691"}

# (language, length, kind, term)
TERMS = (
    ("zh", 1, "common", "奶"),
    ("zh", 1, "rare", "麟"),
    ("zh", 1, "absent", "龘"),
    ("zh", 2, "common", "牛奶"),
    ("zh", 2, "rare", "麒麟"),
    ("zh", 2, "absent", "奶杯"),
    ("zh", 3, "common", "保温杯"),
    ("zh", 3, "rare", "麒麟牌"),
    ("zh", 3, "absent", "牛奶杯"),
    ("zh", 5, "common", "不锈钢保温"),
    ("zh", 5, "rare", "麒麟牌保温"),
    ("zh", 5, "absent", "玻璃杯 5"),  # its trigrams are common, the phrase is not there
    ("latin", 1, "common", "c"),
    ("latin", 1, "rare", "z"),
    ("latin", 1, "absent", "v"),
    ("latin", 2, "common", "ml"),
    ("latin", 2, "rare", "ze"),
    ("latin", 2, "absent", "qx"),
    ("latin", 3, "common", "usb"),
    ("latin", 3, "rare", "zeb"),
    ("latin", 3, "absent", "xyz"),
    ("latin", 5, "common", "cable"),
    ("latin", 5, "rare", "zebra"),
    ("latin", 5, "absent", "qwert"),
    ("code", 13, "scan", "6900000012345"),  # the big business's barcode; not the small one's
)


def product_names(count: int, rng: random.Random) -> Iterator[str]:
    """Realistic names: brand, style, goods and a pack size; a few rare ones in between."""
    rare_at = {count * (k + 1) // 11: RARE_NAMES[k % 2] for k in range(10)}
    goods = list(GOODS.items())
    for n in range(count):
        if n in rare_at:
            yield rare_at[n]
            continue
        name, sizes = rng.choice(goods)
        style = rng.choice(STYLES) if rng.random() < 0.7 else ""
        yield f"{rng.choice(BRANDS)}{style}{name} {rng.choice(sizes)}"


def _plain(value: Any) -> Any:
    # COPY skips the column types: store UTC timestamps without zone, as UTCDateTime does
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


async def _insert(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":  # COPY: a hundred times faster than INSERTs here
        raw = await conn.get_raw_connection()
        columns = list(rows[0])
        records = [tuple(_plain(r[c]) for c in columns) for r in rows]
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            model.__tablename__, records=records, columns=columns
        )
        return
    await conn.execute(insert(model), rows)


async def load(db: Database, business_name: str, count: int, seed: int) -> int:
    """Adds a business with ``count`` products (keys and grams as index_product would set)."""
    async with db.engine.begin() as conn:
        found = await conn.scalar(select(Business.id).where(Business.name == business_name))
        if found is not None:
            return int(found)
        business_id = (
            await conn.execute(insert(Business).values(name=business_name).returning(Business.id))
        ).scalar_one()
        next_id = (await conn.scalar(select(func.max(Product.id))) or 0) + 1
        rng = random.Random(seed)
        products: list[dict[str, Any]] = []
        grams: list[dict[str, Any]] = []
        codes: list[dict[str, Any]] = []
        for offset, name in enumerate(product_names(count, rng)):
            product_id = next_id + offset
            sku = f"{business_name[:4].upper()}{offset:06}"
            keys = search_keys(sku, name)
            products.append(
                {
                    "id": product_id,
                    "business_id": business_id,
                    "sku": sku,
                    "sku_key": keys.sku_key,
                    "name": name,
                    "name_key": keys.name_key,
                    "pinyin_initials": keys.pinyin_initials,
                    "pinyin_full": keys.pinyin_full,
                    "unit": "个",
                    "archived": rng.random() < 0.05,
                    "created_at": utcnow(),
                }
            )
            grams += gram_rows(business_id, product_id, keys.name_key)
            if offset % 4:  # three products in four have an EAN-13
                code = f"{EAN_PREFIX[business_name]}{offset:010}"
                codes.append({"business_id": business_id, "product_id": product_id, "code": code})
            if len(products) == 10_000:
                await _flush(conn, products, grams, codes)
                products, grams, codes = [], [], []
        await _flush(conn, products, grams, codes)
        if conn.dialect.name == "postgresql":  # ids were given: move the sequence past them
            await conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('products', 'id'), max(id))"
                    " FROM products"
                )
            )
    # what autovacuum (or PRAGMA optimize) would have done by the time anyone searches:
    # statistics for the planner, on PostgreSQL the visibility map for index-only scans
    async with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
        else:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    return int(business_id)


async def _flush(
    conn: AsyncConnection,
    products: list[dict[str, Any]],
    grams: list[dict[str, Any]],
    codes: list[dict[str, Any]],
) -> None:
    await _insert(conn, Product, products)
    await _insert(conn, ProductGram, grams)
    await _insert(conn, Barcode, codes)


@dataclass
class Timing:
    """The milliseconds each search of one term took: wall clock, and this process's CPU."""

    business: str
    term: tuple[str, int, str, str]
    hits: int = 0
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def percentile(self, p: int, *, cpu: bool = False) -> float:
        """The p-th percentile (1-99) of the wall-clock (or CPU) timings."""
        data = self.cpu_ms if cpu else self.ms
        return statistics.quantiles(data, n=100, method="inclusive")[p - 1]


async def probe(db: Database, businesses: dict[str, int], rounds: int) -> list[Timing]:
    """Times every term in every business, interleaved, after a warm-up round."""
    timings = {(label, term): Timing(label, term) for label in businesses for term in TERMS}
    uow = UnitOfWork(db)
    for round_no in range(rounds + 5):
        for (label, term), timing in timings.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            async with uow.reading() as session:
                hits = await search_products(session, businesses[label], term[3])
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - started_cpu) * 1000
            if round_no >= 5:  # the first rounds warm caches and plans
                timing.ms.append(elapsed)
                timing.cpu_ms.append(cpu)
                timing.hits = len(hits)
    return list(timings.values())


def _load() -> str:
    # other work on the machine shows in wall-clock percentiles, not in CPU time
    return " ".join(f"{n:.2f}" for n in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def report(engine: str, timings: list[Timing]) -> None:
    """Prints one line per term and the worst p99."""
    print(f"\n{engine}: ms per search (session included), hits of 20; load {_load()}")
    print("  wall: p50/p99 of elapsed time; cpu: of this process's CPU time (all threads:")
    print("  Python and, for SQLite, the database; the PostgreSQL server's is not in it)")
    print(
        f"{'business':<8} {'lang':<6} {'len':>3} {'kind':<7} {'term':<14} hits"
        "  wall p50   p99   cpu p50   p99"
    )
    for t in timings:
        lang, length, kind, term = t.term
        p99 = t.percentile(99)
        flag = "" if p99 <= 10 else "  <-- over 10 ms"
        print(
            f"{t.business:<8} {lang:<6} {length:>3} {kind:<7} {term:<14} {t.hits:>4} "
            f"{t.percentile(50):9.2f} {p99:5.2f} {t.percentile(50, cpu=True):9.2f} "
            f"{t.percentile(99, cpu=True):5.2f}{flag}"
        )
    worst = max(timings, key=lambda t: t.percentile(99))
    print(f"worst p99: {worst.percentile(99):.2f} ms ({worst.business} {worst.term[3]!r})")


async def run(url: str, engine: str, args: argparse.Namespace) -> None:
    db = open_database(url)
    try:
        await upgrade(db.engine)
        started = time.perf_counter()
        businesses = {
            "big": await load(db, "probe-big", args.products, args.seed),
            "small": await load(db, "probe-small", args.small, args.seed + 1),
        }
        print(f"{engine}: loaded in {time.perf_counter() - started:.1f} s")
        report(engine, await probe(db, businesses, args.rounds))
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--sqlite-path", type=Path)
    parser.add_argument("--database-url", help="an empty PostgreSQL database to probe as well")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        path = args.sqlite_path or Path(tempfile.mkdtemp()) / "search_probe.db"
        asyncio.run(run(f"sqlite+aiosqlite:///{path}", f"SQLite ({path})", args))
    if args.database_url:
        asyncio.run(run(args.database_url, "PostgreSQL", args))


if __name__ == "__main__":
    main()
