"""/orders: open purchase and sales orders, their cards, and receiving or shipping the rest.

Creating orders from the chat is not here yet; orders made through the core services (or a
later flow) are tracked, received, shipped and cancelled here.
"""

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.handlers.announce import announce
from bot.handlers.replies import reply, show
from bot.render import callbacks as cb
from bot.render import orders as render
from bot.render import trade as trade_render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import DomainError
from core.inventory.results import DocumentPosted
from core.orders.models import OrderKind
from core.orders.order_rows import FillLine
from core.orders.order_states import (
    CancelOrder,
    PlaceOrder,
    cancel_order,
    get_order,
    list_orders,
    place_order,
)
from core.orders.purchase_orders import ReceiveOrder, receive_order
from core.orders.results import OrderView
from core.orders.sales_orders import ShipOrder, ship_order
from core.tenancy.businesses import current_business
from core.tenancy.models import Role


async def orders_command(update: Update, context: BotContext) -> None:
    """/orders: the open purchase orders (the sales orders one tap away)."""
    await _list(update, context, OrderKind.PURCHASE.value)


async def orders_tab(update: Update, context: BotContext) -> None:
    """A kind's tab (or ◀ Orders on a card)."""
    kind = cb.args(update.callback_query.data if update.callback_query else None)
    await _list(update, context, kind[0] if kind else OrderKind.PURCHASE.value)


async def open_order(update: Update, context: BotContext) -> None:
    """An order's button: its card."""
    try:
        order = await get_order(context.uow(), context.actor(update), _order_id(update))
    except DomainError as refused:
        await reply(update, Screen(describe(refused)))
        return
    await show(update, await order_screen(update, context, order))


async def place(update: Update, context: BotContext) -> None:
    """📨 Place / ✅ Confirm a draft (a sales order then holds its stock)."""
    try:
        cmd = PlaceOrder(order_id=_order_id(update))
        order = await place_order(context.uow(), context.actor(update), cmd)
    except DomainError as refused:
        await reply(update, Screen(describe(refused)))
        return
    await show(update, await order_screen(update, context, order))


async def fill(update: Update, context: BotContext) -> None:
    """📥 Receive / 📤 Ship the rest: one document for every line's remaining quantity."""
    args = cb.args(update.callback_query.data if update.callback_query else None)
    order_id, seen = int(args[0]), args[1]
    actor = context.actor(update)
    try:
        order = await get_order(context.uow(), actor, order_id)
        if len(args) < 3:  # the card's button: first, how it is paid
            await show(update, render.ask_fill_payment(order))
            return
        lines = tuple(
            FillLine(line_no=x.line_no, qty=x.remaining) for x in order.lines if x.remaining > 0
        )
        request_id = f"order-fill:{order_id}:{seen}"  # a double tap posts once
        money = render.money_of(args[2])
        posted: DocumentPosted
        if order.kind == OrderKind.PURCHASE:
            cmd = ReceiveOrder(request_id=request_id, order_id=order_id, lines=lines, **money)
            posted = await receive_order(context.uow(), actor, cmd)
        else:
            ship = ShipOrder(request_id=request_id, order_id=order_id, lines=lines, **money)
            posted = await ship_order(context.uow(), actor, ship)
    except (DomainError, ValueError) as refused:
        text = describe(refused) if isinstance(refused, DomainError) else str(refused)
        await reply(update, Screen(text))
        return
    flow = "purchase" if order.kind == OrderKind.PURCHASE else "sale"
    business = await current_business(context.uow(), actor)
    await reply(update, trade_render.posted(flow, posted, undo=business.undo_window_minutes > 0))
    who = update.effective_user.full_name if update.effective_user else ""
    draft = _announce_draft(order)
    await announce(update, context, lambda: trade_render.public(flow, posted, who, draft))
    refreshed = await get_order(context.uow(), actor, order_id)
    await show(update, await order_screen(update, context, refreshed))


async def ask_cancel(update: Update, context: BotContext) -> None:
    """✖ Cancel the order: asks first."""
    try:
        order = await get_order(context.uow(), context.actor(update), _order_id(update))
    except DomainError as refused:
        await reply(update, Screen(describe(refused)))
        return
    await show(update, render.confirm_cancel(order))


async def confirm_cancel(update: Update, context: BotContext) -> None:
    """Yes, cancel it."""
    try:
        cmd = CancelOrder(order_id=_order_id(update))
        order = await cancel_order(context.uow(), context.actor(update), cmd)
    except DomainError as refused:
        await reply(update, Screen(describe(refused)))
        return
    await show(update, await order_screen(update, context, order))


async def _list(update: Update, context: BotContext, kind: str) -> None:
    actor = context.actor(update)
    try:
        business = await current_business(context.uow(), actor)
        orders = await list_orders(context.uow(), actor, OrderKind(kind))
    except (DomainError, ValueError) as refused:
        text = describe(refused) if isinstance(refused, DomainError) else str(refused)
        await reply(update, Screen(text))
        return
    await show(update, render.order_list(kind, orders, business.base_currency))


async def order_screen(update: Update, context: BotContext, order: OrderView) -> Screen:
    """The order's card, with the buttons this member may press."""
    business = await current_business(context.uow(), context.actor(update))
    manager = business.role.at_least(Role.MANAGER)
    can_cancel = manager or order.status == "draft"  # core checks a draft is one's own
    return render.order_card(order, business.timezone, can_cancel=can_cancel)


def _order_id(update: Update) -> int:
    return int(cb.args(update.callback_query.data if update.callback_query else None)[0])


def _announce_draft(order: OrderView) -> dict[str, object]:
    """What the group announcement reads of a flow's draft, taken from the order."""
    return {
        "warehouse": [order.warehouse_id, order.warehouse_name],
        "lines": [{"product_id": x.product_id, "unit": x.unit} for x in order.lines],
    }


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /orders and its buttons."""
    application.add_handler(CommandHandler("orders", orders_command))
    application.add_handler(CallbackQueryHandler(orders_command, pattern=r"^1:cmd:orders$"))
    application.add_handler(CallbackQueryHandler(orders_tab, pattern=cb.pattern("orders")))
    application.add_handler(CallbackQueryHandler(open_order, pattern=cb.pattern("order")))
    application.add_handler(CallbackQueryHandler(place, pattern=cb.pattern("order.place")))
    application.add_handler(CallbackQueryHandler(fill, pattern=cb.pattern("order.fill")))
    application.add_handler(CallbackQueryHandler(ask_cancel, pattern=cb.pattern("order.cancel")))
    application.add_handler(
        CallbackQueryHandler(confirm_cancel, pattern=cb.pattern("order.cancelok"))
    )
