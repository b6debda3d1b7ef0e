from decimal import Decimal

import pytest
from sqlalchemy import select

from core.catalog.editing import (
    ChangeParty,
    ChangeSku,
    ChangeWarehouse,
    change_party,
    change_sku,
    change_warehouse,
)
from core.catalog.listing import (
    get_party,
    get_warehouse,
    list_parties,
    list_products,
    product_overview,
)
from core.catalog.lookup import find_products
from core.catalog.models import Customer, Warehouse
from core.catalog.parties import CreateSupplier, create_supplier
from core.catalog.products import ChangeProduct, CreateProduct, change_product, create_product
from core.catalog.warehouses import list_warehouses
from core.db.engine import Database
from core.errors import Duplicate, InvalidInput, NotFound, PermissionDenied, WarehouseStillNeeded
from core.inventory.stock import stock_card
from core.tenancy.access import Actor
from tests.support.shop import Shop, open_shop, rid


async def add_products(shop: Shop, count: int) -> None:
    for n in range(count):
        await create_product(
            shop.uow(),
            shop.owner,
            CreateProduct(request_id=rid(), sku=f"C{n:03d}", name=f"绿茶{n}", unit="包"),
        )


async def test_products_come_a_page_at_a_time_archived_last(db: Database) -> None:
    shop = await open_shop(db)
    await add_products(shop, 12)  # 14 in all with A001 and B002
    await change_product(
        shop.uow(), shop.manager, ChangeProduct(product_id=shop.tea.product_id, archived=True)
    )

    first, total = await list_products(shop.uow(), shop.viewer, 0, 10)
    second, _ = await list_products(shop.uow(), shop.viewer, 1, 10)
    past, total_past = await list_products(shop.uow(), shop.viewer, 5, 10)

    assert total == 14
    assert [p.sku for p in first] == ["B002", *[f"C{n:03d}" for n in range(9)]]
    assert [p.sku for p in second] == ["C009", "C010", "C011", "A001"]
    assert second[-1].archived
    assert second[-1].barcodes == ("6901234567892",)
    assert (past, total_past) == ([], 14)


async def test_a_term_filters_the_list_by_sku_name_pinyin_and_barcode(db: Database) -> None:
    shop = await open_shop(db)
    await add_products(shop, 3)
    other = await open_shop(db, owner_id=2000, name="另一家")

    async def skus(term: str) -> list[str]:
        items, total = await list_products(shop.uow(), shop.clerk, 0, 10, term)
        assert total == len(items)
        return [p.sku for p in items]

    assert await skus("a0") == ["A001"]
    assert await skus("龙井") == ["A001"]
    assert await skus("lc") == ["C000", "C001", "C002"]
    assert await skus("6901234567892") == ["A001"]
    assert await skus("100%") == []
    assert [p.sku for p in (await list_products(other.uow(), other.clerk, 0, 10, "xhlj"))[0]] == [
        "A001"
    ]


async def test_the_overview_shows_costs_only_to_managers_in_private(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "10", "20")
    await change_product(
        shop.uow(),
        shop.manager,
        ChangeProduct(product_id=shop.tea.product_id, reorder_point=Decimal(5)),
    )

    manager = await product_overview(shop.uow(), shop.manager, shop.tea.product_id)
    clerk = await product_overview(shop.uow(), shop.clerk, shop.tea.product_id)
    public_owner = Actor(user_id=shop.owner.user_id, in_public=True)
    public = await product_overview(shop.uow(), public_owner, shop.tea.product_id)

    assert manager.stock.on_hand == Decimal(10)
    assert (manager.stock.avg_cost, manager.stock.value) == (Decimal(20), Decimal(200))
    assert manager.product.reorder_point == Decimal(5)
    assert manager.currency == "CNY"
    assert (clerk.stock.avg_cost, clerk.stock.value) == (None, None)
    assert (public.stock.avg_cost, public.stock.value) == (None, None)
    assert public.stock.on_hand == Decimal(10)
    other = await open_shop(db, owner_id=2000, name="另一家")
    with pytest.raises(NotFound):
        await product_overview(other.uow(), other.owner, shop.tea.product_id)


async def test_a_manager_changes_a_sku_and_the_product_is_found_by_it(db: Database) -> None:
    shop = await open_shop(db)
    view = await change_sku(
        shop.uow(), shop.manager, ChangeSku(product_id=shop.tea.product_id, sku=" T-01 ")
    )

    assert view.sku == "T-01"
    assert (await stock_card(shop.uow(), shop.viewer, sku="t-01")).product_id == view.product_id
    assert [h.sku for h in await find_products(shop.uow(), shop.viewer, "T-01")] == ["T-01"]
    with pytest.raises(Duplicate):
        await change_sku(
            shop.uow(), shop.manager, ChangeSku(product_id=shop.cup.product_id, sku="t-01")
        )
    with pytest.raises(PermissionDenied):
        await change_sku(
            shop.uow(), shop.clerk, ChangeSku(product_id=shop.cup.product_id, sku="X1")
        )
    with pytest.raises(InvalidInput):
        ChangeSku.build(product_id=1, sku="A 1")


