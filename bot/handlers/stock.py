"""Quick stock queries without any menu: "A001", "stock A001", "库存 A001", a barcode, a name.

A photo of a barcode is a query too: its code, as if typed.

Registered last in group 0: whatever text no flow or command took is a stock query. In a
group the bot answers only text meant for it: a reply to one of its messages, or text that
starts with a query word ("stock", "库存", "查"); the rest of the chat is none of its business.
"""

from typing import Final

from telegram import ForceReply, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import barcodes
from bot.context import BotContext
from bot.handlers.access import in_group
from bot.handlers.menu import menu_filter
from bot.handlers.replies import answer_only, answer_press, reply
from bot.i18n import _
from bot.render import callbacks as cb
from bot.render import stock as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.catalog.listing import product_overview
from core.catalog.lookup import find_products, product_by_code
from core.errors import NoBusiness, NotFound, PermissionDenied

# Words that say "stock of": longest first, so "查库存" is not read as "查" + "库存 A001".
QUERY_WORDS: Final = ("/stock", "查库存", "stock", "库存", "查")


def query_term(text: str) -> tuple[bool, str]:
    """Whether ``text`` starts with a query word, and the term after it.

    >>> query_term("库存 A001")
    (True, 'A001')
    >>> query_term("stockpot")
    (False, 'stockpot')
    """
    cleaned = " ".join(text.split())
    folded = cleaned.casefold()
    for word in QUERY_WORDS:
        if not folded.startswith(word):
            continue
        rest = cleaned[len(word) :]
        if word.isascii() and rest and not rest.startswith(" "):
            continue  # "stockpot" is a product name, not "stock" + "pot"
        if word == "/stock" and rest.startswith("@"):
            rest = rest.partition(" ")[2]  # /stock@our_bot A001
        return True, rest.strip()
    return False, cleaned


async def lookup(update: Update, context: BotContext, term: str) -> None:
    """Shows the stock card of ``term``'s product, a choice of several, or that none matches."""
    try:
        hits = await find_products(
            context.uow(), context.actor(update), term, include_archived=True
        )
    except (NoBusiness, PermissionDenied) as outsider:
        await reply(update, Screen(describe(outsider)))  # the way in, never data
        return
    if not hits:
        await reply(update, render.no_match(term))
        return
    hits.sort(key=lambda hit: hit.archived)  # stable: live ones first, each tier in order
    best = hits[0]
    exact = best.match in {"sku", "barcode"} and not best.archived
    if len(hits) == 1 or exact:
        await show_card(update, context, best.product_id)
        return
    await reply(update, render.choices(hits, term))


async def show_card(update: Update, context: BotContext, product_id: int) -> None:
    """Sends the stock card of one product (costs only where core gives them)."""
    overview = await product_overview(context.uow(), context.actor(update), product_id)
    await reply(update, render.card(overview, private=not in_group(update)))


async def typed(update: Update, context: BotContext) -> None:
    """Free text: a stock query (in a group only when meant for the bot)."""
    message = update.effective_message
    assert message is not None
    worded, term = query_term(message.text or "")
    if in_group(update) and not (worded or _replies_to_bot(update)):
        return
    if not term:
        await ask(update, context)
        return
    await lookup(update, context, term)


async def photographed(update: Update, context: BotContext) -> None:
    """A photo of a barcode (in a group: as a reply to the bot, or captioned "stock")."""
    message = update.effective_message
    assert message is not None
    worded = query_term(message.caption or "")[0]
    if in_group(update) and not (worded or _replies_to_bot(update)):
        return
    codes = await barcodes.codes_in(message)
    if not codes:
        await reply(update, Screen(barcodes.none_found()))
        return
    try:
        for code in barcodes.candidates(codes):  # UPC-A read as EAN-13, and the other way
            found = await product_by_code(context.uow(), context.actor(update), code)
            if found is not None:
                await show_card(update, context, found.product_id)
                return
    except (NoBusiness, PermissionDenied) as outsider:
        await reply(update, Screen(describe(outsider)))
        return
    await reply(update, render.unknown_barcode(codes[0], private=not in_group(update)))


def _replies_to_bot(update: Update) -> bool:
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    author = replied.from_user if replied is not None else None
    return author is not None and author.id == update.get_bot().id


async def stock_command(update: Update, context: BotContext) -> None:
    """/stock A001, or /stock alone to be asked which product."""
    term = " ".join(context.args or [])
    if not term:
        await ask(update, context)
        return
    await lookup(update, context, term)


async def ask(update: Update, context: BotContext) -> None:
    """The 🔍 Stock button or a bare /stock: which product? (the answer is free text anyway).

    In a group the question forces a reply, so the answer reaches the bot in privacy mode.
    """
    del context
    screen = render.ask()
    if in_group(update):
        if update.callback_query is not None:
            await answer_press(update)
        chat = update.effective_chat
        assert chat is not None
        await update.get_bot().send_message(
            chat.id, screen.text, reply_markup=ForceReply(selective=True)
        )
        return
    await reply(update, screen)


async def card_button(update: Update, context: BotContext) -> None:
    """A product button under "several match": that product's card."""
    query = update.callback_query
    assert query is not None
    try:
        product_id = int(cb.args(query.data)[0])
        await show_card(update, context, product_id)
    except (ValueError, IndexError, NotFound):
        await answer_only(update, _("This button is no longer active."))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /stock, the 🔍 Stock button, product buttons and free-text queries (last)."""
    application.add_handler(CommandHandler("stock", stock_command))
    application.add_handler(MessageHandler(menu_filter("stock"), ask))
    application.add_handler(CallbackQueryHandler(ask, pattern=r"^1:cmd:stock$"))
    application.add_handler(CallbackQueryHandler(card_button, pattern=cb.pattern("card")))
    application.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE, photographed))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, typed))
