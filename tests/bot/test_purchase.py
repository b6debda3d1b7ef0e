"""The purchase receipt flow (采购入库), walked through as a clerk or owner would."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.catalog.models import Product, Supplier
from core.catalog.products import ChangeProduct, CreateProduct, change_product, create_product
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.inventory.models import Document
from core.inventory.stock import stock_card
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business
from core.tenancy.groups import BindGroup, bind_group
from tests.bot.harness import BotHarness, Person, group_chat, joined
from tests.support.shop import Shop, open_shop, rid

D = Decimal


# -- helpers shared with test_sale.py ------------------------------------------------------


async def documents(db: Database, doc_type: str) -> list[Document]:
    """Every document of a type, oldest first."""
    async with db.reads() as session:
        return list(
            await session.scalars(
                select(Document).where(Document.doc_type == doc_type).order_by(Document.id)
            )
        )


async def on_hand(db: Database, actor: Actor, sku: str, warehouse_id: int) -> Decimal:
    """On hand of a product in a warehouse, by core's stock card."""
    card = await stock_card(UnitOfWork(db), actor, sku=sku)
    return sum((lv.on_hand for lv in card.levels if lv.warehouse_id == warehouse_id), D(0))


async def one_warehouse_shop(db: Database, owner_id: int, locale: str = "en") -> Actor:
    """A business with only its default warehouse and one product, A001 乌龙茶."""
    owner = Actor(user_id=owner_id)
    business = await create_business(
        UnitOfWork(db), owner, CreateBusiness(request_id=rid(), name="Tea", locale=locale)
    )
    owner = Actor(user_id=owner_id, business_id=business.business_id)
    await create_product(
        UnitOfWork(db),
        owner,
        CreateProduct(
            request_id=rid(),
            sku="A001",
            name="乌龙茶",
            unit="box",
            default_purchase_price=D("11"),
            default_sale_price=D("20"),
        ),
    )
    return owner


async def walk(person: Person, *steps: str) -> list[str]:
    """Types text, or presses a button for a step written ``[label]``; all the bot said."""
    said: list[str] = []
    for item in steps:
        if item.startswith("[") and item.endswith("]"):
            said += await person.press(item[1:-1])
        else:
            said += await person.send(item)
    return said


@pytest.fixture
async def shop(harness: BotHarness) -> Shop:
    return await open_shop(harness.db, owner_id=1000)


# -- end to end ------------------------------------------------------------------------------


async def test_a_purchase_into_the_only_warehouse_posts_with_undo_and_raises_stock(
    harness: BotHarness,
) -> None:
    owner = await one_warehouse_shop(harness.db, 700)
    me = harness.person(700)

    asked = await me.send("/purchase")
    assert "Supplier?" in joined(asked)
    said = await walk(me, "[No supplier]", "A001", "3", "12.5")
    assert "warehouse" not in joined(said).lower()  # one warehouse: not asked
    assert "Added: A001 乌龙茶 × 3 @ 12.50 = 37.50" in joined(said)
    summary = await me.press("Done")
    assert "1. A001 乌龙茶 × 3 @ 12.50 = 37.50" in joined(summary)
    assert "Supplier: none" in joined(summary)

    posted = await me.press("Confirm")

    assert "✅ Receipt <b>CG-" in joined(posted) and "Total: 37.50" in joined(posted)
    assert me.buttons() == ["↩ Undo"]
    assert "📥 Purchase" in me.reply_keyboard()  # the main menu follows
    card = await stock_card(UnitOfWork(harness.db), owner, sku="A001")
    assert card.on_hand == D(3) and card.avg_cost == D("12.5")


