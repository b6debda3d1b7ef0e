"""Reading uploaded files into typed rows: encodings, headers, cells; no database."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.io.columns import Kind, guess_kind, match_header, sheet_kind
from core.io.errors import ImportRefused
from core.io.parsing import read_file
from core.io.rows import read_rows, to_date, to_decimal

CSV = '商品编号,商品名称,售价,条码\nA1,龙井,12.5,"690123,690124"\n'


@pytest.mark.parametrize(
    "data",
    [
        CSV.encode("utf-8"),
        CSV.encode("utf-8-sig"),
        CSV.encode("gbk"),
        CSV.encode("gb18030"),
        CSV.encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-bom"],
)
def test_csv_is_read_in_every_encoding_excel_saves(data: bytes) -> None:
    rows = read_rows(read_file(data, "p.csv"))
    assert rows.errors == []
    [product] = rows.products
    assert (product.sku, product.name, product.sale_price) == ("A1", "龙井", Decimal("12.5000"))
    assert product.barcodes == ("690123", "690124")


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("SKU", "sku"),
        ("编号 SKU", "sku"),
        ("商品编号", "sku"),
        ("Name", "name"),
        ("名称（Name）", "name"),
        ("sale price", "sale_price"),
        ("售价", "sale_price"),
        ("Reorder point 安全库存", "reorder_point"),
        ("补货量", "reorder_qty"),
        ("颜色", None),
    ],
)
def test_product_headers_match_in_chinese_or_english(header: str, key: str | None) -> None:
    assert match_header(Kind.PRODUCTS, header) == key


def test_stock_unit_cost_is_not_mistaken_for_the_unit() -> None:
    assert match_header(Kind.STOCK, "单位成本 Unit cost") == "unit_cost"
    assert match_header(Kind.STOCK, "单位 Unit") == "unit"


def test_kinds_come_from_the_sheet_name_or_the_headers() -> None:
    assert sheet_kind("期初库存 Opening stock") == Kind.STOCK
    assert sheet_kind("说明 Notes") is False
    assert sheet_kind("Sheet1") is None
    assert guess_kind(["Warehouse", "SKU", "Qty", "Unit cost"]) == Kind.STOCK
    assert guess_kind(["客户", "期初应收", "到期日"]) == Kind.RECEIVABLES
    assert guess_kind(["供应商名称", "账期"]) == Kind.SUPPLIERS
    assert guess_kind(["foo"]) is None


def test_cells_become_numbers_and_dates() -> None:
    assert to_decimal("1,234.50") == Decimal("1234.50")
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("¥12") == Decimal(12)
    assert to_decimal("十") is None
    assert to_decimal(True) is None
    assert to_date("2026/3/1") == date(2026, 3, 1)
    assert to_date("2026年3月1日") == date(2026, 3, 1)
    assert to_date(20260301) == date(2026, 3, 1)
    assert to_date("soon") is None


def test_every_bad_cell_is_reported_with_row_and_column() -> None:
    data = "SKU,Name,Purchase price,Reorder qty\nA,x,abc,1\nB,y,1,-1\nA,z,1,1\n,w,1,1\n"
    rows = read_rows(read_file(data.encode(), "p.csv"))
    found = {(e.row, e.column, e.code) for e in rows.errors}
    assert found == {
        (2, "Purchase price", "not_a_number"),
        (3, "Reorder qty", "negative"),
        (4, "SKU", "duplicate"),
        (5, "SKU", "required"),
    }


def test_unknown_and_missing_headers_are_errors_of_the_header_row() -> None:
    rows = read_rows(read_file("编号,名称,颜色\nA,x,red\n".encode(), "p.csv"))
    assert [(e.row, e.column, e.code) for e in rows.errors] == [(1, "颜色", "unknown_header")]
    rows = read_rows(read_file("编号,数量\nA,3\n".encode(), "s.csv"))
    assert [(e.row, e.code) for e in rows.errors] == [(1, "missing_column")]


def test_formula_and_merged_cells_are_refused_where_they_are() -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "商品"
    for row in (["SKU", "名称", "售价"], ["A", "x", "=2*3"], ["B", "y", 1], ["C", "z", 2]):
        ws.append(row)
    ws.merge_cells("B3:B4")
    out = io.BytesIO()
    book.save(out)
    rows = read_rows(read_file(out.getvalue(), "p.xlsx"))
    assert {(e.row, e.column, e.code) for e in rows.errors} == {
        (2, "售价", "formula"),
        (3, "名称", "merged"),
    }


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.csv", "empty"),
        (b"SKU,Name\n", "a.csv", "empty"),
        (b"\x00\x01\x02binary", "a.csv", "not_spreadsheet"),
        (b"PK\x03\x04broken", "a.xlsx", "not_spreadsheet"),
        (b"\xd0\xcf\x11\xe0....", "a.xls", "old_xls"),
        (b"SKU,\xff\xfe\xfa\n", "a.csv", "encoding"),
    ],
)
def test_unreadable_files_are_refused_with_a_code(data: bytes, name: str, code: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_file(data, name)
    assert refused.value.code == code
