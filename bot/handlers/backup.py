"""/backup: the owner gets the business's own data as an export workbook (never the database).

The database file holds every business, so only the operator backs that up (``jxc-bot
backup``). In chat an owner gets what is theirs: the same workbook as the export, which opens
in Excel and WPS. Telegram takes at most 50 MB from a bot: a bigger workbook is zipped, and a
zip still too big is sent in numbered parts (``.zip.001``, ``.zip.002``, ...) that 7-Zip and
WinRAR open as one archive.
"""

import io
import re
import zipfile
from typing import Final

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.handlers.access import in_group
from bot.handlers.replies import answer_press, reply
from bot.i18n import _
from bot.render import admin as admin_render
from bot.render.errors import describe
from bot.render.numbers import escape
from bot.render.screen import Screen
from core.errors import NoBusiness, PermissionDenied
from core.io.export import export_business
from core.tenancy.businesses import current_business
from core.tenancy.models import Role

UPLOAD_LIMIT: Final = 45 * 1024 * 1024  # Telegram's 50 MB for bots, less room for the request
Attachment = tuple[str, bytes]  # file name, content


def attachments(filename: str, data: bytes, limit: int = UPLOAD_LIMIT) -> list[Attachment]:
    """What to send for ``data``: itself if small enough, else zipped, else the zip in parts.

    Parts are plain byte slices of one zip, named ``<name>.zip.001`` and so on: joined in
    order (7-Zip and WinRAR do it when the first is opened) they are the zip again.
    """
    if len(data) <= limit:
        return [(filename, data)]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(filename, data)
    zipped = packed.getvalue()
    stem = filename.rsplit(".", 1)[0]
    if len(zipped) <= limit:
        return [(f"{stem}.zip", zipped)]
    pieces = [zipped[start : start + limit] for start in range(0, len(zipped), limit)]
    return [(f"{stem}.zip.{n:03d}", piece) for n, piece in enumerate(pieces, start=1)]


def file_stem(name: str, day: str) -> str:
    """A file name from the business's name: ``茶叶店-backup-2026-03-14`` (no path characters)."""
    safe = re.sub(r"[\\/:*?\"<>|\s]+", "_", name).strip("._") or "business"
    return f"{safe[:40]}-backup-{day}"


async def backup_command(update: Update, context: BotContext) -> None:
    """/backup or its More button: the owner's business as a workbook, in a private chat."""
    if in_group(update):
        await reply(update, admin_render.private_only())
        return
    actor = context.actor(update)
    try:
        business = await current_business(context.uow(), actor)
    except (NoBusiness, PermissionDenied) as outsider:
        await reply(update, Screen(describe(outsider)))
        return
    if business.role is not Role.OWNER:
        refused = PermissionDenied("back up the business", business.role.value)
        await reply(update, Screen(describe(refused)))
        return
    await answer_press(update)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    workbook = await export_business(context.uow(), actor)
    name = file_stem(business.name, context.now().date().isoformat()) + ".xlsx"
    parts = attachments(name, workbook)
    for n, (filename, content) in enumerate(parts, start=1):
        caption = _backup_caption(business.name, n, len(parts))
        await context.bot.send_document(
            chat.id, InputFile(content, filename=filename), caption=caption
        )


def _backup_caption(name: str, n: int, total: int) -> str:
    if total == 1:
        return _(
            "Backup of {name}: your products, stock, customers, suppliers, documents and "
            "open items. Keep it somewhere safe."
        ).format(name=escape(name))
    return _(
        "Backup of {name}, part {n} of {total}. Save all parts in one folder and open the "
        "first with 7-Zip or WinRAR."
    ).format(name=escape(name), n=n, total=total)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /backup and its More button."""
    application.add_handler(CommandHandler("backup", backup_command))
    application.add_handler(CallbackQueryHandler(backup_command, pattern=r"^1:cmd:backup$"))
