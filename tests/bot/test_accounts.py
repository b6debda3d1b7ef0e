"""/owed and /owe: aging per party, statements by business month, open items, who may see."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.i18n import use_language
from bot.render import accounts as render
from bot.render.numbers import money
from bot.render.payments import record_payment_button
from core.catalog.parties import CreateCustomer, create_customer
from core.finance.results import Statement, StatementRow
from tests.bot.harness import BotHarness, group_chat, joined
from tests.support.money import collect, credit_receipt, credit_sale, pay_supplier
from tests.support.shop import Shop, open_shop, rid

D = Decimal


def today() -> date:
    """Today in the shop's time zone (the default, Asia/Shanghai)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def stocked(harness: BotHarness, owner_id: int) -> Shop:
    shop = await open_shop(harness.db, owner_id=owner_id)
    await shop.receive(shop.tea, "1000", "5")
    return shop


async def a_month_of_sales(shop: Shop) -> dict[str, str]:
    """王老板: 50.00 from 200 days ago, 20.00 on the 1st of last month, 30.00 today; pays 25."""
    this_month = today().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    old = await credit_sale(shop, "5", doc_date=today() - timedelta(days=200))
    previous = await credit_sale(shop, "2", doc_date=last_month)
    now = await credit_sale(shop, "3")
    paid = await collect(shop, "25")
    return {"old": old.number, "previous": previous.number, "now": now.number, "paid": paid.number}


async def test_owed_shows_totals_buckets_and_the_biggest_parties(harness: BotHarness) -> None:
    shop = await stocked(harness, 9700)
    await credit_sale(shop, "5", doc_date=today() - timedelta(days=200))  # over 90 days
    await credit_sale(shop, "30", doc_date=today() - timedelta(days=25))  # 10 days overdue
    await credit_sale(shop, "120")  # due in 15 days
    manager = harness.person(shop.manager.user_id)

    listed = joined(await manager.send("/owed"))
    assert "<b>Receivables (who owes us)</b> · CNY" in listed
    assert "Total owed to us: <b>1,550.00</b>" in listed
    assert "Current 1,200.00 · 1–30 days 300.00 · over 90 days 50.00" in listed
    assert "31–60" not in listed  # empty buckets are left out
    assert "Overdue: 350.00" in listed
    assert manager.buttons() == ["王老板 · 1,550.00 (350.00 overdue)"]


async def test_a_long_list_of_parties_is_paged(harness: BotHarness) -> None:
    shop = await stocked(harness, 9710)
    for n in range(9):
        customer = await create_customer(
            shop.uow(), shop.owner, CreateCustomer(request_id=rid(), name=f"客户{n}")
        )
        await credit_sale(shop, str(n + 1), customer=customer.party_id)
    owner = harness.person(shop.owner.user_id)

    listed = joined(await owner.send("/owed"))
    assert "1–8 of 9, biggest first" in listed
    assert owner.buttons()[0] == "客户8 · 90.00" and "客户1 · 20.00" in owner.buttons()
    assert owner.buttons()[-2:] == ["1/2", "▶"]
    second = joined(await owner.press("▶", exact=True))
    assert "9–9 of 9" in second
    assert owner.buttons() == ["客户0 · 10.00", "◀", "2/2"]
    await owner.press("2/2")  # the same page again: nothing changes, no error


async def test_a_party_shows_this_months_statement_and_the_month_before(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness, 9720)
    numbers = await a_month_of_sales(shop)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/owed")

    this_month = today().replace(day=1)
    shown = joined(await manager.press("王老板"))
    assert "<b>Statement · 王老板</b>" in shown
    assert f"Customer · CNY · {this_month.isoformat()} – " in shown
    assert "Opening balance: 70.00" in shown
    due = (today() + timedelta(days=15)).isoformat()
    assert f"{numbers['now']} Sale +30.00 → 100.00 (due {due})" in shown
    assert f"{numbers['paid']} Payment received -25.00 → 75.00" in shown
    assert "Closing balance: <b>75.00</b>" in shown
    assert numbers["previous"] not in shown
    assert manager.buttons() == ["◀ Previous month", "Open items", "💰 Collect payment", "◀ Back"]
    _, data = manager.find_button("💰 Collect payment")
    assert data == record_payment_button("customer", shop.customer_id).callback_data

    before = joined(await manager.press("◀ Previous month"))
    assert "Opening balance: 50.00" in before
    assert f"{numbers['previous']} Sale +20.00 → 70.00" in before
    assert "Closing balance: <b>70.00</b>" in before  # this month's opening
    assert "Next month ▶" in manager.buttons()

    back = joined(await manager.press("Next month ▶"))
    assert "Opening balance: 70.00" in back
    assert "Next month ▶" not in manager.buttons()

    listed = joined(await manager.press("◀ Back"))
    assert "Total owed to us: <b>75.00</b>" in listed


