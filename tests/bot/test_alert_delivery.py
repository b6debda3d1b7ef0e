"""Alert delivery through the bot: paced, retried, each outbox row sent exactly once.

The sender runs against the offline Bot API; ``fail_chat`` makes Telegram refuse a chat's
messages (flood control, blocked, network down). Time is the harness clock for the outbox and
a fake monotonic clock for the pacer, so nothing sleeps.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from telegram.error import TimedOut

from bot.app import build_application
from bot.context import BotResources
from bot.jobs.delivery import JOB_NAME, AlertSender
from bot.jobs.messages import RENDERERS, AlertApp, Renderer
from bot.jobs.pacing import Pacer
from bot.offline import BLOCKED, CHAT_NOT_FOUND, KICKED, NETWORK_DOWN, Failure, flood
from bot.render.screen import Screen
from core.alerts.models import Outbox, OutboxStatus, UnreachableChat
from core.alerts.outbox import Delivery, lease
from core.catalog.products import ChangeProduct, change_product
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.settings import load_settings
from core.tenancy.groups import BindGroup, bind_group
from core.tenancy.preferences import ChooseLanguage, choose_language
from tests.bot.harness import TOKEN, BotHarness
from tests.support.shop import Shop, open_shop

OWNER, MANAGER, GROUP = 1000, 1001, -100555


class InstantTime:
    """The pacer's monotonic clock: a sleep moves it on at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def plain_low_stock(app: AlertApp, delivery: Delivery) -> Screen | None:
    """Stands in for the low-stock renderer until bot/render/alerts.py registers its own."""
    del app
    return Screen(f"low stock: product {delivery.payload['product_id']}")


def sender(**renderers: Renderer) -> AlertSender:
    time = InstantTime()
    known: dict[str, Renderer] = {"low_stock": plain_low_stock, **RENDERERS, **renderers}
    return AlertSender(Pacer(clock=time, sleep=time.sleep), renderers=known)


async def deliver(harness: BotHarness, the_sender: AlertSender) -> int:
    """One delivery run at the harness clock (caught up with rows core queued just now)."""
    harness.clock.now = max(harness.clock.now, utcnow())
    assert harness.app is not None
    return await the_sender.run(harness.app)


async def low_shop(harness: BotHarness, *products: str) -> Shop:
    """A shop whose products (tea by default) just crossed their reorder point of 10."""
    shop = await open_shop(harness.db)
    for product in [getattr(shop, name) for name in products or ("tea",)]:
        await change_product(
            shop.uow(),
            shop.owner,
            ChangeProduct(product_id=product.product_id, reorder_point=Decimal(10)),
        )
        await shop.receive(product, "20", "5")
        await shop.sell(product, "15")
    return shop


def texts(harness: BotHarness, chat_id: int) -> list[str]:
    """What the chat received, in order."""
    return [str(m["text"]) for (c, _), m in sorted(harness.api.messages.items()) if c == chat_id]


def attempts(harness: BotHarness, chat_id: int) -> int:
    """Messages the bot tried to send to the chat (refused ones too)."""
    return sum(
        1
        for call in harness.api.calls
        if call.method == "sendMessage" and int(call.params["chat_id"]) == chat_id
    )


async def statuses(harness: BotHarness) -> dict[tuple[int, str], str]:
    async with harness.db.reads() as session:
        rows = await session.scalars(select(Outbox).order_by(Outbox.id))
        return {(row.chat_id, row.kind): row.status for row in rows}


async def test_a_low_stock_crossing_reaches_owner_and_manager_once(harness: BotHarness) -> None:
    await low_shop(harness)
    the_sender = sender()

    assert await deliver(harness, the_sender) == 2
    assert await deliver(harness, the_sender) == 0
    harness.clock.advance(minutes=10)  # long after any lease: still nothing again
    assert await deliver(harness, the_sender) == 0

    assert (len(texts(harness, OWNER)), len(texts(harness, MANAGER))) == (1, 1)
    assert set((await statuses(harness)).values()) == {OutboxStatus.SENT.value}


