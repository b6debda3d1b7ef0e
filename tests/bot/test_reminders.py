"""The daily run through the bot: queued at the business's time, delivered, its buttons work."""

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.context import BotContext
from bot.i18n import use_language
from bot.jobs.daily import INTERVAL_SECONDS, JOB_NAME, queue_daily_runs, register_daily
from bot.jobs.delivery import AlertSender
from bot.jobs.pacing import Limits, Pacer
from bot.render.reminders import digest_of, digest_screen, overdue_of, overdue_reminder
from core.alerts.daily import DAILY
from core.alerts.models import Outbox, OutboxStatus, ScheduledRun
from core.catalog.editing import ChangeParty, change_party
from core.catalog.products import ChangeProduct, change_product
from core.db.uow import UnitOfWork
from core.finance.models import PartyKind
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.bot.harness import BotHarness, Person, joined
from tests.support.money import credit_receipt, credit_sale
from tests.support.shop import Shop, open_shop

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAST = Limits(per_chat_per_second=1000, group_per_minute=60_000, global_per_second=100_000)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def shanghai_today() -> date:
    """Documents are dated by the business's real local date."""
    return datetime.now(SHANGHAI).date()


def nine_tomorrow() -> datetime:
    """09:00 tomorrow in Shanghai: today's documents are then "yesterday"."""
    return datetime.combine(shanghai_today() + timedelta(days=1), time(9), SHANGHAI).astimezone(
        UTC
    )


async def tick(harness: BotHarness) -> int:
    """One tick of the daily job, by the harness clock; the rows it queued."""
    assert harness.app is not None
    return await queue_daily_runs(BotContext(harness.app))


async def deliver(harness: BotHarness) -> int:
    """One run of the delivery job (unpaced)."""
    assert harness.app is not None
    return await AlertSender(Pacer(FAST)).run(harness.app)


async def outbox(harness: BotHarness, kind: str) -> list[Outbox]:
    async with harness.db.reads() as session:
        return list(
            await session.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))
        )


async def runs(harness: BotHarness) -> list[date]:
    async with harness.db.reads() as session:
        found = await session.scalars(
            select(ScheduledRun.local_date)
            .where(ScheduledRun.kind == DAILY)
            .order_by(ScheduledRun.local_date)
        )
        return list(found)


async def in_english(person: Person) -> Person:
    """The person chooses English (kept for them: their alerts come in English)."""
    await person.send("/language")
    await person.press("English")
    return person


async def late_customer(harness: BotHarness, owner_id: int) -> tuple[Shop, str]:
    """王老板 owes 30.00 since 20 days ago (due 5 days ago); a clerk sold 20.00 today."""
    shop = await open_shop(harness.db, owner_id=owner_id)
    await shop.receive(shop.tea, "100", "5")
    await change_product(
        shop.uow(), shop.owner, ChangeProduct(product_id=shop.tea.product_id, reorder_point=110)
    )
    late = await credit_sale(shop, "3", "10", doc_date=shanghai_today() - timedelta(days=20))
    await credit_sale(shop, "2", "10", actor=shop.clerk)
    return shop, late.number


async def test_the_overdue_reminder_reaches_the_owner_in_chinese_and_the_manager_in_english(
    harness: BotHarness,
) -> None:
    shop, number = await late_customer(harness, 9000)
    owner = harness.person(9000, language="zh-hans")
    manager = await in_english(harness.person(9001))
    harness.clock.now = nine_tomorrow()

    assert await tick(harness) > 0
    assert await deliver(harness) >= 4  # a reminder and a digest each

    mine = [m for m in owner.messages() if "⏰" in m.get("text", "")]
    assert [m["text"] for m in mine] == [
        f"⏰ <b>王老板</b> 欠款 30.00 CNY，已逾期 6 天（最早 {number}）"
    ]
    assert owner.buttons(mine[0]) == ["💰 记收款", "📄 发送对账单", "😴 3 天内不再提醒"]
    theirs = [m for m in manager.messages() if "⏰" in m.get("text", "")]
    assert [m["text"] for m in theirs] == [
        f"⏰ <b>王老板</b> owes 30.00 CNY, 6 days overdue (oldest {number})"
    ]
    assert manager.buttons(theirs[0]) == [
        "💰 Record payment",
        "📄 Send statement",
        "😴 Snooze 3 days",
    ]
    assert all(row.status == OutboxStatus.SENT for row in await outbox(harness, "overdue"))
    assert {row.business_id for row in await outbox(harness, "overdue")} == {shop.business_id}


