"""Export a business to .xlsx/.csv and import opening data into one, on both engines."""

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.catalog.models import Barcode, Customer, Product, Supplier, Warehouse
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import PermissionDenied
from core.finance.models import OpenItem
from core.inventory.check import check_ledger
from core.inventory.models import Document, ProductCost, StockBalance, StockMove
from core.io.errors import ImportInvalid, ImportRefused
from core.io.export import export_business, export_csv
from core.io.importing import ImportFile, preview, run_import
from core.io.template import import_template
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business
from tests.integration.test_cli import jxc
from tests.support.money import credit_receipt, credit_sale
from tests.support.shop import Shop, open_shop, rid

D = Decimal
TABLES = (Product, Barcode, ProductCost, Customer, Supplier, Warehouse, Document, StockMove)


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def row_counts(db: Database) -> dict[str, int]:
    async with db.reads() as session:
        return {
            t.__tablename__: int(await session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (*TABLES, OpenItem, StockBalance)
        }


async def new_business(db: Database, owner_id: int = 5000) -> Actor:
    owner = Actor(user_id=owner_id)
    made = await create_business(
        UnitOfWork(db), owner, CreateBusiness(request_id=rid(), name="新店")
    )
    return Actor(user_id=owner_id, business_id=made.business_id)


async def stock_of(db: Database, business_id: int) -> dict[str, tuple[Decimal, Decimal]]:
    async with db.reads() as session:
        rows = await session.execute(
            select(Product.sku, ProductCost.on_hand, ProductCost.value)
            .join(ProductCost, ProductCost.product_id == Product.id)
            .where(Product.business_id == business_id, ProductCost.on_hand != 0)
        )
        return {sku: (q, v) for sku, q, v in rows}


async def open_items_of(db: Database, business_id: int) -> list[tuple[Any, ...]]:
    async with db.reads() as session:
        rows = await session.execute(
            select(
                func.coalesce(Customer.name, Supplier.name),
                OpenItem.item_date,
                OpenItem.due_date,
                OpenItem.open,
                OpenItem.currency,
            )
            .outerjoin(Customer, Customer.id == OpenItem.customer_id)
            .outerjoin(Supplier, Supplier.id == OpenItem.supplier_id)
            .where(OpenItem.business_id == business_id, OpenItem.open != 0)
        )
        return sorted(tuple(r) for r in rows)


async def products_of(db: Database, business_id: int) -> list[tuple[Any, ...]]:
    async with db.reads() as session:
        rows = await session.execute(
            select(
                Product.sku,
                Product.name,
                Product.unit,
                Product.default_sale_price,
                Product.default_purchase_price,
                Product.reorder_point,
                Product.reorder_qty,
            ).where(Product.business_id == business_id)
        )
        return sorted(tuple(r) for r in rows)


async def parties_of(db: Database, business_id: int) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    async with db.reads() as session:
        for model in (Customer, Supplier):
            rows = await session.execute(
                select(
                    model.name, model.contact, model.phone, model.terms_days, model.credit_limit
                ).where(model.business_id == business_id)
            )
            out += [(model.__tablename__, *r) for r in rows]
    return sorted(out)


async def busy_shop(db: Database) -> Shop:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "10", "5.55")
    await shop.receive(shop.tea, "3", "6.10", warehouse=shop.second)
    await shop.receive(shop.cup, "7", "2.333")
    await shop.sell(shop.tea, "4")
    await credit_sale(shop, "2", "30", paid="10")
    await credit_receipt(shop, "5", "4")
    return shop


async def test_round_trip_into_a_new_business_gives_the_same_stock_parties_and_open_items(
    db: Database,
) -> None:
    shop = await busy_shop(db)
    data = await export_business(shop.uow(), shop.owner)
    target = await new_business(db)

    before = await preview(UnitOfWork(db), target, ImportFile(data, "export.xlsx"))
    assert before.errors == ()
    result = await run_import(UnitOfWork(db), target, ImportFile(data, "export.xlsx"), rid())

    assert target.business_id is not None
    assert await products_of(db, target.business_id) == await products_of(db, shop.business_id)
    assert await stock_of(db, target.business_id) == await stock_of(db, shop.business_id)
    assert await parties_of(db, target.business_id) == await parties_of(db, shop.business_id)
    assert await open_items_of(db, target.business_id) == await open_items_of(db, shop.business_id)
    assert all(n.startswith("QC-") for n in result.documents)
    report = await check_ledger(db)
    assert report.differences == []


async def test_importing_the_same_request_twice_imports_once(db: Database) -> None:
    shop = await open_shop(db)
    data = xlsx(
        {
            "商品": [["编号", "名称"], ["N1", "新茶"]],
            "期初库存": [["SKU", "Qty", "Unit cost"], ["N1", 5, 2]],
        }
    )
    first = await run_import(shop.uow(), shop.manager, ImportFile(data, "a.xlsx"), "imp-1")
    counts = await row_counts(db)
    again = await run_import(shop.uow(), shop.manager, ImportFile(data, "a.xlsx"), "imp-1")

    assert not first.repeated
    assert again.repeated
    assert await row_counts(db) == counts