async def test_a_purchase_in_chinese(harness: BotHarness) -> None:
    owner = await one_warehouse_shop(harness.db, 701, locale="zh-CN")
    me = harness.person(701, language="zh-hans")

    asked = await me.send("/purchase")
    assert "采购入库" in joined(asked) and "供应商是谁" in joined(asked)
    said = await walk(me, "[不指定供应商]", "乌龙茶", "2", "[默认进价 11.00]")
    assert "乌龙茶 数量多少（box）？" in joined(said)
    assert "已添加：A001 乌龙茶 × 2 @ 11.00 = 22.00" in joined(said)
    assert "合计：22.00" in joined(await me.press("完成"))
    posted = await me.press("确认")

    assert "✅ 入库单 <b>CG-" in joined(posted) and "已过账" in joined(posted)
    assert me.buttons() == ["↩ 撤销"]
    [receipt] = await documents(harness.db, "CG")
    assert await on_hand(harness.db, owner, "A001", receipt.warehouse_id) == 2


async def test_a_recent_supplier_is_a_button_and_the_receipt_is_theirs(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)

    await me.send("📥 Purchase")
    assert me.buttons()[:2] == ["杭州茶厂", "➖ No supplier"]
    await walk(me, "[杭州茶厂]", "[主仓库]", "A001", "1", "5", "[Done]", "[Confirm]")

    [receipt] = await documents(harness.db, "CG")
    assert receipt.supplier_id == shop.supplier_id


async def test_typing_part_of_a_suppliers_name_offers_it(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await me.send("/purchase")

    found = await me.send("杭州")

    assert "Suppliers matching “杭州”" in joined(found)
    assert me.buttons()[0] == "杭州茶厂"
    assert "Receive into which warehouse?" in joined(await me.press("杭州茶厂"))


async def test_a_new_supplier_is_added_inside_the_flow_once(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await me.send("/purchase")
    assert "No supplier matches “Green Leaf”" in joined(await me.send("Green Leaf"))
    message, data = me.find_button("Add supplier")

    added = await me.press_data(data, message)
    await me.press_data(data, message)  # a second tap: the step has moved on

    assert "Supplier Green Leaf added." in joined(added)
    await walk(me, "[二号仓]", "A001", "1", "5", "[Done]", "[Confirm]")
    [receipt] = await documents(harness.db, "CG")
    async with harness.db.reads() as session:
        names = list(await session.scalars(select(Supplier.name).order_by(Supplier.id)))
    assert names == ["杭州茶厂", "Green Leaf"]
    assert receipt.supplier_id is not None


async def test_with_two_warehouses_the_last_one_used_comes_first(
    harness: BotHarness, shop: Shop
) -> None:
    await shop.receive(shop.cup, "1", "1", actor=shop.clerk, warehouse=shop.second)
    me = harness.person(1002)

    said = await walk(me, "/purchase", "[No supplier]")

    assert "Receive into which warehouse?" in joined(said)
    assert me.buttons() == ["二号仓", "主仓库", "✖ Cancel"]
    await walk(me, "[二号仓]", "A001", "4", "2", "[Done]", "[Confirm]")
    assert await on_hand(harness.db, shop.owner, "A001", shop.second) == 4
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == 0


@pytest.mark.parametrize("term", ["西湖龙井", "xhlj", "6901234567892", "a001"])
async def test_a_product_is_found_by_name_pinyin_initials_barcode_or_sku(
    harness: BotHarness, shop: Shop, term: str
) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]")

    assert "How many 盒 of A001 西湖龙井?" in joined(await me.send(term))


async def test_several_matching_products_become_buttons(harness: BotHarness, shop: Shop) -> None:
    await create_product(
        UnitOfWork(harness.db),
        shop.owner,
        CreateProduct(request_id=rid(), sku="A002", name="西湖红茶", unit="盒"),
    )
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]")

    assert "Several products match" in joined(await me.send("西湖"))
    assert "How many 盒 of A002 西湖红茶?" in joined(await me.press("A002"))


