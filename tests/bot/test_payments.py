"""/collect (收款) and /pay (付款): from the party to a posted payment with Undo."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.i18n import use_language
from bot.render.payments import payment_button_target, record_payment_button
from core.finance.accounts import party_account
from core.finance.models import PartyKind, Payment
from core.inventory.voids import VoidDocument, void_document
from tests.bot.harness import BotHarness, Person, joined
from tests.support.money import credit_receipt, credit_sale, set_customer
from tests.support.shop import Shop, open_shop, rid

D = Decimal


def today() -> date:
    """The shop's local date (its time zone is Asia/Shanghai)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def stocked(harness: BotHarness) -> Shop:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "500", "5")
    return shop


async def payments(harness: BotHarness) -> list[Payment]:
    async with harness.db.reads() as session:
        return list(await session.scalars(select(Payment).order_by(Payment.id)))


async def payment_count(harness: BotHarness) -> int:
    async with harness.db.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(Payment)) or 0)


async def balance(shop: Shop, kind: PartyKind = PartyKind.CUSTOMER) -> Decimal:
    party = shop.customer_id if kind == PartyKind.CUSTOMER else shop.supplier_id
    return (await party_account(shop.uow(), shop.manager, kind, party)).balance


async def to_amount_step(manager: Person) -> str:
    """/collect and the one customer who owes: what the amount step shows."""
    await manager.send("/collect")
    return joined(await manager.press("王老板"))


async def test_collect_in_english_settles_the_oldest_items_first(harness: BotHarness) -> None:
    shop = await stocked(harness)
    sold_on = today() - timedelta(days=20)  # 15 days' terms: overdue 5 days
    first = await credit_sale(shop, "100", "10", doc_date=sold_on)
    second = await credit_sale(shop, "50", "10")
    manager = harness.person(shop.manager.user_id, language="en")

    start = joined(await manager.send("/collect"))
    assert "Who paid? Tap a customer who owes you" in start
    assert manager.buttons() == ["王老板 · 1,500.00", "✖ Cancel"]

    asked = joined(await manager.press("王老板"))
    due = (sold_on + timedelta(days=15)).isoformat()
    assert "💰 Money from <b>王老板</b>" in asked
    assert (
        f"• {first.number} · {sold_on.isoformat()} · due {due} · 1,000.00 · ⚠ overdue 5 days"
    ) in asked
    assert f"• {second.number} · {today().isoformat()} · due " in asked
    assert "Receivable: <b>1,500.00</b> CNY · overdue 1,000.00" in asked
    assert "How much was received, in CNY?" in asked
    assert manager.buttons() == ["All: 1,500.00", "✖ Cancel"]

    how = joined(await manager.send("1,200"))
    assert "Amount: <b>1,200.00</b> CNY" in how and "How was it paid?" in how
    assert manager.buttons() == [
        "💵 Cash",
        "🏦 Bank transfer",
        "💬 WeChat",
        "🔷 Alipay",
        "✖ Cancel",
    ]

    preview = joined(await manager.press("WeChat"))
    assert "please check" in preview and "Amount: <b>1,200.00</b> CNY · WeChat" in preview
    assert f"Settles:\n• {first.number}: 1,000.00\n• {second.number}: 200.00" in preview
    assert "Balance after: <b>300.00</b> CNY" in preview
    assert "credit" not in preview
    assert await payment_count(harness) == 0  # a preview writes nothing

    posted = joined(await manager.press("✅ Confirm"))
    assert "✅ <b>SK-" in posted
    assert "1,200.00 CNY received from 王老板 (WeChat)." in posted
    assert f"Settled:\n• {first.number}: 1,000.00" in posted
    assert "Balance after: <b>300.00</b> CNY" in posted
    assert manager.buttons() == ["↩ Undo"]
    assert "What would you like to do?" in posted  # the main menu comes back
    assert await balance(shop) == D("300.00")
    (payment,) = await payments(harness)
    assert (payment.amount, payment.method, payment.status) == (D("1200.00"), "wechat", "posted")


