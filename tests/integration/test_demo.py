from sqlalchemy import func, select

from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.demo import CATALOG, create_demo
from core.finance.accounts import aging
from core.finance.models import PartyKind, Payment
from core.inventory.check import check_ledger
from core.inventory.models import Document
from core.inventory.stock import stock_card
from core.orders.models import OrderKind
from core.orders.order_states import list_orders
from core.tenancy.access import Actor


async def test_the_demo_builds_a_shop_with_history_and_a_clean_ledger(db: Database) -> None:
    summary = await create_demo(db, owner_id=1)
    assert summary.products == len(CATALOG) >= 50
    assert summary.warehouses == 3
    assert summary.documents >= 40
    owner = Actor(user_id=1)
    card = await stock_card(UnitOfWork(db), owner, sku="A001")
    assert card.name.startswith("西湖龙井")
    assert (await check_ledger(db)).ok


async def test_running_the_demo_twice_changes_nothing(db: Database) -> None:
    first = await create_demo(db, owner_id=1)
    async with db.reads() as session:
        before = await session.scalar(select(func.count()).select_from(Document))
    second = await create_demo(db, owner_id=1)
    async with db.reads() as session:
        after = await session.scalar(select(func.count()).select_from(Document))
    assert (second.business_id, after) == (first.business_id, before)


async def test_the_demo_has_open_orders_one_part_received_and_one_holding_stock(
    db: Database,
) -> None:
    summary = await create_demo(db, owner_id=1)
    owner = Actor(user_id=1, business_id=summary.business_id)
    purchases = await list_orders(UnitOfWork(db), owner, OrderKind.PURCHASE)
    sales = await list_orders(UnitOfWork(db), owner, OrderKind.SALES)
    assert summary.orders == 3
    assert sorted(o.status for o in purchases) == ["open", "partial"]
    assert [o.status for o in sales] == ["open"]
    assert (await check_ledger(db)).ok  # reserved = the sales order's lines


async def test_the_demo_has_credit_sales_payments_and_an_overdue_customer(db: Database) -> None:
    summary = await create_demo(db, owner_id=1)
    owner = Actor(user_id=1, business_id=summary.business_id)
    receivables = await aging(UnitOfWork(db), owner, PartyKind.CUSTOMER)
    by_name = {line.party_name: line for line in receivables.lines}
    late = by_name["李记茶馆"]
    assert late.buckets[1] >= 2 * 384  # two sales, 14 and 5 days late
    payables = await aging(UnitOfWork(db), owner, PartyKind.SUPPLIER)
    assert payables.total > 0
    async with db.reads() as session:
        payments = await session.scalar(select(func.count()).select_from(Payment))
    assert payments and payments >= 3
    assert (await check_ledger(db)).ok