async def test_an_unknown_product_is_added_without_leaving_the_flow(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]")

    said = await walk(me, "Jasmine Pearl", "[Add “Jasmine Pearl”]", "[Use “Jasmine Pearl”]")
    said += await walk(me, "[pcs]", "30")

    assert "How many pcs of" in joined(said) and "Jasmine Pearl" in joined(said)
    await walk(me, "6", "8", "[Done]", "[Confirm]")
    async with harness.db.reads() as session:
        product = await session.scalar(select(Product).where(Product.name == "Jasmine Pearl"))
    assert product is not None and product.default_sale_price == D(30)
    assert await on_hand(harness.db, shop.owner, product.sku, shop.main) == 6


async def test_the_last_cost_paid_is_offered_as_a_button(harness: BotHarness, shop: Shop) -> None:
    await shop.receive(shop.tea, "1", "6.25")
    me = harness.person(1002)

    asked = await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2")
    assert "Unit cost of A001 西湖龙井? Type it, or tap the button." in joined(asked)
    added = await me.press("Last cost 6.25")

    assert "A001 西湖龙井 × 2 @ 6.25 = 12.50" in joined(added)


async def test_lines_are_added_removed_and_totalled(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2", "10")
    added = await walk(me, "[Add another]", "B002", "3", "1.5")
    assert "Lines: 2 · Total: 24.50" in joined(added)
    summary = await me.press("Done")
    assert "1. A001 西湖龙井 × 2 @ 10.00 = 20.00" in joined(summary)
    assert "2. B002 不锈钢杯 × 3 @ 1.50 = 4.50" in joined(summary)
    assert "<b>Total: 24.50</b>" in joined(summary)

    fewer = await me.press("Remove last line")
    assert "B002" not in joined(fewer) and "<b>Total: 20.00</b>" in joined(fewer)
    await me.press("Confirm")

    [receipt] = await documents(harness.db, "CG")
    assert receipt.total == D(20)
    assert await on_hand(harness.db, shop.owner, "B002", shop.main) == 0


async def test_removing_the_only_line_asks_for_a_product_again(
    harness: BotHarness, shop: Shop
) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2", "10", "[Done]")

    said = await me.press("Remove last line")

    assert "no lines left" in joined(said) and "Which product?" in joined(said)
    assert "How many" in joined(await me.send("B002"))


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "Quantity must be greater than 0."),
        ("-2", "Quantity must be greater than 0."),
        ("1.2345", "Quantity may have at most 3 decimals."),
        ("many", "“many” is not a number."),
    ],
)
async def test_a_bad_quantity_is_asked_again_with_the_reason(
    harness: BotHarness, shop: Shop, typed: str, reason: str
) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001")

    assert joined(await me.send(typed)) == reason
    assert "Unit cost of" in joined(await me.send("1.5"))  # the same step took the next answer


async def test_a_negative_price_is_asked_again_in_chinese(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002, language="zh-hans")
    await walk(me, "/purchase", "[不指定供应商]", "[主仓库]", "A001", "1")

    assert joined(await me.send("-3")) == "价格不能为负数。"
    assert "已添加" in joined(await me.send("3"))


async def test_an_archived_product_is_refused_and_another_command_waits(
    harness: BotHarness, shop: Shop
) -> None:
    await change_product(
        UnitOfWork(harness.db),
        shop.owner,
        ChangeProduct(product_id=shop.cup.product_id, archived=True),
    )
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]")

    refused = joined(await me.send("B002"))  # archived: not offered (the picker says why)
    assert "B002" in refused and "How many" not in refused
    assert "in the middle of something" in joined(await me.send("/stock A001"))
    assert "in the middle of something" in joined(await me.send("📤 Sale"))
    assert "How many" in joined(await me.send("A001"))


