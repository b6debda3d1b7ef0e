"""/settings (stored per business and in effect), /business (switch, create another), the tour."""

import pytest
from sqlalchemy import func, select

from core.db.uow import UnitOfWork
from core.errors import InsufficientStock
from core.tenancy.members import RemoveMember, remove_member
from core.tenancy.models import Business, Member, UserPreference
from tests.bot.harness import BotHarness, joined
from tests.support.shop import open_shop


async def business_row(harness: BotHarness, business_id: int) -> Business:
    async with harness.db.reads() as session:
        return await session.get_one(Business, business_id)


async def test_allowing_negative_stock_is_stored_and_lets_a_sale_go_below_zero(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=8000)
    owner = harness.person(8000)
    with pytest.raises(InsufficientStock):
        await shop.sell(shop.cup, "1")  # nothing on hand, negative stock off

    shown = joined(await owner.send("/settings"))
    assert "<b>Settings of 茶叶店</b>" in shown
    assert "Negative stock: not allowed" in shown
    assert "Undo after posting: 10 min" in shown
    assert "Idle flows end after: 30 min" in shown
    saved = joined(await owner.press("Allow negative stock"))

    assert "✅ Saved." in saved
    assert "Negative stock: allowed" in saved
    assert "Forbid negative stock" in owner.buttons()
    assert (await business_row(harness, shop.business_id)).allow_negative_stock is True
    posted = await shop.sell(shop.cup, "1")  # now it goes to -1
    assert posted.number.startswith("XS-")

    await owner.press("Forbid negative stock")
    assert (await business_row(harness, shop.business_id)).allow_negative_stock is False


async def test_undo_window_and_language_buttons_are_stored_per_business(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=8010)
    other = await open_shop(harness.db, owner_id=8020, name="五金店")
    owner = harness.person(8010, language="zh-hans")

    await owner.send("/settings")
    menu = joined(await owner.press("撤销时限"))
    assert "当前：10 分钟" in menu
    assert "✓ 10" in owner.buttons()
    saved = joined(await owner.press("30", exact=True))
    assert "✅ 已保存。" in saved
    assert "过账后可撤销：30 分钟" in saved
    await owner.press("English")

    mine = await business_row(harness, shop.business_id)
    assert (mine.undo_window_minutes, mine.locale) == (30, "en")
    theirs = await business_row(harness, other.business_id)
    assert (theirs.undo_window_minutes, theirs.locale) == (10, "zh-CN")

    await owner.press("撤销时限")
    off = joined(await owner.press("0", exact=True))
    assert "过账后可撤销：关闭" in off
    assert (await business_row(harness, shop.business_id)).undo_window_minutes == 0


async def test_a_typed_timeout_is_checked_and_asked_again_until_it_fits(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=8030)
    owner = harness.person(8030)
    await owner.send("/settings")
    await owner.press("Idle timeout")
    assert "Now: 30 min" in owner.last_text()
    asked = joined(await owner.press("Type a number"))
    assert "from 1 to 1440" in asked

    assert "“soon” is not a whole number of minutes from 1 to 1440" in joined(
        await owner.send("soon")
    )
    assert "“0” is not a whole number" in joined(await owner.send("0"))
    assert "“2000” is not a whole number" in joined(await owner.send("2000"))
    assert "finish it, or send /cancel" in joined(await owner.send("/members")).lower()
    assert (await business_row(harness, shop.business_id)).conversation_timeout_minutes == 30

    saved = joined(await owner.send("４５"))  # full-width digits from a Chinese keyboard
    assert "Idle flows end after: 45 min" in saved
    assert (await business_row(harness, shop.business_id)).conversation_timeout_minutes == 45
    assert "Members of" in joined(await owner.send("/members"))  # the step is over


async def test_cancelling_a_typed_value_changes_nothing(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=8040)
    owner = harness.person(8040, language="zh-hans")
    await owner.send("/settings")
    await owner.press("撤销时限")
    assert "0 到 1440" in joined(await owner.press("输入数字"))
    assert "没有保存" in joined(await owner.press("取消"))
    assert "已保存" not in joined(await owner.send("20"))
    assert (await business_row(harness, shop.business_id)).undo_window_minutes == 10


async def test_a_manager_sees_the_settings_without_buttons(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=8050)
    manager = harness.person(8051)
    shown = joined(await manager.send("/settings"))
    assert "Negative stock: not allowed" in shown
    assert "Only an owner can change the settings." in shown
    assert manager.buttons() == ["🔔 My alerts"]