async def test_open_items_show_what_is_left_and_how_late(harness: BotHarness) -> None:
    shop = await stocked(harness, 9730)
    numbers = await a_month_of_sales(shop)
    owner = harness.person(shop.owner.user_id)
    await owner.send("/owed")
    await owner.press("王老板")

    items = joined(await owner.press("Open items"))
    assert "<b>Open items · 王老板</b>" in items
    last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    overdue = D(25) + (D(20) if last_month + timedelta(days=15) < today() else D(0))
    assert f"CNY · balance <b>75.00</b> · overdue {money(overdue)}" in items
    overdue_from = (today() - timedelta(days=185)).isoformat()
    assert (
        f"• {numbers['old']} · {(today() - timedelta(days=200)).isoformat()} · "
        f"25.00 of 50.00 open · due {overdue_from} · overdue 185 days"
    ) in items
    assert f"• {numbers['now']} · {today().isoformat()} · 30.00 open · due " in items
    assert numbers["paid"] not in items  # fully applied
    assert owner.buttons() == ["◀ Statement", "💰 Collect payment"]
    assert "Statement · 王老板" in joined(await owner.press("◀ Statement"))


async def test_owe_in_chinese_lists_what_we_owe_suppliers(harness: BotHarness) -> None:
    shop = await stocked(harness, 9740)
    bought = await credit_receipt(shop, "10", "8")
    paid = await pay_supplier(shop, "30")
    owner = harness.person(shop.owner.user_id, language="zh-hans")

    listed = joined(await owner.send("/owe"))
    assert "<b>应付账款（我们欠供应商）</b> · CNY" in listed
    assert "合计应付：<b>50.00</b>" in listed
    assert "账龄：未到期 50.00" in listed
    assert "逾期：0.00" in listed
    assert owner.buttons() == ["杭州茶厂 · 50.00"]

    shown = joined(await owner.press("杭州茶厂"))
    assert "<b>对账单 · 杭州茶厂</b>" in shown
    assert "供应商 · CNY" in shown
    assert "期初余额：0.00" in shown
    assert f"{bought.number} 采购入库 +80.00 → 80.00" in shown
    assert f"{paid.number} 付款 -30.00 → 50.00" in shown
    assert "期末余额：<b>50.00</b>" in shown
    assert owner.buttons()[:2] == ["◀ 上月", "未结清"]
    assert "未结清 · 杭州茶厂" in joined(await owner.press("未结清"))


async def test_clerks_and_viewers_are_refused(harness: BotHarness) -> None:
    shop = await stocked(harness, 9750)
    await credit_sale(shop, "3")
    clerk = harness.person(shop.clerk.user_id)
    viewer = harness.person(shop.viewer.user_id)

    refused = joined(await clerk.send("/owed"))
    assert "Your role (clerk) may not do this" in refused
    assert "王老板" not in refused
    assert "Your role (viewer) may not do this" in joined(await viewer.send("/owe"))

    message = {"message_id": 1, "chat": clerk.chat}  # a manager's button, pressed by a clerk
    data = f"1:acc.st:customer:{shop.customer_id}:0:0"
    pressed = joined(await clerk.press_data(data, message))
    assert "may not do this" in pressed and "30.00" not in pressed
    assert "may not do this" in joined(
        await clerk.press_data(data.replace("acc.st", "acc.open"), message)
    )


