"""The outbox's own rules: queued once per key, leased by one worker, handed back on a stop."""

import json
from datetime import timedelta

from core.alerts.models import AlertKind
from core.alerts.outbox import enqueue, lease, mark_sent, release, retry_later
from core.db.base import utcnow
from core.db.engine import Database
from core.db.uow import UnitOfWork
from tests.support.shop import open_shop


async def queue(db: Database, n: int = 3) -> None:
    shop = await open_shop(db)
    async with UnitOfWork(db) as uow:
        for i in range(n):
            for _ in range(2):  # the same key twice: queued once
                await enqueue(
                    uow.session,
                    business_id=shop.business_id,
                    chat_id=100 + i,
                    kind=AlertKind.LOW_STOCK,
                    dedupe_key=f"k{i}",
                    payload=json.dumps({}),
                    locale="en",
                )
        await uow.commit()


async def test_a_key_is_queued_once_and_a_leased_row_is_not_leased_again(db: Database) -> None:
    await queue(db)
    now = utcnow()
    first = await lease(UnitOfWork(db), now=now, owner="a")
    assert len(first) == 3
    assert await lease(UnitOfWork(db), now=now, owner="b") == []
    later = now + timedelta(seconds=61)  # the lease ran out: another worker takes them
    assert len(await lease(UnitOfWork(db), now=later, owner="b")) == 3
    assert not await mark_sent(UnitOfWork(db), first[0].outbox_id, "a", later)  # lost it


async def test_a_stopping_worker_hands_its_rows_back(db: Database) -> None:
    await queue(db)
    now = utcnow()
    await lease(UnitOfWork(db), now=now, owner="a")
    assert await release(UnitOfWork(db), "a") == 3
    taken = await lease(UnitOfWork(db), now=now, owner="b")
    assert len(taken) == 3
    assert await mark_sent(UnitOfWork(db), taken[0].outbox_id, "b", now)


async def test_a_failed_row_waits_then_dies_after_many_tries(db: Database) -> None:
    await queue(db, 1)
    now = utcnow()
    (row,) = await lease(UnitOfWork(db), now=now, owner="a")
    await retry_later(UnitOfWork(db), row.outbox_id, "boom", None, now)
    assert await lease(UnitOfWork(db), now=now + timedelta(seconds=1), owner="a") == []
    again = await lease(UnitOfWork(db), now=now + timedelta(seconds=3), owner="a")
    assert [r.attempts for r in again] == [1]
    for _ in range(7):
        await retry_later(UnitOfWork(db), row.outbox_id, "boom", now, now)
    assert await lease(UnitOfWork(db), now=now + timedelta(days=1), owner="a") == []  # dead
