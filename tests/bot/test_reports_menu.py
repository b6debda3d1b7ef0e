"""/report (报表): the menu, periods, summaries, .xlsx files and charts, by role and chat."""

import asyncio
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PIL import Image

import bot.handlers.reports as reports_handler
from bot.offline import SentFile
from core.catalog.products import CreateProduct, create_product
from core.db.uow import UnitOfWork
from core.tenancy.groups import BindGroup, bind_group
from tests.bot.harness import BotHarness, Person, group_chat, joined
from tests.bot.test_purchase import walk
from tests.support.money import credit_receipt, credit_sale
from tests.support.shop import Shop, open_shop, rid

D = Decimal


def local_today(harness: BotHarness) -> date:
    return harness.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
async def shop(harness: BotHarness) -> Shop:
    """茶叶店 this month: tea in from 杭州茶厂 on credit, cups in cash, two sales; one last month.

    Tea 100 @ 3.00 (credit, 300.00 owed), cups 50 @ 2.00; this month Wang buys 10 tea at
    10.00 on credit (COGS 30.00) and a walk-in 5 cups at 4.00 (COGS 10.00); dated the 1st of
    last month Wang bought 2 tea at 12.00 on credit. C003 (7 @ 5.00) never sold.
    """
    stocked = await open_shop(harness.db, owner_id=1000)
    await credit_receipt(stocked, "100", "3")
    await stocked.receive(stocked.cup, "50", "2")
    jar = await create_product(
        stocked.uow(),
        stocked.owner,
        CreateProduct(request_id=rid(), sku="C003", name="Glass jar", unit="pc"),
    )
    await stocked.receive(jar, "7", "5")
    await credit_sale(stocked, "10", "10")
    await stocked.sell(stocked.cup, "5", "4")
    last_month = local_today(harness).replace(day=1) - timedelta(days=1)
    await credit_sale(stocked, "2", "12", doc_date=last_month.replace(day=1))
    return stocked


async def finished(harness: BotHarness) -> None:
    """Waits for the reports being built (each runs as its own task)."""
    assert harness.app is not None
    tasks = harness.app.bot_data.extra.get(reports_handler.TASKS, set())
    await asyncio.wait_for(asyncio.gather(*list(tasks)), timeout=30)


async def report(harness: BotHarness, person: Person, *steps: str) -> tuple[str, list[SentFile]]:
    """Walks the steps, waits for the report: its final message text and the files sent."""
    files = len(harness.api.files)
    await walk(person, *steps)
    await finished(harness)
    texts = [m for m in person.messages() if "text" in m]
    return str(texts[-1]["text"]), harness.api.files[files:]


