"""Money owed: credit sales and receipts, payments, returns, voids, limits, discounts."""

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from core.db.engine import Database
from core.errors import (
    CreditLimitExceeded,
    InvalidInput,
    InvalidState,
    ItemNotOpen,
    PermissionDenied,
    RoundOffBeyondLimit,
)
from core.finance.accounts import party_account
from core.finance.models import PartyKind
from core.finance.payments import PostPayment, VoidPayment, plan_payment, void_payment
from core.inventory.check import check_ledger
from core.inventory.voids import VoidDocument, void_document
from core.orders.returns import PostReturn, ReturnLine, post_purchase_return, post_sales_return
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.support.money import collect, credit_receipt, credit_sale, pay_supplier, set_customer
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def stocked(db: Database) -> Shop:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "100", "5")
    return shop


async def balance(shop: Shop, kind: PartyKind = PartyKind.CUSTOMER) -> Decimal:
    party = shop.customer_id if kind == PartyKind.CUSTOMER else shop.supplier_id
    return (await party_account(shop.uow(), shop.manager, kind, party)).balance


async def assert_checks(shop: Shop) -> None:
    report = await check_ledger(shop.db)
    assert report.ok, [str(d) for d in report.differences]


async def test_a_credit_sale_is_owed_from_its_date_plus_the_customers_terms(db: Database) -> None:
    shop = await stocked(db)
    sale = await credit_sale(shop, "3", "20", paid="15")
    assert (sale.total, sale.paid_now, sale.owed) == (D("60.00"), D("15.00"), D("45.00"))
    assert sale.due_date == sale.doc_date + timedelta(days=15)
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert account.balance == D("45.00")
    assert [(i.number, i.open, i.due_date) for i in account.items] == [
        (sale.number, D("45.00"), sale.due_date)
    ]
    await assert_checks(shop)


async def test_a_sale_paid_in_full_leaves_nothing_owed(db: Database) -> None:
    shop = await stocked(db)
    sale = await shop.sell(shop.tea, "2", "10")
    assert (sale.paid_now, sale.owed, sale.due_date) == (D("20.00"), D(0), None)
    assert await balance(shop) == 0


async def test_a_walk_in_customer_cannot_buy_on_credit(db: Database) -> None:
    shop = await stocked(db)
    cmd = PostShipment(
        request_id=rid(),
        lines=(ShipmentLine(product_id=shop.tea.product_id, qty=D(1), unit_price=D(10)),),
        paid_now=D(5),
    )
    with pytest.raises(InvalidInput) as refused:
        await post_shipment(shop.uow(), shop.clerk, cmd)
    assert refused.value.field == "paid_now"
    await assert_checks(shop)


@pytest.mark.parametrize(("paid", "field"), [("70", "paid_now"), ("1.234", "paid_now")])
async def test_paying_more_than_the_total_or_finer_than_a_cent_is_refused(
    db: Database, paid: str, field: str
) -> None:
    shop = await stocked(db)
    with pytest.raises(InvalidInput) as refused:
        await credit_sale(shop, "3", "20", paid=paid)
    assert refused.value.field == field
    assert await balance(shop) == 0


async def test_a_due_date_may_be_given_but_not_before_the_sale(db: Database) -> None:
    shop = await stocked(db)
    today = (await credit_sale(shop, "1")).doc_date
    sale = await credit_sale(shop, "1", due_date=today + timedelta(days=3))
    assert sale.due_date == today + timedelta(days=3)
    with pytest.raises(InvalidInput) as refused:
        await credit_sale(shop, "1", due_date=today - timedelta(days=1))
    assert refused.value.field == "due_date"


