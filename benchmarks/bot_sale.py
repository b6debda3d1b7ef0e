"""How fast does the bot itself serve the sale flow? One run, one JSON object on stdout.

    .venv/bin/python -m benchmarks.bot_sale                    # 5,000 updates, 8 users
    .venv/bin/python -m benchmarks.bot_sale --updates 2000 --users 4 --profile

A fresh SQLite database in a temporary directory is migrated and given a business (an owner, a
manager and clerks, one warehouse, 20 products with plenty of stock, a customer) through the
core services. The real Application (``build_application``) then talks to the offline Bot API
with its rate limiter off: AIORateLimiter would hold the bot to Telegram's limits (about 30
messages a second overall, one a second per chat) and this measures the bot's own cost.

Each simulated user does sale flows in a private chat: /sale → customer → product → quantity →
price → Done → Confirm. The script walks the flow from what the bot shows: it presses buttons
found by their labels in the newest message (never hand-made callback data) and types what the
message asks for; a screen it does not recognise stops the run. Users take turns, one update at
a time, each update delivered with ``Application.process_update`` (deserialising included) and
timed from delivery until the handler and the persistence write are done. A warm-up (not
measured) comes first. At the end the number of sales posted must equal the confirmations the
users saw, and the ledger check must pass.

Progress goes to stderr; ``--profile`` adds cProfile's top functions (cumulative) on stderr.
``cpu_ms_per_update`` is this process's CPU time (SQLite's work in the aiosqlite thread
included); ``loadavg_before``/``loadavg_after`` tell how busy the machine was.
"""

import argparse
import asyncio
import cProfile
import io
import itertools
import json
import os
import pstats
import random
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from telegram import Update

from bot.app import JxcApplication, build_application
from bot.offline import OfflineBotApi
from core.catalog.parties import CreateCustomer, create_customer
from core.catalog.products import CreateProduct, create_product
from core.catalog.warehouses import list_warehouses
from core.db.engine import Database, open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.inventory.check import check_ledger
from core.inventory.models import Document
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.settings import load_settings
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business
from core.tenancy.members import AcceptInvite, CreateInvite, accept_invite, create_invite
from core.tenancy.models import Role

TOKEN = "123456789:AAbenchmarkBENCHMARKbenchmark000001"
OWNER_ID = 7000
PRODUCTS = 20
STOCK_EACH = Decimal(1_000_000)
_ids = itertools.count(1)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def seed(db: Database, users: int) -> list[int]:
    """The business; returns the user ids of its selling members (owner, manager, clerks)."""
    owner = Actor(user_id=OWNER_ID)
    business = await create_business(
        UnitOfWork(db), owner, CreateBusiness(request_id="b1", name="Bench Shop", locale="en")
    )
    owner = Actor(user_id=OWNER_ID, business_id=business.business_id)
    sellers = [OWNER_ID]
    for n in range(1, users):
        role = Role.MANAGER if n == 1 else Role.CLERK
        invite = await create_invite(
            UnitOfWork(db), owner, CreateInvite(request_id=f"inv{n}", role=role)
        )
        await accept_invite(
            UnitOfWork(db), Actor(user_id=OWNER_ID + n), AcceptInvite(token=invite.token)
        )
        sellers.append(OWNER_ID + n)
    warehouse = (await list_warehouses(UnitOfWork(db), owner))[0].warehouse_id
    await create_customer(UnitOfWork(db), owner, CreateCustomer(request_id="c1", name="王老板"))
    lines = []
    for n in range(1, PRODUCTS + 1):
        product = await create_product(
            UnitOfWork(db),
            owner,
            CreateProduct(
                request_id=f"p{n}",
                sku=f"S{n:03d}",
                name=f"商品 {n}",
                unit="个",
                default_sale_price=Decimal(10 + n),
            ),
        )
        lines.append(
            ReceiptLine(product_id=product.product_id, qty=STOCK_EACH, unit_price=Decimal(5))
        )
    await post_receipt(
        UnitOfWork(db),
        owner,
        PostReceipt(request_id="r1", warehouse_id=warehouse, lines=tuple(lines)),
    )
    return sellers


