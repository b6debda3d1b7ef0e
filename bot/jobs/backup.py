"""The nightly backup: the whole database into BACKUP_DIR at 03:00 UTC, the last BACKUP_KEEP kept.

Only ``jxc-bot run`` schedules it, and only when BACKUP_DIR is set. Each run writes a new file
named by its UTC time (``jxc-backup-20260314T030000Z.db``; ``.jxc.gz`` for the portable
format of PostgreSQL), so a run twice in a day keeps both and never overwrites one; then the
oldest beyond BACKUP_KEEP are deleted. A failed run is logged and the files stay as they were.
"""

import asyncio
import logging
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Final

from telegram.ext import Application

from bot.context import BotContext
from core.db.backup import backup
from core.settings import Settings

logger = logging.getLogger(__name__)

JOB_NAME: Final = "nightly-backup"
AT: Final = time(3, 0, tzinfo=UTC)  # a quiet hour for shops in China (11:00 there is not)
PREFIX: Final = "jxc-backup-"
SUFFIXES: Final = (".db", ".jxc.gz")


def backup_name(now_utc: datetime, *, sqlite: bool) -> str:
    """``jxc-backup-20260314T030000Z.db``: sorts by time, says which format."""
    return f"{PREFIX}{now_utc:%Y%m%dT%H%M%SZ}{SUFFIXES[0] if sqlite else SUFFIXES[1]}"


def ours(directory: Path) -> list[Path]:
    """The nightly backups in ``directory``, oldest first (other files are left alone)."""
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file() and path.name.startswith(PREFIX) and path.name.endswith(SUFFIXES)
    )


def prune(directory: Path, keep: int) -> list[Path]:
    """Deletes all but the newest ``keep`` nightly backups; returns what it deleted."""
    found = ours(directory)
    old = found[: max(0, len(found) - keep)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


async def nightly_backup(context: BotContext) -> Path | None:
    """Writes tonight's backup and drops the oldest; returns the file (None if it failed)."""
    assert context.job is not None
    settings: Settings = context.job.data  # type: ignore[assignment]
    directory = settings.backup_dir
    assert directory is not None  # scheduled only when set
    sqlite = settings.database_url.startswith("sqlite")
    file = directory / backup_name(context.now(), sqlite=sqlite)
    try:
        await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
        made = await backup(settings.database_url, file)
        dropped = await asyncio.to_thread(prune, directory, settings.backup_keep)
    except Exception:  # a job has no user to tell: log it; tomorrow's run tries again
        logger.exception("nightly backup into %s failed", directory)
        return None
    logger.info(
        "nightly backup %s: %s bytes, %s older one(s) deleted", made.path, made.size, len(dropped)
    )
    return made.path


def register_backup(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    """Schedules the nightly backup if BACKUP_DIR is set; calling it again replaces the job."""
    if settings.backup_dir is None:
        return
    jobs = application.job_queue
    if jobs is None:  # PTB without its job-queue extra
        logger.warning("no job queue: the nightly backup is off")
        return
    for old in jobs.get_jobs_by_name(JOB_NAME):
        old.schedule_removal()
    jobs.run_daily(nightly_backup, time=AT, name=JOB_NAME, data=settings)
    logger.info("nightly backup at %s UTC into %s", AT.strftime("%H:%M"), settings.backup_dir)
