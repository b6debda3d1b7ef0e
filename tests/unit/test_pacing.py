"""The alert pacer keeps Telegram's limits: 1/s per chat, 20/min per group, 30/s overall."""

import asyncio
import heapq
import itertools
from collections import defaultdict
from collections.abc import Awaitable

from bot.jobs.pacing import SLACK, Limits, Pacer

GROUP = -100123


class FakeTime:
    """Virtual time: when every sender sleeps, it jumps to the earliest wake-up."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def run(self, work: Awaitable[None]) -> None:
        """Runs ``work`` to the end, moving time on whenever nothing else can run."""
        task = asyncio.ensure_future(work)
        while not task.done():
            for _ in range(5):  # a woken sender runs until its next sleep in a step or two
                await asyncio.sleep(0)
            if self._sleepers and not task.done():
                at, _, woken = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                woken.set_result(None)
        await task


def pacer(slack: float = 0, **limits: float) -> tuple[Pacer, FakeTime]:
    """A pacer on virtual time; no slack, so the figures are Telegram's limits exactly."""
    time = FakeTime()
    limited = Limits(**limits)  # type: ignore[arg-type]
    return Pacer(limited, clock=time, sleep=time.sleep, slack=slack), time


async def send_all(the_pacer: Pacer, time: FakeTime, chats: list[int]) -> dict[int, list[float]]:
    """Every chat's send times, with one concurrent sender per chat (as the job does)."""
    sent: dict[int, list[float]] = defaultdict(list)
    by_chat: dict[int, int] = defaultdict(int)
    for chat in chats:
        by_chat[chat] += 1

    async def one_chat(chat: int, count: int) -> None:
        for _ in range(count):
            await the_pacer.wait(chat)
            sent[chat].append(time())

    async def everyone() -> None:
        await asyncio.gather(*(one_chat(chat, count) for chat, count in by_chat.items()))

    await time.run(everyone())
    return sent


def most_in_window(times: list[float], window: float) -> int:
    """The most sends in any half-open window [t, t + window) (an ulp of float slack)."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window - 1e-9:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_one_private_chat_gets_at_most_one_message_a_second() -> None:
    the_pacer, time = pacer()
    sent = await send_all(the_pacer, time, [7] * 5)
    assert [t - 1000 for t in sent[7]] == [0, 1, 2, 3, 4]


async def test_different_private_chats_do_not_wait_for_each_other() -> None:
    the_pacer, time = pacer()
    sent = await send_all(the_pacer, time, [1, 2, 3])
    assert time() == 1000.0
    assert {chat: times[0] for chat, times in sent.items()} == {1: 1000, 2: 1000, 3: 1000}


async def test_a_group_gets_at_most_20_a_minute_and_one_a_second() -> None:
    the_pacer, time = pacer()
    sent = await send_all(the_pacer, time, [GROUP] * 45)
    times = sent[GROUP]
    assert most_in_window(times, 60) == 20
    assert most_in_window(times, 1) == 1
    assert times[19] - 1000 == 19  # the first 20 at 1 a second
    assert times[20] - 1000 == 60  # then the minute must pass since the first
    assert times[40] - 1000 == 120


async def test_all_chats_together_get_at_most_30_a_second() -> None:
    the_pacer, time = pacer()
    chats = [chat for _ in range(10) for chat in range(1, 101)]  # 1,000 to 100 chats
    sent = await send_all(the_pacer, time, chats)
    everything = [t for times in sent.values() for t in times]
    assert len(everything) == 1000
    assert most_in_window(everything, 1) == 30
    assert max(most_in_window(times, 1) for times in sent.values()) == 1
    assert 1000 / 30 - 1 <= time() - 1000 <= 1000 / 30 + 1  # and no slower than the limit


async def test_retry_after_holds_one_chat_only() -> None:
    the_pacer, time = pacer()
    the_pacer.hold(7, 5)
    sent = await send_all(the_pacer, time, [8, 7])
    assert (sent[8], sent[7]) == ([1000.0], [1005.0])


async def test_faster_limits_are_kept_too() -> None:
    the_pacer, time = pacer(per_chat_per_second=10, global_per_second=100)
    sent = await send_all(the_pacer, time, [7] * 11)
    assert most_in_window(sent[7], 1) == 10
    assert the_pacer.interval(7) == 0.1
    assert the_pacer.interval(GROUP) == 3.0  # 20 a minute is the slower limit of a group


async def test_the_slack_keeps_the_limits_when_messages_arrive_a_little_late() -> None:
    the_pacer, time = pacer(slack=SLACK)
    sent = await send_all(the_pacer, time, [chat for _ in range(3) for chat in range(1, 101)])
    assert [round(t - sent[7][0], 3) for t in sent[7]][:2] == [0, 1.05]
    everything = sorted(t for times in sent.values() for t in times)
    assert most_in_window(everything, 1.05) == 30  # 30 per 1.05 s
    late = [t + (0.04 if n % 3 else 0) for n, t in enumerate(everything)]  # jitter < slack
    assert most_in_window(late, 1) <= 30
