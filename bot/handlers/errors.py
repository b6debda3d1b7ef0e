"""The one error handler: a refusal is explained, a bug is logged and apologised for."""

import html
import json
import logging
import traceback

from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application

from bot.context import BotContext
from bot.handlers.replies import answer_press
from bot.i18n import _
from bot.render.errors import describe
from core.errors import DomainError

logger = logging.getLogger(__name__)
ADMIN_TEXT_LIMIT = 3500  # under Telegram's 4096, with room for the markup


async def on_error(update: object, context: BotContext) -> None:
    """Tells the user in their language what happened; never shows them a traceback."""
    error = context.error
    if isinstance(error, DomainError):  # a refusal a step did not handle itself
        logger.info("refused %s: %r", type(error).__name__, error)
        await _tell(update, describe(error) + "\n" + _("Nothing was saved."))
        return
    logger.error("update %s failed", _summary(update), exc_info=error)
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        return  # polling hiccup: PTB retries; there is nobody to tell
    await _tell(
        update,
        _(
            "Sorry, something went wrong on our side and nothing was saved. Please try "
            "again; if it keeps happening, send /cancel and start over."
        ),
    )
    await _tell_operator(update, context)


async def _tell(update: object, text: str) -> None:
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await answer_press(update)
        if update.effective_chat is not None:
            await update.get_bot().send_message(update.effective_chat.id, text)
    except TelegramError:  # the user cannot be told (blocked us, chat gone): logged above
        logger.warning("could not tell the user about an error", exc_info=True)


async def _tell_operator(update: object, context: BotContext) -> None:
    chat_id = context.resources.admin_chat_id
    if chat_id is None or context.error is None:
        return
    trace = "".join(traceback.format_exception(context.error))[-ADMIN_TEXT_LIMIT:]
    text = f"⚠️ {html.escape(_summary(update))}\n<pre>{html.escape(trace)}</pre>"
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError:
        logger.warning("could not tell the operator's chat", exc_info=True)


def _summary(update: object) -> str:
    if isinstance(update, Update):
        return json.dumps(update.to_dict(), ensure_ascii=False)[:500]
    return repr(update)[:500]


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Installs the error handler."""
    application.add_error_handler(on_error)
