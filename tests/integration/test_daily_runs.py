"""The daily run at each business's reminder time: overdue reminders, payables, the digest."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.alerts.daily import due_runs, run_daily
from core.alerts.models import Outbox
from core.alerts.rules import (
    ChangeAlertSwitches,
    SnoozeCustomer,
    change_alert_switches,
    snooze_customer,
)
from core.catalog.products import ChangeProduct, change_product
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import PermissionDenied
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.support.money import credit_receipt, credit_sale
from tests.support.shop import Shop, open_shop

D = Decimal


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def shanghai_today() -> date:
    """The shop's local date (documents are dated by it)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def rows(shop: Shop, kind: str) -> list[Outbox]:
    async with shop.db.reads() as session:
        found = await session.scalars(
            select(Outbox)
            .where(Outbox.business_id == shop.business_id, Outbox.kind == kind)
            .order_by(Outbox.id)
        )
        return list(found)


async def test_the_run_is_due_at_the_reminder_time_in_shanghai_and_runs_once(
    db: Database,
) -> None:
    shop = await open_shop(db)
    due = {b for b, _ in await due_runs(UnitOfWork(db), utc(2026, 3, 2, 0, 59))}  # 08:59
    assert shop.business_id not in due
    found = dict(await due_runs(UnitOfWork(db), utc(2026, 3, 2, 1, 0)))  # 09:00
    assert found[shop.business_id] == date(2026, 3, 2)
    await run_daily(UnitOfWork(db), shop.business_id, date(2026, 3, 2))
    assert await run_daily(UnitOfWork(db), shop.business_id, date(2026, 3, 2)) == 0
    later = dict(await due_runs(UnitOfWork(db), utc(2026, 3, 2, 8, 0)))
    assert shop.business_id not in later


@pytest.mark.parametrize(
    ("before", "at"),
    [
        (utc(2026, 3, 7, 13, 59), utc(2026, 3, 7, 14, 0)),  # EST: 09:00 is 14:00 UTC
        (utc(2026, 3, 9, 12, 59), utc(2026, 3, 9, 13, 0)),  # EDT: 09:00 is 13:00 UTC
    ],
)
async def test_nine_in_new_york_follows_daylight_saving(
    db: Database, before: datetime, at: datetime
) -> None:
    shop = await open_shop(db)
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(timezone="America/New_York")
    )
    assert shop.business_id not in dict(await due_runs(UnitOfWork(db), before))
    assert dict(await due_runs(UnitOfWork(db), at))[shop.business_id] == at.date()


async def test_after_downtime_only_today_is_made_up_and_settings_apply_at_once(
    db: Database,
) -> None:
    shop = await open_shop(db)
    await run_daily(UnitOfWork(db), shop.business_id, date(2026, 3, 1))
    # down for three days; back at 15:00 local on the 4th: one run, for the 4th
    found = [
        d
        for b, d in await due_runs(UnitOfWork(db), utc(2026, 3, 4, 7, 0))
        if b == shop.business_id
    ]
    assert found == [date(2026, 3, 4)]
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(reminder_time="18:30")
    )
    assert shop.business_id not in dict(await due_runs(UnitOfWork(db), utc(2026, 3, 4, 7, 0)))
    assert shop.business_id in dict(await due_runs(UnitOfWork(db), utc(2026, 3, 4, 10, 30)))


async def test_overdue_customers_payables_and_the_digest_are_queued(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "100", "5")
    await change_product(
        shop.uow(), shop.owner, ChangeProduct(product_id=shop.tea.product_id, reorder_point=D(110))
    )
    today = datetime.now(UTC).date() + timedelta(
        days=1
    )  # "tomorrow": today's sales are yesterday's
    sale = await credit_sale(
        shop, "3", "10", doc_date=today - timedelta(days=20)
    )  # due 5 days ago
    await credit_sale(shop, "2", "10", actor=shop.clerk)  # not yet due; yesterday's sale
    await credit_receipt(shop, "10", "6")  # due in 30 days: not this week
    assert await run_daily(UnitOfWork(db), shop.business_id, today) > 0
    overdue = await rows(shop, "overdue")
    assert {r.chat_id for r in overdue} == {shop.owner.user_id, shop.manager.user_id}
    payload = json.loads(overdue[0].payload)
    assert (payload["name"], payload["amount"], payload["days"], payload["oldest"]) == (
        "王老板",
        "30.00",
        5,
        sale.number,
    )
    assert await rows(shop, "payables_due") == []
    digest = json.loads((await rows(shop, "digest"))[0].payload)
    assert digest["sales_count"] == 1 and digest["sales_amount"] == "20.00"
    assert digest["gross_profit"] == "10.00"  # 20.00 less 2 × 5.00
    assert digest["low_stock"] == 1 and digest["overdue"] == "30.00"


async def test_snoozed_customers_and_switched_off_digests_are_left_out(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "100", "5")
    today = shanghai_today()
    await credit_sale(shop, "3", "10", doc_date=today - timedelta(days=20))
    await snooze_customer(
        shop.uow(), shop.manager, SnoozeCustomer(customer_id=shop.customer_id), today
    )
    await change_alert_switches(shop.uow(), shop.manager, ChangeAlertSwitches(digest_on=False))
    with pytest.raises(PermissionDenied):  # only the owner changes someone else's
        await change_alert_switches(shop.uow(), shop.clerk, ChangeAlertSwitches(digest_on=False))
    await run_daily(UnitOfWork(db), shop.business_id, today)
    assert await rows(shop, "overdue") == []
    assert [r.chat_id for r in await rows(shop, "digest")] == [shop.owner.user_id]
    after = today + timedelta(days=4)  # the snooze (3 days) is over
    await run_daily(UnitOfWork(db), shop.business_id, after)
    assert len(await rows(shop, "overdue")) == 2
