"""A manager may sell stock that confirmed sales orders hold, saying why; a clerk may not."""

from decimal import Decimal

from sqlalchemy import select

from core.inventory.models import Document
from core.orders.order_rows import OrderLineInput
from core.orders.sales_orders import CreateSalesOrder, create_sales_order
from tests.bot.harness import BotHarness, joined
from tests.bot.test_purchase import walk
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def held(harness: BotHarness) -> Shop:
    """10 boxes of tea, 8 of them held by a confirmed sales order."""
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    await create_sales_order(
        shop.uow(),
        shop.manager,
        CreateSalesOrder(
            request_id=rid(),
            customer_id=shop.customer_id,
            lines=(OrderLineInput(product_id=shop.tea.product_id, qty=D(8), unit_price=D(9)),),
        ),
    )
    return shop


async def test_a_manager_sells_held_stock_with_a_reason(harness: BotHarness) -> None:
    shop = await held(harness)
    manager = harness.person(shop.manager.user_id, language="en")
    asked = joined(await walk(manager, "/sale", "[Walk-in]", "[主仓库]", "A001"))
    assert "2 盒 available in" in asked and "8 盒 more are held for sales orders" in asked
    await walk(manager, "5", "90", "[Done]")
    refused = joined(await manager.press("Confirm"))
    assert "Not enough stock" in refused and "Type why" in refused
    posted = joined(await manager.send("the order is late, customer agreed"))
    assert "✅ Sale" in posted
    async with harness.db.reads() as session:
        doc = await session.scalar(select(Document).where(Document.doc_type == "XS"))
    assert doc is not None and doc.override_reason == "the order is late, customer agreed"


async def test_a_clerk_cannot_take_held_stock(harness: BotHarness) -> None:
    shop = await held(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    asked = joined(await walk(clerk, "/sale", "[散客]", "[主仓库]", "A001"))
    assert "预留" not in asked
    assert "只有 2 盒可用" in joined(await clerk.send("5"))
