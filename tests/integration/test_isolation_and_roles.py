"""The wall between businesses and what each role may do (DESIGN rule 9), on both engines."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.catalog.models import Customer, Product, Supplier, Warehouse
from core.catalog.parties import (
    CreateCustomer,
    CreateSupplier,
    create_customer,
    create_supplier,
    list_suppliers,
)
from core.catalog.products import (
    AddBarcode,
    ChangeProduct,
    CreateProduct,
    add_barcode,
    change_product,
    create_product,
    get_product,
)
from core.catalog.search import search_products
from core.catalog.warehouses import CreateWarehouse, create_warehouse, list_warehouses
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import NoBusiness, NotFound, PermissionDenied, RequestConflict
from core.inventory.adjustments import PostAdjustment, post_adjustment
from core.inventory.counts import PostStockCount, post_stock_count
from core.inventory.models import DocStatus, Document, DocumentLine, StockMove
from core.inventory.stock import on_hand, stock_card
from core.inventory.transfers import PostTransfer, post_transfer
from core.inventory.voids import VoidDocument, void_document
from core.orders.receipts import PostReceipt, post_receipt
from core.orders.shipments import PostShipment, post_shipment
from core.tenancy.access import Actor
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from core.tenancy.members import (
    ChangeRole,
    CreateInvite,
    RemoveMember,
    change_role,
    create_invite,
    list_members,
    remove_member,
)
from core.tenancy.models import Invite, Role
from tests.support.shop import Shop, join, open_shop, rid

D = Decimal


@dataclass
class Two:
    mine: Shop
    theirs: Shop


@pytest.fixture
async def two(db: Database) -> Two:
    return Two(
        await open_shop(db, owner_id=1000), await open_shop(db, owner_id=2000, name="另一家")
    )


@pytest.fixture
async def shop(db: Database) -> Shop:
    return await open_shop(db)


async def rows(db: Database, model: type) -> int:
    async with UnitOfWork(db).reading() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def ledger_rows(db: Database) -> tuple[int, int, int]:
    return (await rows(db, Document), await rows(db, DocumentLine), await rows(db, StockMove))


async def status(db: Database, document_id: int) -> str:
    async with UnitOfWork(db).reading() as session:
        doc = await session.get_one(Document, document_id)
        return doc.status


def receipt(shop: Shop, **changes: object) -> PostReceipt:
    line = {"product_id": shop.tea.product_id, "qty": "1", "unit_price": "5"}
    line |= changes.pop("line", {})  # type: ignore[arg-type]
    fields = {
        "request_id": rid("cg"),
        "warehouse_id": shop.main,
        "supplier_id": shop.supplier_id,
        "lines": [line],
    }
    return PostReceipt.build(**fields | changes)


# The wall between two businesses


async def test_a_sku_both_shops_use_shows_each_shop_its_own_product(two: Two) -> None:
    await two.mine.receive(two.mine.tea, "3", "10")
    await two.theirs.receive(two.theirs.tea, "70", "99")
    mine = await stock_card(two.mine.uow(), two.mine.manager, sku="A001")
    theirs = await stock_card(two.theirs.uow(), two.theirs.manager, sku="a001")
    assert (mine.product_id, mine.on_hand, mine.value) == (two.mine.tea.product_id, D(3), D(30))
    assert (theirs.product_id, theirs.on_hand, theirs.value) == (
        two.theirs.tea.product_id,
        D(70),
        D(6930),
    )
    assert {lv.warehouse_id for lv in mine.levels} == {two.mine.main}


async def test_the_other_shops_product_is_not_found_by_sku_or_id(two: Two) -> None:
    only_theirs = await create_product(
        two.theirs.uow(),
        two.theirs.owner,
        CreateProduct(request_id=rid(), sku="Z999", name="茶饼"),
    )
    for lookup in (
        {"sku": "Z999"},
        {"product_id": only_theirs.product_id},
        {"product_id": two.theirs.tea.product_id},
    ):
        with pytest.raises(NotFound):
            await stock_card(two.mine.uow(), two.mine.owner, **lookup)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await get_product(two.mine.uow(), two.mine.viewer, two.theirs.tea.product_id)
    assert (await get_product(two.mine.uow(), two.mine.viewer, two.mine.tea.product_id)).sku == (
        "A001"
    )


async def test_on_hand_in_the_other_shops_warehouse_is_not_found(two: Two) -> None:
    await two.theirs.receive(two.theirs.tea, "5", "1")
    with pytest.raises(NotFound):
        await on_hand(two.mine.uow(), two.mine.viewer, two.theirs.tea.product_id, two.theirs.main)
    with pytest.raises(NotFound):
        await on_hand(two.mine.uow(), two.mine.viewer, two.mine.tea.product_id, two.theirs.main)


@pytest.mark.parametrize("borrowed", ["product", "warehouse", "supplier"])
async def test_a_receipt_naming_the_other_shops_things_is_not_found_and_writes_nothing(
    two: Two, borrowed: str
) -> None:
    mine, theirs = two.mine, two.theirs
    fields = {
        "product": {"line": {"product_id": theirs.tea.product_id}},
        "warehouse": {"warehouse_id": theirs.main},
        "supplier": {"supplier_id": theirs.supplier_id},
    }[borrowed]
    before = await ledger_rows(mine.db)
    with pytest.raises(NotFound) as refused:
        await post_receipt(mine.uow(), mine.manager, receipt(mine, **fields))
    assert refused.value.kind == borrowed
    assert await ledger_rows(mine.db) == before
    posted = await mine.receive(mine.tea, "1", "5")
    assert posted.number.endswith("-00001")  # no number was used up either


async def test_a_sale_to_the_other_shops_customer_is_not_found(two: Two) -> None:
    mine, theirs = two.mine, two.theirs
    await mine.receive(mine.tea, "5", "1")
    before = await ledger_rows(mine.db)
    with pytest.raises(NotFound) as refused:
        await post_shipment(
            mine.uow(),
            mine.clerk,
            PostShipment.build(
                request_id=rid(),
                customer_id=theirs.customer_id,
                lines=[{"product_id": mine.tea.product_id, "qty": "1", "unit_price": "9"}],
            ),
        )
    assert refused.value.kind == "customer"
    assert await ledger_rows(mine.db) == before


async def test_counts_transfers_and_adjustments_cannot_reach_into_the_other_shop(
    two: Two,
) -> None:
    mine, theirs = two.mine, two.theirs
    await mine.receive(mine.tea, "5", "1")
    await theirs.receive(theirs.tea, "5", "1")
    before = await ledger_rows(mine.db)
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: post_transfer(
            mine.uow(),
            mine.manager,
            PostTransfer.build(
                request_id=rid(),
                from_warehouse_id=mine.main,
                to_warehouse_id=theirs.main,
                lines=[{"product_id": mine.tea.product_id, "qty": "1"}],
            ),
        ),
        lambda: post_transfer(
            mine.uow(),
            mine.manager,
            PostTransfer.build(
                request_id=rid(),
                from_warehouse_id=theirs.main,
                to_warehouse_id=mine.main,
                lines=[{"product_id": theirs.tea.product_id, "qty": "1"}],
            ),
        ),
        lambda: post_stock_count(
            mine.uow(),
            mine.manager,
            PostStockCount.build(
                request_id=rid(),
                warehouse_id=theirs.main,
                lines=[{"product_id": mine.tea.product_id, "counted_qty": "0"}],
            ),
        ),
        lambda: post_stock_count(
            mine.uow(),
            mine.manager,
            PostStockCount.build(
                request_id=rid(),
                warehouse_id=mine.main,
                lines=[{"product_id": theirs.tea.product_id, "counted_qty": "0"}],
            ),
        ),
        lambda: post_adjustment(
            mine.uow(),
            mine.manager,
            PostAdjustment.build(
                request_id=rid(),
                note="破损",
                lines=[{"product_id": theirs.tea.product_id, "qty": "-1"}],
            ),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            await attempt()
    assert await ledger_rows(mine.db) == before
    card = await stock_card(theirs.uow(), theirs.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(5), D(5))


async def test_voiding_the_other_shops_document_is_not_found_and_leaves_it_posted(
    two: Two,
) -> None:
    theirs = await two.theirs.receive(two.theirs.tea, "5", "1")
    with pytest.raises(NotFound):
        await void_document(
            two.mine.uow(),
            two.mine.owner,
            VoidDocument(request_id=rid(), document_id=theirs.document_id),
        )
    assert await status(two.mine.db, theirs.document_id) == DocStatus.POSTED


async def test_changing_the_other_shops_product_is_not_found(two: Two) -> None:
    other_tea = two.theirs.tea.product_id
    with pytest.raises(NotFound):
        await change_product(
            two.mine.uow(), two.mine.owner, ChangeProduct(product_id=other_tea, name="偷改")
        )
    with pytest.raises(NotFound):
        await add_barcode(
            two.mine.uow(), two.mine.owner, AddBarcode(product_id=other_tea, code="123")
        )
    assert (await get_product(two.theirs.uow(), two.theirs.viewer, other_tea)).name == "西湖龙井"


@pytest.mark.parametrize("term", ["A001", "6901234567892", "龙井", "西湖龙井", "xhlj", "xihu"])
async def test_search_finds_only_the_shops_own_products(two: Two, term: str) -> None:
    for shop in (two.mine, two.theirs):
        async with shop.uow().reading() as session:
            hits = await search_products(session, shop.business_id, term)
        assert [hit.product_id for hit in hits] == [shop.tea.product_id]


async def test_lists_show_only_the_shops_own_warehouses_and_suppliers(two: Two) -> None:
    warehouses = await list_warehouses(two.mine.uow(), two.mine.viewer)
    assert [w.warehouse_id for w in warehouses] == [two.mine.main, two.mine.second]
    suppliers = await list_suppliers(two.mine.uow(), two.mine.clerk)
    assert [s.party_id for s in suppliers] == [two.mine.supplier_id]


async def test_a_shop_may_use_names_the_other_shop_already_uses(two: Two) -> None:
    # Unique keys are per business: the other shop's 二号仓 and 杭州茶厂 do not block these.
    made = await create_warehouse(
        two.theirs.uow(), two.theirs.owner, CreateWarehouse(request_id=rid(), name="三号仓")
    )
    again = await create_warehouse(
        two.mine.uow(), two.mine.owner, CreateWarehouse(request_id=rid(), name="三号仓")
    )
    assert made.warehouse_id != again.warehouse_id


REUSED: dict[str, Callable[[UnitOfWork, Actor], Awaitable[object]]] = {
    "warehouse": lambda uow, actor: create_warehouse(
        uow, actor, CreateWarehouse(request_id="menu:42", name="冷库")
    ),
    "supplier": lambda uow, actor: create_supplier(
        uow, actor, CreateSupplier(request_id="menu:42", name="新厂")
    ),
    "customer": lambda uow, actor: create_customer(
        uow, actor, CreateCustomer(request_id="menu:42", name="新客")
    ),
    "product": lambda uow, actor: create_product(
        uow, actor, CreateProduct(request_id="menu:42", sku="N001", name="新茶")
    ),
    "invite": lambda uow, actor: create_invite(
        uow, actor, CreateInvite(request_id="menu:42", role=Role.CLERK)
    ),
}


@pytest.mark.parametrize("kind", list(REUSED))
async def test_a_request_id_reused_in_another_business_never_answers_with_the_first_ones_row(
    db: Database, kind: str
) -> None:
    """One person owning two shops: the second request is refused or acts in its own shop."""
    mine = await open_shop(db, owner_id=1000)
    theirs = await open_shop(db, owner_id=2000, name="另一家")
    await join(db, theirs.owner, 1000, Role.OWNER)  # 1000 owns both now
    in_mine = Actor(user_id=1000, business_id=mine.business_id)
    in_theirs = Actor(user_id=1000, business_id=theirs.business_id)
    create = REUSED[kind]
    first = await create(UnitOfWork(db), in_mine)
    try:
        second = await create(UnitOfWork(db), in_theirs)
    except RequestConflict:
        return  # refusing the reused id is fine; answering with 茶叶店's row is not
    assert second != first
    if kind == "invite":  # else 另一家's owner hands out a key to 茶叶店
        async with UnitOfWork(db).reading() as session:
            made = await session.scalar(select(Invite).where(Invite.token == second.token))
        assert made is not None and made.business_id == theirs.business_id


# Roles


async def viewer_actions(shop: Shop) -> dict[str, Callable[[], Awaitable[object]]]:
    doc = await shop.receive(shop.tea, "5", "2")
    v, tea = shop.viewer, shop.tea.product_id
    return {
        "receive": lambda: shop.receive(shop.tea, "1", "1", actor=v),
        "sell": lambda: shop.sell(shop.tea, "1", actor=v),
        "count": lambda: post_stock_count(
            shop.uow(),
            v,
            PostStockCount.build(
                request_id=rid(), lines=[{"product_id": tea, "counted_qty": "1"}]
            ),
        ),
        "transfer": lambda: post_transfer(
            shop.uow(),
            v,
            PostTransfer.build(
                request_id=rid(),
                from_warehouse_id=shop.main,
                to_warehouse_id=shop.second,
                lines=[{"product_id": tea, "qty": "1"}],
            ),
        ),
        "create product": lambda: create_product(
            shop.uow(), v, CreateProduct(request_id=rid(), name="新茶")
        ),
        "add barcode": lambda: add_barcode(shop.uow(), v, AddBarcode(product_id=tea, code="9")),
        "create supplier": lambda: create_supplier(
            shop.uow(), v, CreateSupplier(request_id=rid(), name="新厂")
        ),
        "create customer": lambda: create_customer(
            shop.uow(), v, CreateCustomer(request_id=rid(), name="新客")
        ),
        "void": lambda: void_document(
            shop.uow(), v, VoidDocument(request_id=rid(), document_id=doc.document_id)
        ),
        "list suppliers": lambda: list_suppliers(shop.uow(), v),
    }


async def test_a_viewer_may_only_look_at_stock(shop: Shop) -> None:
    actions = await viewer_actions(shop)
    before = (
        await ledger_rows(shop.db),
        await rows(shop.db, Product),
        await rows(shop.db, Supplier),
        await rows(shop.db, Customer),
    )
    for name, action in actions.items():
        with pytest.raises(PermissionDenied) as refused:
            await action()
        assert refused.value.role == "viewer", name
    assert (
        await ledger_rows(shop.db),
        await rows(shop.db, Product),
        await rows(shop.db, Supplier),
        await rows(shop.db, Customer),
    ) == before
    card = await stock_card(shop.uow(), shop.viewer, sku="A001")
    assert (card.on_hand, card.avg_cost, card.value) == (D(5), None, None)
    assert len(await list_warehouses(shop.uow(), shop.viewer)) == 2


async def test_a_clerk_may_not_adjust_change_products_or_run_the_business(shop: Shop) -> None:
    await shop.receive(shop.tea, "5", "2")
    c, tea = shop.clerk, shop.tea.product_id
    actions: dict[str, Callable[[], Awaitable[object]]] = {
        "adjust": lambda: post_adjustment(
            shop.uow(),
            c,
            PostAdjustment.build(
                request_id=rid(), note="破损", lines=[{"product_id": tea, "qty": "-1"}]
            ),
        ),
        "change product": lambda: change_product(
            shop.uow(), c, ChangeProduct(product_id=tea, default_sale_price=D(1))
        ),
        "archive product": lambda: change_product(
            shop.uow(), c, ChangeProduct(product_id=tea, archived=True)
        ),
        "create warehouse": lambda: create_warehouse(
            shop.uow(), c, CreateWarehouse(request_id=rid(), name="三号仓")
        ),
        "invite": lambda: create_invite(
            shop.uow(), c, CreateInvite(request_id=rid(), role=Role.CLERK)
        ),
        "change settings": lambda: change_business_settings(
            shop.uow(), c, ChangeBusinessSettings(allow_negative_stock=True)
        ),
        "list members": lambda: list_members(shop.uow(), c),
        "change role": lambda: change_role(
            shop.uow(), c, ChangeRole(user_id=c.user_id, role=Role.OWNER)
        ),
        "remove member": lambda: remove_member(
            shop.uow(), c, RemoveMember(user_id=shop.viewer.user_id)
        ),
    }
    for name, action in actions.items():
        with pytest.raises(PermissionDenied) as refused:
            await action()
        assert refused.value.role == "clerk", name
    assert await rows(shop.db, Warehouse) == 2
    assert await rows(shop.db, Invite) == 3
    product = await get_product(shop.uow(), c, tea)
    assert (product.default_sale_price, product.archived) == (D(88), False)
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert card.on_hand == D(5)
    members = await list_members(shop.uow(), shop.manager)
    assert {m.user_id: m.role for m in members}[c.user_id] == Role.CLERK


async def test_a_manager_may_adjust_and_change_products_but_not_run_the_business(
    shop: Shop,
) -> None:
    m = shop.manager
    await shop.receive(shop.tea, "5", "2")
    await post_adjustment(
        shop.uow(),
        m,
        PostAdjustment.build(
            request_id=rid(), note="破损", lines=[{"product_id": shop.tea.product_id, "qty": "-1"}]
        ),
    )
    await change_product(shop.uow(), m, ChangeProduct(product_id=shop.cup.product_id, unit="只"))
    await create_warehouse(shop.uow(), m, CreateWarehouse(request_id=rid(), name="三号仓"))
    assert len(await list_members(shop.uow(), m)) == 4
    for action in (
        lambda: create_invite(shop.uow(), m, CreateInvite(request_id=rid(), role=Role.CLERK)),
        lambda: change_business_settings(shop.uow(), m, ChangeBusinessSettings(name="改名")),
        lambda: change_role(shop.uow(), m, ChangeRole(user_id=m.user_id, role=Role.OWNER)),
    ):
        with pytest.raises(PermissionDenied) as refused:
            await action()
        assert refused.value.role == "manager"


async def test_a_clerk_does_the_days_work(shop: Shop) -> None:
    c = shop.clerk
    supplier = await create_supplier(shop.uow(), c, CreateSupplier(request_id=rid(), name="新厂"))
    customer = await create_customer(shop.uow(), c, CreateCustomer(request_id=rid(), name="新客"))
    product = await create_product(shop.uow(), c, CreateProduct(request_id=rid(), name="白茶"))
    await add_barcode(shop.uow(), c, AddBarcode(product_id=product.product_id, code="690000"))
    await post_receipt(
        shop.uow(),
        c,
        PostReceipt.build(
            request_id=rid(),
            supplier_id=supplier.party_id,
            lines=[{"product_id": product.product_id, "qty": "10", "unit_price": "4"}],
        ),
    )
    await post_shipment(
        shop.uow(),
        c,
        PostShipment.build(
            request_id=rid(),
            customer_id=customer.party_id,
            lines=[{"product_id": product.product_id, "qty": "3", "unit_price": "9"}],
        ),
    )
    await post_transfer(
        shop.uow(),
        c,
        PostTransfer.build(
            request_id=rid(),
            from_warehouse_id=shop.main,
            to_warehouse_id=shop.second,
            lines=[{"product_id": product.product_id, "qty": "2"}],
        ),
    )
    await post_stock_count(
        shop.uow(),
        c,
        PostStockCount.build(
            request_id=rid(),
            warehouse_id=shop.main,
            lines=[{"product_id": product.product_id, "counted_qty": "4"}],
        ),
    )
    card = await stock_card(shop.uow(), shop.manager, product_id=product.product_id)
    assert [(lv.warehouse_id, lv.on_hand) for lv in card.levels] == [
        (shop.main, D(4)),
        (shop.second, D(2)),
    ]
    assert card.value == D(24)


async def test_a_clerk_sees_prices_typed_but_never_costs(shop: Shop) -> None:
    await shop.receive(shop.tea, "3", "10", actor=shop.manager)
    for who, sees in ((shop.clerk, False), (shop.manager, True), (shop.owner, True)):
        got = await shop.receive(shop.tea, "1", "14", actor=who)
        assert (got.total, got.lines[0].unit_price, got.lines[0].amount) == (D(14), D(14), D(14))
        assert (got.cost, got.variance, got.lines[0].cost) == (
            (D(14), D(0), D(14)) if sees else (None, None, None)
        )
    # 6 on hand worth 72: the average is 12
    for who, sees in ((shop.clerk, False), (shop.manager, True)):
        sold = await shop.sell(shop.tea, "1", "20", actor=who)
        assert (sold.total, sold.lines[0].unit_price) == (D(20), D(20))
        assert (sold.cost, sold.lines[0].cost) == ((D(12), D(12)) if sees else (None, None))
        card = await stock_card(shop.uow(), who, sku="A001")
        assert card.on_hand == D(6 - (1 if who is shop.clerk else 2))
        assert (card.avg_cost, card.value) == ((D(12), D(48)) if sees else (None, None))


async def test_a_clerk_sees_count_differences_in_quantity_only(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    await shop.receive(shop.cup, "10", "2")
    for who, counted, sees in ((shop.clerk, "8", False), (shop.manager, "7", True)):
        result = await post_stock_count(
            shop.uow(),
            who,
            PostStockCount.build(
                request_id=rid(),
                warehouse_id=shop.main,
                lines=[
                    {"product_id": shop.tea.product_id, "counted_qty": counted},
                    {"product_id": shop.cup.product_id, "counted_qty": "10"},
                ],
            ),
        )
        assert [(d.sku, d.difference) for d in result.differences] == [
            ("A001", D(counted) - (10 if who is shop.clerk else 8))
        ]
        expected_value = D(-3) if sees else None
        assert [d.value for d in result.differences] == [expected_value]
        assert result.document.cost == (D(3) if sees else None)
        assert [line.cost for line in result.document.lines] == (
            [D(3), D(0)] if sees else [None, None]
        )


async def test_a_clerk_sees_no_costs_when_a_request_is_repeated_or_voided(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    cmd = PostShipment.build(
        request_id=rid(),
        lines=[{"product_id": shop.tea.product_id, "qty": "2", "unit_price": "9"}],
    )
    await post_shipment(shop.uow(), shop.clerk, cmd)
    again = await post_shipment(shop.uow(), shop.clerk, cmd)
    assert (again.cost, again.variance, again.lines[0].cost) == (None, None, None)
    voided = await void_document(
        shop.uow(), shop.clerk, VoidDocument(request_id=rid(), document_id=again.document_id)
    )
    assert voided.variance is None
    seen_by_manager = await post_shipment(shop.uow(), shop.manager, cmd)
    assert seen_by_manager.cost == D(6)


async def test_a_clerk_voids_their_own_document_but_not_someone_elses(db: Database) -> None:
    shop = await open_shop(db)
    other_clerk = await join(db, shop.owner, 1010, Role.CLERK)
    other_clerk = Actor(user_id=other_clerk.user_id, business_id=shop.business_id)
    await shop.receive(shop.tea, "10", "3")
    own = await shop.sell(shop.tea, "1", actor=shop.clerk)
    by_manager = await shop.sell(shop.tea, "1", actor=shop.manager)
    by_colleague = await shop.sell(shop.tea, "1", actor=other_clerk)
    for doc in (by_manager, by_colleague):
        with pytest.raises(PermissionDenied) as refused:
            await void_document(
                shop.uow(), shop.clerk, VoidDocument(request_id=rid(), document_id=doc.document_id)
            )
        assert refused.value.role == "clerk"
        assert await status(db, doc.document_id) == DocStatus.POSTED
    await void_document(
        shop.uow(), shop.clerk, VoidDocument(request_id=rid(), document_id=own.document_id)
    )
    assert await status(db, own.document_id) == DocStatus.VOIDED
    assert (await stock_card(shop.uow(), shop.clerk, sku="A001")).on_hand == D(8)


@pytest.mark.parametrize("who", ["manager", "owner"])
async def test_a_manager_or_owner_voids_anyones_document(shop: Shop, who: str) -> None:
    await shop.receive(shop.tea, "10", "3", actor=shop.clerk)
    sale = await shop.sell(shop.tea, "4", actor=shop.clerk)
    voided = await void_document(
        shop.uow(),
        getattr(shop, who),
        VoidDocument(request_id=rid(), document_id=sale.document_id),
    )
    assert voided.variance == D(0)
    assert await status(shop.db, sale.document_id) == DocStatus.VOIDED
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(10), D(30))


async def test_an_outsider_has_no_business_and_cannot_act_in_one(shop: Shop) -> None:
    stranger = Actor(user_id=999_999)
    with pytest.raises(NoBusiness):
        await stock_card(shop.uow(), stranger, sku="A001")
    with pytest.raises(NoBusiness):
        await shop.receive(shop.tea, "1", "1", actor=stranger)
    intruder = Actor(user_id=999_999, business_id=shop.business_id)
    before = await ledger_rows(shop.db)
    for action in (
        lambda: stock_card(shop.uow(), intruder, sku="A001"),
        lambda: shop.receive(shop.tea, "1", "1", actor=intruder),
        lambda: get_product(shop.uow(), intruder, shop.tea.product_id),
        lambda: list_warehouses(shop.uow(), intruder),
        lambda: create_product(shop.uow(), intruder, CreateProduct(request_id=rid(), name="x")),
    ):
        with pytest.raises(PermissionDenied) as refused:
            await action()
        assert refused.value.role is None
    assert await ledger_rows(shop.db) == before
    assert await rows(shop.db, Product) == 2
