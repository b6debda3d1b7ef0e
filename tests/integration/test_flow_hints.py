"""The one-call reads behind the count, transfer and adjustment flows of the bot."""

from decimal import Decimal

import pytest

from core.catalog.products import ChangeProduct, CreateProduct, change_product, create_product
from core.db.engine import Database
from core.errors import NotFound, PermissionDenied
from core.inventory.counts import CountLine, PostStockCount, post_stock_count
from core.inventory.flow_hints import flow_start, match_codes, preview_change, preview_count
from core.tenancy.access import Actor
from core.tenancy.models import Role
from tests.support.shop import Shop, open_shop, rid

D = Decimal


@pytest.fixture
async def shop(db: Database) -> Shop:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "3", "10.01")
    await shop.receive(shop.tea, "3", "10")
    return shop


async def test_the_start_has_the_role_settings_and_the_members_last_warehouse_first(
    shop: Shop,
) -> None:
    first = await flow_start(shop.uow(), shop.clerk)
    assert [w.warehouse_id for w in first.warehouses] == [shop.main, shop.second]
    assert (first.role, first.currency, first.allow_negative_stock) == (Role.CLERK, "CNY", False)
    assert first.conversation_timeout_minutes == 30

    await shop.receive(shop.cup, "2", "1", actor=shop.clerk, warehouse=shop.second)

    later = await flow_start(shop.uow(), shop.clerk)
    assert [w.warehouse_id for w in later.warehouses] == [shop.second, shop.main]
    manager = await flow_start(shop.uow(), shop.manager)  # the manager's own history
    assert [w.warehouse_id for w in manager.warehouses] == [shop.main, shop.second]


async def test_a_stranger_gets_no_start(shop: Shop) -> None:
    with pytest.raises(PermissionDenied):
        await flow_start(shop.uow(), Actor(user_id=1, business_id=shop.business_id))


async def test_codes_match_by_sku_barcode_or_exact_name_and_nothing_fuzzy(shop: Shop) -> None:
    twin = CreateProduct(request_id=rid(), sku="C003", name="不锈钢杯", unit="个")
    await create_product(shop.uow(), shop.owner, twin)
    old = CreateProduct(request_id=rid(), sku="D004", name="旧茶", unit="盒")
    archived = await create_product(shop.uow(), shop.owner, old)
    await change_product(
        shop.uow(), shop.owner, ChangeProduct(product_id=archived.product_id, archived=True)
    )

    found = await match_codes(
        shop.uow(),
        shop.clerk,
        ["a001", "6901234567892", "西湖龙井", "西湖", "不锈钢杯", "D004", "B00X"],
    )

    assert [(m.sku, m.problem) for m in found] == [
        ("A001", None),
        ("A001", None),
        ("A001", None),
        ("", "unknown"),
        ("", "several"),
        ("D004", "archived"),
        ("", "unknown"),
    ]
    assert (found[0].product_id, found[0].name, found[0].unit) == (
        shop.tea.product_id,
        "西湖龙井",
        "盒",
    )
    with pytest.raises(PermissionDenied):
        await match_codes(shop.uow(), shop.viewer, ["A001"])


async def test_a_count_preview_gives_values_only_to_managers_out_of_public(shop: Shop) -> None:
    counted = [(shop.tea.product_id, D(3)), (shop.cup.product_id, D(0))]

    manager = await preview_count(shop.uow(), shop.manager, shop.main, counted)
    clerk = await preview_count(shop.uow(), shop.clerk, shop.main, counted)
    public = Actor(user_id=shop.manager.user_id, business_id=shop.business_id, in_public=True)
    in_group = await preview_count(shop.uow(), public, shop.main, counted)

    tea = manager.lines[0]
    assert (tea.book_qty, tea.counted_qty, tea.difference) == (D(6), D(3), D(-3))
    assert tea.value == D("-30.02")  # 3 × 60.03 / 6 = 30.015, rounded once, half-up
    assert [line.product_id for line in manager.differences] == [shop.tea.product_id]
    assert manager.value == D("-30.02")
    assert clerk.value is None and all(line.value is None for line in clerk.lines)
    assert in_group.value is None and in_group.lines[0].value is None

    posted = await post_stock_count(
        shop.uow(),
        shop.manager,
        PostStockCount(
            request_id=rid(),
            warehouse_id=shop.main,
            lines=(CountLine(product_id=shop.tea.product_id, counted_qty=D(3)),),
        ),
    )
    assert posted.differences[0].value == tea.value  # the preview is what posting books


async def test_a_change_preview_gives_on_hand_and_the_value_of_a_find(shop: Shop) -> None:
    found = await preview_change(shop.uow(), shop.manager, shop.main, shop.tea.product_id, D(2))
    assert (found.on_hand, found.change, found.value) == (D(6), D(2), D("20.01"))
    elsewhere = await preview_change(
        shop.uow(), shop.clerk, shop.second, shop.tea.product_id, D(-1)
    )
    assert (elsewhere.on_hand, elsewhere.value) == (D(0), None)
    with pytest.raises(NotFound):
        await preview_change(shop.uow(), shop.manager, 999_999, shop.tea.product_id, D(1))
