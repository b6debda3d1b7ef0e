"""/po and /so: orders made with the receipt's and sale's steps, ending on the order's card."""

from decimal import Decimal

from sqlalchemy import func, select

from core.inventory.models import Document
from core.inventory.stock import stock_card
from core.orders.models import Order
from tests.bot.harness import BotHarness, joined
from tests.support.shop import Shop, open_shop

D = Decimal


async def count(harness: BotHarness, model: type) -> int:
    async with harness.db.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def card(shop: Shop) -> tuple[Decimal, Decimal, Decimal]:
    found = await stock_card(shop.uow(), shop.viewer, product_id=shop.tea.product_id)
    return found.on_hand, found.on_order, found.reserved


async def test_a_purchase_order_is_made_in_the_chat_and_is_on_order(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    clerk = harness.person(shop.clerk.user_id, language="en")

    asked = joined(await clerk.send("/po"))
    assert "📥 <b>Purchase order</b>" in asked
    assert "➖ No supplier" not in clerk.buttons()  # an order is always to a supplier
    await clerk.press("杭州茶厂")
    await clerk.press(clerk.buttons()[0])  # the main warehouse
    await clerk.send("A001")
    await clerk.send("10")
    await clerk.send("5")
    summary = joined(await clerk.press("Done"))
    assert "📥 <b>Purchase order</b>" in summary and "Total: 50.00" in summary

    message, data = clerk.find_button("Confirm")
    saved = joined(await clerk.press_data(data, message))
    await clerk.press_data(data, message)  # a double tap saves one order
    assert "CGDD-" in saved and "0 of 10 盒 received" in saved
    assert "📥 Receive the rest" in clerk.buttons()
    assert await count(harness, Order) == 1 and await count(harness, Document) == 0
    assert await card(shop) == (D(0), D(10), D(0))

    await clerk.press("📥 Receive the rest")
    received = joined(await clerk.press("✅ Bank transfer"))
    assert "✅ Receipt <b>CG-" in received
    assert await card(shop) == (D(10), D(0), D(0))


async def test_a_sales_order_holds_stock_and_refuses_more_than_is_available_in_chinese(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    assert "📤 <b>销售订单</b>" in joined(await clerk.send("/so"))
    await clerk.press("🚶 散客")
    await clerk.press(clerk.buttons()[0])
    await clerk.send("A001")
    assert "10 盒" in joined(await clerk.send("11"))  # more than available: asked again
    await clerk.send("6")
    await clerk.press("售价")
    await clerk.press("完成")
    saved = joined(await clerk.press("确认"))
    assert "XSDD-" in saved and "已发货 0 / 6 盒" in saved
    assert "散客" in saved and "· 确认" in saved  # a sales order is confirmed, not placed
    assert await card(shop) == (D(10), D(0), D(6))

    other = harness.person(shop.manager.user_id, language="zh-hans")
    await other.send("/sale")
    await other.press("🚶 散客")
    await other.press(other.buttons()[0])
    assert "可用 4 盒" in joined(await other.send("A001"))


async def test_the_more_menu_starts_both(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    clerk = harness.person(shop.clerk.user_id, language="en")
    message = {"message_id": 1, "chat": clerk.chat}
    assert "Purchase order" in joined(await clerk.press_data("1:cmd:po", message))
    await clerk.send("/cancel")
    assert "Sales order" in joined(await clerk.press_data("1:cmd:so", message))
