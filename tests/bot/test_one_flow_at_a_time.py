"""A user is in one flow at a time: other flows, menu buttons and commands wait for it."""

from decimal import Decimal

from core.inventory.stock import on_hand
from tests.bot.harness import BotHarness, joined
from tests.support.shop import Shop, open_shop

BUSY = "middle of something"
BUSY_ZH = "未完成的操作"


async def stocked(harness: BotHarness) -> Shop:
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    return shop


async def test_a_menu_button_mid_count_is_not_taken_for_a_product(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="en")
    await clerk.send("/count")
    await clerk.press(clerk.buttons()[0])

    for label in ("📤 Sale", "🔍 Stock", "☰ More"):
        assert BUSY in joined(await clerk.send(label))
    counted = await clerk.send("A001")  # the count goes on at the same step
    assert "did you count?" in joined(counted)


async def test_another_flow_cannot_start_over_a_live_one(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="en")
    await clerk.send("/count")
    await clerk.press(clerk.buttons()[0])
    await clerk.send("A001")

    assert BUSY in joined(await clerk.send("/transfer"))  # registered after count
    assert BUSY in joined(await clerk.send("/sale"))  # registered before count
    message = {"message_id": 1, "chat": clerk.chat}
    assert BUSY in joined(await clerk.press_data("1:cmd:purchase", message))

    await clerk.send("12")  # the count's draft survived all of that
    await clerk.press("Done")
    await clerk.press("Post count")
    assert await on_hand(shop.uow(), shop.owner, shop.tea.product_id, shop.main) == Decimal(12)


async def test_busy_is_said_in_chinese(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await clerk.send("/sale")
    assert BUSY_ZH in joined(await clerk.send("📋 盘点"))
    assert BUSY_ZH in joined(await clerk.send("/count"))


async def test_an_idle_flow_does_not_block_a_new_one(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="en")
    await clerk.send("/sale")

    harness.clock.advance(minutes=31)
    assert "idle too long" in joined(await clerk.send("/count"))  # the sale ends
    assert "in which warehouse?" in joined(await clerk.send("/count"))


async def test_typing_where_a_button_is_expected_asks_for_a_tap_and_stays(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="en")
    await clerk.send("/sale")
    asked = await clerk.press("🚶 Walk-in customer")
    assert "Ship from which warehouse?" in joined(asked)

    typed = joined(await clerk.send("A001"))  # not a stock query while the sale is open
    assert "tap one of the buttons" in typed
    assert "On hand" not in typed
    picked = await clerk.press(clerk.buttons()[0])  # the warehouse step is still there
    assert "Which product?" in joined(picked)


async def test_tap_a_button_is_said_in_chinese(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await clerk.send("/sale")
    await clerk.press("🚶 散客")
    assert "请点选上面的按钮" in joined(await clerk.send("随便"))
