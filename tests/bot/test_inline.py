from decimal import Decimal

from core.catalog.products import CreateProduct, create_product
from tests.bot.harness import BotHarness
from tests.support.shop import Shop, open_shop, rid


async def stocked_shop(harness: BotHarness) -> Shop:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "20")
    await create_product(
        shop.uow(),
        shop.owner,
        CreateProduct(request_id=rid(), sku="A002", name="安吉龙井", unit="盒"),
    )
    return shop


def answer_params(harness: BotHarness) -> dict[str, object]:
    [*_, last] = [c for c in harness.api.calls if c.method == "answerInlineQuery"]
    return dict(last.params)


async def test_a_member_gets_stock_cards_to_send_without_any_cost(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    owner = harness.person(shop.owner.user_id)  # the owner sees costs in private, not here

    results = await owner.inline("龙井")

    assert [r["title"] for r in results] == ["A001 西湖龙井", "A002 安吉龙井"]
    assert results[0]["description"] == "On hand: 10 盒"
    sent = results[0]["input_message_content"]
    assert sent["parse_mode"] == "HTML"
    assert "<b>A001 西湖龙井</b>" in sent["message_text"]
    assert "On hand: 10 盒" in sent["message_text"]
    for result in results:
        text = str(result)
        assert "Average cost" not in text and "Stock value" not in text and "200" not in text
    params = answer_params(harness)
    assert params["is_personal"] is True
    assert int(str(params["cache_time"])) <= 10
    assert "button" not in params


async def test_inline_results_are_in_the_members_language(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    [result] = await clerk.inline("A001")

    assert result["description"] == "现有库存：10 盒"
    assert "可用库存：10 盒" in result["input_message_content"]["message_text"]


async def test_at_most_ten_results(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    for n in range(12):
        await create_product(
            shop.uow(),
            shop.owner,
            CreateProduct(
                request_id=rid(), sku=f"L{n:02d}", name=f"龙井{n}", default_sale_price=Decimal(1)
            ),
        )
    viewer = harness.person(shop.viewer.user_id)

    assert len(await viewer.inline("龙井")) == 10


async def test_a_non_member_gets_nothing_but_a_way_into_the_bot(harness: BotHarness) -> None:
    await stocked_shop(harness)
    stranger = harness.person(88, language="zh-hans")

    assert await stranger.inline("A001") == []
    button = answer_params(harness)["button"]
    assert button == {"text": "打开机器人开始使用", "start_parameter": "inline"}


async def test_a_blank_query_offers_nothing(harness: BotHarness) -> None:
    shop = await stocked_shop(harness)
    viewer = harness.person(shop.viewer.user_id)

    assert await viewer.inline("   ") == []
