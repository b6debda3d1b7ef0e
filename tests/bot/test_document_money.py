"""A document's card says how it was settled: paid at once, on credit and due, credited."""

from decimal import Decimal

from core.orders.returns import PostReturn, ReturnLine, post_sales_return
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from tests.bot.harness import BotHarness, joined
from tests.support.money import collect, credit_sale, set_customer
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def stocked(harness: BotHarness) -> Shop:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "50", "5")
    return shop


async def test_a_credit_sale_card_shows_discount_round_off_due_date_and_what_is_open(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    cmd = PostShipment(
        request_id=rid(),
        customer_id=shop.customer_id,
        lines=(
            ShipmentLine(
                product_id=shop.tea.product_id, qty=D(3), unit_price=D("33.35"), discount_pct=D(10)
            ),
        ),
        round_off=D("0.04"),
        paid_now=D(40),
        payment_method="wechat",
    )
    sale = await post_shipment(shop.uow(), shop.clerk, cmd)
    await collect(shop, "20")
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/docs")
    card = joined(await manager.press(sale.number))
    assert "× 3 盒 @ 33.35 − discount 10.01 = 90.04" in card
    assert "Round-off: −0.04" in card and "Total: 90.00 CNY" in card
    assert "Paid at once: 40.00 (WeChat)" in card
    assert f"On credit: 50.00, due {sale.due_date.isoformat()}" in card  # type: ignore[union-attr]
    assert "Still open: 30.00" in card
    assert "Gross profit: 75.00" in card
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await clerk.send("/docs")
    seen = joined(await clerk.press(sale.number))
    assert "现付：40.00（微信）" in seen and "赊账：50.00，到期" in seen
    assert "未结" not in seen and "毛利" not in seen


async def test_a_return_card_says_it_was_credited_or_refunded(harness: BotHarness) -> None:
    shop = await stocked(harness)
    on_credit = await credit_sale(shop, "2", "10")
    cash = await shop.sell(shop.tea, "2", "10")
    for sale in (on_credit, cash):
        await post_sales_return(
            shop.uow(),
            shop.manager,
            PostReturn(
                request_id=rid(),
                document_id=sale.document_id,
                lines=(ReturnLine(line_no=1, qty=D(1)),),
            ),
        )
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/docs")
    credited = joined(await manager.press("XSTH-2026-00001"))
    assert "Credited to the account: 10.00" in credited
    await manager.send("/docs")
    refunded = joined(await manager.press("XSTH-2026-00002"))
    assert "Refunded at once: 10.00 (cash)" in refunded


async def test_a_dollar_sale_shows_its_rate_and_profit_in_the_base_currency(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    await set_customer(shop, currency="USD")
    sale = await credit_sale(shop, "2", "10", rate="7.1")
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/docs")
    card = joined(await manager.press(sale.number))
    assert "Total: 20.00 USD" in card and "Rate: 1 USD = 7.1 CNY" in card
    assert "Cost: 10.00" in card and "Gross profit: 132.00" in card  # 142.00 − 10.00
