"""``jxc-bot run`` as a real process, long polling a local HTTP Bot API stand-in."""

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import select

from core.db.engine import open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.inventory.models import Document
from core.inventory.stock import stock_card
from tests.support.http_bot_api import Chatter, HttpBotApi
from tests.support.shop import Shop, open_shop

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAHprocessTESTprocessTESTprocess0001"
VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "DATABASE_URL",
    "TELEGRAM_API_BASE_URL",
    "JXC_LOG_LEVEL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "ADMIN_CHAT_ID",
)
OWNER = 1000
START_TIMEOUT = 60.0  # a cold start imports PTB, SQLAlchemy and migrates: slow on a busy box


@dataclass
class RunningBot:
    api: HttpBotApi
    process: subprocess.Popen[bytes]
    database: Path
    log: Path

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then the exit status (the test fails if it does not exit in time)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"no exit {timeout}s after SIGTERM:\n{self.stderr()}") from None


@contextmanager
def jxc_bot_run(tmp_path: Path, ready: str, **settings: str) -> Iterator[RunningBot]:
    """``jxc-bot run`` against the stand-in on a fresh SQLite file, until ``ready`` is called.

    Killed at the end if the test has not stopped it.
    """
    api = HttpBotApi(TOKEN).start()
    database = tmp_path / "jxc.db"
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "JXC_LOG_LEVEL": "INFO",
        "PYTHONPATH": str(REPO),
        **settings,
    }
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
    bot = RunningBot(api, process, database, log)
    try:
        api.wait_for(
            f"the bot to call {ready}",
            lambda: ready in api.methods() or process.poll() is not None,
            START_TIMEOUT,
        )
        assert process.poll() is None, f"jxc-bot run exited early:\n{bot.stderr()}"
        yield bot
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        api.stop()


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def seed_shop(database: Path, owner_id: int) -> Shop:
    """The test shop (products A001 and B002, two warehouses, a customer), before the bot runs."""

    async def seed() -> Shop:
        db = open_database(f"sqlite+aiosqlite:///{database}")
        try:
            await upgrade(db.engine)
            return await open_shop(db, owner_id=owner_id)
        finally:
            await db.dispose()

    return asyncio.run(seed())


def stock_and_documents(database: Path, shop: Shop) -> tuple[Decimal, list[str]]:
    async def read() -> tuple[Decimal, list[str]]:
        db = open_database(f"sqlite+aiosqlite:///{database}")
        try:
            card = await stock_card(UnitOfWork(db), shop.owner, sku="A001")
            async with db.reads() as session:
                types = await session.scalars(select(Document.doc_type).order_by(Document.id))
                return sum(
                    (lv.on_hand for lv in card.levels if lv.warehouse_id == shop.main), Decimal(0)
                ), list(types)
        finally:
            await db.dispose()

    return asyncio.run(read())


def test_the_bot_process_onboards_counts_from_a_file_sells_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    shop = seed_shop(tmp_path / "jxc.db", owner_id=OWNER)
    with jxc_bot_run(tmp_path, "getUpdates") as bot:
        api = bot.api
        started = api.methods()
        assert started.index("getMe") < started.index("getUpdates")
        menus = [r.params for r in api.requests if r.method == "setMyCommands"]
        assert {m.get("language_code") for m in menus} == {"zh", "en", None}
        assert all(r.path.startswith(f"/bot{TOKEN}/") for r in api.requests)  # none refused

        # a newcomer opens a business
        newcomer = Chatter(api, 4242, language="en", first_name="Wang")
        newcomer.send("/start", "What is it called?")
        newcomer.send("Process Test Shop", "which currency")
        opened = newcomer.press("CNY, Asia/Shanghai", "is open")
        assert "Process Test Shop</b> is open (CNY, Asia/Shanghai)" in "\n".join(opened)

        # the owner of the seeded shop counts A001 from a file the bot downloads
        owner = Chatter(api, OWNER, language="en")
        owner.send("/count", "in which warehouse?")
        owner.press("主仓库", "send a .txt or .csv file")
        counted = owner.send_file("count.txt", b"A001 12\n", "products counted so far")
        assert "A001 西湖龙井: 12 盒" in "\n".join(counted)
        [download] = [r for r in api.requests if r.method == "download"]
        assert download.path.startswith(f"/file/bot{TOKEN}/")
        assert any(r.method == "getFile" for r in api.requests)
        owner.press("Done", "Post the count?")
        owner.press("Post count", "posted in 主仓库")

        # ...and sells 3 of them, end to end
        owner.send("/sale", "Customer?")
        owner.press("王老板", "Ship from which warehouse?")
        owner.press("主仓库", "Which product?")
        owner.send("A001", "12 盒 available in 主仓库. How many?")
        owner.send("3", "Unit price")
        owner.press("Sale price 88.00", "Total: 264.00")
        summary = owner.press("Done", "Total: 264.00")
        assert "Customer: 王老板" in "\n".join(summary)
        posted = owner.press("Confirm", "posted. Total: 264.00")
        assert "✅ Sale <b>XS-" in "\n".join(posted)
        assert "↩ Undo" in owner.buttons()

        time_before_stop = time.monotonic()
        assert bot.stop() == 0
        assert time.monotonic() - time_before_stop < 30
        log = bot.stderr()
        assert "Traceback" not in log, log
        assert TOKEN.split(":")[1] not in log  # httpx's INFO lines (with URLs) stay quiet
        assert api.pending() == 0  # every update was confirmed to the server
        assert "refused" not in api.methods()

    assert rows(bot.database, "SELECT name FROM businesses ORDER BY id")[-1] == (
        "Process Test Shop",
    )
    on_hand, types = stock_and_documents(bot.database, shop)
    assert on_hand == Decimal(9)  # counted 12, sold 3
    assert types.count("PD") == 1 and types.count("XS") == 1


def test_with_a_webhook_url_the_process_serves_updates_carrying_its_generated_secret(
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    with jxc_bot_run(
        tmp_path, "setWebhook", WEBHOOK_URL=url, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port)
    ) as bot:
        [registered] = [r.params for r in bot.api.requests if r.method == "setWebhook"]
        secret = str(registered["secret_token"])
        assert registered["url"] == url
        assert "getUpdates" not in bot.api.methods()
        bot.api.wait_for("the secret in the log", lambda: secret in bot.stderr())  # told once
        # PTB registers the webhook first, then starts listening
        bot.api.wait_for("the webhook server to listen", lambda: listening(port))

        def post(user_id: int, headers: dict[str, str]) -> int:
            update = {
                "update_id": user_id,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private", "first_name": "W"},
                    "from": {"id": user_id, "is_bot": False, "first_name": "W"},
                    "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            return httpx.post(url, json=update, headers=headers, timeout=10).status_code

        assert post(77, {"X-Telegram-Bot-Api-Secret-Token": "guess"}) == 403
        assert post(78, {}) == 403
        assert post(79, {"X-Telegram-Bot-Api-Secret-Token": secret}) == 200
        [greeting] = bot.api.wait_for("the answer", lambda: Chatter(bot.api, 79).said(0))
        assert "What is it called?" in greeting
        assert not Chatter(bot.api, 77).said(0)
        assert not Chatter(bot.api, 78).said(0)

        assert bot.stop() == 0
        assert "Traceback" not in bot.stderr()
