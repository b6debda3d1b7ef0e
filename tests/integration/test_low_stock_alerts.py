"""Low-stock alerts: queued with the posting that crosses a reorder point, once per crossing."""

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from core.alerts.models import Outbox, UnreachableChat
from core.alerts.rules import QuietProduct, SetWarehousePoint, quiet_product, set_warehouse_point
from core.catalog.products import ChangeProduct, change_product
from core.db.base import utcnow
from core.db.engine import Database
from core.inventory.transfers import PostTransfer, TransferLine, post_transfer
from core.inventory.voids import VoidDocument, void_document
from core.tenancy.groups import BindGroup, bind_group
from tests.support.shop import Shop, open_shop, rid

D = Decimal


async def alerts(shop: Shop) -> list[tuple[int, int, int | None, str]]:
    """(chat, product, warehouse, on hand) of every low-stock row of the shop, in order."""
    async with shop.db.reads() as session:
        rows = await session.scalars(
            select(Outbox)
            .where(Outbox.business_id == shop.business_id, Outbox.kind == "low_stock")
            .order_by(Outbox.id)
        )
        found = []
        for row in rows:
            payload = json.loads(row.payload)
            found.append(
                (row.chat_id, payload["product_id"], payload["warehouse_id"], payload["on_hand"])
            )
        return found


async def with_point(db: Database, point: str = "10") -> Shop:
    shop = await open_shop(db)
    await change_product(
        shop.uow(),
        shop.owner,
        ChangeProduct(product_id=shop.tea.product_id, reorder_point=D(point)),
    )
    await shop.receive(shop.tea, "20", "5")
    return shop


async def test_crossing_down_alerts_owner_and_managers_once_and_rearms(db: Database) -> None:
    shop = await with_point(db)
    await shop.sell(shop.tea, "9")  # 11: still above
    assert await alerts(shop) == []
    await shop.sell(shop.tea, "2")  # 9: crossed
    owner, manager = shop.owner.user_id, shop.manager.user_id
    tea = shop.tea.product_id
    assert await alerts(shop) == [(owner, tea, None, "9.000"), (manager, tea, None, "9.000")]
    await shop.sell(shop.tea, "1")  # 8: still low, no repeat
    await shop.receive(shop.tea, "2", "5")  # 10: at the point, still low
    await shop.sell(shop.tea, "1")
    assert len(await alerts(shop)) == 2
    await shop.receive(shop.tea, "10", "5")  # 19: recovered
    await shop.sell(shop.tea, "10")  # 9: crossed again
    assert len(await alerts(shop)) == 4


async def test_landing_exactly_on_the_point_is_a_crossing(db: Database) -> None:
    shop = await with_point(db)
    await shop.sell(shop.tea, "10")
    assert [a[3] for a in await alerts(shop)] == ["10.000", "10.000"]


async def test_a_voided_receipt_can_cross_down_too(db: Database) -> None:
    shop = await with_point(db)
    receipt = await shop.receive(shop.tea, "5", "5")  # 25
    await shop.sell(shop.tea, "14")  # 11
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=receipt.document_id)
    )  # 6
    assert [a[3] for a in await alerts(shop)] == ["6.000", "6.000"]


async def test_muted_and_snoozed_products_stay_quiet(db: Database) -> None:
    shop = await with_point(db)
    await quiet_product(
        shop.uow(), shop.manager, QuietProduct(product_id=shop.tea.product_id, mute=True), utcnow()
    )
    await shop.sell(shop.tea, "11")
    assert await alerts(shop) == []
    await shop.receive(shop.tea, "11", "5")
    await quiet_product(
        shop.uow(),
        shop.manager,
        QuietProduct(product_id=shop.tea.product_id, snooze_days=7),
        utcnow(),
    )
    await quiet_product(
        shop.uow(),
        shop.manager,
        QuietProduct(product_id=shop.tea.product_id, mute=False),
        utcnow(),
    )
    await shop.sell(shop.tea, "11")
    assert await alerts(shop) == []  # snoozed
    await shop.receive(shop.tea, "11", "5")
    await quiet_product(  # a snooze that ended a day ago
        shop.uow(),
        shop.manager,
        QuietProduct(product_id=shop.tea.product_id, snooze_days=7),
        utcnow() - timedelta(days=8),
    )
    await shop.sell(shop.tea, "11")
    assert len(await alerts(shop)) == 2


async def test_a_warehouse_point_alerts_for_that_warehouse(db: Database) -> None:
    shop = await with_point(db, "1")
    await set_warehouse_point(
        shop.uow(),
        shop.manager,
        SetWarehousePoint(
            product_id=shop.tea.product_id, warehouse_id=shop.main, reorder_point=D(15)
        ),
    )
    await post_transfer(  # the business total stays 20; the main warehouse drops to 14
        shop.uow(),
        shop.clerk,
        PostTransfer(
            request_id=rid(),
            from_warehouse_id=shop.main,
            to_warehouse_id=shop.second,
            lines=(TransferLine(product_id=shop.tea.product_id, qty=D(6)),),
        ),
    )
    found = await alerts(shop)
    assert {(w, q) for _, _, w, q in found} == {(shop.main, "14.000")}


async def test_the_bound_group_gets_it_and_unreachable_chats_do_not(db: Database) -> None:
    shop = await with_point(db)
    await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=-100555))
    async with shop.uow() as uow:  # the manager blocked the bot
        uow.session.add(
            UnreachableChat(business_id=shop.business_id, chat_id=shop.manager.user_id)
        )
        await uow.commit()
    await shop.sell(shop.tea, "15")
    chats = [a[0] for a in await alerts(shop)]
    assert chats == [shop.owner.user_id, -100555]
    async with shop.db.reads() as session:
        group = await session.scalar(select(Outbox).where(Outbox.chat_id == -100555))
    assert group is not None and json.loads(group.payload)["public"] is True


async def test_the_same_posting_repeated_queues_nothing_more(db: Database) -> None:
    shop = await with_point(db)
    await shop.sell(shop.tea, "15", request_id="same-sale")
    await shop.sell(shop.tea, "15", request_id="same-sale")
    assert len(await alerts(shop)) == 2