async def test_payments_settle_the_oldest_items_first_and_keep_what_is_over_as_credit(
    db: Database,
) -> None:
    shop = await stocked(db)
    first = await credit_sale(shop, "3", "10", doc_date=None)
    second = await credit_sale(shop, "5", "10")
    paid = await collect(shop, "40")
    assert [(a.number, a.amount) for a in paid.allocations] == [
        (first.number, D("30.00")),
        (second.number, D("10.00")),
    ]
    assert (paid.credit_left, paid.balance_after) == (D(0), D("40.00"))
    over = await collect(shop, "50")
    assert (over.credit_left, over.balance_after) == (D("10.00"), D("-10.00"))
    third = await credit_sale(shop, "2", "10")  # the credit pays for it at once
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert account.balance == D("10.00")
    assert [(i.number, i.open) for i in account.items] == [(third.number, D("10.00"))]
    await assert_checks(shop)


async def test_a_payment_may_pick_the_items_it_pays(db: Database) -> None:
    shop = await stocked(db)
    await credit_sale(shop, "3", "10")
    newer = await credit_sale(shop, "5", "10")
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    newer_item = next(i for i in account.items if i.number == newer.number)
    paid = await collect(shop, "50", picks=((newer_item.item_id, "50"),))
    assert [(a.number, a.amount) for a in paid.allocations] == [(newer.number, D("50.00"))]
    with pytest.raises(ItemNotOpen):  # settled now
        await collect(shop, "10", picks=((newer_item.item_id, "10"),))
    with pytest.raises(InvalidInput):  # more than the item has open
        await collect(shop, "100", picks=((account.items[0].item_id, "31"),))
    await assert_checks(shop)


async def test_the_preview_shows_what_posting_will_allocate(db: Database) -> None:
    shop = await stocked(db)
    sale = await credit_sale(shop, "3", "10")
    plan = await plan_payment(
        shop.uow(),
        shop.manager,
        PostPayment(
            request_id=rid(), kind=PartyKind.CUSTOMER, party_id=shop.customer_id, amount=D(45)
        ),
    )
    assert [(a.number, a.amount) for a in plan.allocations] == [(sale.number, D("30.00"))]
    assert (plan.credit_left, plan.balance_after) == (D("15.00"), D("-15.00"))
    assert await balance(shop) == D("30.00")  # nothing written


async def test_the_same_payment_request_twice_posts_once(db: Database) -> None:
    shop = await stocked(db)
    await credit_sale(shop, "3", "10")
    first = await collect(shop, "10", request_id="sk-1")
    again = await collect(shop, "10", request_id="sk-1")
    assert first.number == again.number
    assert await balance(shop) == D("20.00")


async def test_voiding_a_payment_reopens_what_it_paid(db: Database) -> None:
    shop = await stocked(db)
    sale = await credit_sale(shop, "3", "10")
    paid = await collect(shop, "50")
    voided = await void_payment(
        shop.uow(), shop.manager, VoidPayment(request_id=rid(), payment_id=paid.payment_id)
    )
    assert voided.status == "voided"
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, shop.customer_id)
    assert [(i.number, i.open) for i in account.items] == [(sale.number, D("30.00"))]
    with pytest.raises(InvalidState):
        await void_payment(
            shop.uow(), shop.manager, VoidPayment(request_id=rid(), payment_id=paid.payment_id)
        )
    await assert_checks(shop)


async def test_voiding_a_paid_credit_sale_leaves_the_money_as_credit(db: Database) -> None:
    shop = await stocked(db)
    sale = await credit_sale(shop, "3", "10")
    await collect(shop, "20")
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=sale.document_id)
    )
    assert await balance(shop) == D("-20.00")
    await credit_sale(shop, "1", "10")  # the credit takes it
    assert await balance(shop) == D("-10.00")
    await assert_checks(shop)


async def test_a_sales_return_of_a_credit_sale_reduces_what_is_owed(db: Database) -> None:
    shop = await stocked(db)
    sale = await credit_sale(shop, "4", "25")
    back = await post_sales_return(
        shop.uow(),
        shop.clerk,
        PostReturn(
            request_id=rid(),
            document_id=sale.document_id,
            lines=(ReturnLine(line_no=1, qty=D(1)),),
        ),
    )
    assert (back.total, back.paid_now) == (D("25.00"), D(0))
    assert await balance(shop) == D("75.00")
    await collect(shop, "75")
    second = await post_sales_return(  # beyond what is owed: a credit
        shop.uow(),
        shop.clerk,
        PostReturn(
            request_id=rid(),
            document_id=sale.document_id,
            lines=(ReturnLine(line_no=1, qty=D(3)),),
        ),
    )
    assert second.total == D("75.00")
    assert await balance(shop) == D("-75.00")
    await assert_checks(shop)