def sheet(files: list[SentFile]) -> list[list[Any]]:
    [xlsx] = [f for f in files if f.filename.endswith(".xlsx")]
    book = load_workbook(io.BytesIO(xlsx.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def pngs(files: list[SentFile]) -> list[Image.Image]:
    return [Image.open(io.BytesIO(f.content)) for f in files if f.filename.endswith(".png")]


async def test_sales_by_product_this_month_in_english(harness: BotHarness, shop: Shop) -> None:
    owner = harness.person(1000)

    menu = joined(await owner.send("/report"))
    assert "📊 <b>Reports</b>: which one?" in menu
    assert "📒 Receivables aging" in owner.buttons()
    asked = joined(await owner.press("🛒 Sales by product"))
    assert "Which period?" in asked
    assert owner.buttons()[:5] == [
        "Today",
        "This week",
        "This month",
        "Last month",
        "📅 Custom dates…",
    ]
    text, files = await report(harness, owner, "[This month]")

    today = local_today(harness)
    assert f"<b>🛒 Sales by product</b> · {today.replace(day=1).isoformat()} – " in text
    assert "1. A001 西湖龙井 — 10 · 100.00 · GP 70.00 (70.0 %)" in text
    assert "2. B002 不锈钢杯 — 5 · 20.00 · GP 10.00 (50.0 %)" in text
    assert "<b>Total: 120.00 CNY</b> · sales: 2, returns: 0" in text
    assert "Gross profit: 80.00 (66.7 %)" in text
    assert "✅ Done: the full table is in the .xlsx file below." in text
    rows = sheet(files)
    assert rows[0][:4] == ["SKU", "Product", "Sales", "Returns"]
    assert "Gross profit" in rows[0] and "Margin" in rows[0]
    [chart] = pngs(files)
    assert chart.width > 200 and chart.height > 200
    assert files[-1].filename == (
        f"sales_by_product_{today.replace(day=1).isoformat()}_{today.isoformat()}.xlsx"
    )


async def test_sales_by_product_in_chinese_with_chinese_headers(
    harness: BotHarness, shop: Shop
) -> None:
    owner = harness.person(1000, language="zh-hans")

    assert "📊 <b>报表</b>：看哪一个？" in joined(await owner.send("/report"))
    assert "哪个期间？" in joined(await owner.press("🛒 销售 · 按商品"))
    assert owner.buttons()[:5] == ["今天", "本周", "本月", "上月", "📅 自定义日期…"]
    text, files = await report(harness, owner, "[本月]")

    assert "<b>🛒 销售 · 按商品</b>" in text
    assert "1. A001 西湖龙井 — 10 · 100.00 · 毛利 70.00（70.0 %）" in text
    assert "<b>合计：120.00 CNY</b> · 销售 2 单，退货 0 单" in text
    assert "✅ 完成：完整表格见下方 .xlsx 文件。" in text
    rows = sheet(files)
    assert rows[0] == [
        "编码",
        "商品",
        "销售单数",
        "退货单数",
        "数量",
        "销售额",
        "销售成本",
        "毛利",
        "毛利率",
    ]
    assert rows[-1][0] == "合计" and rows[-1][5] == 120
    assert len(pngs(files)) == 1


async def test_the_period_buttons_switch_between_this_month_and_last_month(
    harness: BotHarness, shop: Shop
) -> None:
    owner = harness.person(1000)
    await walk(owner, "/report", "[Sales by product]")
    this_month, _ = await report(harness, owner, "[This month]")
    assert "• This month" in owner.buttons()

    last_month, files = await report(harness, owner, "[Last month]")

    end = local_today(harness).replace(day=1) - timedelta(days=1)
    assert f"{end.replace(day=1).isoformat()} – {end.isoformat()}" in last_month
    assert "1. A001 西湖龙井 — 2 · 24.00 · GP 18.00 (75.0 %)" in last_month
    assert "<b>Total: 24.00 CNY</b> · sales: 1, returns: 0" in last_month
    assert "B002" not in last_month and "B002" in this_month
    assert "• Last month" in owner.buttons()
    assert sheet(files)[1][:2] == ["A001", "西湖龙井"]


async def test_custom_dates_are_typed_and_bad_ones_asked_again(
    harness: BotHarness, shop: Shop
) -> None:
    owner = harness.person(1000)
    await walk(owner, "/report", "[Sales by day]")

    asked = joined(await owner.press("Custom dates"))
    assert "Type the first and last day like this: 2026-11-01 2026-11-15" in asked
    assert "Type the first and last day like this" in joined(await owner.send("last week"))
    assert "There is no such date" in joined(await owner.send("2026-02-30 2026-03-01"))
    assert "The last day is before the first" in joined(await owner.send("2026-03-05 2026-03-01"))
    first = (local_today(harness).replace(day=1) - timedelta(days=1)).replace(day=1)
    text, files = await report(harness, owner, f"{first.isoformat()} {first.isoformat()}")

    assert f"<b>📈 Sales by day</b> · {first.isoformat()}\n" in text
    assert f"{first.isoformat()} — 2 · 24.00 · GP 18.00 (75.0 %)" in text
    assert "<b>Total: 24.00 CNY</b>" in text
    assert len(pngs(files)) == 1  # daily sales as a line


async def test_the_more_menu_opens_the_reports(harness: BotHarness, shop: Shop) -> None:
    owner = harness.person(1000)
    await owner.send("☰ More")
    assert "📊 <b>Reports</b>: which one?" in joined(await owner.press("Reports"))


async def test_every_report_for_the_owner(harness: BotHarness, shop: Shop) -> None:
    owner = harness.person(1000)
    today = local_today(harness)
    month = f"{today.replace(day=1).isoformat()} – {today.isoformat()}"

    stock, files = await report(harness, owner, "/report", "[Stock on hand]")
    assert "主仓库 · products: 3 · value 389.00" in stock
    assert "A001 西湖龙井 · 主仓库 · 88 盒 · 264.00" in stock
    assert "<b>Products in stock: 3 · value 389.00 CNY</b>" in stock
    assert sheet(files)[1] == ["A001", "西湖龙井", "盒", "主仓库", 88, 3, 264]
    assert len(pngs(files)) == 1  # value by warehouse

    history, files = await report(
        harness, owner, "/report", "[Stock history]", "A001", "[This month]"
    )
    assert f"<b>📜 Stock history of a product</b> · A001 西湖龙井 · {month}" in history
    assert "Opening: 0 盒" in history
    assert "CG-" in history and "Purchase receipt +100 → 100 · 主仓库" in history
    assert "Sale −10 → 90" in history and "Sale −2 → 88" in history
    assert "<b>In +100 · out −12 · closing 88 盒</b>" in history
    assert sheet(files)[0][2:4] == ["Document", "Type"]

    by_day, files = await report(harness, owner, "/report", "[Sales by day]", "[This month]")
    assert f"{today.isoformat()} — 15 · 120.00 · GP 80.00 (66.7 %)" in by_day
    assert len(pngs(files)) == 1

    by_customer, _ = await report(harness, owner, "/report", "[Sales by customer]", "[This month]")
    assert "1. 王老板 — 10 · 100.00 · GP 70.00 (70.0 %)" in by_customer
    assert "2. Walk-in customer — 5 · 20.00 · GP 10.00 (50.0 %)" in by_customer

    bought, files = await report(
        harness, owner, "/report", "[Purchases by supplier]", "[This month]"
    )
    assert "1. 杭州茶厂 — receipts: 1 · 300.00" in bought
    assert "2. No supplier — receipts: 2 · 135.00" in bought
    assert "<b>Total: 435.00 CNY</b> · receipts: 3, returns: 0" in bought
    assert sheet(files)[0] == ["Supplier", "Receipts", "Returns", "Qty", "Returned", "Amount"]

    slow, files = await report(harness, owner, "/report", "[Slow movers]", "[90 days]")
    assert "no sale in 90 days" in slow
    assert "1. C003 Glass jar · 7 pc · never sold · value 35.00" in slow
    assert "<b>Products: 1 · value tied up 35.00 CNY</b>" in slow
    assert not pngs(files)

    ranked, _ = await report(harness, owner, "/report", "[ABC]", "[This month]")
    assert "<b>A</b> · products: 1 · 100.00 (83.3 %)" in ranked
    assert "1. A001 西湖龙井 · A · 100.00 (83.3 %)" in ranked

    turning, _ = await report(harness, owner, "/report", "[Turnover]", "[This month]")
    assert "1. A001 西湖龙井 · sold 10 (" in turning and "on hand 88" in turning
    assert "turnover 0.23" in turning

    owed, files = await report(harness, owner, "/report", "[Receivables aging]")
    assert "1. 王老板 · 124.00" in owed and "<b>Total: 124.00 CNY</b>" in owed
    assert sheet(files)[0][-1] == "Balance owed"
    owing, _ = await report(harness, owner, "/report", "[Payables aging]")
    assert "1. 杭州茶厂 · 300.00" in owing and "<b>Total: 300.00 CNY</b>" in owing


async def test_a_clerk_sees_no_cost_profit_or_aging(harness: BotHarness, shop: Shop) -> None:
    clerk = harness.person(shop.clerk.user_id)

    await clerk.send("/report")
    assert "📒 Receivables aging" not in clerk.buttons()
    assert "🛒 Sales by product" in clerk.buttons()
    text, files = await report(harness, clerk, "[Sales by product]", "[This month]")

    assert "1. A001 西湖龙井 — 10 · 100.00" in text
    assert "GP" not in text and "profit" not in text.lower() and "70.00" not in text
    assert sheet(files)[0] == ["SKU", "Product", "Sales", "Returns", "Qty", "Revenue"]
    stock, files = await report(harness, clerk, "/report", "[Stock on hand]")
    assert "value" not in stock and "264.00" not in stock
    assert "Average cost" not in sheet(files)[0] and "Stock value" not in sheet(files)[0]
    assert not pngs(files)  # the chart is of values


async def test_a_viewer_sees_only_stock_reports(harness: BotHarness, shop: Shop) -> None:
    viewer = harness.person(shop.viewer.user_id)

    await viewer.send("/report")

    assert viewer.buttons() == [
        "📦 Stock on hand",
        "📜 Stock history of a product",
        "🐢 Slow movers and dead stock",
    ]
    stock, files = await report(harness, viewer, "[Stock on hand]")
    assert "A001 西湖龙井 · 主仓库 · 88 盒" in stock and "value" not in stock
    assert sheet(files)[0] == ["SKU", "Product", "Unit", "Warehouse", "On hand"]


async def test_in_a_group_chat_a_report_is_text_only_without_costs(
    harness: BotHarness, shop: Shop
) -> None:
    await bind_group(UnitOfWork(harness.db), shop.owner, BindGroup(chat_id=-100777))
    owner = harness.person(1000, chat=group_chat(-100777))

    await owner.send("/report")
    assert "📒 Receivables aging" not in owner.buttons()
    text, files = await report(harness, owner, "[Sales by product]", "[This month]")

    assert "1. A001 西湖龙井 — 10 · 100.00" in text and "GP" not in text
    assert "✅ Done. Ask me in a private chat for the .xlsx file." in text
    assert files == []


async def test_another_user_is_answered_while_a_report_is_building(
    harness: BotHarness, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    real_sales = reports_handler.sales

    async def slow_sales(*args: Any, **kwargs: Any) -> Any:
        await release.wait()  # a big shop's sales report, still reading
        return await real_sales(*args, **kwargs)

    monkeypatch.setattr(reports_handler, "sales", slow_sales)
    owner, clerk = harness.person(1000), harness.person(shop.clerk.user_id)
    await walk(owner, "/report", "[Sales by product]")

    pressed = joined(await owner.press("This month"))
    answer = joined(await clerk.send("/stock A001"))

    assert "⏳ Building the report… 0 %" in pressed
    assert "A001" in answer and "88" in answer  # answered while the report waits
    assert "⏳ Building the report" in owner.last_text()
    release.set()
    await finished(harness)
    assert "✅ Done" in [m for m in owner.messages() if "text" in m][-1]["text"]