# PTB 22's RetryAfter warns about its own attribute while it is made, unless PTB_TIMEDELTA is on
@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")
@pytest.mark.parametrize("timedelta_env", ["false", "true"])
async def test_retry_after_is_honoured_then_the_alert_goes(
    harness: BotHarness, timedelta_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", timedelta_env)  # retry_after: int, or a timedelta
    await low_shop(harness)
    harness.api.fail_chat(OWNER, flood(30))
    the_sender = sender()

    assert await deliver(harness, the_sender) == 1  # the manager's
    harness.clock.advance(seconds=29)
    assert await deliver(harness, the_sender) == 0  # not before Telegram's time
    assert (attempts(harness, OWNER), texts(harness, OWNER)) == (1, [])
    harness.clock.advance(seconds=2)
    assert await deliver(harness, the_sender) == 1

    assert (attempts(harness, OWNER), len(texts(harness, OWNER))) == (2, 1)
    assert len(texts(harness, MANAGER)) == 1


@pytest.mark.parametrize("refusal", [BLOCKED, CHAT_NOT_FOUND], ids=["blocked", "not-found"])
async def test_a_chat_that_blocked_the_bot_is_dropped_and_the_owner_told_once(
    harness: BotHarness, refusal: Failure
) -> None:
    shop = await low_shop(harness, "tea", "cup")  # two alerts for each of them
    harness.api.fail_chat(MANAGER, refusal, times=None)
    the_sender = sender()

    await deliver(harness, the_sender)
    await deliver(harness, the_sender)  # the notice core queued during the first run
    await shop.receive(shop.tea, "20", "5")  # recovered, and crossing again
    await shop.sell(shop.tea, "20")
    await deliver(harness, the_sender)

    assert attempts(harness, MANAGER) == 1  # its second alert was dropped, not tried
    owner = texts(harness, OWNER)
    notices = [text for text in owner if "/start" in text]
    assert len(owner) == 4  # tea, cup, the notice, tea again
    assert len(notices) == 1 and str(MANAGER) in notices[0]
    async with harness.db.reads() as session:
        gone = await session.scalars(select(UnreachableChat.chat_id))
        assert list(gone) == [MANAGER]


async def test_a_group_that_removed_the_bot_is_reported_with_how_to_bind_it_again(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=GROUP))
    harness.api.fail_chat(GROUP, KICKED, times=None)
    await change_product(
        shop.uow(), shop.owner, ChangeProduct(product_id=shop.tea.product_id, reorder_point=10)
    )
    await shop.receive(shop.tea, "20", "5")
    await shop.sell(shop.tea, "15")
    the_sender = sender()

    await deliver(harness, the_sender)
    await deliver(harness, the_sender)

    assert attempts(harness, GROUP) == 1
    [notice] = [text for text in texts(harness, OWNER) if "/bind" in text]
    assert "茶叶店" in notice  # the group is named after its business
    assert [text for text in texts(harness, MANAGER) if "/bind" in text] == []  # owners only


@pytest.mark.parametrize(
    "outage",
    [NETWORK_DOWN, Failure(0, "read timed out", raises=TimedOut)],
    ids=["network", "timeout"],
)
async def test_a_network_error_is_retried_with_backoff_then_succeeds(
    harness: BotHarness, outage: Failure
) -> None:
    await low_shop(harness)
    harness.api.fail_chat(OWNER, outage)
    the_sender = sender()

    assert await deliver(harness, the_sender) == 1
    assert await deliver(harness, the_sender) == 0  # backing off
    harness.clock.advance(seconds=3)
    assert await deliver(harness, the_sender) == 1

    assert (attempts(harness, OWNER), len(texts(harness, OWNER))) == (2, 1)
    async with harness.db.reads() as session:
        row = await session.scalar(select(Outbox).where(Outbox.chat_id == OWNER))
    assert row is not None and row.attempts == 1
    assert row.last_error.startswith(outage.raises.__name__)


async def test_undelivered_rows_go_once_after_a_restart(harness: BotHarness) -> None:
    await low_shop(harness)
    harness.api.fail_chat(OWNER, NETWORK_DOWN)
    assert await deliver(harness, sender()) == 1  # the manager's; the owner's waits

    await harness.restart()  # a new process on the same database
    harness.clock.advance(seconds=3)
    the_sender = sender()
    assert await deliver(harness, the_sender) == 1
    assert await deliver(harness, the_sender) == 0

    assert (len(texts(harness, OWNER)), len(texts(harness, MANAGER))) == (1, 1)


