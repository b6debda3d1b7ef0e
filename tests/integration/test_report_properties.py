"""Random receipts, sales (with discounts, round-offs, a USD customer), returns and voids.

Whatever happens, in a fresh shop per example on both engines: stock on hand per product and
warehouse is the balances', its value per product and in total is the ledger's
(ProductCost) to the cent; sales by day, product and customer have the same totals; revenue
is Σ round(total × rate) of the posted documents (returns negative); COGS is what the moves
booked; gross profit = revenue − COGS.
"""

import contextlib
import itertools
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import strategies as st
from sqlalchemy import select

from core.catalog.parties import CreateCustomer, create_customer
from core.catalog.warehouses import CreateWarehouse, create_warehouse
from core.db.engine import Database
from core.errors import BeyondReturn, InsufficientStock, InvalidInput, InvalidState
from core.inventory.documents import local_today
from core.inventory.models import (
    DocStatus,
    Document,
    MoveKind,
    ProductCost,
    StockBalance,
    StockMove,
)
from core.inventory.voids import VoidDocument, void_document
from core.numbers import mul_div, round_money
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.returns import PostReturn, ReturnLine, post_sales_return
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.reports import sales, stock_on_hand
from core.tenancy.access import require_member
from core.tenancy.models import Role
from tests.support.properties import run_examples
from tests.support.shop import Shop, open_shop, rid

D = Decimal
_owners = itertools.count(90_000)
REFUSED = (BeyondReturn, InsufficientStock, InvalidInput, InvalidState)  # refused: no trace

Op = tuple[str, int, int, int, int]  # action, which, qty, price cents, days ago
OPS = st.lists(
    st.tuples(
        st.sampled_from(["receive", "receive", "sell", "sell", "sell", "return", "void"]),
        st.integers(0, 5),
        st.integers(1, 9),
        st.integers(1, 2_000),
        st.integers(0, 4),
    ),
    min_size=1,
    max_size=14,
)


async def play(db: Database, ops: list[Op]) -> None:
    shop = await open_shop(db, owner_id=next(_owners))
    third = await create_warehouse(
        shop.uow(), shop.owner, CreateWarehouse(request_id=rid(), name="三号仓")
    )
    warehouses = [shop.main, shop.second, third.warehouse_id]
    usd = await create_customer(
        shop.uow(), shop.owner, CreateCustomer(request_id=rid(), name="Acme", currency="USD")
    )
    async with shop.uow().reading() as session:
        today = local_today(await require_member(session, shop.owner, Role.OWNER, "t"))
    products = [shop.tea.product_id, shop.cup.product_id]
    sales_done: list[int] = []
    documents: list[int] = []
    for action, which, qty, cents, days in ops:
        with contextlib.suppress(*REFUSED):
            await step(
                shop,
                action,
                which,
                qty,
                cents,
                today - timedelta(days=days),
                warehouses,
                products,
                usd.party_id,
                sales_done,
                documents,
            )
    await stock_matches_the_ledger(shop)
    await sales_add_up(shop, today - timedelta(days=4), today)


