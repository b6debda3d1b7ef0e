"""The guided first run: instruction messages with Next, Skip and Done buttons.

The tour does not drive the other flows: each step says which button or command to use, so
the user learns the real screens. It keeps no state; any step's button works any time.
"""

from contextlib import suppress

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from bot.context import BotContext
from bot.handlers.replies import answer_only, reply, show
from bot.i18n import _
from bot.render import callbacks as cb
from bot.render import guide as render


async def next_step(update: Update, context: BotContext) -> None:
    """▶ Start / Next: the step as a new message (at the bottom, where the user works)."""
    del context
    query = update.callback_query
    assert query is not None
    number = int((cb.args(query.data) or ["1"])[0])
    if not 1 <= number <= len(render.STEPS):
        await answer_only(update, _("This button is no longer active."))
        return
    await reply(update, render.guide_step(number))
    with suppress(BadRequest):  # a double tap: the buttons are gone already
        await query.edit_message_reply_markup(None)  # the old message would repeat the step


async def skip(update: Update, context: BotContext) -> None:
    """Skip: the tour ends here."""
    del context
    await show(update, render.guide_skipped())


async def done(update: Update, context: BotContext) -> None:
    """✓ Done on the last step."""
    del context
    await show(update, render.guide_done())


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the tour's buttons."""
    application.add_handler(CallbackQueryHandler(next_step, pattern=cb.pattern("guide.step")))
    application.add_handler(CallbackQueryHandler(skip, pattern=cb.pattern("guide.skip")))
    application.add_handler(CallbackQueryHandler(done, pattern=cb.pattern("guide.done")))
