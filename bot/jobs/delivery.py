"""Delivers the alert outbox through the bot: leased, paced, each row sent once.

A repeating job (``alert-delivery``, every ``ALERT_TICK_SECONDS``) starts a run unless the
previous one is still going. A run leases due rows (core's ``lease``: another process may be
doing the same), sends them with one task per chat so a slow chat (a group: 20 a minute) does
not hold the others up, and keeps leasing while rows come due, until there is nothing left.

Once per row: ``mark_sent`` follows the send at once, and no send starts within
``LEASE_MARGIN`` of the end of the row's lease, after which another worker may take it. A row
that could not go in time stays leased and is taken again when its lease runs out. A timed-out
send is retried and may, rarely, arrive twice: Telegram has no idempotency key.
"""

import asyncio
import logging
import os
import socket
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Final

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning

from bot.context import BotContext
from bot.i18n import use_language
from bot.jobs.messages import RENDERERS, AlertApp, Renderer
from bot.jobs.pacing import Limits, Pacer
from bot.render.screen import Screen
from core.alerts.notices import mark_unreachable
from core.alerts.outbox import Delivery, lease, mark_sent, release, retry_later
from core.db.uow import UnitOfWork
from core.settings import Settings

logger = logging.getLogger(__name__)

JOB_NAME: Final = "alert-delivery"
BATCH: Final = 100  # chats in hand at a time, each sending its rows in order
LEASE_SECONDS: Final = 120.0  # a worker that died leaves its rows for this long
LEASE_MARGIN: Final = 30.0  # a send (AIORateLimiter retries included) ends before the lease
MARK_TRIES: Final = 3  # a failed mark_sent would let the row be sent again: try harder


