"""DESIGN rule 4 to the cent: the worked examples of VALUATION-EXAMPLES.md, and more."""

from decimal import Decimal

import pytest

from core.inventory.valuation import Booked, CostLedger

D = Decimal


def fresh(default_price: str = "0", currency: str = "CNY") -> CostLedger:
    return CostLedger(on_hand=D(0), value=D(0), last_avg=D(default_price), currency=currency)


# (step, on hand, value, avg at 4 places, moved, variance)
TEXTBOOK = [
    (("receipt", "200", "2"), "200.000", "400.00", "2.0000", "400.00", "0"),
    (("sale", "150"), "50.000", "100.00", "2.0000", "-300.00", "0"),
    (("receipt", "200", "2.2"), "250.000", "540.00", "2.1600", "440.00", "0"),
    (("sale", "100"), "150.000", "324.00", "2.1600", "-216.00", "0"),
]
LAST_ISSUE_TAKES_THE_REST = [
    (("receipt", "3", "3.3333"), "3.000", "10.00", "3.3333", "10.00", "0"),
    (("receipt", "4", "1.6667"), "7.000", "16.67", "2.3814", "6.67", "0"),
    (("sale", "2"), "5.000", "11.91", "2.3820", "-4.76", "0"),
    (("sale", "2"), "3.000", "7.15", "2.3833", "-4.76", "0"),
    (("sale", "2"), "1.000", "2.38", "2.3800", "-4.77", "0"),
    (("sale", "1"), "0.000", "0.00", "2.3800", "-2.38", "0"),
]
NEGATIVE_STOCK_REPRICED = [
    (("receipt", "2", "5"), "2.000", "10.00", "5.0000", "10.00", "0"),
    (("sale", "6"), "-4.000", "-20.00", "5.0000", "-30.00", "0"),
    (("receipt", "3", "2.675"), "-1.000", "-2.68", "2.6750", "8.03", "9.29"),
    (("sale", "1"), "-2.000", "-5.36", "2.6750", "-2.68", "0"),
    (("receipt", "5", "3"), "3.000", "9.00", "3.0000", "15.00", "-0.64"),
    (("sale", "3"), "0.000", "0.00", "3.0000", "-9.00", "0"),
]
VOID_DEAR_RECEIPT = [
    (("receipt", "2", "1"), "2.000", "2.00", "1.0000", "2.00", "0"),
    (("receipt", "8", "20"), "10.000", "162.00", "16.2000", "160.00", "0"),
    (("sale", "8"), "2.000", "32.40", "16.2000", "-129.60", "0"),
    (("receipt", "10", "1"), "12.000", "42.40", "3.5333", "10.00", "0"),
    (("void", "2"), "4.000", "0.00", "0.0000", "-160.00", "117.60"),
    (("sale", "2"), "2.000", "0.00", "0.0000", "0.00", "0"),
    (("receipt", "2", "3"), "4.000", "6.00", "1.5000", "6.00", "0"),
    (("sale", "4"), "0.000", "0.00", "1.5000", "-6.00", "0"),
]


@pytest.mark.parametrize(
    "rows",
    [TEXTBOOK, LAST_ISSUE_TAKES_THE_REST, NEGATIVE_STOCK_REPRICED, VOID_DEAR_RECEIPT],
    ids=["textbook", "last-issue-takes-the-rest", "negative-stock-repriced", "void-dear-receipt"],
)
def test_worked_examples_hold_to_the_cent(rows: list[tuple]) -> None:
    ledger = fresh()
    booked_by_step: dict[str, tuple[Decimal, Booked]] = {}
    for number, (action, on_hand, value, avg, moved, variance) in enumerate(rows, start=1):
        if action[0] == "receipt":
            booked = ledger.receive(D(action[1]), D(action[2]))
            booked_by_step[str(number)] = (D(action[1]), booked)
        elif action[0] == "sale":
            booked = ledger.issue(D(action[1]))
        else:
            qty, original = booked_by_step[action[1]]
            booked = ledger.send_back(qty, qty, original.value)
        assert (ledger.on_hand, ledger.value) == (D(on_hand), D(value)), f"step {number}"
        assert ledger.avg.quantize(D("0.0001")) == D(avg), f"step {number}"
        assert booked == Booked(D(moved), D(variance)), f"step {number}"


def test_average_is_kept_at_full_precision_not_four_places() -> None:
    ledger = fresh()
    ledger.receive(D(1_500_000), D("0.33333333"))  # 500,000.00
    ledger.receive(D(1), D(1))  # 500,001.00 for 1,500,001 units
    # exactly 500001 × 1500000 / 1500001 = 500000.6666669; a 4-place avg (0.3333) gives 499950
    assert ledger.issue(D(1_500_000)).value == D("-500000.67")
    assert (ledger.on_hand, ledger.value) == (D(1), D("0.33"))


