"""Fixtures of the bot tests: a started Application on the test's database (both engines)."""

from collections.abc import AsyncIterator

import pytest

from core.db.engine import Database
from tests.bot.harness import BotHarness


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
