"""Due dates, overdue days, statements and aging in the business's own calendar."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.db.engine import Database
from core.errors import InvalidInput
from core.finance.accounts import aging, party_account, statement
from core.finance.models import PartyKind
from core.finance.results import BUCKETS
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.support.money import collect, credit_sale
from tests.support.shop import Shop, open_shop

D = Decimal


def stopped_at(moment: datetime) -> type[datetime]:
    """A datetime whose now() is ``moment`` (UTC), in whatever zone is asked."""

    class Stopped(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    return Stopped


def at(monkeypatch: pytest.MonkeyPatch, *moment: int) -> None:
    """Stops the business clock (document dates, today) at ``moment`` UTC."""
    monkeypatch.setattr(
        "core.inventory.documents.datetime", stopped_at(datetime(*moment, tzinfo=UTC))
    )


async def shop_in(db: Database, zone: str) -> Shop:
    shop = await open_shop(db)
    await change_business_settings(shop.uow(), shop.owner, ChangeBusinessSettings(timezone=zone))
    await shop.receive(shop.tea, "100", "5")
    return shop


@pytest.mark.parametrize(
    ("moment", "doc_date"),
    [
        ((2026, 3, 31, 15, 59), date(2026, 3, 31)),  # 23:59 in Shanghai
        ((2026, 3, 31, 16, 0), date(2026, 4, 1)),  # midnight in Shanghai, still 3/31 in UTC
    ],
)
async def test_around_midnight_in_shanghai_the_due_date_counts_from_the_local_date(
    db: Database, monkeypatch: pytest.MonkeyPatch, moment: tuple[int, ...], doc_date: date
) -> None:
    shop = await shop_in(db, "Asia/Shanghai")
    at(monkeypatch, *moment)
    sale = await credit_sale(shop, "1")  # 王老板: 15 days
    assert (sale.doc_date, sale.due_date) == (doc_date, doc_date + timedelta(days=15))


@pytest.mark.parametrize(
    ("moment", "doc_date"),
    [
        ((2026, 3, 8, 4, 59), date(2026, 3, 7)),  # 23:59 EST, the night the clocks go forward
        ((2026, 3, 8, 5, 0), date(2026, 3, 8)),  # 00:00 EST
        ((2026, 3, 9, 3, 59), date(2026, 3, 8)),  # 23:59 EDT: one hour earlier in UTC
        ((2026, 3, 9, 4, 0), date(2026, 3, 9)),  # 00:00 EDT
    ],
)
async def test_across_a_daylight_saving_change_the_local_date_decides(
    db: Database, monkeypatch: pytest.MonkeyPatch, moment: tuple[int, ...], doc_date: date
) -> None:
    shop = await shop_in(db, "America/New_York")
    at(monkeypatch, *moment)
    sale = await credit_sale(shop, "1")
    assert (sale.doc_date, sale.due_date) == (
        doc_date,
        date(2026, 3, 22) + (doc_date - date(2026, 3, 7)),
    )


async def test_an_item_is_overdue_from_the_first_local_day_after_its_due_date(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await shop_in(db, "America/New_York")
    at(monkeypatch, 2026, 3, 1, 17, 0)  # noon, 1 March, New York
    await credit_sale(shop, "1")  # due 16 March
    at(monkeypatch, 2026, 3, 17, 3, 59)  # 23:59 EDT on the 16th: due today, not overdue
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert (account.items[0].days_overdue, account.overdue) == (0, D(0))
    at(monkeypatch, 2026, 3, 17, 4, 0)  # midnight: one day overdue
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert (account.items[0].days_overdue, account.overdue) == (1, D("10.00"))


async def test_aging_puts_each_item_in_its_bucket_and_they_sum_to_the_balance(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await shop_in(db, "Asia/Shanghai")
    at(monkeypatch, 2026, 1, 1, 4, 0)
    for days_ago, qty in ((0, "1"), (20, "2"), (50, "3"), (80, "4"), (200, "5")):
        await credit_sale(shop, qty, doc_date=date(2026, 1, 1) - timedelta(days=days_ago + 15))
    report = await aging(shop.uow(), shop.manager, PartyKind.CUSTOMER)
    (line,) = report.lines
    assert dict(zip(BUCKETS, line.buckets, strict=True)) == {
        "current": D("10.00"),
        "1-30": D("20.00"),
        "31-60": D("30.00"),
        "61-90": D("40.00"),
        "90+": D("50.00"),
        "credit": D(0),
    }
    assert line.total == report.total == D("150.00")
    await collect(shop, "160")  # pays everything, 10 over
    report = await aging(shop.uow(), shop.manager, PartyKind.CUSTOMER)
    assert report.lines[0].buckets == (D(0), D(0), D(0), D(0), D(0), D("-10.00"))


async def test_a_statement_runs_from_opening_to_closing_and_periods_chain(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await shop_in(db, "Asia/Shanghai")
    at(monkeypatch, 2026, 2, 10, 4, 0)
    await credit_sale(shop, "3", doc_date=date(2026, 1, 20))
    await credit_sale(shop, "2", doc_date=date(2026, 2, 5))
    await collect(shop, "25")
    jan = await statement(
        shop.uow(),
        shop.manager,
        PartyKind.CUSTOMER,
        shop.customer_id,
        date(2026, 1, 1),
        date(2026, 1, 31),
    )
    feb = await statement(
        shop.uow(),
        shop.manager,
        PartyKind.CUSTOMER,
        shop.customer_id,
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    assert (jan.opening, jan.closing) == (D(0), D("30.00"))
    assert feb.opening == jan.closing
    assert [(r.kind, r.amount, r.balance) for r in feb.rows] == [
        ("sale", D("20.00"), D("50.00")),
        ("payment", D("-25.00"), D("25.00")),
    ]
    assert feb.closing == D("25.00")
    with pytest.raises(InvalidInput):
        await statement(
            shop.uow(),
            shop.manager,
            PartyKind.CUSTOMER,
            shop.customer_id,
            date(2026, 2, 2),
            date(2026, 2, 1),
        )
