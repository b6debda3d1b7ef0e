"""The xlsx and CSV writers, read back with openpyxl and csv cell by cell."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from core.reports import Column, Table, csv_bytes, workbook
from core.reports.xlsx import display_width, sheet_title

D = Decimal


def NAIVE(*parts: int) -> datetime:  # noqa: N802 - reads like the constructor it stands for
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


SALES = Table(
    title="sales_by_product",
    columns=(
        Column("sku", "text", "编码"),
        Column("name", "text", "名称"),
        Column("sales", "int", "单数"),
        Column("qty", "qty", "数量"),
        Column("revenue", "money", "销售额"),
        Column("margin", "percent", "毛利率"),
        Column("last_sale", "date", "最近销售"),
        Column("posted_at", "datetime", "时间"),
    ),
    rows=[
        (
            "A001",
            "西湖龙井明前特级礼盒装",
            2,
            D("6.000"),
            D("1234567.80"),
            D("0.5045"),
            date(2026, 3, 1),
            datetime(2026, 2, 28, 16, 30, tzinfo=UTC),
        ),
        ("B002", "cup", 1, D("1.500"), D("-8.00"), None, None, None),
    ],
    totals=("合计", "", 3, D("7.500"), D("1234559.80"), None, None, None),
    timezone="Asia/Shanghai",
)


def read(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def test_cells_are_typed_with_number_formats_and_the_totals_row_is_bold() -> None:
    book = read(workbook([SALES]))
    ws = book["sales_by_product"]

    assert [c.value for c in ws[1]] == [
        "编码",
        "名称",
        "单数",
        "数量",
        "销售额",
        "毛利率",
        "最近销售",
        "时间",
    ]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    row = ws[2]
    assert row[0].value == "A001" and row[1].value == "西湖龙井明前特级礼盒装"
    assert row[2].value == 2 and row[2].number_format == "#,##0"
    assert row[3].value == 6 and row[3].number_format == "#,##0.000"
    assert isinstance(row[4].value, float | int) and row[4].value == 1234567.8
    assert row[4].number_format == "#,##0.00"
    assert row[5].value == 0.5045 and row[5].number_format == "0.00%"
    # Excel keeps no time zone: openpyxl reads naive datetimes back
    assert row[6].value == NAIVE(2026, 3, 1) and row[6].number_format == "yyyy-mm-dd"
    assert row[7].value == NAIVE(2026, 3, 1, 0, 30)  # 16:30 UTC is 00:30 in Shanghai
    assert row[7].number_format == "yyyy-mm-dd hh:mm"
    assert ws[3][4].value == -8 and ws[3][5].value is None
    totals = ws[4]
    assert [c.value for c in totals[:5]] == ["合计", None, 3, 7.5, 1234559.8]
    assert all(c.font.bold for c in totals)
    assert totals[4].number_format == "#,##0.00"
    assert ws.max_row == 4


def test_columns_are_fitted_and_cjk_counts_double() -> None:
    ws = read(workbook([SALES]))["sales_by_product"]
    widths = {col: ws.column_dimensions[col].width for col in "ABCDE"}
    assert widths["B"] == display_width("西湖龙井明前特级礼盒装") + 2 == 24
    assert widths["A"] == max(6, display_width("编码") + 2, len("A001") + 2)
    assert widths["E"] == len("1,234,567.80") + 2
    assert display_width("龙井A") == 5


def test_sheet_names_are_valid_for_excel_and_unique() -> None:
    long = "销售/毛利:[按商品]*?\\" + "x" * 40
    tables = [Table(long, (Column("a", "text"),), [("x",)]) for _ in range(2)]
    tables.append(Table("", (Column("a", "text"),), []))
    names = read(workbook(tables)).sheetnames
    assert len(names) == 3
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[0] != names[1] and names[1].endswith("(2)")
    assert names[2] == "Sheet"
    assert sheet_title("'quoted'", set()) == "quoted"


def test_one_sheet_per_section_and_headers_default_to_keys() -> None:
    plain = Table("stock", (Column("on_hand", "qty"),), [(D("1.250"),)])
    book = read(workbook([SALES, plain]))
    assert book.sheetnames == ["sales_by_product", "stock"]
    assert book["stock"]["A1"].value == "on_hand"
    assert book["stock"]["A2"].value == 1.25


def test_csv_has_a_bom_headers_rows_and_totals() -> None:
    data = csv_bytes(SALES)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编码", "名称"]
    assert rows[1] == [
        "A001",
        "西湖龙井明前特级礼盒装",
        "2",
        "6.000",
        "1234567.80",
        "0.5045",
        "2026-03-01",
        "2026-03-01 00:30",
    ]
    assert rows[2][5:] == ["", "", ""]
    assert rows[3][:5] == ["合计", "", "3", "7.500", "1234559.80"]
