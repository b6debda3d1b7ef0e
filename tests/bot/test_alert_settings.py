"""/settings for alerts: reminder time, time zone, coverage days, who gets alerts and digests."""

from sqlalchemy import select

from core.tenancy.models import Business, Member
from tests.bot.harness import BotHarness, joined
from tests.support.shop import open_shop


async def business_row(harness: BotHarness, business_id: int) -> Business:
    async with harness.db.reads() as session:
        return await session.get_one(Business, business_id)


async def member_row(harness: BotHarness, business_id: int, user_id: int) -> Member:
    async with harness.db.reads() as session:
        found = await session.scalar(
            select(Member).where(Member.business_id == business_id, Member.user_id == user_id)
        )
        assert found is not None
        return found


async def test_the_reminder_time_is_chosen_by_button_or_typed(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9500)
    owner = harness.person(9500)
    shown = joined(await owner.send("/settings"))
    assert "Daily reminders and digest at: 09:00 (Asia/Shanghai)" in shown
    assert "Reorder suggestions cover: 30 days of sales" in shown

    menu = joined(await owner.press("⏰ Reminder time"))
    assert "Now: 09:00 (Asia/Shanghai)" in menu
    assert "✓ 09:00" in owner.buttons()
    saved = joined(await owner.press("18:00", exact=True))
    assert "✅ Saved." in saved and "digest at: 18:00" in saved
    assert (await business_row(harness, shop.business_id)).reminder_time == "18:00"

    await owner.press("⏰ Reminder time")
    assert "like 09:00 or 18:30" in joined(await owner.press("Type a time"))
    assert "“25:00” is not a time like 09:00" in joined(await owner.send("25:00"))
    assert "“soon” is not a time" in joined(await owner.send("soon"))
    assert (await business_row(harness, shop.business_id)).reminder_time == "18:00"
    saved = joined(await owner.send("7:30"))
    assert "digest at: 07:30 (Asia/Shanghai)" in saved
    assert (await business_row(harness, shop.business_id)).reminder_time == "07:30"


async def test_a_full_width_time_from_a_chinese_keyboard_is_taken(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9510)
    owner = harness.person(9510, language="zh-hans")
    await owner.send("/settings")
    assert "当前：09:00（Asia/Shanghai）" in joined(await owner.press("⏰ 提醒时间"))
    await owner.press("输入时间")
    saved = joined(await owner.send("０８：１５"))
    assert "每日提醒和简报时间：08:15（Asia/Shanghai）" in saved
    assert (await business_row(harness, shop.business_id)).reminder_time == "08:15"


async def test_the_time_zone_is_chosen_and_a_bad_typed_one_is_asked_again(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=9520)
    owner = harness.person(9520)
    await owner.send("/settings")
    assert "Now: Asia/Shanghai" in joined(await owner.press("🌐 Time zone"))
    saved = joined(await owner.press("America/New_York"))
    assert "digest at: 09:00 (America/New_York)" in saved
    assert (await business_row(harness, shop.business_id)).timezone == "America/New_York"

    await owner.press("🌐 Time zone")
    await owner.press("Type a time zone")
    again = joined(await owner.send("Mars/Olympus"))
    assert "“Mars/Olympus” is not a time zone I know" in again
    assert (await business_row(harness, shop.business_id)).timezone == "America/New_York"
    saved = joined(await owner.send("asia/tokyo"))
    assert "(Asia/Tokyo)" in saved
    assert (await business_row(harness, shop.business_id)).timezone == "Asia/Tokyo"


async def test_coverage_days_are_chosen_by_button(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=9530)
    owner = harness.person(9530)
    await owner.send("/settings")
    assert "Now: 30 days." in joined(await owner.press("📦 Coverage days"))
    assert owner.buttons() == ["7", "14", "✓ 30", "60", "« Back"]
    saved = joined(await owner.press("14", exact=True))
    assert "Reorder suggestions cover: 14 days of sales" in saved
    assert (await business_row(harness, shop.business_id)).coverage_days == 14


async def test_the_owner_turns_members_alerts_and_digests_on_and_off(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=9540)
    owner = harness.person(9540)
    await owner.send("/settings")
    listing = joined(await owner.press("🔔 Alerts & digest"))
    assert "• user 9540 · owner — alerts ✅ · digest ✅" in listing
    assert "• user 9541 · manager — alerts ✅ · digest ✅" in listing
    assert "9542" not in listing  # a clerk gets no alerts
    assert owner.buttons() == [
        "user 9540: alerts ✅",
        "user 9540: digest ✅",
        "user 9541: alerts ✅",
        "user 9541: digest ✅",
        "« Back",
    ]

    saved = joined(await owner.press("user 9541: digest"))
    assert "✅ Saved." in saved
    assert "• user 9541 · manager — alerts ✅ · digest ❌" in saved
    manager = await member_row(harness, shop.business_id, 9541)
    assert (manager.alerts_on, manager.digest_on) == (True, False)

    await owner.press("user 9540: alerts")
    mine = await member_row(harness, shop.business_id, 9540)
    assert (mine.alerts_on, mine.digest_on) == (False, True)
    await owner.press("user 9541: digest ❌")
    assert (await member_row(harness, shop.business_id, 9541)).digest_on is True
    assert "Settings of" in joined(await owner.press("« Back"))


async def test_a_manager_turns_their_own_alerts_off_but_not_someone_elses(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=9550)
    manager = harness.person(9551)
    shown = joined(await manager.send("/settings"))
    assert "Only an owner can change the settings." in shown
    assert manager.buttons() == ["🔔 My alerts"]

    mine = joined(await manager.press("🔔 My alerts"))
    assert "Alerts (overdue customers, payables due, low stock): ✅" in mine
    assert "Daily digest: ✅" in mine
    saved = joined(await manager.press("Alerts ✅"))
    assert "Alerts (overdue customers, payables due, low stock): ❌" in saved
    assert manager.buttons() == ["Alerts ❌", "Digest ✅", "« Back"]
    row = await member_row(harness, shop.business_id, 9551)
    assert (row.alerts_on, row.digest_on) == (False, True)

    owner = await member_row(harness, shop.business_id, 9550)
    message, _ = manager.find_button("Alerts ❌")
    refused = joined(await manager.press_data(f"1:set.alsw:{owner.id}:d:0", message))
    assert "Nothing was saved." in refused
    assert (await member_row(harness, shop.business_id, 9550)).digest_on is True
    assert "My alerts" in joined(await manager.press_data("1:set.al", message))  # own only


async def test_a_clerk_sees_the_settings_without_toggles(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=9560)
    clerk = harness.person(9562)
    shown = joined(await clerk.send("/settings"))
    assert "Daily reminders and digest at: 09:00 (Asia/Shanghai)" in shown
    assert clerk.buttons() == []
