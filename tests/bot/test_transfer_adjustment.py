"""Transfers (调拨) and adjustments (调整) end to end through the real Application."""

from decimal import Decimal

from sqlalchemy import func, select

from bot.render import callbacks as cb
from core.catalog.results import ProductView
from core.catalog.warehouses import CreateWarehouse, create_warehouse, list_warehouses
from core.inventory.models import Document
from core.inventory.stock import on_hand
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from core.tenancy.groups import BindGroup, bind_group
from tests.bot.harness import BotHarness, group_chat, joined
from tests.support.shop import Shop, open_shop, rid


async def stocked(harness: BotHarness) -> Shop:
    """The test shop with 10 A001 at 5.00 and 4 B002 at 2.00 in the main warehouse."""
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    await shop.receive(shop.cup, "4", "2")
    return shop


async def stock(shop: Shop, product: ProductView, warehouse: int | None = None) -> Decimal:
    return await on_hand(shop.uow(), shop.owner, product.product_id, warehouse or shop.main)


async def names(shop: Shop) -> tuple[str, str]:
    warehouses = {w.warehouse_id: w.name for w in await list_warehouses(shop.uow(), shop.owner)}
    return warehouses[shop.main], warehouses[shop.second]


async def documents(harness: BotHarness, doc_type: str) -> int:
    async with harness.db.reads() as session:
        query = select(func.count()).select_from(Document).where(Document.doc_type == doc_type)
        return int(await session.scalar(query) or 0)


# --- transfer --------------------------------------------------------------------------------


