"""The baseline: the writes of a 2-line sale done with the raw driver, one transaction each.

Per sale: take the next XS number from ``sequences``, insert the document and its lines, lock
and read the lines' cost rows (PostgreSQL: ``FOR UPDATE`` in product-id order), take the stock
off the balances with a guarded ``on_hand >= qty`` update, insert the moves and write the cost
rows back. Values come from ``CostLedger`` as in the service, so the ledger stays consistent.
SQLite runs with the pragmas of core/db/engine.py and ``BEGIN IMMEDIATE``.
"""

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg

from benchmarks.core_load import CURRENCY, SQLITE_CODEC, Setup
from core.db.engine import SQLITE_PRAGMAS
from core.inventory.models import DocStatus, DocType, MoveKind
from core.inventory.valuation import CostLedger
from core.numbers import ZERO, mul_div, round_money


@dataclass(frozen=True)
class Sale:
    """A sale to post: a warehouse and (product id, qty, unit price) lines."""

    warehouse_id: int
    lines: tuple[tuple[int, Decimal, Decimal], ...]


class OutOfStock(Exception):
    """A guarded balance update found too little on hand (the transaction is rolled back)."""


def _today(zone: ZoneInfo) -> date:
    return datetime.now(zone).date()


def _amounts(sale: Sale) -> list[Decimal]:
    return [round_money(mul_div(qty, price), CURRENCY) for _, qty, price in sale.lines]


SEQ_SQL = (
    "UPDATE sequences SET last = last + 1 WHERE business_id = {} AND name = {} AND year = {} "
    "RETURNING last"
)
DOC_SQL = (
    "INSERT INTO documents (business_id, doc_type, number, status, request_id, warehouse_id, "
    "customer_id, currency, total, doc_date, note, created_by, posted_at) "
    "VALUES ({}) RETURNING id"
)
LINE_SQL = (
    "INSERT INTO document_lines (document_id, line_no, product_id, qty, unit_price, amount) "
    "VALUES ({})"
)
COST_SQL = (
    "SELECT product_id, on_hand, value, avg FROM product_costs WHERE product_id IN ({}, {}) "
    "ORDER BY product_id"
)
BALANCE_SQL = (
    "UPDATE stock_balances SET on_hand = on_hand - {} "
    "WHERE warehouse_id = {} AND product_id = {} AND on_hand >= {}"
)
MOVE_SQL = (
    "INSERT INTO stock_moves (business_id, document_id, line_no, product_id, warehouse_id, "
    "kind, qty, value, created_at) VALUES ({})"
)
COST_UPDATE_SQL = (
    "UPDATE product_costs SET on_hand = {}, value = {}, avg = {} WHERE product_id = {}"
)


def _marks(sql: str, style: str) -> str:
    count = sql.count("{}")
    marks = ["?"] * count if style == "qmark" else [f"${n}" for n in range(1, count + 1)]
    return sql.format(*marks)


def _values(n: int) -> str:
    return ", ".join(["{}"] * n)


class RawSqlite:
    """The sale's writes through stdlib sqlite3."""

    def __init__(self, path: str, setup: Setup) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        for pragma in SQLITE_PRAGMAS:
            self.conn.execute(pragma)
        self.setup = setup
        self.zone = ZoneInfo(setup.timezone)
        q = "qmark"
        self.seq = _marks(SEQ_SQL, q)
        self.doc = _marks(DOC_SQL.format(_values(13)), q)
        self.line = _marks(LINE_SQL.format(_values(6)), q)
        self.cost = _marks(COST_SQL, q)
        self.balance = _marks(BALANCE_SQL, q)
        self.move = _marks(MOVE_SQL.format(_values(9)), q)
        self.cost_update = _marks(COST_UPDATE_SQL, q)

    def post(self, sale: Sale, request_id: str) -> None:
        """Posts one sale in one transaction.

        Raises:
            OutOfStock: a balance had too little; nothing was written.
        """
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._write(sale, request_id)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _write(self, sale: Sale, request_id: str) -> None:
        c, s, conn = SQLITE_CODEC, self.setup, self.conn
        day = _today(self.zone)
        now = datetime.now(UTC).replace(tzinfo=None)
        amounts = _amounts(sale)
        (number,) = conn.execute(
            self.seq, (s.business_id, DocType.SHIPMENT.value, day.year)
        ).fetchone()
        (doc_id,) = conn.execute(
            self.doc,
            (
                s.business_id,
                DocType.SHIPMENT.value,
                f"XS-{day.year}-{number:05d}",
                DocStatus.POSTED.value,
                request_id,
                sale.warehouse_id,
                s.customer_id,
                CURRENCY,
                c.money(sum(amounts, ZERO)),
                c.day(day),
                "",
                s.clerk_member_id,
                c.ts(now),
            ),
        ).fetchone()
        conn.executemany(
            self.line,
            [
                (doc_id, n, pid, c.qty(qty), c.money(price), c.money(amount))
                for n, ((pid, qty, price), amount) in enumerate(
                    zip(sale.lines, amounts, strict=True), start=1
                )
            ],
        )
        line_ids = range(1, len(sale.lines) + 1)  # moves refer to lines by number
        ids = sorted(pid for pid, _, _ in sale.lines)
        ledgers = {
            pid: CostLedger(
                Decimal(on_hand).scaleb(-3),
                Decimal(value).scaleb(-4),
                Decimal(avg).scaleb(-8),
                CURRENCY,
            )
            for pid, on_hand, value, avg in conn.execute(self.cost, ids)
        }
        for pid, qty, _ in sale.lines:
            scaled = c.qty(qty)
            done = conn.execute(self.balance, (scaled, sale.warehouse_id, pid, scaled))
            if done.rowcount != 1:
                raise OutOfStock(pid)
        moves = []
        for line_id, (pid, qty, _) in zip(line_ids, sale.lines, strict=True):
            booked = ledgers[pid].issue(qty)
            moves.append(
                (
                    s.business_id,
                    doc_id,
                    line_id,
                    pid,
                    sale.warehouse_id,
                    MoveKind.GOODS.value,
                    c.qty(-qty),
                    c.money(booked.value),
                    c.ts(now),
                )
            )
        conn.executemany(self.move, moves)
        conn.executemany(
            self.cost_update,
            [
                (c.qty(led.on_hand), c.money(led.value), c.rate(led.last_avg), pid)
                for pid, led in sorted(ledgers.items())
            ],
        )

    def close(self) -> None:
        """Closes the connection."""
        self.conn.close()


