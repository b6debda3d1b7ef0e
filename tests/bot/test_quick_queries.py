from decimal import Decimal

import pytest

from core.catalog.products import ChangeProduct, CreateProduct, change_product, create_product
from core.db.uow import UnitOfWork
from core.tenancy.groups import BindGroup, bind_group
from tests.bot.harness import BotHarness, group_chat, joined
from tests.support.shop import Shop, open_shop, rid

BOT_ID = 999000111


async def stocked_shop(harness: BotHarness) -> Shop:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "20", warehouse=shop.main)
    await shop.receive(shop.tea, "2", "20", warehouse=shop.second)
    await change_product(
        shop.uow(),
        shop.manager,
        ChangeProduct(product_id=shop.tea.product_id, reorder_point=Decimal(5)),
    )
    return shop


@pytest.mark.parametrize(
    "text", ["A001", "a001", "stock A001", "库存 A001", "查 A001", "查库存 A001", "6901234567892"]
)
async def test_every_form_of_quick_query_shows_the_stock_card(
    harness: BotHarness, text: str
) -> None:
    shop = await stocked_shop(harness)
    viewer = harness.person(shop.viewer.user_id)

    card = joined(await viewer.send(text))

    assert "<b>A001 西湖龙井</b>" in card
    assert "• 二号仓: 2 盒" in card
    assert "On hand: 12 盒" in card
    assert "Available: 12 盒" in card
    assert "Reorder point: 5 盒" in card
    assert "Average cost" not in card and "Stock value" not in card


async def test_the_stock_command_and_a_name_fragment_and_pinyin_find_the_card(
    harness: BotHarness,
) -> None:
    shop = await stocked_shop(harness)
    clerk = harness.person(shop.clerk.user_id)

    assert "On hand: 12 盒" in joined(await clerk.send("/stock A001"))
    assert "On hand: 12 盒" in joined(await clerk.send("龙井"))
    assert "<b>B002 不锈钢杯</b>" in joined(await clerk.send("bxg"))
    assert "No stock in any warehouse yet." in clerk.last_text()


async def test_a_manager_sees_average_cost_and_value_a_clerk_does_not(
    harness: BotHarness,
) -> None:
    shop = await stocked_shop(harness)
    manager = harness.person(shop.manager.user_id)
    clerk = harness.person(shop.clerk.user_id)

    managers = joined(await manager.send("A001"))
    clerks = joined(await clerk.send("A001"))

    assert "Average cost: 20.00" in managers
    assert "Stock value: 240.00" in managers
    assert "Average cost" not in clerks and "240" not in clerks


async def test_chinese_card_for_the_owner(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    owner = harness.person(shop.owner.user_id, language="zh-hans")

    card = joined(await owner.send("库存 A001"))

    assert "现有库存：12 盒" in card
    assert "可用库存：12 盒" in card
    assert "安全库存：5 盒" in card
    assert "平均成本：20.00" in card
    assert "库存金额：240.00" in card


async def test_several_matches_become_buttons_and_a_button_opens_its_card(
    harness: BotHarness,
) -> None:
    shop = await stocked_shop(harness)
    await create_product(
        shop.uow(),
        shop.owner,
        CreateProduct(request_id=rid(), sku="A002", name="安吉龙井", unit="盒"),
    )
    viewer = harness.person(shop.viewer.user_id)

    answer = joined(await viewer.send("龙井"))

    assert "Several products match “龙井”" in answer
    assert viewer.buttons() == ["A001 西湖龙井", "A002 安吉龙井"]
    card = joined(await viewer.press("A002"))
    assert "<b>A002 安吉龙井</b>" in card
    assert "On hand: 0 盒" in card


async def test_no_match_points_to_products_in_both_languages(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    en = harness.person(shop.viewer.user_id)
    zh = harness.person(shop.clerk.user_id, language="zh-hans")

    assert "No product matches “咖啡” — add it in /products." in joined(await en.send("咖啡"))
    assert "/products" in joined(await zh.send("咖啡"))
    assert "没有" in zh.last_text()


async def test_the_stock_button_and_bare_command_ask_which_product(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    clerk = harness.person(shop.clerk.user_id)

    assert "Which product?" in joined(await clerk.send("🔍 Stock"))
    assert "On hand: 12 盒" in joined(await clerk.send("A001"))
    assert "Which product?" in joined(await clerk.send("/stock"))
    assert "Which product?" in joined(await clerk.press_data("1:cmd:stock", {"message_id": 1}))


async def test_an_archived_product_shows_as_archived(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    await change_product(
        shop.uow(), shop.manager, ChangeProduct(product_id=shop.cup.product_id, archived=True)
    )
    viewer = harness.person(shop.viewer.user_id)

    assert "🗄 Archived" in joined(await viewer.send("B002"))


async def test_someone_without_a_business_gets_the_way_in_never_data(
    harness: BotHarness,
) -> None:
    await stocked_shop(harness)
    stranger = harness.person(77)

    answer = joined(await stranger.send("A001"))
    answer += joined(await stranger.send("/stock A001"))

    assert "You have no business yet" in answer
    assert "西湖龙井" not in answer and "12" not in answer


async def test_a_group_card_shows_no_costs_even_to_the_owner(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    group = group_chat(-100555)
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100555))
    owner = harness.person(shop.owner.user_id, chat=group)

    by_command = joined(await owner.send("/stock A001"))
    by_word = joined(await owner.send("库存 A001"))

    for card in (by_command, by_word):
        assert "On hand: 12 盒" in card
        assert "Average cost" not in card and "Stock value" not in card
    assert owner.buttons() == []  # no private details button in a group


async def test_in_a_group_only_text_meant_for_the_bot_is_answered(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    group = group_chat(-100556)
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100556))
    clerk = harness.person(shop.clerk.user_id, chat=group)

    assert await clerk.send("A001") == []  # chatter among people
    asked = joined(await clerk.send("/stock"))
    assert "Which product?" in asked
    question = clerk.messages()[-1]
    assert question["reply_markup"]["force_reply"] is True
    reply_to = {"message_id": question["message_id"], "date": 0, "chat": group}
    reply_to["from"] = {"id": BOT_ID, "is_bot": True, "first_name": "jxc"}
    answer = joined(await clerk.send("A001", reply_to_message=reply_to))
    assert "On hand: 12 盒" in answer


async def test_a_non_member_in_a_bound_group_gets_no_data(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100557))
    stranger = harness.person(78, chat=group_chat(-100557))

    answer = joined(await stranger.send("/stock A001"))

    assert "not a member" in answer
    assert "12" not in answer
