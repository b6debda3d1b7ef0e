"""The money side of the sale flow: paid now, on credit, part paid, discounts, 抹零, rates."""

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.db.engine import Database
from core.finance.accounts import party_account
from core.finance.models import PartyKind
from core.inventory.models import Document, DocumentLine
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.bot.harness import BotHarness, Person, joined
from tests.bot.test_purchase import documents, walk
from tests.support.money import set_customer
from tests.support.shop import Shop, open_shop

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def shop(harness: BotHarness) -> Shop:
    stocked = await open_shop(harness.db, owner_id=1000)
    await stocked.receive(stocked.tea, "100", "50")  # main warehouse: 100 at 50.00
    await stocked.receive(stocked.cup, "100", "2")
    return stocked


def today(harness: BotHarness) -> date:
    """The business's date (Asia/Shanghai) by the test clock."""
    return harness.clock().astimezone(SHANGHAI).date()


async def lines_of(db: Database, document_id: int) -> list[DocumentLine]:
    async with db.reads() as session:
        return list(
            await session.scalars(
                select(DocumentLine)
                .where(DocumentLine.document_id == document_id)
                .order_by(DocumentLine.line_no)
            )
        )


async def to_summary(me: Person, customer: str, *lines: tuple[str, str, str]) -> list[str]:
    """/sale to ``customer`` ("[Walk-in]": none) with (sku, qty, price) lines, to the summary."""
    said = await walk(me, "/sale", customer, "[主仓库]")
    for n, (sku, qty, price) in enumerate(lines):
        if n:
            said += await me.press("Add another")
        said += await walk(me, sku, qty, price)
    return said + await me.press("Done")


async def the_sale(db: Database) -> Document:
    [sale] = await documents(db, "XS")
    return sale


# -- paid now, on credit, part paid ----------------------------------------------------------


async def test_a_credit_sale_with_a_discount_is_owed_until_the_customers_terms(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)  # a clerk
    due = (today(harness) + timedelta(days=15)).isoformat()  # 王老板's terms: 15 days

    summary = joined(await to_summary(me, "[王老板]", ("A001", "3", "88")))
    assert f"📒 On credit · due {due}" in me.buttons()
    assert "Tap how it is paid to post it." in summary
    await me.press("Discount")  # one line: no line to pick
    discounted = joined(await me.send("10%"))
    assert "🏷 Discount 10%: −26.40 → 237.60" in discounted
    assert "<b>Total: 237.60</b>" in discounted

    posted = joined(await me.press("On credit"))

    assert "✅ Sale <b>XS-" in posted and "Total: 237.60" in posted
    assert f"📒 On credit · Owed 237.60, due {due}" in posted
    sale = await the_sale(harness.db)
    assert (sale.total, sale.paid_now, sale.due_date) == (
        D("237.60"),
        D(0),
        date.fromisoformat(due),
    )
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert account.balance == D("237.60")


async def test_part_paid_in_chinese(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002, language="zh-hans")
    await walk(me, "/sale", "[王老板]", "[主仓库]", "A001", "2", "[售价 88.00]", "[完成]")
    assert "💵 部分付款…" in me.buttons()

    asked = joined(await me.press("部分付款"))
    assert "合计：176.00。现在付多少？" in asked
    how = joined(await me.send("50"))
    assert "现付 50.00。" in how
    assert me.buttons()[:4] == ["✅ 现金", "✅ 微信", "✅ 支付宝", "✅ 银行转账"]
    posted = joined(await me.press("微信"))

    due = (today(harness) + timedelta(days=15)).isoformat()
    assert f"已付 50.00（微信） · 应收 126.00，到期日 {due}" in posted
    sale = await the_sale(harness.db)
    assert (sale.paid_now, sale.payment_method, sale.total) == (D(50), "wechat", D(176))
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert account.balance == D(126)


