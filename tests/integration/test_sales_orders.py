"""Sales orders (销售订单): confirmed ones hold stock; shipping, cancelling, voids release it."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import BeyondOrder, InsufficientStock, OrderNotOpen, PermissionDenied
from core.inventory.check import check_ledger
from core.inventory.history import document_card
from core.inventory.models import Document, StockBalance
from core.inventory.stock import on_hand, stock_card
from core.inventory.voids import VoidDocument, void_document
from core.orders.hints import available_in
from core.orders.models import Order, OrderStatus
from core.orders.order_rows import FillLine, OrderLineInput
from core.orders.order_states import CancelOrder, PlaceOrder, cancel_order, get_order, place_order
from core.orders.results import OrderView
from core.orders.sales_orders import CreateSalesOrder, ShipOrder, create_sales_order, ship_order
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def stocked(db: Database, qty: str = "10") -> Shop:
    shop = await open_shop(db)
    await shop.receive(shop.tea, qty, "5")
    return shop


async def sales_order(
    shop: Shop, qty: str, *, confirm: bool = True, request_id: str | None = None
) -> OrderView:
    cmd = CreateSalesOrder(
        request_id=request_id or rid("so"),
        customer_id=shop.customer_id,
        lines=(OrderLineInput(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(9)),),
        confirm=confirm,
    )
    return await create_sales_order(shop.uow(), shop.clerk, cmd)


async def ship(shop: Shop, order: OrderView, qty: str, *, allow_over: bool = False) -> int:
    cmd = ShipOrder(
        request_id=rid("xs"),
        order_id=order.order_id,
        lines=(FillLine(line_no=1, qty=D(qty)),),
        allow_over=allow_over,
    )
    return (await ship_order(shop.uow(), shop.clerk, cmd)).document_id


async def held_and_available(shop: Shop) -> tuple[Decimal, Decimal]:
    card = await stock_card(shop.uow(), shop.viewer, product_id=shop.tea.product_id)
    return card.reserved, card.available


async def test_a_confirmed_order_holds_stock_a_plain_sale_cannot_take(db: Database) -> None:
    shop = await stocked(db)
    order = await sales_order(shop, "6")
    assert order.number.startswith("XSDD-") and order.status == OrderStatus.OPEN
    assert order.party_name == "王老板"
    assert await held_and_available(shop) == (D(6), D(4))
    assert await available_in(shop.uow(), shop.clerk, shop.tea.product_id, shop.main) == D(4)

    with pytest.raises(InsufficientStock) as short:
        await shop.sell(shop.tea, "5")
    assert (short.value.needed, short.value.available) == (D(5), D(4))
    await shop.sell(shop.tea, "4")
    assert await held_and_available(shop) == (D(6), D(0))
    assert (await check_ledger(db)).ok


async def test_confirming_more_than_is_available_writes_nothing(db: Database) -> None:
    shop = await stocked(db, "5")
    with pytest.raises(InsufficientStock) as short:
        await sales_order(shop, "6")
    assert short.value.available == D(5)
    async with db.reads() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 0

    draft = await sales_order(shop, "6", confirm=False)
    assert draft.status == OrderStatus.DRAFT
    assert await held_and_available(shop) == (D(0), D(5))
    with pytest.raises(InsufficientStock):
        await place_order(shop.uow(), shop.clerk, PlaceOrder(order_id=draft.order_id))
    await shop.receive(shop.tea, "1", "5")
    placed = await place_order(shop.uow(), shop.clerk, PlaceOrder(order_id=draft.order_id))
    assert placed.status == OrderStatus.OPEN
    assert await held_and_available(shop) == (D(6), D(0))


async def test_shipping_in_parts_releases_the_hold_as_goods_leave(db: Database) -> None:
    shop = await stocked(db)
    order = await sales_order(shop, "6")
    first = await ship(shop, order, "2")
    async with db.reads() as session:
        doc = await session.get_one(Document, first)
    assert (doc.doc_type, doc.order_id, doc.customer_id) == (
        "XS",
        order.order_id,
        shop.customer_id,
    )
    assert await held_and_available(shop) == (D(4), D(4))
    assert (await get_order(shop.uow(), shop.clerk, order.order_id)).status == OrderStatus.PARTIAL

    with pytest.raises(BeyondOrder):
        await ship(shop, order, "5")
    await ship(shop, order, "4")
    done = await get_order(shop.uow(), shop.clerk, order.order_id)
    assert done.status == OrderStatus.DONE
    assert [e.action for e in done.events] == ["created", "placed", "shipped", "shipped"]
    assert await held_and_available(shop) == (D(0), D(4))
    assert await on_hand(shop.uow(), shop.owner, shop.tea.product_id, shop.main) == D(4)
    with pytest.raises(OrderNotOpen):
        await ship(shop, order, "1")
    assert (await check_ledger(db)).ok


async def test_an_over_shipment_never_takes_what_another_order_holds(db: Database) -> None:
    shop = await stocked(db)
    mine = await sales_order(shop, "5")
    await sales_order(shop, "5")
    with pytest.raises(InsufficientStock):
        await ship(shop, mine, "6", allow_over=True)
    await ship(shop, mine, "5")
    assert await held_and_available(shop) == (D(5), D(0))
    assert (await check_ledger(db)).ok


async def test_cancelling_releases_what_was_not_shipped(db: Database) -> None:
    shop = await stocked(db)
    order = await sales_order(shop, "6")
    await ship(shop, order, "2")
    with pytest.raises(PermissionDenied):
        await cancel_order(shop.uow(), shop.clerk, CancelOrder(order_id=order.order_id))
    cancelled = await cancel_order(shop.uow(), shop.manager, CancelOrder(order_id=order.order_id))
    assert cancelled.status == OrderStatus.CANCELLED
    assert await held_and_available(shop) == (D(0), D(8))
    assert (await check_ledger(db)).ok


async def test_voiding_a_shipment_holds_its_quantity_again(db: Database) -> None:
    shop = await stocked(db)
    order = await sales_order(shop, "6")
    shipped = await ship(shop, order, "2")
    await void_document(
        shop.uow(), shop.clerk, VoidDocument(request_id=rid("void"), document_id=shipped)
    )
    reopened = await get_order(shop.uow(), shop.clerk, order.order_id)
    assert reopened.status == OrderStatus.OPEN and reopened.lines[0].done_qty == D(0)
    assert reopened.events[-1].action == "reopened"
    assert await held_and_available(shop) == (D(6), D(4))
    assert (await check_ledger(db)).ok

    second = await ship(shop, order, "2")
    await cancel_order(shop.uow(), shop.manager, CancelOrder(order_id=order.order_id))
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid("void"), document_id=second)
    )
    assert (await get_order(shop.uow(), shop.clerk, order.order_id)).status == "cancelled"
    assert await held_and_available(shop) == (D(0), D(10))  # a cancelled order holds nothing
    assert (await check_ledger(db)).ok


async def test_the_same_request_twice_holds_once(db: Database) -> None:
    shop = await stocked(db)
    a = await sales_order(shop, "3", request_id="so-1")
    b = await sales_order(shop, "3", request_id="so-1")
    assert a.order_id == b.order_id
    assert await held_and_available(shop) == (D(3), D(7))


async def test_with_negative_stock_allowed_an_order_may_hold_more(db: Database) -> None:
    shop = await stocked(db, "2")
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(allow_negative_stock=True)
    )
    await sales_order(shop, "5")
    assert await held_and_available(shop) == (D(5), D(-3))
    assert (await check_ledger(db)).ok


async def test_the_check_proves_what_orders_hold(db: Database) -> None:
    shop = await stocked(db)
    await sales_order(shop, "4")
    async with UnitOfWork(db) as uow:  # damage one figure behind the services' back
        await uow.session.execute(update(StockBalance).values(reserved=D(1)))
        await uow.commit()
    [difference] = (await check_ledger(db)).differences
    assert (difference.what, difference.stored, difference.from_moves) == ("reserved", D(1), D(4))
    assert (difference.product_id, difference.warehouse_id) == (shop.tea.product_id, shop.main)


async def test_orders_confirmed_at_once_never_hold_more_than_there_is(db: Database) -> None:
    shop = await stocked(db)

    async def try_one() -> bool:
        try:
            await sales_order(shop, "2")
        except InsufficientStock:
            return False
        return True

    outcomes = await asyncio.gather(*(try_one() for _ in range(8)))
    assert outcomes.count(True) == 5
    assert await held_and_available(shop) == (D(10), D(0))
    assert (await check_ledger(db)).ok


async def test_a_manager_may_sell_held_stock_with_a_reason(db: Database) -> None:
    shop = await stocked(db)
    await sales_order(shop, "8")

    def sale(reason: str | None) -> PostShipment:
        return PostShipment(
            request_id=rid("xs"),
            lines=(ShipmentLine(product_id=shop.tea.product_id, qty=D(5), unit_price=D(9)),),
            override_reason=reason,
        )

    with pytest.raises(InsufficientStock):
        await post_shipment(shop.uow(), shop.manager, sale(None))
    with pytest.raises(PermissionDenied):
        await post_shipment(shop.uow(), shop.clerk, sale("the customer is here"))
    posted = await post_shipment(shop.uow(), shop.manager, sale("the customer is here"))
    card = await document_card(shop.uow(), shop.manager, posted.document_id)
    assert card.override_reason == "the customer is here"
    assert await held_and_available(shop) == (D(8), D(-3))  # the order is short now
    assert (await check_ledger(db)).ok
