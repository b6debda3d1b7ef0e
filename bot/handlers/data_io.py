"""/export, /template, and importing a spreadsheet sent to the bot (数据迁移).

A document (.xlsx/.csv) sent in a private chat outside any flow is an import: it is read off
the event loop, previewed (counts and every error; a long list also as a .txt file), and
imported only on ✅ Import. The file waits in a temporary directory under a random token
kept in ``user_data`` (which holds JSON only and is persisted); the stock count flow, which
reads .txt/.csv count files itself, is registered before this module and wins while active.
"""

import asyncio
import io
import secrets
import tempfile
import time
from pathlib import Path
from typing import Final

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import DRAFT, is_idle, new_request_id
from bot.handlers.replies import answer_press, reply
from bot.render import callbacks as cb
from bot.render import data_io as render
from bot.render.screen import Screen
from core.io.errors import ImportInvalid, ImportRefused
from core.io.export import SHEETS, export_business, export_csv
from core.io.importing import ImportFile, parse, preview, run_import
from core.io.parsing import MAX_BYTES
from core.io.template import import_template
from core.tenancy.businesses import current_business

PENDING: Final = "import"  # user_data key: {"token", "name", "request_id"}
FOLDER: Final = Path(tempfile.gettempdir()) / "jxc-imports"
EDIT_EVERY_SECONDS: Final = 2.0  # progress edits: Telegram allows about one a second per chat
FILES: Final = filters.Document.FileExtension("xlsx") | filters.Document.FileExtension("csv")


async def export_command(update: Update, context: BotContext) -> None:
    """/export: the business as an .xlsx; /export csv asks which sheet."""
    if [a.casefold() for a in context.args or []] == ["csv"]:
        await reply(update, render.csv_sheets())
        return
    actor = context.actor(update)
    data = await export_business(context.uow(), actor)
    business = await current_business(context.uow(), actor)
    await _send(update, context, data, "jxc-export.xlsx", render.export_caption(business.name))


async def export_sheet(update: Update, context: BotContext) -> None:
    """A sheet button under /export csv: that sheet as CSV (UTF-8 with BOM)."""
    query = update.callback_query
    assert query is not None
    await answer_press(update)
    sheet = cb.args(query.data)[0]
    if sheet not in SHEETS:
        return
    data = await export_csv(context.uow(), context.actor(update), sheet)
    await _send(update, context, data, f"jxc-{sheet}.csv", None)


async def template_command(update: Update, context: BotContext) -> None:
    """/template: the import template, one sheet per kind, headers in both languages."""
    await _send(
        update, context, import_template(), "jxc-import-template.xlsx", render.template_caption()
    )


async def _send(
    update: Update, context: BotContext, data: bytes, name: str, caption: str | None
) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id, InputFile(io.BytesIO(data), filename=name), caption=caption
    )


async def got_file(update: Update, context: BotContext) -> None:
    """A spreadsheet sent outside any flow: reads it and shows what importing would do."""
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    live = (context.user_data or {}).get(DRAFT)
    if isinstance(live, dict) and not is_idle(live, context.now()):
        await message.reply_text(render.busy())
        return
    document = message.document
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await message.reply_text(render.too_big(MAX_BYTES // (1024 * 1024)))
        return
    try:
        data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    except TelegramError:
        await message.reply_text(render.unreadable())
        return
    name = document.file_name or "import.csv"
    file = ImportFile(data, name)
    try:
        rows = await asyncio.to_thread(parse, file)  # CPU-bound: off the event loop
        found = await preview(context.uow(), context.actor(update), file, rows=rows)
    except ImportRefused as refused:
        await message.reply_text(render.refused(refused))
        return
    _forget(context)
    token = secrets.token_urlsafe(9)
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / token).write_bytes(data)
    assert context.user_data is not None
    context.user_data[PENDING] = {
        "token": token,
        "name": name,
        "request_id": new_request_id("import"),
    }
    screen, cut = render.preview(found, name, token)
    await reply(update, screen)
    if cut:
        listing = render.all_errors(found.errors).encode("utf-8-sig")
        await _send(update, context, listing, "errors.txt", None)


async def confirm(update: Update, context: BotContext) -> None:
    """✅ Import: imports the previewed file all at once, editing one message with progress."""
    query = update.callback_query
    assert query is not None
    pending = _pending(context, cb.args(query.data)[0])
    if pending is None:
        await answer_press(update, render.expired())
        return
    await answer_press(update)
    path = FOLDER / pending["token"]
    file = ImportFile(path.read_bytes(), pending["name"])
    await query.edit_message_text(render.progress(0, 0), reply_markup=None)
    last = time.monotonic()

    async def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= EDIT_EVERY_SECONDS and done < total:
            last = time.monotonic()
            await query.edit_message_text(render.progress(done, total))

    try:
        rows = await asyncio.to_thread(parse, file)
        result = await run_import(
            context.uow(), context.actor(update), file, pending["request_id"], progress, rows=rows
        )
    except (ImportRefused, ImportInvalid):
        # the file was checked a moment ago: only a change in the business can get here
        await query.edit_message_text(render.expired())
        _forget(context)
        return
    _forget(context)
    await query.edit_message_text(render.imported(result))


async def cancel_import(update: Update, context: BotContext) -> None:
    """✖ Cancel under a preview: forgets the file; nothing was written."""
    query = update.callback_query
    assert query is not None
    await answer_press(update)
    if _pending(context, cb.args(query.data)[0]) is not None:
        _forget(context)
    await query.edit_message_text(render.cancelled())


def _pending(context: BotContext, token: str) -> dict[str, str] | None:
    found = (context.user_data or {}).get(PENDING)
    if not isinstance(found, dict) or found.get("token") != token:
        return None
    if not (FOLDER / token).is_file():
        return None
    return found


def _forget(context: BotContext) -> None:
    found = (context.user_data or {}).pop(PENDING, None)
    if isinstance(found, dict) and isinstance(found.get("token"), str):
        (FOLDER / Path(found["token"]).name).unlink(missing_ok=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /export, /template, their buttons and spreadsheets sent in a private chat."""
    application.add_handler(CommandHandler("export", export_command))
    application.add_handler(CallbackQueryHandler(export_command, pattern=r"^1:cmd:export$"))
    application.add_handler(CommandHandler("template", template_command))
    application.add_handler(CallbackQueryHandler(template_command, pattern=r"^1:cmd:template$"))
    application.add_handler(CallbackQueryHandler(export_sheet, pattern=cb.pattern("io.csv")))
    application.add_handler(CallbackQueryHandler(confirm, pattern=cb.pattern("io.ok")))
    application.add_handler(CallbackQueryHandler(cancel_import, pattern=cb.pattern("io.no")))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & FILES, got_file))


__all__ = ["Screen", "register"]
