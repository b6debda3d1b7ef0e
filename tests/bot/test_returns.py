"""The return flow (退货): from a document's card or its number to a posted return."""

from decimal import Decimal

from sqlalchemy import func, select

from core.finance.accounts import party_account
from core.finance.models import PartyKind
from core.inventory.models import Document
from core.inventory.stock import on_hand
from tests.bot.harness import BotHarness, joined
from tests.support.money import credit_sale
from tests.support.shop import Shop, open_shop

D = Decimal


async def returns(harness: BotHarness) -> int:
    async with harness.db.reads() as session:
        query = select(func.count()).select_from(Document)
        query = query.where(Document.doc_type.in_(["XSTH", "CGTH"]))
        return int(await session.scalar(query) or 0)


async def tea(shop: Shop) -> Decimal:
    return await on_hand(shop.uow(), shop.owner, shop.tea.product_id, shop.main)


async def test_a_sale_is_returned_from_its_card_once(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    await shop.sell(shop.tea, "4", "9")
    clerk = harness.person(shop.clerk.user_id, language="en")
    await clerk.send("/docs")
    await clerk.press("XS-")

    asked = joined(await clerk.press("↩ Return goods"))
    assert "↩ Sales return of <b>XS-" in asked and "1. A001 西湖龙井: up to 4 盒" in asked
    assert "is not a line number" in joined(await clerk.send("A001 2"))
    assert "can return at most 4 盒" in joined(await clerk.send("1 5"))
    assert "Quantity must be greater than 0." in joined(await clerk.send("1 0"))
    summary = joined(await clerk.send("1 3"))
    assert "• A001 西湖龙井 × 3 盒" in summary

    message, data = clerk.find_button("✅ Post the return")
    posted = joined(await clerk.press_data(data, message))
    await clerk.press_data(data, message)  # a double tap posts once
    assert "✅ Return <b>XSTH-" in posted and "Total: 27.00" in posted
    assert await returns(harness) == 1
    assert await tea(shop) == D(9)


async def test_a_receipt_is_returned_by_its_number_in_chinese(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    receipt = await shop.receive(shop.tea, "10", "5")
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    assert "或输入单号" in joined(await clerk.send("/return"))
    assert "找不到：CG-1999-00001。" in joined(await clerk.send("CG-1999-00001"))  # asked again
    lines = joined(await clerk.send(receipt.number.lower()))
    assert "↩ 采购退货" in lines and "最多可退 10 盒" in lines
    await clerk.press("全部退货")
    done = joined(await clerk.press("✅ 确认退货"))
    assert "✅ 退货单 <b>CGTH-" in done
    assert await tea(shop) == D(0)
    again = joined(await clerk.send(f"/return {receipt.number}"))
    assert "已经全部退完" in again


async def test_a_viewer_may_not_return(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    receipt = await shop.receive(shop.tea, "10", "5")
    viewer = harness.person(shop.viewer.user_id, language="en")
    assert "may not do this" in joined(await viewer.send(f"/return {receipt.number}"))
    assert await returns(harness) == 0


async def test_return_alone_lists_recent_sales_and_receipts_and_a_credit_return_reduces_debt(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    sale = await credit_sale(shop, "4", "9")
    manager = harness.person(shop.manager.user_id, language="en")
    asked = joined(await manager.send("/return"))
    assert "Tap a recent one" in asked
    assert any(label.startswith(sale.number) for label in manager.buttons())
    assert not any(label.startswith("XSTH") for label in manager.buttons())
    await manager.press(sale.number)
    await manager.send("1 1")
    posted = joined(await manager.press("✅ Post the return"))
    assert "Taken off what is owed: 9.00" in posted
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert account.balance == D("27.00")