def test_the_move_that_empties_stock_takes_what_is_left() -> None:
    ledger = fresh()
    ledger.receive(D(3), D("0.01"))  # 0.03 for three units
    assert [ledger.issue(D(1)).value for _ in range(3)] == [D("-0.01"), D("-0.01"), D("-0.01")]
    assert (ledger.on_hand, ledger.value) == (D(0), D(0))


def test_an_empty_product_issues_at_its_default_purchase_price() -> None:
    ledger = fresh(default_price="2.5")
    assert ledger.issue(D(2)).value == D("-5.00")
    assert ledger.value == D("-5.00")


def test_goods_coming_back_from_a_sale_bring_its_cost() -> None:
    ledger = fresh()
    ledger.receive(D(10), D(3))
    sold = ledger.issue(D(4))
    ledger.receive(D(6), D(9))  # the average moves on
    back = ledger.bring_back(D(4), D(4), -sold.value)
    assert back == Booked(D("12.00"))
    assert ledger.value == D("84.00")


def test_returning_into_empty_stock_reprices_at_the_returned_cost() -> None:
    ledger = fresh()
    ledger.receive(D(2), D(5))
    sold = ledger.issue(D(2))
    assert ledger.bring_back(D(2), D(2), -sold.value) == Booked(D("10.00"))
    assert (ledger.on_hand, ledger.value, ledger.avg) == (D(2), D("10.00"), D(5))


def test_voiding_a_receipt_that_takes_stock_negative_values_it_at_the_last_average() -> None:
    ledger = fresh()
    receipt = ledger.receive(D(5), D(4))
    ledger.issue(D(3))  # 2 left, value 8.00
    booked = ledger.send_back(D(5), D(5), receipt.value)  # 20.00 out: -12.00 left at -3 units
    assert booked.value == D("-20.00")
    assert ledger.value == D("-12.00")  # round(-3 × 4)
    assert booked.variance == D(0)


def test_money_follows_the_currency_minor_unit() -> None:
    yen = fresh(currency="JPY")
    assert yen.receive(D(3), D("33.5")).value == D(101)  # 100.5 rounds half-up to 101
    dinar = fresh(currency="KWD")
    assert dinar.receive(D(3), D("0.3335")).value == D("1.001")  # 1.0005 -> 1.001


def test_negative_half_cents_round_away_from_zero_and_never_to_minus_zero() -> None:
    ledger = fresh(default_price="0.001")
    booked = ledger.issue(D(1))  # -0.001 rounds to 0.00, not -0.00
    assert booked.value == D(0)
    assert not booked.value.is_signed()
    assert not ledger.value.is_signed()
    assert ledger.issue(D(5)).value == D("-0.01")  # -0.005 rounds away from zero


def test_a_sale_at_a_non_terminating_average_rounds_its_half_cent_up() -> None:
    ledger = fresh()
    ledger.receive(D(6), D("1.6683"))  # 10.01 for 6 units: avg 1.668333...
    assert ledger.issue(D(3)).value == D("-5.01")  # 3 × 10.01 / 6 = 5.005 exactly


def test_a_surplus_at_a_non_terminating_average_rounds_its_half_cent_up() -> None:
    ledger = fresh()
    ledger.receive(D(6), D("1.6683"))
    assert ledger.receive_at_average(D(3)) == Booked(D("5.01"))
    assert ledger.value == D("15.02")


def test_a_surplus_into_empty_stock_comes_in_at_the_last_average() -> None:
    ledger = fresh()
    ledger.receive(D(4), D("2.5"))
    ledger.issue(D(4))
    assert ledger.receive_at_average(D(2)) == Booked(D("5.00"))
    assert (ledger.on_hand, ledger.value) == (D(2), D("5.00"))


def test_goods_back_into_negative_stock_reprice_at_their_exact_unit_cost() -> None:
    ledger = fresh()
    ledger.receive(D(6), D("1.6683"))  # 10.01
    sold = ledger.issue(D(6))  # all of it: -10.01
    ledger.issue(D(3))  # negative stock, at the last average 1.66833333
    back = ledger.bring_back(D(6), D(6), -sold.value)  # on hand 3 at 10.01 / 6 each
    assert (ledger.on_hand, ledger.value) == (D(3), D("5.01"))  # 3 × 10.01 / 6 = 5.005
    assert back.value == D("10.01")
