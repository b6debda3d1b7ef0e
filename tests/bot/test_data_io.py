"""/export, /template and importing a spreadsheet sent to the bot, end to end (offline API)."""

import io
import itertools
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.catalog.models import Product
from core.inventory.models import Document
from tests.bot.harness import BotHarness, Person, joined, said
from tests.support.shop import open_shop

_ids = itertools.count(700_000)


async def send_file(person: Person, content: bytes, name: str) -> list[str]:
    """Sends a document as Telegram delivers it; the offline API serves its bytes."""
    file_id = f"upload-{next(_ids)}"
    person.api.downloads[file_id] = content
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(person.harness.clock().timestamp()),
        "chat": person.chat,
        "from": person.user,
        "document": {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "mime_type": "text/csv" if name.endswith(".csv") else "application/vnd.ms-excel",
            "file_size": len(content),
        },
    }
    before = len(person.api.calls)
    await person.harness.feed({"update_id": next(_ids), "message": message})
    return said(person.api.calls[before:])


async def count(harness: BotHarness, model: Any) -> int:
    async with harness.db.reads() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


GOOD = "编号,名称,售价\nN1,新茶,9.9\nN2,新杯,3\n".encode("gbk")
BAD = b"SKU,Name,Sale price\nX1,a,abc\nX2,b,-1\n"


async def test_export_sends_an_xlsx_that_opens(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    owner = harness.person(shop.owner.user_id)

    await owner.send("/export")

    sent = owner.api.files[-1]
    assert sent.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(sent.content))
    assert "商品 Products" in book.sheetnames
    assert [c.value for c in book["商品 Products"][2]][:2] == ["A001", "西湖龙井"]


async def test_export_csv_asks_which_sheet_and_sends_it(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    owner = harness.person(shop.owner.user_id)

    assert "Which sheet as CSV?" in joined(await owner.send("/export csv"))
    await owner.press("Products")

    sent = owner.api.files[-1]
    assert sent.filename == "jxc-products.csv"
    assert sent.content.decode("utf-8-sig").startswith("编号 SKU,名称 Name")


async def test_template_is_an_xlsx_with_a_sheet_per_kind(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    owner = harness.person(shop.owner.user_id, language="zh-hans")

    await owner.send("/template")

    book = load_workbook(io.BytesIO(owner.api.files[-1].content))
    assert {"商品 Products", "期初库存 Opening stock", "说明 Notes"} <= set(book.sheetnames)


async def test_a_good_file_previews_then_import_writes(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    manager = harness.person(shop.manager.user_id)
    before = await count(harness, Product)

    answer = joined(await send_file(manager, GOOD, "商品.csv"))
    assert "Products: 2 new, 0 updated, 0 unchanged" in answer
    assert await count(harness, Product) == before

    assert "Imported" in joined(await manager.press("Import"))
    assert await count(harness, Product) == before + 2


async def test_cancel_writes_nothing_and_the_old_button_expires(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    manager = harness.person(shop.manager.user_id)
    before = await count(harness, Product)
    await send_file(manager, GOOD, "商品.csv")
    message, data = manager.find_button("Import")

    assert "nothing was written" in joined(await manager.press("Cancel"))
    assert "expired" in joined(await manager.press_data(data, message))
    assert await count(harness, Product) == before


async def test_errors_are_listed_by_row_and_column_in_english_and_chinese(
    harness: BotHarness,
) -> None:
    shop = await open_shop(harness.db)
    english = harness.person(shop.manager.user_id)
    chinese = harness.person(shop.owner.user_id, language="zh-hans")

    en = joined(await send_file(english, BAD, "p.csv"))
    zh = joined(await send_file(chinese, BAD, "p.csv"))

    assert "row 2, column Sale price: not a number (abc)" in en
    assert "row 3, column Sale price: must not be negative (-1)" in en
    assert "Import" not in english.buttons()
    assert "第 2 行，Sale price 列：不是数字 (abc)" in zh


async def test_a_long_error_list_comes_with_the_full_list_as_a_file(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    manager = harness.person(shop.manager.user_id)
    rows = "".join(f"L{n},x,bad{n}\n" for n in range(400))

    await send_file(manager, f"SKU,Name,Sale price\n{rows}".encode(), "long.csv")

    text = manager.messages()[-1].get("text", "") if manager.api.files else ""
    assert len(manager.last_text()) <= 4096 or text
    listing = manager.api.files[-1]
    assert listing.filename == "errors.txt"
    assert listing.content.decode("utf-8-sig").count("\n") == 400


async def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_answer(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    manager = harness.person(shop.manager.user_id)
    before = await count(harness, Document)

    answer = joined(await send_file(manager, b"PK\x03\x04garbage", "x.xlsx"))

    assert "not a spreadsheet" in answer
    assert await count(harness, Document) == before


async def test_a_viewer_may_not_import_or_export(harness: BotHarness) -> None:
    shop = await open_shop(harness.db)
    viewer = harness.person(shop.viewer.user_id)
    before = await count(harness, Product)

    assert "Your role (viewer) may not do this" in joined(await send_file(viewer, GOOD, "a.csv"))
    assert "Your role (viewer) may not do this" in joined(await viewer.send("/export"))
    assert await count(harness, Product) == before
