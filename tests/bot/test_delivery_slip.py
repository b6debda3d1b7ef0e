"""The delivery slip (送货单) of a posted sale: a PNG and a PDF, never a cost, never a box."""

import io
from dataclasses import astuple
from datetime import date
from decimal import Decimal

import pytest
from matplotlib import font_manager
from PIL import Image

from bot.i18n import use_language
from bot.render import slip as render
from bot.render.fonts import Typeface, cjk_font
from core.inventory.history import document_card
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.reports.charts import FONT_ENV, find_cjk_font
from core.tenancy.access import Actor
from tests.bot.harness import BotHarness, Person, joined
from tests.bot.test_purchase import walk
from tests.support.fonts import noto_cjk
from tests.support.shop import Shop, open_shop, rid

D = Decimal


@pytest.fixture
async def shop(harness: BotHarness) -> Shop:
    stocked = await open_shop(harness.db, owner_id=1000)
    await stocked.receive(stocked.tea, "100", "31.37")  # a cost that shows if it leaks
    await stocked.receive(stocked.cup, "50", "4.19")
    return stocked


@pytest.fixture
def latin_only(monkeypatch: pytest.MonkeyPatch) -> Typeface:
    """The slip drawn as on a machine without a CJK font."""
    face = Typeface(_dejavu(), cjk=False)
    monkeypatch.setattr(render, "typeface", lambda: face)
    return face


def _dejavu() -> str:
    return str(font_manager.findfont("DejaVu Sans"))


async def credit_sale(shop: Shop, actor: Actor | None = None) -> int:
    """Wang buys 3 tea at 88 (10 % off) and 2 cups at 12.50, 0.60 rounded off, 100 paid now."""
    cmd = PostShipment.build(
        request_id=rid("xs"),
        customer_id=shop.customer_id,
        lines=(
            ShipmentLine(
                product_id=shop.tea.product_id, qty=D(3), unit_price=D(88), discount_pct=D(10)
            ),
            ShipmentLine(product_id=shop.cup.product_id, qty=D(2), unit_price=D("12.50")),
        ),
        paid_now=D(100),
        payment_method="wechat",
        round_off=D("0.60"),
        due_date=date(2099, 1, 31),
    )
    return (await post_shipment(shop.uow(), actor or shop.clerk, cmd)).document_id


async def open_sale_card(person: Person) -> None:
    await person.send("/docs")
    await person.press("XS-")


def png_of(harness: BotHarness) -> Image.Image:
    sent = [f for f in harness.api.files if f.filename.endswith(".png")]
    return Image.open(io.BytesIO(sent[-1].content))


async def test_the_posted_sale_sends_its_slip_as_a_picture_and_then_as_a_pdf(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1000)
    await walk(me, "/sale", "[王老板]", "[主仓库]", "A001", "3", "[Sale price 88.00]", "[Done]")
    posted = joined(await me.press("Confirm"))
    number = posted.split("<b>", 1)[1].split("</b>", 1)[0]

    said = joined(await me.press("🧾 Delivery slip"))

    assert harness.api.methods()[-1] == "sendPhoto"
    assert f"🧾 Delivery slip {number}" in said
    picture = png_of(harness)
    assert picture.format == "PNG"
    assert 1000 <= picture.width <= 1600 and 800 <= picture.height <= 3000
    assert harness.api.files[-1].filename == f"{number}.png"

    joined(await me.press("📄 Slip as PDF"))  # the button under the picture

    assert harness.api.methods()[-1] == "sendDocument"
    pdf = harness.api.files[-1]
    assert pdf.filename == f"{number}.pdf" and pdf.content.startswith(b"%PDF")
    assert pdf.chat_id == me.chat["id"]


async def test_the_card_of_a_sale_has_the_slip_and_a_receipt_has_none(
    harness: BotHarness, shop: Shop
) -> None:
    await credit_sale(shop)
    clerk = harness.person(shop.clerk.user_id)
    await open_sale_card(clerk)
    assert {"🧾 Delivery slip", "📄 Slip as PDF"} <= set(clerk.buttons())

    await clerk.press("📄 Slip as PDF")
    assert harness.api.files[-1].content.startswith(b"%PDF")

    await clerk.send("/docs")
    await clerk.press("CG-")
    assert not any("slip" in label.lower() for label in clerk.buttons())


