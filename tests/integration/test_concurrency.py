"""Postings racing each other on one Database, each in its own unit of work (rules 3, 6, 7)."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db.engine import Database
from core.errors import InsufficientStock
from core.inventory.check import check_ledger
from core.inventory.models import Document, StockMove
from core.inventory.results import DocumentPosted
from core.inventory.stock import stock_card
from core.inventory.transfers import PostTransfer, TransferLine, post_transfer
from core.inventory.voids import VoidDocument, void_document
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from tests.support.shop import Shop, open_shop, rid

D = Decimal


@pytest.fixture
async def shop(db: Database) -> Shop:
    return await open_shop(db)


async def written(shop: Shop) -> tuple[int, int]:
    """(stock moves, documents) of the shop's business."""
    async with shop.db.reads() as session:
        moves = await session.scalar(
            select(func.count())
            .select_from(StockMove)
            .where(StockMove.business_id == shop.business_id)
        )
        docs = await session.scalar(
            select(func.count())
            .select_from(Document)
            .where(Document.business_id == shop.business_id)
        )
        await session.rollback()
    return moves or 0, docs or 0


def serial(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


async def test_twenty_clerks_selling_the_last_five_units_leave_exactly_five_sales(
    shop: Shop,
) -> None:
    await shop.receive(shop.tea, "5", "3")
    outcomes = await asyncio.gather(
        *(shop.sell(shop.tea, "1", actor=shop.clerk) for _ in range(20)),
        return_exceptions=True,
    )
    sales = [o for o in outcomes if isinstance(o, DocumentPosted)]
    refusals = [o for o in outcomes if isinstance(o, InsufficientStock)]
    assert (len(sales), len(refusals)) == (5, 15), outcomes
    assert all((r.sku, r.needed, r.available) == ("A001", D(1), D(0)) for r in refusals)
    assert sorted(serial(s.number) for s in sales) == [1, 2, 3, 4, 5]  # refusals used none
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(0), D(0))
    assert await written(shop) == (1 + 5, 1 + 5)
    report = await check_ledger(shop.db)
    assert report.ok, [str(d) for d in report.differences]


async def test_thirty_receipts_posted_at_once_get_thirty_consecutive_numbers(
    shop: Shop,
) -> None:
    receipts = await asyncio.gather(
        *(shop.receive(shop.tea, "1", "2", actor=shop.clerk) for _ in range(30))
    )
    numbers = [r.number for r in receipts]
    assert len(set(numbers)) == 30
    assert sorted(serial(n) for n in numbers) == list(range(1, 31))
    assert {n.rsplit("-", 1)[0] for n in numbers} == {numbers[0].rsplit("-", 1)[0]}
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(30), D("60.00"))
    assert (await check_ledger(shop.db)).ok


async def test_the_same_request_posted_twice_at_once_makes_one_document(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    request_id = rid("chat7:msg42")
    first, second = await asyncio.gather(
        shop.sell(shop.tea, "4", actor=shop.manager, request_id=request_id),
        shop.sell(shop.tea, "4", actor=shop.manager, request_id=request_id),
        return_exceptions=True,
    )
    assert isinstance(first, DocumentPosted), first
    assert isinstance(second, DocumentPosted), second
    assert first == second
    assert await written(shop) == (2, 2)
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(6), D("18.00"))
    assert (await check_ledger(shop.db)).ok


async def test_a_repeated_request_returns_the_first_result_and_writes_nothing(
    shop: Shop,
) -> None:
    first = await shop.receive(shop.tea, "3", "0.3333", request_id="chat7:msg43")
    before = await written(shop)
    again = await shop.receive(shop.tea, "3", "0.3333", request_id="chat7:msg43")
    assert again == first
    assert again.number == first.number and again.cost == D("1.00")
    assert await written(shop) == before
    sale = await shop.sell(shop.tea, "1", request_id="chat7:msg44")
    before = await written(shop)
    assert await shop.sell(shop.tea, "1", request_id="chat7:msg44") == sale
    assert await written(shop) == before
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(2), D("0.67"))


@pytest.mark.parametrize("same_request", [False, True], ids=["two-undos", "one-undo-twice"])
async def test_voiding_one_sale_twice_at_once_reverses_it_only_once(
    shop: Shop, same_request: bool
) -> None:
    await shop.receive(shop.tea, "10", "3")
    sale = await shop.sell(shop.tea, "4")
    request_ids = [rid("undo")] * 2 if same_request else [rid("undo"), rid("undo")]
    outcomes = await asyncio.gather(
        *(
            void_document(
                shop.uow(), actor, VoidDocument(request_id=request, document_id=sale.document_id)
            )
            for actor, request in zip((shop.manager, shop.owner), request_ids, strict=True)
        ),
        return_exceptions=True,
    )
    if same_request:  # a redelivered Undo: the first answer twice
        assert outcomes[0] == outcomes[1], outcomes
    else:  # two people: one voids, the other is told it is voided already
        assert sorted(type(o).__name__ for o in outcomes) == ["InvalidState", "VoidPosted"], (
            outcomes
        )
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(10), D("30.00"))
    assert await written(shop) == (3, 2)  # receipt, sale, one reversal
    report = await check_ledger(shop.db)
    assert report.ok, [str(d) for d in report.differences]


async def test_mixed_postings_with_lines_in_any_order_all_go_through(shop: Shop) -> None:
    await shop.receive(shop.tea, "100", "2")
    await shop.receive(shop.cup, "100", "1")
    tea, cup = shop.tea.product_id, shop.cup.product_id

    def receipt(order: tuple[int, int]) -> PostReceipt:
        return PostReceipt(
            request_id=rid("cg"),
            lines=tuple(ReceiptLine(product_id=p, qty=D(1), unit_price=D(2)) for p in order),
        )

    def sale(order: tuple[int, int]) -> PostShipment:
        return PostShipment(
            request_id=rid("xs"),
            lines=tuple(ShipmentLine(product_id=p, qty=D(1), unit_price=D(5)) for p in order),
        )

    def transfer(order: tuple[int, int]) -> PostTransfer:
        return PostTransfer(
            request_id=rid("db"),
            from_warehouse_id=shop.main,
            to_warehouse_id=shop.second,
            lines=tuple(TransferLine(product_id=p, qty=D(1)) for p in order),
        )

    calls = []
    for n in range(8):
        order = (tea, cup) if n % 2 else (cup, tea)
        calls += [
            post_receipt(shop.uow(), shop.clerk, receipt(order)),
            post_shipment(shop.uow(), shop.clerk, sale(order)),
            post_transfer(shop.uow(), shop.clerk, transfer(order)),
        ]
    outcomes = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 60)
    assert all(isinstance(o, DocumentPosted) for o in outcomes), outcomes
    for sku in ("A001", "B002"):
        card = await stock_card(shop.uow(), shop.manager, sku=sku)
        assert [lv.on_hand for lv in card.levels] == [D(100 + 8 - 8 - 8), D(8)]
    report = await check_ledger(shop.db)
    assert report.ok, [str(d) for d in report.differences]
