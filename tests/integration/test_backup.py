"""Operator backups: taken while sales post, restored into fresh databases, migrated to PG.

A backup taken in the middle of concurrent postings must restore to a state that passes the
ledger check; a quiet backup must restore to exactly the same rows, on either engine.
"""

import asyncio
import gzip
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.catalog.listing import product_overview
from core.db.backup import (
    TABLES,
    DatabaseNotEmpty,
    NotABackup,
    RevisionMismatch,
    backup,
    kind_of,
    migrate,
    restore,
)
from core.db.engine import Database, open_database
from core.db.uow import UnitOfWork
from core.finance.accounts import party_account
from core.finance.models import PartyKind
from core.inventory.check import check_ledger
from core.inventory.models import Document
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.reports.sales import sales
from core.reports.stock import stock_on_hand
from tests.conftest import _database_url, fresh_postgres_database
from tests.support.shop import Shop, open_shop, rid

D = Decimal


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


async def rows_of(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, typed as the models read them, in primary-key order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with db.engine.connect() as conn:
        for table in TABLES:
            query = select(table).order_by(*table.primary_key.columns)
            found[table.name] = [tuple(row) for row in await conn.execute(query)]
    return found


async def counts_of(db: Database) -> dict[str, int]:
    async with db.engine.connect() as conn:
        return {
            table.name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for table in TABLES
        }


async def busy_shop(db: Database) -> Shop:
    """The test shop with purchases, sales on credit and a second business beside it."""
    shop = await open_shop(db)
    line = ReceiptLine(product_id=shop.tea.product_id, qty=D("200"), unit_price=D("5.5"))
    bought = PostReceipt(
        request_id=rid(),
        warehouse_id=shop.main,
        supplier_id=shop.supplier_id,
        lines=(line,),
        paid_now=D("100"),
    )
    await post_receipt(shop.uow(), shop.manager, bought)  # owed to the supplier
    await shop.receive(shop.cup, "80", "2.25")
    for qty in ("3", "1.5", "2"):
        sold = ShipmentLine(product_id=shop.tea.product_id, qty=D(qty), unit_price=D("12.8"))
        sale = PostShipment(
            request_id=rid(),
            warehouse_id=shop.main,
            customer_id=shop.customer_id,
            lines=(sold,),
            paid_now=D("0"),
        )
        await post_shipment(shop.uow(), shop.manager, sale)  # the customer owes it
    other = await open_shop(db, owner_id=5000, name="五金店")
    await other.receive(other.cup, "10", "3")
    return shop


async def sell_many(shop: Shop, times: int) -> None:
    for n in range(times):
        await shop.sell(shop.tea if n % 2 else shop.cup, "1", "9.9")


@pytest.fixture
def postgres_target() -> Iterator[str]:
    """An empty PostgreSQL database (no schema yet), dropped after the test."""
    with fresh_postgres_database("restore") as name:
        yield _database_url(name)


@pytest.fixture
async def new_sqlite(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite file that does not exist yet: restore creates and migrates it."""
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}")
    yield database
    await database.dispose()


# -- SQLite: the online backup API ----------------------------------------------------------


async def test_a_sqlite_backup_during_sales_restores_to_a_checked_ledger(
    sqlite_db: Database, new_sqlite: Database, tmp_path: Path
) -> None:
    shop = await busy_shop(sqlite_db)
    file = tmp_path / "during.db"

    async def back_up_midway() -> None:
        await asyncio.sleep(0.05)  # some sales are in, others still to come
        await backup(url_of(sqlite_db), file)

    await asyncio.gather(sell_many(shop, 40), back_up_midway())

    assert kind_of(file) == "sqlite"
    restored = await restore(file, url_of(new_sqlite))
    assert restored.ledger.ok, restored.ledger.differences
    ledger = await check_ledger(new_sqlite)
    assert ledger.ok and ledger.moves > 0
    sales = await counts_of(new_sqlite)
    assert 3 <= sales["documents"] <= (await counts_of(sqlite_db))["documents"]


async def test_a_quiet_sqlite_backup_restores_every_row_exactly(
    sqlite_db: Database, new_sqlite: Database, tmp_path: Path
) -> None:
    await busy_shop(sqlite_db)
    file = tmp_path / "quiet.db"
    made = await backup(url_of(sqlite_db), file)
    assert made.kind == "sqlite" and made.revision is not None

    restored = await restore(file, url_of(new_sqlite))

    assert restored.revision == made.revision
    assert await rows_of(new_sqlite) == await rows_of(sqlite_db)
    assert not await asyncio.to_thread(Path(f"{file}-wal").exists)  # one self-contained file


async def test_the_restored_database_keeps_working(
    sqlite_db: Database, new_sqlite: Database, tmp_path: Path
) -> None:
    shop = await busy_shop(sqlite_db)
    await backup(url_of(sqlite_db), tmp_path / "b.db")
    await restore(tmp_path / "b.db", url_of(new_sqlite))

    again = Shop(**{**shop.__dict__, "db": new_sqlite})
    posted = await again.sell(again.tea, "1", "12")  # new ids after the restored ones

    assert posted.number
    assert (await check_ledger(new_sqlite)).ok
    tea = await product_overview(UnitOfWork(new_sqlite), shop.owner, shop.tea.product_id)
    assert tea.stock.on_hand == D("200") - D("6.5") - D("1")


# -- PostgreSQL: the portable format -------------------------------------------------------


async def test_a_postgres_backup_during_sales_restores_to_a_checked_ledger(
    postgres_db: Database, postgres_target: str, tmp_path: Path
) -> None:
    shop = await busy_shop(postgres_db)
    file = tmp_path / "during.jxc.gz"

    async def back_up_midway() -> None:
        await asyncio.sleep(0.05)
        await backup(url_of(postgres_db), file)

    await asyncio.gather(sell_many(shop, 40), back_up_midway())

    assert kind_of(file) == "portable"
    restored = await restore(file, postgres_target)
    assert restored.ledger.ok, restored.ledger.differences
    target = open_database(postgres_target)
    try:
        assert (await check_ledger(target)).ok
        before = (await counts_of(target))["documents"]
        again = Shop(**{**shop.__dict__, "db": target})
        await again.sell(again.tea, "1", "12")  # the id sequences go on after the restored ids
        assert (await counts_of(target))["documents"] == before + 1
    finally:
        await target.dispose()


async def test_a_quiet_postgres_backup_restores_every_row_on_either_engine(
    postgres_db: Database, postgres_target: str, new_sqlite: Database, tmp_path: Path
) -> None:
    await busy_shop(postgres_db)
    file = tmp_path / "quiet.jxc.gz"
    made = await backup(url_of(postgres_db), file)
    assert made.kind == "portable" and made.rows["documents"] == 6

    await restore(file, postgres_target)
    await restore(file, url_of(new_sqlite))  # the portable format goes across engines

    target = open_database(postgres_target)
    try:
        source = await rows_of(postgres_db)
        assert await rows_of(target) == source
        assert await rows_of(new_sqlite) == source
    finally:
        await target.dispose()


async def test_a_portable_sqlite_backup_restores_into_postgres(
    sqlite_db: Database, postgres_target: str, tmp_path: Path
) -> None:
    await busy_shop(sqlite_db)
    file = tmp_path / "portable.jxc.gz"

    await backup(url_of(sqlite_db), file, portable=True)
    restored = await restore(file, postgres_target)

    assert restored.ledger.ok
    target = open_database(postgres_target)
    try:
        assert await rows_of(target) == await rows_of(sqlite_db)
    finally:
        await target.dispose()


# -- refusals ------------------------------------------------------------------------------


async def test_restoring_over_data_is_refused_unless_forced(db: Database, tmp_path: Path) -> None:
    shop = await busy_shop(db)
    file = tmp_path / "backup"
    await backup(url_of(db), file)
    await shop.sell(shop.tea, "5", "10")  # after the backup
    after = await rows_of(db)

    with pytest.raises(DatabaseNotEmpty, match="--force"):
        await restore(file, url_of(db))
    assert await rows_of(db) == after  # nothing changed

    restored = await restore(file, url_of(db), force=True)

    assert restored.ledger.ok
    assert len(after["documents"]) == 7
    async with db.reads() as session:  # the sale made after the backup is gone
        assert await session.scalar(select(func.count()).select_from(Document)) == 6


async def test_a_cut_off_or_foreign_file_is_refused_and_writes_nothing(
    sqlite_db: Database, new_sqlite: Database, tmp_path: Path
) -> None:
    await busy_shop(sqlite_db)
    whole = tmp_path / "whole.jxc.gz"
    await backup(url_of(sqlite_db), whole, portable=True)
    cut = tmp_path / "cut.jxc.gz"
    with gzip.open(whole, "rt", encoding="utf-8") as src, gzip.open(cut, "wt") as dst:
        lines = src.readlines()
        dst.writelines(lines[: len(lines) - 5])
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a backup")

    with pytest.raises(NotABackup, match="ends early"):
        await restore(cut, url_of(new_sqlite))
    with pytest.raises(NotABackup, match="not a jxc-bot backup"):
        await restore(foreign, url_of(new_sqlite))

    assert sum((await counts_of(new_sqlite)).values()) == 0


async def test_a_target_at_another_schema_revision_is_refused(
    sqlite_db: Database, tmp_path: Path, sqlite_template: Path
) -> None:
    await busy_shop(sqlite_db)
    await backup(url_of(sqlite_db), tmp_path / "b.db")
    older = tmp_path / "older.db"
    shutil.copyfile(sqlite_template, older)
    target = open_database(f"sqlite+aiosqlite:///{older}")
    try:
        async with target.engine.begin() as conn:
            await conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        with pytest.raises(RevisionMismatch, match="at 0001"):
            await restore(tmp_path / "b.db", f"sqlite+aiosqlite:///{older}")
    finally:
        await target.dispose()


# -- migrate SQLite → PostgreSQL ------------------------------------------------------------


async def test_migrate_copies_sqlite_into_postgres_with_the_same_figures(
    sqlite_db: Database, postgres_target: str
) -> None:
    shop = await busy_shop(sqlite_db)

    moved = await migrate(url_of(sqlite_db), postgres_target)

    assert moved.ledger.ok
    assert moved.rows == await counts_of(sqlite_db)
    target = open_database(postgres_target)
    try:
        assert await counts_of(target) == moved.rows
        assert (await check_ledger(target)).ok
        for product in (shop.tea, shop.cup):
            here = await product_overview(UnitOfWork(sqlite_db), shop.owner, product.product_id)
            there = await product_overview(UnitOfWork(target), shop.owner, product.product_id)
            assert there.stock == here.stock
            assert there.stock.value is not None and there.stock.value > 0
        for kind, party in ((PartyKind.CUSTOMER, shop.customer_id), (PartyKind.SUPPLIER, 1)):
            here_owed = await party_account(UnitOfWork(sqlite_db), shop.owner, kind, party)
            there_owed = await party_account(UnitOfWork(target), shop.owner, kind, party)
            assert there_owed.balance == here_owed.balance != 0
            assert there_owed == here_owed
        here_stock = await stock_on_hand(UnitOfWork(sqlite_db), shop.owner)
        there_stock = await stock_on_hand(UnitOfWork(target), shop.owner)
        assert replace(there_stock, **_no_clock(there_stock)) == replace(
            here_stock, **_no_clock(here_stock)
        )
        assert there_stock.total_value == here_stock.total_value > 0
        today = date.today()  # noqa: DTZ011 - a wide period around the postings
        span = (today - timedelta(days=7), today + timedelta(days=7))
        here_sales = await sales(UnitOfWork(sqlite_db), shop.owner, *span, by="product")
        there_sales = await sales(UnitOfWork(target), shop.owner, *span, by="product")
        assert replace(there_sales, **_no_clock(there_sales)) == replace(
            here_sales, **_no_clock(here_sales)
        )
    finally:
        await target.dispose()


def _no_clock(report: Any) -> dict[str, Any]:
    """A report's fields that say when it was made, blanked: they differ by a few ms."""
    return {f.name: None for f in fields(report) if f.name in {"as_of", "made_at"}}


async def test_migrate_refuses_a_postgres_database_with_data(
    sqlite_db: Database, postgres_db: Database
) -> None:
    await busy_shop(sqlite_db)
    await open_shop(postgres_db)

    with pytest.raises(DatabaseNotEmpty):
        await migrate(url_of(sqlite_db), url_of(postgres_db))
