"""The low-stock alert as its recipients read it, and what its buttons do.

Sales over the past days give tea a known daily average: 42 sold in 30 days is 1.4 a day;
8 on hand lasts 5.7 days; 5 are on order; covering 30 days needs 29 more.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.alerts.models import Outbox
from core.alerts.rules import QuietProduct, quiet_product
from core.catalog.products import ChangeProduct, change_product
from core.orders.models import Order, OrderLine
from core.orders.order_rows import OrderLineInput
from core.orders.purchase_orders import CreatePurchaseOrder, create_purchase_order
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.groups import BindGroup, bind_group
from core.tenancy.preferences import ChooseLanguage, choose_language
from tests.bot.harness import BotHarness, group_chat, joined
from tests.bot.test_alert_delivery import deliver, sender, texts
from tests.support.shop import Shop, open_shop, rid

D = Decimal
OWNER, MANAGER = 1000, 1001
GROUP = -100777


def shanghai_today() -> date:
    """Core dates documents by the real clock, in the business's time zone."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def sell_on(shop: Shop, qty: str, days_ago: int = 0) -> None:
    cmd = PostShipment(
        request_id=rid("xs"),
        warehouse_id=shop.main,
        doc_date=shanghai_today() - timedelta(days=days_ago),
        lines=(ShipmentLine(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(10)),),
    )
    await post_shipment(shop.uow(), shop.manager, cmd)


async def buy(shop: Shop, qty: str, *, supplier: bool = True) -> None:
    cmd = PostReceipt(
        request_id=rid("cg"),
        warehouse_id=shop.main,
        supplier_id=shop.supplier_id if supplier else None,
        lines=(ReceiptLine(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(5)),),
    )
    await post_receipt(shop.uow(), shop.manager, cmd)


async def low_tea(harness: BotHarness, *, supplier: bool = True, group: bool = False) -> Shop:
    """Tea (point 10) sold down to 8 today, with 5 on order; the manager reads English."""
    shop = await open_shop(harness.db)
    await choose_language(shop.uow(), ChooseLanguage(user_id=MANAGER, locale="en"))
    if group:
        await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=GROUP))
    await change_product(
        shop.uow(), shop.owner, ChangeProduct(product_id=shop.tea.product_id, reorder_point=D(10))
    )
    await buy(shop, "50", supplier=supplier)
    for qty, days_ago in (("12", 3), ("9", 2), ("9", 1)):
        await sell_on(shop, qty, days_ago)  # 20 left: still above the point
    order = CreatePurchaseOrder(
        request_id=rid("po"),
        supplier_id=shop.supplier_id,
        lines=(OrderLineInput(product_id=shop.tea.product_id, qty=D(5), unit_price=D(5)),),
    )
    await create_purchase_order(shop.uow(), shop.manager, order)
    await sell_on(shop, "12")  # 8: crossed
    return shop


async def orders(
    harness: BotHarness,
) -> list[tuple[int | None, list[tuple[int, Decimal, Decimal]]]]:
    """(supplier, [(product, qty, price)]) of every order made in the chat, oldest first."""
    async with harness.db.reads() as session:
        rows = list(await session.scalars(select(Order).order_by(Order.id)))
        found = []
        for order in rows:
            lines = await session.execute(
                select(OrderLine.product_id, OrderLine.qty, OrderLine.unit_price)
                .where(OrderLine.order_id == order.id)
                .order_by(OrderLine.id)
            )
            found.append((order.supplier_id, [tuple(line) for line in lines]))
        return found


async def low_stock_rows(harness: BotHarness) -> int:
    async with harness.db.reads() as session:
        query = select(func.count()).select_from(Outbox).where(Outbox.kind == "low_stock")
        return int(await session.scalar(query) or 0)


async def test_the_owner_reads_it_in_chinese_and_the_manager_in_english(
    harness: BotHarness,
) -> None:
    await low_tea(harness)
    assert await deliver(harness, sender()) == 2

    (english,) = texts(harness, MANAGER)
    assert english == (
        "⚠️ <b>Low stock</b> · 西湖龙井 (A001)\n"
        "On hand: 8 盒 · reorder point 10 盒\n"
        "Average daily sales (30 days): 1.4 盒\n"
        "Days of cover: 5.7\n"
        "On order: 5 盒\n"
        "<b>Suggested order: 29 盒</b>\n"
        "Last supplier: 杭州茶厂 · last price 5.00"
    )
    (chinese,) = texts(harness, OWNER)
    assert "<b>库存预警</b> · 西湖龙井 (A001)" in chinese
    assert "现有 8 盒 · 安全库存 10 盒" in chinese
    assert "日均销量（30 天）：1.4 盒" in chinese
    assert "可售天数：5.7 天" in chinese
    assert "在途：5 盒" in chinese
    assert "建议采购：29 盒" in chinese
    assert "上次供应商：杭州茶厂 · 上次进价 5.00" in chinese

    manager = harness.person(MANAGER)
    owner = harness.person(OWNER, language="zh-hans")
    assert manager.buttons() == ["🧾 Create PO", "😴 Snooze 7 days", "🔕 Mute this product"]
    assert owner.buttons() == ["🧾 生成采购单", "😴 7 天内不再提醒", "🔕 不再提醒此商品"]


async def test_the_bound_group_gets_it_without_prices_or_buttons(harness: BotHarness) -> None:
    await low_tea(harness, group=True)
    assert await deliver(harness, sender()) == 3

    (text,) = texts(harness, GROUP)
    assert "建议采购：29 盒" in text
    assert "上次供应商：杭州茶厂" in text
    assert "5.00" not in text and "进价" not in text
    group = harness.person(OWNER, chat=group_chat(GROUP))
    assert group.messages()[-1].get("reply_markup") is None