async def test_parties_are_listed_changed_and_archived_by_managers(db: Database) -> None:
    shop = await open_shop(db)
    await create_supplier(
        shop.uow(), shop.clerk, CreateSupplier(request_id=rid(), name="安吉白茶", terms_days=7)
    )

    items, total = await list_parties(shop.uow(), shop.clerk, "supplier", 0, 10)
    assert (total, [p.name for p in items]) == (2, ["安吉白茶", "杭州茶厂"])

    changed = await change_party(
        shop.uow(),
        shop.manager,
        ChangeParty(
            kind="customer", party_id=shop.customer_id, contact="王五", phone="138", terms_days=45
        ),
    )
    assert (changed.contact, changed.phone, changed.terms_days) == ("王五", "138", 45)
    async with db.reads() as session:
        row = await session.get_one(Customer, shop.customer_id)
    assert (row.contact, row.phone, row.terms_days) == ("王五", "138", 45)

    with pytest.raises(PermissionDenied):
        await change_party(
            shop.uow(),
            shop.clerk,
            ChangeParty(kind="customer", party_id=shop.customer_id, terms_days=90),
        )
    with pytest.raises(NotFound):  # a customer id is no supplier
        await change_party(
            shop.uow(),
            shop.manager,
            ChangeParty(kind="supplier", party_id=shop.customer_id + 100, phone="1"),
        )
    with pytest.raises(Duplicate):
        await change_party(
            shop.uow(),
            shop.manager,
            ChangeParty(kind="supplier", party_id=shop.supplier_id, name="安吉白茶"),
        )

    await change_party(
        shop.uow(),
        shop.manager,
        ChangeParty(kind="supplier", party_id=shop.supplier_id, archived=True),
    )
    items, _ = await list_parties(shop.uow(), shop.clerk, "supplier", 0, 10)
    assert [(p.name, p.archived) for p in items] == [("安吉白茶", False), ("杭州茶厂", True)]
    assert (await get_party(shop.uow(), shop.clerk, "supplier", shop.supplier_id)).archived
    with pytest.raises(PermissionDenied):
        await list_parties(shop.uow(), shop.viewer, "customer")
    other = await open_shop(db, owner_id=2000, name="另一家")
    with pytest.raises(NotFound):
        await get_party(other.uow(), other.owner, "customer", shop.customer_id)


async def test_a_warehouse_with_stock_or_the_last_one_is_not_archived(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "3", "10", warehouse=shop.main)

    with pytest.raises(WarehouseStillNeeded) as holding:
        await change_warehouse(
            shop.uow(), shop.manager, ChangeWarehouse(warehouse_id=shop.main, archived=True)
        )
    assert holding.value.reason == "stock"

    await shop.sell(shop.tea, "3", warehouse=shop.main)  # empty again: may be archived
    archived = await change_warehouse(
        shop.uow(), shop.manager, ChangeWarehouse(warehouse_id=shop.main, archived=True)
    )
    assert archived.archived
    assert not archived.is_default
    assert (await get_warehouse(shop.uow(), shop.viewer, shop.second)).is_default

    with pytest.raises(WarehouseStillNeeded) as last:
        await change_warehouse(
            shop.uow(), shop.owner, ChangeWarehouse(warehouse_id=shop.second, archived=True)
        )
    assert last.value.reason == "last"

    restored = await change_warehouse(
        shop.uow(), shop.owner, ChangeWarehouse(warehouse_id=shop.main, archived=False)
    )
    assert not restored.archived
    assert [w.is_default for w in await list_warehouses(shop.uow(), shop.owner)].count(True) == 1


async def test_warehouses_are_renamed_by_managers_only(db: Database) -> None:
    shop = await open_shop(db)

    renamed = await change_warehouse(
        shop.uow(), shop.manager, ChangeWarehouse(warehouse_id=shop.second, name=" 三号仓 ")
    )
    assert renamed.name == "三号仓"
    async with db.reads() as session:
        assert await session.scalar(select(Warehouse.name).where(Warehouse.id == shop.second)) == (
            "三号仓"
        )
    with pytest.raises(Duplicate):
        await change_warehouse(
            shop.uow(), shop.manager, ChangeWarehouse(warehouse_id=shop.main, name="三号仓")
        )
    with pytest.raises(PermissionDenied):
        await change_warehouse(
            shop.uow(), shop.clerk, ChangeWarehouse(warehouse_id=shop.main, name="x")
        )
    other = await open_shop(db, owner_id=2000, name="另一家")
    with pytest.raises(NotFound):
        await change_warehouse(
            other.uow(), other.owner, ChangeWarehouse(warehouse_id=shop.main, name="mine")
        )
