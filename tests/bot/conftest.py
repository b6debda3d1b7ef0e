"""Fixtures of the bot tests: a started Application on the test's database (both engines).

A handler that fails unexpectedly is apologised for to the user, which a test reading only
part of the answer could miss; so every bot test fails if the error handler logged a bug,
unless it is marked ``@pytest.mark.bot_failure_expected``.
"""

import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from core.db.engine import Database
from tests.bot.harness import BotHarness


class _Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_unexpected_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test if a handler raised something the error handler had to apologise for."""
    failures = _Failures()
    logger = logging.getLogger("bot.handlers.errors")
    logger.addHandler(failures)
    try:
        yield
    finally:
        logger.removeHandler(failures)
    if failures.records and request.node.get_closest_marker("bot_failure_expected") is None:
        record = failures.records[0]
        detail = logging.Formatter().format(record)
        pytest.fail(f"a handler failed ({len(failures.records)} in all):\n{detail}")


@pytest.fixture
async def harness(db: Database) -> AsyncIterator[BotHarness]:
    """The bot, started on a fresh migrated database, talking to the offline Bot API."""
    running = BotHarness(db)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def sqlite_harness(sqlite_db: Database) -> AsyncIterator[BotHarness]:
    """The bot on SQLite only (for tests whose subject is not the engine)."""
    running = BotHarness(sqlite_db)
    await running.start()
    yield running
    await running.stop()