async def test_rows_of_a_worker_that_died_are_taken_over_when_its_lease_ends(
    harness: BotHarness,
) -> None:
    await low_shop(harness)
    harness.clock.now = utcnow()
    died = await lease(UnitOfWork(harness.db), now=harness.clock(), owner="dead:1:x", lease_for=60)
    assert len(died) == 2
    the_sender = sender()

    assert await deliver(harness, the_sender) == 0  # still theirs
    harness.clock.advance(seconds=61)
    assert await deliver(harness, the_sender) == 2
    assert await deliver(harness, the_sender) == 0
    assert (len(texts(harness, OWNER)), len(texts(harness, MANAGER))) == (1, 1)


async def test_a_lease_lost_mid_send_is_logged(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await low_shop(harness)

    async def taken_over_while_rendering(app: AlertApp, delivery: Delivery) -> Screen | None:
        async with UnitOfWork(harness.db) as uow:  # another worker took the row meanwhile
            await uow.session.execute(
                update(Outbox)
                .where(Outbox.id == delivery.outbox_id)
                .values(lease_owner="other:2:y")
            )
            await uow.commit()
        return await plain_low_stock(app, delivery)

    with caplog.at_level(logging.WARNING, logger="bot.jobs.delivery"):
        await deliver(harness, sender(low_stock=taken_over_while_rendering))

    assert len(texts(harness, OWNER)) == 1
    assert sum("lease was lost" in r.getMessage() for r in caplog.records) == 2


async def test_nothing_to_say_any_more_marks_the_row_sent_without_a_message(
    harness: BotHarness,
) -> None:
    await low_shop(harness)

    async def nothing(app: AlertApp, delivery: Delivery) -> Screen | None:
        del app, delivery
        return None  # the alert went stale, say: nothing to send

    assert await deliver(harness, sender(low_stock=nothing)) == 2
    assert texts(harness, OWNER) == []
    assert set((await statuses(harness)).values()) == {OutboxStatus.SENT.value}


@pytest.mark.parametrize(
    ("locale", "notice"),
    [
        (
            "en",
            "⚠️ 1001 blocked the bot (or left): they no longer get alerts. They can open the bot "
            "and send /start to get them again.",
        ),
        (
            "zh-CN",
            "⚠️ 1001 已屏蔽机器人（或已离开）：不会再收到提醒。"
            "对方打开机器人发送 /start 即可重新接收。",
        ),
    ],
    ids=["en", "zh-CN"],
)
async def test_the_owner_is_told_in_the_owners_language(
    harness: BotHarness, locale: str, notice: str
) -> None:
    await choose_language(UnitOfWork(harness.db), ChooseLanguage(user_id=OWNER, locale=locale))
    await low_shop(harness)
    harness.api.fail_chat(MANAGER, BLOCKED, times=None)
    the_sender = sender()

    await deliver(harness, the_sender)
    await deliver(harness, the_sender)

    assert texts(harness, OWNER)[1:] == [notice]


async def test_only_jxc_bot_run_delivers_and_its_job_sends_on_its_own(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "low_stock" not in RENDERERS:
        monkeypatch.setitem(RENDERERS, "low_stock", plain_low_stock)
    assert harness.app is not None and harness.app.job_queue is not None
    assert harness.app.job_queue.get_jobs_by_name(JOB_NAME) == ()  # tests, the console
    await harness.stop()
    await low_shop(harness)
    settings = load_settings(
        telegram_bot_token=TOKEN,
        database_url="sqlite+aiosqlite:///unused.db",
        alert_tick_seconds=0.05,
    )
    app = build_application(
        settings,
        harness.db,
        request=harness.api,
        rate_limited=True,
        resources=BotResources(db=harness.db),
        deliver_alerts=True,
    )
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name(JOB_NAME)
    await app.initialize()
    await app.start()
    try:
        await wait_for(lambda: len(texts(harness, OWNER)) + len(texts(harness, MANAGER)) == 2)
    finally:
        await app.stop()
        await app.shutdown()
    assert job.job.trigger.interval == timedelta(seconds=0.05)


async def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not in time")
