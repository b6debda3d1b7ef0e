"""Sending a Screen, whether the update was a message or a button press."""

from telegram import Message, Update

from bot.render.screen import Screen


async def reply(update: Update, screen: Screen) -> Message:
    """Sends the screen as a new message in the update's chat (answers a press first)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    assert chat is not None  # every update we reply to has a chat
    return await update.get_bot().send_message(chat.id, screen.text, reply_markup=screen.keyboard)


async def show(update: Update, screen: Screen) -> None:
    """Edits the pressed message into the screen; a typed message gets a new one.

    A screen with a reply keyboard (the main menu) cannot replace an inline one, so it comes
    as a new message.
    """
    query = update.callback_query
    if query is not None and (screen.keyboard is None or screen.inline is not None):
        await query.answer()
        await query.edit_message_text(screen.text, reply_markup=screen.inline)
        return
    await reply(update, screen)


async def answer_only(update: Update, text: str | None = None) -> None:
    """Stops a button's spinner, with a short toast if ``text``."""
    if update.callback_query is not None:
        await update.callback_query.answer(text)
