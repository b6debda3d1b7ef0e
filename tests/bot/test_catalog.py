from decimal import Decimal

from sqlalchemy import select

from core.catalog.models import Barcode, Customer, Product, Supplier, Warehouse
from core.catalog.products import CreateProduct, create_product, get_product
from core.db.uow import UnitOfWork
from core.tenancy.groups import BindGroup, bind_group
from tests.bot.harness import BotHarness, group_chat, joined
from tests.support.shop import Shop, open_shop, rid


async def shop_with(harness: BotHarness, extra: int = 0) -> Shop:
    shop = await open_shop(harness.db)
    for n in range(extra):
        await create_product(
            shop.uow(),
            shop.owner,
            CreateProduct(request_id=rid(), sku=f"C{n:03d}", name=f"绿茶{n}", unit="包"),
        )
    return shop


async def product(harness: BotHarness, sku: str) -> Product:
    async with harness.db.reads() as session:
        row = await session.scalar(select(Product).where(Product.sku == sku))
    assert row is not None
    return row


async def test_products_are_paged_ten_at_a_time(harness: BotHarness) -> None:
    shop = await shop_with(harness, extra=12)
    manager = harness.person(shop.manager.user_id)

    first = joined(await manager.send("/products"))
    assert "Products 1–10 of 14:" in first
    assert manager.buttons()[:2] == ["A001 西湖龙井", "B002 不锈钢杯"]
    assert "▶" in manager.buttons() and "◀" not in manager.buttons()

    second = joined(await manager.press("▶"))
    assert "Products 11–14 of 14:" in second
    assert manager.buttons()[:4] == ["C008 绿茶8", "C009 绿茶9", "C010 绿茶10", "C011 绿茶11"]
    assert "◀" in manager.buttons() and "▶" not in manager.buttons()
    assert len(harness.api.calls) and harness.api.calls[-1].method == "editMessageText"


async def test_the_more_button_opens_products_and_a_search_filters_them(
    harness: BotHarness,
) -> None:
    shop = await shop_with(harness, extra=3)
    clerk = harness.person(shop.clerk.user_id)

    assert "Products 1–5 of 5:" in joined(
        await clerk.press_data("1:cmd:products", {"message_id": 1})
    )
    await clerk.press("🔎 Search")
    found = joined(await clerk.send("lc"))
    assert "Products matching “lc”:" in found
    assert clerk.buttons()[:3] == ["C000 绿茶0", "C001 绿茶1", "C002 绿茶2"]
    assert "No products match “咖啡”." in joined(await clerk.send("/products 咖啡"))


async def test_a_stale_page_button_shows_the_last_page_and_a_stale_card_is_refused(
    harness: BotHarness,
) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/products")
    message = manager.messages()[-1]

    assert "Products 1–2 of 2:" in joined(await manager.press_data("1:pl:7", message))
    assert "no longer active" in joined(await manager.press_data("1:pc:999999", message))
    assert "no longer active" in joined(await manager.press_data("1:pl:x", message))


