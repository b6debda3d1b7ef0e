"""What the purchase and sale flows offer first: recent parties, last cost, usual warehouse."""

from decimal import Decimal

import pytest

from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
from core.catalog.warehouses import CreateWarehouse, create_warehouse
from core.db.engine import Database
from core.errors import PermissionDenied
from core.inventory.voids import VoidDocument, void_document
from core.orders.hints import (
    available_in,
    find_parties,
    last_purchase_cost,
    member_last_warehouse,
    purchase_start,
    recent_customers,
    recent_suppliers,
    sale_start,
)
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from tests.support.shop import Shop, open_shop, rid

D = Decimal


@pytest.fixture
async def shop(db: Database) -> Shop:
    return await open_shop(db)


async def add_supplier(shop: Shop, name: str) -> int:
    made = await create_supplier(
        shop.uow(), shop.owner, CreateSupplier(request_id=rid(), name=name)
    )
    return made.party_id


async def add_customer(shop: Shop, name: str) -> int:
    made = await create_customer(
        shop.uow(), shop.owner, CreateCustomer(request_id=rid(), name=name)
    )
    return made.party_id


async def receive_from(shop: Shop, supplier_id: int, price: str = "5") -> int:
    cmd = PostReceipt(
        request_id=rid("cg"),
        warehouse_id=shop.main,
        supplier_id=supplier_id,
        lines=(ReceiptLine(product_id=shop.tea.product_id, qty=D(1), unit_price=D(price)),),
    )
    return (await post_receipt(shop.uow(), shop.clerk, cmd)).document_id


async def test_recent_suppliers_come_first_then_the_rest_by_name(shop: Shop) -> None:
    zebra = await add_supplier(shop, "Zebra Foods")
    apple = await add_supplier(shop, "Apple Farm")
    await receive_from(shop, shop.supplier_id)
    await receive_from(shop, zebra)

    names = [p.name for p in await recent_suppliers(shop.uow(), shop.clerk)]

    assert names == ["Zebra Foods", "杭州茶厂", "Apple Farm"]
    assert apple in {p.party_id for p in await recent_suppliers(shop.uow(), shop.clerk)}


async def test_recent_parties_are_limited_and_leave_out_other_businesses(
    db: Database, shop: Shop
) -> None:
    other = await open_shop(db, owner_id=2000, name="Other")
    for n in range(8):
        await add_customer(shop, f"Customer {n}")

    recent = await recent_customers(shop.uow(), shop.clerk, limit=3)
    theirs = await recent_customers(other.uow(), other.clerk)

    assert [p.name for p in recent] == ["Customer 0", "Customer 1", "Customer 2"]
    assert [p.name for p in theirs] == ["王老板"]


async def test_viewers_are_not_offered_parties(shop: Shop) -> None:
    with pytest.raises(PermissionDenied):
        await recent_suppliers(shop.uow(), shop.viewer)
    with pytest.raises(PermissionDenied):
        await purchase_start(shop.uow(), shop.viewer)


async def test_find_parties_matches_part_of_the_name_in_any_case_prefix_first(shop: Shop) -> None:
    await add_supplier(shop, "Big Tea Co")
    await add_supplier(shop, "Tea House")
    await add_supplier(shop, "100%_Pure")

    found = await find_parties(shop.uow(), shop.clerk, "supplier", "  TEA ")

    assert [p.name for p in found] == ["Tea House", "Big Tea Co"]
    assert [p.name for p in await find_parties(shop.uow(), shop.clerk, "supplier", "茶")] == [
        "杭州茶厂"
    ]
    percent = await find_parties(shop.uow(), shop.clerk, "supplier", "%")
    assert [p.name for p in percent] == ["100%_Pure"]  # a wildcard is a character here
    assert await find_parties(shop.uow(), shop.clerk, "customer", "tea") == []
    assert [p.name for p in await find_parties(shop.uow(), shop.clerk, "customer", "王")] == [
        "王老板"
    ]


