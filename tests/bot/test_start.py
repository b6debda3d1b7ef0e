from sqlalchemy import select

from core.tenancy.models import Business, Member
from tests.bot.harness import BotHarness, joined


async def test_a_newcomer_opens_a_business_with_the_defaults_in_two_messages(
    harness: BotHarness,
) -> None:
    owner = harness.person(501, language="en")

    first = await owner.send("/start")
    assert "What is it called?" in joined(first)
    second = await owner.send("Wang's Hardware")
    assert "which currency" in joined(second)
    done = await owner.press("CNY, Asia/Shanghai")

    assert "Wang's Hardware</b> is open (CNY, Asia/Shanghai)" in joined(done)
    assert "📥 Purchase" in owner.reply_keyboard()
    async with harness.db.reads() as session:
        business = await session.scalar(select(Business))
        member = await session.scalar(select(Member))
    assert business is not None and business.name == "Wang's Hardware"
    assert member is not None and (member.user_id, member.role) == (501, "owner")


async def test_a_chinese_user_is_served_in_chinese_and_picks_currency_and_zone(
    harness: BotHarness,
) -> None:
    owner = harness.person(502, language="zh-hans")

    assert "叫什么名字" in joined(await owner.send("/start"))
    await owner.send("老王五金店")
    await owner.press("HKD")
    done = await owner.press("Asia/Hong_Kong")

    assert "老王五金店</b> 已开张（HKD，Asia/Hong_Kong）" in joined(done)
    assert "📥 采购入库" in owner.reply_keyboard()
