"""The arithmetic of reorder suggestions."""

from decimal import Decimal

import pytest

from core.alerts.suggestions import cover_days, daily_average, suggested_qty

D = Decimal


@pytest.mark.parametrize(
    ("on_hand", "on_order", "point", "daily", "reorder_qty", "expected"),
    [
        ("8", "0", "10", "2", None, "52"),  # 30 days × 2 − 8
        ("8", "20", "10", "2", None, "32"),  # what is on order counts
        ("8", "0", "10", "2", "100", "100"),  # the product's own reorder quantity wins
        ("8", "0", "10", "0", None, "3"),  # nothing sold: back above the point (11 − 8)
        ("8", "60", "10", "2", None, "0"),  # enough on order already
        ("-2", "0", "0", "0.1", None, "5"),  # 3 − (−2); negative stock is owed stock
        ("7.5", "0", "10", "0.333", None, "4"),  # cover: 2.49; above the point: 3.5 → 4
    ],
)
def test_the_suggested_quantity(
    on_hand: str, on_order: str, point: str, daily: str, reorder_qty: str | None, expected: str
) -> None:
    got = suggested_qty(
        D(on_hand), D(on_order), D(point), D(daily), D(reorder_qty) if reorder_qty else None, 30
    )
    assert got == D(expected)


def test_average_daily_sales_and_days_of_cover() -> None:
    assert daily_average(D(45)) == D("1.500")
    assert daily_average(D(1)) == D("0.033")
    assert cover_days(D(9), D("1.5")) == D("6.0")
    assert cover_days(D(9), D(0)) is None
    assert cover_days(D(-3), D(1)) == D("0.0")