async def test_a_group_chat_gets_no_money(harness: BotHarness) -> None:
    shop = await stocked(harness, 9760)
    await credit_sale(shop, "3")
    chat = group_chat(-100976)
    await harness.person(shop.owner.user_id, chat=chat).send("/bind")
    manager = harness.person(shop.manager.user_id, chat=chat)

    for command in ("/owed", "/owe"):
        said = joined(await manager.send(command))
        assert "not shown in a group chat: ask me in a private chat." in said
        assert "30.00" not in said and "王老板" not in said
    message = {"message_id": 1, "chat": chat}
    for data in (
        f"1:acc.st:customer:{shop.customer_id}:0:0",
        f"1:acc.open:customer:{shop.customer_id}:0:0",
        "1:acc:customer:0",
        "1:cmd:owed",
    ):
        said = joined(await manager.press_data(data, message))
        assert "not shown in a group chat" in said and "30.00" not in said


async def test_nothing_owed_is_said_in_one_line(harness: BotHarness) -> None:
    shop = await stocked(harness, 9770)
    await shop.sell(shop.tea, "2")  # paid in full
    owner = harness.person(shop.owner.user_id)
    assert joined(await owner.send("/owed")) == "Nobody owes you anything right now. 👍"
    assert joined(await owner.send("/owe")) == "You owe no supplier anything right now. 👍"
    await owner.send("☰ More")
    assert "Nobody owes you" in joined(await owner.press("Receivables: who owes us"))


async def test_stale_and_foreign_buttons_are_answered(harness: BotHarness) -> None:
    shop = await stocked(harness, 9780)
    other = await stocked(harness, 9790)
    await credit_sale(other, "3")
    owner = harness.person(shop.owner.user_id)
    await owner.send("/owed")
    message = owner.messages()[-1]  # any message of theirs: old buttons edit it

    for data in ("1:acc.st:customer", "1:acc.st:nobody:1:0:0", "1:acc:x:y", "1:acc.open:1:2:3"):
        assert joined(await owner.press_data(data, message)) == "This button is no longer active."
    foreign = f"1:acc.st:customer:{other.customer_id}:0:0"  # another business's customer
    said = joined(await owner.press_data(foreign, message))
    assert "Not found" in said and "王老板" not in said
    old_month = f"1:acc.st:customer:{shop.customer_id}:202001:0"
    assert "2020-01-01 – 2020-01-31" in joined(await owner.press_data(old_month, message))
    future = f"1:acc.st:customer:{shop.customer_id}:209912:0"  # clamped to this month
    assert today().replace(day=1).isoformat() in joined(await owner.press_data(future, message))


async def test_help_mentions_owed_for_managers_only(harness: BotHarness) -> None:
    shop = await stocked(harness, 9800)
    assert "/owed" in joined(await harness.person(shop.manager.user_id).send("/help"))
    assert "/owed" in joined(await harness.person(shop.owner.user_id).send("/help"))
    assert "/owed" not in joined(await harness.person(shop.clerk.user_id).send("/help"))


def test_a_long_statement_keeps_the_last_rows_under_telegrams_limit() -> None:
    rows, balance = [], D("1000.00")
    for n in range(300):
        amount = D("12.50") if n % 3 else D("-7.25")
        balance += amount
        rows.append(
            StatementRow(
                date(2026, 3, 1 + n % 28), f"XS-2026-{n:05}", "sale", amount, balance, None
            )
        )
    statement = Statement(
        "customer",
        1,
        "王老板",
        "CNY",
        date(2026, 3, 1),
        date(2026, 3, 31),
        D("1000.00"),
        tuple(rows),
        balance,
    )
    ref = render.PartyRef("customer", 1, date(2026, 3, 1), 0)
    with use_language("en"):
        screen = render.statement_screen(
            statement, ref, latest=True, pay=record_payment_button("customer", 1)
        )
    assert len(screen.text) <= 4096
    assert "Opening balance: 1,000.00" in screen.text
    assert "XS-2026-00299" in screen.text  # the last row is there
    lines = screen.text.splitlines()
    (note,) = [line for line in lines if "earlier entries not shown" in line]
    left_out = int(note.split()[1])
    first = rows[left_out]
    assert f"balance brought forward: {money(first.balance - first.amount)}" in note
    assert f"XS-2026-{left_out:05}" in screen.text
    assert f"XS-2026-{left_out - 1:05} " not in screen.text
    assert f"Closing balance: <b>{money(balance)}</b>" in screen.text
