"""The alert outbox: queued in the causing transaction, leased by a sender, marked once.

Workers lease due rows for a while (on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two workers
never take the same row); a worker that dies mid-send leaves its rows to be leased again when
the lease runs out. A row is marked sent once; a retry waits with backoff; a chat that blocked
the bot is marked unreachable, its rows dropped, and the owner told once.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.models import AlertKind, Outbox, OutboxStatus
from core.db.base import utcnow
from core.db.uow import UnitOfWork

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Delivery:
    """A leased outbox row: what to send, to whom, in which language."""

    outbox_id: int
    business_id: int
    chat_id: int
    kind: str
    payload: dict[str, Any]
    locale: str
    attempts: int


async def enqueue(
    session: AsyncSession,
    *,
    business_id: int,
    chat_id: int,
    kind: AlertKind,
    dedupe_key: str,
    payload: str,
    locale: str,
) -> int:
    """Queues a row unless one with this key exists (then 0): nothing is ever queued twice."""
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Outbox)
        .values(
            business_id=business_id,
            chat_id=chat_id,
            kind=kind.value,
            dedupe_key=dedupe_key,
            payload=payload,
            locale=locale,
            status=OutboxStatus.PENDING.value,
            attempts=0,
            next_attempt_at=utcnow(),
            last_error="",
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def lease(
    uow: UnitOfWork, *, now: datetime, owner: str, limit: int = 100, lease_for: float = 60
) -> list[Delivery]:
    """Takes up to ``limit`` due rows for ``lease_for`` seconds (oldest first)."""
    async with uow:
        session = uow.session
        due = (
            select(Outbox)
            .where(
                Outbox.status == OutboxStatus.PENDING.value,
                Outbox.next_attempt_at <= now,
                or_(Outbox.leased_until.is_(None), Outbox.leased_until < now),
            )
            .order_by(Outbox.id)
            .limit(limit)
        )
        if uow.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        rows = list(await session.scalars(due))
        until = now + timedelta(seconds=lease_for)
        for row in rows:
            row.leased_until, row.lease_owner = until, owner
        taken = [
            Delivery(
                r.id, r.business_id, r.chat_id, r.kind, json.loads(r.payload), r.locale, r.attempts
            )
            for r in rows
        ]
        await uow.commit()
        return taken


async def mark_sent(uow: UnitOfWork, outbox_id: int, owner: str, now: datetime) -> bool:
    """Marks a row sent if this worker still holds it (False: its lease was lost)."""
    async with uow:
        result = await uow.session.execute(
            update(Outbox)
            .where(
                Outbox.id == outbox_id,
                Outbox.lease_owner == owner,
                Outbox.status == OutboxStatus.PENDING.value,
            )
            .values(status=OutboxStatus.SENT.value, sent_at=now, leased_until=None)
        )
        await uow.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try: 2, 4, 8 … seconds, at most 10 minutes."""
    return timedelta(seconds=min(2**attempts, 600))


async def retry_later(
    uow: UnitOfWork, outbox_id: int, error: str, at: datetime | None, now: datetime
) -> None:
    """A failed send: tried again at ``at`` (RetryAfter) or after a backoff; dead after many."""
    async with uow:
        row = await uow.session.get_one(Outbox, outbox_id)
        row.attempts += 1
        row.last_error = error[:300]
        row.leased_until = None
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.DEAD.value
        else:
            row.next_attempt_at = at or now + backoff(row.attempts)
        await uow.commit()


async def release(uow: UnitOfWork, owner: str) -> int:
    """Hands back what a stopping worker still holds, so others need not wait for its lease."""
    async with uow:
        result = await uow.session.execute(
            update(Outbox)
            .where(Outbox.lease_owner == owner, Outbox.status == OutboxStatus.PENDING.value)
            .values(leased_until=None, lease_owner=None)
        )
        await uow.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def pending_count(uow: UnitOfWork) -> int:
    """Rows not yet sent (nor dead)."""
    async with uow.reading() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.status == OutboxStatus.PENDING.value)
        )
        return int(count or 0)
