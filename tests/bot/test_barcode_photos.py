"""Photos of barcodes where a product is expected, and barcode pictures for labels."""

import io
import itertools
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageFilter

from bot.barcodes import decode
from core.catalog.lookup import product_by_code
from tests.bot.harness import BotHarness, Person, joined, said
from tests.bot.test_purchase import walk
from tests.support.shop import Shop, open_shop

_ids = itertools.count(700_000)
NO_BARCODE = "No barcode found. Try closer, in better light, with the barcode flat."


def snapshot(code: str, fmt: zxingcpp.BarcodeFormat = zxingcpp.BarcodeFormat.EAN13) -> bytes:
    """A JPEG as a phone takes it: the code a little turned, scaled and soft."""
    bars = Image.fromarray(zxingcpp.create_barcode(code, fmt).to_image(scale=4)).convert("L")
    sheet = Image.new("L", (bars.width + 240, bars.height + 240), 255)
    sheet.paste(bars, (120, 120))
    sheet = sheet.rotate(12, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    sheet = sheet.resize((sheet.width * 3 // 2, sheet.height * 3 // 2))
    out = io.BytesIO()
    sheet.filter(ImageFilter.GaussianBlur(1)).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def blank() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1280, 960), (235, 230, 220)).save(out, "JPEG")
    return out.getvalue()


async def send_photo(person: Person, content: bytes, *, caption: str | None = None) -> list[str]:
    """Sends a photo as Telegram delivers it: several sizes, the largest last."""
    n = next(_ids)
    person.api.downloads[f"big{n}"] = content
    person.api.downloads[f"thumb{n}"] = b"too small to read"
    message: dict[str, Any] = {
        "message_id": n,
        "date": int(person.harness.clock().timestamp()),
        "chat": person.chat,
        "from": person.user,
        "photo": [
            {"file_id": f"thumb{n}", "file_unique_id": f"ut{n}", "width": 90, "height": 67},
            {
                "file_id": f"big{n}",
                "file_unique_id": f"ub{n}",
                "width": 1280,
                "height": 960,
                "file_size": len(content),
            },
        ],
        **({"caption": caption} if caption else {}),
    }
    before = len(person.api.calls)
    await person.harness.feed({"update_id": next(_ids), "message": message})
    return said(person.api.calls[before:])


async def send_image_file(person: Person, content: bytes) -> list[str]:
    """Sends a picture as a file (uncompressed), as some users do for sharpness."""
    n = next(_ids)
    person.api.downloads[f"doc{n}"] = content
    message = {
        "message_id": n,
        "date": int(person.harness.clock().timestamp()),
        "chat": person.chat,
        "from": person.user,
        "document": {
            "file_id": f"doc{n}",
            "file_unique_id": f"ud{n}",
            "file_name": "IMG_2041.jpg",
            "mime_type": "image/jpeg",
            "file_size": len(content),
        },
    }
    before = len(person.api.calls)
    await person.harness.feed({"update_id": next(_ids), "message": message})
    return said(person.api.calls[before:])


@pytest.fixture
async def shop(harness: BotHarness) -> Shop:
    stocked = await open_shop(harness.db, owner_id=1000)  # A001 has barcode 6901234567892
    await stocked.receive(stocked.tea, "10", "50")
    return stocked


async def start_sale(me: Person) -> None:
    await walk(me, "/sale", "[王老板]", "[主仓库]")


async def test_a_photo_at_the_sale_product_step_picks_the_product(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await start_sale(me)

    answer = joined(await send_photo(me, snapshot("6901234567892")))

    assert "A001 西湖龙井: 10 盒 available in 主仓库. How many?" in answer
    assert "getFile" in harness.api.methods()
    fetched = [c.params["file_id"] for c in harness.api.calls if c.method == "getFile"]
    assert fetched[-1].startswith("big")  # the largest size, not the thumbnail
    said = await walk(me, "2", "[Sale price 88.00]", "[Done]")
    assert "1. A001 西湖龙井 × 2 @ 88.00 = 176.00" in joined(said)


async def test_an_image_sent_as_a_file_works_like_a_photo(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1000)
    await start_sale(me)

    answer = joined(await send_image_file(me, snapshot("6901234567892")))

    assert "A001 西湖龙井: 10 盒 available in 主仓库. How many?" in answer


async def test_a_blank_photo_is_answered_and_the_step_goes_on(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await start_sale(me)

    assert await send_photo(me, blank()) == [NO_BARCODE]

    assert "How many?" in joined(await me.send("A001"))


async def test_the_no_barcode_answer_is_in_chinese_for_a_chinese_user(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000, language="zh-hans")
    await me.send("/sale")
    await me.press("王老板")
    await me.press("主仓库")

    answer = await send_photo(me, blank())

    assert answer == ["没有识别到条码。请靠近一些、光线充足、条码放平再拍。"]


async def test_an_unknown_code_offers_a_new_product_with_that_barcode(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await start_sale(me)

    answer = joined(await send_photo(me, snapshot("4006381333931")))

    assert "No product has the barcode 4006381333931" in answer
    assert "➕ Add a product with barcode 4006381333931" in me.buttons()
    asked = joined(await me.press("Add a product with barcode"))
    assert "what is its name?" in asked
    assert not any(label.startswith("Use") for label in me.buttons())  # no name from a code
    added = joined(await walk(me, "Green tea", "[pcs]", "12"))
    assert "Added P" in added and "Green tea" in added
    assert "P00001 Green tea: none available in 主仓库" in added  # the sale goes on with it
    found = await product_by_code(shop.uow(), shop.owner, "4006381333931")
    assert found is not None and found.name == "Green tea"
    assert found.barcodes == ("4006381333931",)


async def test_a_photo_outside_any_flow_shows_the_stock_card(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)

    answer = joined(await send_photo(me, snapshot("6901234567892")))

    assert "<b>A001 西湖龙井</b>" in answer
    assert "On hand: 10 盒" in answer


async def test_a_photo_outside_any_flow_without_a_code_says_so(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    assert await send_photo(me, blank()) == [NO_BARCODE]
    unknown = joined(await send_photo(me, snapshot("4006381333931")))
    assert "No product has the barcode 4006381333931" in unknown
    await me.press("➕ Add a product with barcode 4006381333931")
    added = joined(await walk(me, "Green tea", "[pcs]", "[Skip]", "[Skip]"))
    assert "Green tea" in added
    found = await product_by_code(shop.uow(), shop.owner, "4006381333931")
    assert found is not None and found.barcodes == ("4006381333931",)


async def test_the_product_card_sends_its_barcode_as_a_picture(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await me.send("/products")
    await me.press("A001")

    await me.press("🏷 Barcode image")

    sent = harness.api.files[-1]
    assert "sendPhoto" in harness.api.methods()
    assert sent.caption is not None and "6901234567892" in sent.caption
    assert decode(sent.content) == ["6901234567892"]


async def test_a_product_without_barcode_says_how_to_add_one(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await me.send("/products")
    await me.press("B002")

    answer = joined(await me.press("🏷 Barcode image"))

    assert "B002 不锈钢杯 has no barcode yet" in answer
    assert "sendPhoto" not in harness.api.methods()


async def test_a_photo_while_counting_picks_the_product_to_count(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await me.send("/count")
    await me.press("主仓库")

    answer = joined(await send_photo(me, snapshot("6901234567892")))

    assert "A001" in answer and "西湖龙井" in answer
    assert NO_BARCODE not in answer
