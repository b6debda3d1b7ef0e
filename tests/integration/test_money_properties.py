"""Random sequences of credit sales, payments, returns and voids, in two currencies.

Whatever happens, in a fresh shop per example on both engines: the check proves every open
item = its amount − its allocations and no allocation exceeds its item; per party Σ open =
what documents left owed − payments; aging buckets sum to the balance; a statement's closing
is the next period's opening; and base-currency figures reconcile to the cent with the
realised exchange differences.
"""

import contextlib
import itertools
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.catalog.parties import CreateCustomer, create_customer
from core.db.engine import Database
from core.errors import BeyondReturn, InvalidState
from core.finance.accounts import aging, party_account, statement
from core.finance.models import Allocation, OpenItem, PartyKind, PaymentMethod
from core.finance.payments import Pick, PostPayment, VoidPayment, post_payment, void_payment
from core.inventory.check import check_ledger
from core.inventory.documents import local_today
from core.inventory.voids import VoidDocument, void_document
from core.orders.returns import PostReturn, ReturnLine, post_sales_return
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.access import require_member
from core.tenancy.models import Role
from tests.support.properties import run_examples
from tests.support.shop import Shop, open_shop, rid

D = Decimal
_owners = itertools.count(70_000)

Op = tuple[str, int, int, int]  # action, which customer / document, size, days ago
OPS = st.lists(
    st.tuples(
        st.sampled_from(["sell", "sell", "pay", "pay", "pick", "return", "void", "unpay"]),
        st.integers(0, 5),
        st.integers(1, 40),
        st.integers(0, 40),
    ),
    min_size=1,
    max_size=16,
)
RATES = (D("7.1"), D("7.25"), D("6.98"))


async def play(db: Database, ops: list[Op]) -> None:
    shop = await open_shop(db, owner_id=next(_owners))
    await shop.receive(shop.tea, "10000", "3")
    usd = await create_customer(
        shop.uow(), shop.owner, CreateCustomer(request_id=rid(), name="Acme", currency="USD")
    )
    customers = [(shop.customer_id, "CNY"), (usd.party_id, "USD")]
    sales: list[int] = []
    payments: list[int] = []
    returns: list[int] = []
    for action, which, size, days in ops:
        party_id, currency = customers[which % 2]
        rate = None if currency == "CNY" else RATES[size % 3]
        with contextlib.suppress(BeyondReturn, InvalidState):
            await step(shop, action, which, size, days, party_id, rate, sales, payments, returns)
    report = await check_ledger(db)
    assert report.ok, [str(d) for d in report.differences[:5]]
    for party_id, _ in customers:
        await holds_for(shop, party_id)


async def step(
    shop: Shop,
    action: str,
    which: int,
    size: int,
    days: int,
    party_id: int,
    rate: Decimal | None,
    sales: list[int],
    payments: list[int],
    returns: list[int],
) -> None:
    today = await _today(shop)
    if action == "sell":
        cmd = PostShipment(
            request_id=rid("xs"),
            customer_id=party_id,
            lines=(
                ShipmentLine(
                    product_id=shop.tea.product_id,
                    qty=D(size),
                    unit_price=D("3.33"),
                    discount_pct=D(which) if which else None,
                ),
            ),
            paid_now=D(0) if which % 3 else D(size),
            rate=rate,
            doc_date=today - timedelta(days=days),
        )
        sales.append((await post_shipment(shop.uow(), shop.manager, cmd)).document_id)
    elif action in ("pay", "pick"):
        picks: tuple[Pick, ...] = ()
        if action == "pick":
            account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, party_id)
            debits = [i for i in account.items if i.open > 0]
            if debits:
                item = debits[-1]
                picks = (Pick(item_id=item.item_id, amount=min(item.open, D(size))),)
        cmd = PostPayment(
            request_id=rid("sk"),
            kind=PartyKind.CUSTOMER,
            party_id=party_id,
            amount=D(size) + D("0.37"),
            method=PaymentMethod.BANK,
            rate=rate,
            doc_date=today - timedelta(days=days // 2),
            picks=picks,
        )
        payments.append((await post_payment(shop.uow(), shop.manager, cmd)).payment_id)
    elif action == "return" and sales:
        back = await post_sales_return(
            shop.uow(),
            shop.manager,
            PostReturn(
                request_id=rid("th"),
                document_id=sales[which % len(sales)],
                lines=(ReturnLine(line_no=1, qty=D(1 + size % 3)),),
            ),
        )
        returns.append(back.document_id)
    elif action == "void" and sales + returns:
        documents = returns + sales  # returns first: a returned sale is not voided
        cmd = VoidDocument(
            request_id=rid("void"), document_id=documents[which % len(documents)], reason="t"
        )
        await void_document(shop.uow(), shop.manager, cmd)
    elif action == "unpay" and payments:
        cmd_void = VoidPayment(
            request_id=rid("vp"), payment_id=payments[which % len(payments)], reason="t"
        )
        await void_payment(shop.uow(), shop.manager, cmd_void)


async def _today(shop: Shop) -> date:
    async with shop.uow().reading() as session:
        return local_today(await require_member(session, shop.manager, Role.MANAGER, "t"))


async def holds_for(shop: Shop, party_id: int) -> None:
    """Aging sums to the balance; statements chain; base figures reconcile."""
    account = await party_account(shop.uow(), shop.manager, PartyKind.CUSTOMER, party_id)
    report = await aging(shop.uow(), shop.manager, PartyKind.CUSTOMER)
    line = next((x for x in report.lines if x.party_id == party_id), None)
    base_open = sum((i.open_base for i in account.items), D(0))
    assert (line.total if line else D(0)) == base_open
    assert sum(report.totals, D(0)) == sum((x.total for x in report.lines), D(0))
    today = await _today(shop)
    cut = today - timedelta(days=15)
    first = await statement(
        shop.uow(), shop.manager, PartyKind.CUSTOMER, party_id, today - timedelta(days=90), cut
    )
    second = await statement(
        shop.uow(), shop.manager, PartyKind.CUSTOMER, party_id, cut + timedelta(days=1), today
    )
    assert first.closing == second.opening
    assert second.closing == account.balance
    async with shop.db.reads() as session:
        items = select(OpenItem.id).where(OpenItem.customer_id == party_id)
        booked = await session.scalar(
            select(func.coalesce(func.sum(OpenItem.base_amount), 0)).where(
                OpenItem.customer_id == party_id
            )
        )
        differences = await session.scalar(
            select(
                func.coalesce(func.sum(Allocation.credit_base - Allocation.debit_base), 0)
            ).where(Allocation.debit_id.in_(items))
        )
    assert D(booked) + D(differences) == base_open  # to the cent


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_random_money_events_always_reconcile(engine: str, tmp_path: Path) -> None:
    run_examples(engine, tmp_path, OPS, play)
