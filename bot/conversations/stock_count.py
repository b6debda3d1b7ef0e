"""The stock count (盘点) flow: warehouse → counted products → differences → post.

Products are counted one at a time (the product picker, then the counted quantity), or as
several "A001 12" lines in one message, or as a .txt/.csv file of such lines. The count is
blind: book quantities are not shown while counting, so they cannot bias it; the summary
before posting shows book → counted for every difference. Counting the same product again
replaces its earlier count.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.conversations.picking import Pick, ProductPicker
from bot.handlers.announce import announce
from bot.handlers.menu import menu_filter
from bot.handlers.replies import answer_only, reply, show
from bot.i18n import _
from bot.parse import InputError, counted_quantity
from bot.render import callbacks as cb
from bot.render import stock_docs as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.db.base import utcnow
from core.errors import NoBusiness, PermissionDenied
from core.inventory.counts import PostStockCount, post_stock_count
from core.inventory.flow_hints import MAX_CODES, flow_start, match_codes, preview_count
from core.tenancy.models import Role

FLOW: Final = "count"
WAREHOUSE: Final = "count.warehouse"
QTY: Final = "count.qty"
CONFIRM: Final = "count.confirm"
MAX_FILE_BYTES: Final = 1024 * 1024
TEXT: Final = filters.TEXT & ~filters.COMMAND

_SEPARATORS: Final = re.compile(r"[,\t;，；]")
_NUMBER: Final = re.compile(r"[-+]?[0-9０-９]+(?:[.．][0-9０-９]*)?|[-+]?[.．][0-9０-９]+")


def split_line(line: str) -> tuple[str, str | None]:
    """``"A001 12"`` or ``"A001,12"`` or ``"A001,乌龙茶,12"`` → (term, quantity text).

    The term is the first field of a delimited line, else everything before the last word;
    the quantity is the last field when it looks like a number, else None.
    """
    stripped = line.strip().lstrip("\ufeff").strip()
    if _SEPARATORS.search(stripped):
        fields = [f.strip().strip("\"'").strip() for f in _SEPARATORS.split(stripped)]
        fields = [f for f in fields if f]
        if len(fields) >= 2 and _NUMBER.fullmatch(fields[-1]):
            return fields[0], fields[-1]
        return (fields[0] if fields else ""), None
    words = stripped.split()
    if len(words) >= 2 and _NUMBER.fullmatch(words[-1]):
        return " ".join(words[:-1]), words[-1]
    return stripped, None


def decode(data: bytes) -> str | None:
    """A text file's content: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:  # a spreadsheet or an image, not lines of text
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None  # pragma: no cover - gb18030 decodes nearly any byte string


async def _picked(update: Update, context: BotContext, pick: Pick) -> object:
    """A product to count one by one: asks how many were found."""
    require_draft(context, FLOW)["current"] = pick
    await reply(update, render.count_ask_qty(pick["sku"], pick["name"], pick["unit"]))
    return QTY


picker = ProductPicker(FLOW, _picked)
LINES: Final = picker.state  # typing a product, or lines, or sending a file


@entry(FLOW)
async def start(update: Update, context: BotContext) -> object:
    """/count, the 📋 Count button or More → Count: asks the warehouse, if there are several."""
    chat = update.effective_chat
    assert chat is not None
    try:
        hints = await flow_start(context.uow(), context.actor(update))
    except (NoBusiness, PermissionDenied) as refused:
        await reply(update, Screen(describe(refused)))
        return END
    if not hints.role.at_least(Role.CLERK):
        await reply(update, Screen(describe(PermissionDenied("post counts", hints.role.value))))
        return END
    if not hints.warehouses:
        await reply(update, render.no_warehouse())
        return END
    begin(
        context,
        FLOW,
        chat.id,
        hints.conversation_timeout_minutes,
        warehouses={str(w.warehouse_id): w.name for w in hints.warehouses},
        currency=hints.currency,
        lines=[],
    )
    if len(hints.warehouses) > 1:
        await reply(update, render.count_ask_warehouse(hints.warehouses))
        return WAREHOUSE
    only = hints.warehouses[0]
    return await _start_counting(update, context, only.warehouse_id, only.name, edit=False)


