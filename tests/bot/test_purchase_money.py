"""The money side of the purchase receipt flow: paid now, on credit (a payable), prices."""

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.catalog.editing import ChangeParty, change_party
from core.finance.accounts import party_account
from core.finance.models import PartyKind
from core.inventory.models import Document
from tests.bot.harness import BotHarness, joined
from tests.bot.test_purchase import documents, walk
from tests.support.shop import Shop, open_shop

D = Decimal


@pytest.fixture
async def shop(harness: BotHarness) -> Shop:
    return await open_shop(harness.db, owner_id=1000)


async def the_receipt(harness: BotHarness) -> Document:
    [receipt] = await documents(harness.db, "CG")
    return receipt


async def test_a_credit_purchase_is_payable_after_the_suppliers_terms(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)  # a clerk
    today = harness.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()
    due = (today + timedelta(days=30)).isoformat()  # 杭州茶厂's terms: 30 days

    await walk(me, "/purchase", "[杭州茶厂]", "[主仓库]", "A001", "10", "6.5", "[Done]")
    buttons = me.buttons()
    assert f"📒 On credit · due {due}" in buttons
    assert not [b for b in buttons if "Discount" in b or "Round off" in b]  # sales only

    posted = joined(await me.press("On credit"))

    assert "✅ Receipt <b>CG-" in posted and "Total: 65.00" in posted
    assert f"📒 On credit · To pay 65.00, due {due}" in posted
    receipt = await the_receipt(harness)
    assert (receipt.paid_now, receipt.due_date) == (D(0), date.fromisoformat(due))
    account = await party_account(shop.uow(), shop.manager, PartyKind.SUPPLIER, shop.supplier_id)
    assert account.balance == D(65)


async def test_part_paid_by_bank_leaves_the_rest_payable(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002, language="zh-hans")
    await walk(me, "/purchase", "[杭州茶厂]", "[主仓库]", "A001", "10", "6.5", "[完成]")

    await walk(me, "[部分付款]", "20")
    posted = joined(await me.press("银行转账"))

    assert "已付 20.00（银行转账） · 应付 45.00" in posted
    receipt = await the_receipt(harness)
    assert (receipt.paid_now, receipt.payment_method) == (D(20), "bank")
    account = await party_account(shop.uow(), shop.manager, PartyKind.SUPPLIER, shop.supplier_id)
    assert account.balance == D(45)


async def test_no_supplier_is_paid_now_only(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2", "5", "[Done]")

    assert not [b for b in me.buttons() if "credit" in b or "Part paid" in b]
    posted = joined(await me.press("Alipay"))

    assert "Paid in full (Alipay)." in posted
    assert (await the_receipt(harness)).payment_method == "alipay"


async def test_the_suppliers_last_price_is_offered_beside_the_last_cost(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[杭州茶厂]", "[主仓库]", "A001", "1", "6.25", "[Done]")
    await me.press("Confirm")
    await shop.receive(shop.tea, "1", "7")  # from no supplier, later: the last cost

    await walk(me, "/purchase", "[杭州茶厂]", "[主仓库]", "A001", "2")

    assert me.buttons()[:2] == ["Last cost 7.00", "Last time: 6.25"]
    assert "A001 西湖龙井 × 2 @ 6.25 = 12.50" in joined(await me.press("Last time"))


async def test_a_usd_supplier_asks_the_rate_and_books_the_payable_in_dollars(
    harness: BotHarness, shop: Shop
) -> None:
    await change_party(
        shop.uow(),
        shop.owner,
        ChangeParty(kind="supplier", party_id=shop.supplier_id, currency="USD"),
    )
    me = harness.person(1001)
    await walk(me, "/purchase", "[杭州茶厂]")

    assert joined(await me.send("abc")) == "“abc” is not a number."
    await walk(me, "7.2", "[主仓库]", "A001", "10", "1.5", "[Done]")
    posted = joined(await me.press("On credit"))

    assert "Total: 15.00 USD" in posted and "To pay 15.00 USD" in posted
    receipt = await the_receipt(harness)
    assert (receipt.currency, receipt.rate, receipt.total) == ("USD", D("7.2"), D(15))
    account = await party_account(shop.uow(), shop.manager, PartyKind.SUPPLIER, shop.supplier_id)
    assert (account.currency, account.balance) == ("USD", D(15))
