"""Reports against hand-computed small cases, on SQLite and PostgreSQL.

The shop (CNY, Asia/Shanghai): tea received 10 @ 5.00 and 10 @ 6.00 (20 for 110.00, avg 5.50).
Day -2: 王老板 buys 4 @ 9.00 less 10 % (36.00 − 3.60 = 32.40) rounded off 0.40 → 32.00; COGS
4 × 5.50 = 22.00. Day -1: he returns 1 (8.10 less 0.10 of the round-off = 8.00; 5.50 back),
and a sale of 2 is posted and voided (left out). Today: Acme buys 3 @ USD 2.00 at 7.1 → 42.60;
COGS round(3 × 93.50 / 17) = 16.50. Revenue 32.00 − 8.00 + 42.60 = 66.60, COGS 22.00 − 5.50 +
16.50 = 33.00, gross profit 33.60, margin 33.60 / 66.60 = 0.5045.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from core.catalog.parties import CreateCustomer, create_customer
from core.catalog.warehouses import CreateWarehouse, create_warehouse
from core.db.engine import Database
from core.errors import InvalidInput, PermissionDenied
from core.finance.models import PartyKind
from core.inventory.documents import local_today
from core.inventory.models import Document, ProductCost, StockMove
from core.inventory.voids import VoidDocument, void_document
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.returns import PostReturn, ReturnLine, post_purchase_return, post_sales_return
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.reports import (
    abc,
    aging,
    purchases,
    sales,
    slow_movers,
    stock_history,
    stock_on_hand,
    to_table,
    turnover,
)
from core.reports._common import allocate
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role
from tests.support.money import credit_sale
from tests.support.shop import Shop, open_shop, rid

D = Decimal


@dataclass
class Story:
    shop: Shop
    today: date
    acme: int
    sale: int
    back: int
    voided: int
    usd: int


async def today_of(shop: Shop) -> date:
    async with shop.uow().reading() as session:
        return local_today(await require_member(session, shop.manager, Role.MANAGER, "t"))


async def tell(db: Database) -> Story:
    shop = await open_shop(db)
    today = await today_of(shop)
    await shop.receive(shop.tea, "10", "5.00")
    await shop.receive(shop.tea, "10", "6.00")
    acme = await create_customer(
        shop.uow(), shop.owner, CreateCustomer(request_id=rid(), name="Acme", currency="USD")
    )
    sale = await post_shipment(
        shop.uow(),
        shop.manager,
        PostShipment(
            request_id=rid("xs"),
            warehouse_id=shop.main,
            customer_id=shop.customer_id,
            lines=(
                ShipmentLine(
                    product_id=shop.tea.product_id,
                    qty=D(4),
                    unit_price=D("9.00"),
                    discount_pct=D(10),
                ),
            ),
            round_off=D("0.40"),
            doc_date=today - timedelta(days=2),
        ),
    )
    assert sale.total == D("32.00")
    back = await post_sales_return(
        shop.uow(),
        shop.manager,
        PostReturn(
            request_id=rid("th"),
            document_id=sale.document_id,
            lines=(ReturnLine(line_no=1, qty=D(1)),),
            doc_date=today - timedelta(days=1),
        ),
    )
    assert back.total == D("8.00")
    voided = await credit_sale(shop, "2", "9.00", doc_date=today - timedelta(days=1))
    await void_document(
        shop.uow(),
        shop.manager,
        VoidDocument(request_id=rid("v"), document_id=voided.document_id, reason="typo"),
    )
    usd = await credit_sale(shop, "3", "2.00", customer=acme.party_id, rate="7.1")
    assert usd.total == D("6.00")
    return Story(
        shop,
        today,
        acme.party_id,
        sale.document_id,
        back.document_id,
        voided.document_id,
        usd.document_id,
    )


async def test_sales_by_day_count_revenue_cogs_profit_and_margin_to_the_cent(db: Database) -> None:
    story = await tell(db)
    shop, today = story.shop, story.today
    report = await sales(shop.uow(), shop.manager, today - timedelta(days=7), today, by="day")

    assert [(r.key, r.sales, r.returns, r.qty, r.revenue, r.cogs) for r in report.rows] == [
        (today - timedelta(days=2), 1, 0, D(4), D("32.00"), D("22.00")),
        (today - timedelta(days=1), 0, 1, D(-1), D("-8.00"), D("-5.50")),
        (today, 1, 0, D(3), D("42.60"), D("16.50")),
    ]
    t = report.totals
    assert (t.sales, t.returns, t.qty) == (2, 1, D(6))
    assert (t.revenue, t.cogs, t.gross_profit, t.margin) == (
        D("66.60"),
        D("33.00"),
        D("33.60"),
        D("0.5045"),
    )
    assert report.rows[0].margin == D("0.3125")  # 10.00 / 32.00


async def test_sales_by_customer_and_by_product_add_up_to_the_same_totals(db: Database) -> None:
    story = await tell(db)
    shop, today = story.shop, story.today
    start = today - timedelta(days=7)
    by_customer = await sales(shop.uow(), shop.owner, start, today, by="customer")
    assert [
        (r.label, r.sales, r.returns, r.revenue, r.cogs, r.gross_profit) for r in by_customer.rows
    ] == [
        ("Acme", 1, 0, D("42.60"), D("16.50"), D("26.10")),
        ("王老板", 1, 1, D("24.00"), D("16.50"), D("7.50")),
    ]
    by_product = await sales(shop.uow(), shop.owner, start, today, by="product")
    assert [
        (r.sku, r.label, r.sales, r.returns, r.qty, r.revenue, r.cogs) for r in by_product.rows
    ] == [("A001", "西湖龙井", 2, 1, D(6), D("66.60"), D("33.00"))]
    assert by_customer.totals == by_product.totals


async def test_a_round_off_is_shared_over_lines_by_largest_remainder(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "5", "4.00")
    await shop.receive(shop.cup, "5", "3.00")
    cmd = PostShipment(
        request_id=rid("xs"),
        warehouse_id=shop.main,
        lines=(
            ShipmentLine(product_id=shop.tea.product_id, qty=D(1), unit_price=D("10.00")),
            ShipmentLine(product_id=shop.cup.product_id, qty=D(1), unit_price=D("5.01")),
        ),
        round_off=D("0.01"),
    )
    posted = await post_shipment(shop.uow(), shop.manager, cmd)
    assert posted.total == D("15.00")
    today = await today_of(shop)

    report = await sales(shop.uow(), shop.manager, today, today, by="product")

    # 15.00 × 10.00 / 15.01 = 9.9933…, 15.00 × 5.01 / 15.01 = 5.0067…: cup has the bigger rest
    assert {r.sku: (r.revenue, r.cogs) for r in report.rows} == {
        "A001": (D("9.99"), D("4.00")),
        "B002": (D("5.01"), D("3.00")),
    }
    assert report.totals.revenue == D("15.00")


async def test_clerks_see_sales_without_cost_and_viewers_are_refused(db: Database) -> None:
    story = await tell(db)
    shop, today = story.shop, story.today
    report = await sales(shop.uow(), shop.clerk, today - timedelta(days=7), today, by="product")
    assert report.sees_costs is False
    assert report.totals.revenue == D("66.60")
    assert {(r.cogs, r.gross_profit, r.margin) for r in (*report.rows, report.totals)} == {
        (None, None, None)
    }
    in_group = Actor(user_id=shop.owner.user_id, business_id=shop.business_id, in_public=True)
    public = await sales(shop.uow(), in_group, today, today)
    assert public.totals.cogs is None
    columns = {c.key for c in to_table(report).columns}
    assert "revenue" in columns
    assert not columns & {"cogs", "gross_profit", "margin"}
    for refused in (
        sales(shop.uow(), shop.viewer, today, today),
        purchases(shop.uow(), shop.viewer, today, today),
        abc(shop.uow(), shop.viewer, today, today),
        turnover(shop.uow(), shop.viewer, today, today),
    ):
        with pytest.raises(PermissionDenied):
            await refused
    with pytest.raises(PermissionDenied):
        await aging(shop.uow(), shop.clerk, PartyKind.CUSTOMER)


async def test_a_period_ending_before_it_starts_is_refused(db: Database) -> None:
    shop = await open_shop(db)
    with pytest.raises(InvalidInput):
        await sales(shop.uow(), shop.manager, date(2026, 3, 2), date(2026, 3, 1))


async def test_stock_values_of_three_warehouses_sum_to_the_ledger_to_the_cent(
    db: Database,
) -> None:
    shop = await open_shop(db)
    third = await create_warehouse(
        shop.uow(), shop.owner, CreateWarehouse(request_id=rid(), name="三号仓")
    )
    for warehouse, price in (
        (shop.main, "10.00"),
        (shop.second, "10.00"),
        (third.warehouse_id, "10.01"),
    ):
        await shop.receive(shop.tea, "1", price, warehouse=warehouse)
    await shop.receive(shop.cup, "7", "1.00", warehouse=shop.second)
    await shop.sell(shop.cup, "3", warehouse=shop.second)  # 4 left, 4.00

    report = await stock_on_hand(shop.uow(), shop.manager)

    tea = {r.warehouse_id: r.value for r in report.rows if r.sku == "A001"}
    # 30.01 / 3 = 10.0033…: each gets 10.00, the cent left goes to the lowest warehouse id
    assert tea == {shop.main: D("10.01"), shop.second: D("10.00"), third.warehouse_id: D("10.00")}
    assert report.total_value == D("34.01")
    async with db.reads() as session:
        ledger = sum((await session.scalars(select(ProductCost.value))).all(), D(0))
    assert report.total_value == ledger
    assert [r.sku for r in report.rows] == ["A001", "A001", "A001", "B002"]
    assert report.products == 2
    assert [(w.warehouse_id, w.products, w.value) for w in report.warehouses] == sorted(
        [
            (shop.main, 1, D("10.01")),
            (shop.second, 2, D("14.00")),
            (third.warehouse_id, 1, D("10.00")),
        ],
        key=lambda w: next(x.warehouse for x in report.warehouses if x.warehouse_id == w[0]),
    )
    assert sum((w.value or D(0) for w in report.warehouses), D(0)) == D("34.01")
    assert next(r for r in report.rows if r.sku == "B002").avg_cost == D("1.0000")

    only_third = await stock_on_hand(shop.uow(), shop.manager, third.warehouse_id)
    assert [(r.sku, r.on_hand, r.value) for r in only_third.rows] == [("A001", D(1), D("10.00"))]

    for actor in (shop.clerk, shop.viewer):
        hidden = await stock_on_hand(shop.uow(), actor)
        assert hidden.total_value is None
        assert {(r.value, r.avg_cost) for r in hidden.rows} == {(None, None)}
        assert len(hidden.rows) == 4


async def test_stock_history_lists_every_move_with_running_balances(db: Database) -> None:
    story = await tell(db)
    shop, today = story.shop, story.today
    await shop.receive(shop.tea, "5", "6.00", warehouse=shop.second)

    history = await stock_history(
        shop.uow(), shop.viewer, shop.tea.product_id, today - timedelta(days=1), today
    )

    assert history.opening_total == D(0)
    moves = [
        (r.doc_type, r.is_void, r.qty_in, r.qty_out, r.balance, r.total_balance)
        for r in history.rows
    ]
    assert moves == [
        ("CG", False, D(10), D(0), D(10), D(10)),
        ("CG", False, D(10), D(0), D(20), D(20)),
        ("XS", False, D(0), D(4), D(16), D(16)),
        ("XSTH", False, D(1), D(0), D(17), D(17)),
        ("XS", False, D(0), D(2), D(15), D(15)),
        ("XS", True, D(2), D(0), D(17), D(17)),
        ("XS", False, D(0), D(3), D(14), D(14)),
        ("CG", False, D(5), D(0), D(5), D(19)),
    ]
    assert {r.value for r in history.rows} == {None}  # a viewer sees no values
    assert history.closing == {shop.main: D(14), shop.second: D(5)}
    assert (history.qty_in, history.qty_out, history.closing_total) == (D(28), D(9), D(19))
    assert history.rows[2].number.startswith("XS-") and history.rows[2].author
    valued = await stock_history(shop.uow(), shop.owner, shop.tea.product_id, today, today)
    assert [r.value for r in valued.rows][:3] == [D("50.00"), D("60.00"), D("-22.00")]


async def test_periods_start_and_end_at_local_midnight_in_shanghai(db: Database) -> None:
    shop = await open_shop(db)
    late = await shop.receive(shop.tea, "3", "2.00")
    early = await shop.receive(shop.tea, "4", "2.00")
    # 2026-02-28 23:59 and 2026-03-01 00:00 in Shanghai are 15:59 and 16:00 UTC
    async with shop.uow() as uow:
        for doc, instant in (
            (late, datetime(2026, 2, 28, 15, 59, tzinfo=UTC)),
            (early, datetime(2026, 2, 28, 16, 0, tzinfo=UTC)),
        ):
            await uow.session.execute(
                update(StockMove)
                .where(StockMove.document_id == doc.document_id)
                .values(created_at=instant)
            )
        await uow.commit()
    march = await stock_history(
        shop.uow(), shop.manager, shop.tea.product_id, date(2026, 3, 1), date(2026, 3, 31)
    )
    assert march.opening_total == D(3)
    assert [(r.day, r.qty_in) for r in march.rows] == [(date(2026, 3, 1), D(4))]
    february = await stock_history(
        shop.uow(), shop.manager, shop.tea.product_id, date(2026, 2, 1), date(2026, 2, 28)
    )
    assert [r.qty_in for r in february.rows] == [D(3)]

    sold = await credit_sale(shop, "2", "5.00", doc_date=date(2026, 2, 28))
    await credit_sale(shop, "1", "5.00", doc_date=date(2026, 3, 1))
    async with shop.uow() as uow:
        row = await uow.session.scalar(select(Document).where(Document.id == sold.document_id))
        assert row is not None and row.doc_date == date(2026, 2, 28)
    feb = await sales(shop.uow(), shop.manager, date(2026, 2, 1), date(2026, 2, 28))
    mar = await sales(shop.uow(), shop.manager, date(2026, 3, 1), date(2026, 3, 1))
    assert (feb.totals.revenue, mar.totals.revenue) == (D("10.00"), D("5.00"))


async def test_purchases_by_supplier_net_of_returns_in_the_base_currency(db: Database) -> None:
    shop = await open_shop(db)
    today = await today_of(shop)
    received = await post_receipt(
        shop.uow(),
        shop.manager,
        PostReceipt(
            request_id=rid("cg"),
            warehouse_id=shop.main,
            supplier_id=shop.supplier_id,
            lines=(ReceiptLine(product_id=shop.tea.product_id, qty=D(10), unit_price=D("3.33")),),
        ),
    )
    await post_purchase_return(
        shop.uow(),
        shop.manager,
        PostReturn(
            request_id=rid("cgth"),
            document_id=received.document_id,
            lines=(ReturnLine(line_no=1, qty=D(3)),),
        ),
    )
    await shop.receive(shop.cup, "2", "1.50")  # no supplier
    voided = await shop.receive(shop.cup, "9", "9.00")
    await void_document(
        shop.uow(),
        shop.manager,
        VoidDocument(request_id=rid("v"), document_id=voided.document_id, reason="t"),
    )

    report = await purchases(shop.uow(), shop.clerk, today, today)

    assert [
        (r.supplier, r.receipts, r.returns, r.qty, r.amount, r.returned) for r in report.rows
    ] == [
        ("杭州茶厂", 1, 1, D(7), D("23.31"), D("9.99")),
        ("", 1, 0, D(2), D("3.00"), D(0)),
    ]
    assert (report.totals.amount, report.totals.receipts) == (D("26.31"), 2)


async def test_slow_movers_abc_and_turnover(db: Database) -> None:
    story = await tell(db)
    shop, today = story.shop, story.today
    await shop.receive(shop.cup, "8", "2.50")  # never sold: dead stock worth 20.00

    slow = await slow_movers(shop.uow(), shop.manager, days=1)
    assert [(r.sku, r.on_hand, r.value, r.days_since_sale) for r in slow.rows] == [
        ("B002", D(8), D("20.00"), None)
    ]
    later = await slow_movers(shop.uow(), shop.viewer, days=3, as_of=today + timedelta(days=5))
    assert [(r.sku, r.value, r.days_since_sale, r.last_sale) for r in later.rows] == [
        ("B002", None, None, None),
        ("A001", None, 5, today),
    ]
    assert later.total_value is None

    await credit_sale(shop, "1", "100.00")  # tea: 66.60 + 100.00 = 166.60
    await shop.sell(shop.cup, "1", "10.00")  # cup: 10.00
    ranked = await abc(shop.uow(), shop.clerk, today - timedelta(days=7), today)
    assert [(r.sku, r.revenue, r.share, r.cumulative, r.abc) for r in ranked.rows] == [
        ("A001", D("166.60"), D("0.9434"), D("0.9434"), "A"),
        ("B002", D("10.00"), D("0.0566"), D("1.0000"), "B"),  # 94.34 % above it: < 95 %
    ]
    assert ranked.counts == {"A": 1, "B": 1, "C": 0}

    turns = await turnover(shop.uow(), shop.manager, today - timedelta(days=9), today)
    tea = next(r for r in turns.rows if r.sku == "A001")
    # opening 0 (everything was booked today), closing 13 × 5.50 = 71.50, COGS 33.00 + 5.50
    assert (tea.qty_sold, tea.on_hand, tea.cogs) == (D(7), D(13), D("38.50"))
    assert (tea.opening_value, tea.closing_value, tea.average_value) == (
        D(0),
        D("71.50"),
        D("35.75"),
    )
    assert tea.turnover == D("1.08")  # 38.50 / 35.75
    assert (tea.daily_sales, tea.days_of_cover) == (D("0.700"), D("18.6"))  # 13 / 0.7
    clerk = await turnover(shop.uow(), shop.clerk, today - timedelta(days=9), today)
    assert {(r.cogs, r.turnover, r.average_value) for r in clerk.rows} == {(None, None, None)}
    assert next(r for r in clerk.rows if r.sku == "A001").days_of_cover == D("18.6")


async def test_every_report_turns_into_a_table_with_totals(db: Database) -> None:
    story = await tell(db)
    shop, today = story.shop, story.today
    start = today - timedelta(days=7)
    reports = [
        await stock_on_hand(shop.uow(), shop.owner),
        await stock_history(shop.uow(), shop.owner, shop.tea.product_id, start, today),
        await sales(shop.uow(), shop.owner, start, today, by="day"),
        await sales(shop.uow(), shop.owner, start, today, by="product"),
        await sales(shop.uow(), shop.owner, start, today, by="customer"),
        await purchases(shop.uow(), shop.owner, start, today),
        await slow_movers(shop.uow(), shop.owner, days=1),
        await abc(shop.uow(), shop.owner, start, today),
        await turnover(shop.uow(), shop.owner, start, today),
        await aging(shop.uow(), shop.owner, PartyKind.CUSTOMER),
    ]
    for report in reports:
        table = to_table(report, headers={"sku": "编码"})
        assert table.rows or table.totals is not None
        for row in table.rows:
            assert len(row) == len(table.columns)
        if table.totals is not None:
            assert len(table.totals) == len(table.columns)
        if any(c.key == "sku" for c in table.columns):
            assert next(c for c in table.columns if c.key == "sku").header == "编码"


def test_allocation_is_largest_remainder_and_always_sums_to_the_total() -> None:
    assert allocate(D("0.05"), [D(1), D(1), D(1)], 2) == [D("0.02"), D("0.02"), D("0.01")]
    assert allocate(D("10.00"), [D(1), D(2)], 2) == [D("3.33"), D("6.67")]
    assert allocate(D("7.00"), [D(5), D(-3)], 2) == [D("17.50"), D("-10.50")]
    assert allocate(D("1.00"), [D(2), D(-2)], 2) == [D(0), D("1.00")]  # no weight: the last
    assert allocate(D(100), [D(1), D(1), D(1)], 0) == [D(34), D(33), D(33)]  # JPY
    for total, weights in ((D("99.99"), [D(3), D(7), D(11)]), (D("-5.01"), [D(1), D(1)])):
        assert sum(allocate(total, weights, 2), D(0)) == total
