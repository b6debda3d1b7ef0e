"""Several workers on one PostgreSQL database: every outbox row sent exactly once, none lost.

On SQLite one process delivers (its writers take turns), so these run on PostgreSQL only.
"""

import asyncio
import json
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.context import BotResources
from bot.jobs.delivery import AlertSender
from bot.jobs.messages import AlertApp
from bot.jobs.pacing import Limits, Pacer
from bot.render.screen import Screen
from core.alerts.models import AlertKind, Outbox
from core.alerts.outbox import Delivery, enqueue, lease, mark_sent, pending_count
from core.db.base import utcnow
from core.db.engine import Database
from core.db.uow import UnitOfWork
from tests.support.shop import open_shop

ROWS = 1000
CHATS = 100


@pytest.fixture
def postgres(postgres_db: Database) -> Database:
    return postgres_db


async def queue_rows(db: Database) -> set[int]:
    """1,000 alerts to 100 chats, as postings would queue them; their ids."""
    shop = await open_shop(db)
    async with UnitOfWork(db) as uow:
        for n in range(ROWS):
            await enqueue(
                uow.session,
                business_id=shop.business_id,
                chat_id=1 + n % CHATS,
                kind=AlertKind.LOW_STOCK,
                dedupe_key=f"load:{n}",
                payload=json.dumps({"n": n}),
                locale="en",
            )
        await uow.commit()
    async with db.reads() as session:
        return set(await session.scalars(select(Outbox.id)))


async def test_two_lease_loops_send_each_of_1000_rows_exactly_once(postgres: Database) -> None:
    ids = await queue_rows(postgres)
    sent: list[tuple[str, int]] = []

    async def worker(owner: str) -> None:
        while batch := await lease(UnitOfWork(postgres), now=utcnow(), owner=owner, limit=25):
            for row in batch:
                sent.append((owner, row.outbox_id))  # the fake Telegram
                await asyncio.sleep(0)  # the other worker runs meanwhile
                assert await mark_sent(UnitOfWork(postgres), row.outbox_id, owner, utcnow())

    await asyncio.gather(worker("host-a:1:aaaa"), worker("host-b:2:bbbb"))

    times = Counter(outbox_id for _, outbox_id in sent)
    assert set(times) == ids and set(times.values()) == {1}
    assert {owner for owner, _ in sent} == {"host-a:1:aaaa", "host-b:2:bbbb"}  # both worked
    assert await pending_count(UnitOfWork(postgres)) == 0


class FakeBot:
    """Telegram as two senders see it: every message, with the chat it went to."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        await asyncio.sleep(0.001)  # a round trip, so the workers interleave
        self.sent.append((chat_id, text))


async def by_number(app: AlertApp, delivery: Delivery) -> Screen | None:
    del app
    return Screen(str(delivery.payload["n"]))


async def test_two_alert_senders_deliver_1000_rows_once_each(postgres: Database) -> None:
    await queue_rows(postgres)
    bot = FakeBot()
    app: Any = SimpleNamespace(bot=bot, bot_data=BotResources(db=postgres), running=True)
    fast = Limits(per_chat_per_second=1000, group_per_minute=10**6, global_per_second=10**6)
    senders = [
        AlertSender(Pacer(fast), owner=owner, renderers={"low_stock": by_number}, batch=50)
        for owner in ("host-a:1:aaaa", "host-b:2:bbbb")
    ]

    counts = await asyncio.gather(*(sender.run(app) for sender in senders))

    assert sum(counts) == ROWS and all(counts)
    numbers = Counter(int(text) for _, text in bot.sent)
    assert set(numbers) == set(range(ROWS)) and set(numbers.values()) == {1}
    assert {chat for chat, text in bot.sent if int(text) % CHATS == 0} == {1}
    async with postgres.reads() as session:
        grouped = await session.execute(
            select(Outbox.status, func.count()).group_by(Outbox.status)
        )
        statuses = dict(grouped.all())
    assert statuses == {"sent": ROWS}