async def test_paid_now_with_wechat_is_one_tap_and_nothing_is_owed(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await to_summary(me, "[王老板]", ("A001", "1", "88"))

    posted = joined(await me.press("✅ WeChat"))

    assert "Paid in full (WeChat)." in posted and "Gross profit: 38.00" in posted
    sale = await the_sale(harness.db)
    assert (sale.paid_now, sale.payment_method, sale.due_date) == (D(88), "wechat", None)
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert account.balance == 0


async def test_a_walk_in_customer_can_only_pay_now(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)

    await to_summary(me, "[Walk-in]", ("A001", "1", "88"))

    buttons = me.buttons()
    assert buttons[:4] == ["✅ Confirm · Cash", "✅ WeChat", "✅ Alipay", "✅ Bank transfer"]
    assert not [b for b in buttons if "credit" in b or "Part paid" in b or "Due date" in b]
    posted = joined(await me.press("Confirm"))
    assert "Paid in full (cash)." in posted


async def test_a_double_tap_on_the_last_step_posts_once(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await to_summary(me, "[王老板]", ("A001", "2", "88"))
    await me.press("Part paid")
    await me.send("100")
    message, data = me.find_button("Alipay")

    await me.press_data(data, message)
    second = await me.press_data(data, message)

    assert joined(second) == "This button is no longer active."
    sale = await the_sale(harness.db)
    assert (sale.paid_now, sale.payment_method) == (D(100), "alipay")


async def test_another_due_date_is_typed_as_days_or_a_date(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await to_summary(me, "[王老板]", ("A001", "1", "88"))
    in_40_days = (today(harness) + timedelta(days=40)).isoformat()

    assert "Due date now:" in joined(await me.press("Due date"))
    await me.send("40")
    assert f"📒 On credit · due {in_40_days}" in me.buttons()
    await me.press("Due date")
    await me.send("2099-01-31")
    posted = joined(await me.press("On credit"))

    assert "due 2099-01-31" in posted
    assert (await the_sale(harness.db)).due_date == date(2099, 1, 31)


# -- discounts and round-off -----------------------------------------------------------------


async def test_discounts_by_percent_and_amount_and_a_round_off_are_booked(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await to_summary(me, "[Walk-in]", ("A001", "1", "88.88"), ("B002", "3", "6.65"))

    assert "Discount on which line?" in joined(await me.press("Discount"))
    await me.press("1. A001")
    await me.send("12.5%")  # 11.11 off 88.88
    await me.press("Discount")
    await me.press("2. B002")
    summary = joined(await me.send("0.5"))  # 19.95 - 0.50
    assert "🏷 Discount 12.5%: −11.11 → 77.77" in summary
    assert "🏷 Discount: −0.50 → 19.45" in summary
    assert "<b>Total: 97.22</b>" in summary
    asked = joined(await me.press("Round off"))
    assert "Total before round-off: 97.22." in asked
    rounded = joined(await me.press("Round off 0.22"))
    assert "Round off: −0.22" in rounded and "<b>Total: 97.00</b>" in rounded

    posted = joined(await me.press("Confirm"))

    assert "Total: 97.00" in posted and "Round off: −0.22" in posted
    sale = await the_sale(harness.db)
    assert (sale.total, sale.round_off, sale.paid_now) == (D(97), D("0.22"), D(97))
    tea, cups = await lines_of(harness.db, sale.id)
    assert (tea.discount, tea.discount_pct, tea.amount) == (D("11.11"), D("12.5"), D("77.77"))
    assert (cups.discount, cups.discount_pct, cups.amount) == (D("0.50"), None, D("19.45"))


async def test_a_discount_is_taken_back_and_a_new_line_drops_the_round_off(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await to_summary(me, "[Walk-in]", ("A001", "1", "88.5"))
    await walk(me, "[Discount]", "5")
    await me.press("Discount")

    undone = joined(await me.press("No discount"))
    assert "Discount:" not in undone and "<b>Total: 88.50</b>" in undone
    await walk(me, "[Round off]", "[Round off 0.50]")
    summary = joined(await walk(me, "[Add another]", "B002", "1", "2", "[Done]"))

    assert "Round off" not in summary and "<b>Total: 90.50</b>" in summary
    await me.press("Confirm")
    sale = await the_sale(harness.db)
    assert (sale.total, sale.round_off) == (D("90.50"), D(0))


async def test_a_round_off_over_the_owners_limit_is_refused_and_asked_again(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await to_summary(me, "[Walk-in]", ("A001", "1", "88.54"))
    await me.press("Round off")
    assert "Round off 0.54" in me.buttons()  # within the default limit of 1.00

    refused = joined(await me.send("3.54"))

    assert refused == ("The round-off may be at most 1.00 CNY; the owner sets this in /settings.")
    assert "<b>Total: 87.54</b>" in joined(await me.send("1"))
    await me.press("Confirm")
    assert (await the_sale(harness.db)).round_off == D(1)


async def test_a_whole_unit_beyond_the_limit_is_not_offered(
    harness: BotHarness, shop: Shop
) -> None:
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(round_off_limit=D("0.5"))
    )
    me = harness.person(1002)
    await to_summary(me, "[Walk-in]", ("A001", "1", "88.54"))

    asked = joined(await me.press("Round off"))

    assert "How much to round off?" in asked
    assert not [b for b in me.buttons() if b.startswith("Round off")]


# -- prices, currencies ----------------------------------------------------------------------


async def test_the_customers_last_price_is_offered_beside_the_sale_price(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await to_summary(me, "[王老板]", ("A001", "1", "80"))
    await me.press("Confirm")

    await walk(me, "/sale", "[王老板]", "[主仓库]", "A001")
    asked = joined(await me.send("2"))

    assert "Unit price of A001 西湖龙井? Type it, or tap the button." in asked
    assert me.buttons()[:2] == ["Sale price 88.00", "Last time: 80.00"]
    added = joined(await me.press("Last time"))
    assert "A001 西湖龙井 × 2 @ 80.00 = 160.00" in added
    await walk(me, "/cancel", "/sale", "[Walk-in]", "[主仓库]", "A001")
    await me.send("1")
    assert me.buttons()[:1] == ["Sale price 88.00"]  # a walk-in has no last time


async def test_a_usd_customer_is_asked_the_rate_and_sees_dollars(
    harness: BotHarness, shop: Shop
) -> None:
    await set_customer(shop, currency="USD")
    me = harness.person(1000)
    await me.send("/sale")

    asked = joined(await me.press("王老板"))
    assert "王老板 deals in USD. How many CNY is 1 USD? Type the exchange rate." in asked
    assert joined(await me.send("0")) == "An exchange rate must be above 0."
    assert "may have at most 6" in joined(await me.send("7.1234567"))
    await me.send("7.1")
    await me.press("主仓库")
    await me.send("A001")
    await me.send("10")
    assert me.buttons()[:1] == ["✖ Cancel"]  # the CNY sale price is no dollar price
    summary = joined(await walk(me, "12.5", "[Done]"))
    assert "Currency: USD · 1 USD = 7.1 CNY" in summary
    assert "<b>Total: 125.00 USD</b>" in summary

    posted = joined(await me.press("On credit"))

    assert "Total: 125.00 USD" in posted and "Owed 125.00 USD" in posted
    assert "Gross profit: 387.50" in posted  # 125 × 7.1 = 887.50 less 10 × 50.00
    sale = await the_sale(harness.db)
    assert (sale.currency, sale.rate, sale.total) == ("USD", D("7.1"), D(125))

    await walk(me, "/sale", "[王老板]")
    assert "Last rate 7.1" in me.buttons()
    assert "Ship from which warehouse?" in joined(await me.press("Last rate"))


# -- credit limits ---------------------------------------------------------------------------


async def test_a_clerk_over_the_credit_limit_is_refused_then_paid_now_posts(
    harness: BotHarness, shop: Shop
) -> None:
    await set_customer(shop, credit_limit=D(100))
    me = harness.person(1002)
    await to_summary(me, "[王老板]", ("A001", "2", "88"))

    refused = joined(await me.press("On credit"))

    assert "王老板 would owe 176.00 CNY, over the credit limit of 100.00." in refused
    assert "Ask a manager to post this sale, or take more payment now." in refused
    assert "Nothing was saved." in refused
    assert "Confirm over the limit" not in joined(me.buttons())
    assert await documents(harness.db, "XS") == []
    posted = joined(await me.press("✅ WeChat"))  # the summary came again: paid now
    assert "Paid in full (WeChat)." in posted


async def test_a_manager_confirms_a_sale_over_the_credit_limit(
    harness: BotHarness, shop: Shop
) -> None:
    await set_customer(shop, credit_limit=D(100))
    me = harness.person(1001)
    await to_summary(me, "[王老板]", ("A001", "2", "88"))
    await me.press("Part paid")
    await me.send("50")

    warned = joined(await me.press("Cash"))

    assert "王老板 would owe 126.00 CNY, over the credit limit of 100.00.\nPost it anyway?" in (
        warned
    )
    assert await documents(harness.db, "XS") == []
    posted = joined(await me.press("Confirm over the limit"))
    assert "Paid 50.00 (cash) · Owed 126.00" in posted
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert account.balance == D(126)


# -- bad input is asked again ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "typed", "reason"),
    [
        ("Discount", "abc", "“abc” is not a number."),
        ("Discount", "100", "The discount is more than the line is worth."),
        ("Discount", "120%", "A percent must be above 0 and at most 100."),
        ("Discount", "0.5%%", "“0.5%” is not a number."),
        ("Discount", "1.234", "CNY amounts have at most 2 decimal places."),
        ("Discount", "-5", "An amount cannot be negative."),
        ("Round off", "0.005", "CNY amounts have at most 2 decimal places."),
        ("Round off", "abc", "“abc” is not a number."),
        ("Part paid", "abc", "“abc” is not a number."),
        ("Part paid", "88.01", "That is more than the total."),
        ("Part paid", "1.001", "CNY amounts have at most 2 decimal places."),
        ("Part paid", "0", "Type an amount above 0, or go back and tap 📒 On credit."),
        ("Due date", "2020-01-01", "The due date cannot be before today."),
        (
            "Due date",
            "next week",
            "That is not a date: type it as YYYY-MM-DD, or a number of days.",
        ),
        (
            "Due date",
            "2026-02-30",
            "That is not a date: type it as YYYY-MM-DD, or a number of days.",
        ),
    ],
)
async def test_bad_money_input_is_asked_again_and_nothing_is_posted(
    harness: BotHarness, shop: Shop, button: str, typed: str, reason: str
) -> None:
    me = harness.person(1002)
    await to_summary(me, "[王老板]", ("A001", "1", "88"))
    await me.press(button)

    assert joined(await me.send(typed)) == reason

    assert await documents(harness.db, "XS") == []
    assert "<b>Total: 88.00</b>" in joined(await me.press("Back"))  # the summary, unchanged


async def test_a_discount_said_the_chinese_way(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002, language="zh-hans")
    await walk(me, "/sale", "[王老板]", "[主仓库]", "A001", "2", "[售价 88.00]", "[完成]")
    await me.press("折扣")
    summary = joined(await me.send("9折"))  # pays 90 %: 10 % off
    assert "🏷 折扣 10%：−17.60 → 158.40" in summary
    await me.press("折扣")
    assert "−13.20 → 162.80" in joined(await me.send("92.5折"))  # 7.5 % off
    await me.press("折扣")
    assert "不是数字" in joined(await me.send("x折"))
