"""Parties in another currency: rates per document, minor units, realised differences."""

from decimal import Decimal

import pytest

from core.catalog.editing import ChangeParty, change_party
from core.catalog.parties import CreateCustomer, create_customer
from core.db.engine import Database
from core.errors import InvalidInput, InvalidState
from core.finance.accounts import aging, party_account
from core.finance.models import PartyKind
from core.finance.payments import PostPayment, plan_payment, post_payment
from core.inventory.check import check_ledger
from core.inventory.stock import stock_card
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from tests.support.money import collect, credit_receipt, credit_sale, set_customer
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def stocked(db: Database) -> Shop:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "100", "5")
    return shop


async def test_a_usd_customer_owes_dollars_valued_at_each_documents_rate(db: Database) -> None:
    shop = await stocked(db)
    await set_customer(shop, currency="usd")
    with pytest.raises(InvalidInput) as no_rate:
        await credit_sale(shop, "1", "10")
    assert no_rate.value.field == "rate"
    sale = await credit_sale(shop, "10", "10", rate="7.1")
    assert (sale.currency, sale.rate, sale.total) == ("USD", D("7.1"), D("100.00"))
    report = await aging(shop.uow(), shop.manager, PartyKind.CUSTOMER)
    assert report.total == D("710.00")  # in CNY at the sale's rate
    paid = await collect(shop, "100", rate="7.25")  # paid at a better rate: a gain of 15.00
    assert paid.exchange_difference == D("15.00")
    assert (await check_ledger(shop.db)).ok


async def test_rates_and_minor_units_are_checked(db: Database) -> None:
    shop = await stocked(db)
    await set_customer(shop, currency="JPY")
    with pytest.raises(InvalidInput) as finer:
        await credit_sale(shop, "1", "1000", rate="0.047", paid="100.5")
    assert finer.value.field == "paid_now"
    sale = await credit_sale(shop, "3", "333.3", rate="0.047")  # 999.9 → ¥1,000
    assert sale.total == D(1000)
    with pytest.raises(InvalidInput):  # yen have no cents
        await collect(shop, "0.5", rate="0.047")
    walk_in = PostShipment(
        request_id=rid(),
        lines=(ShipmentLine(product_id=shop.tea.product_id, qty=D(1), unit_price=D(1)),),
        rate=D(2),
    )
    with pytest.raises(InvalidInput):  # a walk-in pays in the base currency: its rate is 1
        await post_shipment(shop.uow(), shop.manager, walk_in)


async def test_an_unknown_currency_is_refused(db: Database) -> None:
    shop = await stocked(db)
    with pytest.raises(InvalidInput) as refused:
        await create_customer(
            shop.uow(), shop.manager, CreateCustomer(request_id=rid(), name="X", currency="RMB")
        )
    assert refused.value.field == "currency"


async def test_a_party_with_open_items_keeps_its_currency(db: Database) -> None:
    shop = await stocked(db)
    await credit_sale(shop, "1")
    with pytest.raises(InvalidState):
        await set_customer(shop, currency="USD")


async def test_a_receipt_in_dollars_is_valued_in_the_base_currency(db: Database) -> None:
    shop = await open_shop(db)

    await change_party(
        shop.uow(),
        shop.owner,
        ChangeParty(kind="supplier", party_id=shop.supplier_id, currency="USD"),
    )
    receipt = await credit_receipt(shop, "10", "3", rate="7.2")
    assert (receipt.total, receipt.cost) == (D("30.00"), D("216.00"))
    card = await stock_card(shop.uow(), shop.manager, product_id=shop.tea.product_id)
    assert card.value == D("216.00")
    account = await party_account(shop.uow(), shop.manager, PartyKind.SUPPLIER, shop.supplier_id)
    assert (account.currency, account.balance, account.last_rate) == ("USD", D("30.00"), D("7.2"))


async def test_the_preview_shows_the_same_exchange_difference_as_the_posting(
    db: Database,
) -> None:
    shop = await stocked(db)
    await set_customer(shop, currency="USD")
    await credit_sale(shop, "10", "10", rate="7.1")
    cmd = PostPayment(
        request_id=rid(),
        kind=PartyKind.CUSTOMER,
        party_id=shop.customer_id,
        amount=D(100),
        rate=D("7.25"),
    )
    plan = await plan_payment(shop.uow(), shop.manager, cmd)
    assert [a.exchange_difference for a in plan.allocations] == [D("15.00")]
    posted = await post_payment(shop.uow(), shop.manager, cmd)
    assert posted.exchange_difference == D("15.00")
