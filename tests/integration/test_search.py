from dataclasses import dataclass

import pytest
from sqlalchemy import select

from core.catalog import search as search_module
from core.catalog.models import Barcode, Product
from core.catalog.search import ProductHit, index_product, search_products
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.tenancy.models import Business


@dataclass
class Item:
    """A product to create: its SKU, name, barcodes and archive flag."""

    sku: str
    name: str
    barcodes: tuple[str, ...] = ()
    archived: bool = False
    unit: str = "个"


async def new_business(db: Database, name: str) -> int:
    async with UnitOfWork(db) as uow:
        business = Business(name=name)
        uow.session.add(business)
        await uow.session.flush()
        await uow.commit()
        return business.id


async def add_products(db: Database, business_id: int, *items: Item) -> dict[str, int]:
    """Creates the products as a service would; returns their ids by SKU."""
    ids: dict[str, int] = {}
    async with UnitOfWork(db) as uow:
        for item in items:
            product = Product(
                business_id=business_id,
                sku=item.sku,
                name=item.name,
                unit=item.unit,
                archived=item.archived,
            )
            uow.session.add(product)
            await index_product(uow.session, product)
            for code in item.barcodes:
                uow.session.add(Barcode(business_id=business_id, product_id=product.id, code=code))
            ids[item.sku] = product.id
        await uow.commit()
    return ids


async def search(
    db: Database, business_id: int, term: str, *, limit: int = 20, include_archived: bool = False
) -> list[ProductHit]:
    async with UnitOfWork(db).reading() as session:
        return await search_products(
            session, business_id, term, limit=limit, include_archived=include_archived
        )


async def found(
    db: Database, business_id: int, term: str, *, include_archived: bool = False
) -> list[str]:
    hits = await search(db, business_id, term, include_archived=include_archived)
    return [hit.name for hit in hits]


@pytest.fixture
async def shop(db: Database) -> int:
    return await new_business(db, "百货店")


async def test_tiers_come_in_order_sku_barcode_prefix_substring_pinyin_without_duplicates(
    db: Database, shop: int
) -> None:
    ids = await add_products(
        db,
        shop,
        Item("X5", "杯子"),  # pinyin "beizi"
        Item("X4", "Cup Beige"),  # "bei" inside the name
        Item("X3", "Beijing Duck"),  # name starts with "bei"
        Item("X2", "保温壶", barcodes=("BEI",)),
        Item("BEI", "Beibei Bowl"),  # SKU, and its name would match twice more
        Item("X6", "牛奶"),
    )

    hits = await search(db, shop, "Bei")

    assert [(hit.match, hit.product_id) for hit in hits] == [
        ("sku", ids["BEI"]),
        ("barcode", ids["X2"]),
        ("prefix", ids["X3"]),
        ("substring", ids["X4"]),
        ("pinyin", ids["X5"]),
    ]
    assert hits[0] == ProductHit(ids["BEI"], "BEI", "Beibei Bowl", "个", False, "sku")


async def test_a_scanned_barcode_finds_its_product(db: Database, shop: int) -> None:
    await add_products(db, shop, Item("A1", "纯牛奶", barcodes=("6901234567892",)))

    hits = await search(db, shop, " 6901234567892 ")

    assert [(hit.match, hit.name) for hit in hits] == [("barcode", "纯牛奶")]


async def test_one_and_two_character_chinese_terms_find_names_containing_them(
    db: Database, shop: int
) -> None:
    await add_products(
        db,
        shop,
        Item("A1", "纯牛奶 250ml"),
        Item("A2", "不锈钢保温杯"),
        Item("A3", "玻璃杯"),
        Item("A4", "牛奶巧克力"),
        Item("A5", "杯垫"),
    )

    assert await found(db, shop, "牛奶") == ["牛奶巧克力", "纯牛奶 250ml"]  # prefix first
    assert await found(db, shop, "杯") == ["杯垫", "不锈钢保温杯", "玻璃杯"]
    assert await found(db, shop, "钢保") == ["不锈钢保温杯"]


