"""Paces outgoing alerts to Telegram's limits: per chat, per group and for the whole bot.

Telegram asks bots to send at most about one message a second to a chat, 20 a minute to a
group and 30 a second overall; beyond that it answers 429 (RetryAfter). AIORateLimiter keeps
the overall and group limits but has no per-private-chat one, so the alert sender waits here
before each message. Pure code: the clock and the sleep are injected, so tests run instantly.
"""

import asyncio
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from time import monotonic

GROUP_WINDOW = 60.0  # seconds: the group limit is per minute
GLOBAL_WINDOW = 1.0
SLACK = 0.05  # seconds added to every gap: a message sent may reach Telegram a little late
_EPSILON = 1e-9


@dataclass(frozen=True)
class Limits:
    """How fast alerts may go out (Telegram's limits by default)."""

    per_chat_per_second: float = 1.0  # every chat, private or group
    group_per_minute: int = 20  # groups (chat id < 0) also keep this
    global_per_second: int = 30  # the whole bot


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids; private chats positive ones."""
    return chat_id < 0


def _wait_in_window(sent: deque[float], limit: int, window: float, now: float) -> float:
    """Seconds until ``sent`` holds fewer than ``limit`` times in the window ending now."""
    while sent and sent[0] <= now - window:
        sent.popleft()
    return 0.0 if len(sent) < limit else sent[0] + window - now


@dataclass
class Pacer:
    """Sliding windows of send times: ``await pacer.wait(chat_id)`` before each message.

    Concurrent waiters are safe: the check and the record happen with no await between them
    (one event loop), and a waiter that slept checks again, since another may have gone first.
    Every gap is ``slack`` longer than the limit, so that the jitter between here and Telegram
    does not put 31 messages into one of Telegram's seconds.
    """

    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    slack: float = SLACK
    _overall: deque[float] = field(default_factory=deque)
    _last: dict[int, float] = field(default_factory=dict)  # chat → its last send
    _groups: dict[int, deque[float]] = field(default_factory=dict)  # group → its sends
    _held: dict[int, float] = field(default_factory=dict)  # chat → no sends before (RetryAfter)
    _next_sweep: float = 0.0
    _waiting: dict[int, int] = field(default_factory=dict)  # ticket → chat, in arrival order
    _tickets: Iterator[int] = field(default_factory=itertools.count)

    def interval(self, chat_id: int) -> float:
        """The steady gap between two messages to ``chat_id`` (a group's is the longer)."""
        gap = 1 / self.limits.per_chat_per_second + self.slack
        group_gap = (GROUP_WINDOW + self.slack) / self.limits.group_per_minute
        return max(gap, group_gap) if is_group(chat_id) else gap

    def hold(self, chat_id: int, seconds: float) -> None:
        """Sends nothing to ``chat_id`` for ``seconds`` (Telegram answered RetryAfter)."""
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), self.clock() + seconds)

    def delay(self, chat_id: int) -> float:
        """Seconds to wait before a message to ``chat_id`` may go (0: now)."""
        now, slack = self.clock(), self.slack
        overall = self.limits.global_per_second
        waits = [_wait_in_window(self._overall, overall, GLOBAL_WINDOW + slack, now)]
        if chat_id in self._last:
            waits.append(self._last[chat_id] + 1 / self.limits.per_chat_per_second + slack - now)
        if chat_id in self._held:
            waits.append(self._held[chat_id] - now)
        if chat_id in self._groups:
            group, most = self._groups[chat_id], self.limits.group_per_minute
            waits.append(_wait_in_window(group, most, GROUP_WINDOW + slack, now))
        return max(0.0, *waits)

    async def wait(self, chat_id: int) -> None:
        """Returns when a message to ``chat_id`` may be sent, counting it as sent then.

        Waiters that may go at the same moment go in the order they came (else the chats
        that sent last, whose timers fire first, would keep every free slot to themselves).
        """
        ticket = next(self._tickets)
        self._waiting[ticket] = chat_id
        try:
            while (delay := self.delay(chat_id)) > _EPSILON or self._first_ready() != ticket:
                await self.sleep(max(delay, 0.0))  # 0: an earlier waiter goes first
        finally:
            del self._waiting[ticket]
        now = self.clock()
        self._overall.append(now)
        self._last[chat_id] = now
        if is_group(chat_id):
            self._groups.setdefault(chat_id, deque()).append(now)
        if now >= self._next_sweep:  # a long-running bot: forget chats idle past every window
            self._forget_idle(now)
            self._next_sweep = now + GROUP_WINDOW

    def _first_ready(self) -> int | None:
        return next((t for t, chat in self._waiting.items() if self.delay(chat) <= _EPSILON), None)

    def _forget_idle(self, now: float) -> None:
        horizon = max(GROUP_WINDOW, 1 / self.limits.per_chat_per_second) + self.slack
        for chat_id, last in list(self._last.items()):
            if last <= now - horizon:
                del self._last[chat_id]
                self._groups.pop(chat_id, None)
        for chat_id, until in list(self._held.items()):
            if until <= now:
                del self._held[chat_id]
