"""The daily run of each business: money reminders and the digest, queued at its own time.

One repeating job looks every minute for businesses whose local reminder time has come
(core.alerts.daily.due_runs) and queues their run into the outbox, which the delivery job
sends. Settings are read at every tick, so a changed reminder time or time zone applies
without a restart; a run is claimed once per business and local date, so a second process
or a restart never queues it twice. The first tick comes at start, which makes up a run
missed while the bot was down, once (today's, not one per missed day).
"""

import logging
from typing import Any, Final

from telegram.ext import Application

from bot.context import BotContext
from core.alerts.daily import due_runs, run_daily

logger = logging.getLogger(__name__)

JOB_NAME: Final = "daily-runs"
INTERVAL_SECONDS: Final = 60  # a reminder set for 09:00 goes out before 09:01


async def queue_daily_runs(context: BotContext) -> int:
    """Queues every business's run that is due now (by the bot's clock); returns rows queued.

    A business whose run fails is logged and left unclaimed, so the next tick tries again;
    the others go ahead.
    """
    queued = 0
    for business_id, local_date in await due_runs(context.uow(), context.now()):
        try:
            count = await run_daily(context.uow(), business_id, local_date)
        except Exception:
            logger.exception("daily run of business %s for %s failed", business_id, local_date)
            continue
        logger.info("daily run of business %s for %s: %s queued", business_id, local_date, count)
        queued += count
    return queued


def register_daily(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Starts the repeating job (first tick at once); calling it again replaces the job."""
    jobs = application.job_queue
    if jobs is None:  # PTB without its job-queue extra: nothing is scheduled
        logger.warning("no job queue: daily reminders and digests are off")
        return
    for old in jobs.get_jobs_by_name(JOB_NAME):
        old.schedule_removal()
    jobs.run_repeating(queue_daily_runs, interval=INTERVAL_SECONDS, first=0, name=JOB_NAME)
