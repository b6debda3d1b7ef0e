"""The audit trail: /docs, document cards, the Undo button and a manager's void with a reason."""

import logging
from contextlib import suppress
from typing import Final

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.handlers.announce import announce
from bot.handlers.replies import answer_only, reply, show
from bot.render import callbacks as cb
from bot.render import documents as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.catalog.lookup import find_products
from core.catalog.parties import list_customers, list_suppliers
from core.db.base import utcnow
from core.errors import (
    DomainError,
    InsufficientStock,
    InvalidState,
    NotFound,
    PermissionDenied,
    UndoExpired,
)
from core.inventory.history import DocumentFilter, document_card, list_documents
from core.inventory.voids import VoidDocument, void_document
from core.tenancy.businesses import current_business

logger = logging.getLogger(__name__)

FLOW: Final = "void"
REASON: Final = "void.reason"
CONFIRM: Final = "void.confirm"
REASON_LIMIT: Final = 200  # documents.void_reason
REFUSALS: Final = (UndoExpired, PermissionDenied, InvalidState, NotFound, InsufficientStock)


def _who(update: Update) -> str:
    user = update.effective_user
    return user.full_name if user is not None else ""


async def _refuse(update: Update, error: DomainError) -> None:
    """A refusal under a button: the press stops spinning and the reason is said."""
    await reply(update, Screen(describe(error)))


# -- Undo ------------------------------------------------------------------------------------


async def undo(update: Update, context: BotContext) -> None:
    """↩ Undo under a posted document: voids it once, however often it is pressed."""
    query = update.callback_query
    assert query is not None  # CallbackQueryHandler only calls us with one
    document_id = int(cb.args(query.data)[0])
    cmd = VoidDocument.build(document_id=document_id, request_id=f"undo:{document_id}")
    pressed_at = utcnow()  # core stamps voided_at with the same clock
    try:
        result = await void_document(context.uow(), context.actor(update), cmd)
    except REFUSALS as refused:
        await _refuse(update, refused)
        return
    screen = render.undone(result)
    if result.voided_at < pressed_at:  # an earlier press (or a double tap) did it
        await answer_only(update, render.already_undone())
        with suppress(BadRequest):  # "message is not modified": it already says so
            await query.edit_message_text(screen.text)
        return
    logger.info("undo %s (%s) by user %s", result.number, document_id, _who(update))
    await show(update, screen)
    await announce(update, context, lambda: render.undone_public(result.number, _who(update)))


# -- /docs -----------------------------------------------------------------------------------


async def docs_command(update: Update, context: BotContext) -> None:
    """/docs, /docs A001, /docs 王老板: recent documents, by product or party if named."""
    term = " ".join(context.args or []).strip()
    state, label = render.ListState(), None
    if term:
        found = await _resolve(update, context, term)
        if found is None:
            await reply(update, Screen(render.nothing_found(term)))
            return
        state, label = found
    await reply(update, await _page(update, context, state, label))


async def docs_button(update: Update, context: BotContext) -> None:
    """The "Recent documents" button of the More menu."""
    await reply(update, await _page(update, context, render.ListState(), None))


async def docs_page(update: Update, context: BotContext) -> None:
    """◀ ▶ and the type filters of a /docs page: the same message shows the new page."""
    query = update.callback_query
    assert query is not None
    state = render.ListState.parse(cb.args(query.data))
    await show(update, await _page(update, context, state, None))


async def open_card(update: Update, context: BotContext) -> None:
    """A document of the list: its card, with Undo/Void for those who may."""
    query = update.callback_query
    assert query is not None
    parts = cb.args(query.data)
    doc = await document_card(context.uow(), context.actor(update), int(parts[0]))
    await show(update, render.card(doc, render.ListState.parse(parts[1:])))


async def _page(
    update: Update, context: BotContext, state: render.ListState, label: str | None
) -> Screen:
    party_kind = {"s": "supplier", "c": "customer"}.get((state.party or "")[:1])
    cursor = int(state.cursor[1:]) if state.cursor != "0" else None
    newer = state.cursor.startswith("a")
    filt = DocumentFilter.build(
        doc_type=state.doc_type,
        product_id=state.product_id,
        party_id=int(state.party[1:]) if state.party else None,
        party_kind=party_kind,
        before_id=None if newer else cursor,
        after_id=cursor if newer else None,
        limit=render.PAGE + 1,  # one more: is there another page?
    )
    items = await list_documents(context.uow(), context.actor(update), filt)
    more = len(items) > render.PAGE
    if newer:
        items = items[-render.PAGE :] if more else items
        has_newer, has_older = more, True
    else:
        items = items[: render.PAGE]
        has_newer, has_older = cursor is not None, more
    return render.document_list(
        items, state, has_newer=has_newer, has_older=has_older, label=label
    )


