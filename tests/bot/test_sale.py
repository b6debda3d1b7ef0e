"""The sale flow (销售出库), walked through as a clerk or owner would."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.catalog.models import Customer
from core.db.uow import UnitOfWork
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from core.tenancy.groups import BindGroup, bind_group
from tests.bot.harness import BotHarness, group_chat, joined
from tests.bot.test_purchase import documents, on_hand, one_warehouse_shop, walk
from tests.support.shop import Shop, open_shop

D = Decimal


@pytest.fixture
async def shop(harness: BotHarness) -> Shop:
    stocked = await open_shop(harness.db, owner_id=1000)
    await stocked.receive(stocked.tea, "10", "50")  # main warehouse: 10 at 50.00
    return stocked


async def test_an_owner_sells_and_sees_the_gross_profit(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1000)

    asked = await me.send("/sale")
    assert "Customer?" in joined(asked)
    assert me.buttons()[:2] == ["王老板", "🚶 Walk-in customer"]
    said = await walk(me, "[王老板]", "[主仓库]", "A001")
    assert "A001 西湖龙井: 10 盒 available in 主仓库. How many?" in joined(said)
    said = await walk(me, "3", "[Sale price 88.00]", "[Done]")
    assert "1. A001 西湖龙井 × 3 @ 88.00 = 264.00" in joined(said)
    assert "Customer: 王老板" in joined(said)

    posted = await me.press("Confirm")

    assert "✅ Sale <b>XS-" in joined(posted) and "Total: 264.00" in joined(posted)
    assert "Gross profit: 114.00" in joined(posted)  # 264 - 3 × 50
    assert me.buttons() == ["↩ Undo", "🧾 Delivery slip", "📄 Slip as PDF"]
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == 7
    [sale] = await documents(harness.db, "XS")
    assert sale.customer_id == shop.customer_id


async def test_a_clerk_never_sees_cost_or_profit(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)

    said = await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001", "2", "90", "[Done]")
    said += await me.press("Confirm")

    assert "Total: 180.00" in joined(said)
    assert "profit" not in joined(said).lower() and "50.00" not in joined(said)
    [sale] = await documents(harness.db, "XS")
    assert sale.customer_id is None  # walk-in


async def test_a_sale_in_chinese(harness: BotHarness) -> None:
    owner = await one_warehouse_shop(harness.db, 720, locale="zh-CN")
    me = harness.person(720, language="zh-hans")
    await walk(me, "/purchase", "[不指定供应商]", "A001", "5", "8", "[完成]", "[确认]")

    said = await walk(me, "📤 销售出库", "[散客]", "A001")
    assert "A001 乌龙茶：主仓库可用 5 box。数量多少？" in joined(said)
    said = await walk(me, "2", "[售价 20.00]", "[完成]", "[确认]")

    assert "✅ 销售单 <b>XS-" in joined(said) and "合计：40.00" in joined(said)
    assert "毛利：24.00" in joined(said)
    [sale] = await documents(harness.db, "XS")
    assert await on_hand(harness.db, owner, "A001", sale.warehouse_id) == 3


async def test_more_than_available_is_refused_with_the_figure(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001")

    refused = await me.send("12")

    assert joined(refused) == "Only 10 盒 available in 主仓库. Type a smaller quantity."
    assert "Unit price of A001" in joined(await me.send("10"))


async def test_a_second_line_of_the_same_product_counts_the_first(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001", "6", "88", "[Add another]")

    said = await me.send("A001")

    assert "4 盒 available in 主仓库" in joined(said)
    assert "Only 4 盒 available" in joined(await me.send("5"))


async def test_a_product_with_nothing_in_that_warehouse_asks_for_another(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await walk(me, "/sale", "[Walk-in]", "[二号仓]")

    said = await me.send("A001")

    assert "A001 西湖龙井: none available in 二号仓. Pick another product." in joined(said)
    assert "none available" in joined(await me.send("B002"))


async def test_negative_stock_allowed_lets_the_quantity_through(
    harness: BotHarness, shop: Shop
) -> None:
    await change_business_settings(
        UnitOfWork(harness.db), shop.owner, ChangeBusinessSettings(allow_negative_stock=True)
    )
    me = harness.person(1002)

    said = await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001", "12", "88", "[Done]")
    said += await me.press("Confirm")

    assert "posted" in joined(said)
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == -2


async def test_a_new_customer_is_added_inside_the_flow(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await me.send("/sale")

    assert "No customer matches “Li Lei”" in joined(await me.send("Li Lei"))
    added = await me.press("Add customer")
    assert "Customer Li Lei added." in joined(added)
    await walk(me, "[主仓库]", "A001", "1", "88", "[Done]", "[Confirm]")

    async with harness.db.reads() as session:
        li = await session.scalar(select(Customer.id).where(Customer.name == "Li Lei"))
    [sale] = await documents(harness.db, "XS")
    assert li is not None and sale.customer_id == li


async def test_an_exact_name_picks_the_customer(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await me.send("/sale")

    assert "Ship from which warehouse?" in joined(await me.send("王老板"))


async def test_stock_sold_meanwhile_is_refused_at_confirm_and_the_draft_kept(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001", "8", "88", "[Done]")
    await shop.sell(shop.tea, "5")  # someone else, meanwhile

    refused = await me.press("Confirm")

    assert "Not enough stock: A001 in 主仓库 needs 8, 5 available." in joined(refused)
    assert "1. A001 西湖龙井 × 8 @ 88.00" in joined(refused)  # the summary again
    await shop.receive(shop.tea, "3", "50")
    posted = await me.press("Confirm")
    assert "✅ Sale" in joined(posted)
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == 0


async def test_a_bad_price_is_asked_again(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001", "1")

    assert joined(await me.send("-1")) == "A price cannot be negative."
    assert joined(await me.send("1.23456")) == "A price may have at most 4 decimals."
    assert "Added: A001 西湖龙井 × 1 @ 99.50 = 99.50" in joined(await me.send("99.5"))


async def test_cancel_mid_sale_posts_nothing(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001", "2")

    assert "Cancelled. Nothing was saved." in joined(await me.send("/cancel"))
    assert await documents(harness.db, "XS") == []
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == 10


async def test_a_double_tap_on_confirm_posts_one_sale(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/sale", "[Walk-in]", "[主仓库]", "A001", "2", "88", "[Done]")
    message, data = me.find_button("Confirm")

    await me.press_data(data, message)
    second = await me.press_data(data, message)

    assert joined(second) == "This button is no longer active."
    assert len(await documents(harness.db, "XS")) == 1
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == 8


async def test_a_sale_cannot_start_during_a_purchase(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]")

    assert "in the middle of something" in joined(await me.send("/sale"))
    assert "Which product?" in joined(await me.press("主仓库"))  # the purchase goes on


async def test_an_owner_selling_in_the_group_sees_no_profit(
    harness: BotHarness, shop: Shop
) -> None:
    group = group_chat(-100888)
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100888))
    owner = harness.person(1000, chat=group)

    said = await walk(owner, "/sale", "[Walk-in]", "[主仓库]", "A001", "1", "88", "[Done]")
    said += await owner.press("Confirm")

    assert "XS-" in joined(said) and "Total: 88.00" in joined(said)
    assert "profit" not in joined(said).lower()


async def test_void_and_copy_starts_a_prefilled_sale(harness: BotHarness, shop: Shop) -> None:
    sold = await shop.sell(shop.tea, "2", "90", actor=shop.clerk)
    me = harness.person(1002)
    message = {"message_id": 3, "date": 0, "text": "voided"}

    said = await me.press_data(f"1:copy.XS:{sold.document_id}", message)
    assert f"Copied from {sold.number}" in joined(said)
    assert "1. A001 西湖龙井 × 2 @ 90.00 = 180.00" in joined(said)
    busy = await me.press_data(f"1:copy.CG:{sold.document_id}", message)
    assert "in the middle of something" in joined(busy)  # a purchase does not start mid-sale
    await me.press("Confirm")

    sales = await documents(harness.db, "XS")
    assert len(sales) == 2
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == 6
