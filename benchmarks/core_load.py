"""Bulk loading of the benchmark's catalogue and ledger with the raw driver.

Products come with their search keys (``search_keys``), name pieces (``gram_rows``), barcodes
for some and a cost row; the ledger is receipts (CG) and shipments (XS) of one to eight lines,
each line one stock move, posted in time order over the past year. Every move's value comes
from ``CostLedger``, the arithmetic the services use, so balances and cost rows written at the
end are exactly what posting the same documents one by one would leave, and the ledger check
passes. Rows go in as multi-row INSERTs (``executemany`` on SQLite, ``VALUES`` lists of up
to a few thousand rows on PostgreSQL) in big transactions, never one service call per row.

Values are written as the column types store them (core/db/types.py): on SQLite quantities as
integer thousandths, money and prices as ten-thousandths, averages as 1e-8 units, timestamps
as SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff`` text; on PostgreSQL as NUMERIC and naive UTC.
"""

import random
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import asyncpg

from benchmarks.core_catalogue import ProductSpec, products
from core.catalog.search import gram_rows, search_keys
from core.db.engine import SQLITE_PRAGMAS
from core.inventory.models import DocStatus, DocType, MoveKind
from core.inventory.valuation import Booked, CostLedger
from core.numbers import ZERO, mul_div, round_money

Row = tuple[Any, ...]

CURRENCY = "CNY"
FLOOR = Decimal(100)  # a trading shipment never takes a balance below this
HOT_PRODUCTS = 10
MAX_LINES = 8
FLUSH_MOVES = 20_000
COMMIT_MOVES = 200_000

PRODUCT_COLS = (
    "id",
    "business_id",
    "sku",
    "sku_key",
    "name",
    "name_key",
    "pinyin_initials",
    "pinyin_full",
    "unit",
    "default_purchase_price",
    "default_sale_price",
    "reorder_point",
    "reorder_qty",
    "archived",
    "created_at",
)
DOC_COLS = (
    "id",
    "business_id",
    "doc_type",
    "number",
    "status",
    "request_id",
    "warehouse_id",
    "to_warehouse_id",
    "supplier_id",
    "customer_id",
    "currency",
    "total",
    "doc_date",
    "note",
    "created_by",
    "posted_at",
    "started_at",
    "voided_at",
    "voided_by",
    "void_request_id",
    "void_reason",
)
LINE_COLS = (
    "id",
    "document_id",
    "line_no",
    "product_id",
    "qty",
    "unit_price",
    "amount",
    "counted_qty",
    "book_qty",
)
MOVE_COLS = (
    "id",
    "business_id",
    "document_id",
    "line_no",
    "product_id",
    "warehouse_id",
    "kind",
    "qty",
    "value",
    "reverses_id",
    "created_at",
)