async def test_a_clerks_slip_is_the_managers_slip_and_shows_no_cost(
    harness: BotHarness, shop: Shop, latin_only: Typeface
) -> None:
    sale_id = await credit_sale(shop)
    slips = {}
    for actor in (shop.clerk, shop.manager, shop.owner):
        doc = await document_card(shop.uow(), actor, sale_id)
        slips[actor.user_id] = render.slip(doc, "茶叶店")
    manager_doc = await document_card(shop.uow(), shop.manager, sale_id)
    assert manager_doc.cost is not None  # the manager's card has costs; the slip does not

    assert len({repr(s) for s in slips.values()}) == 1
    words = repr(astuple(slips[shop.clerk.user_id]))
    cogs = money_texts(manager_doc.cost) | money_texts(D("31.37")) | money_texts(D("4.19"))
    assert not any(text in words for text in cogs)
    assert "237.60" in words and "25.00" in words  # 3 × 88 − 10 %, 2 × 12.50
    assert "262.00" in words and "−0.60" in words  # the total after 0.60 off
    assert "Paid now (WeChat)" in words and "162.00" in words and "2099-01-31" in words

    for actor in (shop.clerk, shop.manager):
        person = harness.person(actor.user_id)
        await open_sale_card(person)
        await person.press("🧾 Delivery slip")
    clerk_png, manager_png = (f.content for f in harness.api.files[-2:])
    assert clerk_png == manager_png


def money_texts(value: Decimal) -> set[str]:
    return {f"{value:,.2f}", f"{value:.2f}"}


async def test_without_a_cjk_font_chinese_is_left_out_and_never_boxed(
    harness: BotHarness, shop: Shop, latin_only: Typeface
) -> None:
    sale_id = await credit_sale(shop)
    doc = await document_card(shop.uow(), shop.clerk, sale_id)

    with use_language("zh-CN"):
        card = render.slip(doc, "茶叶店")

    words = repr(astuple(card))
    assert not any("\u4e00" <= char <= "\u9fff" for char in words)  # no Han character at all
    assert card.title == "Delivery slip" and card.business == ""
    assert ("Customer", f"#{shop.customer_id}") in card.facts
    assert [row[1] for row in card.rows] == ["A001", "B002"]  # SKUs stand for the names
    # a missing glyph is a warning, and warnings fail the tests: drawing proves there is none
    assert Image.open(io.BytesIO(render.png(card))).format == "PNG"
    assert render.pdf(card).startswith(b"%PDF")


async def test_with_a_cjk_font_the_slip_is_in_chinese(
    harness: BotHarness, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FONT_ENV, str(noto_cjk()))
    find_cjk_font.cache_clear()
    cjk_font.cache_clear()
    font = cjk_font()
    assert font == str(noto_cjk())
    sale_id = await credit_sale(shop)
    doc = await document_card(shop.uow(), shop.clerk, sale_id)

    with use_language("zh-CN"):
        card = render.slip(doc, "茶叶店", Typeface(font, cjk=True))

    assert card.title == "送货单" and card.business == "茶叶店"
    assert ("客户", "王老板") in card.facts
    assert card.rows[0][2] == "西湖龙井"
    assert Image.open(io.BytesIO(render.png(card))).format == "PNG"
    assert render.pdf(card).startswith(b"%PDF")
    find_cjk_font.cache_clear()
    cjk_font.cache_clear()


async def test_a_voided_sale_and_a_viewer_get_no_slip(harness: BotHarness, shop: Shop) -> None:
    sale_id = await credit_sale(shop, shop.manager)
    manager = harness.person(shop.manager.user_id)
    await open_sale_card(manager)
    card = manager.messages()[-1]
    await manager.press("↩ Undo")

    refused = joined(await manager.press_data(f"1:slip:{sale_id}", card))

    assert "is not a posted sale: there is no delivery slip for it" in refused
    viewer = harness.person(shop.viewer.user_id)
    assert harness.app is not None
    await harness.app.bot.send_message(viewer.chat["id"], "an old slip button")
    said = joined(await viewer.press_data(f"1:slip:{sale_id}", viewer.messages()[-1]))
    assert "may not do this" in said
    assert not harness.api.files
