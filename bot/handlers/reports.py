"""/report (报表): a menu of reports, their periods, and each answer as text, .xlsx and a chart.

A report can take a while on a big shop, so pressing one only sends "⏳ Building the report…"
and starts the work as its own task (``application.create_task``): the update is done at
once and every other user is served meanwhile. The task reads the figures (one core call
for the summary, a second for the full table when the first was cut), edits that one
message as it goes, and builds the chart and the workbook in a thread (matplotlib and
openpyxl never run on the event loop). In a group chat the answer is the text alone.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InputFile, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.handlers.replies import answer_only, reply, show
from bot.render import callbacks as cb
from bot.render import reports as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.catalog.lookup import find_products
from core.errors import DomainError
from core.finance.models import PartyKind
from core.reports import (
    Aging,
    Chart,
    abc,
    aging,
    bar_chart,
    line_chart,
    purchases,
    sales,
    sales_chart,
    slow_movers,
    stock_history,
    stock_on_hand,
    to_table,
    turnover,
    workbook,
)
from core.tenancy.access import Actor
from core.tenancy.businesses import current_business
from core.tenancy.results import BusinessView

logger = logging.getLogger(__name__)

FLOW: Final = "report"
DATES: Final = "report.dates"
PRODUCT: Final = "report.product"
TASKS: Final = "report_tasks"  # bot_data.extra: the reports being built (tests wait on them)
SALES_BY: Final = {"sday": "day", "sprod": "product", "scust": "customer"}


@dataclass(frozen=True)
class Job:
    """One report to build: which, for what period (or days), about what product."""

    key: str
    code: str  # a period button's code, "n90" (days without a sale) or "" (no period)
    arg: int  # the product of a stock history (else 0)
    start: date | None
    end: date | None
    today: date
    subject: str  # what the progress message names: the period or the product


# -- the menu --------------------------------------------------------------------------------


async def report_command(update: Update, context: BotContext) -> None:
    """/report: the reports this member may open here."""
    await reply(update, await _menu(update, context))


async def report_button(update: Update, context: BotContext) -> None:
    """The More menu's "Reports" and ◀ Reports: the menu again, in the same message."""
    await show(update, await _menu(update, context))


async def _menu(update: Update, context: BotContext) -> Screen:
    business = await current_business(context.uow(), context.actor(update))
    return render.menu(render.available(business.role, context.in_public))


async def choose(update: Update, context: BotContext) -> None:
    """A report of the menu: its period buttons, or straight to work when it has no period."""
    query = update.callback_query
    assert query is not None
    key = cb.args(query.data)[0]
    if key not in render.REPORTS:
        await answer_only(update)
        return
    if render.REPORTS[key].asks == "none":
        await _start(update, context, key, "", 0)
        return
    await show(update, render.pick_period(key))


async def run(update: Update, context: BotContext) -> None:
    """A period (or days) button: builds that report."""
    query = update.callback_query
    assert query is not None
    key, code, arg = ([*cb.args(query.data), "", "", "0"])[:3]
    if key not in render.REPORTS:
        await answer_only(update)
        return
    await _start(update, context, key, code, int(arg) if arg.isdigit() else 0)


# -- custom dates and the product of a stock history -----------------------------------------


@entry(FLOW)
async def ask_dates(update: Update, context: BotContext) -> object:
    """📅 Custom dates…: asks for the first and last day."""
    query = update.callback_query
    assert query is not None
    assert update.effective_chat is not None
    key, arg = ([*cb.args(query.data), "", "0"])[:2]
    if key not in render.REPORTS:
        await answer_only(update)
        return END
    business = await current_business(context.uow(), context.actor(update))
    chat_id, minutes = update.effective_chat.id, business.conversation_timeout_minutes
    begin(context, FLOW, chat_id, minutes, key=key, arg=int(arg) if arg.isdigit() else 0)
    await reply(update, render.ask_dates(key))
    return DATES


@step(FLOW)
async def got_dates(update: Update, context: BotContext) -> object:
    """The typed dates: builds the report for them; bad dates are asked again, with why."""
    message = update.effective_message
    assert message is not None
    try:
        start, end = render.parse_dates(message.text or "")
    except render.BadDates as bad:
        await message.reply_text(bad.reason)
        return DATES
    draft = require_draft(context, FLOW)
    drop_draft(context)
    await _start(update, context, draft["key"], render.period_code(start, end), draft["arg"])
    return END


