"""Inline mode: ``@botname A001`` in any chat offers stock cards to send there.

The card lands in a chat whose readers the bot does not know, so it is built as in public:
never any cost, whoever asks (DESIGN rule 9).
"""

from typing import Final

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import Application, InlineQueryHandler

from bot.context import BotContext
from bot.render import stock as render
from core.catalog.listing import product_overview
from core.catalog.lookup import find_products
from core.errors import NoBusiness, NotFound, PermissionDenied
from core.tenancy.access import Actor

MAX_RESULTS: Final = 10
CACHE_SECONDS: Final = 5  # stock changes: Telegram may reuse an answer only briefly


async def inline_query(update: Update, context: BotContext) -> None:
    """Answers with up to 10 stock cards; someone with no business gets a way into the bot."""
    query = update.inline_query
    assert query is not None
    actor = Actor(user_id=query.from_user.id, in_public=True)
    term = query.query.strip()
    try:
        hits = await find_products(context.uow(), actor, term)  # a blank term finds none
        results = []
        for hit in hits[:MAX_RESULTS]:
            overview = await product_overview(context.uow(), actor, hit.product_id)
            results.append(
                InlineQueryResultArticle(
                    id=str(hit.product_id),
                    title=render.title(overview),
                    description=render.summary(overview),
                    input_message_content=InputTextMessageContent(
                        render.card_text(overview), parse_mode=ParseMode.HTML
                    ),
                )
            )
    except (NoBusiness, PermissionDenied):
        start = InlineQueryResultsButton(render.open_bot(), start_parameter="inline")
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True, button=start)
        return
    except NotFound:  # a product vanished between search and card: ask again
        results = []
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the inline query handler."""
    application.add_handler(InlineQueryHandler(inline_query))
