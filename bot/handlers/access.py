"""Runs before every handler (group -1): the user's language, and the business of a group."""

from telegram import Chat, Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import BotContext
from bot.handlers.replies import answer_press
from bot.i18n import _, language_of, set_language
from core.tenancy.groups import business_of_group
from core.tenancy.preferences import chosen_language

LANGUAGE = "language"  # in user_data: the language chosen, or guessed from Telegram's
GROUP_BUSINESS = "business_id"  # in chat_data of a group: the business bound to it


async def identify(update: Update, context: BotContext) -> None:
    """Serves the update in the user's language; in a bound group, in its business."""
    user = update.effective_user
    if user is not None and context.user_data is not None:
        language = context.user_data.get(LANGUAGE)
        if language is None:
            chosen = await chosen_language(context.uow(), user.id)
            language = chosen or language_of(user.language_code)
            context.user_data[LANGUAGE] = language
        set_language(language)
    chat = update.effective_chat
    if chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        assert context.chat_data is not None
        if GROUP_BUSINESS not in context.chat_data:
            context.chat_data[GROUP_BUSINESS] = await business_of_group(context.uow(), chat.id)
        context.group_business_id = context.chat_data[GROUP_BUSINESS]
        context.in_public = True
        if context.group_business_id is None and not _allowed_unbound(update):
            await _ask_to_bind(update)
            raise ApplicationHandlerStop  # an unbound group sees no business's data


UNBOUND_COMMANDS = frozenset({"/bind", "/start", "/help", "/language", "/cancel"})


def _allowed_unbound(update: Update) -> bool:
    message = update.effective_message
    if update.callback_query is not None or message is None or not message.text:
        return update.callback_query is not None and (update.callback_query.data or "").startswith(
            "1:lang:"
        )
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0].lower()
    return command in UNBOUND_COMMANDS


async def _ask_to_bind(update: Update) -> None:
    text = _("This group is not bound to a business yet. The owner sends /bind here first.")
    if update.callback_query is not None:
        await answer_press(update, text)
    elif update.effective_message is not None and (update.effective_message.text or "").startswith(
        "/"
    ):
        await update.effective_message.reply_text(text)


def in_group(update: Update) -> bool:
    """Whether the update comes from a group chat (where no costs are shown)."""
    chat = update.effective_chat
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the access handler before all others."""
    application.add_handler(TypeHandler(Update, identify), group=-1)
