"""The ↩ Undo button under a posted document."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update

from bot.render.screen import button, keyboard
from core.db.base import utcnow
from core.inventory.history import document_card
from core.inventory.models import Document, StockMove
from core.inventory.stock import stock_card
from core.inventory.voids import VoidDocument, void_document
from core.tenancy.groups import BindGroup, bind_group
from core.tenancy.models import Role
from tests.bot.harness import BotHarness, Person, group_chat, joined
from tests.support.shop import Shop, join, open_shop

D = Decimal


async def shop_with_a_clerks_sale(harness: BotHarness) -> tuple[Shop, int]:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "3")
    sale = await shop.sell(shop.tea, "2", actor=shop.clerk)
    return shop, sale.document_id


async def posted_message(harness: BotHarness, person: Person, document_id: int) -> None:
    """What a sale flow leaves in the chat: the posted document with its Undo button."""
    assert harness.app is not None
    await harness.app.bot.send_message(
        person.chat["id"],
        "XS posted",
        reply_markup=keyboard([button("↩ Undo", "undo", document_id)]),
    )


async def on_hand(shop: Shop) -> Decimal:
    return (await stock_card(shop.uow(), shop.manager, sku="A001")).on_hand


async def moves(harness: BotHarness) -> int:
    async with harness.db.reads() as session:
        return len(list(await session.scalars(select(StockMove.id))))


async def test_the_author_undoes_a_sale_and_the_stock_comes_back(harness: BotHarness) -> None:
    shop, sale_id = await shop_with_a_clerks_sale(harness)
    clerk = harness.person(shop.clerk.user_id)
    await posted_message(harness, clerk, sale_id)

    said = await clerk.press("Undo")

    assert "↩ XS-" in joined(said) and "undone: its stock moves were reversed (1)." in joined(said)
    assert "Cost variance" not in joined(said)  # a clerk never sees money of costs
    assert clerk.buttons(clerk.messages()[-1]) == []  # the button is gone
    assert await on_hand(shop) == D(10)
    card = await document_card(shop.uow(), shop.manager, sale_id)
    assert card.status == "voided" and card.void_reason == ""


async def test_a_chinese_clerk_reads_the_undo_in_chinese(harness: BotHarness) -> None:
    shop, sale_id = await shop_with_a_clerks_sale(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await posted_message(harness, clerk, sale_id)

    said = await clerk.press("Undo")

    assert "已撤销：冲回 1 笔库存变动。" in joined(said)
    assert await on_hand(shop) == D(10)


async def test_a_double_tap_voids_once_and_a_later_press_says_already_undone(
    harness: BotHarness,
) -> None:
    shop, sale_id = await shop_with_a_clerks_sale(harness)
    clerk = harness.person(shop.clerk.user_id)
    await posted_message(harness, clerk, sale_id)
    message, data = clerk.find_button("Undo")
    before = await moves(harness)

    await clerk.press_data(data, message)
    again = await clerk.press_data(data, message)

    assert "Already undone." in joined(again)
    assert "Nothing was saved" not in joined(again)
    assert await moves(harness) == before + 1
    assert await on_hand(shop) == D(10)


async def test_undo_after_the_window_is_refused_with_the_reason(harness: BotHarness) -> None:
    shop, sale_id = await shop_with_a_clerks_sale(harness)
    async with harness.db.writes() as session:
        await session.execute(
            update(Document)
            .where(Document.id == sale_id)
            .values(posted_at=utcnow() - timedelta(minutes=11))
        )
        await session.commit()
    clerk = harness.person(shop.clerk.user_id)
    await posted_message(harness, clerk, sale_id)

    said = await clerk.press("Undo")

    assert "can no longer be undone: undo works for 10 minutes" in joined(said)
    assert await on_hand(shop) == D(8)


async def test_another_clerk_may_not_undo_and_a_manager_may(harness: BotHarness) -> None:
    shop, sale_id = await shop_with_a_clerks_sale(harness)
    other_clerk = await _second_clerk(shop)
    stranger = harness.person(other_clerk)
    await posted_message(harness, stranger, sale_id)

    refused = await stranger.press("Undo")

    assert "Your role (clerk) may not do this." in joined(refused)
    assert await on_hand(shop) == D(8)

    manager = harness.person(shop.manager.user_id, language="zh-hans")
    await posted_message(harness, manager, sale_id)
    done = await manager.press("Undo")
    assert "已撤销" in joined(done)
    assert await on_hand(shop) == D(10)

    late = await stranger.press("Undo")  # the stale button of the refused clerk
    assert "Already undone." in joined(late)  # the same undo request: no error
    assert await on_hand(shop) == D(10)


async def test_undo_of_a_document_voided_by_a_manager_says_it_is_voided(
    harness: BotHarness,
) -> None:
    shop, sale_id = await shop_with_a_clerks_sale(harness)
    await void_document(
        shop.uow(),
        shop.manager,
        VoidDocument(request_id="mgr-void", document_id=sale_id, reason="typo"),
    )
    clerk = harness.person(shop.clerk.user_id)
    await posted_message(harness, clerk, sale_id)

    said = await clerk.press("Undo")

    assert "is already voided." in joined(said)
    assert await on_hand(shop) == D(10)


async def test_an_undo_is_announced_in_the_bound_group(harness: BotHarness) -> None:
    shop, sale_id = await shop_with_a_clerks_sale(harness)
    group = group_chat(-100777)
    await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=-100777))
    clerk = harness.person(shop.clerk.user_id, first_name="Lily")
    await posted_message(harness, clerk, sale_id)

    await clerk.press("Undo")

    told = [
        c.params["text"]
        for c in harness.api.calls
        if c.method == "sendMessage" and c.params["chat_id"] == group["id"]
    ]
    assert len(told) == 1
    assert "undone by Lily" in told[0] or "被 Lily 撤销" in told[0]  # the business's language


async def _second_clerk(shop: Shop) -> int:
    actor = await join(shop.db, shop.owner, 1099, Role.CLERK)
    return actor.user_id
