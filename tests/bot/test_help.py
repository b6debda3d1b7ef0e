"""/help: what this member's role can do, in their language; newcomers; the More button."""

from tests.bot.harness import BotHarness, joined
from tests.support.shop import open_shop


async def test_help_differs_by_role(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=9500)
    owner, manager, clerk, viewer = (harness.person(9500 + n) for n in range(4))

    owners = joined(await owner.send("/help"))
    managers = joined(await manager.send("/help"))
    clerks = joined(await clerk.send("/help"))
    viewers = joined(await viewer.send("/help"))

    assert "you are owner" in owners
    assert "/members" in owners
    assert "/settings" in owners
    assert "/adjust" in owners

    assert "you are manager" in managers
    assert "/adjust" in managers
    assert "average costs, stock value and margins (never in a group chat)" in managers
    assert "/members" not in managers

    assert "you are clerk" in clerks
    assert "<b>📥 Purchase</b>: goods in from a supplier" in clerks
    assert "but not average costs" in clerks
    assert "/adjust" not in clerks

    assert "you are viewer" in viewers
    assert "ask the owner for another role" in viewers
    assert "📥 Purchase" not in viewers
    assert "<code>@jxc_bot A001</code>" in viewers
    assert viewer.buttons() == []
    assert clerk.buttons() == ["🧭 Guided tour"]

    assert len({owners, managers, clerks, viewers}) == 4


async def test_help_in_chinese_uses_chinese_labels_and_examples(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=9510)
    owner = harness.person(9510, language="zh-hans")
    helped = joined(await owner.send("/help"))
    assert "你的身份是老板" in helped
    assert "<b>📥 采购入库</b>：从供应商进货" in helped
    assert "/members：按角色发邀请链接" in helped
    assert "第 1 步" in joined(await owner.press("新手引导"))


async def test_help_for_someone_without_a_business_points_to_start(harness: BotHarness) -> None:
    stranger = harness.person(9520)
    assert "Send /start to open your business" in joined(await stranger.send("/help"))


async def test_the_more_menu_opens_help_settings_members_and_business(
    harness: BotHarness,
) -> None:
    await open_shop(harness.db, owner_id=9530)
    owner = harness.person(9530)
    await owner.send("☰ More")
    assert "you are owner" in joined(await owner.press("What you can do here"))
    await owner.send("☰ More")
    assert "<b>Settings of 茶叶店</b>" in joined(await owner.press("Business settings"))
    await owner.send("☰ More")
    assert "<b>Members of 茶叶店</b>" in joined(await owner.press("Members and invites"))
    await owner.send("☰ More")
    assert "<b>Your businesses</b>" in joined(await owner.press("Switch or create"))
