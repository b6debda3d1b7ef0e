"""Numbers are exact on both engines (DESIGN rule 5): no float anywhere between input and SQL."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from core.catalog.products import CreateProduct, create_product
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.inventory.check import check_ledger
from core.inventory.models import StockBalance, StockMove
from core.inventory.results import DocumentPosted
from core.inventory.stock import stock_card
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business
from tests.support.shop import Shop, open_shop, rid

D = Decimal
LINES = 10_000
PER_DOCUMENT = 2_500


@pytest.fixture
async def shop(db: Database) -> Shop:
    return await open_shop(db)


async def receive_tenths_and_fifths(shop: Shop) -> None:
    """10,000 receipt lines of 0.1 and 0.2 alternately, in four documents: 1500 in all."""
    tea = shop.tea.product_id
    for first in range(0, LINES, PER_DOCUMENT):
        lines = tuple(
            ReceiptLine(product_id=tea, qty=D("0.1") if n % 2 == 0 else D("0.2"), unit_price=D(1))
            for n in range(first, first + PER_DOCUMENT)
        )
        await post_receipt(
            shop.uow(), shop.manager, PostReceipt(request_id=rid("cg"), lines=lines)
        )


async def test_ten_thousand_moves_of_a_tenth_and_a_fifth_sum_to_exactly_1500(
    shop: Shop,
) -> None:
    await receive_tenths_and_fifths(shop)
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert card.on_hand == D("1500.000") and str(card.on_hand) == "1500.000"
    assert card.value == D("1500.00")
    async with shop.db.reads() as session:
        typed = await session.scalar(
            select(func.sum(StockMove.qty)).where(StockMove.business_id == shop.business_id)
        )
        moves = await session.scalar(
            select(func.count())
            .select_from(StockMove)
            .where(StockMove.business_id == shop.business_id)
        )
        raw = await session.scalar(text("SELECT SUM(qty) FROM stock_moves"))
        left = await session.scalar(  # SQL arithmetic on a stored quantity stays exact
            select(StockBalance.on_hand - D("1499.9")).where(
                StockBalance.product_id == shop.tea.product_id
            )
        )
        await session.rollback()
    assert moves == LINES
    assert isinstance(typed, Decimal) and typed == D("1500.000")
    if shop.db.is_sqlite:  # thousandths in an integer: no double ever sees 0.1
        assert type(raw) is int and raw == 1_500_000
    else:
        assert isinstance(raw, Decimal) and raw == D("1500.000")
    assert left == D("0.100")
    assert (await check_ledger(shop.db)).ok


async def test_sqlite_stores_quantities_and_money_as_integers(sqlite_db: Database) -> None:
    shop = await open_shop(sqlite_db)
    await shop.receive(shop.tea, "0.1", "0.3333")
    await shop.receive(shop.tea, "0.2", "2.5")
    async with sqlite_db.reads() as session:
        types = (
            await session.execute(
                text(
                    "SELECT typeof(on_hand), on_hand FROM stock_balances"
                    " UNION ALL SELECT typeof(qty), qty FROM stock_moves"
                    " UNION ALL SELECT typeof(value), value FROM stock_moves"
                    " UNION ALL SELECT typeof(value), value FROM product_costs"
                    "  WHERE product_id = :tea"
                    " UNION ALL SELECT typeof(on_hand), on_hand FROM product_costs"
                    "  WHERE product_id = :tea"
                ),
                {"tea": shop.tea.product_id},
            )
        ).all()
        await session.rollback()
    assert {kind for kind, _ in types} == {"integer"}
    raw = [value for _, value in types]
    #   balance  moves: qty   moves: value (0.03, 0.50)  cost: value, on hand
    assert raw == [300, 100, 200, 300, 5000, 5300, 300]


async def test_a_receipt_of_3_at_a_third_of_a_yuan_stores_exactly_one_yuan(shop: Shop) -> None:
    receipt = await shop.receive(shop.tea, "3", "0.3333")
    assert receipt.total == D("1.00") and receipt.cost == D("1.00")
    async with shop.db.reads() as session:
        value = await session.scalar(
            select(StockMove.value).where(StockMove.document_id == receipt.document_id)
        )
        raw = await session.scalar(
            text("SELECT value FROM stock_moves WHERE document_id = :id"),
            {"id": receipt.document_id},
        )
        await session.rollback()
    assert value == D("1.00")
    assert raw == (10_000 if shop.db.is_sqlite else D("1.0000"))
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(3), D("1.00"))
    sales = [await shop.sell(shop.tea, "1") for _ in range(3)]
    # 1.00/3 → 0.33; then 0.67/2 = 0.335 → 0.34 (half-up); the last takes the rest, 0.33
    assert [s.cost for s in sales] == [D("0.33"), D("0.34"), D("0.33")]


async def test_a_yen_business_rounds_every_amount_to_whole_yen(db: Database) -> None:
    owner = Actor(user_id=4242)
    business = await create_business(
        UnitOfWork(db),
        owner,
        CreateBusiness(request_id=rid(), name="東京茶舗", base_currency="JPY", locale="en"),
    )
    owner = Actor(user_id=4242, business_id=business.business_id)
    assert business.base_currency == "JPY"
    matcha = await create_product(
        UnitOfWork(db), owner, CreateProduct(request_id=rid(), sku="M1", name="抹茶")
    )
    pid = matcha.product_id

    async def receive(qty: str, price: str) -> DocumentPosted:
        line = ReceiptLine(product_id=pid, qty=D(qty), unit_price=D(price))
        return await post_receipt(
            UnitOfWork(db), owner, PostReceipt(request_id=rid("cg"), lines=(line,))
        )

    first = await receive("3", "0.5")  # 1.5 yen: half-up to 2
    second = await receive("1", "100.49")  # 100.49 yen: 100
    assert (first.total, first.cost) == (D(2), D(2))
    assert (second.total, second.cost) == (D(100), D(100))
    sale = await post_shipment(
        UnitOfWork(db),
        owner,
        PostShipment(
            request_id=rid("xs"),
            lines=(ShipmentLine(product_id=pid, qty=D(1), unit_price=D("150.5")),),
        ),
    )
    assert sale.total == D(151)  # 150.5: half-up
    assert sale.cost == D(26)  # 102 / 4 = 25.5 a unit: half-up to 26
    card = await stock_card(UnitOfWork(db), owner, sku="M1")
    assert (card.on_hand, card.value) == (D(3), D(76))
    for amount in (first.total, first.cost, second.cost, sale.total, sale.cost, card.value):
        assert amount == amount.to_integral_value(), amount
    assert (await check_ledger(db)).ok


async def test_money_read_back_shows_cents_not_storage_places(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "59", "35")
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert str(card.value) == "2065.00"
