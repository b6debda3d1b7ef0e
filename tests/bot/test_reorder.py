"""/reorder: what is at or below its point, by last supplier; one tap makes one purchase order."""

from decimal import Decimal

from sqlalchemy import select

from bot.render.alerts import ALL, po_button, po_request
from core.alerts.rules import QuietProduct, quiet_product
from core.alerts.suggestions import reorder_suggestions
from core.catalog.products import ChangeProduct, CreateProduct, change_product, create_product
from core.catalog.results import ProductView
from core.db.base import utcnow
from core.orders.models import Order, OrderLine
from core.orders.order_rows import OrderLineInput
from core.orders.purchase_orders import CreatePurchaseOrder, create_purchase_order
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.tenancy.groups import BindGroup, bind_group
from core.tenancy.preferences import ChooseLanguage, choose_language
from tests.bot.harness import BotHarness, group_chat, joined
from tests.support.shop import Shop, open_shop, rid

D = Decimal

MANAGER, CLERK, VIEWER = 1001, 1002, 1003


async def low(
    shop: Shop, product: ProductView, point: str, bought: str, sold: str, **how: str
) -> None:
    """Gives the product a point, buys (from the shop's supplier unless ``supplier="no"``)
    at ``price`` and sells it down."""
    await change_product(
        shop.uow(),
        shop.owner,
        ChangeProduct(product_id=product.product_id, reorder_point=D(point)),
    )
    cmd = PostReceipt(
        request_id=rid("cg"),
        warehouse_id=shop.main,
        supplier_id=None if how.get("supplier") == "no" else shop.supplier_id,
        lines=(
            ReceiptLine(
                product_id=product.product_id, qty=D(bought), unit_price=D(how.get("price", "5"))
            ),
        ),
    )
    await post_receipt(shop.uow(), shop.manager, cmd)
    await shop.sell(product, sold)


async def three_low(harness: BotHarness) -> tuple[Shop, ProductView]:
    """Tea and cups last bought from 杭州茶厂, a tray never bought from a supplier."""
    shop = await open_shop(harness.db)
    for user_id in (MANAGER, CLERK, VIEWER):
        await choose_language(shop.uow(), ChooseLanguage(user_id=user_id, locale="en"))
    tray = await create_product(
        shop.uow(), shop.owner, CreateProduct(request_id=rid(), sku="C003", name="茶盘", unit="个")
    )
    await low(shop, shop.tea, "10", "20", "12")  # 8; 0.4 a day: 4 more cover 30 days
    await low(shop, shop.cup, "5", "10", "8", price="3")  # 2; 0.267 a day: 7 more
    await low(shop, tray, "3", "4", "3", supplier="no", price="20")  # 1: 3 more (back above)
    return shop, tray


async def orders(
    harness: BotHarness,
) -> list[tuple[int | None, list[tuple[int, Decimal, Decimal]]]]:
    async with harness.db.reads() as session:
        found = []
        for order in await session.scalars(select(Order).order_by(Order.id)):
            lines = await session.execute(
                select(OrderLine.product_id, OrderLine.qty, OrderLine.unit_price)
                .where(OrderLine.order_id == order.id)
                .order_by(OrderLine.id)
            )
            found.append((order.supplier_id, [tuple(line) for line in lines]))
        return found


async def test_reorder_groups_low_products_by_last_supplier(harness: BotHarness) -> None:
    await three_low(harness)
    manager = harness.person(MANAGER)

    listed = joined(await manager.send("/reorder"))

    assert listed == (
        "📦 <b>What to reorder</b>\n"
        "\n"
        "<b>杭州茶厂</b>: 2 products\n"
        "• A001 西湖龙井 · 8 / 10 盒 · suggest 4 盒\n"
        "• B002 不锈钢杯 · 2 / 5 个 · suggest 7 个\n"
        "\n"
        "<b>No supplier yet</b>: 1 product\n"
        "• C003 茶盘 · 1 / 3 个 · suggest 3 个"
    )
    assert manager.buttons() == ["🧾 PO for 杭州茶厂 (2)", "🧾 PO, choose the supplier (1)"]


async def test_a_group_button_opens_one_purchase_order_with_all_its_lines(
    harness: BotHarness,
) -> None:
    shop, _tray = await three_low(harness)
    manager = harness.person(MANAGER)
    await manager.send("/reorder")

    summary = joined(await manager.press("PO for 杭州茶厂"))
    assert "Supplier: 杭州茶厂" in summary
    assert "1. A001 西湖龙井 × 4 @ 5.00 = 20.00" in summary
    assert "2. B002 不锈钢杯 × 7 @ 3.00 = 21.00" in summary
    message, data = manager.find_button("Confirm")
    await manager.press_data(data, message)
    await manager.press_data(data, message)  # a double tap saves one order

    assert await orders(harness) == [
        (shop.supplier_id, [(shop.tea.product_id, D(4), D(5)), (shop.cup.product_id, D(7), D(3))])
    ]