async def test_last_purchase_cost_is_the_latest_posted_receipt_line(shop: Shop) -> None:
    assert await last_purchase_cost(shop.uow(), shop.clerk, shop.tea.product_id) is None

    await receive_from(shop, shop.supplier_id, price="5")
    latest = await receive_from(shop, shop.supplier_id, price="6.25")
    assert await last_purchase_cost(shop.uow(), shop.clerk, shop.tea.product_id) == D("6.25")

    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=latest)
    )
    assert await last_purchase_cost(shop.uow(), shop.clerk, shop.tea.product_id) == D("5")
    assert await last_purchase_cost(shop.uow(), shop.clerk, shop.cup.product_id) is None


async def test_no_purchase_cost_is_offered_where_others_read(shop: Shop) -> None:
    await receive_from(shop, shop.supplier_id, price="5")
    in_group = shop.clerk.model_copy(update={"in_public": True})

    assert await last_purchase_cost(shop.uow(), in_group, shop.tea.product_id) is None


async def test_the_members_last_warehouse_is_the_one_of_their_latest_document(shop: Shop) -> None:
    assert await member_last_warehouse(shop.uow(), shop.clerk) is None

    await shop.receive(shop.tea, "5", "2", actor=shop.clerk, warehouse=shop.second)
    await shop.receive(shop.tea, "5", "2", actor=shop.manager, warehouse=shop.main)

    assert await member_last_warehouse(shop.uow(), shop.clerk) == shop.second
    assert await member_last_warehouse(shop.uow(), shop.manager) == shop.main


async def test_available_is_on_hand_in_that_warehouse(shop: Shop) -> None:
    await shop.receive(shop.tea, "5", "2", warehouse=shop.second)
    await shop.sell(shop.tea, "1.5", warehouse=shop.second)

    there = await available_in(shop.uow(), shop.clerk, shop.tea.product_id, shop.second)
    here = await available_in(shop.uow(), shop.clerk, shop.tea.product_id, shop.main)

    assert (there, here) == (D("3.5"), D(0))


async def test_available_in_another_business_is_nothing(db: Database, shop: Shop) -> None:
    await shop.receive(shop.tea, "5", "2")
    other = await open_shop(db, owner_id=2000, name="Other")

    seen = await available_in(other.uow(), other.clerk, shop.tea.product_id, shop.main)

    assert seen == D(0)


async def test_purchase_start_reads_settings_warehouses_and_suppliers_at_once(
    shop: Shop,
) -> None:
    await shop.receive(shop.tea, "1", "2", actor=shop.clerk, warehouse=shop.second)
    third = await create_warehouse(
        shop.uow(), shop.owner, CreateWarehouse(request_id=rid(), name="三号仓")
    )

    start = await purchase_start(shop.uow(), shop.clerk)

    assert [w.warehouse_id for w in start.warehouses] == [
        shop.second,
        shop.main,
        third.warehouse_id,
    ]
    assert start.last_warehouse_id == shop.second
    assert [p.name for p in start.parties] == ["杭州茶厂"]
    assert start.business.allow_negative_stock is False
    assert start.sees_costs is False
    owner_start = await purchase_start(shop.uow(), shop.owner)
    assert owner_start.sees_costs is True
    assert owner_start.warehouses[0].is_default  # no document yet: the default comes first


async def test_sale_start_offers_recent_customers(shop: Shop) -> None:
    vip = await add_customer(shop, "Alice")
    cmd = PostShipment(
        request_id=rid("xs"),
        warehouse_id=shop.main,
        customer_id=shop.customer_id,
        lines=(ShipmentLine(product_id=shop.cup.product_id, qty=D(1), unit_price=D(1)),),
    )
    await shop.receive(shop.cup, "5", "1")
    await post_shipment(shop.uow(), shop.clerk, cmd)

    start = await sale_start(shop.uow(), shop.clerk)

    assert [p.name for p in start.parties] == ["王老板", "Alice"]
    assert vip in {p.party_id for p in start.parties}