async def test_pay_in_chinese(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    receipt = await credit_receipt(shop, "10", "30")
    owner = harness.person(shop.owner.user_id, language="zh-hans")

    start = joined(await owner.send("/pay"))
    assert "💸 <b>付款</b>" in start and "付给谁？" in start
    assert owner.buttons() == ["杭州茶厂 · 300.00", "✖ 取消"]

    asked = joined(await owner.press("杭州茶厂"))
    assert "💸 付款：<b>杭州茶厂</b>" in asked and "未结单据：" in asked
    assert f"• {receipt.number} · {today().isoformat()} · 到期 " in asked
    assert "应付余额：<b>300.00</b> CNY" in asked and "付多少（CNY）？" in asked
    assert owner.buttons() == ["全部：300.00", "✖ 取消"]

    assert "金额必须大于 0。" in joined(await owner.send("0"))
    await owner.send("１００")  # full-width digits from a Chinese keyboard
    preview = joined(await owner.press("银行转账"))
    assert "请核对" in preview and "金额：<b>100.00</b> CNY · 银行转账" in preview
    assert f"冲销：\n• {receipt.number}: 100.00" in preview
    assert "之后余额：<b>200.00</b> CNY" in preview

    posted = joined(await owner.press("✅ 确认"))
    assert "✅ 付款单 <b>FK-" in posted and "已付 杭州茶厂 100.00 CNY（银行转账）。" in posted
    assert owner.buttons() == ["↩ 撤销"]
    assert await balance(shop, PartyKind.SUPPLIER) == D("200.00")
    (payment,) = await payments(harness)
    assert payment.number.startswith("FK-") and payment.supplier_id == shop.supplier_id


async def test_a_party_is_found_by_typing_part_of_its_name(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "10", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/collect")

    found = joined(await manager.send("王"))
    assert "Customers matching “王”: tap one." in found
    assert manager.buttons() == ["王老板", "✖ Cancel"]
    assert "No customer matches “李”" in joined(await manager.send("李"))
    asked = joined(await manager.send("王老板"))  # an exact name is taken at once
    assert "💰 Money from <b>王老板</b>" in asked and "Receivable: <b>100.00</b> CNY" in asked


async def test_a_party_that_owes_nothing_can_pay_in_advance(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    manager = harness.person(shop.manager.user_id, language="en")
    assert "No customer owes you anything now." in joined(await manager.send("/collect"))
    asked = joined(await manager.send("王老板"))
    assert "Nothing is owed." in asked and "Open items:" not in asked
    assert manager.buttons() == ["✖ Cancel"]  # no "All" when nothing is owed
    await manager.send("50")
    preview = joined(await manager.press("Cash"))
    assert "It settles no open item." in preview
    assert "Left as 王老板's credit (received in advance): 50.00 CNY" in preview
    await manager.press("✅ Confirm")
    assert await balance(shop) == D("-50.00")


async def test_all_pays_the_whole_balance(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)
    assert "Amount: <b>1,000.00</b> CNY" in joined(await manager.press("All: 1,000.00"))
    await manager.press("Cash")
    posted = joined(await manager.press("✅ Confirm"))
    assert "1,000.00 CNY received from 王老板 (Cash)." in posted
    assert "Balance after: <b>0.00</b> CNY" in posted
    assert await balance(shop) == D(0)


async def test_bad_amounts_are_asked_again_with_the_reason(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)

    assert "The amount must be greater than 0." in joined(await manager.send("0"))
    assert "The amount must be greater than 0." in joined(await manager.send("-5"))
    assert "“abc” is not a number." in joined(await manager.send("abc"))
    finer = joined(await manager.send("1.234"))
    assert "CNY amounts have at most 2 decimal places." in finer
    assert await payment_count(harness) == 0
    assert "How was it paid?" in joined(await manager.send("1.23"))  # the same step goes on


async def test_yen_have_no_decimals(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await set_customer(shop, currency="JPY")
    await credit_sale(shop, "3", "333.3", rate="0.047")  # ¥1,000
    manager = harness.person(shop.manager.user_id, language="en")
    asked = await to_amount_step(manager)
    assert "Receivable: <b>1,000</b> JPY" in asked and "All: 1,000" in manager.buttons()

    assert "JPY amounts have at most 0 decimal places." in joined(await manager.send("0.5"))
    assert await payment_count(harness) == 0
    assert "Exchange rate: 1 JPY = how many CNY?" in joined(await manager.send("500"))


async def test_another_currency_asks_the_rate_and_shows_the_realised_difference(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    await set_customer(shop, currency="USD")
    first = await credit_sale(shop, "10", "10", rate="7.1")  # $100.00 at 7.1: ¥710.00
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)

    asked = joined(await manager.press("All: 100.00"))
    assert "Amount: <b>100.00</b> USD" in asked
    assert "Exchange rate: 1 USD = how many CNY? Tap the last rate used" in asked
    assert manager.buttons() == ["7.1 (last used)", "✖ Cancel"]
    assert "An exchange rate must be above 0." in joined(await manager.send("0"))
    assert "at most 6 decimals" in joined(await manager.send("7.1234567"))
    assert "“x” is not a number." in joined(await manager.send("x"))

    assert "Rate: 7.25" in joined(await manager.send("7.25"))
    preview = joined(await manager.press("Bank transfer"))
    assert f"• {first.number}: 100.00" in preview and "Rate: 7.25" in preview
    posted = joined(await manager.press("✅ Confirm"))
    assert "100.00 USD received from 王老板 (Bank transfer)." in posted
    assert "Rate: 7.25" in posted and "Realised exchange difference: 15.00 CNY (gain)" in posted
    (payment,) = await payments(harness)
    assert (payment.currency, payment.rate) == ("USD", D("7.25"))


async def test_the_last_rate_is_taken_with_a_tap(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await set_customer(shop, currency="USD")
    await credit_sale(shop, "10", "10", rate="7.1")
    await credit_sale(shop, "1", "10", rate="7.3")  # the newest rate: offered
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)
    await manager.send("100")
    assert "Rate: 7.3" in joined(await manager.press("7.3 (last used)"))
    await manager.press("Cash")
    posted = joined(await manager.press("✅ Confirm"))
    assert "Rate: 7.3" in posted and "Realised exchange difference: 20.00 CNY (gain)" in posted


async def test_a_double_tap_or_a_redelivered_confirm_posts_once(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)
    await manager.send("400")
    await manager.press("Alipay")
    assert harness.app is not None
    request_id = harness.app.user_data[shop.manager.user_id]["draft"]["request_id"]

    message, data = manager.find_button("✅ Confirm")
    press: dict[str, Any] = {
        "update_id": 990_001,
        "callback_query": {
            "id": "990001",
            "from": manager.user,
            "chat_instance": "ci",
            "data": data,
            "message": {"date": 0, **message, "chat": manager.chat},
        },
    }
    await harness.feed(press)
    await harness.feed(press)  # Telegram delivered the same update again
    second = joined(await manager.press_data(data, message))  # and the user tapped again
    assert "This button is no longer active." in second

    (payment,) = await payments(harness)
    assert payment.request_id == request_id  # minted when the flow began
    assert await balance(shop) == D("600.00")


async def test_undo_voids_the_payment_once(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)
    await manager.send("1200")
    await manager.press("Cash")
    await manager.press("✅ Confirm")
    assert await balance(shop) == D("-200.00")

    message, data = manager.find_button("↩ Undo")
    undone = joined(await manager.press_data(data, message))
    assert "undone: what it settled is open again." in undone
    assert "Receivable: <b>1,000.00</b> CNY" in undone
    assert await balance(shop) == D("1000.00")
    again = joined(await manager.press_data(data, message))
    assert "Already undone." in again
    (payment,) = await payments(harness)
    assert payment.status == "voided"


async def test_an_overpayment_leaves_the_rest_as_credit(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)
    await manager.send("1200")
    preview = joined(await manager.press("WeChat"))
    assert "Left as 王老板's credit (received in advance): 200.00 CNY" in preview
    assert "Balance after: <b>200.00</b> CNY in credit (received in advance)" in preview
    posted = joined(await manager.press("✅ Confirm"))
    assert "Left as 王老板's credit (received in advance): 200.00 CNY" in posted
    assert await balance(shop) == D("-200.00")

    await manager.send("/collect")  # the credit shows on the next visit
    asked = joined(await manager.send("王老板"))
    assert "credit (received in advance) 200.00" in asked
    assert "Credit (received in advance): 200.00 CNY" in asked


async def test_clerks_and_viewers_may_not_record_payments(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    for actor, role in ((shop.clerk, "clerk"), (shop.viewer, "viewer")):
        person = harness.person(actor.user_id, language="en")
        refused = joined(await person.send("/collect"))
        assert f"Your role ({role}) may not do this." in refused
        assert "Who paid?" not in refused
        assert harness.app is not None
        assert "draft" not in harness.app.user_data.get(actor.user_id, {})
    clerk = harness.person(shop.clerk.user_id, language="en")
    assert "may not do this" in joined(await clerk.send("/pay"))
    button = record_payment_button(PartyKind.CUSTOMER, shop.customer_id)
    message = {"message_id": 7, "date": 0, "text": "statement"}
    assert button.callback_data is not None
    assert "may not do this" in joined(await clerk.press_data(str(button.callback_data), message))
    assert await payment_count(harness) == 0


async def test_the_record_payment_button_starts_at_the_amount(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    with use_language("en"):
        button = record_payment_button("customer", shop.customer_id)
    data = str(button.callback_data)
    assert button.text == "💰 Collect payment"
    assert data == f"1:money:pay:customer:{shop.customer_id}"
    assert payment_button_target(data) == (PartyKind.CUSTOMER, shop.customer_id)
    assert payment_button_target("1:money:pay:nobody:1") is None

    manager = harness.person(shop.manager.user_id, language="en")
    statement = {"message_id": 8, "date": 0, "text": "Statement of 王老板"}
    asked = joined(await manager.press_data(data, statement))
    assert "💰 Money from <b>王老板</b>" in asked and "How much was received" in asked
    assert "How was it paid?" in joined(await manager.send("100"))
    busy = joined(await manager.press_data(data, statement))  # pressed again mid-flow
    assert "You are in the middle of something." in busy


async def test_cancel_at_any_step_writes_nothing(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_sale(shop, "100", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)
    await manager.send("100")
    await manager.press("Cash")
    assert "Cancelled. Nothing was saved." in joined(await manager.press("✖ Cancel"))
    await to_amount_step(manager)
    assert "Cancelled." in joined(await manager.send("/cancel"))
    assert await payment_count(harness) == 0


async def test_the_more_menu_and_help_offer_payments_to_managers(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await credit_receipt(shop, "10", "30")
    manager = harness.person(shop.manager.user_id, language="en")
    assert "/collect: money received from a customer" in joined(await manager.send("/help"))
    clerk = harness.person(shop.clerk.user_id, language="en")
    assert "/collect" not in joined(await clerk.send("/help"))

    await manager.send("☰ More")
    assert "Who are you paying?" in joined(await manager.press("Record a payment to a supplier"))
    assert manager.buttons() == ["杭州茶厂 · 300.00", "✖ Cancel"]


async def test_the_items_it_pays_may_be_chosen_and_a_voided_one_is_refused(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    older = await credit_sale(shop, "10", "10", doc_date=today() - timedelta(days=3))
    newer = await credit_sale(shop, "5", "10")
    manager = harness.person(shop.manager.user_id, language="en")
    await to_amount_step(manager)
    await manager.send("60")
    preview = joined(await manager.press("Cash"))
    assert f"• {older.number}: 60.00" in preview  # oldest first unless chosen
    await manager.press("🎯 Choose what it pays")
    ticked = joined(await manager.press(f"☐ {newer.number}"))
    assert "Tick the items it pays" in ticked and f"1. {newer.number} · 50.00" in manager.buttons()
    chosen = joined(await manager.press("✅ Done"))
    assert f"• {newer.number}: 50.00" in chosen and f"• {older.number}: 10.00" in chosen

    await manager.press("🎯 Choose what it pays")  # the newer one is still ticked
    await void_document(  # meanwhile someone voids the chosen sale
        shop.uow(),
        shop.manager,
        VoidDocument(request_id=rid(), document_id=newer.document_id, reason="wrong"),
    )
    refused = joined(await manager.press("✅ Done"))
    assert f"{newer.number} has nothing open to pay" in refused
    assert not any(newer.number in b for b in manager.buttons())  # asked again without it
    again = joined(await manager.press("✅ Done"))
    assert f"• {older.number}: 60.00" in again
    await manager.press("✅ Confirm")
    assert await balance(shop) == D("40.00")  # 100 − 60 (the voided sale owes nothing)
