import pytest

from core.catalog.lookup import find_products, product_by_code
from core.catalog.products import AddBarcode, ChangeProduct, add_barcode, change_product
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import NoBusiness
from core.tenancy.access import Actor
from tests.support.shop import open_shop


async def test_members_find_their_own_products_by_sku_barcode_name_and_pinyin(
    db: Database,
) -> None:
    shop = await open_shop(db)
    other = await open_shop(db, owner_id=2000, name="另一家")
    tea, cup = shop.tea.product_id, shop.cup.product_id
    cases = {
        "a001": (tea, "sku"),
        "6901234567892": (tea, "barcode"),
        "西湖": (tea, "prefix"),
        "龙井": (tea, "substring"),
        "bxg": (cup, "pinyin"),
        "杯": (cup, "substring"),
    }
    for term, expected in cases.items():
        hits = await find_products(shop.uow(), shop.viewer, term)
        assert [(h.product_id, h.match) for h in hits] == [expected], term
    theirs = await find_products(other.uow(), other.viewer, "龙井")
    assert [h.product_id for h in theirs] == [other.tea.product_id]


async def test_archived_products_are_found_only_when_asked(db: Database) -> None:
    shop = await open_shop(db)
    await change_product(
        shop.uow(), shop.manager, ChangeProduct(product_id=shop.cup.product_id, archived=True)
    )
    assert await find_products(shop.uow(), shop.clerk, "杯") == []
    found = await find_products(shop.uow(), shop.clerk, "杯", include_archived=True)
    assert [(h.sku, h.archived) for h in found] == [("B002", True)]


async def test_someone_without_a_business_cannot_search(db: Database) -> None:
    await open_shop(db)
    with pytest.raises(NoBusiness):
        await find_products(UnitOfWork(db), Actor(user_id=999), "杯")


async def test_an_exact_sku_or_barcode_is_one_product(db: Database) -> None:
    shop = await open_shop(db)
    other = await open_shop(db, owner_id=2000, name="另一家")
    tea = shop.tea.product_id

    for code in ("A001", " a001 ", "6901234567892"):
        found = await product_by_code(shop.uow(), shop.viewer, code)
        assert found is not None and found.product_id == tea, code
    assert found.barcodes == ("6901234567892",)
    for code in ("A00", "西湖", "", "  ", "B002x"):
        assert await product_by_code(shop.uow(), shop.viewer, code) is None, code
    mine = await product_by_code(other.uow(), other.viewer, "A001")
    assert mine is not None and mine.product_id == other.tea.product_id  # never the other shop's


async def test_a_sku_wins_over_another_products_barcode_and_archived_ones_are_found(
    db: Database,
) -> None:
    shop = await open_shop(db)
    await add_barcode(
        shop.uow(), shop.manager, AddBarcode(product_id=shop.cup.product_id, code="A001")
    )
    found = await product_by_code(shop.uow(), shop.clerk, "a001")
    assert found is not None and found.sku == "A001"

    await change_product(
        shop.uow(), shop.manager, ChangeProduct(product_id=shop.cup.product_id, archived=True)
    )
    found = await product_by_code(shop.uow(), shop.clerk, "b002")
    assert found is not None and (found.sku, found.archived) == ("B002", True)
