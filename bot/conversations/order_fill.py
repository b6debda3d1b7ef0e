"""Receiving or shipping part of an order: "✏️ Receive part…" / "✏️ Ship part…" on its card.

The lines show what each still expects; the user types "line quantity" pairs, one per line.
A quantity above what a line expects is allowed only by confirming the summary, which says
so (an over-receipt, DESIGN's "refused unless confirmed"). Confirm posts once (the draft's
request id): a receipt or shipment linked to the order, then the refreshed card.
"""

from decimal import Decimal
from typing import Final

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.handlers.orders import order_screen
from bot.handlers.replies import reply, show
from bot.parse import InputError, line_quantities
from bot.render import callbacks as cb
from bot.render import order_fill as render
from bot.render import trade as trade_render
from bot.render.errors import describe
from bot.render.orders import money_of
from bot.render.screen import Screen
from core.errors import DomainError
from core.inventory.results import DocumentPosted
from core.orders.models import OrderKind
from core.orders.order_rows import FillLine
from core.orders.order_states import get_order
from core.orders.purchase_orders import ReceiveOrder, receive_order
from core.orders.sales_orders import ShipOrder, ship_order
from core.tenancy.businesses import current_business

FLOW: Final = "orderfill"
LINES: Final = "orderfill.lines"
CONFIRM: Final = "orderfill.confirm"
TEXT = filters.TEXT & ~filters.COMMAND


@entry(FLOW)
async def start(update: Update, context: BotContext) -> object:
    """✏️ Receive part… / ✏️ Ship part… on an order's card: asks which lines, how many."""
    order_id = int(cb.args(update.callback_query.data if update.callback_query else None)[0])
    actor = context.actor(update)
    try:
        order = await get_order(context.uow(), actor, order_id)
        business = await current_business(context.uow(), actor)
    except DomainError as refused:
        await reply(update, Screen(describe(refused)))
        return END
    chat = update.effective_chat
    assert chat is not None
    draft = begin(context, FLOW, chat.id, business.conversation_timeout_minutes)
    draft.update(
        order_id=order.order_id,
        number=order.number,
        purchase=order.kind == OrderKind.PURCHASE,
        undo=business.undo_window_minutes > 0,
        lines={str(x.line_no): [x.sku, x.name, x.unit, str(x.remaining)] for x in order.lines},
    )
    await reply(update, render.ask_lines(draft))
    return LINES


@step(FLOW)
async def typed_lines(update: Update, context: BotContext) -> object:
    """Typed "1 4" lines; a line beyond what it expects is marked for the summary to confirm."""
    draft = require_draft(context, FLOW)
    text = update.effective_message.text if update.effective_message else ""
    try:
        chosen = line_quantities(text or "", draft["lines"], render.bad_line)
        draft["chosen"] = {n: str(q) for n, q in chosen.items()}
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return LINES
    await reply(update, render.summary(draft))
    return CONFIRM


@step(FLOW)
async def confirm(update: Update, context: BotContext) -> object:
    """✅ Posts the receipt or shipment once, then shows the order as it now stands."""
    draft = require_draft(context, FLOW)
    lines = tuple(FillLine(line_no=int(n), qty=Decimal(q)) for n, q in draft["chosen"].items())
    over = render.beyond(draft)  # the summary said so; confirming it allows it
    actor = context.actor(update)
    choice = cb.args(update.callback_query.data if update.callback_query else None)
    money = money_of(choice[0] if choice else "cash")
    try:
        posted: DocumentPosted
        if draft["purchase"]:
            cmd = ReceiveOrder(
                request_id=draft["request_id"],
                order_id=draft["order_id"],
                lines=lines,
                allow_over=bool(over),
                **money,
            )
            posted = await receive_order(context.uow(), actor, cmd)
        else:
            ship = ShipOrder(
                request_id=draft["request_id"],
                order_id=draft["order_id"],
                lines=lines,
                allow_over=bool(over),
                **money,
            )
            posted = await ship_order(context.uow(), actor, ship)
        order = await get_order(context.uow(), actor, draft["order_id"])
    except DomainError as refused:
        drop_draft(context)
        await reply(update, Screen(describe(refused)))
        return END
    drop_draft(context)
    flow = "purchase" if draft["purchase"] else "sale"
    await show(update, trade_render.posted(flow, posted, undo=bool(draft["undo"])))
    await reply(update, await order_screen(update, context, order))
    return END


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds receiving or shipping part of an order."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[CallbackQueryHandler(start, pattern=cb.pattern("order.part"))],
            states={
                LINES: [MessageHandler(TEXT, typed_lines)],
                CONFIRM: [CallbackQueryHandler(confirm, pattern=cb.pattern("orderfill.ok"))],
            },
        )
    )
