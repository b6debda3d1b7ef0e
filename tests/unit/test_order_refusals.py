"""Order refusals read as sentences in both languages."""

from decimal import Decimal

from bot.i18n import use_language
from bot.render.errors import describe
from core.errors import BeyondOrder, OrderNotOpen


def test_over_receipt_says_what_is_still_expected() -> None:
    error = BeyondOrder("CGDD-2026-00001", "A001", Decimal(2), Decimal(3))
    with use_language("en"):
        assert describe(error) == (
            "CGDD-2026-00001: A001 still expects 2, not 3. Confirm to take more than was ordered."
        )
    with use_language("zh-CN"):
        assert (
            describe(error) == "CGDD-2026-00001：A001 还差 2，不是 3。确认后才能超出订单数量收货。"
        )


def test_an_order_that_is_not_open_names_its_state() -> None:
    with use_language("en"):
        assert describe(OrderNotOpen("CGDD-2026-00002", "cancelled")) == (
            "CGDD-2026-00002 is cancelled: nothing more can be done against it."
        )
    with use_language("zh-CN"):
        assert describe(OrderNotOpen("CGDD-2026-00002", "done")) == (
            "CGDD-2026-00002 状态为已完成，不能再对它操作。"
        )