@entry(FLOW)
async def ask_product(update: Update, context: BotContext) -> object:
    """📜 Stock history: asks which product."""
    assert update.effective_chat is not None
    business = await current_business(context.uow(), context.actor(update))
    begin(context, FLOW, update.effective_chat.id, business.conversation_timeout_minutes)
    await reply(update, render.ask_product())
    return PRODUCT


@step(FLOW)
async def got_product(update: Update, context: BotContext) -> object:
    """The typed product: its period buttons; several matches: a choice; none: asked again."""
    message = update.effective_message
    assert message is not None
    term = " ".join((message.text or "").split())
    hits = await find_products(context.uow(), context.actor(update), term, include_archived=True)
    exact = [hit for hit in hits if hit.sku.casefold() == term.casefold()]
    if not hits:
        await message.reply_text(render.no_product(term))
        return PRODUCT
    if len(exact or hits) > 1:
        await reply(update, render.choose_product(hits))
        return PRODUCT
    hit = (exact or hits)[0]
    drop_draft(context)
    await reply(update, render.pick_period("hist", hit.product_id, f"{hit.sku} {hit.name}"))
    return END


@step(FLOW)
async def picked_product(update: Update, context: BotContext) -> object:
    """One of several matching products pressed: its period buttons."""
    query = update.callback_query
    assert query is not None
    drop_draft(context)
    product_id = int(cb.args(query.data)[0])
    await show(update, render.pick_period("hist", product_id))
    return END


# -- building a report (its own task) --------------------------------------------------------


async def _start(update: Update, context: BotContext, key: str, code: str, arg: int) -> None:
    """Sends the progress message and starts building; returns at once."""
    actor = context.actor(update)
    business = await current_business(context.uow(), actor)
    today = context.now().astimezone(ZoneInfo(business.timezone)).date()
    start = end = None
    if render.REPORTS[key].asks == "period":
        try:
            start, end = render.period_dates(code, today)
        except ValueError:
            await answer_only(update)  # a forged or foreign button
            return
    elif render.REPORTS[key].asks == "days" and not code:
        code = f"n{render.SLOW_DAYS[2]}"
    subject = render.period_label(start, end) if start and end else ""
    job = Job(key, code, arg, start, end, today, subject)
    message = await reply(update, Screen(render.progress(key, subject, 0)))
    task = context.application.create_task(
        _build(context, actor, business, job, message), update=update, name=f"report:{key}"
    )
    running: set[asyncio.Task[Any]] = context.resources.extra.setdefault(TASKS, set())
    running.add(task)
    task.add_done_callback(running.discard)


async def _build(
    context: BotContext, actor: Actor, business: BusinessView, job: Job, message: Message
) -> None:
    """Reads, summarises, then (in a private chat) sends the chart and the workbook."""
    try:
        await _edit(message, render.progress(job.key, job.subject, 10))
        quick = await _read(context, actor, job, limit=None if job.key == "sday" else render.TOP)
        summary = _summary(job, quick, business.timezone)
        if actor.in_public:  # a group: the text alone, no files (DESIGN rule 9)
            await _finish(message, job, render.done(summary, files=False, in_public=True))
            return
        await _edit(message, summary + "\n\n" + render.progress_line(40))
        full = quick if _complete(quick) else await _read(context, actor, job, limit=None)
        await _edit(message, summary + "\n\n" + render.progress_line(70))
        chat_id = message.chat_id
        chart = await asyncio.to_thread(_chart, job, full)
        if chart is not None:
            picture = InputFile(chart.png, filename=f"{job.key}.png")
            await context.bot.send_photo(chat_id, picture, render.caption(job.key, job.subject))
        content = await asyncio.to_thread(_workbook, job, full)
        name = render.file_name(job.key, job.start, job.end)
        await context.bot.send_document(
            chat_id, InputFile(content, filename=name), render.caption(job.key, job.subject)
        )
        await _finish(message, job, render.done(summary, files=True, in_public=False))
    except DomainError as refused:  # e.g. a clerk's old button for a manager's report
        await _edit(message, describe(refused))
    except Exception:
        await _edit(message, render.failed())
        raise  # the error handler logs it and tells the operator
    logger.info("report %s %s built for user %s", job.key, job.subject, actor.user_id)


async def _edit(message: Message, text: str) -> None:
    try:
        await message.edit_text(text)
    except BadRequest as refused:
        if "not modified" not in refused.message:
            raise