async def test_snoozing_leaves_the_customer_out_of_the_next_days_reminder(
    harness: BotHarness,
) -> None:
    await late_customer(harness, 9010)
    owner = harness.person(9010, language="zh-hans")
    harness.clock.now = nine_tomorrow()
    await tick(harness)
    await deliver(harness)
    until = (harness.clock.now.astimezone(SHANGHAI) + timedelta(days=3)).date()

    assert joined(await owner.press("不再提醒")) == f"已暂停提醒，直到 {until.isoformat()}"

    harness.clock.advance(days=1)
    assert await tick(harness) > 0  # the digests
    assert len(await outbox(harness, "overdue")) == 2  # yesterday's two, none today
    assert len(await outbox(harness, "digest")) == 4


async def test_send_statement_sends_this_months_statement(harness: BotHarness) -> None:
    await late_customer(harness, 9020)
    manager = await in_english(harness.person(9021))
    harness.clock.now = nine_tomorrow()
    await tick(harness)
    await deliver(harness)

    sent = joined(await manager.press("Send statement"))

    assert "<b>Statement · 王老板</b>" in sent
    assert "Closing balance: <b>50.00</b>" in sent
    assert manager.last_text() == sent  # a new message, to forward; the reminder stays


async def test_record_payment_opens_the_payment_flow_at_the_amount(harness: BotHarness) -> None:
    await late_customer(harness, 9030)
    manager = await in_english(harness.person(9031))
    harness.clock.now = nine_tomorrow()
    await tick(harness)
    await deliver(harness)

    asked = joined(await manager.press("Record payment"))

    assert "王老板" in asked
    assert "How much was received, in CNY?" in asked
    assert "All: 50.00" in manager.buttons()


async def test_the_digest_tells_the_owner_about_yesterday(harness: BotHarness) -> None:
    shop, _ = await late_customer(harness, 9040)
    owner = harness.person(9040, language="zh-hans")
    manager = await in_english(harness.person(9041))
    harness.clock.now = nine_tomorrow()
    await tick(harness)
    await deliver(harness)

    yesterday = shanghai_today().isoformat()
    digest = next(m for m in owner.messages() if "每日简报" in m.get("text", ""))
    text = digest["text"]
    assert f"📊 <b>每日简报 · {yesterday}</b>（昨天）" in text
    assert "销售单：1 张 · 合计 20.00 CNY" in text
    assert "毛利：10.00 CNY" in text  # 20.00 less 2 × 5.00
    assert "各成员单据数：" in text
    assert f"{shop.clerk.user_id} 1" in text
    assert "低于或等于安全库存的商品：1 个" in text
    assert "逾期应收：30.00 CNY" in text
    assert "本周到期应付：0.00 CNY" in text
    assert owner.buttons(digest) == ["📦 该补货了（/reorder）", "📋 应收账款（/owed）"]
    english = next(m for m in manager.messages() if "Daily digest" in m.get("text", ""))
    assert "Gross profit: 10.00 CNY" in english["text"]
    assert "Products at or below reorder point: 1" in english["text"]


async def test_payables_due_this_week_are_listed_with_a_button_to_owe(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=9100)
    await change_party(
        shop.uow(),
        shop.owner,
        ChangeParty(kind=PartyKind.SUPPLIER, party_id=shop.supplier_id, terms_days=3),
    )
    await credit_receipt(shop, "10", "6")  # 60.00, due in 3 days
    manager = await in_english(harness.person(9101))
    harness.clock.now = nine_tomorrow()
    await tick(harness)
    await deliver(harness)

    due = (shanghai_today() + timedelta(days=3)).isoformat()
    listed = next(m for m in manager.messages() if "📅" in m.get("text", ""))
    assert listed["text"] == (
        f"📅 <b>Due to suppliers this week:</b>\n• 杭州茶厂 · 60.00 CNY · due {due}"
    )
    assert manager.buttons(listed) == ["📋 Payables (/owe)"]
    assert "Payables (what we owe)" in joined(await manager.press("Payables (/owe)"))