async def test_a_clerk_transfers_two_products_and_both_warehouses_change(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    main, second = await names(shop)
    clerk = harness.person(shop.clerk.user_id)

    route = joined(await clerk.send("/transfer"))
    assert "from which warehouse to which?" in route
    assert clerk.buttons()[:2] == [f"{main} → {second}", f"{second} → {main}"]
    asked = joined(await clerk.press(f"{main} → {second}"))
    assert f"{main} → {second}. Which product?" in asked

    ask = joined(await clerk.send("A001"))
    assert f"How many <b>A001 西湖龙井</b> to move? {main} has 10 盒." in ask
    assert "greater than 0" in joined(await clerk.send("0"))
    assert "at most 3 decimals" in joined(await clerk.send("1.0001"))
    refused = joined(await clerk.send("11"))
    assert f"{main} has only 10 盒 of A001 西湖龙井. Type at most 10." in refused
    added = joined(await clerk.send("6"))
    assert "• A001 西湖龙井 × 6 盒" in added
    await clerk.send("B002")
    await clerk.send("1.5")
    await clerk.send("A001")  # again: what is left for it is 4
    assert "has 4 盒" in clerk.last_text()
    await clerk.send("1")

    summary = joined(await clerk.press("Done"))
    assert f"Transfer <b>{main}</b> → <b>{second}</b>:" in summary
    assert "• A001 西湖龙井 × 7 盒" in summary and "• B002 不锈钢杯 × 1.5 个" in summary
    posted = joined(await clerk.press("Post transfer"))

    assert "✅ Transfer <b>DB" in posted
    assert "↩ Undo" in clerk.buttons()
    assert await stock(shop, shop.tea) == Decimal(3)
    assert await stock(shop, shop.tea, shop.second) == Decimal(7)
    assert await stock(shop, shop.cup) == Decimal("2.5")
    assert await stock(shop, shop.cup, shop.second) == Decimal("1.5")


async def test_a_transfer_in_chinese_with_three_warehouses_asks_source_then_destination(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    await create_warehouse(shop.uow(), shop.owner, CreateWarehouse(request_id=rid(), name="门店"))
    main, _second = await names(shop)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    assert "调拨：从哪个仓库调出？" in joined(await clerk.send("🔁 调拨"))
    assert f"从 <b>{main}</b> 调到哪个仓库？" in joined(await clerk.press(main))
    assert main not in clerk.buttons()  # the source is not offered as the destination
    await clerk.press("门店")
    await clerk.send("A001")
    assert "最多输入 10" in joined(await clerk.send("12"))
    await clerk.send("2")
    await clerk.press("完成")
    posted = joined(await clerk.press("调拨过账"))

    assert "调拨单 <b>DB" in posted
    assert await stock(shop, shop.tea) == Decimal(8)


async def test_a_transfer_to_the_same_warehouse_is_refused(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id)
    await clerk.send("/transfer")
    message, _data = clerk.find_button("→")

    same = await clerk.press_data(cb.pack("tr.pair", shop.main, shop.main), message)

    assert "must be different warehouses" in joined(same)
    chosen = await clerk.press_data(cb.pack("tr.pair", shop.main, shop.second), message)
    assert "Which product?" in joined(chosen)


async def test_a_business_with_one_warehouse_is_told_to_add_one(harness: BotHarness) -> None:
    owner = harness.person(7001)
    await owner.send("/start")
    await owner.send("Corner Shop")
    await owner.press("CNY, Asia/Shanghai")

    answer = joined(await owner.send("/transfer"))

    assert "only one warehouse" in answer and "/warehouses" in answer


async def test_negative_stock_allowed_lets_a_transfer_exceed_on_hand(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(allow_negative_stock=True)
    )
    manager = harness.person(shop.manager.user_id)
    main, second = await names(shop)
    await manager.send("/transfer")
    await manager.press(f"{main} → {second}")
    await manager.send("A001")
    await manager.send("12")
    await manager.press("Done")
    await manager.press("Post transfer")

    assert await stock(shop, shop.tea) == Decimal(-2)
    assert await stock(shop, shop.tea, shop.second) == Decimal(12)


async def test_a_double_tap_on_post_transfer_posts_once(harness: BotHarness) -> None:
    shop = await stocked(harness)
    main, second = await names(shop)
    clerk = harness.person(shop.clerk.user_id)
    await clerk.send("/transfer")
    await clerk.press(f"{second} → {main}")  # nothing there; negative stock is off
    await clerk.send("A001")
    assert "has 0 盒" in clerk.last_text()
    assert "has only 0" in joined(await clerk.send("1"))
    await clerk.send("/cancel")
    await clerk.send("/transfer")
    await clerk.press(f"{main} → {second}")
    await clerk.send("B002")
    await clerk.send("4")
    await clerk.press("Done")
    message, data = clerk.find_button("Post transfer")

    await clerk.press_data(data, message)
    await clerk.press_data(data, message)

    assert await documents(harness, "DB") == 1
    assert await stock(shop, shop.cup, shop.second) == Decimal(4)


async def test_cancel_mid_transfer_posts_nothing(harness: BotHarness) -> None:
    shop = await stocked(harness)
    main, second = await names(shop)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await clerk.send("/transfer")
    await clerk.press(f"{main} → {second}")
    await clerk.send("A001")

    assert "已取消" in joined(await clerk.press("取消"))
    assert await documents(harness, "DB") == 0
    assert await stock(shop, shop.tea) == Decimal(10)


async def test_a_transfer_is_announced_in_the_bound_group(harness: BotHarness) -> None:
    shop = await stocked(harness)
    await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=-100779))
    harness.api.know_chat(group_chat(-100779))
    main, second = await names(shop)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/transfer")
    await manager.press(f"{main} → {second}")
    await manager.send("A001")
    await manager.send("2")
    await manager.press("Done")
    await manager.press("Post transfer")

    [announced] = [
        c.params["text"]
        for c in harness.api.calls
        if c.method == "sendMessage" and c.params["chat_id"] == -100779
    ]
    assert f"{main} → {second}" in announced and "A001 西湖龙井 × 2" in announced


