"""/orders: open orders, their cards, receiving or shipping the rest, placing, cancelling."""

from decimal import Decimal

from sqlalchemy import func, select

from core.finance.accounts import party_account
from core.finance.models import PartyKind
from core.inventory.models import Document
from core.inventory.stock import on_hand, stock_card
from core.orders.order_rows import OrderLineInput
from core.orders.purchase_orders import CreatePurchaseOrder, create_purchase_order
from core.orders.results import OrderView
from core.orders.sales_orders import CreateSalesOrder, create_sales_order
from tests.bot.harness import BotHarness, joined
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def purchase_order(shop: Shop, qty: str, *, place: bool = True) -> OrderView:
    return await create_purchase_order(
        shop.uow(),
        shop.clerk,
        CreatePurchaseOrder(
            request_id=rid("po"),
            supplier_id=shop.supplier_id,
            lines=(OrderLineInput(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(5)),),
            place=place,
        ),
    )


async def sales_order(shop: Shop, qty: str) -> OrderView:
    return await create_sales_order(
        shop.uow(),
        shop.clerk,
        CreateSalesOrder(
            request_id=rid("so"),
            customer_id=shop.customer_id,
            lines=(OrderLineInput(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(9)),),
        ),
    )


async def documents(harness: BotHarness, doc_type: str) -> int:
    async with harness.db.reads() as session:
        query = select(func.count()).select_from(Document).where(Document.doc_type == doc_type)
        return int(await session.scalar(query) or 0)


async def tea(shop: Shop) -> Decimal:
    return await on_hand(shop.uow(), shop.owner, shop.tea.product_id, shop.main)


async def test_a_clerk_receives_the_rest_of_a_purchase_order_once(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    order = await purchase_order(shop, "10")
    clerk = harness.person(shop.clerk.user_id, language="en")

    listed = joined(await clerk.send("/orders"))
    assert "📥 Purchase orders: open, newest first." in listed
    card = joined(await clerk.press(order.number))
    assert "杭州茶厂" in card and "0 of 10 盒 received" in card
    assert "created" in card and "placed" in card
    assert "✖ Cancel the order" not in clerk.buttons()  # placed: a manager's decision

    asked = joined(await clerk.press("📥 Receive the rest"))
    assert "How is it paid?" in asked and "📒 On credit" in clerk.buttons()
    message, data = clerk.find_button("📒 On credit")
    posted = joined(await clerk.press_data(data, message))
    assert "✅ Receipt <b>CG-" in posted
    assert "10 of 10 盒 received" in posted and "complete" in posted
    await clerk.press_data(data, message)  # a double tap (or an old card): posted once
    assert await documents(harness, "CG") == 1
    assert await tea(shop) == D(10)
    owed = await party_account(shop.uow(), shop.manager, PartyKind.SUPPLIER, shop.supplier_id)
    assert owed.balance > 0  # received on credit: payable


async def test_sales_orders_are_shipped_from_their_tab_in_chinese(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    order = await sales_order(shop, "4")
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    await clerk.send("/orders")
    listed = joined(await clerk.press("📤 销售订单"))
    assert "📤 销售订单：未完成的，最新的在前。" in listed
    card = joined(await clerk.press(order.number))
    assert "王老板" in card and "已发货 0 / 4 盒" in card
    await clerk.press("📤 发出剩余货物")
    shipped = joined(await clerk.press("✅ 微信"))
    assert "✅ 销售单" in shipped and "已完成" in shipped
    assert await tea(shop) == D(6)
    card = await stock_card(shop.uow(), shop.viewer, product_id=shop.tea.product_id)
    assert card.reserved == D(0)


async def test_a_manager_cancels_after_confirming_and_the_hold_is_released(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    order = await sales_order(shop, "6")
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/orders")
    await manager.press("📤 Sales orders")
    await manager.press(order.number)

    asked = joined(await manager.press("✖ Cancel the order"))
    assert f"Cancel <b>{order.number}</b>?" in asked
    kept = joined(await manager.press("No", exact=True))
    assert "0 of 6 盒 shipped" in kept and "✖ Cancel the order" in manager.buttons()
    await manager.press("✖ Cancel the order")
    cancelled = joined(await manager.press("Yes, cancel it"))
    assert "cancelled" in cancelled
    card = await stock_card(shop.uow(), shop.viewer, product_id=shop.tea.product_id)
    assert (card.reserved, card.available) == (D(0), D(10))


async def test_a_draft_is_placed_from_its_card(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    draft = await purchase_order(shop, "3", place=False)
    clerk = harness.person(shop.clerk.user_id, language="en")
    await clerk.send("/orders")
    assert not any(draft.number in label for label in clerk.buttons())  # drafts are not open
    await clerk.press("📤 Sales orders")  # and back
    await clerk.press("📥 Purchase orders")

    from core.orders.order_states import get_order

    assert (await get_order(shop.uow(), shop.clerk, draft.order_id)).status == "draft"
    message = {"message_id": 1, "chat": clerk.chat}
    card = joined(await clerk.press_data(f"1:order:{draft.order_id}", message))
    assert "a draft" in card
    placed = joined(await clerk.press("📨 Place the order"))
    assert "open" in placed and "placed" in placed


async def test_a_viewer_sees_no_orders(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    viewer = harness.person(shop.viewer.user_id, language="en")
    assert "may not do this" in joined(await viewer.send("/orders"))


async def test_part_of_a_purchase_order_is_received_and_more_needs_confirming(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    order = await purchase_order(shop, "10")
    clerk = harness.person(shop.clerk.user_id, language="en")
    await clerk.send("/orders")
    await clerk.press(order.number)

    asked = joined(await clerk.press("✏️ Receive part…"))
    assert "1. A001 西湖龙井: 10 盒 to come" in asked
    assert "is not a line number" in joined(await clerk.send("A001 4"))
    assert "Quantity must be greater than 0." in joined(await clerk.send("1 -4"))
    summary = joined(await clerk.send("1 4"))
    assert "• A001 西湖龙井 × 4 盒" in summary and "✅ Cash" in clerk.buttons()
    message, data = clerk.find_button("✅ Cash")
    posted = joined(await clerk.press_data(data, message))
    await clerk.press_data(data, message)  # a double tap posts once
    assert "✅ Receipt <b>CG-" in posted and "4 of 10 盒 received" in posted
    assert await tea(shop) == D(4)

    await clerk.press("✏️ Receive part…")
    over = joined(await clerk.send("1 8"))
    assert "(more than the 6 ordered)" in over and "confirms taking more" in over
    await clerk.press("📒 On credit")
    assert await tea(shop) == D(12)
    assert await documents(harness, "CG") == 2


async def test_part_of_a_sales_order_is_shipped_in_chinese(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    order = await sales_order(shop, "6")
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await clerk.send("/orders")
    await clerk.press("📤 销售订单")
    await clerk.press(order.number)
    assert "还差 6 盒" in joined(await clerk.press("✏️ 部分发货…"))
    await clerk.send("1 2")
    shipped = joined(await clerk.press("📒 赊账"))
    assert "✅ 销售单" in shipped and "已发货 2 / 6 盒" in shipped
    card = await stock_card(shop.uow(), shop.viewer, product_id=shop.tea.product_id)
    assert (card.on_hand, card.reserved) == (D(8), D(4))