async def _resolve(
    update: Update, context: BotContext, term: str
) -> tuple[render.ListState, str] | None:
    """A product (SKU, barcode, name) first, then a customer or supplier by name."""
    actor = context.actor(update)
    hits = await find_products(context.uow(), actor, term, include_archived=True)
    if hits:
        hit = hits[0]
        return render.ListState(product_id=hit.product_id), f"{hit.sku} {hit.name}"
    key = term.casefold()
    for prefix, lister in (("c", list_customers), ("s", list_suppliers)):
        try:
            parties = await lister(context.uow(), actor)
        except PermissionDenied:
            continue
        exact = [p for p in parties if p.name.casefold() == key]
        partial = [p for p in parties if key in p.name.casefold()]
        if found := (exact or partial):
            return render.ListState(party=f"{prefix}{found[0].party_id}"), found[0].name
    return None


# -- a manager's void with a reason ----------------------------------------------------------


@entry(FLOW)
async def start_void(update: Update, context: BotContext) -> object:
    """🗑 Void… / 🗑📝 Void and copy on a card: asks why (managers and the owner)."""
    query = update.callback_query
    assert query is not None
    assert update.effective_chat is not None
    document_id = int(cb.args(query.data)[0])
    actor = context.actor(update)
    doc = await document_card(context.uow(), actor, document_id)
    if doc.status == "voided":
        await _refuse(update, InvalidState(doc.number, doc.status))
        return END
    if not doc.can_void:  # a forged or old press; core refuses a clerk's void anyway
        await answer_only(update)
        await reply(update, Screen(render.cannot_void()))
        return END
    business = await current_business(context.uow(), actor)
    copy = cb.action(query.data) == "voidcopy"
    begin(
        context,
        FLOW,
        update.effective_chat.id,
        business.conversation_timeout_minutes,
        document_id=document_id,
        number=doc.number,
        doc_type=doc.doc_type,
        currency=doc.currency,
        copy=copy,
    )
    await reply(update, render.ask_void_reason(doc.number, copy))
    return REASON


@step(FLOW)
async def got_reason(update: Update, context: BotContext) -> object:
    """The reason typed: shows what will be voided and why."""
    message = update.effective_message
    assert message is not None
    reason = " ".join((message.text or "").split())
    if len(reason) > REASON_LIMIT:
        await message.reply_text(render.reason_too_long(REASON_LIMIT))
        return REASON
    draft = require_draft(context, FLOW)
    draft["reason"] = reason
    await reply(update, render.confirm_void(draft["number"], reason))
    return CONFIRM


@step(FLOW)
async def confirm_void(update: Update, context: BotContext) -> object:
    """🗑 Void: voids with the reason, once, however often it is pressed."""
    draft = require_draft(context, FLOW)
    cmd = VoidDocument.build(
        document_id=draft["document_id"], reason=draft["reason"], request_id=draft["request_id"]
    )
    try:
        result = await void_document(context.uow(), context.actor(update), cmd)
    except REFUSALS as refused:
        drop_draft(context)
        await show(update, Screen(describe(refused)))
        return END
    drop_draft(context)
    logger.info("void %s (%s) by user %s", result.number, result.document_id, _who(update))
    copy_type = draft["doc_type"] if draft.get("copy") else None
    await show(update, render.voided(result, draft["reason"], copy_type, draft["currency"]))
    await announce(
        update, context, lambda: render.voided_public(result.number, _who(update), draft["reason"])
    )
    return END


def register(application: Application) -> None:  # type: ignore[type-arg]
    """/docs, its pages and cards, Undo, and the void flow."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[
                CallbackQueryHandler(start_void, pattern=cb.pattern("void", "voidcopy"))
            ],
            states={
                REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_reason)],
                CONFIRM: [CallbackQueryHandler(confirm_void, pattern=cb.pattern("void.ok"))],
            },
        )
    )
    application.add_handler(CallbackQueryHandler(undo, pattern=cb.pattern("undo")))
    application.add_handler(CommandHandler("docs", docs_command))
    application.add_handler(CallbackQueryHandler(docs_button, pattern=r"^1:cmd:docs$"))
    application.add_handler(CallbackQueryHandler(docs_page, pattern=cb.pattern("docs")))
    application.add_handler(CallbackQueryHandler(open_card, pattern=cb.pattern("doc")))