async def test_void_and_copy_of_a_transfer_opens_the_summary_prefilled(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    main, second = await names(shop)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/transfer")
    await manager.press(f"{main} → {second}")
    await manager.send("A001")
    await manager.send("3")
    await manager.press("Done")
    await manager.press("Post transfer")
    message, undo = manager.find_button("Undo")
    document_id = cb.args(undo)[0]

    summary = joined(await manager.press_data(cb.pack("copy.DB", document_id), message))

    assert f"Transfer <b>{main}</b> → <b>{second}</b>:" in summary
    assert "• A001 西湖龙井 × 3 盒" in summary
    await manager.press("Post transfer")
    assert await documents(harness, "DB") == 2
    assert await stock(shop, shop.tea, shop.second) == Decimal(6)


# --- adjustment ------------------------------------------------------------------------------


async def test_a_manager_adjusts_a_loss_with_a_reason_and_sees_its_value(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    main, _second = await names(shop)
    manager = harness.person(shop.manager.user_id)

    assert "Adjustment: in which warehouse?" in joined(await manager.send("/adjust"))
    await manager.press(main)
    ask = joined(await manager.send("A001"))
    assert f"10 盒 on hand in {main}" in ask
    assert "Start with +" in joined(await manager.send("2"))
    assert "greater than 0" in joined(await manager.send("-0"))
    assert "at most 3 decimals" in joined(await manager.send("-0.0001"))
    assert "Only 10 盒 on hand" in joined(await manager.send("-11"))
    await manager.send("−2")  # a typographic minus works too
    assert manager.buttons()[:3] == ["Damaged", "Lost", "Other…"]

    summary = joined(await manager.press("Damaged"))
    assert "A001 西湖龙井: 10 → 8 (-2 盒)" in summary
    assert "Reason: Damaged" in summary
    assert "Value: -10.00" in summary
    posted = joined(await manager.press("Post adjustment"))

    assert "✅ Adjustment <b>TZ" in posted and "Value: -10.00" in posted
    assert "↩ Undo" in manager.buttons()
    assert await stock(shop, shop.tea) == Decimal(8)
    async with harness.db.reads() as session:
        note = await session.scalar(select(Document.note).where(Document.doc_type == "TZ"))
    assert note == "Damaged"


async def test_an_owner_books_a_find_with_a_typed_reason_in_chinese(harness: BotHarness) -> None:
    shop = await stocked(harness)
    main, _second = await names(shop)
    owner = harness.person(shop.owner.user_id, language="zh-hans")
    await owner.send("/adjust")
    await owner.press(main)
    await owner.send("B002")
    await owner.send("+3")
    assert owner.buttons()[:2] == ["盘盈/找到", "其他…"]
    assert "请输入原因" in joined(await owner.press("其他"))

    summary = joined(await owner.send("仓库角落找到"))
    assert "B002 不锈钢杯：4 → 7（+3 个）" in summary and "原因：仓库角落找到" in summary
    posted = joined(await owner.press("调整过账"))

    assert "调整单 <b>TZ" in posted
    assert await stock(shop, shop.cup) == Decimal(7)


async def test_a_clerk_is_told_at_the_entry_that_adjusting_is_for_managers(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    viewer = harness.person(shop.viewer.user_id)

    assert "只有经理和老板可以调整库存" in joined(await clerk.send("/adjust"))
    message = {"message_id": 1, "chat": viewer.chat}
    assert "Only managers and the owner" in joined(
        await viewer.press_data("1:cmd:adjust", message)
    )
    assert await documents(harness, "TZ") == 0


async def test_a_double_tap_on_post_adjustment_posts_once_and_cancel_posts_nothing(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    main, _second = await names(shop)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/adjust")
    await manager.press(main)
    await manager.send("A001")
    await manager.send("/cancel")
    assert await documents(harness, "TZ") == 0

    await manager.send("/adjust")
    await manager.press(main)
    await manager.send("A001")
    await manager.send("-1")
    await manager.press("Lost")
    message, data = manager.find_button("Post adjustment")
    await manager.press_data(data, message)
    second = await manager.press_data(data, message)

    assert "no longer active" in joined(second)
    assert await documents(harness, "TZ") == 1
    assert await stock(shop, shop.tea) == Decimal(9)


async def test_a_transfer_survives_a_restart_and_times_out_when_left(harness: BotHarness) -> None:
    shop = await stocked(harness)
    main, second = await names(shop)
    clerk = harness.person(shop.clerk.user_id)
    await clerk.send("/transfer")
    await clerk.press(f"{main} → {second}")
    await clerk.send("A001")

    await harness.restart()
    await clerk.send("2")
    await clerk.press("Done")
    harness.clock.advance(minutes=31)

    assert "idle too long" in joined(await clerk.press("Post transfer"))
    assert await documents(harness, "DB") == 0
    assert await stock(shop, shop.tea) == Decimal(10)