def worker_id() -> str:
    """This process's name on the rows it leases: ``host:pid:random`` (at most 64 chars)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def limits_of(settings: Settings) -> Limits:
    """The pacing limits the operator set (Telegram's by default)."""
    return Limits(
        per_chat_per_second=settings.alert_per_chat_per_second,
        group_per_minute=settings.alert_group_per_minute,
        global_per_second=settings.alert_global_per_second,
    )


def retry_after_seconds(flood: RetryAfter) -> float:
    """RetryAfter's wait in seconds (its attribute warns while PTB moves it to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = flood.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


@dataclass
class _Run:
    """The rows one run has in hand: a queue and a sending task per chat."""

    queues: dict[int, deque[tuple[Delivery, datetime]]] = field(default_factory=dict)
    workers: dict[int, asyncio.Task[int]] = field(default_factory=dict)
    tasks: list[asyncio.Task[int]] = field(default_factory=list)

    def chats(self) -> int:
        """Chats with rows to send."""
        return sum(not task.done() for task in self.workers.values())

    def rows(self) -> int:
        """Rows waiting in a queue or being sent."""
        return sum(map(len, self.queues.values())) + self.chats()


class Outcome(Enum):
    """What became of one row in a run."""

    SENT = "sent"  # or nothing to send any more: marked sent either way
    LATER = "later"  # a retry is booked, or the row waits for its lease to run out
    GONE = "gone"  # the chat blocked the bot: core dropped its rows


@dataclass
class AlertSender:
    """One process's alert delivery: its worker id, its pacer, one run at a time."""

    pacer: Pacer = field(default_factory=Pacer)
    owner: str = field(default_factory=worker_id)
    renderers: Mapping[str, Renderer] = field(default_factory=lambda: RENDERERS)
    batch: int = BATCH
    lease_seconds: float = LEASE_SECONDS
    poll_seconds: float = 1.0  # while chats are still sending, new rows are looked for this often
    _running: bool = False

    async def run(self, app: AlertApp) -> int:
        """Sends what is due until nothing is; the number sent (0: a run was going already)."""
        if self._running:
            logger.debug("alert delivery still running; tick skipped")
            return 0
        self._running = True
        try:
            return await self._drain(app)
        finally:
            self._running = False

    async def _drain(self, app: AlertApp) -> int:
        run = _Run()
        try:
            while True:
                room = min(self.batch - run.chats(), self._most_rows() - run.rows())
                if app.running and room > 0 and await self._take(app, run, room) == room:
                    continue  # more may be due: fill up before waiting
                active = [task for task in run.workers.values() if not task.done()]
                if not active:
                    break
                await asyncio.wait(
                    active, timeout=self.poll_seconds, return_when="FIRST_COMPLETED"
                )
        finally:  # a failed lease (the database went away): the chats in hand finish first
            outcomes = await asyncio.gather(*run.tasks, return_exceptions=True)
        sent = 0
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                logger.error("alert delivery to a chat failed", exc_info=outcome)
            else:
                sent += outcome
        if sent:
            logger.info("alert delivery: %d sent by %s", sent, self.owner)
        return sent

    def _most_rows(self) -> int:
        """Rows in hand at most: what the pacer lets out in half a lease, at full speed."""
        return int(self.pacer.limits.global_per_second * (self.lease_seconds - LEASE_MARGIN) / 2)

    async def _take(self, app: AlertApp, run: _Run, room: int) -> int:
        """Leases up to ``room`` due rows into their chats' queues; how many were leased."""
        now = app.bot_data.clock()
        taken = await lease(
            UnitOfWork(app.bot_data.db),
            now=now,
            owner=self.owner,
            limit=room,
            lease_for=self.lease_seconds,
        )
        in_time = self.lease_seconds - LEASE_MARGIN
        deadline = now + timedelta(seconds=in_time)
        for item in taken:
            queue = run.queues.setdefault(item.chat_id, deque())
            if (len(queue) + 1) * self.pacer.interval(item.chat_id) > in_time:
                continue  # cannot go out in time (a busy group): taken again after the lease
            queue.append((item, deadline))
            worker = run.workers.get(item.chat_id)
            if worker is None or worker.done():
                run.workers[item.chat_id] = asyncio.create_task(self._chat(app, queue))
                run.tasks.append(run.workers[item.chat_id])
        return len(taken)

    async def _chat(self, app: AlertApp, queue: deque[tuple[Delivery, datetime]]) -> int:
        """Sends one chat's rows in order; ends when its queue is empty."""
        sent = 0
        while queue:
            item, deadline = queue.popleft()
            outcome = await self._deliver(app, item, deadline)
            sent += outcome is Outcome.SENT
            if outcome is Outcome.GONE:
                queue.clear()  # core dropped the chat's other rows: no more tries at it
        return sent

    async def _deliver(self, app: AlertApp, item: Delivery, deadline: datetime) -> Outcome:
        """Renders, paces, sends and marks one row."""
        try:
            screen = await self._render(app, item)
        except Exception as error:
            logger.exception("alert %d (%s) could not be rendered", item.outbox_id, item.kind)
            await self._retry(app, item, error, None)
            return Outcome.LATER
        if screen is not None:
            await self.pacer.wait(item.chat_id)
            if not app.running or app.bot_data.clock() >= deadline:
                return Outcome.LATER  # stopping, or the lease is nearly over: taken again after
            outcome = await self._send(app, item, screen)
            if outcome is not Outcome.SENT:
                return outcome
        await self._mark_sent(app, item)
        return Outcome.SENT

    async def _render(self, app: AlertApp, item: Delivery) -> Screen | None:
        renderer = self.renderers.get(item.kind)
        if renderer is None:
            raise LookupError(f"no renderer for alert kind {item.kind!r}")
        with use_language(item.locale):  # the recipient's language, not the last user's
            return await renderer(app, item)

    async def _send(self, app: AlertApp, item: Delivery, screen: Screen) -> Outcome:
        """Sends one message; on failure books what comes next (a retry, or the chat gone)."""
        try:
            await app.bot.send_message(item.chat_id, screen.text, reply_markup=screen.keyboard)
        except RetryAfter as flood:
            seconds = retry_after_seconds(flood)
            self.pacer.hold(item.chat_id, seconds)
            logger.info("alert %d: flood control, retry in %ss", item.outbox_id, seconds)
            await self._retry(app, item, flood, timedelta(seconds=seconds))
        except Forbidden as gone:  # blocked by the user, kicked from the group
            await self._unreachable(app, item, gone)
            return Outcome.GONE
        except BadRequest as bad:  # before NetworkError: BadRequest is one of them
            if "chat not found" in bad.message.lower():
                await self._unreachable(app, item, bad)
                return Outcome.GONE
            logger.exception("alert %d refused by Telegram", item.outbox_id)
            await self._retry(app, item, bad, None)
        except NetworkError as down:  # TimedOut too
            logger.warning("alert %d not sent: %s; retrying later", item.outbox_id, down)
            await self._retry(app, item, down, None)
        except Exception as error:
            logger.exception("alert %d could not be sent", item.outbox_id)
            await self._retry(app, item, error, None)
        else:
            return Outcome.SENT
        return Outcome.LATER

    async def _mark_sent(self, app: AlertApp, item: Delivery) -> None:
        for attempt in range(1, MARK_TRIES + 1):
            try:
                marked = await mark_sent(
                    UnitOfWork(app.bot_data.db), item.outbox_id, self.owner, app.bot_data.clock()
                )
            except Exception:
                if attempt == MARK_TRIES:
                    raise
                logger.warning("alert %d sent but not yet marked; trying again", item.outbox_id)
                await asyncio.sleep(attempt / 2)
                continue
            if not marked:
                logger.warning(
                    "alert %d sent after its lease was lost: another worker may send it too",
                    item.outbox_id,
                )
            return

    async def _retry(
        self, app: AlertApp, item: Delivery, error: BaseException, wait: timedelta | None
    ) -> None:
        now = app.bot_data.clock()
        at = None if wait is None else now + wait
        reason = f"{type(error).__name__}: {error}"
        await retry_later(UnitOfWork(app.bot_data.db), item.outbox_id, reason, at, now)

    async def _unreachable(self, app: AlertApp, item: Delivery, error: BaseException) -> None:
        reason = f"{type(error).__name__}: {error}"
        first = await mark_unreachable(
            UnitOfWork(app.bot_data.db), item.outbox_id, reason, app.bot_data.clock()
        )
        if first:
            logger.info(
                "chat %d of business %d is unreachable (%s): its alerts stopped",
                item.chat_id,
                item.business_id,
                reason,
            )


async def deliver_outbox(context: BotContext) -> None:
    """The repeating job: one delivery run (another process may be running its own)."""
    assert context.job is not None  # only ever called as a job
    sender: AlertSender = context.job.data  # type: ignore[assignment]
    try:
        await sender.run(context.application)
    except Exception:  # the database is away, say: logged, and the next tick tries again
        logger.exception("alert delivery run failed")


def _releaser(sender: AlertSender) -> Callable[[Any], Coroutine[Any, Any, None]]:
    async def release_leases(app: AlertApp) -> None:
        """At a clean stop: rows this process leased go back at once (not when leases end)."""
        try:
            released = await release(UnitOfWork(app.bot_data.db), sender.owner)
        except Exception:  # stopping anyway: the leases run out on their own
            logger.exception("could not release alert leases")
            return
        if released:
            logger.info("released %d alert(s) leased by %s", released, sender.owner)

    return release_leases


def schedule_delivery(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> AlertSender:
    """Registers the repeating delivery job on the application's JobQueue."""
    if application.job_queue is None:
        raise RuntimeError("alert delivery needs PTB's job-queue extra")
    sender = AlertSender(Pacer(limits_of(settings)))
    application.post_stop = _releaser(sender)
    application.job_queue.run_repeating(
        deliver_outbox,
        interval=settings.alert_tick_seconds,
        name=JOB_NAME,
        data=sender,
        job_kwargs={"max_instances": 2, "coalesce": True},  # run() skips; APScheduler warns
    )
    return sender
