"""Sending a Screen, whether the update was a message or a button press."""

from collections import OrderedDict
from typing import Final

from telegram import Message, Update
from telegram.error import BadRequest

from bot.render.screen import Screen

_REMEMBERED: Final = 4096
_answered: OrderedDict[str, None] = OrderedDict()  # the latest pressed buttons answered


async def answer_press(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Answers a button press once (stops its spinner; a toast or alert if ``text``).

    Telegram refuses a second answer to the same press, and a step often answers before it
    knows which screen follows; so the first answer wins and later ones are skipped.
    """
    query = update.callback_query
    if query is None or query.id in _answered:
        return
    _answered[query.id] = None
    if len(_answered) > _REMEMBERED:
        _answered.popitem(last=False)
    await query.answer(text, show_alert=alert)


async def reply(update: Update, screen: Screen) -> Message:
    """Sends the screen as a new message in the update's chat (answers a press first)."""
    await answer_press(update)
    chat = update.effective_chat
    assert chat is not None  # every update we reply to has a chat
    return await update.get_bot().send_message(chat.id, screen.text, reply_markup=screen.keyboard)


async def show(update: Update, screen: Screen) -> None:
    """Edits the pressed message into the screen; a typed message gets a new one.

    A screen with a reply keyboard (the main menu) cannot replace an inline one, so it comes
    as a new message. Pressing a button that shows what is already there (the same page
    twice) changes nothing, which Telegram reports as an error: that is not one here.
    """
    query = update.callback_query
    if query is not None and (screen.keyboard is None or screen.inline is not None):
        await answer_press(update)
        try:
            await query.edit_message_text(screen.text, reply_markup=screen.inline)
        except BadRequest as refused:
            if "not modified" not in refused.message:
                raise
        return
    await reply(update, screen)


async def answer_only(update: Update, text: str | None = None) -> None:
    """Stops a button's spinner, with a short toast if ``text``."""
    await answer_press(update, text)