async def test_a_manager_adds_a_product_in_four_steps(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/products")

    assert "What is its name?" in joined(await manager.press("➕ Add product"))
    assert "Unit?" in joined(await manager.send("茉莉花茶"))
    assert "Sale price?" in joined(await manager.press("box"))
    assert "not a number" in joined(await manager.send("cheap"))
    assert "Purchase price?" in joined(await manager.send("35.5"))
    done = joined(await manager.press("Skip"))

    assert "Saved." in done
    assert "茉莉花茶</b>" in done
    assert "Sale price: 35.50" in done
    async with harness.db.reads() as session:
        row = await session.scalar(select(Product).where(Product.name == "茉莉花茶"))
    assert row is not None
    assert (row.unit, row.default_sale_price, row.default_purchase_price) == (
        "box",
        Decimal("35.5"),
        None,
    )


async def test_a_manager_edits_a_price_and_the_database_has_it(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id, language="zh-hans")
    await manager.send("/products")
    await manager.press("A001")

    asked = joined(await manager.press("销售价"))
    assert "88.00" in asked
    assert "价格不能为负数" in joined(await manager.send("-1"))
    done = joined(await manager.send("99.5"))

    assert "已保存" in done
    assert "销售价：99.50" in done
    assert (await product(harness, "A001")).default_sale_price == Decimal("99.5")


async def test_sku_barcode_unit_and_reorder_point_are_changed(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/products")
    await manager.press("B002")

    await manager.press("SKU")
    assert "already taken" in joined(await manager.send("a001"))
    await manager.send("CUP-1")
    await manager.press("Barcode")
    await manager.send("6900000000017")
    await manager.press("Unit")
    await manager.press("pcs")
    await manager.press("Reorder point")
    done = joined(await manager.send("6"))

    assert "Reorder point: 6" in done
    row = await product(harness, "CUP-1")
    assert (row.unit, row.reorder_point) == ("pcs", Decimal(6))
    async with harness.db.reads() as session:
        codes = list(
            await session.scalars(select(Barcode.code).where(Barcode.product_id == row.id))
        )
    assert codes == ["6900000000017"]
    assert "<b>CUP-1 不锈钢杯</b>" in joined(await manager.send("6900000000017"))


async def test_a_clerk_sees_the_card_but_core_refuses_the_change(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    clerk = harness.person(shop.clerk.user_id)
    await clerk.send("/products")
    await clerk.press("A001")

    await clerk.press("Sale price")
    refused = joined(await clerk.send("1"))
    assert "Your role (clerk) may not do this" in refused
    assert "Nothing was saved." in refused
    archive = joined(await clerk.press("🗄 Archive"))
    assert "Your role (clerk) may not do this" in archive
    row = await product(harness, "A001")
    assert (row.default_sale_price, row.archived) == (Decimal(88), False)


async def test_archive_and_restore_and_an_archived_product_is_refused_in_flows(
    harness: BotHarness,
) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/products")
    await manager.press("B002")

    archived = joined(await manager.press("🗄 Archive"))
    assert "🗄 Archived" in archived
    assert "♻️ Restore" in manager.buttons()
    assert (await product(harness, "B002")).archived
    assert "🗄 Archived" in joined(await manager.send("B002"))  # the stock card says so
    listed = joined(await manager.send("/products"))
    assert "Products 1–2 of 2" in listed
    assert manager.buttons()[1] == "🗄 B002 不锈钢杯"

    await manager.press("B002")
    await manager.press("♻️ Restore")
    assert not (await product(harness, "B002")).archived


async def test_cancel_mid_edit_saves_nothing(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/products")
    await manager.press("A001")
    await manager.press("✏️ Name")

    assert "Cancelled" in joined(await manager.press("✖ Cancel"))
    assert (await product(harness, "A001")).name == "西湖龙井"
    assert "<b>A001 西湖龙井</b>" in joined(await manager.send("A001"))  # text is a query again


async def test_a_customer_is_added_edited_and_archived(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id)

    assert "Customers 1–1 of 1:" in joined(await manager.send("/customers"))
    await manager.press("➕ Add customer")
    await manager.send("李记茶行")
    await manager.send("李四")
    await manager.press("Skip")
    assert "whole number of days" in joined(await manager.send("abc"))
    done = joined(await manager.press("30"))
    assert "Payment terms: 30 days" in done
    async with harness.db.reads() as session:
        row = await session.scalar(select(Customer).where(Customer.name == "李记茶行"))
    assert row is not None
    assert (row.contact, row.phone, row.terms_days) == ("李四", "", 30)

    await manager.press("📞 Phone")
    await manager.send("13800000000")
    await manager.press("🗄 Archive")
    async with harness.db.reads() as session:
        row = await session.get_one(Customer, row.id)
    assert (row.phone, row.archived) == ("13800000000", True)


async def test_a_clerk_adds_a_supplier_but_may_not_change_it(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")

    await clerk.press_data("1:cmd:suppliers", {"message_id": 1})
    await clerk.press("➕")
    await clerk.send("安吉白茶")
    await clerk.press("跳过")
    await clerk.press("跳过")
    done = joined(await clerk.press("跳过"))
    assert "账期：0 天" in done
    async with harness.db.reads() as session:
        row = await session.scalar(select(Supplier).where(Supplier.name == "安吉白茶"))
    assert row is not None and row.terms_days == 0

    await clerk.press("账期")
    refused = joined(await clerk.send("60"))
    assert "不能做这个操作" in refused
    async with harness.db.reads() as session:
        assert (await session.get_one(Supplier, row.id)).terms_days == 0

    manager = harness.person(shop.manager.user_id, language="zh-hans")
    await manager.send("/suppliers")
    await manager.press("安吉白茶")
    await manager.press("账期")
    assert "账期：60 天" in joined(await manager.send("60天"))
    await manager.press("联系人")
    await manager.send("赵六")
    async with harness.db.reads() as session:
        changed = await session.get_one(Supplier, row.id)
    assert (changed.terms_days, changed.contact) == (60, "赵六")


async def test_a_viewer_does_not_see_parties(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    viewer = harness.person(shop.viewer.user_id)

    answer = joined(await viewer.send("/customers"))

    assert "may not do this" in answer
    assert "王老板" not in answer


async def test_warehouses_are_added_renamed_and_archived_unless_they_hold_stock(
    harness: BotHarness,
) -> None:
    shop = await shop_with(harness)
    await shop.receive(shop.tea, "5", "10", warehouse=shop.main)
    owner = harness.person(shop.owner.user_id)

    await owner.send("/warehouses")
    await owner.press("➕ Add warehouse")
    done = joined(await owner.send("三号仓"))
    assert "<b>三号仓</b>" in done
    await owner.press("✏️ Rename")
    assert "already taken" in joined(await owner.send("二号仓"))
    await owner.send("门店")
    await owner.press("🗄 Archive")
    async with harness.db.reads() as session:
        row = await session.scalar(select(Warehouse).where(Warehouse.name == "门店"))
    assert row is not None and row.archived

    await owner.send("/warehouses")
    await owner.press("⭐")
    refused = joined(await owner.press("🗄 Archive"))
    assert "still holds stock" in refused
    async with harness.db.reads() as session:
        assert not (await session.get_one(Warehouse, shop.main)).archived


async def test_a_clerk_may_not_add_a_warehouse(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    clerk = harness.person(shop.clerk.user_id)

    await clerk.press_data("1:cmd:warehouses", {"message_id": 1})
    await clerk.press("➕ Add warehouse")
    refused = joined(await clerk.send("仓库X"))

    assert "Your role (clerk) may not do this" in refused
    async with harness.db.reads() as session:
        assert await session.scalar(select(Warehouse).where(Warehouse.name == "仓库X")) is None


async def test_the_catalog_stays_out_of_groups(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100777))
    owner = harness.person(shop.owner.user_id, chat=group_chat(-100777))

    assert "private chat" in joined(await owner.send("/products"))
    assert "private chat" in joined(await owner.send("/customers"))


async def test_a_double_tap_on_the_last_step_adds_one_product(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id)
    await manager.send("/products")
    await manager.press("➕ Add product")
    await manager.send("红茶")
    await manager.press("box")
    await manager.press("Skip")
    message, data = manager.find_button("Skip")

    await manager.press_data(data, message)
    again = joined(await manager.press_data(data, message))

    assert "no longer active" in again
    async with harness.db.reads() as session:
        rows = list(await session.scalars(select(Product).where(Product.name == "红茶")))
    assert len(rows) == 1
    view = await get_product(shop.uow(), shop.viewer, rows[0].id)
    assert view.default_sale_price is None


async def test_a_customers_currency_and_credit_limit_are_set_on_its_card(
    harness: BotHarness,
) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/customers")
    await manager.press("王老板")
    await manager.press("🚦 Credit limit")
    assert "A credit limit is an amount" in joined(await manager.send("lots"))
    assert "Credit limit: 5,000.00" in joined(await manager.send("5000"))
    await manager.press("💱 Currency")
    assert "not a currency code" in joined(await manager.send("RMB"))
    card = joined(await manager.send("usd"))
    assert "Currency: USD" in card and "Credit limit: 5,000.00" in card
    await manager.press("🚦 Credit limit")
    assert "Credit limit: none" in joined(await manager.send("none"))
    async with harness.db.reads() as session:
        customer = await session.get_one(Customer, shop.customer_id)
    assert (customer.currency, customer.credit_limit) == ("USD", None)


async def test_a_supplier_card_has_a_currency_but_no_credit_limit_in_chinese(
    harness: BotHarness,
) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id, language="zh-hans")
    await manager.send("/suppliers")
    card = joined(await manager.press("杭州茶厂"))
    assert "信用额度" not in card
    await manager.press("币种")
    assert "币种：EUR" in joined(await manager.send("EUR"))


async def test_a_product_gets_its_own_point_in_a_warehouse(harness: BotHarness) -> None:
    shop = await shop_with(harness)
    manager = harness.person(shop.manager.user_id, language="en")
    await manager.send("/products")
    await manager.press("A001")
    listed = joined(await manager.press("🏬 Point per warehouse"))
    assert "A warehouse may have its own point" in listed
    main = next(b for b in manager.buttons() if b.startswith("主仓库"))
    assert main == "主仓库 · —"
    await manager.press(main)
    assert "not a number" in joined(await manager.send("lots"))
    saved = joined(await manager.send("15"))
    assert "主仓库 · 15" in manager.buttons() and "Saved." in saved
    await manager.press("主仓库 · 15")
    await manager.send("none")
    assert "主仓库 · —" in manager.buttons()
    clerk = harness.person(shop.clerk.user_id, language="zh-hans")
    await clerk.send("/products")
    await clerk.press("A001")
    await clerk.press("🏬 各仓库安全库存")
    await clerk.press("主仓库 · —")
    assert "不能" in joined(await clerk.send("5")) or "角色" in joined(clerk.api.sent_texts[-1:])