async def _start_counting(
    update: Update, context: BotContext, warehouse_id: int, name: str, *, edit: bool
) -> object:
    draft = require_draft(context, FLOW)
    draft["warehouse_id"], draft["warehouse"] = warehouse_id, name
    # Core compares it with the ledger's own clock, so the real time, not the test clock.
    draft["started_at"] = utcnow().isoformat()
    await (show if edit else reply)(update, render.count_started(name))
    return LINES


@step(FLOW)
async def chose_warehouse(update: Update, context: BotContext) -> object:
    """A warehouse button: counting starts now."""
    query = update.callback_query
    assert query is not None
    draft = require_draft(context, FLOW)
    warehouse_id = cb.args(query.data)[0]
    name = draft["warehouses"].get(warehouse_id)
    if name is None:  # a button of an older message
        await answer_only(update, _("This button is no longer active."))
        return WAREHOUSE
    return await _start_counting(update, context, int(warehouse_id), name, edit=True)


@step(FLOW)
async def typed(update: Update, context: BotContext) -> object:
    """One product to look up, or lines of "SKU quantity" to record at once."""
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and split_line(lines[0])[1] is None:
        return await picker.typed(update, context)
    return await _record(update, context, text, from_file=False)


@step(FLOW)
async def got_file(update: Update, context: BotContext) -> object:
    """A .txt/.csv document of count lines (UTF-8 or GBK)."""
    message = update.effective_message
    assert message is not None
    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        await reply(update, render.count_file_too_big(MAX_FILE_BYTES // 1024))
        return LINES
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError:
        await reply(update, render.count_file_unreadable())
        return LINES
    if len(data) > MAX_FILE_BYTES:
        await reply(update, render.count_file_too_big(MAX_FILE_BYTES // 1024))
        return LINES
    text = decode(data)
    if text is None or not text.strip():
        await reply(update, render.count_file_unreadable())
        return LINES
    return await _record(update, context, text, from_file=True)


async def _record(update: Update, context: BotContext, text: str, *, from_file: bool) -> object:
    """Records every good line; says which lines it could not take, and why."""
    draft = require_draft(context, FLOW)
    errors: list[tuple[int, str]] = []  # (line number, why)
    wanted: list[tuple[int, str, Decimal]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        term, amount = split_line(line)
        if amount is None:
            if not (from_file and line_no == 1):  # a file's first line may be a header
                errors.append((line_no, render.count_line_no_qty(line_no)))
            continue
        try:
            wanted.append((line_no, term, counted_quantity(amount)))
        except InputError as bad:
            errors.append((line_no, render.count_line_bad_qty(line_no, str(bad))))
    if len(wanted) > MAX_CODES:
        await reply(update, render.count_file_too_big(MAX_FILE_BYTES // 1024))
        return LINES
    terms = [term for _line, term, _qty in wanted]
    matches = await match_codes(context.uow(), context.actor(update), terms) if terms else []
    recorded: list[dict[str, Any]] = []
    replaced: list[str] = []
    for (line_no, term, counted), match in zip(wanted, matches, strict=True):
        if match.problem == "archived":
            errors.append((line_no, render.count_line_archived(line_no, match.sku)))
        elif match.problem == "several":
            errors.append((line_no, render.count_line_several(line_no, term)))
        elif match.product_id is None:
            errors.append((line_no, render.count_line_unknown(line_no, term)))
        else:
            item = {"product_id": match.product_id, "sku": match.sku, "name": match.name}
            entry = {**item, "unit": match.unit, "qty": str(counted)}
            replaced += _put(draft, entry)
            recorded.append(entry)
    why = [text for _line, text in sorted(errors)]
    await reply(update, render.count_progress(recorded, why, replaced, len(draft["lines"])))
    return LINES


def _put(draft: dict[str, Any], line: dict[str, Any]) -> list[str]:
    """Adds a counted line; a product counted again replaces its count (returns a note)."""
    for index, old in enumerate(draft["lines"]):
        if old["product_id"] == line["product_id"]:
            draft["lines"][index] = line
            if Decimal(old["qty"]) == Decimal(line["qty"]):
                return []
            return [render.count_replaced(line["sku"], Decimal(line["qty"]), Decimal(old["qty"]))]
    draft["lines"].append(line)
    return []


@step(FLOW)
async def got_qty(update: Update, context: BotContext) -> object:
    """The counted quantity of the product picked; on bad input, says why and asks again."""
    message = update.effective_message
    assert message is not None
    draft = require_draft(context, FLOW)
    try:
        amount = counted_quantity(message.text or "")
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return QTY
    pick = draft.pop("current")
    line = {key: pick[key] for key in ("product_id", "sku", "name", "unit")}
    line["qty"] = str(amount)
    replaced = _put(draft, line)
    await reply(update, render.count_progress([line], [], replaced, len(draft["lines"])))
    return LINES


@step(FLOW)
async def done(update: Update, context: BotContext) -> object:
    """Done: the differences against the book, with values for managers, before posting."""
    draft = require_draft(context, FLOW)
    if not draft["lines"]:
        await reply(update, render.count_nothing_yet())
        return LINES
    counted = [(int(x["product_id"]), Decimal(x["qty"])) for x in draft["lines"]]
    check = await preview_count(
        context.uow(), context.actor(update), int(draft["warehouse_id"]), counted
    )
    currency = str(draft.get("currency") or "CNY")
    await show(update, render.count_summary(draft["warehouse"], draft["lines"], check, currency))
    return CONFIRM


@step(FLOW)
async def count_more(update: Update, context: BotContext) -> object:
    """Back from the summary to counting."""
    draft = require_draft(context, FLOW)
    await show(update, render.count_progress([], [], [], len(draft["lines"])))
    return LINES


@step(FLOW)
async def confirm(update: Update, context: BotContext) -> object:
    """Posts the count (once, whatever the taps) and shows the PD number and differences."""
    draft = require_draft(context, FLOW)
    cmd = PostStockCount.build(
        request_id=draft["request_id"],
        warehouse_id=int(draft["warehouse_id"]),
        started_at=datetime.fromisoformat(draft["started_at"]),
        lines=tuple(
            {"product_id": int(x["product_id"]), "counted_qty": Decimal(x["qty"])}
            for x in draft["lines"]
        ),
    )
    result = await post_stock_count(context.uow(), context.actor(update), cmd)
    warehouse = str(draft["warehouse"])
    drop_draft(context)
    await show(update, render.count_posted(result, warehouse))
    await announce(update, context, lambda: render.count_announcement(result, warehouse))
    return END


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the stock count flow."""
    picking = picker.states()
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[
                CommandHandler("count", start),
                MessageHandler(menu_filter("count"), start),
                CallbackQueryHandler(start, pattern=r"^1:cmd:count$"),
            ],
            states={
                **picking,
                WAREHOUSE: [CallbackQueryHandler(chose_warehouse, pattern=cb.pattern("count.wh"))],
                LINES: [
                    MessageHandler(TEXT, typed),
                    MessageHandler(filters.Document.ALL & ~filters.Document.IMAGE, got_file),
                    CallbackQueryHandler(done, pattern=cb.pattern("count.done")),
                    *picking[LINES][1:],  # the picker's buttons: a product, add new
                ],
                QTY: [MessageHandler(TEXT, got_qty)],
                CONFIRM: [
                    CallbackQueryHandler(confirm, pattern=cb.pattern("count.ok")),
                    CallbackQueryHandler(count_more, pattern=cb.pattern("count.more")),
                ],
            },
        )
    )
