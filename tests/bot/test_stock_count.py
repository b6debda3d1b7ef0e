"""The stock count (盘点) flow, end to end through the real Application, on both engines."""

import itertools
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from bot.conversations.stock_count import decode, split_line
from core.catalog.results import ProductView
from core.catalog.warehouses import list_warehouses
from core.inventory.models import Document
from core.inventory.stock import on_hand
from core.tenancy.groups import BindGroup, bind_group
from tests.bot.harness import BotHarness, Person, group_chat, joined, said
from tests.support.shop import Shop, open_shop

_ids = itertools.count(900_000)


async def stocked(harness: BotHarness) -> Shop:
    """The test shop with 10 A001 at 5.00 and 4 B002 at 2.00 in the main warehouse."""
    shop = await open_shop(harness.db)
    await shop.receive(shop.tea, "10", "5")
    await shop.receive(shop.cup, "4", "2")
    return shop


async def stock(shop: Shop, product: ProductView, warehouse: int | None = None) -> Decimal:
    return await on_hand(shop.uow(), shop.owner, product.product_id, warehouse or shop.main)


async def main_name(shop: Shop) -> str:
    warehouses = await list_warehouses(shop.uow(), shop.owner)
    return next(w.name for w in warehouses if w.warehouse_id == shop.main)


async def counts(harness: BotHarness) -> int:
    async with harness.db.reads() as session:
        query = select(func.count()).select_from(Document).where(Document.doc_type == "PD")
        return int(await session.scalar(query) or 0)


