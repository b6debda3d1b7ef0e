"""A member who blocked the bot and comes back (/start), or a group bound again, gets alerts."""

from sqlalchemy import func, select

from core.alerts.models import UnreachableChat
from tests.bot.harness import BotHarness, group_chat
from tests.support.shop import Shop, open_shop


async def blocked(harness: BotHarness, shop: Shop, chat_id: int) -> None:
    async with shop.uow() as uow:
        uow.session.add(UnreachableChat(business_id=shop.business_id, chat_id=chat_id))
        await uow.commit()


async def marked(harness: BotHarness) -> int:
    async with harness.db.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(UnreachableChat)) or 0)


async def test_start_again_takes_the_unreachable_mark_away(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    await blocked(harness, shop, shop.manager.user_id)
    await harness.person(shop.manager.user_id).send("/start")
    assert await marked(harness) == 0


async def test_binding_the_group_again_takes_its_mark_away(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    chat = group_chat(-100777)
    await blocked(harness, shop, -100777)
    await harness.person(shop.owner.user_id, chat=chat).send("/bind")
    assert await marked(harness) == 0