async def test_cancel_mid_flow_posts_nothing(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2", "10", "[Done]")

    assert "Cancelled. Nothing was saved." in joined(await me.press("Cancel"))
    assert await documents(harness.db, "CG") == []
    assert "Supplier?" in joined(await me.send("/purchase"))  # a fresh start


async def test_a_double_tap_on_confirm_posts_one_receipt(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2", "10", "[Done]")
    message, data = me.find_button("Confirm")

    first = await me.press_data(data, message)
    second = await me.press_data(data, message)

    assert "posted" in joined(first)
    assert joined(second) == "This button is no longer active."
    assert len(await documents(harness.db, "CG")) == 1
    assert await on_hand(harness.db, shop.owner, "A001", shop.main) == 2


async def test_a_button_of_a_finished_purchase_is_stale(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2", "10")
    message, add_another = me.find_button("Add another")
    await walk(me, "[Done]", "[Confirm]")

    assert joined(await me.press_data(add_another, message)) == "This button is no longer active."


async def test_a_viewer_may_not_enter_a_receipt(harness: BotHarness, shop: Shop) -> None:
    viewer = harness.person(1003)

    said = await viewer.send("/purchase")

    assert "Your role (" in joined(said) and "may not do this" in joined(said)


async def test_the_more_menu_button_starts_a_purchase(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    message = {"message_id": 1, "date": 0, "text": "More:"}

    assert "Supplier?" in joined(await me.press_data("1:cmd:purchase", message))


async def test_the_bound_group_is_told_without_prices(harness: BotHarness, shop: Shop) -> None:
    group = group_chat(-100777)
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100777))
    harness.api.know_chat(group)
    me = harness.person(1002, first_name="Xiao Li")

    await walk(me, "/purchase", "[No supplier]", "[主仓库]", "A001", "2", "13.75")
    await walk(me, "[Done]", "[Confirm]")

    told = [
        c.params["text"]
        for c in harness.api.calls
        if c.method == "sendMessage" and c.params["chat_id"] == -100777
    ]
    assert len(told) == 1
    assert "Xiao Li 采购入库 CG-" in told[0]  # in the business's language
    assert "A001 西湖龙井 × 2 盒" in told[0]
    assert "13.75" not in told[0] and "27.50" not in told[0]


async def test_void_and_copy_starts_a_prefilled_receipt(harness: BotHarness, shop: Shop) -> None:
    posted = await shop.receive(shop.tea, "4", "7.5", actor=shop.clerk, warehouse=shop.second)
    me = harness.person(1002)
    message = {"message_id": 2, "date": 0, "text": "voided"}

    said = await me.press_data(f"1:copy.CG:{posted.document_id}", message)

    assert f"Copied from {posted.number}" in joined(said)
    assert "Warehouse: 二号仓" in joined(said)
    assert "1. A001 西湖龙井 × 4 @ 7.50 = 30.00" in joined(said)
    await walk(me, "[Remove last line]", "B002", "1", "2", "[Done]", "[Confirm]")
    receipts = await documents(harness.db, "CG")
    assert len(receipts) == 2 and receipts[1].warehouse_id == shop.second


async def test_a_restart_mid_purchase_keeps_the_lines(harness: BotHarness, shop: Shop) -> None:
    me = harness.person(1002)
    await walk(me, "/purchase", "[杭州茶厂]", "[主仓库]", "A001", "2", "10", "[Add another]")

    await harness.restart()
    said = await walk(me, "B002", "1", "4", "[Done]")

    assert "Supplier: 杭州茶厂" in joined(said) and "<b>Total: 24.00</b>" in joined(said)
    await me.press("Confirm")
    [receipt] = await documents(harness.db, "CG")
    assert receipt.total == D(24) and receipt.supplier_id == shop.supplier_id


async def test_in_the_group_no_earlier_cost_is_offered(harness: BotHarness, shop: Shop) -> None:
    await shop.receive(shop.tea, "1", "6.25")
    group = group_chat(-100779)
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100779))
    clerk = harness.person(1002, chat=group)

    said = await walk(clerk, "/purchase", "[No supplier]", "[主仓库]", "A001", "2")

    assert "Unit cost of A001 西湖龙井? Type it." in joined(said)
    assert "6.25" not in joined(said) and clerk.buttons() == ["✖ Cancel"]
    assert "posted" in joined(await walk(clerk, "6.5", "[Done]", "[Confirm]"))