async def test_a_return_of_a_sale_paid_at_once_is_refunded_at_once(db: Database) -> None:
    shop = await stocked(db)
    sale = await shop.sell(shop.tea, "2", "10")
    back = await post_sales_return(
        shop.uow(),
        shop.clerk,
        PostReturn(
            request_id=rid(),
            document_id=sale.document_id,
            lines=(ReturnLine(line_no=1, qty=D(1)),),
        ),
    )
    assert (back.total, back.paid_now) == (D("10.00"), D("10.00"))
    assert await balance(shop) == 0


async def test_discounts_and_round_off_reduce_revenue_not_cost(db: Database) -> None:
    shop = await stocked(db)  # 100 at 5.00
    cmd = PostShipment(
        request_id=rid(),
        customer_id=shop.customer_id,
        lines=(
            ShipmentLine(
                product_id=shop.tea.product_id, qty=D(3), unit_price=D("33.35"), discount_pct=D(10)
            ),
            ShipmentLine(
                product_id=shop.tea.product_id, qty=D(1), unit_price=D(20), discount=D("2.5")
            ),
        ),
        round_off=D("0.55"),
        paid_now=D(0),
    )
    sale = await post_shipment(shop.uow(), shop.manager, cmd)
    # 3 × 33.35 = 100.05, less 10.01 (10 %) = 90.04; 20 less 2.50 = 17.50; less 0.55 round-off
    assert [(line.amount, line.discount) for line in sale.lines] == [
        (D("90.04"), D("10.01")),
        (D("17.50"), D("2.50")),
    ]
    assert (sale.round_off, sale.total) == (D("0.55"), D("106.99"))
    assert sale.cost == D("20.00")
    assert await balance(shop) == D("106.99")
    # a full return gives back every cent the customer owed for it
    back = await post_sales_return(
        shop.uow(),
        shop.manager,
        PostReturn(
            request_id=rid(),
            document_id=sale.document_id,
            lines=(ReturnLine(line_no=1, qty=D(1)), ReturnLine(line_no=2, qty=D(1))),
        ),
    )
    assert back.total == D("30.01") + D("17.50") - D("0.24")  # round(0.55 × 47.51 / 107.54)
    rest = await post_sales_return(
        shop.uow(),
        shop.manager,
        PostReturn(
            request_id=rid(),
            document_id=sale.document_id,
            lines=(ReturnLine(line_no=1, qty=D(2)),),
        ),
    )
    assert back.total + rest.total == D("106.99")
    assert await balance(shop) == 0
    await assert_checks(shop)


async def test_round_off_beyond_the_owners_limit_is_refused(db: Database) -> None:
    shop = await stocked(db)
    with pytest.raises(RoundOffBeyondLimit) as refused:
        await credit_sale(shop, "1", "10", round_off=D("1.01"))
    assert refused.value.limit == D(1)
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(round_off_limit=D(5))
    )
    sale = await credit_sale(shop, "1", "10", round_off=D("1.01"))
    assert sale.total == D("8.99")


@pytest.mark.parametrize("bad", [{"discount_pct": D(10), "discount": D(1)}, {"discount": D(11)}])
async def test_a_bad_discount_is_refused_and_nothing_is_written(db: Database, bad: dict) -> None:
    shop = await stocked(db)
    cmd = PostShipment(
        request_id=rid(),
        customer_id=shop.customer_id,
        lines=(ShipmentLine(product_id=shop.tea.product_id, qty=D(1), unit_price=D(10), **bad),),
    )
    with pytest.raises(InvalidInput):
        await post_shipment(shop.uow(), shop.manager, cmd)
    await assert_checks(shop)