async def test_three_and_five_character_terms_find_names_containing_them(
    db: Database, shop: int
) -> None:
    await add_products(
        db,
        shop,
        Item("A1", "不锈钢保温杯 500ml"),
        Item("A2", "保温杯套"),
        Item("A3", "Instant Coffee Mix"),
        Item("A4", "Coffee Filter"),
        Item("A5", "不锈保温壶"),
    )

    assert await found(db, shop, "保温杯") == ["保温杯套", "不锈钢保温杯 500ml"]
    assert await found(db, shop, "不锈钢保温") == ["不锈钢保温杯 500ml"]
    assert await found(db, shop, "ffe") == ["Instant Coffee Mix", "Coffee Filter"]
    assert await found(db, shop, "offee") == ["Instant Coffee Mix", "Coffee Filter"]
    assert await found(db, shop, "0ml") == ["不锈钢保温杯 500ml"]
    assert await found(db, shop, "不锈保温杯") == []  # the pieces are there, not together


async def test_latin_terms_and_skus_match_whatever_the_case(db: Database, shop: int) -> None:
    await add_products(db, shop, Item("ab-01", "iPhone Case"), Item("X2", "USB-C Cable"))

    assert await found(db, shop, "IPHONE") == ["iPhone Case"]
    assert await found(db, shop, "case") == ["iPhone Case"]
    assert await found(db, shop, "uSb-c") == ["USB-C Cable"]
    assert await found(db, shop, "Ca") == ["iPhone Case", "USB-C Cable"]
    assert [hit.match for hit in await search(db, shop, "AB-01")] == ["sku"]


async def test_pinyin_initials_and_full_pinyin_prefixes_find_chinese_names(
    db: Database, shop: int
) -> None:
    await add_products(db, shop, Item("A1", "不锈钢杯"), Item("A2", "保温壶"))

    for term in ("bxg", "BXGB", "ｂｘｇ", "buxiu", "bu xiu gang", "buxiugangbei"):
        hits = await search(db, shop, term)
        assert [(hit.match, hit.name) for hit in hits] == [("pinyin", "不锈钢杯")], term
    assert await found(db, shop, "bw") == ["保温壶"]
    assert await found(db, shop, "xiu") == []  # pinyin matches from the start only
    assert await found(db, shop, "b-x") == []  # punctuation is not part of any pinyin


async def test_terms_that_match_nothing_find_nothing(db: Database, shop: int) -> None:
    await add_products(db, shop, Item("A1", "纯牛奶"), Item("A2", "Coffee"))

    for term in ("龘", "龘龘", "奶牛", "不存在的商品", "zzzzz", "A2X", "", "   "):
        assert await search(db, shop, term) == [], term


async def test_another_business_products_never_appear(db: Database, shop: int) -> None:
    other = await new_business(db, "隔壁店")
    await add_products(db, other, Item("A1", "纯牛奶 Milk", barcodes=("6901234567892",)))
    await add_products(db, shop, Item("B1", "矿泉水"))

    for term in ("A1", "6901234567892", "纯", "牛奶", "纯牛奶", "milk", "cnn", "chunniu"):
        assert await search(db, shop, term) == [], term
    assert await found(db, other, "牛奶") == ["纯牛奶 Milk"]


async def test_archived_products_are_left_out_unless_asked_for(db: Database, shop: int) -> None:
    await add_products(
        db,
        shop,
        Item("OLD1", "旧款保温杯", barcodes=("111",), archived=True),
        Item("NEW1", "新款保温杯"),
    )

    for term in ("old1", "111", "旧", "旧款", "旧款保温", "jkbwb", "jiukuan"):
        assert await search(db, shop, term) == [], term
    assert await found(db, shop, "保温杯") == ["新款保温杯"]

    hits = await search(db, shop, "保温杯", include_archived=True)
    assert [(hit.name, hit.archived) for hit in hits] == [
        ("旧款保温杯", True),
        ("新款保温杯", False),
    ]
    for term in ("old1", "111", "旧", "旧款", "旧款保温", "jkbwb"):
        assert await found(db, shop, term, include_archived=True) == ["旧款保温杯"], term


