from decimal import Decimal

import pytest

from core.catalog.products import ChangeProduct, change_product
from core.db.base import utcnow
from core.db.engine import Database
from core.errors import InsufficientStock
from core.inventory.check import check_ledger
from core.inventory.counts import CountLine, PostStockCount, post_stock_count
from core.inventory.stock import stock_card
from core.inventory.transfers import PostTransfer, TransferLine, post_transfer
from core.inventory.voids import VoidDocument, void_document
from tests.support.shop import open_shop, rid

D = Decimal


@pytest.fixture
async def shop(db: Database):
    return await open_shop(db)


async def test_voiding_a_dear_receipt_after_its_units_were_sold(shop) -> None:
    await shop.receive(shop.tea, "2", "1")
    dear = await shop.receive(shop.tea, "8", "20")
    await shop.sell(shop.tea, "8")
    await shop.receive(shop.tea, "10", "1")
    voided = await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=dear.document_id)
    )
    assert voided.variance == D("117.60") and voided.reversed_moves == 1
    card = await stock_card(shop.uow(), shop.manager, sku="a001")
    assert (card.on_hand, card.value, card.avg_cost) == (D(4), D("0.00"), D(0))
    report = await check_ledger(shop.db)
    assert report.ok, report.differences


async def test_a_count_books_differences_and_names_products_that_moved_meanwhile(shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    await shop.receive(shop.cup, "5", "2")
    started = utcnow()
    await shop.sell(shop.cup, "1")  # while the count was going on
    result = await post_stock_count(
        shop.uow(),
        shop.manager,
        PostStockCount(
            request_id=rid(),
            warehouse_id=shop.main,
            started_at=started,
            lines=(
                CountLine(product_id=shop.tea.product_id, counted_qty=D(8)),
                CountLine(product_id=shop.cup.product_id, counted_qty=D(4)),
            ),
        ),
    )
    assert [(d.sku, d.difference, d.value) for d in result.differences] == [
        ("A001", D(-2), D("-6.00"))
    ]
    assert result.moved_since_start == ("B002",)
    assert (await check_ledger(shop.db)).ok


async def test_a_transfer_moves_quantity_only_and_cannot_overdraw(shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    cmd = PostTransfer(
        request_id=rid(),
        from_warehouse_id=shop.main,
        to_warehouse_id=shop.second,
        lines=(TransferLine(product_id=shop.tea.product_id, qty=D(4)),),
    )
    await post_transfer(shop.uow(), shop.clerk, cmd)
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert [(lv.warehouse_id, lv.on_hand) for lv in card.levels] == [
        (shop.main, D(6)),
        (shop.second, D(4)),
    ]
    assert card.value == D("30.00")
    too_many = cmd.model_copy(
        update={
            "request_id": rid(),
            "lines": (TransferLine(product_id=shop.tea.product_id, qty=D(5)),),
        }
    )
    with pytest.raises(InsufficientStock):
        await post_transfer(
            shop.uow(),
            shop.clerk,
            too_many.model_copy(
                update={"from_warehouse_id": shop.second, "to_warehouse_id": shop.main}
            ),
        )
    assert (await check_ledger(shop.db)).ok


async def test_a_product_that_never_moved_takes_its_default_purchase_price_as_average(
    shop,
) -> None:
    await change_product(
        shop.uow(),
        shop.manager,
        ChangeProduct(product_id=shop.cup.product_id, default_purchase_price=D("2.5")),
    )
    card = await stock_card(shop.uow(), shop.manager, sku="B002")
    assert card.avg_cost == D("2.5")
    await shop.receive(shop.cup, "4", "3")
    await change_product(
        shop.uow(),
        shop.manager,
        ChangeProduct(product_id=shop.cup.product_id, default_purchase_price=D("9")),
    )
    card = await stock_card(shop.uow(), shop.manager, sku="B002")
    assert card.avg_cost == D(3)  # once it moved, the ledger decides