async def test_preview_counts_creates_updates_and_skips_and_writes_nothing(db: Database) -> None:
    shop = await open_shop(db)
    data = xlsx(
        {
            "Sheet1": [
                ["Name", "SKU", "Sale price"],  # English, another order
                ["西湖龙井", "A001", 88],  # unchanged: skipped
                ["不锈钢杯", "b002", 12.5],  # a new price: updated (SKUs ignore case)
                ["新品", "C003", 3],  # created
            ]
        }
    )
    counts = await row_counts(db)

    seen = await preview(shop.uow(), shop.manager, ImportFile(data, "p.xlsx"))

    assert seen.errors == ()
    assert (seen.counts["products"].create, seen.counts["products"].update) == (1, 1)
    assert seen.counts["products"].skip == 1
    assert await row_counts(db) == counts


async def test_every_error_is_listed_with_its_row_and_column(db: Database) -> None:
    shop = await open_shop(db)
    data = xlsx(
        {
            "商品 Products": [
                ["商品编号", "商品名称", "进价", "安全库存"],
                ["X1", "一", "abc", 1],
                ["X2", "二", 1, -3],
                ["X1", "三", 1, 1],
                ["", "四", 1, 1],
            ],
            "期初库存": [
                ["编号", "仓库", "数量", "单位成本"],
                ["X9", "", 1, 1],
                ["A001", "", "十", 1],
            ],
        }
    )
    counts = await row_counts(db)

    seen = await preview(shop.uow(), shop.manager, ImportFile(data, "bad.xlsx"))
    found = {(e.row, e.column, e.code) for e in seen.errors}

    assert {
        (2, "进价", "not_a_number"),
        (3, "安全库存", "negative"),
        (4, "商品编号", "duplicate"),
        (5, "商品编号", "required"),
        (2, "编号", "unknown_product"),
        (3, "数量", "not_a_number"),
    } <= found
    with pytest.raises(ImportInvalid) as refused:
        await run_import(shop.uow(), shop.manager, ImportFile(data, "bad.xlsx"), rid())
    assert len(refused.value.errors) == len(seen.errors)
    assert await row_counts(db) == counts


def _formula() -> bytes:
    return xlsx({"商品": [["SKU", "名称", "售价"], ["F1", "x", "=1+2"]]})


