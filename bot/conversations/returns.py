"""The return flow (退货): from a posted sale or receipt to a sales or purchase return.

Started by ↩ Return goods on a document's card, or /return (or More) and the document's
number. The lines show what each can still return; the user taps "All of it" or types
"line quantity" pairs, one per line; a summary, then Confirm posts once (the draft's request
id) and the return shows with Undo.
"""

from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.handlers.menu import main_menu
from bot.handlers.replies import reply, show
from bot.parse import InputError, line_quantities
from bot.render import callbacks as cb
from bot.render import returns as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import DomainError
from core.inventory.history import DocumentFilter, list_documents
from core.orders.returns import (
    PostReturn,
    ReturnableDocument,
    ReturnLine,
    post_purchase_return,
    post_sales_return,
    returnable,
)
from core.tenancy.businesses import current_business

FLOW: Final = "return"
NUMBER: Final = "return.number"
LINES: Final = "return.lines"
CONFIRM: Final = "return.confirm"
TEXT = filters.TEXT & ~filters.COMMAND


@entry(FLOW)
async def start_from_card(update: Update, context: BotContext) -> object:
    """↩ Return goods on a sale's or receipt's card."""
    document_id = int(cb.args(update.callback_query.data if update.callback_query else None)[0])
    return await _open(update, context, document_id=document_id)


@entry(FLOW)
async def start_command(update: Update, context: BotContext) -> object:
    """/return XS-2026-00012, or /return alone (then the number is asked)."""
    number = " ".join(context.args or []).strip()
    if number:
        return await _open(update, context, number=number)
    chat = update.effective_chat
    assert chat is not None
    actor = context.actor(update)
    business = await current_business(context.uow(), actor)
    recent = await list_documents(context.uow(), actor, DocumentFilter(limit=30))
    returnable_now = [d for d in recent if d.doc_type in ("XS", "CG") and d.status == "posted"]
    begin(context, FLOW, chat.id, business.conversation_timeout_minutes)
    await reply(update, render.ask_number(returnable_now[:8]))
    return NUMBER


@step(FLOW)
async def picked_recent(update: Update, context: BotContext) -> object:
    """One of the recent sales or receipts listed under the question."""
    document_id = int(cb.args(update.callback_query.data if update.callback_query else None)[0])
    return await _open(update, context, document_id=document_id, retry=NUMBER)


@step(FLOW)
async def got_number(update: Update, context: BotContext) -> object:
    """The typed number of the sale or receipt."""
    number = (update.effective_message.text or "").strip() if update.effective_message else ""
    return await _open(update, context, number=number, retry=NUMBER)


@step(FLOW)
async def all_of_it(update: Update, context: BotContext) -> object:
    """All of it: every line's returnable quantity."""
    draft = require_draft(context, FLOW)
    draft["chosen"] = {n: line[3] for n, line in draft["lines"].items() if Decimal(line[3]) > 0}
    await show(update, render.summary(draft))
    return CONFIRM


@step(FLOW)
async def typed_lines(update: Update, context: BotContext) -> object:
    """Typed "1 2" lines: line number and quantity; each checked against what it can return."""
    draft = require_draft(context, FLOW)
    text = update.effective_message.text if update.effective_message else ""
    try:
        draft["chosen"] = _parse(draft, text or "")
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return LINES
    await reply(update, render.summary(draft))
    return CONFIRM


@step(FLOW)
async def confirm(update: Update, context: BotContext) -> object:
    """✅ Post the return (once, whatever the taps)."""
    draft = require_draft(context, FLOW)
    cmd = PostReturn(
        request_id=draft["request_id"],
        document_id=draft["document_id"],
        lines=tuple(
            ReturnLine(line_no=int(n), qty=Decimal(q)) for n, q in draft["chosen"].items()
        ),
    )
    post = post_sales_return if draft["doc_type"] == "XS" else post_purchase_return
    try:
        result = await post(context.uow(), context.actor(update), cmd)
    except DomainError as refused:
        drop_draft(context)
        await reply(update, Screen(describe(refused)))
        return END
    drop_draft(context)
    await show(update, render.posted(result))
    await reply(update, main_menu())
    return END


async def _open(
    update: Update,
    context: BotContext,
    *,
    document_id: int | None = None,
    number: str | None = None,
    retry: object = END,
) -> object:
    try:
        found = await returnable(
            context.uow(), context.actor(update), document_id=document_id, number=number
        )
    except DomainError as refused:
        await reply(update, Screen(describe(refused)))
        return retry
    if not any(line.qty > 0 for line in found.lines):
        drop_draft(context)
        await reply(update, Screen(render.nothing_left(found.number)))
        return END
    chat = update.effective_chat
    assert chat is not None
    business = await current_business(context.uow(), context.actor(update))
    draft = begin(context, FLOW, chat.id, business.conversation_timeout_minutes)
    _fill(draft, found)
    await reply(update, render.ask_lines(draft))
    return LINES


def _fill(draft: dict[str, Any], found: ReturnableDocument) -> None:
    draft.update(
        document_id=found.document_id,
        number=found.number,
        doc_type=found.doc_type,
        lines={str(x.line_no): [x.sku, x.name, x.unit, str(x.qty)] for x in found.lines},
    )


def _parse(draft: dict[str, Any], text: str) -> dict[str, str]:
    """{line: quantity} from "1 2" lines, each within what the line can still return.

    Raises:
        InputError: not a pair, no such line, a bad quantity, or more than it can return.
    """
    chosen = line_quantities(text, draft["lines"], render.bad_line)
    for n, qty in chosen.items():
        if qty > Decimal(draft["lines"][n][3]):
            raise InputError(render.too_many(draft["lines"][n], n))
    return {n: str(q) for n, q in chosen.items()}


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the return flow."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[
                CallbackQueryHandler(start_from_card, pattern=cb.pattern("ret")),
                CommandHandler("return", start_command),
                CallbackQueryHandler(start_command, pattern=r"^1:cmd:return$"),
            ],
            states={
                NUMBER: [
                    MessageHandler(TEXT, got_number),
                    CallbackQueryHandler(picked_recent, pattern=cb.pattern("ret.pick")),
                ],
                LINES: [
                    MessageHandler(TEXT, typed_lines),
                    CallbackQueryHandler(all_of_it, pattern=cb.pattern("ret.all")),
                ],
                CONFIRM: [CallbackQueryHandler(confirm, pattern=cb.pattern("ret.ok"))],
            },
        )
    )