async def send_file(person: Person, file_id: str, name: str, mime: str) -> list[str]:
    """Sends a document (no text), as Telegram delivers an attached file."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(person.harness.clock().timestamp()),
        "chat": person.chat,
        "from": person.user,
        "document": {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "mime_type": mime,
            "file_size": len(person.api.downloads.get(file_id, b"")),
        },
    }
    before = len(person.api.calls)
    await person.harness.feed({"update_id": next(_ids), "message": message})
    return said(person.api.calls[before:])


async def begin_count(person: Person, shop: Shop) -> list[str]:
    await person.send("/count")
    return await person.press(await main_name(shop))


# --- unit: lines and files -------------------------------------------------------------------


def test_count_lines_split_into_product_and_quantity() -> None:
    assert split_line("A001 12") == ("A001", "12")
    assert split_line("  西湖 龙井   2.5 ") == ("西湖 龙井", "2.5")
    assert split_line("A001,西湖龙井,7") == ("A001", "7")
    assert split_line('"A001";"3"') == ("A001", "3")
    assert split_line("A001\t１２") == ("A001", "１２")
    assert split_line("A001") == ("A001", None)
    assert split_line("sku,qty") == ("sku", None)
    assert split_line("可乐 2L") == ("可乐 2L", None)


def test_files_are_read_as_utf8_gbk_or_utf16_and_binaries_are_refused() -> None:
    text = "A001,西湖龙井,7\n"
    assert decode(text.encode("utf-8")) == text
    assert decode("\ufeff".encode() + text.encode("utf-8")) == text
    assert decode(text.encode("gbk")) == text
    assert decode(text.encode("utf-16")) == text
    assert decode(b"PK\x03\x04\x00\x00binary") is None


# --- the flow --------------------------------------------------------------------------------


async def test_a_manager_counts_one_by_one_sees_values_and_posts(harness: BotHarness) -> None:
    shop = await stocked(harness)
    manager = harness.person(shop.manager.user_id, language="en")

    asked = await manager.send("/count")
    assert "in which warehouse?" in joined(asked)
    assert manager.buttons()[0] == await main_name(shop)  # no document yet: the default first
    started = await manager.press(await main_name(shop))
    assert "Book quantities stay hidden" in joined(started)

    ask = await manager.send("A001")
    assert "How many <b>A001 西湖龙井</b> (盒) did you count?" in joined(ask)
    assert "10" not in joined(ask)  # a blind count: the book quantity is not shown
    assert "is not a number" in joined(await manager.send("twelve"))
    assert "at most 3 decimals" in joined(await manager.send("1.2345"))
    assert "cannot be negative" in joined(await manager.send("-1"))
    counted = await manager.send("12")
    assert "• A001 西湖龙井: 12 盒" in joined(counted)
    assert "1 products counted so far" in joined(counted)

    summary = await manager.press("Done")
    text = joined(summary)
    assert "• A001 西湖龙井: 10 → 12 (+2) · +10.00" in text
    assert "Value of the differences: +10.00" in text
    posted = await manager.press("Post count")

    text = joined(posted)
    assert "✅ Stock count <b>PD" in text
    assert "1 differences booked as adjustments" in text
    assert "Moved in this warehouse" not in text
    assert "↩ Undo" in manager.buttons()
    assert await stock(shop, shop.tea) == Decimal(12)
    assert await stock(shop, shop.cup) == Decimal(4)  # not counted: untouched


async def test_a_clerk_types_several_lines_keeps_the_good_ones_and_sees_no_money(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await begin_count(clerk, shop)

    answer = joined(await clerk.send("A001 8\nB00X 3\nB002 4\nA001\nB002 1.5555"))

    assert "• A001 西湖龙井：8 盒" in answer
    assert "第 2 行：B00X 未知" in answer
    assert "第 4 行" in answer
    assert "第 5 行：数量最多 3 位小数" in answer
    summary = joined(await clerk.press("完成"))
    assert "A001 西湖龙井：10 → 8（-2）" in summary
    assert "·" not in summary and "金额" not in summary  # no values for a clerk
    assert "1 个商品与账面一致" in summary
    posted = joined(await clerk.press("过账"))
    assert "盘点单 <b>PD" in posted
    assert "10.00" not in posted
    assert await stock(shop, shop.tea) == Decimal(8)
    assert await stock(shop, shop.cup) == Decimal(4)


async def test_counting_again_replaces_the_earlier_count(harness: BotHarness) -> None:
    shop = await stocked(harness)
    manager = harness.person(shop.manager.user_id)
    await begin_count(manager, shop)
    await manager.send("A001 3")

    again = joined(await manager.send("6901234567892 9"))  # the barcode of A001

    assert "A001 counted again: 9 replaces 3" in again
    assert "1 products counted so far" in again
    await manager.press("Done")
    await manager.press("Post count")
    assert await stock(shop, shop.tea) == Decimal(9)


async def test_a_count_file_in_gbk_is_read_with_per_line_errors(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id)
    await begin_count(clerk, shop)
    harness.api.downloads["count-file-1"] = (
        "商品,数量\nA001,西湖龙井,6\n不锈钢杯,2\nZ999,1\n".encode("gbk")
    )

    answer = joined(await send_file(clerk, "count-file-1", "盘点.csv", "text/csv"))

    assert "getFile" in harness.api.methods()
    assert "• A001 西湖龙井: 6 盒" in answer
    assert "• B002 不锈钢杯: 2 个" in answer  # found by its exact name
    assert "line 4: Z999 unknown" in answer
    assert "line 1" not in answer  # the header
    await clerk.press("Done")
    await clerk.press("Post count")
    assert await stock(shop, shop.tea) == Decimal(6)
    assert await stock(shop, shop.cup) == Decimal(2)


async def test_a_file_that_is_not_text_is_refused_and_counting_goes_on(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id)
    await begin_count(clerk, shop)
    harness.api.downloads["xlsx-1"] = b"PK\x03\x04\x00\x00\x00binary"

    answer = joined(await send_file(clerk, "xlsx-1", "count.xlsx", "application/zip"))

    assert "I could not read that file" in answer
    assert "counted so far" in joined(await clerk.send("A001 1"))


async def test_a_product_that_moved_since_the_count_began_is_warned_about(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    manager = harness.person(shop.manager.user_id)
    await begin_count(manager, shop)
    await manager.send("A001 12\nB002 4")
    await shop.sell(shop.tea, "1")  # someone sells while the count goes on

    summary = joined(await manager.press("Done"))
    assert "9 → 12 (+3)" in summary
    posted = joined(await manager.press("Post count"))

    assert "⚠ Moved in this warehouse since you started counting: A001." in posted
    assert "B002" not in posted.split("⚠")[1]
    assert await stock(shop, shop.tea) == Decimal(12)


async def test_a_double_tap_on_post_posts_one_count(harness: BotHarness) -> None:
    shop = await stocked(harness)
    manager = harness.person(shop.manager.user_id)
    await begin_count(manager, shop)
    await manager.send("A001 11")
    await manager.press("Done")
    message, data = manager.find_button("Post count")

    await manager.press_data(data, message)
    second = await manager.press_data(data, message)

    assert "no longer active" in joined(second)
    assert await counts(harness) == 1
    assert await stock(shop, shop.tea) == Decimal(11)


async def test_cancel_mid_count_posts_nothing(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await begin_count(clerk, shop)
    await clerk.send("A001 1")

    assert "请先完成" in joined(await clerk.send("/sale"))  # another command mid-flow
    assert "已取消" in joined(await clerk.send("/cancel"))
    assert await counts(harness) == 0
    assert await stock(shop, shop.tea) == Decimal(10)
    assert "counted so far" not in joined(await clerk.send("A001 2"))


async def test_the_cancel_button_in_the_summary_posts_nothing(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id)
    await begin_count(clerk, shop)
    await clerk.send("A001 1")
    await clerk.press("Done")

    assert "Cancelled" in joined(await clerk.press("Cancel"))
    assert await counts(harness) == 0


async def test_count_more_from_the_summary_and_done_with_nothing(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id)
    await begin_count(clerk, shop)
    assert "Done" not in clerk.buttons()  # nothing to finish yet
    await clerk.send("A001 10")
    summary = joined(await clerk.press("Done"))
    assert "No differences" in summary

    assert "counted so far" in joined(await clerk.press("Count more"))
    await clerk.send("B002 3")
    assert "4 → 3 (-1)" in joined(await clerk.press("Done"))


async def test_a_viewer_may_not_count(harness: BotHarness) -> None:
    shop = await stocked(harness)
    viewer = harness.person(shop.viewer.user_id)

    answer = joined(await viewer.send("/count"))

    assert "Your role (viewer) may not do this" in answer
    assert "in which warehouse" not in answer


async def test_the_menu_and_more_buttons_start_a_count(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    assert "盘点：在哪个仓库？" in joined(await clerk.send("📋 盘点"))
    await clerk.send("/cancel")
    message = {"message_id": 1, "chat": clerk.chat}
    assert "盘点：在哪个仓库？" in joined(await clerk.press_data("1:cmd:count", message))


async def test_a_count_in_the_bound_group_shows_no_money_and_is_not_announced_twice(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    group = group_chat(-100777)
    await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=-100777))
    in_group = harness.person(shop.manager.user_id, chat=group)
    await in_group.send("/count")
    await in_group.press(await main_name(shop))
    await in_group.send("A001 7")

    summary = joined(await in_group.press("Done"))
    assert "10 → 7 (-3)" in summary
    assert "·" not in summary and "Value" not in summary  # a group: no values, even for managers
    before = len(harness.api.calls)
    posted = joined(await in_group.press("Post count"))
    assert "Value" not in posted
    sent = [c for c in harness.api.calls[before:] if c.method == "sendMessage"]
    assert sent == []  # the result edits the summary; the group saw it, no announcement
    assert await stock(shop, shop.tea) == Decimal(7)


async def test_a_count_posted_in_private_is_announced_in_the_group_without_money(
    harness: BotHarness,
) -> None:
    shop = await stocked(harness)
    await bind_group(shop.uow(), shop.owner, BindGroup(chat_id=-100778))
    harness.api.know_chat(group_chat(-100778))
    manager = harness.person(shop.manager.user_id)
    await begin_count(manager, shop)
    await manager.send("A001 7")
    await manager.press("Done")

    await manager.press("Post count")

    [announced] = [
        c.params["text"]
        for c in harness.api.calls
        if c.method == "sendMessage" and c.params["chat_id"] == -100778
    ]
    assert "A001 西湖龙井" in announced and "10 → 7" in announced
    assert "15.00" not in announced and "·" not in announced


async def test_an_idle_count_times_out_and_posts_nothing(harness: BotHarness) -> None:
    shop = await stocked(harness)
    clerk = harness.person(shop.clerk.user_id)
    await begin_count(clerk, shop)
    await clerk.send("A001 3")

    harness.clock.advance(minutes=31)
    answer = joined(await clerk.press("Done"))

    assert "idle too long" in answer
    assert await counts(harness) == 0
    assert await stock(shop, shop.tea) == Decimal(10)


async def test_a_count_survives_a_restart_mid_flow(harness: BotHarness) -> None:
    shop = await stocked(harness)
    manager = harness.person(shop.manager.user_id)
    await begin_count(manager, shop)
    await manager.send("A001")  # asked how many

    await harness.restart()
    await manager.send("4")
    await manager.press("Done")
    await manager.press("Post count")

    assert await stock(shop, shop.tea) == Decimal(4)
