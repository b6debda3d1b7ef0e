"""Announcing posted documents in the business's bound group chat."""

import logging
from collections.abc import Callable

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import use_language
from core.tenancy.businesses import current_business

logger = logging.getLogger(__name__)


async def announce(update: Update, context: BotContext, render: Callable[[], str]) -> None:
    """Posts ``render()`` in the bound group, in the business's language.

    ``render`` must show nothing a clerk may not see (DESIGN rule 9: a group follows its
    lowest role). Nothing is sent when there is no group or the document was posted there.
    A group that removed the bot is logged, never an error for the poster.
    """
    business = await current_business(context.uow(), context.actor(update))
    group = business.group_chat_id
    if group is None or (update.effective_chat is not None and update.effective_chat.id == group):
        return
    with use_language(business.locale):
        text = render()
    try:
        await context.bot.send_message(group, text)
    except TelegramError:
        logger.warning(
            "could not announce in group %s of business %s", group, business.business_id
        )
