"""/backup in chat (the owner's own data as a workbook) and the nightly backup job."""

import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest

from bot.handlers.backup import attachments, file_stem
from bot.jobs.backup import backup_name, nightly_backup, prune
from core.db.backup import kind_of
from core.db.engine import Database
from core.settings import load_settings
from tests.bot.harness import BotHarness, joined
from tests.support.shop import open_shop


async def test_the_owner_gets_the_business_as_a_workbook(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=1000)
    await shop.receive(shop.tea, "10", "50")
    owner = harness.person(1000)

    answer = joined(await owner.send("/backup"))

    assert "Backup of 茶叶店" in answer
    sent = harness.api.files[-1]
    assert sent.filename.startswith("茶叶店-backup-") and sent.filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(sent.content), read_only=True)
    assert len(book.sheetnames) >= 2
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert "A001" in cells
    assert "sendDocument" in harness.api.methods()


async def test_the_more_menu_has_backup_and_its_button_works(harness: BotHarness) -> None:
    await open_shop(harness.db, owner_id=1000)
    owner = harness.person(1000)
    await owner.send("☰ More")

    await owner.press("Back up this business's data")

    assert harness.api.files[-1].filename.endswith(".xlsx")


async def test_a_manager_is_refused_and_gets_no_file(harness: BotHarness) -> None:
    shop = await open_shop(harness.db, owner_id=1000)
    manager = harness.person(shop.manager.user_id)

    answer = joined(await manager.send("/backup"))

    assert "Your role (manager) may not do this" in answer
    assert harness.api.files == []


async def test_a_stranger_is_told_how_to_join(harness: BotHarness) -> None:
    answer = joined(await harness.person(4242).send("/backup"))
    assert harness.api.files == [] and answer


def test_a_small_file_is_sent_as_it_is() -> None:
    assert attachments("shop.xlsx", b"x" * 100, limit=100) == [("shop.xlsx", b"x" * 100)]


def test_a_big_file_is_zipped_when_that_is_enough() -> None:
    data = b"the same line again\n" * 500  # compresses well

    [(name, zipped)] = attachments("shop.xlsx", data, limit=1000)

    assert name == "shop.zip" and len(zipped) <= 1000
    assert zipfile.ZipFile(io.BytesIO(zipped)).read("shop.xlsx") == data


def test_a_zip_still_too_big_is_split_into_numbered_parts_that_join_back() -> None:
    data = os.urandom(5000)  # does not compress

    parts = attachments("茶叶店.xlsx", data, limit=1024)

    assert [name for name, _ in parts] == [f"茶叶店.zip.{n:03d}" for n in range(1, 7)]  # 5 KB+
    assert all(len(part) <= 1024 for _, part in parts)
    joined_zip = b"".join(part for _, part in parts)
    assert zipfile.ZipFile(io.BytesIO(joined_zip)).read("茶叶店.xlsx") == data


def test_file_names_keep_chinese_but_no_path_characters() -> None:
    assert file_stem("茶叶店", "2026-03-14") == "茶叶店-backup-2026-03-14"
    assert file_stem("A/B: shop?", "2026-03-14") == "A_B_shop-backup-2026-03-14"
    assert file_stem("..", "2026-03-14") == "business-backup-2026-03-14"


# -- the nightly job -------------------------------------------------------------------------


def touch(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_bytes(b"x")
    return path


def test_pruning_keeps_the_newest_and_leaves_other_files_alone(tmp_path: Path) -> None:
    names = [backup_name(datetime(2026, 3, d, 3, tzinfo=UTC), sqlite=True) for d in range(1, 10)]
    for name in names:
        touch(tmp_path, name)
    mine = touch(tmp_path, "my-notes.db")

    dropped = prune(tmp_path, keep=7)

    assert [p.name for p in dropped] == names[:2]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*names[2:], mine.name])


@pytest.mark.parametrize("runs", [1, 3])
async def test_the_nightly_job_writes_a_backup_and_keeps_the_last_n(
    sqlite_db: Database, tmp_path: Path, runs: int
) -> None:
    await open_shop(sqlite_db)
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    settings = load_settings(database_url=url, backup_dir=str(tmp_path / "nightly"), backup_keep=2)
    written: list[Any] = []
    for day in range(1, runs + 1):
        context = SimpleNamespace(
            job=SimpleNamespace(data=settings),
            now=lambda day=day: datetime(2026, 3, day, 3, tzinfo=UTC),
        )
        written.append(await nightly_backup(context))  # type: ignore[arg-type]

    files = sorted((tmp_path / "nightly").iterdir())
    assert [f.name for f in files] == [p.name for p in written[-2:]]
    assert files[-1].name == "jxc-backup-20260301T030000Z.db".replace("01T", f"{runs:02d}T")
    assert kind_of(files[-1]) == "sqlite"


async def test_a_failing_nightly_backup_is_logged_and_returns_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", backup_dir=str(tmp_path)
    )
    context = SimpleNamespace(
        job=SimpleNamespace(data=settings), now=lambda: datetime(2026, 3, 1, tzinfo=UTC)
    )

    assert await nightly_backup(context) is None  # type: ignore[arg-type]
    assert "nightly backup into" in caplog.text


def test_the_job_is_scheduled_only_with_a_backup_dir(tmp_path: Path) -> None:
    from bot.app import build_application
    from core.db.engine import open_database
    from tests.bot.harness import TOKEN

    db = open_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    for backup_dir, expected in ((None, 0), (str(tmp_path), 1)):
        settings = load_settings(
            telegram_bot_token=TOKEN, database_url="sqlite:///x.db", backup_dir=backup_dir
        )
        app = build_application(settings, db, deliver_alerts=True)
        assert app.job_queue is not None
        assert len(app.job_queue.get_jobs_by_name("nightly-backup")) == expected
