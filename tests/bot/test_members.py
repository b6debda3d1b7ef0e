"""/members: invite links per role, joining with them, changing roles, removing, last owner."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.tenancy.members import RemoveMember, remove_member
from core.tenancy.models import Invite, Member
from tests.bot.harness import BotHarness, Person, joined
from tests.support.shop import Shop, open_shop

LINK = re.compile(r"https://t\.me/jxc_bot\?start=(inv_[A-Za-z0-9_-]+)")


async def member(harness: BotHarness, shop: Shop, user_id: int) -> Member | None:
    async with harness.db.reads() as session:
        return await session.scalar(
            select(Member).where(Member.business_id == shop.business_id, Member.user_id == user_id)
        )


async def invite_link(owner: Person, role_label: str) -> str:
    await owner.send("/members")
    said = joined(await owner.press(role_label))
    found = LINK.search(said)
    assert found is not None, said
    return found.group(1)


async def test_an_owner_invites_a_clerk_and_the_link_joins_them_as_clerk(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=7000)
    owner = harness.person(7000)

    listing = joined(await owner.send("/members"))
    assert "<b>Members of 茶叶店</b>" in listing
    assert "• user 7002 · clerk" in listing
    assert "• Tester · owner (you)" not in listing  # the shop's owner gave no name
    assert "owner (you)" in listing
    assert {"➕ Invite manager", "➕ Invite clerk", "➕ Invite viewer", "➕ Invite owner"} <= set(
        owner.buttons()
    )
    said = joined(await owner.press("Invite clerk"))
    token = LINK.search(said)
    assert token is not None

    async with harness.db.reads() as session:
        invite = await session.scalar(
            select(Invite).where(Invite.role == "clerk").order_by(Invite.id.desc())
        )
    assert invite is not None and f"inv_{invite.token}" == token.group(1)
    until = invite.expires_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert f"valid until {until}, Asia/Shanghai" in said

    newcomer = harness.person(7100, first_name="Xiao Li")
    welcome = joined(await newcomer.send(f"/start {token.group(1)}"))
    assert "Welcome to <b>茶叶店</b>! You joined as clerk." in welcome
    joined_member = await member(harness, shop, 7100)
    assert joined_member is not None
    assert (joined_member.role, joined_member.active) == ("clerk", True)
    assert "• Xiao Li · clerk" in joined(await owner.send("/members"))


async def test_a_double_tap_on_invite_gives_one_link_and_another_link_gives_a_new_one(
    harness: BotHarness,
) -> None:
    await open_shop(harness.db, owner_id=7010)
    owner = harness.person(7010)
    await owner.send("/members")
    message, data = owner.find_button("Invite viewer")

    first = LINK.search(joined(await owner.press_data(data, message)))
    second = LINK.search(joined(await owner.press_data(data, message)))
    assert first is not None and second is not None
    assert first.group(1) == second.group(1)

    third = LINK.search(joined(await owner.press("Another viewer link")))
    assert third is not None and third.group(1) != first.group(1)
    async with harness.db.reads() as session:
        viewers = await session.scalar(
            select(func.count()).select_from(Invite).where(Invite.role == "viewer")
        )
    assert viewers == 2 + 1  # open_shop's own viewer invite, and the two links


async def test_a_chinese_owner_invites_a_manager(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=7020)
    owner = harness.person(7020, language="zh-hans")

    listing = joined(await owner.send("/members"))
    assert "<b>茶叶店 的成员</b>" in listing
    assert "➕ 邀请经理" in owner.buttons()
    said = joined(await owner.press("邀请经理"))
    assert "单次有效" in said
    token = LINK.search(said)
    assert token is not None

    newcomer = harness.person(7120, language="zh-hans")
    assert "你的角色是经理" in joined(await newcomer.send(f"/start {token.group(1)}"))
    found = await member(harness, shop, 7120)
    assert found is not None and found.role == "manager"


async def test_expired_used_and_unknown_invites_are_refused_and_join_nobody(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db, owner_id=7030)
    owner = harness.person(7030)
    expired = await invite_link(owner, "Invite clerk")
    used = await invite_link(owner, "Invite viewer")
    async with harness.db.writes() as session:
        await session.execute(
            update(Invite)
            .where(Invite.token == expired.removeprefix("inv_"))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        await session.commit()

    late = harness.person(7130)
    assert "This invite link has expired" in joined(await late.send(f"/start {expired}"))
    assert await member(harness, shop, 7130) is None

    await harness.person(7131).send(f"/start {used}")
    second = harness.person(7132)
    assert "has been used already" in joined(await second.send(f"/start {used}"))
    assert await member(harness, shop, 7132) is None

    stranger = harness.person(7133, language="zh-hans")
    assert "邀请链接无效" in joined(await stranger.send("/start inv_nothing-like-this"))
    assert await member(harness, shop, 7133) is None


async def test_the_owner_changes_a_role_and_removes_a_member(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=7040)
    owner = harness.person(7040)
    await owner.send("/members")

    card = joined(await owner.press("user 7042 · clerk"))
    assert "<b>user 7042</b> is clerk" in card
    assert "Make clerk" not in owner.buttons()
    changed = joined(await owner.press("Make manager"))
    assert "✅ user 7042 is now manager." in changed
    found = await member(harness, shop, 7042)
    assert found is not None and found.role == "manager"

    await owner.press("user 7043 · viewer")
    asked = joined(await owner.press("Remove"))
    assert "Remove <b>user 7043</b> (viewer) from the business?" in asked
    message, data = owner.find_button("Yes, remove")
    removed = joined(await owner.press_data(data, message))
    assert "✅ user 7043 was removed from the business." in removed
    assert "7043" not in removed.split("removed from the business.")[1]
    await owner.press_data(data, message)  # a double tap changes nothing more
    gone = await member(harness, shop, 7043)
    assert gone is not None and gone.active is False

    viewer = harness.person(7043)
    assert "Send /start to open your business" in joined(await viewer.send("/help"))


async def test_the_last_owner_can_neither_step_down_nor_leave(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=7050)
    owner = harness.person(7050, language="zh-hans")
    await owner.send("/members")
    await owner.press("老板")  # the owner's own button: "user 7050 · 老板"

    refused = joined(await owner.press("设为经理"))
    assert "店铺至少要有一位老板" in refused
    await owner.press("移除")
    assert "店铺至少要有一位老板" in joined(await owner.press("确认移除"))
    me = await member(harness, shop, 7050)
    assert me is not None and (me.role, me.active) == ("owner", True)


async def test_a_manager_sees_the_list_only_and_a_clerk_is_refused(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=7060)
    manager = harness.person(7061)
    listing = joined(await manager.send("/members"))
    assert "Only an owner can invite" in listing
    assert manager.buttons() == []

    clerk = harness.person(7062)
    assert "Your role (clerk) may not do this" in joined(await clerk.send("/members"))
    manager_press = await manager.send("☰ More")
    assert manager_press
    assert "Only an owner can invite" in joined(await manager.press("Members and invites"))


async def test_a_card_of_someone_removed_meanwhile_says_so(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=7070)
    owner = harness.person(7070)
    await owner.send("/members")
    await owner.press("user 7073 · viewer")
    await remove_member(UnitOfWork(harness.db), shop.owner, RemoveMember(user_id=7073))

    said = joined(await owner.press("Remove"))

    assert "This person is no longer a member." in said
    assert "user 7073" not in owner.last_text()
