"""The stock card shows what placed purchase orders still expect."""

from decimal import Decimal

from core.orders.purchase_orders import CreatePurchaseOrder, OrderLineInput, create_purchase_order
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