@dataclass
class Seller:
    """One simulated user in a private chat, walking the sale flow from what the bot shows."""

    user_id: int
    api: OfflineBotApi
    rng: random.Random
    sales_confirmed: int = 0
    in_flow: bool = False
    latencies: list[tuple[str, float]] = field(default_factory=list)

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": "U", "language_code": "en"}

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": "U"}

    newest_id: int = 0

    def newest(self) -> dict[str, Any]:
        return self.api.messages.get((self.user_id, self.newest_id), {})

    def _message(self, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return {"update_id": next(_ids), "message": message}

    def _press(self, message: dict[str, Any], label: str) -> dict[str, Any]:
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if label in button["text"] and "callback_data" in button:
                    query = {
                        "id": str(next(_ids)),
                        "from": self.user,
                        "chat_instance": f"ci{self.user_id}",
                        "data": button["callback_data"],
                        "message": {**message, "chat": self.chat},
                    }
                    return {"update_id": next(_ids), "callback_query": query}
        raise SystemExit(f"benchmark: no button {label!r} in {message.get('text')!r}")

    def _first_button(self, message: dict[str, Any]) -> dict[str, Any]:
        first = message["reply_markup"]["inline_keyboard"][0][0]["text"]
        return self._press(message, first)

    def next_update(self) -> tuple[str, dict[str, Any]]:  # noqa: PLR0911 - one per screen
        """The next thing this user does (and its step), from the screen the bot shows now."""
        if not self.in_flow:
            self.in_flow = True
            return "start", self._message("/sale")
        message = self.newest()
        text = str(message.get("text", ""))
        buttons = [
            b["text"]
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        if any("Confirm" in b for b in buttons):
            self.in_flow = False
            self.sales_confirmed += 1
            return "confirm", self._press(message, "Confirm")
        if any("Done" in b for b in buttons) and "Added:" in text:
            return "done", self._press(message, "Done")
        if "Customer?" in text:
            return "customer", self._first_button(message)  # a recent one, or walk-in
        if "warehouse?" in text:
            return "warehouse", self._first_button(message)
        if "Which product?" in text:
            return "product", self._message(f"S{self.rng.randint(1, PRODUCTS):03d}")
        if "How many?" in text:
            return "qty", self._message(str(self.rng.randint(1, 5)))
        if "Unit price" in text:
            if self.rng.random() < 0.5 and any("price" in b for b in buttons):
                return "price", self._press(message, "price")  # the offered sale price
            return "price", self._message(f"{self.rng.randint(10, 99)}.50")
        raise SystemExit(f"benchmark: unexpected screen for user {self.user_id}: {text!r}")


async def start_bot(db: Database) -> tuple[JxcApplication, OfflineBotApi]:
    settings = load_settings(telegram_bot_token=TOKEN, database_url="sqlite+aiosqlite:///x.db")
    api = OfflineBotApi()
    application = build_application(settings, db, request=api, rate_limited=False)
    await application.initialize()
    await application.start()
    if application.post_init is not None:
        await application.post_init(application)
    return application, api


@dataclass
class StatementCounter:
    """SQL statements sent to the database, counted per step of the flow."""

    now: int = 0
    by_step: dict[str, list[int]] = field(default_factory=dict)

    def attach(self, db: Database) -> None:
        def count(*_: Any) -> None:
            self.now += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)

    def take(self, step: str) -> None:
        self.by_step.setdefault(step, []).append(self.now)
        self.now = 0

    def means(self) -> dict[str, float]:
        return {step: round(statistics.mean(n), 1) for step, n in self.by_step.items()}


async def drive(
    application: JxcApplication,
    sellers: list[Seller],
    updates: int,
    *,
    measured: bool,
    statements: StatementCounter,
) -> float:
    """Delivers ``updates`` updates, users taking turns; returns the wall time taken."""
    turn = itertools.cycle(sellers)
    started = time.perf_counter()
    for _ in range(updates):
        seller = next(turn)
        step, payload = seller.next_update()
        statements.now = 0
        before = time.perf_counter()
        await application.process_update(Update.de_json(payload, application.bot))
        if measured:
            seller.latencies.append((step, time.perf_counter() - before))
            statements.take(step)
    return time.perf_counter() - started


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (nearest rank), in ms rounded to 0.01."""
    ordered = sorted(values)
    return round(ordered[max(0, -(-len(ordered) * p // 100) - 1)], 2)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    db = open_database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    try:
        await upgrade(db.engine)
        user_ids = await seed(db, args.users)
        application, api = await start_bot(db)
        rng = random.Random(args.seed)
        sellers = [Seller(user_id, api, random.Random(rng.random())) for user_id in user_ids]
        by_chat = {seller.user_id: seller for seller in sellers}

        def heard(message: dict[str, Any], edited: bool) -> None:
            seller = by_chat.get(int(message["chat"]["id"]))
            if seller is not None and not edited:
                seller.newest_id = max(seller.newest_id, int(message["message_id"]))

        api.on_message = heard
        progress(f"warm-up: {args.warmup} updates")
        statements = StatementCounter()
        statements.attach(db)
        await drive(application, sellers, args.warmup, measured=False, statements=statements)
        confirmed_before = sum(s.sales_confirmed for s in sellers)
        load_before = os.getloadavg()
        progress(f"measuring: {args.updates} updates from {len(sellers)} users")
        profiler = cProfile.Profile() if args.profile else None
        cpu_before = cpu_seconds()
        if profiler is not None:
            profiler.enable()
        elapsed = await drive(
            application, sellers, args.updates, measured=True, statements=statements
        )
        if profiler is not None:
            profiler.disable()
        cpu = cpu_seconds() - cpu_before
        load_after = os.getloadavg()
        await application.stop()
        await application.shutdown()
        confirmed = sum(s.sales_confirmed for s in sellers)
        async with db.reads() as session:
            posted = int(
                await session.scalar(
                    select(func.count()).select_from(Document).where(Document.doc_type == "XS")
                )
                or 0
            )
        ledger = await check_ledger(db)
    finally:
        await db.dispose()
    # the last press of a flow is counted when sent; it was delivered, so it posted
    if posted != confirmed:
        raise SystemExit(f"benchmark: {confirmed} sales confirmed but {posted} posted")
    if not ledger.ok:
        raise SystemExit(f"benchmark: the ledger differs: {ledger.differences[:3]}")
    latencies = sorted(x * 1000 for s in sellers for _, x in s.latencies)
    steps: dict[str, list[float]] = {}
    for seller in sellers:
        for step, seconds in seller.latencies:
            steps.setdefault(step, []).append(seconds * 1000)
    if profiler is not None:
        report = io.StringIO()
        order = os.environ.get("BENCH_PROFILE_ORDER", "cumulative")  # or tottime
        pstats.Stats(profiler, stream=report).sort_stats(order).print_stats(40)
        progress(report.getvalue())
    return {
        "updates": args.updates,
        "users": len(sellers),
        "seconds": round(elapsed, 3),
        "updates_per_s": round(args.updates / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": percentile(latencies, 99),
        "max_ms": round(latencies[-1], 2),
        "cpu_ms_per_update": round(cpu * 1000 / args.updates, 2),
        "by_step": {
            step: {
                "n": len(ms),
                "p50_ms": percentile(ms, 50),
                "p99_ms": percentile(ms, 99),
                "sql_statements": statements.means()[step],
            }
            for step, ms in steps.items()
        },
        "sales_posted": posted,
        "sales_in_measured_part": confirmed - confirmed_before,
        "ledger_ok": ledger.ok,
        "profiled": bool(args.profile),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5_000, help="updates measured")
    parser.add_argument("--users", type=int, default=8, help="simulated users taking turns")
    parser.add_argument("--warmup", type=int, default=200, help="updates before measuring")
    parser.add_argument("--seed", type=int, default=4, help="random seed")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jxc-bot-bench-") as folder:
        print(json.dumps(asyncio.run(run(args, Path(folder))), ensure_ascii=False))


if __name__ == "__main__":
    main()