async def test_a_product_restocked_before_the_alert_went_says_so(harness: BotHarness) -> None:
    shop = await low_tea(harness)
    await buy(shop, "20")  # 28 now
    await deliver(harness, sender())

    (text,) = texts(harness, MANAGER)
    assert "It fell to 8 盒 (reorder point 10 盒), and is back above its point now: 28 盒" in text
    assert harness.person(MANAGER).buttons() == ["😴 Snooze 7 days", "🔕 Mute this product"]


async def test_create_po_opens_the_order_prefilled_and_confirm_saves_it(
    harness: BotHarness,
) -> None:
    shop = await low_tea(harness)
    await deliver(harness, sender())
    manager = harness.person(MANAGER)

    summary = joined(await manager.press("Create PO"))
    assert "📥 <b>Purchase order</b>" in summary
    assert "From the reorder suggestions" in summary
    assert "Supplier: 杭州茶厂" in summary
    assert "A001" in summary and "29" in summary and "Total: 145.00" in summary
    assert "➕ Add another" in manager.buttons()
    saved = joined(await manager.press("Confirm"))

    assert "CGDD-" in saved
    assert await orders(harness) == [
        (shop.supplier_id, [(shop.tea.product_id, D(5), D(5))]),  # the order set up before
        (shop.supplier_id, [(shop.tea.product_id, D(29), D(5))]),
    ]


async def test_create_po_without_a_last_supplier_asks_for_one_first(
    harness: BotHarness,
) -> None:
    shop = await low_tea(harness, supplier=False)
    await deliver(harness, sender())
    manager = harness.person(MANAGER)
    assert "Last supplier: none yet" in texts(harness, MANAGER)[0]

    asked = joined(await manager.press("Create PO"))
    assert "Supplier?" in asked and "From the reorder suggestions" in asked
    summary = joined(await manager.press("杭州茶厂"))
    assert "Supplier: 杭州茶厂" in summary and "Total: 145.00" in summary
    await manager.press("Confirm")

    assert (await orders(harness))[-1] == (shop.supplier_id, [(shop.tea.product_id, D(29), D(5))])


async def test_a_second_create_po_press_mid_flow_is_answered_without_error(
    harness: BotHarness,
) -> None:
    await low_tea(harness)
    await deliver(harness, sender())
    manager = harness.person(MANAGER)
    message, data = manager.find_button("Create PO")

    await manager.press_data(data, message)
    again = joined(await manager.press_data(data, message))

    assert "You are in the middle of something" in again


async def recross(shop: Shop) -> None:
    """Restocked above the point, then sold down below it again."""
    await buy(shop, "20")
    await sell_on(shop, "20")


async def test_snooze_keeps_the_next_crossing_quiet_and_takes_the_buttons_away(
    harness: BotHarness,
) -> None:
    shop = await low_tea(harness)
    await deliver(harness, sender())
    manager = harness.person(MANAGER)

    answered = joined(await manager.press("Snooze 7 days"))
    until = (harness.clock() + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"Snoozed until {until:%Y-%m-%d %H:%M}" in answered
    assert manager.messages()[-1].get("reply_markup") is None
    stale = {"message_id": 1, "chat": manager.chat}
    assert "no longer active" in joined(await manager.press_data("1:reorder.snz:x", stale))

    await recross(shop)
    assert await low_stock_rows(harness) == 2  # only the first crossing's
    assert await deliver(harness, sender()) == 0


async def test_a_snooze_ends_after_seven_days(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await low_tea(harness)
    await deliver(harness, sender())
    await harness.person(MANAGER).press("Snooze 7 days")  # until the bot's clock + 7 days
    await recross(shop)
    assert await low_stock_rows(harness) == 2  # snoozed: the crossing stays quiet

    later = harness.clock() + timedelta(days=8)  # postings read core's clock
    monkeypatch.setattr("core.alerts.low_stock.utcnow", lambda: later)
    await recross(shop)

    assert await low_stock_rows(harness) == 4


async def test_mute_stops_alerts_and_unmute_on_reorder_brings_them_back(
    harness: BotHarness,
) -> None:
    shop = await low_tea(harness)
    await deliver(harness, sender())
    manager = harness.person(MANAGER)

    answered = joined(await manager.press("Mute this product"))
    assert "Muted: no more low-stock alerts about it. Unmute it from /reorder." in answered
    assert manager.messages()[-1].get("reply_markup") is None
    await recross(shop)
    assert await low_stock_rows(harness) == 2

    listed = joined(await manager.send("/reorder"))
    assert "🔕 <b>Muted or snoozed</b>" in listed
    assert "• A001 西湖龙井 · 8 / 10 盒 · suggest 50 盒 · muted" in listed  # 62 sold now
    shown = joined(await manager.press("🔔 Unmute A001"))
    assert "🔔 Alerts about A001 are on again." in shown
    assert "<b>杭州茶厂</b>: 1 product" in shown and "muted" not in shown

    await recross(shop)
    assert await low_stock_rows(harness) == 4
    assert await deliver(harness, sender()) == 2
    assert sum("Low stock" in text for text in texts(harness, MANAGER)) == 2


async def test_an_alert_muted_before_it_went_is_not_sent(harness: BotHarness) -> None:
    shop = await low_tea(harness)
    mute = QuietProduct(product_id=shop.tea.product_id, mute=True)
    await quiet_product(shop.uow(), shop.owner, mute, harness.clock())  # from another alert

    assert await deliver(harness, sender()) == 2  # marked sent, with nothing to say
    assert texts(harness, MANAGER) == [] and texts(harness, OWNER) == []
