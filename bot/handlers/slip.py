"""🧾 Delivery slip: a posted sale as a PNG or PDF to forward to the customer (送货单)."""

import asyncio
import logging

from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import BotContext
from bot.handlers.replies import answer_only, reply
from bot.render import callbacks as cb
from bot.render import slip as render
from bot.render.screen import Screen
from core.inventory.history import document_card
from core.tenancy.businesses import current_business

logger = logging.getLogger(__name__)

PHOTO_MAX_RATIO = 15  # Telegram refuses photos longer than 20:1; a long slip goes as a file


async def send_slip(update: Update, context: BotContext) -> None:
    """🧾 Delivery slip / 📄 PDF under a posted sale: draws it off the event loop and sends it."""
    query = update.callback_query
    assert query is not None  # CallbackQueryHandler only calls us with one
    assert update.effective_chat is not None
    document_id = int(cb.args(query.data)[0])
    as_pdf = cb.action(query.data) == "slip.pdf"
    actor = context.actor(update)
    doc = await document_card(context.uow(), actor, document_id)  # viewers: PermissionDenied
    if doc.doc_type != "XS" or doc.status != "posted":
        await reply(update, Screen(render.not_a_posted_sale(doc.number)))
        return
    await answer_only(update)
    business = await current_business(context.uow(), actor)
    card = render.slip(doc, business.name)  # words in the user's language, here
    draw = render.pdf if as_pdf else render.png
    content = await asyncio.to_thread(draw, card)  # matplotlib: never on the event loop
    chat_id, caption = update.effective_chat.id, render.caption(doc)
    kind = "pdf" if as_pdf else "png"
    upload = InputFile(content, filename=f"{doc.number}.{kind}")
    more = render.pdf_button(doc)  # under the image: the same slip as a PDF
    if as_pdf:
        await context.bot.send_document(chat_id, upload, caption)
    elif render.tall(card, PHOTO_MAX_RATIO):
        await context.bot.send_document(chat_id, upload, caption, reply_markup=more)
    else:
        await context.bot.send_photo(chat_id, upload, caption, reply_markup=more)
    logger.info("delivery slip %s (%s) as %s", doc.number, document_id, kind)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """The slip buttons of a posted sale's message and card."""
    pattern = cb.pattern("slip", "slip.pdf")
    application.add_handler(CallbackQueryHandler(send_slip, pattern=pattern))
