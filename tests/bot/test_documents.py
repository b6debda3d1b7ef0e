"""/docs: the list, its filters and pages, a document's card, and a manager's void."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.render import callbacks as cb
from core.inventory.history import document_card
from core.inventory.models import StockMove
from core.inventory.stock import stock_card
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from tests.bot.harness import BotHarness, joined
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def a_shop(harness: BotHarness) -> Shop:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "100", "3")
    return shop


async def sell_to_wang(shop: Shop, qty: str = "2") -> int:
    line = ShipmentLine(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(10))
    cmd = PostShipment(request_id=rid(), customer_id=shop.customer_id, lines=(line,))
    return (await post_shipment(shop.uow(), shop.clerk, cmd)).document_id


async def on_hand(shop: Shop) -> Decimal:
    return (await stock_card(shop.uow(), shop.manager, sku="A001")).on_hand


async def test_docs_pages_ten_at_a_time_both_ways(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    for _ in range(12):
        await shop.sell(shop.tea, "1")
    clerk = harness.person(shop.clerk.user_id)

    first = joined(await clerk.send("/docs"))

    assert "📄 Documents" in first
    assert first.count("XS-") == 10 and "CG-" not in first
    assert "XS-2026-00012" in first or "-00012" in first
    assert "▶" in clerk.buttons() and "◀" not in clerk.buttons()
    older = joined(await clerk.press("▶", exact=True))
    assert older.count("XS-") == 2 and "CG-" in older
    assert "◀" in clerk.buttons() and "▶" not in clerk.buttons()
    back = joined(await clerk.press("◀", exact=True))
    assert back.count("XS-") == 10 and "-00012" in back


async def test_the_type_filter_shows_only_that_type_and_all_resets(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    await shop.sell(shop.tea, "1")
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    assert "📄 单据" in joined(await clerk.send("/docs"))
    receipts = joined(await clerk.press("采购 CG"))
    assert "采购入库" in receipts and "CG-" in receipts and "XS-" not in receipts
    assert "• 采购 CG" in clerk.buttons()
    everything = joined(await clerk.press("全部"))
    assert "CG-" in everything and "XS-" in everything


async def test_the_more_menu_button_lists_documents(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    clerk = harness.person(shop.clerk.user_id)
    assert harness.app is not None
    await harness.app.bot.send_message(clerk.chat["id"], "More:")
    message = clerk.messages()[-1]

    said = joined(await clerk.press_data(cb.pack("cmd", "docs"), message))

    assert "📄 Documents" in said and "CG-" in said


async def test_docs_by_product_and_by_customer(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    await shop.receive(shop.cup, "5", "2")
    await sell_to_wang(shop)
    clerk = harness.person(shop.clerk.user_id)

    by_cup = joined(await clerk.send("/docs B002"))
    by_wang = joined(await clerk.send("/docs 王老板"))
    nothing = joined(await clerk.send("/docs nosuchthing"))

    assert "B002" in by_cup and by_cup.count("CG-") == 1 and "XS-" not in by_cup
    assert "王老板" in by_wang and by_wang.count("XS-") == 1 and "CG-" not in by_wang
    assert "No product, supplier or customer matches" in nothing


async def test_a_clerk_sees_the_card_without_costs_and_can_undo_but_not_void(
    harness: BotHarness,
) -> None:
    shop = await a_shop(harness)
    sale_id = await sell_to_wang(shop)
    clerk = harness.person(shop.clerk.user_id)
    await clerk.send("/docs")

    card = joined(await clerk.press("XS-"))

    posted = (await document_card(shop.uow(), shop.clerk, sale_id)).posted_at
    local = posted.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert "<b>XS-" in card and "Sale" in card
    assert f"posted {local} by" in card
    assert "Customer: 王老板" in card and "Warehouse: 主仓库" in card
    assert "1. A001 西湖龙井 × 2 盒 @ 10.00 = 20.00" in card
    assert "Total: 20.00 CNY" in card
    assert "Cost" not in card and "cost" not in card and "profit" not in card
    assert "Undo possible until" in card
    labels = clerk.buttons()
    assert "↩ Undo" in labels
    assert not any("Void" in label for label in labels)


async def test_a_manager_sees_costs_and_void_buttons_in_chinese(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    await sell_to_wang(shop)
    manager = harness.person(shop.manager.user_id, language="zh-hans")
    await manager.send("/docs")

    card = joined(await manager.press("XS-"))

    assert "客户：王老板" in card and "成本：6.00" in card and "毛利：14.00" in card
    assert "(成本 6.00)" in card
    assert {"↩ 撤销", "🗑 作废…", "🗑📝 作废并复制"} <= set(manager.buttons())


async def test_a_manager_voids_with_a_reason_and_the_stock_comes_back(
    harness: BotHarness,
) -> None:
    shop = await a_shop(harness)
    sale_id = await sell_to_wang(shop)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/docs")
    await manager.press("XS-")

    asked = joined(await manager.press("Void…"))
    assert "Type the reason" in asked
    too_long = joined(await manager.send("x" * 201))
    assert "at most 200 characters" in too_long
    summary = joined(await manager.send("wrong customer"))
    assert "Reason: wrong customer" in summary
    message, data = manager.find_button("🗑 Void XS-")
    done = joined(await manager.press_data(data, message))
    again = joined(await manager.press_data(data, message))  # a double tap

    assert "voided: its stock moves were reversed (1)." in done
    assert "Reason: wrong customer" in done
    assert "This button is no longer active." in again
    assert await on_hand(shop) == D(100)
    card = await document_card(shop.uow(), shop.manager, sale_id)
    assert (card.status, card.void_reason) == ("voided", "wrong customer")
    async with harness.db.reads() as session:
        reversals = list(
            await session.scalars(
                select(StockMove.id).where(
                    StockMove.document_id == sale_id, StockMove.reverses_id.is_not(None)
                )
            )
        )
    assert len(reversals) == 1

    await manager.send("/docs")
    shown = joined(await manager.press("XS-"))
    assert "Voided" in shown and "Reason: wrong customer" in shown
    assert not any("Void" in label or "Undo" in label for label in manager.buttons())


async def test_cancelling_a_void_voids_nothing(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    await sell_to_wang(shop)
    manager = harness.person(shop.manager.user_id, language="zh-hans")
    await manager.send("/docs")
    await manager.press("XS-")
    await manager.press("作废…")
    await manager.send("写错了")

    said = joined(await manager.press("取消"))

    assert "没有保存" in said
    assert await on_hand(shop) == D(98)


async def test_a_clerks_forged_void_press_is_refused(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    sale_id = await sell_to_wang(shop)
    clerk = harness.person(shop.clerk.user_id)
    await clerk.send("/docs")
    await clerk.press("XS-")
    message = clerk.messages()[-1]

    said = joined(await clerk.press_data(cb.pack("void", sale_id), message))

    assert "Only managers and the owner can void documents." in said
    assert "Type the reason" not in said
    assert await on_hand(shop) == D(98)
    assert (await document_card(shop.uow(), shop.clerk, sale_id)).status == "posted"


async def test_void_and_copy_offers_the_copy_button(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    sale_id = await sell_to_wang(shop)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/docs")
    await manager.press("XS-")

    asked = joined(await manager.press("Void and copy"))
    assert "copy it into a new document" in asked
    await manager.send("price was wrong")
    await manager.press("🗑 Void XS-")

    message, data = manager.find_button("📝 Copy into a new document")
    assert data == cb.pack("copy.XS", sale_id)
    assert await on_hand(shop) == D(100)
    del message


async def test_a_viewer_may_not_list_documents(harness: BotHarness) -> None:
    shop = await a_shop(harness)
    viewer = harness.person(shop.viewer.user_id)

    said = joined(await viewer.send("/docs"))

    assert "Your role (viewer) may not do this." in said
