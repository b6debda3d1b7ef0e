"""Random interleavings of sales orders, shipments, plain sales, voids and cancels.

Whatever the order of events, with negative stock off: available (on hand − reserved) never
goes below zero, a plain sale never takes held stock, and the check proves that every
balance's reserved equals what the open sales orders still have to ship. Both engines; each
example is a fresh shop in one migrated database.
"""

import contextlib
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import strategies as st

from core.db.engine import Database
from core.errors import BeyondOrder, InsufficientStock, InvalidState, OrderNotOpen
from core.inventory.check import check_ledger
from core.inventory.stock import stock_card
from core.inventory.voids import VoidDocument, void_document
from core.orders.order_rows import FillLine, OrderLineInput
from core.orders.order_states import CancelOrder, cancel_order
from core.orders.sales_orders import CreateSalesOrder, ShipOrder, create_sales_order, ship_order
from tests.support.properties import run_examples
from tests.support.shop import Shop, open_shop, rid

D = Decimal
REFUSED = (BeyondOrder, InsufficientStock, InvalidState, OrderNotOpen)
_owners = itertools.count(50_000)

Op = tuple[str, int, int]
OPS = st.lists(
    st.tuples(
        st.sampled_from(["order", "ship", "cancel", "sell", "void", "receive"]),
        st.integers(0, 3),  # which order (or shipment)
        st.integers(1, 6),  # how many
    ),
    min_size=1,
    max_size=14,
)


async def play(db: Database, ops: list[Op]) -> None:
    shop = await open_shop(db, owner_id=next(_owners))
    await shop.receive(shop.tea, "8", "5")
    orders: list[int] = []
    shipments: list[int] = []
    for action, which, qty in ops:
        with contextlib.suppress(*REFUSED):  # refused as a shop would be: nothing written
            await step(shop, action, which, D(qty), orders, shipments)
        card = await stock_card(shop.uow(), shop.viewer, product_id=shop.tea.product_id)
        assert card.reserved >= 0
        assert card.available >= 0, (action, which, qty, card)
    report = await check_ledger(db)
    assert report.ok, [str(d) for d in report.differences[:3]]


async def step(
    shop: Shop, action: str, which: int, qty: Decimal, orders: list[int], shipments: list[int]
) -> None:
    if action == "order":
        order = await create_sales_order(
            shop.uow(),
            shop.clerk,
            CreateSalesOrder(
                request_id=rid("so"),
                lines=(OrderLineInput(product_id=shop.tea.product_id, qty=qty, unit_price=D(9)),),
            ),
        )
        orders.append(order.order_id)
    elif action == "ship" and orders:
        posted = await ship_order(
            shop.uow(),
            shop.clerk,
            ShipOrder(
                request_id=rid("xs"),
                order_id=orders[which % len(orders)],
                lines=(FillLine(line_no=1, qty=qty),),
                allow_over=which % 2 == 1,
            ),
        )
        shipments.append(posted.document_id)
    elif action == "cancel" and orders:
        order_id = orders[which % len(orders)]
        await cancel_order(shop.uow(), shop.manager, CancelOrder(order_id=order_id))
    elif action == "sell":
        shipments.append((await shop.sell(shop.tea, str(qty))).document_id)
    elif action == "void" and shipments:
        document_id = shipments[which % len(shipments)]
        cmd = VoidDocument(request_id=rid("void"), document_id=document_id, reason="test")
        await void_document(shop.uow(), shop.manager, cmd)
    elif action == "receive":
        await shop.receive(shop.tea, str(qty), "5")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_random_orders_never_let_held_stock_be_sold(engine: str, tmp_path: Path) -> None:
    run_examples(engine, tmp_path, OPS, play)
