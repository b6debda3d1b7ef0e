"""/reorder (自动补货) and the buttons under a low-stock alert (库存预警).

🧾 Create PO is an entry point of the /po flow (bot/conversations/order_flows.py), which
asks ``reorder_po`` here what to pre-fill; when the flow does not take the press (its user
is in the middle of it already) ``busy`` answers it. 😴 Snooze and 🔕 Mute quiet the
product through core, at the bot's clock, and take the alert's buttons away; /reorder's
🔔 Unmute turns its alerts back on. Button data: bot/render/alerts.py.
"""

from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.conversations.flow import busy
from bot.handlers.replies import answer_only, answer_press, reply, show
from bot.i18n import _
from bot.render import alerts as render
from bot.render import callbacks as cb
from bot.render.screen import Screen
from core.alerts.rules import SNOOZE_DAYS, QuietProduct, quiet_product
from core.alerts.suggestions import reorder_suggestions
from core.catalog.listing import get_party
from core.catalog.results import PartyView
from core.catalog.warehouses import list_warehouses
from core.orders.hints import last_purchase_cost
from core.tenancy.access import Actor
from core.tenancy.businesses import current_business


@dataclass(frozen=True)
class ReorderPo:
    """What a 🧾 press pre-fills the /po flow with."""

    party: PartyView | None  # None: the flow asks for the supplier first
    warehouse_id: int | None  # None: the default warehouse
    lines: list[dict[str, Any]]
    note: str


async def reorder_po(update: Update, context: BotContext) -> ReorderPo | str:
    """The purchase order a 🧾 press asks for, or why there is none (a toast to show)."""
    query = update.callback_query
    wanted = render.po_request(query.data if query is not None else None)
    if wanted is None:
        return _("This button is no longer active.")
    actor = context.actor(update)
    business = await current_business(context.uow(), actor)
    if business.business_id != wanted.business_id:  # the flow acts in the current business
        return render.other_business()
    today = render.local_today(context.now(), business.timezone)
    found = await reorder_suggestions(context.uow(), actor, today, product_ids=wanted.product_ids)
    warehouse_id, lines = render.po_lines(found, wanted)
    if not lines:
        return render.nothing_to_order()
    for line in lines:
        if line["price"] is None:  # never bought from a supplier: the last cost paid, if any
            cost = await last_purchase_cost(context.uow(), actor, line["product_id"])
            line["price"] = str(cost if cost is not None else 0)
    party = None
    if wanted.supplier_id is not None:
        party = await get_party(context.uow(), actor, "supplier", wanted.supplier_id)
    keep = party is not None and not party.archived
    return ReorderPo(party if keep else None, warehouse_id, lines, render.po_note())


async def reorder_command(update: Update, context: BotContext) -> None:
    """/reorder: every product at or below its point, by last supplier; quiet ones last."""
    screen = await _reorder_screen(context, context.actor(update), public=context.in_public)
    await reply(update, screen)


async def snooze(update: Update, context: BotContext) -> None:
    """😴 Snooze 7 days: no alert about the product until then; the buttons go away."""
    target = _target(update, context)
    if target is None:
        await answer_only(update, _("This button is no longer active."))
        return
    actor, product_id = target
    cmd = QuietProduct(product_id=product_id, snooze_days=SNOOZE_DAYS)
    rule = await quiet_product(context.uow(), actor, cmd, context.now())
    assert rule.snoozed_until is not None  # a snooze sets it
    business = await current_business(context.uow(), actor)
    await answer_press(update, render.snoozed(rule.snoozed_until, business.timezone), alert=True)
    await _drop_buttons(update)


async def mute(update: Update, context: BotContext) -> None:
    """🔕 Mute this product: no more alerts about it until unmuted; the buttons go away."""
    target = _target(update, context)
    if target is None:
        await answer_only(update, _("This button is no longer active."))
        return
    actor, product_id = target
    cmd = QuietProduct(product_id=product_id, mute=True)
    await quiet_product(context.uow(), actor, cmd, context.now())
    await answer_press(update, render.muted(), alert=True)
    await _drop_buttons(update)


async def unmute(update: Update, context: BotContext) -> None:
    """🔔 Unmute on /reorder: the product's alerts are on again; the list is shown anew."""
    target = _target(update, context)
    if target is None:
        await answer_only(update, _("This button is no longer active."))
        return
    actor, product_id = target
    await quiet_product(context.uow(), actor, QuietProduct(product_id=product_id), context.now())
    await show(update, await _reorder_screen(context, actor, public=False, unmuted=product_id))


async def _reorder_screen(
    context: BotContext, actor: Actor, *, public: bool, unmuted: int | None = None
) -> Screen:
    business = await current_business(context.uow(), actor)
    today = render.local_today(context.now(), business.timezone)
    found = await reorder_suggestions(context.uow(), actor, today)
    warehouses: dict[int, str] = {}
    if any(s.warehouse_id is not None for s in found):
        warehouses = {w.warehouse_id: w.name for w in await list_warehouses(context.uow(), actor)}
    note = None
    if unmuted is not None:
        note = render.unmuted(next((s.sku for s in found if s.product_id == unmuted), None))
    return render.reorder_list(found, business.business_id, warehouses, public=public, note=note)


def _target(update: Update, context: BotContext) -> tuple[Actor, int] | None:
    """The presser acting in the button's business, and the product; None if not ours."""
    query = update.callback_query
    target = render.product_target(query.data if query is not None else None)
    if target is None:
        return None
    business_id, product_id = target
    return Actor(user_id=context.actor(update).user_id, business_id=business_id), product_id


async def _drop_buttons(update: Update) -> None:
    """Takes the alert's buttons away (a second press finds them gone already)."""
    query = update.callback_query
    assert query is not None  # only button presses come here
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as refused:
        if "not modified" not in refused.message:
            raise


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /reorder and the buttons of low-stock alerts."""
    application.add_handler(CommandHandler("reorder", reorder_command))
    application.add_handler(CallbackQueryHandler(reorder_command, pattern=r"^1:cmd:reorder$"))
    application.add_handler(CallbackQueryHandler(snooze, pattern=cb.pattern(render.SNOOZE_ACTION)))
    application.add_handler(CallbackQueryHandler(mute, pattern=cb.pattern(render.MUTE_ACTION)))
    application.add_handler(CallbackQueryHandler(unmute, pattern=cb.pattern(render.UNMUTE_ACTION)))
    # 🧾 pressed while its presser is in the /po flow already: that flow did not take it
    application.add_handler(CallbackQueryHandler(busy, pattern=cb.pattern(render.PO_ACTION)))