async def test_renaming_a_product_updates_every_kind_of_match(db: Database, shop: int) -> None:
    ids = await add_products(db, shop, Item("A1", "纯牛奶"))
    async with UnitOfWork(db) as uow:
        product = await uow.session.get_one(Product, ids["A1"])
        product.name = "Fresh 酸奶"
        product.sku = "B1"
        await index_product(uow.session, product)
        await uow.commit()

    for term in ("a1", "纯", "牛奶", "纯牛奶", "cnn", "chunniu"):
        assert await search(db, shop, term) == [], term
    for term in ("b1", "酸", "酸奶", "fresh", "resh 酸", "freshsn", "freshsuan"):
        assert await found(db, shop, term) == ["Fresh 酸奶"], term
    async with UnitOfWork(db).reading() as session:
        keys = (await session.execute(select(Product.name_key, Product.pinyin_initials))).one()
    assert tuple(keys) == ("fresh 酸奶", "freshsn")


async def test_wildcards_and_quotes_in_terms_match_themselves(db: Database, shop: int) -> None:
    await add_products(
        db,
        shop,
        Item("A1", "100%纯棉T恤"),
        Item("A2", "100x纯棉T恤"),
        Item("A3", "a_b connector"),
        Item("A4", "axb connector"),
        Item("A5", 'the "best" tea'),
        Item("A6", "o'neil mug"),
        Item("A7", "back\\slash box"),
        Item("A8", "backxslash box"),
    )

    assert await found(db, shop, "0%纯") == ["100%纯棉T恤"]
    assert await found(db, shop, "%纯") == ["100%纯棉T恤"]
    assert await found(db, shop, "a_b") == ["a_b connector"]
    assert await found(db, shop, "_b") == ["a_b connector"]
    assert await found(db, shop, '"best"') == ['the "best" tea']
    assert await found(db, shop, 'e "b') == ['the "best" tea']
    assert await found(db, shop, "o'n") == ["o'neil mug"]
    assert await found(db, shop, "k\\s") == ["back\\slash box"]
    for term in ("%", "_", "%%", "%%%", "___", '"', '""', "'", "*", "a%b", "x_b"):
        assert await search(db, shop, term) == [], term


async def test_limit_caps_the_hits_and_later_tiers_only_fill_what_is_left(
    db: Database, shop: int
) -> None:
    cups = [Item(f"C{n:02}", f"杯子{n:02}") for n in range(30)]
    await add_products(db, shop, Item("杯", "玻璃杯"), *cups)

    assert len(await search(db, shop, "杯")) == 20
    hits = await search(db, shop, "杯", limit=5)
    assert [(hit.match, hit.name) for hit in hits] == [
        ("sku", "玻璃杯"),
        ("prefix", "杯子00"),
        ("prefix", "杯子01"),
        ("prefix", "杯子02"),
        ("prefix", "杯子03"),
    ]
    assert len(await search(db, shop, "杯", limit=31)) == 31
    assert await search(db, shop, "杯", limit=0) == []


async def test_a_long_term_matching_many_names_still_lists_the_oldest_first(
    db: Database, shop: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past TRIGRAM_CAP matches the search walks ids instead of reading the trigram index;
    # make that 3. The other business's products come first in the index, as a big
    # neighbour's would.
    monkeypatch.setattr(search_module, "TRIGRAM_CAP", 3)
    other = await new_business(db, "隔壁店")
    await add_products(db, other, *(Item(f"O{n}", f"大号保温杯{n}") for n in range(5)))
    ids = await add_products(
        db,
        shop,
        *(Item(f"C{n}", f"不锈钢保温杯 {n}") for n in range(6)),
        Item("OLD", "旧款保温杯", archived=True),
        Item("PRE", "保温杯套"),
        *(Item(f"P{n}", f"100%%%纯棉 {n}") for n in range(4)),
    )

    hits = await search(db, shop, "保温杯", limit=5)
    assert [(hit.match, hit.product_id) for hit in hits] == [
        ("prefix", ids["PRE"]),
        *(("substring", ids[f"C{n}"]) for n in range(4)),
    ]
    assert await found(db, shop, "钢保温杯 5") == ["不锈钢保温杯 5"]
    assert await found(db, shop, "%%%") == [f"100%%%纯棉 {n}" for n in range(4)]
