"""The daily run of each business at its reminder time: money reminders and the digest.

Every business runs once per local date, claimed by a ``ScheduledRun`` row (unique per
business, kind and date), so several workers or a restart never run it twice; a run missed
while the bot was down is made up once (today's), never once per missed day. Settings are
read at each tick, so a changed reminder time or time zone applies without a restart.
"""

import json
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.alerts.digest import digest_figures
from core.alerts.models import AlertKind, PartySnooze, ScheduledRun
from core.alerts.money import overdue_customers, payables_due
from core.alerts.outbox import enqueue
from core.alerts.recipients import recipients
from core.db.uow import UnitOfWork
from core.tenancy.models import Business

DAILY = "daily"
REMINDER_TOP = 10  # overdue customers per day, the biggest first
PAYABLES_DAYS = 7


def reminder_clock(text: str) -> time:
    """The time an "HH:MM" setting says; a bad stored value falls back to 09:00."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        return time(9, 0)


def local_now(now: datetime, zone: str) -> datetime:
    """``now`` (UTC) in the business's time zone."""
    return now.astimezone(ZoneInfo(zone))


async def due_runs(uow: UnitOfWork, now: datetime) -> list[tuple[int, date]]:
    """(business, local date) of each business whose run for today is due and unclaimed.

    Due: its local time is at or past its reminder time.
    """
    async with uow.reading() as session:
        businesses = (
            await session.execute(select(Business.id, Business.timezone, Business.reminder_time))
        ).all()
        claimed = set(
            (
                await session.execute(
                    select(ScheduledRun.business_id, ScheduledRun.local_date).where(
                        ScheduledRun.kind == DAILY,
                        ScheduledRun.local_date >= (now - timedelta(days=1)).date(),
                    )
                )
            ).all()
        )
    due = []
    for business_id, zone, at in businesses:
        here = local_now(now, zone)
        if here.time() >= reminder_clock(at) and (business_id, here.date()) not in claimed:
            due.append((business_id, here.date()))
    return due


async def run_daily(uow: UnitOfWork, business_id: int, local_date: date) -> int:
    """Claims today's run and queues its reminders and digests (0 if it was claimed already)."""
    try:
        async with uow:
            session = uow.session
            session.add(ScheduledRun(business_id=business_id, kind=DAILY, local_date=local_date))
            await session.flush()
            queued = await _queue(uow, business_id, local_date)
            await uow.commit()
            return queued
    except IntegrityError:  # another worker claimed it first
        return 0


async def _queue(uow: UnitOfWork, business_id: int, today: date) -> int:
    session = uow.session
    business = await session.get_one(Business, business_id)
    snoozed = set(
        await session.scalars(
            select(PartySnooze.customer_id).where(
                PartySnooze.business_id == business_id, PartySnooze.until >= today
            )
        )
    )
    late = [
        c
        for c in await overdue_customers(session, business, today)
        if c.customer_id not in snoozed
    ]
    late = late[:REMINDER_TOP]
    payables = await payables_due(session, business, today, PAYABLES_DAYS)
    figures = await digest_figures(session, business, today)
    queued = 0
    for chat in await recipients(session, business_id, AlertKind.OVERDUE):
        for customer in late:
            queued += await enqueue(
                session,
                business_id=business_id,
                chat_id=chat.chat_id,
                kind=AlertKind.OVERDUE,
                dedupe_key=f"overdue:{business_id}:{today}:{customer.customer_id}:{chat.chat_id}",
                payload=json.dumps(asdict(customer), default=str),
                locale=chat.locale,
            )
        if payables:
            queued += await enqueue(
                session,
                business_id=business_id,
                chat_id=chat.chat_id,
                kind=AlertKind.PAYABLES,
                dedupe_key=f"payables:{business_id}:{today}:{chat.chat_id}",
                payload=json.dumps([asdict(p) for p in payables], default=str),
                locale=chat.locale,
            )
    for chat in await recipients(session, business_id, AlertKind.DIGEST):
        queued += await enqueue(
            session,
            business_id=business_id,
            chat_id=chat.chat_id,
            kind=AlertKind.DIGEST,
            dedupe_key=f"digest:{business_id}:{today}:{chat.chat_id}",
            payload=json.dumps(asdict(figures), default=str),
            locale=chat.locale,
        )
    return queued
