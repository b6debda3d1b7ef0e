"""How fast is core on a big shop? One run, one JSON object on stdout.

    .venv/bin/python -m benchmarks.core                      # SQLite in a temporary file
    .venv/bin/python -m benchmarks.core --products 5000 --moves 50000 --sales 300
    .venv/bin/python -m benchmarks.core \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/jxcbench_x

The database is built fresh (a PostgreSQL database named ``jxcbench_*`` is created with a
UTF-8 ctype and dropped at the end unless ``--keep``), migrated by Alembic, and given a business
(owner, clerk, 3 warehouses, a supplier and a customer) through the services. Then products and
a year of receipts and sales are bulk loaded with the raw driver (benchmarks/core_load.py),
consistent with balances and average costs, and the ledger check must pass.

Measured, each after a warm-up, one measurement at a time:

- 2-line sales through ``post_shipment`` (clerk, fresh request ids, random products), one at a
  time; the same writes through the raw driver (benchmarks/core_raw.py), in alternating blocks
  of 100 so both see the same machine; ``ratio`` is service throughput over raw throughput.
- the same number of sales from 8 concurrent tasks sharing the ``Database``; then 8 tasks
  racing for 10 hot products with little stock (refusals expected, oversells and deadlocks not).
- ``stock_card`` by SKU (owner: the path that also reads the cost row).
- ``search_products`` on a read session per kind of term (session open and close included).
- one 5,000-line stock count through ``post_stock_count``.

Progress goes to stderr. Timings are ``time.perf_counter`` wall times; ``*_cpu_ms`` is this
process's CPU time per call (``getrusage``: on SQLite it includes SQLite's own work in the
aiosqlite thread, on PostgreSQL the server's CPU is not in it), which says more than wall time
when other work shares the machine: ``loadavg_before``/``loadavg_after`` tell how much did.
``core_digest`` fingerprints core/ at the start of the run.
"""

import argparse
import asyncio
import gc
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from benchmarks.core_catalogue import SEARCH_TERMS
from benchmarks.core_load import (
    HOT_PRODUCTS,
    LedgerLoader,
    Loaded,
    PostgresWriter,
    Setup,
    SqliteWriter,
    Writer,
    progress,
)
from benchmarks.core_raw import RawPostgres, RawSqlite, Sale
from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
from core.catalog.search import search_products
from core.catalog.warehouses import CreateWarehouse, create_warehouse, list_warehouses
from core.db.engine import Database, open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.errors import InsufficientStock
from core.inventory.check import check_ledger
from core.inventory.counts import CountLine, PostStockCount, post_stock_count
from core.inventory.models import MoveKind, StockBalance, StockMove
from core.inventory.stock import stock_card
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business
from core.tenancy.members import AcceptInvite, CreateInvite, accept_invite, create_invite
from core.tenancy.models import Member, Role

CONCURRENCY = 8
WARM_UP = 50
BLOCK = 100  # sales per block when service and raw alternate
COUNT_LINES = 5_000
OWNER_ID, CLERK_ID = 1000, 1002
DEADLOCK = "40P01"
CORE_DIR = Path(__file__).resolve().parent.parent / "core"

TARGETS = {  # (key, "<=" or ">=", SQLite bound, PostgreSQL bound)
    "ratio": (">=", 0.10, 0.20),
    "sale_p99_ms": ("<=", 25, 20),
    "concurrent_vs_single": (">=", 0.90, None),
    "concurrent_p99_ms": ("<=", 150, None),
    "stock_query_p99_ms": ("<=", 5, 5),
    "search_p99_max_ms": ("<=", 10, 10),
    "count_5000_s": ("<=", 3, None),
    "hot_oversells": ("<=", 0, 0),
    "hot_deadlocks": ("<=", 0, 0),
}


def ms(seconds: float) -> float:
    """Seconds to milliseconds, rounded for the report."""
    return round(seconds * 1000, 3)