async def step(
    shop: Shop,
    action: str,
    which: int,
    qty: int,
    cents: int,
    day: date,
    warehouses: list[int],
    products: list[int],
    usd: int,
    sales_done: list[int],
    documents: list[int],
) -> None:
    product = products[which % 2]
    warehouse = warehouses[which % 3]
    price = D(cents).scaleb(-2)
    if action == "receive":
        posted = await post_receipt(
            shop.uow(),
            shop.manager,
            PostReceipt(
                request_id=rid("cg"),
                warehouse_id=warehouse,
                supplier_id=shop.supplier_id,
                lines=(
                    ReceiptLine(
                        product_id=product, qty=(D(qty) / 3).quantize(D("0.001")), unit_price=price
                    ),
                ),
            ),
        )
        documents.append(posted.document_id)
    elif action == "sell":
        foreign = which >= 4
        lines = tuple(
            ShipmentLine(
                product_id=p,
                qty=D(qty) / 4,  # quarters: at most 2 places
                unit_price=price + n,
                discount_pct=D(which * 3) if which % 2 else None,
            )
            for n, p in enumerate(products[: 1 + which % 2])
        )
        posted = await post_shipment(
            shop.uow(),
            shop.manager,
            PostShipment(
                request_id=rid("xs"),
                warehouse_id=warehouse,
                customer_id=usd if foreign else shop.customer_id,
                lines=lines,
                round_off=D(cents % 7).scaleb(-2),
                rate=D("7.1234") if foreign else None,
                doc_date=day,
            ),
        )
        sales_done.append(posted.document_id)
        documents.append(posted.document_id)
    elif action == "return" and sales_done:
        back = await post_sales_return(
            shop.uow(),
            shop.manager,
            PostReturn(
                request_id=rid("th"),
                document_id=sales_done[which % len(sales_done)],
                lines=(ReturnLine(line_no=1, qty=D(qty) / 8),),  # eighths: 3 places
            ),
        )
        documents.append(back.document_id)
    elif action == "void" and documents:
        await void_document(
            shop.uow(),
            shop.manager,
            VoidDocument(
                request_id=rid("v"), document_id=documents[-1 - which % len(documents)], reason="t"
            ),
        )


async def stock_matches_the_ledger(shop: Shop) -> None:
    report = await stock_on_hand(shop.uow(), shop.owner)
    async with shop.db.reads() as session:
        costs = {
            c.product_id: c
            for c in await session.scalars(
                select(ProductCost).where(ProductCost.business_id == shop.business_id)
            )
        }
        balances = {
            (b.product_id, b.warehouse_id): b.on_hand
            for b in await session.scalars(
                select(StockBalance).where(StockBalance.business_id == shop.business_id)
            )
            if b.on_hand
        }
    assert {(r.product_id, r.warehouse_id): r.on_hand for r in report.rows} == balances
    value: dict[int, Decimal] = defaultdict(Decimal)
    qty: dict[int, Decimal] = defaultdict(Decimal)
    for r in report.rows:
        assert r.value is not None
        value[r.product_id] += r.value
        qty[r.product_id] += r.on_hand
    for product_id, cost in costs.items():
        assert value.get(product_id, D(0)) == cost.value
        assert qty.get(product_id, D(0)) == cost.on_hand
    assert report.total_value == sum((c.value for c in costs.values()), D(0))


async def sales_add_up(shop: Shop, start: date, end: date) -> None:
    reports = [
        await sales(shop.uow(), shop.owner, start, end, by=by)
        for by in ("day", "product", "customer")
    ]
    totals = {r.totals for r in reports}
    assert len(totals) == 1
    total = reports[0].totals
    for report in reports:
        assert sum((r.revenue for r in report.rows), D(0)) == total.revenue
        assert sum((r.cogs or D(0) for r in report.rows), D(0)) == total.cogs
        for row in report.rows:
            assert row.gross_profit == row.revenue - (row.cogs or D(0))
    async with shop.db.reads() as session:
        docs = (
            await session.execute(
                select(Document.id, Document.doc_type, Document.total, Document.rate).where(
                    Document.business_id == shop.business_id,
                    Document.doc_type.in_(("XS", "XSTH")),
                    Document.status == DocStatus.POSTED.value,
                    Document.doc_date >= start,
                    Document.doc_date <= end,
                )
            )
        ).all()
        ids = [d.id for d in docs]
        moved = (
            await session.scalars(
                select(StockMove.value).where(
                    StockMove.document_id.in_(ids),
                    StockMove.kind == MoveKind.GOODS,
                    StockMove.reverses_id.is_(None),
                )
            )
        ).all()
    revenue = sum(
        (
            (-1 if d.doc_type == "XSTH" else 1)
            * (round_money(mul_div(d.total, d.rate), "CNY") if d.rate else d.total)
            for d in docs
        ),
        D(0),
    )
    assert total.revenue == revenue
    assert total.cogs == -sum(moved, D(0))
    assert total.gross_profit == total.revenue - total.cogs
    assert total.sales == sum(1 for d in docs if d.doc_type == "XS")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_reports_always_agree_with_the_ledger(engine: str, tmp_path: Path) -> None:
    run_examples(engine, tmp_path, OPS, play)
