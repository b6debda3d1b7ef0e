"""SQLite as production runs it: pragmas, one writer at a time, checkpoints off the path."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import engine as engine_module
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business


async def pragma(db: Database, name: str) -> object:
    async with db.engine.connect() as conn:
        return (await conn.execute(text(f"PRAGMA {name}"))).scalar()


async def test_connections_use_wal_full_sync_foreign_keys_and_a_busy_timeout(
    sqlite_db: Database,
) -> None:
    assert await pragma(sqlite_db, "journal_mode") == "wal"
    assert await pragma(sqlite_db, "synchronous") == 2  # FULL: a posted sale survives power loss
    assert await pragma(sqlite_db, "foreign_keys") == 1
    assert await pragma(sqlite_db, "busy_timeout") == 30000


async def test_many_concurrent_writers_never_see_database_is_locked(sqlite_db: Database) -> None:
    async def open_one(n: int) -> int:
        cmd = CreateBusiness(request_id=f"b{n}", name=f"店{n}")
        return (await create_business(UnitOfWork(sqlite_db), Actor(user_id=n), cmd)).business_id

    ids = await asyncio.gather(*(open_one(n) for n in range(1, 41)))
    assert sorted(ids) == list(range(1, 41))


async def test_a_writer_in_another_process_waits_instead_of_failing(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path = Path(str(sqlite_db.engine.url.database))
    other = sqlite3.connect(path, timeout=30, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a moment
    write = asyncio.create_task(
        create_business(
            UnitOfWork(sqlite_db), Actor(user_id=7), CreateBusiness(request_id="r", name="等一下")
        )
    )
    await asyncio.sleep(0.3)
    assert not write.done()
    other.execute("COMMIT")
    other.close()
    assert (await write).name == "等一下"


def businesses_in_the_database_file_alone(path: Path, tmp_path: Path) -> int:
    """Counts businesses in a copy of the main file without its WAL: what a checkpoint wrote."""
    copy = tmp_path / "file-only.db"
    copy.write_bytes(path.read_bytes())
    with sqlite3.connect(copy) as conn:
        return int(conn.execute("SELECT count(*) FROM businesses").fetchone()[0])


async def test_the_wal_is_checkpointed_in_the_background_every_so_many_commits(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engine_module, "CHECKPOINT_EVERY", 5)
    path = Path(str(sqlite_db.engine.url.database))
    for n in range(4):
        await create_business(
            UnitOfWork(sqlite_db), Actor(user_id=n + 1), CreateBusiness(request_id="r", name="x")
        )
    assert sqlite_db._checkpoint is None
    assert businesses_in_the_database_file_alone(path, tmp_path) == 0  # all still in the WAL
    await create_business(
        UnitOfWork(sqlite_db), Actor(user_id=5), CreateBusiness(request_id="r", name="x")
    )
    assert sqlite_db._checkpoint is not None
    await sqlite_db._checkpoint
    assert businesses_in_the_database_file_alone(path, tmp_path) == 5


async def test_the_one_trip_adapter_answers_like_the_stock_aiosqlite_adapter(
    tmp_path: Path,
) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    from core.db.sqlite_driver import OneTripConnection

    async def exercise(url: str, **kw: object) -> list[object]:
        engine = create_async_engine(url, **kw)
        seen: list[object] = []
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, q INTEGER)"))
            inserted = await conn.execute(text("INSERT INTO t (q) VALUES (:q)"), [{"q": 1}])
            seen.append(inserted.rowcount)
            many = await conn.execute(
                text("INSERT INTO t (q) VALUES (:q)"), [{"q": n} for n in range(2, 6)]
            )
            seen.append(many.rowcount)
            updated = await conn.execute(text("UPDATE t SET q = q + 10 WHERE q >= 3"))
            seen.append(updated.rowcount)
            returned = await conn.execute(text("INSERT INTO t (q) VALUES (99) RETURNING id, q"))
            seen.append([tuple(r) for r in returned])
            rows = await conn.execute(text("SELECT id, q FROM t ORDER BY id"))
            seen.append(list(rows.keys()))
            seen.append([tuple(r) for r in rows])
            raw = await conn.get_raw_connection()
            seen.append(type(raw.dbapi_connection).__name__)
        await engine.dispose()
        return seen

    ours = await exercise(
        f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", module=engine_module.one_trip_dbapi()
    )
    stock = await exercise(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    assert ours[:-1] == stock[:-1]
    assert ours[4] == ["id", "q"] and ours[5][-1] == (6, 99)
    assert (ours[-1], stock[-1]) == (OneTripConnection.__name__, "AsyncAdapt_aiosqlite_connection")


async def test_a_failing_statement_raises_the_usual_integrity_error(sqlite_db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    async with sqlite_db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE u (code TEXT UNIQUE)"))
        await conn.execute(text("INSERT INTO u VALUES ('x')"))
        with pytest.raises(IntegrityError):
            await conn.execute(text("INSERT INTO u VALUES ('x')"))


async def test_a_write_unit_of_work_holds_the_write_lock_from_its_first_statement(
    sqlite_db: Database,
) -> None:
    path = Path(str(sqlite_db.engine.url.database))
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        async with UnitOfWork(sqlite_db) as uow:
            await uow.session.execute(text("SELECT 1"))  # a read, after BEGIN IMMEDIATE
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released when the unit of work ended
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_read_sees_one_snapshot_though_its_begin_travels_with_the_first_statement(
    sqlite_db: Database,
) -> None:
    await create_business(
        UnitOfWork(sqlite_db), Actor(user_id=1), CreateBusiness(request_id="a", name="一")
    )
    count = text("SELECT count(*) FROM businesses")
    async with UnitOfWork(sqlite_db).reading() as session:
        before = (await session.execute(count)).scalar()
        await create_business(
            UnitOfWork(sqlite_db), Actor(user_id=2), CreateBusiness(request_id="b", name="二")
        )
        assert (await session.execute(count)).scalar() == before == 1
    async with UnitOfWork(sqlite_db).reading() as session:
        assert (await session.execute(count)).scalar() == 2
