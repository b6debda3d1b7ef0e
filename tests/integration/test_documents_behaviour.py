"""Numbering, idempotency, input checks, voids and the product catalogue, on both engines."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.catalog.models import Barcode, Customer, Product, Supplier, Warehouse
from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
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
from core.catalog.warehouses import CreateWarehouse, create_warehouse
from core.commands import Command
from core.db.base import utcnow
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import (
    ArchivedProduct,
    Duplicate,
    InsufficientStock,
    InvalidInput,
    InvalidState,
    NotFound,
    RequestConflict,
)
from core.inventory.adjustments import PostAdjustment, post_adjustment
from core.inventory.check import check_ledger
from core.inventory.counts import PostStockCount, post_stock_count
from core.inventory.models import DocStatus, Document, DocumentLine, MoveKind, StockMove
from core.inventory.stock import stock_card
from core.inventory.transfers import PostTransfer, post_transfer
from core.inventory.voids import VoidDocument, void_document
from core.orders.receipts import PostReceipt, post_receipt
from core.orders.shipments import PostShipment, post_shipment
from core.tenancy.access import Actor
from core.tenancy.businesses import (
    ChangeBusinessSettings,
    CreateBusiness,
    change_business_settings,
    create_business,
)
from core.tenancy.members import CreateInvite, create_invite
from core.tenancy.models import Invite, Role
from tests.support.shop import Shop, open_shop, rid

D = Decimal


@pytest.fixture
async def shop(db: Database) -> Shop:
    return await open_shop(db)


async def rows(db: Database, model: type) -> int:
    async with UnitOfWork(db).reading() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def everything(db: Database) -> dict[str, int]:
    """Row counts of every table a service call here may write."""
    models = (
        Document,
        DocumentLine,
        StockMove,
        Product,
        Barcode,
        Warehouse,
        Supplier,
        Customer,
        Invite,
    )
    return {model.__name__: await rows(db, model) for model in models}


async def void_state(db: Database, document_id: int) -> tuple[str, object, object]:
    async with UnitOfWork(db).reading() as session:
        doc = await session.get_one(Document, document_id)
        return doc.status, doc.voided_at, doc.void_request_id


def receipt(shop: Shop, qty: str = "1", price: str = "5", **fields: Any) -> PostReceipt:
    line = {"product_id": shop.tea.product_id, "qty": qty, "unit_price": price}
    return PostReceipt.build(**{"request_id": rid("cg"), "lines": [line]} | fields)


def shipment(shop: Shop, qty: str = "1", price: str = "9", **fields: Any) -> PostShipment:
    line = {"product_id": shop.tea.product_id, "qty": qty, "unit_price": price}
    return PostShipment.build(**{"request_id": rid("xs"), "lines": [line]} | fields)


def year_of(zone: str) -> int:
    return datetime.now(ZoneInfo(zone)).year


# Numbers (DESIGN rule 7)


async def test_receipts_and_sales_are_numbered_each_on_their_own(shop: Shop) -> None:
    year = year_of("Asia/Shanghai")
    received = [(await shop.receive(shop.tea, "5", "2")).number for _ in range(3)]
    sold = [(await shop.sell(shop.tea, "1")).number for _ in range(2)]
    received.append((await shop.receive(shop.cup, "5", "2")).number)
    assert received == [f"CG-{year}-0000{n}" for n in (1, 2, 3, 4)]
    assert sold == [f"XS-{year}-00001", f"XS-{year}-00002"]


async def test_every_document_type_has_its_own_prefix_and_counter(shop: Shop) -> None:
    year = year_of("Asia/Shanghai")
    await shop.receive(shop.tea, "5", "2")
    tea = shop.tea.product_id
    count = await post_stock_count(
        shop.uow(),
        shop.manager,
        PostStockCount.build(request_id=rid(), lines=[{"product_id": tea, "counted_qty": "5"}]),
    )
    moved = await post_transfer(
        shop.uow(),
        shop.manager,
        PostTransfer.build(
            request_id=rid(),
            from_warehouse_id=shop.main,
            to_warehouse_id=shop.second,
            lines=[{"product_id": tea, "qty": "1"}],
        ),
    )
    adjusted = await post_adjustment(
        shop.uow(),
        shop.manager,
        PostAdjustment.build(
            request_id=rid(), note="赠品", lines=[{"product_id": tea, "qty": "-1"}]
        ),
    )
    assert [count.document.number, moved.number, adjusted.number] == [
        f"PD-{year}-00001",
        f"DB-{year}-00001",
        f"TZ-{year}-00001",
    ]


async def test_numbers_are_per_business(db: Database) -> None:
    mine = await open_shop(db, owner_id=1000)
    theirs = await open_shop(db, owner_id=2000, name="另一家")
    await mine.receive(mine.tea, "1", "1")
    await mine.receive(mine.tea, "1", "1")
    first_there = await theirs.receive(theirs.tea, "1", "1")
    assert first_there.number == f"CG-{year_of('Asia/Shanghai')}-00001"


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
async def test_the_number_and_date_follow_the_businesss_local_calendar(
    db: Database, zone: str
) -> None:
    owner = Actor(user_id=3000)
    business = await create_business(
        UnitOfWork(db), owner, CreateBusiness(request_id=rid(), name="岛上小店", timezone=zone)
    )
    tea = await create_product(
        UnitOfWork(db), owner, CreateProduct(request_id=rid(), sku="A001", name="茶")
    )
    before = datetime.now(ZoneInfo(zone)).date()
    posted = await post_receipt(
        UnitOfWork(db),
        owner,
        PostReceipt.build(
            request_id=rid(), lines=[{"product_id": tea.product_id, "qty": "1", "unit_price": "1"}]
        ),
    )
    after = datetime.now(ZoneInfo(zone)).date()
    assert business.timezone == zone
    assert posted.doc_date in {before, after}
    assert posted.number == f"CG-{posted.doc_date.year}-00001"


class _NewYearsEve(datetime):
    """A clock stopped at 2025-12-31 12:00 UTC: already 2026 in Kiritimati (UTC+14)."""

    @classmethod
    def now(cls, tz: Any = None) -> "datetime":  # type: ignore[override]
        stopped = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
        return stopped.astimezone(tz) if tz is not None else stopped.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("zone", "number", "doc_date"),
    [
        ("Pacific/Kiritimati", "CG-2026-00001", date(2026, 1, 1)),
        ("Asia/Shanghai", "CG-2025-00001", date(2025, 12, 31)),
        ("Pacific/Pago_Pago", "CG-2025-00001", date(2025, 12, 31)),
    ],
)
async def test_on_new_years_eve_in_utc_the_year_is_the_businesss_own(
    db: Database, monkeypatch: pytest.MonkeyPatch, zone: str, number: str, doc_date: date
) -> None:
    owner = Actor(user_id=3000)
    await create_business(
        UnitOfWork(db), owner, CreateBusiness(request_id=rid(), name="岛上小店", timezone=zone)
    )
    tea = await create_product(
        UnitOfWork(db), owner, CreateProduct(request_id=rid(), sku="A001", name="茶")
    )
    monkeypatch.setattr("core.inventory.documents.datetime", _NewYearsEve)
    posted = await post_receipt(
        UnitOfWork(db),
        owner,
        PostReceipt.build(
            request_id=rid(), lines=[{"product_id": tea.product_id, "qty": "1", "unit_price": "1"}]
        ),
    )
    assert (posted.number, posted.doc_date) == (number, doc_date)


async def test_a_refused_sale_uses_no_number(shop: Shop) -> None:
    await shop.receive(shop.tea, "2", "5")
    before = await everything(shop.db)
    with pytest.raises(InsufficientStock):
        await shop.sell(shop.tea, "3")
    assert await everything(shop.db) == before
    assert (await shop.sell(shop.tea, "2")).number.endswith("-00001")


async def test_a_refused_transfer_uses_no_number(shop: Shop) -> None:
    await shop.receive(shop.tea, "2", "5")
    cmd = PostTransfer.build(
        request_id=rid(),
        from_warehouse_id=shop.main,
        to_warehouse_id=shop.second,
        lines=[{"product_id": shop.tea.product_id, "qty": "3"}],
    )
    with pytest.raises(InsufficientStock):
        await post_transfer(shop.uow(), shop.clerk, cmd)
    done = await post_transfer(
        shop.uow(),
        shop.clerk,
        cmd.model_copy(update={"lines": (cmd.lines[0].model_copy(update={"qty": D(2)}),)}),
    )
    assert done.number.endswith("DB-" + str(year_of("Asia/Shanghai")) + "-00001")


# Idempotency (DESIGN rule 6)


async def twice(shop: Shop, post: Callable[[], Awaitable[Any]]) -> tuple[Any, Any]:
    """Posts once, then again with the same request; the second must change nothing."""
    first = await post()
    written = await everything(shop.db)
    again = await post()
    assert await everything(shop.db) == written
    return first, again


async def test_a_repeated_receipt_returns_the_first_and_writes_nothing(shop: Shop) -> None:
    cmd = receipt(shop, "3", "2.5", supplier_id=shop.supplier_id)
    first, again = await twice(shop, lambda: post_receipt(shop.uow(), shop.clerk, cmd))
    assert again == first
    assert (again.number, again.total) == (first.number, D("7.50"))
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(3), D("7.50"))


async def test_a_repeated_sale_returns_the_first_and_writes_nothing(shop: Shop) -> None:
    await shop.receive(shop.tea, "3", "2")
    cmd = shipment(shop, "2", "9", customer_id=shop.customer_id)
    first, again = await twice(shop, lambda: post_shipment(shop.uow(), shop.manager, cmd))
    assert again == first
    assert (again.document_id, again.cost) == (first.document_id, D(4))
    assert (await stock_card(shop.uow(), shop.manager, sku="A001")).on_hand == D(1)


async def test_a_repeated_count_returns_the_first_and_writes_nothing(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    await shop.receive(shop.cup, "4", "2")
    cmd = PostStockCount.build(
        request_id=rid(),
        lines=[
            {"product_id": shop.tea.product_id, "counted_qty": "8"},
            {"product_id": shop.cup.product_id, "counted_qty": "5"},
        ],
    )
    first, again = await twice(shop, lambda: post_stock_count(shop.uow(), shop.manager, cmd))
    assert again == first
    assert [(d.sku, d.difference, d.value) for d in again.differences] == [
        ("A001", D(-2), D(-6)),
        ("B002", D(1), D(2)),
    ]


async def test_a_repeated_transfer_returns_the_first_and_writes_nothing(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    cmd = PostTransfer.build(
        request_id=rid(),
        from_warehouse_id=shop.main,
        to_warehouse_id=shop.second,
        lines=[{"product_id": shop.tea.product_id, "qty": "4"}],
    )
    first, again = await twice(shop, lambda: post_transfer(shop.uow(), shop.clerk, cmd))
    assert again == first
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert [lv.on_hand for lv in card.levels] == [D(6), D(4)]


async def test_a_repeated_adjustment_returns_the_first_and_writes_nothing(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    cmd = PostAdjustment.build(
        request_id=rid(), note="破损", lines=[{"product_id": shop.tea.product_id, "qty": "-1.5"}]
    )
    first, again = await twice(shop, lambda: post_adjustment(shop.uow(), shop.manager, cmd))
    assert again == first
    assert again.cost == D("4.50")


async def test_a_repeated_void_returns_the_first_and_writes_nothing(shop: Shop) -> None:
    posted = await shop.receive(shop.tea, "10", "3")
    cmd = VoidDocument(request_id=rid("undo"), document_id=posted.document_id)
    first, again = await twice(shop, lambda: void_document(shop.uow(), shop.manager, cmd))
    assert again == first
    assert first.reversed_moves == 1
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(0), D(0))


async def test_a_repeated_receipt_after_its_void_still_answers_with_the_receipt(
    shop: Shop,
) -> None:
    cmd = receipt(shop, "10", "3")
    first = await post_receipt(shop.uow(), shop.manager, cmd)
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=first.document_id)
    )
    written = await everything(shop.db)
    again = await post_receipt(shop.uow(), shop.manager, cmd)
    assert await everything(shop.db) == written
    assert (again.document_id, again.number, again.cost) == (
        first.document_id,
        first.number,
        first.cost,
    )
    assert again.status == DocStatus.VOIDED


@pytest.mark.parametrize("kind", ["product", "warehouse", "supplier", "customer", "invite"])
async def test_a_repeated_create_returns_the_first_and_writes_nothing(
    shop: Shop, kind: str
) -> None:
    o = shop.owner
    create: Callable[[], Awaitable[Any]] = {
        "product": lambda: create_product(
            shop.uow(),
            o,
            CreateProduct(request_id="new:1", name="白毫银针", barcodes=("6900000000017",)),
        ),
        "warehouse": lambda: create_warehouse(
            shop.uow(), o, CreateWarehouse(request_id="new:1", name="三号仓")
        ),
        "supplier": lambda: create_supplier(
            shop.uow(), o, CreateSupplier(request_id="new:1", name="福鼎茶厂")
        ),
        "customer": lambda: create_customer(
            shop.uow(), o, CreateCustomer(request_id="new:1", name="李老板")
        ),
        "invite": lambda: create_invite(
            shop.uow(), o, CreateInvite(request_id="new:1", role=Role.CLERK)
        ),
    }[kind]
    before = await everything(shop.db)
    first, again = await twice(shop, create)
    assert again == first
    grown = {k: v - before[k] for k, v in (await everything(shop.db)).items() if v != before[k]}
    expected = {
        "product": {"Product": 1, "Barcode": 1},
        "warehouse": {"Warehouse": 1},
        "supplier": {"Supplier": 1},
        "customer": {"Customer": 1},
        "invite": {"Invite": 1},
    }[kind]
    assert grown == expected


TAPS = 4  # a redelivered update racing the first delivery (concurrent updates on)


async def test_a_double_tap_delivered_at_the_same_moment_posts_once(shop: Shop) -> None:
    cmd = receipt(shop, "3", "2")
    outcomes = await asyncio.gather(
        *(post_receipt(UnitOfWork(shop.db), shop.clerk, cmd) for _ in range(TAPS)),
        return_exceptions=True,
    )
    assert [type(o).__name__ for o in outcomes] == ["DocumentPosted"] * TAPS
    assert all(o == outcomes[0] for o in outcomes)
    assert await rows(shop.db, Document) == 1
    assert (await stock_card(shop.uow(), shop.manager, sku="A001")).on_hand == D(3)


async def test_a_double_tap_on_create_product_at_the_same_moment_creates_one(
    shop: Shop,
) -> None:
    cmd = CreateProduct(request_id="new:2", name="白毫银针")
    outcomes = await asyncio.gather(
        *(create_product(UnitOfWork(shop.db), shop.clerk, cmd) for _ in range(TAPS)),
        return_exceptions=True,
    )
    assert [type(o).__name__ for o in outcomes] == ["ProductView"] * TAPS
    assert all(o == outcomes[0] for o in outcomes)
    assert await rows(shop.db, Product) == 3


@pytest.mark.parametrize(
    "other",
    [
        lambda shop, cmd_id: shop.sell(shop.tea, "1", request_id=cmd_id),
        lambda shop, cmd_id: post_transfer(
            shop.uow(),
            shop.manager,
            PostTransfer.build(
                request_id=cmd_id,
                from_warehouse_id=shop.main,
                to_warehouse_id=shop.second,
                lines=[{"product_id": shop.tea.product_id, "qty": "1"}],
            ),
        ),
        lambda shop, cmd_id: post_adjustment(
            shop.uow(),
            shop.manager,
            PostAdjustment.build(
                request_id=cmd_id,
                note="x",
                lines=[{"product_id": shop.tea.product_id, "qty": "1"}],
            ),
        ),
        lambda shop, cmd_id: post_stock_count(
            shop.uow(),
            shop.manager,
            PostStockCount.build(
                request_id=cmd_id, lines=[{"product_id": shop.tea.product_id, "counted_qty": "1"}]
            ),
        ),
    ],
    ids=["sale", "transfer", "adjustment", "count"],
)
async def test_a_request_id_reused_for_another_document_type_is_a_conflict(
    shop: Shop, other: Callable[[Shop, str], Awaitable[object]]
) -> None:
    await shop.receive(shop.tea, "5", "2", request_id="flow:7")
    before = await everything(shop.db)
    with pytest.raises(RequestConflict) as refused:
        await other(shop, "flow:7")
    assert refused.value.request_id == "flow:7"
    assert await everything(shop.db) == before


async def test_a_request_id_reused_for_another_kind_of_record_is_a_conflict(shop: Shop) -> None:
    await create_supplier(shop.uow(), shop.owner, CreateSupplier(request_id="new:3", name="厂"))
    before = await everything(shop.db)
    with pytest.raises(RequestConflict):
        await create_customer(
            shop.uow(), shop.owner, CreateCustomer(request_id="new:3", name="客")
        )
    with pytest.raises(RequestConflict):
        await create_product(shop.uow(), shop.owner, CreateProduct(request_id="new:3", name="茶"))
    assert await everything(shop.db) == before


# Bad input


@pytest.mark.parametrize(
    ("command", "data", "field"),
    [
        (
            PostReceipt,
            {"lines": [{"product_id": 1, "qty": "0", "unit_price": "1"}]},
            "lines.0.qty",
        ),
        (
            PostReceipt,
            {"lines": [{"product_id": 1, "qty": "-2", "unit_price": "1"}]},
            "lines.0.qty",
        ),
        (
            PostReceipt,
            {"lines": [{"product_id": 1, "qty": "0.0001", "unit_price": "1"}]},
            "lines.0.qty",
        ),
        (
            PostReceipt,
            {"lines": [{"product_id": 1, "qty": "NaN", "unit_price": "1"}]},
            "lines.0.qty",
        ),
        (
            PostReceipt,
            {"lines": [{"product_id": 1, "qty": "1", "unit_price": "1.00001"}]},
            "lines.0.unit_price",
        ),
        (
            PostReceipt,
            {"lines": [{"product_id": 1, "qty": "1", "unit_price": "-1"}]},
            "lines.0.unit_price",
        ),
        (PostReceipt, {"lines": []}, "lines"),
        (
            PostShipment,
            {"lines": [{"product_id": 1, "qty": "1", "unit_price": "9.99999"}]},
            "lines.0.unit_price",
        ),
        (
            PostShipment,
            {"lines": [{"product_id": 1, "qty": "0", "unit_price": "9"}]},
            "lines.0.qty",
        ),
        (PostShipment, {"lines": []}, "lines"),
        (
            PostTransfer,
            {
                "from_warehouse_id": 1,
                "to_warehouse_id": 2,
                "lines": [{"product_id": 1, "qty": "0.0005"}],
            },
            "lines.0.qty",
        ),
        (PostAdjustment, {"note": "x", "lines": [{"product_id": 1, "qty": "0"}]}, "lines.0.qty"),
        (PostAdjustment, {"note": "", "lines": [{"product_id": 1, "qty": "1"}]}, "note"),
        (
            PostStockCount,
            {"lines": [{"product_id": 1, "counted_qty": "-1"}]},
            "lines.0.counted_qty",
        ),
        (
            PostStockCount,
            {
                "lines": [
                    {"product_id": 1, "counted_qty": "1"},
                    {"product_id": 1, "counted_qty": "2"},
                ]
            },
            "lines",
        ),
        (
            PostStockCount,
            {
                "started_at": "2025-01-01T08:00:00",
                "lines": [{"product_id": 1, "counted_qty": "1"}],
            },
            "started_at",
        ),
        (
            PostReceipt,
            {"request_id": "", "lines": [{"product_id": 1, "qty": "1", "unit_price": "1"}]},
            "request_id",
        ),
    ],
)
def test_bad_input_is_refused_as_invalid_input_naming_the_field(
    command: type[Command], data: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        command.build(**{"request_id": "r"} | data)
    assert refused.value.field == field


def test_three_decimals_of_quantity_and_four_of_price_are_accepted() -> None:
    cmd = PostReceipt.build(
        request_id="r", lines=[{"product_id": 1, "qty": "0.125", "unit_price": "1.2345"}]
    )
    assert (cmd.lines[0].qty, cmd.lines[0].unit_price) == (D("0.125"), D("1.2345"))


async def test_an_unknown_product_is_not_found_and_writes_nothing(shop: Shop) -> None:
    before = await everything(shop.db)
    for post in (
        lambda: post_receipt(
            shop.uow(),
            shop.clerk,
            PostReceipt.build(
                request_id=rid(), lines=[{"product_id": 987654, "qty": "1", "unit_price": "1"}]
            ),
        ),
        lambda: post_shipment(
            shop.uow(),
            shop.clerk,
            PostShipment.build(
                request_id=rid(), lines=[{"product_id": 987654, "qty": "1", "unit_price": "1"}]
            ),
        ),
    ):
        with pytest.raises(NotFound) as refused:
            await post()
        assert (refused.value.kind, refused.value.key) == ("product", "987654")
    assert await everything(shop.db) == before


async def test_an_unknown_warehouse_is_not_found(shop: Shop) -> None:
    before = await everything(shop.db)
    with pytest.raises(NotFound) as refused:
        await post_receipt(shop.uow(), shop.clerk, receipt(shop, warehouse_id=987654))
    assert refused.value.kind == "warehouse"
    with pytest.raises(NotFound):
        await post_transfer(
            shop.uow(),
            shop.clerk,
            PostTransfer.build(
                request_id=rid(),
                from_warehouse_id=shop.main,
                to_warehouse_id=987654,
                lines=[{"product_id": shop.tea.product_id, "qty": "1"}],
            ),
        )
    assert await everything(shop.db) == before


async def test_an_archived_product_may_not_be_bought_or_sold(shop: Shop) -> None:
    await shop.receive(shop.tea, "5", "2")
    archived = await change_product(
        shop.uow(), shop.manager, ChangeProduct(product_id=shop.tea.product_id, archived=True)
    )
    assert archived.archived is True
    before = await everything(shop.db)
    for post in (
        lambda: post_receipt(shop.uow(), shop.clerk, receipt(shop)),
        lambda: post_shipment(shop.uow(), shop.clerk, shipment(shop)),
    ):
        with pytest.raises(ArchivedProduct) as refused:
            await post()
        assert refused.value.sku == "A001"
    assert await everything(shop.db) == before
    restored = await change_product(
        shop.uow(), shop.manager, ChangeProduct(product_id=shop.tea.product_id, archived=False)
    )
    assert restored.archived is False
    assert (await post_shipment(shop.uow(), shop.clerk, shipment(shop))).total == D(9)


async def test_a_transfer_to_the_same_warehouse_is_invalid(shop: Shop) -> None:
    await shop.receive(shop.tea, "5", "2")
    before = await everything(shop.db)
    with pytest.raises(InvalidInput) as refused:
        await post_transfer(
            shop.uow(),
            shop.clerk,
            PostTransfer.build(
                request_id=rid(),
                from_warehouse_id=shop.main,
                to_warehouse_id=shop.main,
                lines=[{"product_id": shop.tea.product_id, "qty": "1"}],
            ),
        )
    assert refused.value.field == "to_warehouse_id"
    assert await everything(shop.db) == before


async def test_a_count_begun_in_the_future_is_invalid(shop: Shop) -> None:
    before = await everything(shop.db)
    with pytest.raises(InvalidInput) as refused:
        await post_stock_count(
            shop.uow(),
            shop.clerk,
            PostStockCount.build(
                request_id=rid(),
                started_at=utcnow() + timedelta(minutes=5),
                lines=[{"product_id": shop.tea.product_id, "counted_qty": "1"}],
            ),
        )
    assert refused.value.field == "started_at"
    assert await everything(shop.db) == before


@pytest.mark.parametrize("kind", ["receipt", "sale", "count", "transfer", "adjustment"])
async def test_a_document_dated_tomorrow_is_invalid(shop: Shop, kind: str) -> None:
    await shop.receive(shop.tea, "5", "2")
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    tea = shop.tea.product_id
    post: Callable[[], Awaitable[object]] = {
        "receipt": lambda: post_receipt(shop.uow(), shop.clerk, receipt(shop, doc_date=tomorrow)),
        "sale": lambda: post_shipment(shop.uow(), shop.clerk, shipment(shop, doc_date=tomorrow)),
        "count": lambda: post_stock_count(
            shop.uow(),
            shop.clerk,
            PostStockCount.build(
                request_id=rid(),
                doc_date=tomorrow,
                lines=[{"product_id": tea, "counted_qty": "1"}],
            ),
        ),
        "transfer": lambda: post_transfer(
            shop.uow(),
            shop.clerk,
            PostTransfer.build(
                request_id=rid(),
                doc_date=tomorrow,
                from_warehouse_id=shop.main,
                to_warehouse_id=shop.second,
                lines=[{"product_id": tea, "qty": "1"}],
            ),
        ),
        "adjustment": lambda: post_adjustment(
            shop.uow(),
            shop.manager,
            PostAdjustment.build(
                request_id=rid(),
                doc_date=tomorrow,
                note="x",
                lines=[{"product_id": tea, "qty": "1"}],
            ),
        ),
    }[kind]
    before = await everything(shop.db)
    with pytest.raises(InvalidInput) as refused:
        await post()
    assert refused.value.field == "doc_date"
    assert await everything(shop.db) == before


async def test_a_document_may_be_dated_earlier_and_keeps_that_date(shop: Shop) -> None:
    last_week = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=7)
    posted = await post_receipt(shop.uow(), shop.clerk, receipt(shop, doc_date=last_week))
    assert posted.doc_date == last_week
    assert posted.number == f"CG-{last_week.year}-00001"


# Voids


async def test_voiding_twice_with_another_request_is_an_invalid_state(shop: Shop) -> None:
    posted = await shop.receive(shop.tea, "5", "2")
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=posted.document_id)
    )
    before = await everything(shop.db)
    with pytest.raises(InvalidState) as refused:
        await void_document(
            shop.uow(),
            shop.manager,
            VoidDocument(request_id=rid(), document_id=posted.document_id),
        )
    assert (refused.value.number, refused.value.state) == (posted.number, DocStatus.VOIDED)
    assert await everything(shop.db) == before


async def test_voiding_a_receipt_whose_goods_were_sold_is_refused_without_negative_stock(
    shop: Shop,
) -> None:
    posted = await shop.receive(shop.tea, "10", "3")
    await shop.sell(shop.tea, "8")
    before = await everything(shop.db)
    with pytest.raises(InsufficientStock) as refused:
        await void_document(
            shop.uow(),
            shop.manager,
            VoidDocument(request_id=rid(), document_id=posted.document_id),
        )
    assert (refused.value.needed, refused.value.available) == (D(10), D(2))
    assert await everything(shop.db) == before
    assert await void_state(shop.db, posted.document_id) == (DocStatus.POSTED, None, None)
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value) == (D(2), D(6))


async def test_voiding_a_receipt_whose_goods_were_sold_goes_through_with_negative_stock(
    shop: Shop,
) -> None:
    await shop.receive(shop.tea, "10", "3")
    dear = await shop.receive(shop.tea, "10", "5")  # 20 on hand worth 80: the average is 4
    await shop.sell(shop.tea, "15")  # 60 out: 5 left worth 20
    settings = await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(allow_negative_stock=True)
    )
    assert settings.allow_negative_stock is True
    voided = await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=dear.document_id)
    )
    # 10 leave at their own 5 each: -5 on hand worth -30, re-set to -5 × 4 = -20
    assert voided.variance == D(10)
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value, card.avg_cost) == (D(-5), D(-20), D(4))
    report = await check_ledger(shop.db)
    assert report.ok, report.differences


async def test_voiding_a_sale_brings_the_goods_back_at_their_cogs(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    await shop.receive(shop.tea, "10", "5")  # average 4
    sale = await shop.sell(shop.tea, "5", "20")
    assert sale.cost == D(20)
    await shop.receive(shop.tea, "10", "10")  # 25 on hand worth 160: the average is 6.4
    voided = await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=sale.document_id)
    )
    assert (voided.reversed_moves, voided.variance) == (1, D(0))
    async with shop.uow().reading() as session:
        back = (
            await session.scalars(
                select(StockMove.value).where(
                    StockMove.document_id == sale.document_id,
                    StockMove.reverses_id.is_not(None),
                    StockMove.kind == MoveKind.GOODS,
                )
            )
        ).all()
    assert back == [D(20)]  # at 4, not at today's 6.4
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value, card.avg_cost) == (D(30), D(180), D(6))
    assert (await check_ledger(shop.db)).ok


async def test_voiding_a_transfer_and_a_count_restores_the_stock(shop: Shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    moved = await post_transfer(
        shop.uow(),
        shop.clerk,
        PostTransfer.build(
            request_id=rid(),
            from_warehouse_id=shop.main,
            to_warehouse_id=shop.second,
            lines=[{"product_id": shop.tea.product_id, "qty": "4"}],
        ),
    )
    counted = await post_stock_count(
        shop.uow(),
        shop.clerk,
        PostStockCount.build(
            request_id=rid(),
            warehouse_id=shop.main,
            lines=[{"product_id": shop.tea.product_id, "counted_qty": "5"}],
        ),
    )
    for doc_id in (counted.document.document_id, moved.document_id):
        await void_document(
            shop.uow(), shop.clerk, VoidDocument(request_id=rid(), document_id=doc_id)
        )
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert [(lv.warehouse_id, lv.on_hand) for lv in card.levels] == [
        (shop.main, D(10)),
        (shop.second, D(0)),
    ]
    assert card.value == D(30)
    assert (await check_ledger(shop.db)).ok


# Products


async def test_a_sku_is_unique_whatever_its_case(shop: Shop) -> None:
    before = await everything(shop.db)
    for sku in ("a001", "A001", " A001 "):
        with pytest.raises(Duplicate) as refused:
            await create_product(
                shop.uow(), shop.clerk, CreateProduct(request_id=rid(), sku=sku, name="别的茶")
            )
        assert refused.value.kind == "sku"
    assert await everything(shop.db) == before


async def test_a_barcode_belongs_to_one_product(shop: Shop) -> None:
    before = await everything(shop.db)
    with pytest.raises(Duplicate) as refused:
        await create_product(
            shop.uow(),
            shop.clerk,
            CreateProduct(
                request_id=rid(), sku="C003", name="别的茶", barcodes=("6901234567892",)
            ),
        )
    assert (refused.value.kind, refused.value.key) == ("barcode", "6901234567892")
    with pytest.raises(Duplicate):
        await add_barcode(
            shop.uow(),
            shop.clerk,
            AddBarcode(product_id=shop.cup.product_id, code="6901234567892"),
        )
    assert await everything(shop.db) == before


async def test_skus_are_generated_in_order_and_skip_a_hand_typed_one(shop: Shop) -> None:
    async def new(sku: str | None = None) -> str:
        made = await create_product(
            shop.uow(), shop.clerk, CreateProduct(request_id=rid(), sku=sku, name="散茶")
        )
        return made.sku

    assert [await new(), await new()] == ["P00001", "P00002"]
    assert await new("P00003") == "P00003"
    assert await new("p00005") == "p00005"
    assert [await new(), await new()] == ["P00004", "P00006"]


async def test_an_added_barcode_finds_the_product(shop: Shop) -> None:
    added = await add_barcode(
        shop.uow(), shop.clerk, AddBarcode(product_id=shop.cup.product_id, code=" 6920000000019 ")
    )
    assert added.barcodes == ("6920000000019",)
    again = await add_barcode(
        shop.uow(), shop.clerk, AddBarcode(product_id=shop.cup.product_id, code="6920000000019")
    )
    assert again.barcodes == ("6920000000019",)  # adding it twice changes nothing
    assert (await get_product(shop.uow(), shop.viewer, shop.cup.product_id)) == again
    for code, product_id in (
        ("6920000000019", shop.cup.product_id),
        ("6901234567892", shop.tea.product_id),
    ):
        async with shop.uow().reading() as session:
            hits = await search_products(session, shop.business_id, code)
        assert [(hit.product_id, hit.match) for hit in hits] == [(product_id, "barcode")]


async def test_adjustments_are_valued_at_the_average(shop: Shop) -> None:
    await shop.receive(shop.tea, "3", "10")
    await shop.receive(shop.tea, "4", "12")  # 7 on hand worth 78: the average is 11.142857…
    tea = shop.tea.product_id
    found = await post_adjustment(
        shop.uow(),
        shop.manager,
        PostAdjustment.build(
            request_id=rid(), note="盘盈", lines=[{"product_id": tea, "qty": "1"}]
        ),
    )
    assert (found.cost, found.variance) == (D("11.14"), D(0))  # 8 worth 89.14: 11.1425
    lost = await post_adjustment(
        shop.uow(),
        shop.manager,
        PostAdjustment.build(
            request_id=rid(), note="破损", lines=[{"product_id": tea, "qty": "-3"}]
        ),
    )
    assert lost.cost == D("33.43")  # round(3 × 11.1425 = 33.4275)
    card = await stock_card(shop.uow(), shop.manager, sku="A001")
    assert (card.on_hand, card.value, card.avg_cost) == (D(5), D("55.71"), D("11.142"))
    assert (await check_ledger(shop.db)).ok
