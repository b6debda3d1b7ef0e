"""Does alert delivery keep Telegram's limits and send everything? One run, JSON on stdout.

    .venv/bin/python -m benchmarks.alerts_delivery                   # 1,000 alerts, 100 chats
    .venv/bin/python -m benchmarks.alerts_delivery --alerts 300 --chats 30

A fresh SQLite database in a temporary directory is migrated and given a business; the
alerts (owner notices, whose renderer needs nothing but the payload) are queued in the outbox
in a shuffled order of chats, as core queues them. Then the real Application runs as
``jxc-bot run`` builds it: AIORateLimiter on, the ``alert-delivery`` job every
``ALERT_TICK_SECONDS`` with the real pacing limits (1 a second per chat, 20 a minute per group,
30 a second overall), talking to the offline Bot API, which notes when each message arrives.

It prints the wall time from start until the last message arrived, the most messages in any
1-second window (overall and per chat), how many arrived and how many rows are still pending.
It exits with status 1 if a limit was broken or an alert was lost or sent twice. Expect about
35 s for 1,000 alerts: 30 a second is the limit.
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.context import BotResources
from bot.offline import OfflineBotApi
from core.alerts.models import AlertKind
from core.alerts.outbox import enqueue, pending_count
from core.db.engine import Database, open_database
from core.db.migrate import upgrade
from core.db.uow import UnitOfWork
from core.settings import load_settings
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business

TOKEN = "123456789:AAbenchmarkBENCHMARKbenchmark000002"
OWNER_ID = 7000
WINDOW = 1.0


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def queue_alerts(db: Database, alerts: int, chats: int, seed: int) -> None:
    """``alerts`` rows spread evenly over ``chats`` private chats, in a shuffled order."""
    business = await create_business(
        UnitOfWork(db),
        Actor(user_id=OWNER_ID),
        CreateBusiness(request_id="b1", name="Bench Shop", locale="en"),
    )
    targets = [100_000 + n % chats for n in range(alerts)]
    random.Random(seed).shuffle(targets)
    async with UnitOfWork(db) as uow:
        for n, chat_id in enumerate(targets):
            await enqueue(
                uow.session,
                business_id=business.business_id,
                chat_id=chat_id,
                kind=AlertKind.UNREACHABLE,
                dedupe_key=f"bench:{n}",
                payload=json.dumps({"chat_id": n, "member": f"member {n}", "group": False}),
                locale="en",
            )
        await uow.commit()


def most_in_window(times: list[float], window: float = WINDOW) -> int:
    """The most arrivals in any half-open window [t, t + window)."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def deliver(db: Database, alerts: int, give_up_after: float) -> dict[str, Any]:
    api = OfflineBotApi()
    arrivals: dict[int, list[float]] = defaultdict(list)
    texts: Counter[str] = Counter()
    done = asyncio.Event()

    def heard(message: dict[str, Any], edited: bool) -> None:
        if edited:
            return
        arrivals[int(message["chat"]["id"])].append(time.monotonic())
        texts[str(message.get("text"))] += 1
        if texts.total() >= alerts:
            done.set()

    api.on_message = heard
    settings = load_settings(telegram_bot_token=TOKEN, database_url="sqlite+aiosqlite:///x.db")
    application = build_application(
        settings, db, request=api, resources=BotResources(db=db), deliver_alerts=True
    )  # rate_limited: AIORateLimiter on, as in production
    await application.initialize()
    started = time.monotonic()
    await application.start()
    try:
        await asyncio.wait_for(done.wait(), give_up_after)
    except TimeoutError:
        progress(f"benchmark: not all sent after {give_up_after:.0f} s")
    finally:
        await application.stop()
        await application.shutdown()
    everything = [t for chat in arrivals.values() for t in chat]
    return {
        "alerts": alerts,
        "chats": len(arrivals),
        "seconds": round(max(everything, default=started) - started, 2),
        "max_per_1s_overall": most_in_window(everything),
        "max_per_1s_per_chat": max((most_in_window(t) for t in arrivals.values()), default=0),
        "sent": len(everything),
        "sent_twice": sum(1 for n in texts.values() if n > 1),
        "pending_after": await pending_count(UnitOfWork(db)),
        "limits": {
            "per_chat_per_second": settings.alert_per_chat_per_second,
            "group_per_minute": settings.alert_group_per_minute,
            "global_per_second": settings.alert_global_per_second,
            "tick_seconds": settings.alert_tick_seconds,
        },
    }


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    db = open_database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    try:
        await upgrade(db.engine)
        await queue_alerts(db, args.alerts, args.chats, args.seed)
        progress(f"delivering {args.alerts} alerts to {args.chats} chats")
        return await deliver(db, args.alerts, args.timeout)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1_000, help="alerts queued")
    parser.add_argument("--chats", type=int, default=100, help="private chats they go to")
    parser.add_argument("--seed", type=int, default=6, help="random seed of the order")
    parser.add_argument("--timeout", type=float, default=300, help="give up after (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jxc-bot-bench-") as folder:
        result = asyncio.run(run(args, Path(folder)))
    print(json.dumps(result, ensure_ascii=False))
    kept = (
        result["max_per_1s_overall"] <= result["limits"]["global_per_second"]
        and result["max_per_1s_per_chat"] <= result["limits"]["per_chat_per_second"]
        and result["sent"] == args.alerts
        and result["sent_twice"] == 0
        and result["pending_after"] == 0
    )
    if not kept:
        progress("benchmark: a limit was broken or an alert lost or sent twice")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