async def test_the_credit_limit_stops_a_clerk_and_asks_a_manager_to_confirm(db: Database) -> None:
    shop = await stocked(db)
    await set_customer(shop, credit_limit=D(100))
    await credit_sale(shop, "8", "10", actor=shop.clerk)
    with pytest.raises(CreditLimitExceeded) as clerk:
        await credit_sale(shop, "3", "10", actor=shop.clerk)
    assert (clerk.value.balance, clerk.value.adding, clerk.value.needs_manager) == (
        D("80.00"),
        D("30.00"),
        True,
    )
    with pytest.raises(CreditLimitExceeded) as manager:
        await credit_sale(shop, "3", "10", actor=shop.manager)
    assert not manager.value.needs_manager
    with pytest.raises(CreditLimitExceeded):  # a clerk cannot confirm it
        await credit_sale(shop, "3", "10", actor=shop.clerk, credit_limit_ok=True)
    await credit_sale(shop, "3", "10", actor=shop.manager, credit_limit_ok=True)
    assert await balance(shop) == D("110.00")
    await credit_sale(shop, "3", "10", actor=shop.clerk, paid="30")  # paid now: no credit used


async def test_a_credit_purchase_is_payable_and_a_purchase_return_reduces_it(db: Database) -> None:
    shop = await open_shop(db)
    receipt = await credit_receipt(shop, "10", "6", paid="20")
    assert receipt.due_date == receipt.doc_date + timedelta(days=30)
    assert await balance(shop, PartyKind.SUPPLIER) == D("40.00")
    await post_purchase_return(
        shop.uow(),
        shop.manager,
        PostReturn(
            request_id=rid(),
            document_id=receipt.document_id,
            lines=(ReturnLine(line_no=1, qty=D(2)),),
        ),
    )
    assert await balance(shop, PartyKind.SUPPLIER) == D("28.00")
    paid = await pay_supplier(shop, "28")
    assert paid.number.startswith("FK-")
    assert await balance(shop, PartyKind.SUPPLIER) == 0
    await assert_checks(shop)


async def test_clerks_and_viewers_record_no_payments_and_see_no_accounts(db: Database) -> None:
    shop = await stocked(db)
    await credit_sale(shop, "1", actor=shop.clerk)  # a credit sale: yes
    for actor in (shop.clerk, shop.viewer):
        with pytest.raises(PermissionDenied):
            await collect(shop, "5", actor=actor)
        with pytest.raises(PermissionDenied):
            await party_account(shop.uow(), actor, PartyKind.CUSTOMER, shop.customer_id)
    with pytest.raises(PermissionDenied):
        await credit_sale(shop, "1", actor=shop.viewer)


async def test_another_business_cannot_pay_or_see_our_customer(db: Database) -> None:
    shop = await stocked(db)
    other = await open_shop(db, owner_id=5000, name="别家")
    await credit_sale(shop, "1")
    from core.errors import NotFound

    with pytest.raises(NotFound):
        await collect(other, "5", customer=shop.customer_id)
    with pytest.raises(NotFound):
        await party_account(other.uow(), other.manager, PartyKind.CUSTOMER, shop.customer_id)


async def test_payments_and_credit_sales_racing_for_one_customer_all_count(db: Database) -> None:
    """Each money posting locks the party: concurrent ones settle one after the other."""
    shop = await stocked(db)
    await credit_sale(shop, "10", "10")
    calls = [collect(shop, "7") for _ in range(6)] + [
        credit_sale(shop, "1", "5") for _ in range(4)
    ]
    await asyncio.gather(*calls)
    assert await balance(shop) == D("100.00") - 6 * D(7) + 4 * D(5)
    await assert_checks(shop)


async def test_the_same_payment_delivered_twice_at_once_posts_once(db: Database) -> None:
    shop = await stocked(db)
    await credit_sale(shop, "10", "10")
    first, second = await asyncio.gather(
        collect(shop, "30", request_id="same"), collect(shop, "30", request_id="same")
    )
    assert first.number == second.number
    assert await balance(shop) == D("70.00")
