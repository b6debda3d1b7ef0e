"""The machinery every flow relies on, walked through the onboarding flow of /start."""

import logging
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.handlers import start as start_handlers
from core.chatstate.models import ChatState
from core.tenancy.models import Business
from tests.bot.harness import BotHarness, group_chat, joined


async def businesses(harness: BotHarness) -> int:
    async with harness.db.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(Business)) or 0)


async def test_a_restart_mid_flow_continues_at_the_same_step(harness: BotHarness) -> None:
    owner = harness.person(601)
    await owner.send("/start")
    await owner.send("Corner Shop")

    await harness.restart()  # a new Application: the step is read back from the database
    done = await owner.press("CNY, Asia/Shanghai")

    assert "Corner Shop</b> is open" in joined(done)
    assert await businesses(harness) == 1


async def test_the_step_and_draft_are_in_the_database_and_gone_when_the_flow_ends(
    harness: BotHarness,
) -> None:
    owner = harness.person(602)
    await owner.send("/start")

    async with harness.db.reads() as session:
        rows = {(r.kind, r.key): r.data for r in await session.scalars(select(ChatState))}
    assert rows[("conversation:onboarding", "[602, 602]")] == '"onboarding.name"'
    assert '"flow":"onboarding"' in rows[("user", "602")]

    await owner.send("Corner Shop")
    await owner.press("CNY, Asia/Shanghai")
    async with harness.db.reads() as session:
        kinds = {r.kind for r in await session.scalars(select(ChatState))}
    assert "conversation:onboarding" not in kinds


async def test_a_flow_idle_past_its_timeout_ends_with_the_message_and_posts_nothing(
    harness: BotHarness,
) -> None:
    owner = harness.person(603)
    await owner.send("/start")
    await owner.send("Corner Shop")

    harness.clock.advance(minutes=31)
    answer = await owner.press("CNY, Asia/Shanghai")

    assert "idle too long" in joined(answer)
    assert await businesses(harness) == 0
    assert "What is it called?" in joined(await owner.send("/start"))  # a fresh start


async def test_the_timeout_job_ends_the_flow_and_tells_the_user(harness: BotHarness) -> None:
    owner = harness.person(604, language="zh-hans")
    await owner.send("/start")
    assert harness.app is not None
    [job] = harness.app.job_queue.get_jobs_by_name("flow-timeout:604:604")

    harness.clock.advance(minutes=31)
    before = len(harness.api.calls)
    await job.run(harness.app)

    told = [c.params["text"] for c in harness.api.calls[before:] if c.method == "sendMessage"]
    assert told == ["长时间没有操作，已自动取消；没有保存任何内容。"]
    answer = await owner.send("Corner Shop")  # no longer a business name
    assert "已开张" not in joined(answer)
    assert await businesses(harness) == 0


async def test_the_timeout_job_leaves_a_flow_that_was_used_since(harness: BotHarness) -> None:
    owner = harness.person(605)
    await owner.send("/start")
    assert harness.app is not None
    [job] = harness.app.job_queue.get_jobs_by_name("flow-timeout:605:605")
    harness.clock.advance(minutes=20)
    await owner.send("Corner Shop")  # touched: 20 minutes of the 30 used, then reset

    harness.clock.advance(minutes=20)
    await job.run(harness.app)  # the old job, fired late: the flow is not idle

    assert "is open" in joined(await owner.press("CNY, Asia/Shanghai"))


async def test_a_flow_that_went_idle_while_the_bot_was_down_ends_at_start(
    harness: BotHarness,
) -> None:
    owner = harness.person(606)
    await owner.send("/start")
    await harness.stop()

    harness.clock.advance(hours=2)
    before = len(harness.api.calls)
    await harness.start()

    told = [c.params for c in harness.api.calls[before:] if c.method == "sendMessage"]
    assert [(p["chat_id"], p["text"]) for p in told] == [
        (606, "This was idle too long and has been cancelled; nothing was saved.")
    ]
    async with harness.db.reads() as session:
        kinds = {r.kind for r in await session.scalars(select(ChatState))}
    assert "conversation:onboarding" not in kinds


async def test_cancel_mid_flow_ends_it_and_saves_nothing(harness: BotHarness) -> None:
    owner = harness.person(607)
    await owner.send("/start")

    assert "Cancelled. Nothing was saved." in joined(await owner.send("/cancel"))
    assert "is open" not in joined(await owner.send("Corner Shop"))
    assert await businesses(harness) == 0


async def test_the_cancel_button_mid_flow_ends_it(harness: BotHarness) -> None:
    owner = harness.person(608, language="zh")
    await owner.send("/start")
    await owner.send("街角小店")

    assert "已取消，没有保存任何内容。" in joined(await owner.press("取消"))
    assert await businesses(harness) == 0


