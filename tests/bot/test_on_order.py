"""The stock card shows what purchase orders still expect and what sales orders hold."""

from decimal import Decimal

from core.orders.order_rows import OrderLineInput
from core.orders.purchase_orders import CreatePurchaseOrder, create_purchase_order
from core.orders.sales_orders import CreateSalesOrder, create_sales_order
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from tests.bot.harness import BotHarness, joined
from tests.support.shop import open_shop, rid


async def test_the_stock_card_shows_what_is_on_order_in_both_languages(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    clerk = harness.person(shop.clerk.user_id, language="en")
    assert "On order" not in joined(await clerk.send("A001"))  # nothing ordered: no line

    await create_purchase_order(
        shop.uow(),
        shop.clerk,
        CreatePurchaseOrder(
            request_id=rid("po"),
            supplier_id=shop.supplier_id,
            lines=(
                OrderLineInput(
                    product_id=shop.tea.product_id, qty=Decimal(12), unit_price=Decimal(5)
                ),
            ),
        ),
    )
    assert "On order: 12 盒" in joined(await clerk.send("A001"))
    viewer = harness.person(shop.viewer.user_id, language="zh-hans")
    assert "在途（已订购）：12 盒" in joined(await viewer.send("库存 A001"))


async def test_what_sales_orders_hold_is_shown_and_not_sold(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    await create_sales_order(
        shop.uow(),
        shop.clerk,
        CreateSalesOrder(
            request_id=rid("so"),
            customer_id=shop.customer_id,
            lines=(
                OrderLineInput(
                    product_id=shop.tea.product_id, qty=Decimal(7), unit_price=Decimal(9)
                ),
            ),
        ),
    )
    clerk = harness.person(shop.clerk.user_id, language="en")
    card = joined(await clerk.send("A001"))
    assert "On hand: 10 盒" in card and "Available: 3 盒" in card
    assert "Held for sales orders: 7 盒" in card

    await clerk.send("/sale")
    await clerk.press("🚶 Walk-in customer")
    await clerk.press(clerk.buttons()[0])  # the main warehouse
    assert "3 盒 available" in joined(await clerk.send("A001"))
    assert "Only 3 盒 available" in joined(await clerk.send("4"))

    viewer = harness.person(shop.viewer.user_id, language="zh-hans")
    assert "销售订单占用：7 盒" in joined(await viewer.send("库存 A001"))


async def test_a_managers_sale_of_held_stock_shows_its_reason_on_the_card(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    await create_sales_order(
        shop.uow(),
        shop.clerk,
        CreateSalesOrder(
            request_id=rid("so"),
            lines=(
                OrderLineInput(
                    product_id=shop.tea.product_id, qty=Decimal(10), unit_price=Decimal(9)
                ),
            ),
        ),
    )
    await post_shipment(
        shop.uow(),
        shop.manager,
        PostShipment(
            request_id=rid("xs"),
            lines=(
                ShipmentLine(
                    product_id=shop.tea.product_id, qty=Decimal(1), unit_price=Decimal(9)
                ),
            ),
            override_reason="VIP at the counter",
        ),
    )
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/docs")
    assert "Sold stock held for orders: VIP at the counter" in joined(await manager.press("XS-"))
    chinese = harness.person(shop.owner.user_id, language="zh-hans")
    await chinese.send("/docs")
    assert "占用了订单预留库存：VIP at the counter" in joined(await chinese.press("XS-"))