def _merged() -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "商品"
    for row in (["SKU", "名称"], ["M1", "x"], ["M2", "y"]):
        ws.append(row)
    ws.merge_cells("B2:B3")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BAD_FILES = {
    "not_spreadsheet": (b"PK\x03\x04 not really a zip", "a.xlsx"),
    "binary": (bytes(range(256)) * 4, "a.csv"),
    "encoding": (b"SKU,\xff\xfe\xfa\xfb\n", "a.csv"),
    "empty": (b"", "a.csv"),
    "header_only": ("SKU,名称\n".encode(), "a.csv"),
    "old_xls": (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "a.xls"),
    "formula": (_formula(), "f.xlsx"),
    "merged": (_merged(), "m.xlsx"),
    "duplicate_sku": ("SKU,名称\nD1,a\nd1,b\n".encode(), "d.csv"),
    "unknown_header": ("SKU,名称,颜色\nU1,a,red\n".encode(), "u.csv"),
    "missing_column": ("编号,数量,仓库\nA001,3,\n".encode(), "s.csv"),
    "too_many_rows": (
        ("SKU,名称\n" + "".join(f"R{n},x\n" for n in range(100_001))).encode(),
        "big.csv",
    ),
    "too_big": (b"SKU,Name\n" + b"A,b\n" * (6 * 1024 * 1024), "huge.csv"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
async def test_a_bad_file_gets_a_clear_answer_and_writes_nothing(db: Database, case: str) -> None:
    shop = await open_shop(db)
    data, name = BAD_FILES[case]
    counts = await row_counts(db)

    with pytest.raises((ImportRefused, ImportInvalid)) as refused:
        await run_import(shop.uow(), shop.manager, ImportFile(data, name), rid())

    if isinstance(refused.value, ImportInvalid):
        assert refused.value.errors
        codes = {e.code for e in refused.value.errors}
        assert codes & {"formula", "merged", "duplicate", "unknown_header", "missing_column"}
    assert await row_counts(db) == counts


async def test_a_gbk_csv_of_customers_is_imported(db: Database) -> None:
    shop = await open_shop(db)
    data = "客户名称,联系人,账期,信用额度\n华联超市,王经理,30,50000\n".encode("gbk")

    result = await run_import(shop.uow(), shop.manager, ImportFile(data, "客户.csv"), rid())

    assert result.counts["customers"].create == 1
    parties = await parties_of(db, shop.business_id)
    assert ("customers", "华联超市", "王经理", "", 30, D("50000.00")) in parties


async def test_utf16_csv_and_english_headers_in_any_order(db: Database) -> None:
    shop = await open_shop(db)
    data = "Opening payable\tDue date\tSupplier\n1200.50\t2026-12-31\t杭州茶厂\n".encode("utf-16")
    result = await run_import(shop.uow(), shop.manager, ImportFile(data, "ap.csv"), rid())

    assert result.counts["payables"].create == 1
    items = await open_items_of(db, shop.business_id)
    assert [(i[0], i[3]) for i in items] == [("杭州茶厂", D("1200.50"))]
    assert (await check_ledger(db)).differences == []


async def test_opening_stock_creates_a_missing_warehouse_and_posts_qc_at_the_unit_cost(
    db: Database,
) -> None:
    shop = await open_shop(db)
    data = xlsx(
        {
            "期初库存 Opening stock": [
                ["仓库", "编号", "数量", "单位成本"],
                ["门店", "A001", 3, "2.50"],
                ["", "B002", 1.5, 4],
            ]
        }
    )

    seen = await preview(shop.uow(), shop.manager, ImportFile(data, "s.xlsx"))
    result = await run_import(shop.uow(), shop.manager, ImportFile(data, "s.xlsx"), rid())

    assert seen.warehouses == ("门店",)
    assert len(result.documents) == 2
    assert await stock_of(db, shop.business_id) == {
        "A001": (D("3.000"), D("7.50")),
        "B002": (D("1.500"), D("6.00")),
    }
    assert (await check_ledger(db)).differences == []


async def test_the_template_imports_cleanly(db: Database) -> None:
    shop = await open_shop(db)
    seen = await preview(shop.uow(), shop.owner, ImportFile(import_template(), "template.xlsx"))
    assert seen.errors == ()
    assert seen.counts["products"].update == 1  # the shop has A001 already
    assert seen.counts["stock"].create == 1
    assert seen.warehouses == ()  # a blank warehouse is the default one


async def test_clerks_export_without_costs_viewers_and_groups_not_at_all(db: Database) -> None:
    shop = await busy_shop(db)
    book = load_workbook(io.BytesIO(await export_business(shop.uow(), shop.clerk)))

    assert "应收 Receivables" not in book.sheetnames
    stock_headers = [c.value for c in next(book["库存 Stock"].iter_rows(max_row=1))]
    assert "金额 Value" not in stock_headers
    with pytest.raises(PermissionDenied):
        await export_business(shop.uow(), shop.viewer)
    with pytest.raises(PermissionDenied):
        await export_business(shop.uow(), shop.owner.model_copy(update={"in_public": True}))
    with pytest.raises(PermissionDenied):
        await preview(shop.uow(), shop.clerk, ImportFile(b"SKU,Name\nA,b\n", "a.csv"))


async def test_csv_export_is_utf8_with_bom_and_reads_back(db: Database) -> None:
    shop = await busy_shop(db)
    data = await export_csv(shop.uow(), shop.owner, "stock")

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号 SKU,名称 Name")
    assert "西湖龙井" in text


def test_cli_export_and_import_then_the_ledger_check_passes(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    assert jxc("demo", DATABASE_URL=url).exit_code == 0
    out = tmp_path / "shop.xlsx"
    exported = jxc("export", str(out), DATABASE_URL=url)
    assert exported.exit_code == 0, exported.output
    assert "库存 Stock" in load_workbook(out).sheetnames
    csv_out = tmp_path / "stock.csv"
    assert jxc("export", str(csv_out), "--csv", "stock", DATABASE_URL=url).exit_code == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")

    good = tmp_path / "new.csv"
    good.write_bytes("编号,名称,售价\nNEW1,新茶,9.9\n".encode("gbk"))
    imported = jxc("import", str(good), "--business", "1", "--user-id", "1", DATABASE_URL=url)
    assert imported.exit_code == 0, imported.output
    assert "products: 1 new" in imported.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,名称,售价\nNEW2,x,abc\n", encoding="utf-8")
    refused = jxc("import", str(bad), "--business", "1", "--user-id", "1", DATABASE_URL=url)
    assert refused.exit_code == 1
    assert "row 2, column 售价: not_a_number 'abc'" in refused.stdout
    assert jxc("check", DATABASE_URL=url).exit_code == 0


async def test_an_export_imported_into_its_own_business_does_not_double_the_stock(
    db: Database,
) -> None:
    shop = await busy_shop(db)
    before = await stock_of(db, shop.business_id)
    exported = await export_business(shop.uow(), shop.owner)
    seen = await preview(shop.uow(), shop.owner, ImportFile(exported, "mine.xlsx"))
    assert any(e.code == "already_stocked" for e in seen.errors)
    assert await stock_of(db, shop.business_id) == before