async def test_another_command_mid_flow_is_refused_and_the_step_goes_on(
    harness: BotHarness,
) -> None:
    owner = harness.person(609)
    await owner.send("/start")

    assert "middle of something" in joined(await owner.send("/products"))
    assert "which currency" in joined(await owner.send("Corner Shop"))


async def test_bad_input_is_asked_again_with_the_reason(harness: BotHarness) -> None:
    owner = harness.person(610)
    await owner.send("/start")
    await owner.send("Corner Shop")

    assert "“XYZ” is not a currency code" in joined(await owner.send("xyz"))
    await owner.send("usd")
    assert "“Mars/Olympus” is not a time zone" in joined(await owner.send("Mars/Olympus"))
    assert "Corner Shop</b> is open (USD, Europe/London)" in joined(
        await owner.send("Europe/London")
    )


async def test_a_stale_button_gets_a_short_answer(harness: BotHarness) -> None:
    owner = harness.person(611)
    await owner.send("/start")
    await owner.send("Corner Shop")
    message, data = owner.find_button("CNY, Asia/Shanghai")
    await owner.press_data(data, message)

    again = await owner.press_data(data, message)  # the finished flow's button

    assert again == ["This button is no longer active."]
    assert await businesses(harness) == 1


async def test_someone_else_pressing_my_button_in_a_group_changes_nothing(
    harness: BotHarness,
) -> None:
    owner = harness.person(612)
    await owner.send("/start")
    await owner.send("Corner Shop")
    message, data = owner.find_button("CNY, Asia/Shanghai")
    stranger = harness.person(613, chat=owner.chat)

    assert await stranger.press_data(data, message) == ["This button is no longer active."]
    assert await businesses(harness) == 0


async def test_the_same_update_delivered_twice_opens_one_business(harness: BotHarness) -> None:
    owner = harness.person(614)
    await owner.send("/start")
    await owner.send("Corner Shop")
    message, data = owner.find_button("CNY, Asia/Shanghai")
    payload = {
        "update_id": 77_001,
        "callback_query": {
            "id": "cq-77001",
            "from": owner.user,
            "chat_instance": "ci",
            "data": data,
            "message": {**message, "date": 0},
        },
    }

    await harness.feed(payload)
    await harness.feed(payload)  # Telegram redelivers

    assert await businesses(harness) == 1


@pytest.mark.bot_failure_expected
async def test_a_failure_is_apologised_for_logged_and_sent_to_the_operator(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(start_handlers, "current_business", broken)
    assert harness.app is not None
    harness.app.bot_data.admin_chat_id = 4242
    owner = harness.person(615)

    with caplog.at_level(logging.ERROR, logger="bot.handlers.errors"):
        answer = await owner.send("/start")

    assert answer[0].startswith("Sorry, something went wrong on our side and nothing was saved.")
    assert "Traceback" not in answer[0]
    operator = [c.params["text"] for c in harness.api.calls if c.params.get("chat_id") == 4242]
    assert len(operator) == 1
    assert "database on fire" in operator[0]
    assert "database on fire" in caplog.text


async def test_a_refusal_nobody_handled_is_explained_in_the_users_language(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.errors import InsufficientStock

    async def refused(*_: object) -> None:
        raise InsufficientStock("A001", "主仓库", Decimal(5), Decimal(3))

    monkeypatch.setattr(start_handlers, "current_business", refused)
    owner = harness.person(616, language="zh-CN")

    answer = await owner.send("/start")

    assert answer == ["库存不足：A001 在主仓库需要 5，可用 3。\n没有保存任何内容。"]


async def test_the_language_follows_telegram_and_can_be_changed(harness: BotHarness) -> None:
    owner = harness.person(617, language="zh-TW")
    assert "叫什么名字" in joined(await owner.send("/start"))
    await owner.send("/cancel")

    await owner.send("/language")
    changed = await owner.press("English")

    assert "Language set to English." in joined(changed)
    assert "What is it called?" in joined(await owner.send("/start"))


async def test_an_unbound_group_sees_no_business(harness: BotHarness) -> None:
    owner = harness.person(618)
    await owner.send("/start")
    await owner.send("Corner Shop")
    await owner.press("CNY, Asia/Shanghai")
    in_group = harness.person(618, chat=group_chat())

    answer = await in_group.send("/stock A001")

    assert answer == [
        "This group is not bound to a business yet. The owner sends /bind here first."
    ]


async def test_the_command_menu_is_set_in_both_languages_at_start(harness: BotHarness) -> None:
    menus = {
        c.params.get("language_code"): c.params["commands"]
        for c in harness.api.calls
        if c.method == "setMyCommands"
    }

    assert set(menus) == {"zh", "en", None}
    assert {"command": "sale", "description": "销售出库"} in menus["zh"]
    assert {"command": "sale", "description": "Sale (销售出库)"} in menus["en"]
