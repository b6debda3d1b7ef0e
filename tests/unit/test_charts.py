"""Charts: names with a CJK font, SKUs without one (this machine has none), PNG either way."""

import io
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from matplotlib.font_manager import findfont
from PIL import Image

from core.reports import SalesReport, SalesRow, bar_chart, charts, line_chart, sales_chart
from tests.support.fonts import noto_cjk

D = Decimal
PNG = b"\x89PNG\r\n\x1a\n"
ITEMS = [("A001", "西湖龙井", D("1200.50")), ("B002", "不锈钢杯", D("88"))]


def opens(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def row(key: date | int, label: str, sku: str, revenue: str) -> SalesRow:
    return SalesRow(key, label, sku, 1, 0, D(1), D(revenue), None, None, None)


def test_without_a_cjk_font_bars_are_labelled_with_skus() -> None:
    chart = bar_chart(ITEMS, "销量前十", font_finder=lambda: None)
    assert chart.font is None
    assert chart.labels == ("A001", "B002")
    assert opens(chart.png) == (800, 500)


def test_without_any_cjk_font_the_real_finder_finds_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(charts.FONT_ENV, raising=False)
    monkeypatch.setattr(charts.fontManager, "ttflist", [])  # a machine without CJK fonts
    charts.find_cjk_font.cache_clear()
    try:
        assert charts.find_cjk_font() is None
        chart = bar_chart(ITEMS, "Top products")
        assert chart.labels == ("A001", "B002")
        opens(chart.png)
    finally:
        charts.find_cjk_font.cache_clear()


def test_with_a_real_cjk_font_bars_are_labelled_with_names_without_boxes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(charts.FONT_ENV, str(noto_cjk()))
    charts.find_cjk_font.cache_clear()
    try:
        chart = bar_chart(ITEMS, "销量前十")  # a missing glyph would warn: warnings fail tests
        assert chart.font == noto_cjk()
        assert chart.labels == ("西湖龙井", "不锈钢杯")
        opens(chart.png)
    finally:
        charts.find_cjk_font.cache_clear()


def test_a_named_font_without_chinese_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(charts.FONT_ENV, findfont("DejaVu Sans"))
    monkeypatch.setattr(charts.fontManager, "ttflist", [])
    charts.find_cjk_font.cache_clear()
    try:
        assert charts.find_cjk_font() is None
    finally:
        charts.find_cjk_font.cache_clear()


def test_daily_sales_are_a_line_and_products_are_top_bars() -> None:
    days = SalesReport(
        "day",
        "CNY",
        date(2026, 3, 1),
        date(2026, 3, 3),
        False,
        (
            row(date(2026, 3, 1), "2026-03-01", "", "10"),
            row(date(2026, 3, 3), "2026-03-03", "", "30.5"),
        ),
        2,
        row(0, "", "", "40.5"),
    )
    line = sales_chart(days, "Daily sales", font_finder=lambda: None)
    assert line.labels == ("2026-03-01", "2026-03-03")
    opens(line.png)
    products = SalesReport(
        "product",
        "CNY",
        date(2026, 3, 1),
        date(2026, 3, 3),
        False,
        tuple(row(i, f"茶{i}", f"S{i:03}", str(i)) for i in range(1, 15)),
        14,
        row(0, "", "", "105"),
    )
    bars = sales_chart(products, top=3, font_finder=lambda: None)
    assert bars.labels == ("S014", "S013", "S012")
    customers = SalesReport(
        "customer",
        "CNY",
        date(2026, 3, 1),
        date(2026, 3, 3),
        False,
        (row(7, "王老板", "", "9"), row(8, "Acme", "", "5")),
        2,
        row(0, "", "", "14"),
    )
    assert sales_chart(customers, font_finder=lambda: None).labels == ("#7", "Acme")
    assert line_chart([], font_finder=lambda: None).labels == ()


def test_charts_never_import_pyplot() -> None:
    code = (
        "import sys; from core.reports import bar_chart; from decimal import Decimal;"
        "bar_chart([('A', 'a', Decimal(1))], font_finder=lambda: None);"
        "assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
