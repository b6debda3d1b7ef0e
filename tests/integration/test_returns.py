"""Returns (退货): goods back at the value they moved with, never more than was moved."""

from decimal import Decimal

import pytest
from sqlalchemy import update

from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import BeyondReturn, InsufficientStock, InvalidState, NotFound, PermissionDenied
from core.inventory.check import check_ledger
from core.inventory.models import DocumentLine
from core.inventory.stock import stock_card
from core.inventory.voids import VoidDocument, void_document
from core.orders.returns import PostReturn, ReturnLine, post_purchase_return, post_sales_return
from core.tenancy.access import Actor
from tests.support.shop import Shop, open_shop, rid

D = Decimal


def returning(document_id: int, *lines: tuple[int, str]) -> PostReturn:
    return PostReturn(
        request_id=rid("th"),
        document_id=document_id,
        lines=tuple(ReturnLine(line_no=n, qty=D(q)) for n, q in lines),
    )


async def value_and_stock(shop: Shop) -> tuple[Decimal, Decimal]:
    card = await stock_card(shop.uow(), shop.owner, product_id=shop.tea.product_id)
    assert card.value is not None
    return card.on_hand, card.value


async def test_a_sales_return_brings_goods_back_at_what_they_left_with(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "3", "10")
    await shop.receive(shop.tea, "3", "11")  # 6 on hand worth 63: the average is 10.50
    sale = await shop.sell(shop.tea, "3", "20")  # leaves at 31.50
    await shop.receive(shop.tea, "3", "20")  # 6 worth 91.50: the average moves on

    back = await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "1")))
    assert back.doc_type == "XSTH" and back.number.startswith("XSTH-")
    assert back.total == D("20.00")  # what the customer paid for it
    assert await value_and_stock(shop) == (D(7), D("102.00"))  # + round(31.50 / 3)
    rest = await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "2")))
    assert rest.total == D("40.00")
    assert await value_and_stock(shop) == (D(9), D("123.00"))  # the rest of 31.50 exactly
    with pytest.raises(BeyondReturn) as too_much:
        await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "1")))
    assert (too_much.value.returnable, too_much.value.asked) == (D(0), D(1))
    assert (await check_ledger(db)).ok


async def test_a_purchase_return_sends_goods_back_at_what_they_came_in_with(db: Database) -> None:
    shop = await open_shop(db)
    receipt = await shop.receive(shop.tea, "4", "10")
    await shop.receive(shop.tea, "4", "12")  # 8 worth 88

    out = await post_purchase_return(
        shop.uow(), shop.clerk, returning(receipt.document_id, (1, "3"))
    )
    assert out.doc_type == "CGTH" and out.total == D("30.00")
    assert await value_and_stock(shop) == (D(5), D("58.00"))  # 88 - 3 × 10
    with pytest.raises(BeyondReturn):
        await post_purchase_return(
            shop.uow(), shop.clerk, returning(receipt.document_id, (1, "2"))
        )
    assert (await check_ledger(db)).ok


async def test_a_purchase_return_needs_the_goods_on_hand(db: Database) -> None:
    shop = await open_shop(db)
    receipt = await shop.receive(shop.tea, "4", "10")
    await shop.sell(shop.tea, "3")
    with pytest.raises(InsufficientStock):
        await post_purchase_return(
            shop.uow(), shop.clerk, returning(receipt.document_id, (1, "2"))
        )
    assert await value_and_stock(shop) == (D(1), D("10.00"))


async def test_voids_and_returns_keep_each_other_honest(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "5", "10")
    sale = await shop.sell(shop.tea, "4", "20")
    back = await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "4")))

    with pytest.raises(InvalidState) as returned:  # its returns would count twice
        await void_document(
            shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=sale.document_id)
        )
    assert returned.value.state == "returned"
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=back.document_id)
    )
    again = await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "4")))
    assert again.total == D("80.00")  # a voided return counts for nothing
    assert (await check_ledger(db)).ok


async def test_bad_returns_are_refused_and_write_nothing(db: Database) -> None:
    shop = await open_shop(db)
    other = await open_shop(db, owner_id=2000, name="另一家")
    receipt = await shop.receive(shop.tea, "5", "10")
    sale = await shop.sell(shop.tea, "2", "20")
    with pytest.raises(NotFound):  # a receipt is not a sale
        await post_sales_return(shop.uow(), shop.clerk, returning(receipt.document_id, (1, "1")))
    with pytest.raises(NotFound):  # no line 2
        await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (2, "1")))
    with pytest.raises(NotFound):  # another business's sale
        await post_sales_return(other.uow(), other.clerk, returning(sale.document_id, (1, "1")))
    with pytest.raises(PermissionDenied):
        await post_sales_return(shop.uow(), shop.viewer, returning(sale.document_id, (1, "1")))
    with pytest.raises(BeyondReturn):
        await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "3")))
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=sale.document_id)
    )
    with pytest.raises(InvalidState):
        await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "1")))
    assert await value_and_stock(shop) == (D(5), D("50.00"))


async def test_the_same_return_twice_posts_once(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "5", "10")
    sale = await shop.sell(shop.tea, "2", "20")
    cmd = returning(sale.document_id, (1, "1"))
    first = await post_sales_return(shop.uow(), shop.clerk, cmd)
    second = await post_sales_return(shop.uow(), Actor(user_id=shop.clerk.user_id), cmd)
    assert first.document_id == second.document_id
    assert await value_and_stock(shop) == (D(4), D("40.00"))


async def test_the_check_finds_a_line_returned_beyond_what_it_moved(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "5", "10")
    sale = await shop.sell(shop.tea, "2", "20")
    back = await post_sales_return(shop.uow(), shop.clerk, returning(sale.document_id, (1, "2")))
    assert (await check_ledger(db)).ok
    async with UnitOfWork(db) as uow:  # damage one figure behind the services' back
        await uow.session.execute(
            update(DocumentLine)
            .where(DocumentLine.document_id == back.document_id)
            .values(qty=D(3))
        )
        await uow.commit()
    found = [d for d in (await check_ledger(db)).differences if d.what == "over_returned"]
    assert [(d.stored, d.from_moves) for d in found] == [(D(3), D(2))]
