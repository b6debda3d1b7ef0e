"""/bind and /unbind in a group chat: who may, the cached business of the group, unbound groups."""

from typing import Any

from core.tenancy.models import Business
from tests.bot.harness import BotHarness, group_chat, joined
from tests.support.shop import open_shop


async def group_of(harness: BotHarness, business_id: int) -> int | None:
    async with harness.db.reads() as session:
        return (await session.get_one(Business, business_id)).group_chat_id


def cached(harness: BotHarness, chat: dict[str, Any]) -> object:
    assert harness.app is not None
    return harness.app.chat_data.get(chat["id"], {}).get("business_id", "absent")


async def test_an_unbound_group_tells_members_to_bind_it_first(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=9000)
    chat = group_chat(-100900)
    clerk = harness.person(9002, chat=chat)

    assert "not bound to a business yet" in joined(await clerk.send("/members"))
    helped = joined(await clerk.send("/help"))
    assert "<b>In this group</b>" in helped
    assert "the owner sends /bind here" in helped


async def test_the_owner_binds_a_group_and_members_work_there(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9010)
    chat = group_chat(-100901)
    owner = harness.person(9010, chat=chat)
    clerk = harness.person(9012, chat=chat)
    await clerk.send("/help")  # the group's business is cached as "none" now

    bound = joined(await owner.send("/bind"))
    assert "This group is now bound to <b>茶叶店</b>" in bound
    assert "Costs are never shown" in bound
    assert await group_of(harness, shop.business_id) == chat["id"]
    assert cached(harness, chat) == shop.business_id

    helped = joined(await clerk.send("/help@jxc_bot"))
    assert "<b>In this group</b>" in helped
    assert "/bind" not in helped
    assert "private chat" in joined(await clerk.send("/members"))  # not "not bound"

    await harness.restart()  # the cache is persisted with the chat's data
    assert cached(harness, chat) == shop.business_id
    assert "private chat" in joined(await clerk.send("/settings"))


async def test_only_an_owner_binds_or_unbinds(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9020)
    chat = group_chat(-100902)
    manager = harness.person(9021, chat=chat, language="zh-hans")

    assert "只有店铺老板可以绑定或解绑本群" in joined(await manager.send("/bind"))
    assert await group_of(harness, shop.business_id) is None

    owner = harness.person(9020, chat=chat)
    await owner.send("/bind")
    assert "Only an owner" in joined(await harness.person(9022, chat=chat).send("/unbind"))
    assert await group_of(harness, shop.business_id) == chat["id"]

    assert "no longer bound to <b>茶叶店</b>" in joined(await owner.send("/unbind"))
    assert await group_of(harness, shop.business_id) is None
    assert cached(harness, chat) is None
    assert "not bound to a business yet" in joined(await owner.send("/members"))


async def test_binding_another_group_releases_the_first_one(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9030)
    first, second = group_chat(-100903, "Old"), group_chat(-100904, "New")
    await harness.person(9030, chat=first).send("/bind")
    assert cached(harness, first) == shop.business_id

    await harness.person(9030, chat=second).send("/bind")

    assert await group_of(harness, shop.business_id) == second["id"]
    assert cached(harness, first) == "absent"  # read again from the database next time
    told = joined(await harness.person(9032, chat=first).send("/members"))
    assert "not bound to a business yet" in told


async def test_a_group_of_another_business_is_not_taken_over(harness: BotHarness) -> None:
    tea = await open_shop(harness.db, owner_id=9040)
    tools = await open_shop(harness.db, owner_id=9050, name="五金店")
    chat = group_chat(-100905)
    await harness.person(9040, chat=chat).send("/bind")

    refused = joined(await harness.person(9050, chat=chat).send("/bind"))

    assert "already bound to another business" in refused
    assert await group_of(harness, tea.business_id) == chat["id"]
    assert await group_of(harness, tools.business_id) is None
    assert cached(harness, chat) == tea.business_id


async def test_bind_in_a_private_chat_explains_where_to_send_it(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=9060)
    owner = harness.person(9060, language="zh-hans")
    assert "先把我拉进员工群" in joined(await owner.send("/bind"))