class RawPostgres:
    """The sale's writes through asyncpg (prepared statements, FOR UPDATE in id order)."""

    def __init__(self, conn: asyncpg.Connection, setup: Setup) -> None:
        self.conn = conn
        self.setup = setup
        self.zone = ZoneInfo(setup.timezone)
        n = "numeric"
        self.seq = _marks(SEQ_SQL, n)
        self.doc = _marks(DOC_SQL.format(_values(13)), n)
        self.lines = _marks(
            LINE_SQL.replace("VALUES ({})", "VALUES ({}), ({})").format(_values(6), _values(6)),
            n,
        )
        self.cost = _marks(COST_SQL + " FOR UPDATE", n)
        self.balance = _marks(BALANCE_SQL, n)
        self.moves = _marks(
            MOVE_SQL.replace("VALUES ({})", "VALUES ({}), ({})").format(_values(9), _values(9)),
            n,
        )
        self.cost_update = _marks(COST_UPDATE_SQL, n)

    @classmethod
    async def connect(cls, dsn: str, setup: Setup) -> "RawPostgres":
        """Opens its own connection."""
        return cls(await asyncpg.connect(dsn), setup)

    async def post(self, sale: Sale, request_id: str) -> None:
        """Posts one 2-line sale in one transaction.

        Raises:
            OutOfStock: a balance had too little; nothing was written.
        """
        s, conn = self.setup, self.conn
        assert len(sale.lines) == 2  # the statements are written for two lines
        day = _today(self.zone)
        now = datetime.now(UTC).replace(tzinfo=None)
        amounts = _amounts(sale)
        async with conn.transaction():
            number = await conn.fetchval(self.seq, s.business_id, DocType.SHIPMENT.value, day.year)
            doc_id = await conn.fetchval(
                self.doc,
                s.business_id,
                DocType.SHIPMENT.value,
                f"XS-{day.year}-{number:05d}",
                DocStatus.POSTED.value,
                request_id,
                sale.warehouse_id,
                s.customer_id,
                CURRENCY,
                sum(amounts, ZERO),
                day,
                "",
                s.clerk_member_id,
                now,
            )
            args = []
            for n, ((pid, qty, price), amount) in enumerate(
                zip(sale.lines, amounts, strict=True), start=1
            ):
                args += [doc_id, n, pid, qty, price, amount]
            await conn.execute(self.lines, *args)
            line_ids = range(1, len(sale.lines) + 1)  # moves refer to lines by number
            ids = sorted(pid for pid, _, _ in sale.lines)
            ledgers = {
                r[0]: CostLedger(r[1], r[2], r[3], CURRENCY)
                for r in await conn.fetch(self.cost, *ids)
            }
            for pid, qty, _ in sale.lines:
                status = await conn.execute(self.balance, qty, sale.warehouse_id, pid, qty)
                if status != "UPDATE 1":
                    raise OutOfStock(pid)
            move_args = []
            for line_id, (pid, qty, _) in zip(line_ids, sale.lines, strict=True):
                booked = ledgers[pid].issue(qty)
                move_args += [
                    s.business_id,
                    doc_id,
                    line_id,
                    pid,
                    sale.warehouse_id,
                    MoveKind.GOODS.value,
                    -qty,
                    booked.value,
                    now,
                ]
            await conn.execute(self.moves, *move_args)
            await conn.executemany(
                self.cost_update,
                [
                    (led.on_hand, led.value, led.last_avg, pid)
                    for pid, led in sorted(ledgers.items())
                ],
            )

    async def close(self) -> None:
        """Closes the connection."""
        await self.conn.close()