def pct(values: list[float], p: int) -> float:
    """The p-th percentile (1-99), inclusive method."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- the database --------------------------------------------------------------------------


@dataclass
class Target:
    """The fresh database of this run and how to get rid of it."""

    url: str  # SQLAlchemy async URL
    engine: str
    sqlite_path: str | None = None
    admin_dsn: str | None = None
    pg_name: str | None = None
    temp_dir: str | None = None

    @property
    def dsn(self) -> str:
        """The plain asyncpg DSN of the PostgreSQL database."""
        url = make_url(self.url).set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    async def drop(self) -> None:
        """Removes the database (file or PostgreSQL database)."""
        if self.engine == "postgresql":
            assert self.admin_dsn is not None
            assert self.pg_name is not None
            conn = await asyncpg.connect(self.admin_dsn)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            finally:
                await conn.close()
        else:
            self._drop_sqlite()

    def _drop_sqlite(self) -> None:
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
        elif self.sqlite_path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(self.sqlite_path + suffix).unlink(missing_ok=True)


def sqlite_target(database_url: str | None) -> Target | None:
    """A new SQLite file: the URL's, or one in a temporary directory; None for PostgreSQL.

    Raises:
        SystemExit: the URL names an existing file or an in-memory database.
    """
    if database_url is None:
        temp_dir = tempfile.mkdtemp(prefix="jxcbench_")
        path = str(Path(temp_dir) / "bench.db")
        return Target(f"sqlite+aiosqlite:///{path}", "sqlite", path, temp_dir=temp_dir)
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    path = url.database or ""
    if not path or path == ":memory:" or Path(path).exists():
        raise SystemExit(f"--database-url must name a new SQLite file, not {path!r}")
    return Target(f"sqlite+aiosqlite:///{path}", "sqlite", path)


async def create_target(database_url: str | None) -> Target:
    """A fresh SQLite file (default: in a temporary directory) or PostgreSQL database.

    Raises:
        SystemExit: the URL names an existing SQLite file or a PostgreSQL database whose
            name does not start with ``jxcbench_``.
    """
    lite = sqlite_target(database_url)
    if lite is not None:
        return lite
    assert database_url is not None
    url = make_url(database_url)
    if url.get_backend_name() not in {"postgresql", "postgres"}:
        raise SystemExit(f"unsupported database URL {database_url!r}")
    name = url.database or ""
    if not name.startswith("jxcbench_") or not name.replace("_", "").isalnum():
        raise SystemExit("the PostgreSQL database name must start with jxcbench_")
    admin_dsn = ""
    for admin_db in ("postgres", "test"):
        admin_dsn = url.set(drivername="postgresql", database=admin_db).render_as_string(
            hide_password=False
        )
        try:
            conn = await asyncpg.connect(admin_dsn)
            break
        except asyncpg.InvalidCatalogNameError:
            continue
    else:
        raise SystemExit("no maintenance database (postgres or test) to connect to")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
        )
    finally:
        await conn.close()
    sa_url = url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    return Target(sa_url, "postgresql", admin_dsn=admin_dsn, pg_name=name)


# --- the shop ------------------------------------------------------------------------------


@dataclass
class Shop:
    """The business under test and who acts in it."""

    db: Database
    setup: Setup
    owner: Actor
    clerk: Actor
    loaded: Loaded = field(default_factory=Loaded)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    request_no: int = 0

    def request_id(self, prefix: str) -> str:
        """A fresh request id."""
        self.request_no += 1
        return f"{prefix}-{self.request_no}"

    def sale(self, *, hot: bool = False) -> Sale:
        """Two distinct random products, 1-3 units each (0.5-2.5 kg by weight)."""
        rng, loaded = self.rng, self.loaded
        if hot:
            warehouse = self.setup.warehouses[0]
            pool = loaded.hot
        else:
            weights = [
                share if len(loaded.stocked.get(w, ())) >= 2 else 0
                for w, share in zip(self.setup.warehouses, (0.6, 0.25, 0.15), strict=True)
            ]
            warehouse = rng.choices(self.setup.warehouses, weights)[0]
            pool = loaded.stocked[warehouse]
        lines = []
        for pid in rng.sample(pool, 2):
            if pid in loaded.by_weight:
                qty = Decimal(rng.randint(500, 2500)).scaleb(-3)
            else:
                qty = Decimal(rng.randint(1, 3))
            lines.append((pid, qty, loaded.sale_price[pid]))
        return Sale(warehouse, tuple(lines))

    def shipment(self, sale: Sale) -> PostShipment:
        """The service command of a sale."""
        return PostShipment(
            request_id=self.request_id("xs"),
            warehouse_id=sale.warehouse_id,
            customer_id=self.setup.customer_id,
            lines=tuple(
                ShipmentLine(product_id=pid, qty=qty, unit_price=price)
                for pid, qty, price in sale.lines
            ),
        )


async def open_shop(db: Database) -> Shop:
    """A business with an owner and a clerk, 3 warehouses, a supplier and a customer."""
    owner = Actor(user_id=OWNER_ID)
    business = await create_business(
        UnitOfWork(db), owner, CreateBusiness(request_id="bench-1", name="基准测试百货")
    )
    owner = Actor(user_id=OWNER_ID, business_id=business.business_id)
    invite = await create_invite(
        UnitOfWork(db), owner, CreateInvite(request_id="bench-2", role=Role.CLERK)
    )
    await accept_invite(UnitOfWork(db), Actor(user_id=CLERK_ID), AcceptInvite(token=invite.token))
    clerk = Actor(user_id=CLERK_ID, business_id=business.business_id)
    for n, name in enumerate(("二号仓", "三号仓"), start=3):
        await create_warehouse(
            UnitOfWork(db), owner, CreateWarehouse(request_id=f"bench-{n}", name=name)
        )
    warehouses = [w.warehouse_id for w in await list_warehouses(UnitOfWork(db), owner)]
    supplier = await create_supplier(
        UnitOfWork(db), owner, CreateSupplier(request_id="bench-5", name="义乌批发", terms_days=30)
    )
    customer = await create_customer(
        UnitOfWork(db), owner, CreateCustomer(request_id="bench-6", name="王老板", terms_days=15)
    )
    async with UnitOfWork(db).reading() as session:
        rows = await session.execute(
            select(Member.user_id, Member.id).where(Member.business_id == business.business_id)
        )
        members = dict(rows.all())
    setup = Setup(
        business_id=business.business_id,
        warehouses=(warehouses[0], warehouses[1], warehouses[2]),
        owner_member_id=members[OWNER_ID],
        clerk_member_id=members[CLERK_ID],
        supplier_id=supplier.party_id,
        customer_id=customer.party_id,
        timezone=business.timezone,
    )
    return Shop(db, setup, owner, clerk)


async def load(shop: Shop, target: Target, args: argparse.Namespace) -> None:
    """Bulk loads products and the ledger with the raw driver."""
    writer: Writer
    if target.engine == "sqlite":
        assert target.sqlite_path is not None
        writer = SqliteWriter(target.sqlite_path)
    else:
        writer = await PostgresWriter.connect(target.dsn)
    hot_qty = Decimal(max(20, hot_sales(args) // 5))
    loader = LedgerLoader(writer, shop.setup, random.Random(args.seed), hot_qty=hot_qty)
    try:
        progress(f"loading {args.products:,} products")
        await loader.load_products(args.products)
        progress(f"loading {args.moves:,} moves")
        await loader.load_ledger(args.moves)
        await loader.finish()
        if target.engine == "postgresql":
            for table in ("products", "barcodes", "documents", "document_lines", "stock_moves"):
                await writer.scalar(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
    finally:
        await writer.close()
    if target.engine == "postgresql":
        # what autovacuum does after a bulk load anyway; done now so it does not run mid-test
        progress("VACUUM ANALYZE")
        async with shop.db.engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    shop.loaded = loader.loaded


def hot_sales(args: argparse.Namespace) -> int:
    """How many sales race for the hot products."""
    return max(100, args.sales // 2)


# --- measurements --------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process (all threads: on SQLite that includes the engine's work)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Series:
    """Timings of a series of calls, possibly run in several blocks."""

    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def summary(self, prefix: str) -> dict[str, float]:
        """Throughput, percentiles and client CPU per call."""
        return {
            f"{prefix}_tx_per_s": round(self.calls / self.wall, 1),
            f"{prefix}_p50_ms": ms(pct(self.latencies, 50)),
            f"{prefix}_p99_ms": ms(pct(self.latencies, 99)),
            f"{prefix}_cpu_ms": ms(self.cpu / self.calls),
        }


async def timed(
    calls: int, make: Callable[[], Awaitable[Any]], series: Series | None = None
) -> Series:
    """Runs ``make()`` ``calls`` times, adding wall time, CPU and latencies to ``series``."""
    series = series if series is not None else Series()
    cpu = cpu_seconds()
    started = time.perf_counter()
    for _ in range(calls):
        begun = time.perf_counter()
        await make()
        series.latencies.append(time.perf_counter() - begun)
    series.wall += time.perf_counter() - started
    series.cpu += cpu_seconds() - cpu
    series.calls += calls
    return series


class RawDriver:
    """The raw baseline behind one async interface for both engines."""

    def __init__(self, lite: RawSqlite | None, pg: RawPostgres | None) -> None:
        self.lite = lite
        self.pg = pg

    @classmethod
    async def open(cls, target: Target, setup: Setup) -> "RawDriver":
        """Its own connection to the benchmark database."""
        if target.engine == "sqlite":
            assert target.sqlite_path is not None
            return cls(RawSqlite(target.sqlite_path, setup), None)
        return cls(None, await RawPostgres.connect(target.dsn, setup))

    async def post(self, sale: Sale, request_id: str) -> None:
        """One sale, one transaction."""
        if self.lite is not None:
            self.lite.post(sale, request_id)
        else:
            assert self.pg is not None
            await self.pg.post(sale, request_id)

    async def close(self) -> None:
        """Closes the connection."""
        if self.lite is not None:
            self.lite.close()
        if self.pg is not None:
            await self.pg.close()


async def single_writer(shop: Shop, target: Target, calls: int) -> tuple[Series, Series]:
    """Sequential 2-line sales through post_shipment and through the raw driver.

    The two run in alternating blocks of BLOCK sales, so that whatever else the machine is
    doing meanwhile weighs on both alike.
    """
    raw = await RawDriver.open(target, shop.setup)

    async def service_one() -> None:
        cmd = shop.shipment(shop.sale())
        await post_shipment(UnitOfWork(shop.db), shop.clerk, cmd)

    async def raw_one() -> None:
        await raw.post(shop.sale(), shop.request_id("raw"))

    service, baseline = Series(), Series()
    try:
        await timed(WARM_UP, service_one)
        await timed(WARM_UP, raw_one)
        for done in range(0, calls, BLOCK):
            block = min(BLOCK, calls - done)
            await timed(block, service_one, service)
            await timed(block, raw_one, baseline)
    finally:
        await raw.close()
    return service, baseline


@dataclass
class Race:
    """Outcomes of concurrent sales."""

    series: Series = field(default_factory=Series)
    posted: int = 0
    refused: int = 0
    deadlocks: int = 0
    errors: list[str] = field(default_factory=list)


def _sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None), error):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


async def concurrent_sales(shop: Shop, calls: int, *, hot: bool) -> Race:
    """``calls`` sales from CONCURRENCY tasks on one Database."""
    race = Race()
    shares = [
        calls // CONCURRENCY + (1 if n < calls % CONCURRENCY else 0) for n in range(CONCURRENCY)
    ]

    async def worker(share: int) -> None:
        for _ in range(share):
            cmd = shop.shipment(shop.sale(hot=hot))
            begun = time.perf_counter()
            try:
                await post_shipment(UnitOfWork(shop.db), shop.clerk, cmd)
                race.posted += 1
            except InsufficientStock:
                race.refused += 1
            except DBAPIError as error:
                if _sqlstate(error) == DEADLOCK:
                    race.deadlocks += 1
                else:
                    race.errors.append(f"{type(error).__name__}: {str(error)[:200]}")
            race.series.latencies.append(time.perf_counter() - begun)

    cpu = cpu_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(worker(share) for share in shares))
    race.series.wall = time.perf_counter() - started
    race.series.cpu = cpu_seconds() - cpu
    race.series.calls = calls
    return race


async def oversells(shop: Shop) -> int:
    """Hot (warehouse, product) pairs whose on hand was ever negative, in ledger order."""
    hot = shop.loaded.hot
    async with UnitOfWork(shop.db).reading() as session:
        moves = await session.execute(
            select(StockMove.warehouse_id, StockMove.product_id, StockMove.qty)
            .where(StockMove.product_id.in_(hot), StockMove.kind == MoveKind.GOODS)
            .order_by(StockMove.id)
        )
        running: dict[tuple[int | None, int], Decimal] = {}
        negative: set[tuple[int | None, int]] = set()
        for warehouse_id, product_id, qty in moves:
            key = (warehouse_id, product_id)
            running[key] = running.get(key, Decimal(0)) + qty
            if running[key] < 0:
                negative.add(key)
        balances = await session.execute(
            select(StockBalance.warehouse_id, StockBalance.product_id).where(
                StockBalance.product_id.in_(hot), StockBalance.on_hand < 0
            )
        )
        negative.update((warehouse_id, product_id) for warehouse_id, product_id in balances)
    return len(negative)


async def stock_queries(shop: Shop, calls: int) -> Series:
    """stock_card by a random SKU, as the owner."""
    skus = list(shop.loaded.skus.values())

    async def one() -> None:
        await stock_card(UnitOfWork(shop.db), shop.owner, sku=shop.rng.choice(skus))

    await timed(WARM_UP, one)
    return await timed(calls, one)


async def searches(shop: Shop, rounds: int) -> dict[str, Any]:
    """search_products per kind of term, interleaved, session open/close included."""
    terms: dict[str, list[tuple[str, str]]] = {k: list(v) for k, v in SEARCH_TERMS.items()}
    timings: dict[str, list[float]] = {kind: [] for kind in terms}
    timings["sku"], timings["barcode"] = [], []
    hits: dict[tuple[str, str], int] = {}
    skus = list(shop.loaded.skus.values())
    business_id = shop.setup.business_id
    uow = UnitOfWork(shop.db)
    cpu = 0.0
    for round_no in range(rounds + 5):  # the first rounds warm caches and plans
        if round_no == 5:
            cpu = cpu_seconds()
        plan = [(kind, term) for kind, pairs in terms.items() for _, term in pairs]
        plan.append(("sku", shop.rng.choice(skus)))
        if shop.loaded.barcodes:
            plan.append(("barcode", shop.rng.choice(shop.loaded.barcodes)))
        for kind, term in plan:
            begun = time.perf_counter()
            async with uow.reading() as session:
                found = await search_products(session, business_id, term)
            elapsed = time.perf_counter() - begun
            if round_no >= 5:
                timings[kind].append(elapsed)
                if kind not in {"sku", "barcode"}:
                    hits[(kind, term)] = len(found)
    cpu = cpu_seconds() - cpu
    p99 = {kind: ms(pct(values, 99)) for kind, values in timings.items() if values}
    return {
        "search_p99_ms": p99,
        "search_p50_ms": {kind: ms(pct(v, 50)) for kind, v in timings.items() if v},
        "search_p99_max_ms": max(p99.values()),
        "search_rounds": rounds,
        "search_cpu_ms": ms(cpu / sum(len(v) for v in timings.values())),
        "search_terms": {
            kind: [
                {"term": term, "class": label, "hits": hits.get((kind, term), 0)}
                for label, term in pairs
            ]
            for kind, pairs in terms.items()
        }
        | {"sku": "a random existing SKU", "barcode": "a random existing EAN-13"},
    }


async def stock_count(shop: Shop) -> dict[str, Any]:
    """One count of up to 5,000 products in the main warehouse; about half differ."""
    main = shop.setup.warehouses[0]
    ids = sorted(shop.loaded.skus)
    chosen = shop.rng.sample(ids, min(COUNT_LINES, len(ids)))
    async with UnitOfWork(shop.db).reading() as session:
        rows = await session.execute(
            select(StockBalance.product_id, StockBalance.on_hand).where(
                StockBalance.warehouse_id == main
            )
        )
        book = dict(rows.all())
    lines = []
    for n, pid in enumerate(chosen):
        counted = book.get(pid, Decimal(0))
        if n % 2:
            counted = max(Decimal(0), counted + shop.rng.choice((-3, -2, -1, 1, 2, 5)))
        lines.append(CountLine(product_id=pid, counted_qty=counted))
    cmd = PostStockCount(request_id=shop.request_id("pd"), warehouse_id=main, lines=tuple(lines))
    begun = time.perf_counter()
    result = await post_stock_count(UnitOfWork(shop.db), shop.clerk, cmd)
    elapsed = time.perf_counter() - begun
    return {
        "count_5000_s": round(elapsed, 3),
        "count_lines": len(lines),
        "count_differences": len(result.differences),
    }


def missed(result: dict[str, Any], engine: str) -> list[str]:
    """The targets this run missed."""
    out = []
    for key, (op, sqlite_bound, pg_bound) in TARGETS.items():
        bound = sqlite_bound if engine == "sqlite" else pg_bound
        value = result.get(key)
        if bound is None or value is None:
            continue
        ok = value >= bound if op == ">=" else value <= bound
        if not ok:
            out.append(f"{key} = {value} (target {op} {bound})")
    return out


def core_digest() -> str:
    """A fingerprint of core/ as it is now: others change it while benchmarks run."""
    digest = hashlib.sha256()
    for path in sorted(CORE_DIR.rglob("*.py")):
        digest.update(path.relative_to(CORE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


async def engine_version(db: Database) -> str:
    """The database server's version."""
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            return "SQLite " + str(await conn.scalar(text("SELECT sqlite_version()")))
        return str(await conn.scalar(text("SHOW server_version")))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Builds, loads, measures; returns the report."""
    target = await create_target(args.database_url)
    progress(f"database: {target.url}")
    db = open_database(target.url)
    result: dict[str, Any] = {
        "engine": target.engine,
        "cpu_count": os.cpu_count(),
        "core_digest": core_digest(),
    }
    try:
        await upgrade(db.engine)
        result["engine_version"] = await engine_version(db)
        shop = await open_shop(db)
        started = time.perf_counter()
        await load(shop, target, args)
        result["load_s"] = round(time.perf_counter() - started, 1)
        loaded = shop.loaded
        result |= {
            "products": loaded.products,
            "moves": loaded.moves,
            "documents": loaded.documents,
        }
        progress("ledger check after the load")
        report = await check_ledger(db)
        result["ledger_ok"] = report.ok
        if not report.ok:
            result["ledger_differences"] = [str(d) for d in report.differences[:10]]
        gc.collect()  # the loader's garbage is not the services' to pay for
        result["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
        await measure(shop, target, args, result)
        result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        progress("ledger check at the end")
        report = await check_ledger(db)
        result["ledger_ok_end"] = report.ok
        result["moves_end"] = report.moves
        if not report.ok:
            result["ledger_differences_end"] = [str(d) for d in report.differences[:10]]
        if "hot_oversells" in result:  # a hot product's figures not following its moves
            hot = set(shop.loaded.hot)
            result["hot_oversells"] += sum(d.product_id in hot for d in report.differences)
        result["targets_missed"] = missed(result, target.engine)
    finally:
        await db.dispose()
        if args.keep:
            progress(f"kept: {target.sqlite_path or target.url}")
        else:
            await target.drop()
    return result


async def measure(
    shop: Shop, target: Target, args: argparse.Namespace, result: dict[str, Any]
) -> None:
    """Every measurement, one after the other (never two at once)."""
    calls = args.sales
    result["sales"] = calls
    progress(f"single writer: service and raw, {WARM_UP} warm-up + {calls} each")
    service, baseline = await single_writer(shop, target, calls)
    single = service.summary("service")
    result["service_tx_per_s"] = single["service_tx_per_s"]
    result["sale_p50_ms"] = single["service_p50_ms"]
    result["sale_p99_ms"] = single["service_p99_ms"]
    result["sale_cpu_ms"] = single["service_cpu_ms"]
    result |= baseline.summary("raw")
    result["ratio"] = round(result["service_tx_per_s"] / result["raw_tx_per_s"], 3)

    progress(f"concurrent sales: {CONCURRENCY} tasks, {calls}")
    await concurrent_sales(shop, WARM_UP, hot=False)
    race = await concurrent_sales(shop, calls, hot=False)
    result |= race.series.summary("concurrent")
    result["concurrent_vs_single"] = round(
        result["concurrent_tx_per_s"] / result["service_tx_per_s"], 3
    )
    result["concurrent_errors"] = len(race.errors) + race.deadlocks + race.refused

    if len(shop.loaded.hot) == HOT_PRODUCTS:
        hot = hot_sales(args)
        progress(f"hot products: {CONCURRENCY} tasks, {hot} sales on {HOT_PRODUCTS} products")
        race = await concurrent_sales(shop, hot, hot=True)
        result |= {
            "hot_sales": hot,
            "hot_posted": race.posted,
            "hot_refused": race.refused,
            "hot_deadlocks": race.deadlocks,
            "hot_errors": race.errors[:5],
            "hot_oversells": await oversells(shop),
            "hot_tx_per_s": round(hot / race.series.wall, 1),
            "hot_p99_ms": ms(pct(race.series.latencies, 99)),
        }

    progress(f"stock queries: {WARM_UP} warm-up + {calls}")
    queries = await stock_queries(shop, calls)
    result["stock_query_p50_ms"] = ms(pct(queries.latencies, 50))
    result["stock_query_p99_ms"] = ms(pct(queries.latencies, 99))
    result["stock_query_cpu_ms"] = ms(queries.cpu / queries.calls)

    rounds = max(30, calls // 10)
    progress(f"searches: {rounds} rounds")
    result |= await searches(shop, rounds)

    progress(f"stock count of {min(COUNT_LINES, shop.loaded.products):,} lines")
    result |= await stock_count(shop)


def main() -> None:
    """Parses the flags, runs, prints the JSON report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=2_000, help="transactions per measurement")
    parser.add_argument("--database-url", help="a new SQLite file or a jxcbench_* PG database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    if args.products < 2 or args.moves < 1 or args.sales < 2:
        parser.error("need at least 2 products, 1 move and 2 sales")
    result = asyncio.run(run(args))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
