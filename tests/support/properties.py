"""Running hypothesis examples of whole-shop scenarios on one migrated database per engine."""

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.db.engine import Database, open_database
from core.db.migrate import upgrade
from tests.conftest import _database_url, fresh_postgres_database

T = TypeVar("T")


@contextmanager
def migrated(engine: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database of ``engine`` (a file, or a PostgreSQL database)."""
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'examples.db'}"
        return
    with fresh_postgres_database("examples") as name:
        yield _database_url(name)


def run_examples(
    engine: str,
    tmp_path: Path,
    strategy: st.SearchStrategy[T],
    play: Callable[[Database, T], Coroutine[Any, Any, None]],
    *,
    examples: int = 25,
) -> None:
    """Plays ``examples`` generated scenarios, each in a fresh shop of one migrated database."""
    with migrated(engine, tmp_path) as url, asyncio.Runner() as runner:
        db = open_database(url)
        runner.run(upgrade(db.engine))

        @settings(
            max_examples=examples,
            deadline=None,
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def run(case: T) -> None:
            runner.run(play(db, case))

        try:
            run()
        finally:
            runner.run(db.dispose())