def test_a_digest_with_nothing_low_or_overdue_has_no_buttons() -> None:
    payload = {
        "day": "2026-03-01",
        "currency": "CNY",
        "sales_count": 0,
        "sales_amount": "0",
        "gross_profit": "0",
        "by_member": [],
        "low_stock": 0,
        "overdue": "0",
        "payables_week": "0",
    }
    with use_language("en"):
        screen = digest_screen(digest_of(payload))
    assert "Documents by member: none" in screen.text
    assert screen.keyboard is None


def test_a_reminder_carries_its_business_on_its_buttons() -> None:
    customer = overdue_of(
        json.loads(
            '{"customer_id": 7, "name": "<王>", "amount": "1200.00", "currency": "CNY",'
            ' "days": 15, "oldest": "XS-2026-00012"}'
        )
    )
    with use_language("en"):
        screen = overdue_reminder(customer, business_id=3)
    assert screen.text == (
        "⏰ <b>&lt;王&gt;</b> owes 1,200.00 CNY, 15 days overdue (oldest XS-2026-00012)"
    )
    assert screen.inline is not None
    data = [b.callback_data for row in screen.inline.inline_keyboard for b in row]
    assert data == ["1:money:pay:customer:7", "1:rem.st:3:7", "1:rem.snz:3:7"]
    assert customer.amount == Decimal("1200.00")


async def test_nine_in_shanghai_queues_once_and_not_before(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=9050)
    harness.clock.now = utc(2026, 3, 2, 0, 59)  # 08:59 in Shanghai
    assert await tick(harness) == 0
    harness.clock.now = utc(2026, 3, 2, 1, 0)
    assert await tick(harness) == 2  # the owner's and the manager's digests
    harness.clock.advance(minutes=1)
    assert await tick(harness) == 0
    assert await runs(harness) == [date(2026, 3, 2)]


async def test_nine_in_new_york_follows_the_daylight_saving_change(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9060)
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(timezone="America/New_York")
    )
    harness.clock.now = utc(2026, 3, 7, 13, 59)  # 08:59 EST
    assert await tick(harness) == 0
    harness.clock.now = utc(2026, 3, 7, 14, 0)  # 09:00 EST
    assert await tick(harness) == 2
    assert await tick(harness) == 0
    harness.clock.now = utc(2026, 3, 9, 12, 59)  # 08:59 EDT: clocks went forward on the 8th
    assert await tick(harness) == 0
    harness.clock.now = utc(2026, 3, 9, 13, 0)  # 09:00 EDT
    assert await tick(harness) == 2
    assert await runs(harness) == [date(2026, 3, 7), date(2026, 3, 9)]


async def test_after_three_days_down_one_run_is_made_up(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=9070)
    harness.clock.now = utc(2026, 3, 2, 1, 0)
    await tick(harness)
    harness.clock.advance(days=3, hours=5)  # back at 14:00 on the 5th
    assert await tick(harness) == 2
    assert await tick(harness) == 0
    assert await runs(harness) == [date(2026, 3, 2), date(2026, 3, 5)]


async def test_a_changed_reminder_time_applies_at_the_next_tick(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9080)
    await change_business_settings(
        UnitOfWork(harness.db), shop.owner, ChangeBusinessSettings(reminder_time="18:00")
    )
    harness.clock.now = utc(2026, 3, 2, 1, 0)  # 09:00 in Shanghai
    assert await tick(harness) == 0
    harness.clock.now = utc(2026, 3, 2, 10, 0)  # 18:00
    assert await tick(harness) == 2


async def test_the_job_repeats_every_minute_and_registering_again_replaces_it(
    harness: BotHarness,
) -> None:
    assert harness.app is not None
    assert harness.app.job_queue is not None
    register_daily(harness.app)
    register_daily(harness.app)
    jobs = [job for job in harness.app.job_queue.jobs() if job.name == JOB_NAME]
    assert len(jobs) == 1
    assert jobs[0].job.trigger.interval == timedelta(seconds=INTERVAL_SECONDS)
    jobs[0].schedule_removal()
