"""What works everywhere: /cancel outside a flow, /language, the More menu, stale buttons."""

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.context import BotContext
from bot.handlers.access import LANGUAGE
from bot.handlers.menu import main_menu, menu_filter, show_more
from bot.handlers.replies import answer_only, reply, show
from bot.i18n import _, set_language
from bot.render import callbacks as cb
from bot.render.screen import Screen, button, keyboard
from core.tenancy.preferences import ChooseLanguage, choose_language

LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}


async def cancel_outside_flow(update: Update, context: BotContext) -> None:
    """/cancel when nothing is going on: says so, shows the menu."""
    del context
    await reply(update, main_menu(_("Nothing to cancel.")))


async def ask_language(update: Update, context: BotContext) -> None:
    """/language: the two languages as buttons."""
    del context
    buttons = [button(title, "lang", code) for code, title in LANGUAGE_NAMES.items()]
    await reply(update, Screen(_("Choose your language / 选择语言:"), keyboard(buttons)))


async def chose_language(update: Update, context: BotContext) -> None:
    """A language button: remembered for this person in every business."""
    query = update.callback_query
    assert query is not None
    assert update.effective_user is not None
    code = (cb.args(query.data) or ["en"])[0]
    await choose_language(
        context.uow(), ChooseLanguage.build(user_id=update.effective_user.id, locale=code)
    )
    assert context.user_data is not None
    context.user_data[LANGUAGE] = code
    set_language(code)
    await show(update, Screen(_("Language set to English.")))
    await reply(update, main_menu())


async def stale_button(update: Update, context: BotContext) -> None:
    """Any press nobody handled: an old message, a finished flow, someone else's flow."""
    del context
    await answer_only(update, _("This button is no longer active."))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the handlers that apply everywhere (stale buttons: see register_last)."""
    application.add_handler(CommandHandler("cancel", cancel_outside_flow))
    application.add_handler(CommandHandler("language", ask_language))
    application.add_handler(CallbackQueryHandler(ask_language, pattern=r"^1:cmd:language$"))
    application.add_handler(CallbackQueryHandler(chose_language, pattern=cb.pattern("lang")))
    application.add_handler(MessageHandler(menu_filter("more"), show_more))


def register_last(application: Application) -> None:  # type: ignore[type-arg]
    """The catch-all for presses, after every other handler."""
    application.add_handler(CallbackQueryHandler(stale_button))