def progress(message: str) -> None:
    """A progress line on stderr (stdout carries only the JSON result)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Codec:
    """How values are handed to the driver for one engine."""

    qty: Callable[[Decimal], Any]
    money: Callable[[Decimal], Any]  # money and prices: four places
    rate: Callable[[Decimal], Any]
    ts: Callable[[datetime], Any]  # a naive UTC datetime
    day: Callable[[date], Any]
    flag: Callable[[bool], Any]


SQLITE_CODEC = Codec(
    qty=lambda d: int(d.scaleb(3)),
    money=lambda d: int(d.scaleb(4)),
    rate=lambda d: int(d.scaleb(8)),
    ts=lambda t: t.isoformat(sep=" ", timespec="microseconds"),
    day=lambda d: d.isoformat(),
    flag=int,
)
POSTGRES_CODEC = Codec(
    qty=lambda d: d,
    money=lambda d: d,
    rate=lambda d: d,
    ts=lambda t: t,
    day=lambda d: d,
    flag=bool,
)


class Writer(Protocol):
    """Raw bulk writes into one engine, inside an open transaction."""

    codec: Codec

    async def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """Inserts many rows."""

    async def scalar(self, sql: str, *args: Any) -> Any:
        """One value of a statement written with ``?`` placeholders."""

    async def commit(self) -> None:
        """Commits and opens the next transaction."""

    async def close(self) -> None:
        """Commits and closes the connection."""


class SqliteWriter:
    """stdlib sqlite3 with the pragmas of core/db/engine.py; executemany."""

    codec = SQLITE_CODEC

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            self.conn.execute(pragma)
        self.conn.execute("BEGIN IMMEDIATE")

    async def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        self.conn.executemany(sql, rows)

    async def scalar(self, sql: str, *args: Any) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return row[0] if row else None

    async def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN IMMEDIATE")

    async def close(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


def _numbered(sql: str) -> str:
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)) + parts[-1]


class PostgresWriter:
    """asyncpg with multi-row ``INSERT ... VALUES`` statements (no COPY)."""

    codec = POSTGRES_CODEC
    MAX_PARAMS = 30_000

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    @classmethod
    async def connect(cls, dsn: str) -> "PostgresWriter":
        """Connects and begins the first transaction."""
        writer = cls(await asyncpg.connect(dsn))
        await writer.conn.execute("BEGIN")
        return writer

    async def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        width = len(columns)
        per = max(1, min(2_000, self.MAX_PARAMS // width))
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            groups = (
                "(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")"
                for r in range(len(chunk))
            )
            await self.conn.execute(head + ", ".join(groups), *(v for row in chunk for v in row))

    async def scalar(self, sql: str, *args: Any) -> Any:
        return await self.conn.fetchval(_numbered(sql), *args)

    async def commit(self) -> None:
        await self.conn.execute("COMMIT")
        await self.conn.execute("BEGIN")

    async def close(self) -> None:
        await self.conn.execute("COMMIT")
        await self.conn.close()


@dataclass(frozen=True)
class Setup:
    """What the services created before the load."""

    business_id: int
    warehouses: tuple[int, int, int]  # the default one first
    owner_member_id: int
    clerk_member_id: int
    supplier_id: int
    customer_id: int
    timezone: str


@dataclass
class Loaded:
    """What the benchmark needs to know about the loaded data."""

    products: int = 0
    moves: int = 0
    documents: int = 0
    barcodes: list[str] = field(default_factory=list)
    skus: dict[int, str] = field(default_factory=dict)  # product id -> SKU
    sale_price: dict[int, Decimal] = field(default_factory=dict)
    by_weight: set[int] = field(default_factory=set)
    stocked: dict[int, list[int]] = field(default_factory=dict)  # warehouse -> products
    hot: list[int] = field(default_factory=list)  # products with little stock (race test)


def ean13(number: int) -> str:
    """An EAN-13 code with a valid check digit from 12 digits."""
    digits = f"{number:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _qty(rng: random.Random, low: int, high: int, by_weight: bool) -> Decimal:
    if by_weight:  # kilograms to the gram
        return Decimal(rng.randint(low * 1000, high * 1000)).scaleb(-3)
    return Decimal(rng.randint(low, high))


def _price(cost: Decimal, rng: random.Random) -> Decimal:
    return Decimal(round(float(cost) * rng.uniform(0.9, 1.1), 2)).quantize(Decimal("0.01"))


@dataclass
class _Pending:
    docs: list[Row] = field(default_factory=list)
    lines: list[Row] = field(default_factory=list)
    moves: list[Row] = field(default_factory=list)


class LedgerLoader:
    """Writes products and the documents, lines and moves of a year of trading."""

    def __init__(
        self, writer: Writer, setup: Setup, rng: random.Random, *, hot_qty: Decimal
    ) -> None:
        self.w = writer
        self.c = writer.codec
        self.setup = setup
        self.rng = rng
        self.hot_qty = hot_qty
        self.loaded = Loaded()
        self.ledgers: dict[int, CostLedger] = {}
        self.cost: dict[int, Decimal] = {}
        self.balances: dict[tuple[int, int], Decimal] = {}
        self.last_supplier: dict[int, tuple[int, Decimal]] = {}
        self.numbers: dict[tuple[str, int], int] = defaultdict(int)
        self.pending = _Pending()
        self.zone = ZoneInfo(setup.timezone)
        self.ids: dict[str, int] = {}
        self.unflushed_since_commit = 0

    async def _next_ids(self) -> None:
        for table in ("products", "barcodes", "documents", "document_lines", "stock_moves"):
            self.ids[table] = int(await self.w.scalar(f"SELECT coalesce(max(id), 0) FROM {table}"))

    def _take(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    async def load_products(self, count: int) -> None:
        """Products, their grams, barcodes for about 40 %; cost rows come at the end."""
        await self._next_ids()
        c, b = self.c, self.setup.business_id
        created = c.ts(datetime.now(UTC).replace(tzinfo=None) - timedelta(days=400))
        rows: list[Row] = []
        grams: list[Row] = []
        codes: list[Row] = []
        for n, spec in enumerate(products(count, self.rng), start=1):
            pid = self._take("products")
            sku = f"SP{n:06d}"
            keys = search_keys(sku, spec.name)
            sale = (spec.cost * Decimal("1.35")).quantize(Decimal("0.01"))
            rows.append(
                (
                    pid,
                    b,
                    sku,
                    keys.sku_key,
                    spec.name,
                    keys.name_key,
                    keys.pinyin_initials,
                    keys.pinyin_full,
                    spec.unit,
                    c.money(spec.cost),
                    c.money(sale),
                    None,
                    None,
                    c.flag(False),
                    created,
                )
            )
            grams.extend(
                (g["business_id"], g["gram"], g["product_id"])
                for g in gram_rows(b, pid, keys.name_key)
            )
            if self.rng.random() < 0.4:
                code = ean13(690_000_000_000 + pid)
                codes.append((self._take("barcodes"), b, pid, code))
                self.loaded.barcodes.append(code)
            self._remember(pid, sku, spec, sale)
            if len(rows) >= 10_000:
                await self._write_products(rows, grams, codes)
                rows, grams, codes = [], [], []
                progress(f"  products: {n:,}")
        await self._write_products(rows, grams, codes)
        await self.w.commit()
        self.loaded.products = count
        if count >= 10 * HOT_PRODUCTS:
            self.loaded.hot = sorted(self.skus_ids()[-HOT_PRODUCTS:])

    def skus_ids(self) -> list[int]:
        """Product ids in creation order."""
        return list(self.loaded.skus)

    def _remember(self, pid: int, sku: str, spec: ProductSpec, sale: Decimal) -> None:
        self.loaded.skus[pid] = sku
        self.loaded.sale_price[pid] = sale
        if spec.by_weight:
            self.loaded.by_weight.add(pid)
        self.cost[pid] = spec.cost
        self.ledgers[pid] = CostLedger(ZERO, ZERO, spec.cost, CURRENCY)

    async def _write_products(self, rows: list[Row], grams: list[Row], codes: list[Row]) -> None:
        await self.w.insert("products", PRODUCT_COLS, rows)
        await self.w.insert("product_grams", ("business_id", "gram", "product_id"), grams)
        await self.w.insert("barcodes", ("id", "business_id", "product_id", "code"), codes)

    # --- the ledger -------------------------------------------------------------------------

    def _document(
        self,
        doc_type: DocType,
        warehouse: int,
        lines: list[tuple[int, Decimal, Decimal]],
        when: datetime,
    ) -> None:
        c, setup = self.c, self.setup
        doc_id = self._take("documents")
        day = when.replace(tzinfo=UTC).astimezone(self.zone).date()
        self.numbers[(doc_type.value, day.year)] += 1
        number = f"{doc_type.value}-{day.year}-{self.numbers[(doc_type.value, day.year)]:05d}"
        receipt = doc_type == DocType.RECEIPT
        ts = c.ts(when)
        total = ZERO
        for line_no, (pid, qty, price) in enumerate(lines, start=1):
            line_id = self._take("document_lines")
            amount = round_money(mul_div(qty, price), CURRENCY)
            total += amount
            self.pending.lines.append(
                (
                    line_id,
                    doc_id,
                    line_no,
                    pid,
                    c.qty(qty),
                    c.money(price),
                    c.money(amount),
                    None,
                    None,
                )
            )
            ledger = self.ledgers[pid]
            key = (warehouse, pid)
            if receipt:
                self.last_supplier[pid] = (setup.supplier_id, price)
                booked = ledger.receive(qty, price)
                self.balances[key] = self.balances.get(key, ZERO) + qty
                signed = qty
            else:
                booked = ledger.issue(qty)
                self.balances[key] -= qty
                signed = -qty
            self._move(doc_id, line_no, pid, warehouse, signed, booked, ts)
        self.pending.docs.append(
            (
                doc_id,
                setup.business_id,
                doc_type.value,
                number,
                DocStatus.POSTED.value,
                f"load-{doc_id}",
                warehouse,
                None,
                setup.supplier_id if receipt else None,
                None if receipt or doc_id % 3 == 0 else setup.customer_id,
                CURRENCY,
                c.money(total),
                c.day(day),
                "",
                setup.owner_member_id if receipt else setup.clerk_member_id,
                ts,
                None,
                None,
                None,
                None,
                "",
            )
        )
        self.loaded.documents += 1

    def _move(
        self,
        doc_id: int,
        line_no: int,
        pid: int,
        warehouse: int,
        qty: Decimal,
        booked: Booked,
        ts: Any,
    ) -> None:
        c, b = self.c, self.setup.business_id
        self.pending.moves.append(
            (
                self._take("stock_moves"),
                b,
                doc_id,
                line_no,
                pid,
                warehouse,
                MoveKind.GOODS.value,
                c.qty(qty),
                c.money(booked.value),
                None,
                ts,
            )
        )
        if booked.variance:  # a re-pricing: a value-only move on the same document
            self.pending.moves.append(
                (
                    self._take("stock_moves"),
                    b,
                    doc_id,
                    line_no,
                    pid,
                    None,
                    MoveKind.VARIANCE.value,
                    c.qty(ZERO),
                    c.money(booked.variance),
                    None,
                    ts,
                )
            )

    async def _flush(self, *, force: bool = False) -> None:
        pending = self.pending
        if not pending.moves or (len(pending.moves) < FLUSH_MOVES and not force):
            return
        await self.w.insert("documents", DOC_COLS, pending.docs)
        await self.w.insert("document_lines", LINE_COLS, pending.lines)
        await self.w.insert("stock_moves", MOVE_COLS, pending.moves)
        self.loaded.moves += len(pending.moves)
        self.unflushed_since_commit += len(pending.moves)
        self.pending = _Pending()
        if self.unflushed_since_commit >= COMMIT_MOVES or force:
            await self.w.commit()
            self.unflushed_since_commit = 0
        progress(f"  moves: {self.loaded.moves:,}")

    async def load_ledger(self, moves: int) -> None:
        """Opening receipts for every stocked product, then a mix of receipts and sales."""
        rng, (main, second, third) = self.rng, self.setup.warehouses
        hot = set(self.loaded.hot)
        ids = [pid for pid in self.skus_ids() if pid not in hot]
        opening: list[tuple[int, int, Decimal]] = [
            (main, pid, self.hot_qty) for pid in sorted(hot)
        ]
        opening += [(main, pid, ZERO) for pid in ids]
        opening += [(second, pid, ZERO) for pid in ids[::2]]
        opening += [(third, pid, ZERO) for pid in ids[::4]]
        opening = opening[:moves]
        average_lines = (1 + MAX_LINES) / 2
        span = timedelta(days=365)
        now = datetime.now(UTC).replace(tzinfo=None)
        start = now - span
        step = span / max(1.0, moves / average_lines * 1.05)
        clock = start

        def tick() -> datetime:
            nonlocal clock
            clock = min(clock + step, now - timedelta(minutes=1))
            return clock

        stocked: dict[int, list[int]] = {main: [], second: [], third: []}
        position = 0
        while position < len(opening):  # receipts of 1-8 lines, one warehouse each
            size = rng.randint(1, MAX_LINES)
            chunk = []
            warehouse = opening[position][0]
            while position < len(opening) and len(chunk) < size:
                w, pid, qty = opening[position]
                if w != warehouse:
                    break
                if not qty:
                    qty = _qty(rng, 300, 3000, pid in self.loaded.by_weight)
                    stocked[w].append(pid)
                chunk.append((pid, qty, _price(self.cost[pid], rng)))
                position += 1
            self._document(DocType.RECEIPT, warehouse, chunk, tick())
            await self._flush()
        await self._trade(moves - len(opening), stocked, tick)
        await self._flush(force=True)
        self.loaded.stocked = stocked

    async def _trade(
        self, budget: int, stocked: dict[int, list[int]], tick: Callable[[], datetime]
    ) -> None:
        rng = self.rng
        choices = [w for w in stocked if stocked[w]]
        weights = [0.6, 0.25, 0.15][: len(choices)]
        while budget > 0 and choices:
            warehouse = rng.choices(choices, weights)[0]
            pool = stocked[warehouse]
            picked = rng.sample(pool, min(rng.randint(1, MAX_LINES), budget, len(pool)))
            lines: list[tuple[int, Decimal, Decimal]] = []
            if rng.random() < 0.65:  # a sale
                for pid in picked:
                    qty = _qty(rng, 1, 10, pid in self.loaded.by_weight)
                    if self.balances[(warehouse, pid)] - qty >= FLOOR:
                        lines.append((pid, qty, self.loaded.sale_price[pid]))
                doc_type = DocType.SHIPMENT
            else:  # restocking
                for pid in picked:
                    qty = _qty(rng, 50, 500, pid in self.loaded.by_weight)
                    lines.append((pid, qty, _price(self.cost[pid], rng)))
                doc_type = DocType.RECEIPT
            if not lines:
                continue
            self._document(doc_type, warehouse, lines, tick())
            budget -= len(lines)
            await self._flush()

    def _last_supplier(self, pid: int) -> tuple[int | None, Any]:
        """Who the product was last received from, and at what price, as stored."""
        if pid not in self.last_supplier:
            return (None, None)
        supplier, price = self.last_supplier[pid]
        return (supplier, self.c.money(price))

    async def finish(self) -> None:
        """Balances, cost rows and document number sequences consistent with the moves."""
        c, b = self.c, self.setup.business_id
        balances = [(w, p, b, c.qty(qty)) for (w, p), qty in sorted(self.balances.items())]
        await self.w.insert(
            "stock_balances", ("warehouse_id", "product_id", "business_id", "on_hand"), balances
        )
        costs = [
            (
                pid,
                b,
                c.qty(led.on_hand),
                c.money(led.value),
                c.rate(led.last_avg),
                *self._last_supplier(pid),
            )
            for pid, led in sorted(self.ledgers.items())
        ]
        await self.w.insert(
            "product_costs",
            (
                "product_id",
                "business_id",
                "on_hand",
                "value",
                "avg",
                "last_supplier_id",
                "last_purchase_price",
            ),
            costs,
        )
        sequences = [(b, name, year, last) for (name, year), last in sorted(self.numbers.items())]
        await self.w.insert("sequences", ("business_id", "name", "year", "last"), sequences)
        await self.w.commit()