async def test_an_owner_creates_another_business_and_switches_back(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=8060)
    owner = harness.person(8060)

    listing = joined(await owner.send("/business"))
    assert "✓ 茶叶店 · owner" in listing
    assert owner.buttons() == ["➕ Create another business"]
    assert "new business called" in joined(await owner.press("Create another business"))
    assert "Please type a name" in joined(await owner.send("   "))
    await owner.send("Second Shop")
    await owner.press("USD")
    opened = joined(await owner.press("Asia/Singapore"))

    assert "Second Shop</b> is open (USD, Asia/Singapore)" in opened
    assert "Want a quick tour?" in opened
    assert owner.buttons() == ["▶ Start the tour", "Skip"]
    async with harness.db.reads() as session:
        second = await session.scalar(select(Business).where(Business.name == "Second Shop"))
        assert second is not None
        role = await session.scalar(
            select(Member.role).where(Member.business_id == second.id, Member.user_id == 8060)
        )
        current = await session.get_one(UserPreference, 8060)
    assert (second.base_currency, second.timezone, role) == ("USD", "Asia/Singapore", "owner")
    assert current.current_business_id == second.id

    listing = joined(await owner.send("/business"))
    assert "✓ Second Shop · owner" in listing
    assert "• 茶叶店 · owner" in listing
    switched = joined(await owner.press("↪ 茶叶店"))
    assert "✅ Now working in <b>茶叶店</b> as owner." in switched
    assert "✓ 茶叶店 · owner" in switched
    async with harness.db.reads() as session:
        current = await session.get_one(UserPreference, 8060)
    assert current.current_business_id == shop.business_id


async def test_creating_another_business_with_the_default_button_twice_opens_one(
    harness: BotHarness,
) -> None:
    await open_shop(harness.db, owner_id=8070)
    owner = harness.person(8070, language="zh-hans")
    await owner.send("/business")
    await owner.press("新建一个店铺")
    await owner.send("二号店")
    message, data = owner.find_button("Asia/Shanghai")
    opened = joined(await owner.press_data(data, message))
    again = joined(await owner.press_data(data, message))

    assert "二号店</b> 已开张" in opened
    assert "要不要快速上手" in opened
    assert "已开张" not in again
    async with harness.db.reads() as session:
        count = await session.scalar(
            select(func.count()).select_from(Business).where(Business.name == "二号店")
        )
    assert count == 1


async def test_the_tour_walks_four_steps_and_can_be_skipped(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=8080)
    owner = harness.person(8080)
    await owner.send("/business")
    await owner.press("Create another business")
    await owner.send("Tour Shop")
    await owner.press("CNY, Asia/Shanghai")

    first = joined(await owner.press("Start the tour"))
    assert "Step 1 of 4 · Add a product" in first
    assert "/products" in first
    assert "<b>📥 Purchase</b>" in joined(await owner.press("Next"))
    assert "<b>📤 Sale</b>" in joined(await owner.press("Next"))
    last = joined(await owner.press("Next"))
    assert "Step 4 of 4 · Undo" in last
    assert owner.buttons() == ["✓ Done"]
    assert "daily routine" in joined(await owner.press("Done"))

    chinese = harness.person(8080, language="zh-hans")
    await chinese.send("/language")
    await chinese.press("中文")
    await chinese.send("/business")
    await chinese.press("新建一个店铺")
    await chinese.send("三号店")
    assert "三号店</b> 已开张" in joined(await chinese.press("CNY，Asia/Shanghai"))
    assert "第 1 步" in joined(await chinese.press("开始引导"))
    assert "已跳过引导" in joined(await chinese.press("跳过引导"))


async def test_the_offer_can_be_skipped_at_once(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=8090)
    owner = harness.person(8090)
    await owner.send("/business")
    await owner.press("Create another business")
    await owner.send("Skip Shop")
    await owner.press("CNY, Asia/Shanghai")
    assert "Tour skipped." in joined(await owner.press("Skip", exact=True))
    assert owner.last_text().startswith("Tour skipped.")


async def test_a_business_a_person_was_removed_from_is_not_listed(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=8100)
    clerk = harness.person(8102)
    assert "✓ 茶叶店 · clerk" in joined(await clerk.send("/business"))

    await remove_member(UnitOfWork(harness.db), shop.owner, RemoveMember(user_id=8102))
    listing = joined(await clerk.send("/business"))
    assert "茶叶店" not in listing
    assert "You belong to no business yet." in listing
    assert clerk.buttons() == ["➕ Create another business"]


async def test_the_owner_sets_the_round_off_limit_and_a_manager_cannot(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=8030)
    owner = harness.person(8030, language="en")
    assert "Round-off (抹零) of a sale: up to 1.00 CNY" in joined(await owner.send("/settings"))
    menu = joined(await owner.press("✂ Round-off limit"))
    assert "Now: 1.00 CNY" in menu and "✓ 1.00" in owner.buttons()
    saved = joined(await owner.press("5.00", exact=True))
    assert "✅ Saved." in saved and "up to 5.00 CNY" in saved
    assert (await business_row(harness, shop.business_id)).round_off_limit == 5
    manager = harness.person(shop.manager.user_id, language="zh-hans")
    shown = joined(await manager.send("/settings"))
    assert "销售抹零：最多 5.00 CNY" in shown and "只有老板" in shown
    assert "✂ 抹零上限" not in manager.buttons()