async def _finish(message: Message, job: Job, text: str) -> None:
    screen = render.finished(job.key, text, job.arg, job.code)
    await message.edit_text(screen.text, reply_markup=screen.inline)


async def _read(context: BotContext, actor: Actor, job: Job, *, limit: int | None) -> Any:
    """The core call of the report (the heavy part; it reads one snapshot)."""
    uow, start, end = context.uow(), job.start or job.today, job.end or job.today
    days = int(job.code[1:]) if job.code[1:].isdigit() else render.SLOW_DAYS[2]
    by: Any = SALES_BY.get(job.key, "day")
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "stock": lambda: stock_on_hand(uow, actor, limit=limit),
        "hist": lambda: stock_history(uow, actor, job.arg, start, end, limit=limit),
        "sday": lambda: sales(uow, actor, start, end, by, limit=limit),
        "purch": lambda: purchases(uow, actor, start, end, limit=limit),
        "slow": lambda: slow_movers(uow, actor, days, as_of=job.today, limit=limit),
        "abc": lambda: abc(uow, actor, start, end, limit=limit),
        "turn": lambda: turnover(uow, actor, start, end, limit=limit),
        "ar": lambda: aging(uow, actor, PartyKind.CUSTOMER, as_of=job.today),
        "ap": lambda: aging(uow, actor, PartyKind.SUPPLIER, as_of=job.today),
    }
    calls["sprod"] = calls["scust"] = calls["sday"]
    return await calls[job.key]()


def _complete(result: Any) -> bool:
    """Whether the summary's read already holds every row (then it is the full table too)."""
    if isinstance(result, Aging):
        return True
    return bool(len(result.rows) >= result.total_rows)


def _summary(job: Job, result: Any, timezone: str) -> str:
    summaries: dict[str, Callable[[], str]] = {
        "stock": lambda: render.stock_summary(result, timezone),
        "hist": lambda: render.history_summary(result, timezone),
        "purch": lambda: render.purchases_summary(result),
        "slow": lambda: render.slow_summary(result),
        "abc": lambda: render.abc_summary(result),
        "turn": lambda: render.turnover_summary(result),
    }
    if job.key in SALES_BY:
        return render.sales_summary(job.key, result)
    if job.key in ("ar", "ap"):
        return render.aging_summary(job.key, result)
    return summaries[job.key]()


def _chart(job: Job, result: Any) -> Chart | None:
    """The chart where a picture says more (runs in a thread)."""
    title = render.chart_title(job.key)
    if job.key in SALES_BY:
        return sales_chart(result, title, top=render.TOP) if result.rows else None
    items: list[tuple[str, str, Any]] = []
    if job.key == "purch":
        items = [(f"#{r.supplier_id or 0}", r.supplier, r.amount) for r in result.rows]
    elif job.key == "abc":
        items = [(r.sku, r.name, r.revenue) for r in result.rows]
    elif job.key in ("ar", "ap"):
        items = [(f"#{line.party_id}", line.party_name, line.total) for line in result.lines]
    elif job.key == "stock" and result.sees_costs:
        items = [(f"#{w.warehouse_id}", w.warehouse, w.value) for w in result.warehouses]
    elif job.key == "hist" and result.rows:
        return line_chart([(row.day, row.total_balance) for row in result.rows], title)
    items = [item for item in items[: render.TOP] if item[2]]
    return bar_chart(items, title) if items else None


def _workbook(job: Job, result: Any) -> bytes:
    """The full table as an .xlsx workbook, headers in the user's language (in a thread)."""
    return workbook([to_table(result, render.headers(job.key), render.sheet_title(job.key))])


def register(application: Application) -> None:  # type: ignore[type-arg]
    """/report, its menu, period buttons, custom dates and the product of a stock history."""
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[
                CallbackQueryHandler(ask_dates, pattern=cb.pattern("rep.custom")),
                CallbackQueryHandler(ask_product, pattern=cb.pattern("rep.hist")),
            ],
            states={
                DATES: [MessageHandler(text, got_dates)],
                PRODUCT: [
                    MessageHandler(text, got_product),
                    CallbackQueryHandler(picked_product, pattern=cb.pattern("rep.hp")),
                ],
            },
        )
    )
    application.add_handler(CommandHandler("report", report_command))
    application.add_handler(CallbackQueryHandler(report_button, pattern=r"^1:cmd:report$"))
    application.add_handler(CallbackQueryHandler(choose, pattern=cb.pattern("rep")))
    application.add_handler(CallbackQueryHandler(run, pattern=cb.pattern("rep.run")))
