"""Purchase orders (采购订单): place, receive in parts, over-receipt, void, cancel."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from core.catalog.products import ChangeProduct, change_product
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import (
    ArchivedProduct,
    BeyondOrder,
    NotFound,
    OrderNotOpen,
    PermissionDenied,
)
from core.inventory.check import check_ledger
from core.inventory.models import Document
from core.inventory.stock import on_hand, stock_card
from core.inventory.voids import VoidDocument, void_document
from core.orders.models import OrderKind, OrderLine, OrderStatus
from core.orders.order_rows import FillLine, OrderLineInput
from core.orders.order_states import (
    CancelOrder,
    PlaceOrder,
    cancel_order,
    get_order,
    list_orders,
    place_order,
)
from core.orders.purchase_orders import (
    CreatePurchaseOrder,
    ReceiveOrder,
    create_purchase_order,
    on_order,
    receive_order,
)
from core.orders.results import OrderView
from core.tenancy.access import Actor
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def order_of(
    shop: Shop, *lines: tuple[int, str, str], place: bool = True, actor: Actor | None = None
) -> OrderView:
    cmd = CreatePurchaseOrder(
        request_id=rid("po"),
        supplier_id=shop.supplier_id,
        lines=tuple(OrderLineInput(product_id=p, qty=D(q), unit_price=D(c)) for p, q, c in lines),
        place=place,
    )
    return await create_purchase_order(shop.uow(), actor or shop.clerk, cmd)


async def receive(
    shop: Shop,
    order: OrderView,
    *lines: tuple[int, str],
    allow_over: bool = False,
    request_id: str | None = None,
    price: str | None = None,
) -> Document:
    cmd = ReceiveOrder(
        request_id=request_id or rid("cg"),
        order_id=order.order_id,
        lines=tuple(
            FillLine(line_no=n, qty=D(q), unit_price=None if price is None else D(price))
            for n, q in lines
        ),
        allow_over=allow_over,
    )
    posted = await receive_order(shop.uow(), shop.clerk, cmd)
    async with shop.db.reads() as session:
        return await session.get_one(Document, posted.document_id)


async def stock(shop: Shop, product_id: int) -> D:
    return await on_hand(shop.uow(), shop.owner, product_id, shop.main)


async def documents(shop: Shop) -> int:
    async with shop.db.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(Document)) or 0)


async def test_a_placed_order_is_numbered_and_counts_as_on_order(db: Database) -> None:
    shop = await open_shop(db)
    tea, cup = shop.tea.product_id, shop.cup.product_id
    order = await order_of(shop, (tea, "10", "5.5"), (cup, "3", "2"))

    assert order.number.startswith("CGDD-") and order.number.endswith("-00001")
    assert order.status == OrderStatus.OPEN
    assert order.party_name == "杭州茶厂" and order.warehouse_id == shop.main
    assert order.total == D("61.00")
    assert [(x.sku, x.qty, x.done_qty, x.amount) for x in order.lines] == [
        ("A001", D(10), D(0), D("55.00")),
        ("B002", D(3), D(0), D("6.00")),
    ]
    assert [e.action for e in order.events] == ["created", "placed"]
    expected = await on_order(shop.uow(), shop.viewer, tea)
    assert expected.by_warehouse == {shop.main: D(10)} and expected.total == D(10)
    assert await stock(shop, tea) == D(0)  # ordered is not received


async def test_a_draft_is_not_on_order_until_placed(db: Database) -> None:
    shop = await open_shop(db)
    tea = shop.tea.product_id
    draft = await order_of(shop, (tea, "4", "5"), place=False)
    assert draft.status == OrderStatus.DRAFT
    assert (await on_order(shop.uow(), shop.clerk, tea)).total == D(0)
    with pytest.raises(OrderNotOpen):
        await receive(shop, draft, (1, "1"))

    placed = await place_order(shop.uow(), shop.clerk, PlaceOrder(order_id=draft.order_id))
    again = await place_order(shop.uow(), shop.clerk, PlaceOrder(order_id=draft.order_id))
    assert placed.status == again.status == OrderStatus.OPEN
    assert [e.action for e in again.events] == ["created", "placed"]
    assert (await on_order(shop.uow(), shop.clerk, tea)).total == D(4)


async def test_receiving_in_parts_posts_linked_receipts_until_the_order_is_done(
    db: Database,
) -> None:
    shop = await open_shop(db)
    tea, cup = shop.tea.product_id, shop.cup.product_id
    order = await order_of(shop, (tea, "10", "5.5"), (cup, "3", "2"))

    first = await receive(shop, order, (1, "4"))
    assert first.order_id == order.order_id and first.doc_type == "CG"
    assert first.supplier_id == shop.supplier_id and first.total == D("22.00")
    assert await stock(shop, tea) == D(4)
    now = await get_order(shop.uow(), shop.clerk, order.order_id)
    assert now.status == OrderStatus.PARTIAL
    assert [(x.done_qty, x.remaining) for x in now.lines] == [(D(4), D(6)), (D(0), D(3))]
    assert (await on_order(shop.uow(), shop.clerk, tea)).total == D(6)
    card = await stock_card(shop.uow(), shop.viewer, product_id=tea)
    assert (card.on_hand, card.on_order) == (D(4), D(6))

    await receive(shop, order, (1, "6"), (2, "3"))
    done = await get_order(shop.uow(), shop.clerk, order.order_id)
    assert done.status == OrderStatus.DONE
    assert [e.action for e in done.events] == ["created", "placed", "received", "received"]
    assert done.events[2].document_number == first.number
    assert (await on_order(shop.uow(), shop.clerk, tea)).total == D(0)
    assert (await stock_card(shop.uow(), shop.viewer, product_id=tea)).on_order == D(0)
    assert await stock(shop, tea) == D(10) and await stock(shop, cup) == D(3)
    with pytest.raises(OrderNotOpen) as complete:
        await receive(shop, order, (1, "1"))
    assert complete.value.status == "done"
    assert (await check_ledger(db)).ok


async def test_more_than_a_line_expects_is_refused_unless_confirmed(db: Database) -> None:
    shop = await open_shop(db)
    tea = shop.tea.product_id
    order = await order_of(shop, (tea, "10", "5"))
    await receive(shop, order, (1, "8"))
    before = await documents(shop)

    with pytest.raises(BeyondOrder) as over:
        await receive(shop, order, (1, "3"))
    assert (over.value.number, over.value.sku) == (order.number, "A001")
    assert (over.value.remaining, over.value.asked) == (D(2), D(3))
    assert await documents(shop) == before and await stock(shop, tea) == D(8)

    await receive(shop, order, (1, "3"), allow_over=True)
    done = await get_order(shop.uow(), shop.clerk, order.order_id)
    assert done.status == OrderStatus.DONE
    assert done.lines[0].done_qty == D(11) and done.lines[0].remaining == D(0)
    assert await stock(shop, tea) == D(11)


async def test_a_receipt_may_carry_another_price_and_is_valued_at_it(db: Database) -> None:
    shop = await open_shop(db)
    tea = shop.tea.product_id
    order = await order_of(shop, (tea, "10", "5"))
    posted = await receive(shop, order, (1, "10"), price="6")
    assert posted.total == D("60.00")
    assert await stock(shop, tea) == D(10)
    assert (await check_ledger(db)).ok


async def test_voiding_a_receipt_against_an_order_expects_it_again(db: Database) -> None:
    shop = await open_shop(db)
    tea = shop.tea.product_id
    order = await order_of(shop, (tea, "10", "5"))
    await receive(shop, order, (1, "4"))
    last = await receive(shop, order, (1, "6"))

    await void_document(
        shop.uow(), shop.clerk, VoidDocument(request_id=rid("void"), document_id=last.id)
    )
    reopened = await get_order(shop.uow(), shop.clerk, order.order_id)
    assert reopened.status == OrderStatus.PARTIAL
    assert reopened.lines[0].done_qty == D(4)
    assert reopened.events[-1].action == "reopened"
    assert reopened.events[-1].document_number == last.number
    assert (await on_order(shop.uow(), shop.clerk, tea)).total == D(6)
    assert await stock(shop, tea) == D(4)
    assert (await check_ledger(db)).ok


async def test_the_same_requests_twice_make_one_order_and_one_receipt(db: Database) -> None:
    shop = await open_shop(db)
    tea = shop.tea.product_id
    cmd = CreatePurchaseOrder(
        request_id="po-1",
        supplier_id=shop.supplier_id,
        lines=(OrderLineInput(product_id=tea, qty=D(5), unit_price=D(1)),),
    )
    first = await create_purchase_order(shop.uow(), shop.clerk, cmd)
    second = await create_purchase_order(shop.uow(), shop.clerk, cmd)
    assert first.order_id == second.order_id
    orders = await list_orders(shop.uow(), shop.clerk, OrderKind.PURCHASE)
    assert [o.number for o in orders] == [first.number]

    a = await receive(shop, first, (1, "2"), request_id="cg-1")
    b = await receive(shop, first, (1, "2"), request_id="cg-1")
    assert a.id == b.id
    assert (await get_order(shop.uow(), shop.clerk, first.order_id)).lines[0].done_qty == D(2)
    assert await stock(shop, tea) == D(2)


async def test_cancelling_needs_a_manager_unless_it_is_your_own_draft(db: Database) -> None:
    shop = await open_shop(db)
    tea = shop.tea.product_id
    placed = await order_of(shop, (tea, "5", "1"))
    with pytest.raises(PermissionDenied):
        await cancel_order(shop.uow(), shop.clerk, CancelOrder(order_id=placed.order_id))
    cancelled = await cancel_order(shop.uow(), shop.manager, CancelOrder(order_id=placed.order_id))
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.events[-1].action == "cancelled"
    assert (await on_order(shop.uow(), shop.clerk, tea)).total == D(0)
    with pytest.raises(OrderNotOpen):
        await receive(shop, placed, (1, "1"))
    with pytest.raises(OrderNotOpen):
        await place_order(shop.uow(), shop.clerk, PlaceOrder(order_id=placed.order_id))

    draft = await order_of(shop, (tea, "1", "1"), place=False)
    mine = await cancel_order(shop.uow(), shop.clerk, CancelOrder(order_id=draft.order_id))
    assert mine.status == OrderStatus.CANCELLED

    done = await order_of(shop, (tea, "1", "1"))
    await receive(shop, done, (1, "1"))
    with pytest.raises(OrderNotOpen):
        await cancel_order(shop.uow(), shop.manager, CancelOrder(order_id=done.order_id))


async def test_open_orders_are_listed_newest_first_by_state(db: Database) -> None:
    shop = await open_shop(db)
    tea, cup = shop.tea.product_id, shop.cup.product_id
    older = await order_of(shop, (tea, "1", "1"))
    newer = await order_of(shop, (tea, "1", "1"), (cup, "1", "1"))
    draft = await order_of(shop, (cup, "1", "1"), place=False)

    listed = await list_orders(shop.uow(), shop.clerk, OrderKind.PURCHASE)
    assert [(o.number, o.lines, o.party_name) for o in listed] == [
        (newer.number, 2, "杭州茶厂"),
        (older.number, 1, "杭州茶厂"),
    ]
    drafts = await list_orders(shop.uow(), shop.clerk, OrderKind.PURCHASE, (OrderStatus.DRAFT,))
    assert [o.number for o in drafts] == [draft.number]


async def test_bad_orders_and_other_businesses_are_refused(db: Database) -> None:
    shop = await open_shop(db)
    other = await open_shop(db, owner_id=2000, name="另一家")
    tea = shop.tea.product_id
    with pytest.raises(PermissionDenied):
        await order_of(shop, (tea, "1", "1"), actor=shop.viewer)
    with pytest.raises(NotFound):
        await order_of(shop, (other.tea.product_id, "1", "1"))
    with pytest.raises(NotFound):
        await create_purchase_order(
            shop.uow(),
            shop.clerk,
            CreatePurchaseOrder(
                request_id=rid("po"),
                supplier_id=other.supplier_id,
                lines=(OrderLineInput(product_id=tea, qty=D(1), unit_price=D(1)),),
            ),
        )
    await change_product(
        shop.uow(), shop.manager, ChangeProduct(product_id=shop.cup.product_id, archived=True)
    )
    with pytest.raises(ArchivedProduct):
        await order_of(shop, (shop.cup.product_id, "1", "1"))

    order = await order_of(shop, (tea, "2", "1"))
    with pytest.raises(NotFound):
        await receive(shop, order, (2, "1"))  # no line 2
    with pytest.raises(NotFound):
        await get_order(other.uow(), other.clerk, order.order_id)
    with pytest.raises(NotFound):
        await receive_order(
            other.uow(),
            other.clerk,
            ReceiveOrder(
                request_id=rid("cg"),
                order_id=order.order_id,
                lines=(FillLine(line_no=1, qty=D(1)),),
            ),
        )
    with pytest.raises(PermissionDenied):
        await get_order(shop.uow(), shop.viewer, order.order_id)
    assert await stock(shop, tea) == D(0)


async def test_the_check_proves_received_quantities_follow_the_receipts(db: Database) -> None:
    shop = await open_shop(db)
    order = await order_of(shop, (shop.tea.product_id, "10", "5"))
    receipt = await receive(shop, order, (1, "4"))
    await void_document(
        shop.uow(), shop.clerk, VoidDocument(request_id=rid("void"), document_id=receipt.id)
    )
    await receive(shop, order, (1, "3"))
    assert (await check_ledger(db)).ok  # the voided receipt counts for nothing

    async with UnitOfWork(db) as uow:  # damage one figure behind the services' back
        await uow.session.execute(
            update(OrderLine).where(OrderLine.order_id == order.order_id).values(done_qty=D(5))
        )
        await uow.commit()
    [difference] = (await check_ledger(db)).differences
    assert (difference.what, difference.order_id) == ("order_received", order.order_id)
    assert (difference.stored, difference.from_moves) == (D(5), D(3))
    assert f"order {order.order_id}" in str(difference)