async def test_products_without_a_supplier_ask_for_one_at_their_last_cost(
    harness: BotHarness,
) -> None:
    shop, tray = await three_low(harness)
    manager = harness.person(MANAGER)
    await manager.send("/reorder")

    assert "Supplier?" in joined(await manager.press("PO, choose the supplier"))
    summary = joined(await manager.press("杭州茶厂"))
    assert "1. C003 茶盘 × 3 @ 20.00 = 60.00" in summary
    await manager.press("Confirm")

    assert await orders(harness) == [(shop.supplier_id, [(tray.product_id, D(3), D(20))])]


async def test_a_group_too_long_for_its_button_is_recomputed_when_pressed(
    harness: BotHarness,
) -> None:
    shop, _tray = await three_low(harness)
    many = po_button("x", shop.business_id, shop.supplier_id, None, range(1000, 1030))
    assert many.callback_data == f"1:reorder.po:{shop.business_id}:{shop.supplier_id}:0:{ALL}"
    wanted = po_request(str(many.callback_data))
    assert wanted is not None and wanted.product_ids is None
    manager = harness.person(MANAGER)

    summary = joined(await manager.press_data(str(many.callback_data), {"message_id": 1}))

    assert "A001" in summary and "B002" in summary and "C003" not in summary


async def test_a_clerk_may_see_it_and_a_viewer_is_refused(harness: BotHarness) -> None:
    await three_low(harness)

    assert "<b>杭州茶厂</b>: 2 products" in joined(await harness.person(CLERK).send("/reorder"))
    refused = joined(await harness.person(VIEWER).send("/reorder"))
    assert "Your role (viewer) may not do this" in refused


async def test_in_the_group_chat_only_the_text_goes(harness: BotHarness) -> None:
    shop, _tray = await three_low(harness)
    chat = group_chat(-100555)
    await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=chat["id"]))
    clerk = harness.person(CLERK, chat=chat)

    listed = joined(await clerk.send("/reorder"))

    assert "• A001 西湖龙井 · 8 / 10 盒 · suggest 4 盒" in listed
    assert clerk.messages()[-1].get("reply_markup") is None


async def test_nothing_low_is_one_friendly_line_also_from_the_more_menu(
    harness: BotHarness,
) -> None:
    await open_shop(harness.db)
    manager = harness.person(MANAGER)
    await manager.send("☰ More")

    answered = joined(await manager.press("What to reorder"))

    assert answered == "✅ Nothing to reorder: every product is above its reorder point."


async def test_stale_and_foreign_presses_are_answered_without_error(harness: BotHarness) -> None:
    await three_low(harness)
    manager = harness.person(MANAGER)
    somewhere = {"message_id": 1}

    for data in ("1:reorder.on:x", "1:reorder.mute:1", "1:reorder.po:1:2"):
        assert "no longer active" in joined(await manager.press_data(data, somewhere))
    elsewhere = joined(await manager.press_data("1:reorder.po:999:0:0:1", somewhere))
    assert "another business" in elsewhere


async def test_a_group_restocked_since_it_was_listed_has_nothing_to_order(
    harness: BotHarness,
) -> None:
    shop, _tray = await three_low(harness)
    manager = harness.person(MANAGER)
    await manager.send("/reorder")
    await shop.receive(shop.tea, "50", "5")
    await shop.receive(shop.cup, "50", "3")

    answered = joined(await manager.press("PO for 杭州茶厂"))

    assert answered == "Nothing to order now: these products are above their reorder point again."
    assert await orders(harness) == []


async def test_a_product_whose_order_covers_it_is_listed_without_a_line_to_order(
    harness: BotHarness,
) -> None:
    shop, _tray = await three_low(harness)
    order = CreatePurchaseOrder(
        request_id=rid("po"),
        supplier_id=shop.supplier_id,
        lines=(OrderLineInput(product_id=shop.tea.product_id, qty=D(10), unit_price=D(5)),),
    )
    await create_purchase_order(shop.uow(), shop.manager, order)
    manager = harness.person(MANAGER)

    listed = joined(await manager.send("/reorder"))
    assert "• A001 西湖龙井 · 8 / 10 盒 · on order covers it" in listed
    assert "🧾 PO for 杭州茶厂 (1)" in manager.buttons()
    summary = joined(await manager.press("PO for 杭州茶厂"))

    assert "B002" in summary and "A001" not in summary


async def test_a_muted_product_back_above_its_point_can_still_be_unmuted(
    harness: BotHarness,
) -> None:
    shop, _ = await three_low(harness)
    await quiet_product(
        shop.uow(), shop.manager, QuietProduct(product_id=shop.tea.product_id, mute=True), utcnow()
    )
    await shop.receive(shop.tea, "50", "5")  # 58: far above its point of 10
    manager = harness.person(MANAGER)
    listed = joined(await manager.send("/reorder"))
    assert "A001" in listed and "muted" in listed
    await manager.press("🔔 Unmute A001")
    found = await reorder_suggestions(shop.uow(), shop.manager, utcnow().date())
    assert shop.tea.product_id not in {s.product_id for s in found}  # not low, not quiet
