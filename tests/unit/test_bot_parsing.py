from decimal import Decimal

import pytest

from bot.i18n import use_language
from bot.parse import InputError, counted_quantity, name, price, quantity
from bot.render import callbacks as cb
from bot.render.numbers import money, qty


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("2", "2"), ("2.5", "2.5"), (" 1,200 ", "1200"), ("０．５", "0.5"), ("0.125", "0.125")],
)
def test_quantities_are_read_exactly(typed: str, expected: str) -> None:
    assert quantity(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "Quantity must be greater than 0."),
        ("-1", "Quantity must be greater than 0."),
        ("1.2345", "Quantity may have at most 3 decimals."),
        ("abc", "“abc” is not a number."),
        ("1e3", "“1e3” is not a number."),
        ("", "“” is not a number."),
        ("NaN", "“NaN” is not a number."),
        ("1000000000000", "That quantity is too large."),
    ],
)
def test_bad_quantities_say_why(typed: str, reason: str) -> None:
    with use_language("en"), pytest.raises(InputError) as refused:
        quantity(typed)
    assert str(refused.value) == reason


def test_reasons_come_in_the_users_language() -> None:
    with use_language("zh-CN"), pytest.raises(InputError) as refused:
        quantity("0")
    assert str(refused.value) == "数量必须大于 0。"


def test_a_count_may_be_zero_but_not_negative() -> None:
    assert counted_quantity("0") == 0
    with use_language("en"), pytest.raises(InputError, match="cannot be negative"):
        counted_quantity("-1")


def test_prices_take_four_decimals_and_no_sign() -> None:
    assert price("12.3456") == Decimal("12.3456")
    assert price("0") == 0
    with use_language("en"), pytest.raises(InputError, match="at most 4 decimals"):
        price("1.23456")
    with use_language("en"), pytest.raises(InputError, match="cannot be negative"):
        price("-1")


def test_names_are_trimmed_and_bounded() -> None:
    assert name("  老王   五金 ") == "老王 五金"
    with use_language("en"), pytest.raises(InputError, match="Please type a name"):
        name("   ")
    with use_language("en"), pytest.raises(InputError, match="at most 5"):
        name("abcdef", limit=5)


def test_callback_data_round_trips_and_is_versioned() -> None:
    data = cb.pack("undo", 481)
    assert data == "1:undo:481"
    assert cb.action(data) == "undo"
    assert cb.args(data) == ["481"]
    assert cb.pattern("undo").match(data)
    assert not cb.pattern("undo").match("1:undone:481")
    assert cb.action("0:undo:481") is None  # an older version's button


def test_callback_data_refuses_what_telegram_would_refuse() -> None:
    with pytest.raises(ValueError, match="too long"):
        cb.pack("x", "商" * 30)
    with pytest.raises(ValueError, match="may not contain"):
        cb.pack("x", "a:b")


def test_numbers_are_shown_as_a_shop_reads_them() -> None:
    assert qty(Decimal("12.000")) == "12"
    assert qty(Decimal("1200")) == "1,200"
    assert qty(Decimal("2.500")) == "2.5"
    assert money(Decimal("1234.5")) == "1,234.50"
    assert money(Decimal("-0.001")) == "0.00"  # never -0.00
    assert money(Decimal("1234.5"), "JPY") == "1,235"
