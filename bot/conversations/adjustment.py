"""The adjustment (调整) flow, for managers: warehouse → product → ±quantity → reason → post.

A clerk or viewer is told at the entry that adjusting is for managers (a count is their way
to correct stock). The change is typed with its sign, so a loss is never booked as a find:
"+3" found, "-2" damaged or lost. The reason buttons follow the sign; any typed text is a
reason too, and becomes the document's note.
"""

from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.conversations.picking import Pick, ProductPicker
from bot.handlers.announce import announce
from bot.handlers.replies import answer_only, reply, show
from bot.i18n import _
from bot.parse import InputError, name, quantity
from bot.render import callbacks as cb
from bot.render import stock_docs as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import NoBusiness, PermissionDenied
from core.inventory.adjustments import PostAdjustment, post_adjustment
from core.inventory.flow_hints import flow_start, preview_change
from core.tenancy.models import Role

FLOW: Final = "adjust"
WAREHOUSE: Final = "adjust.warehouse"
CHANGE: Final = "adjust.change"
REASON: Final = "adjust.reason"
OTHER: Final = "adjust.other"
CONFIRM: Final = "adjust.confirm"
TEXT: Final = filters.TEXT & ~filters.COMMAND
MAX_REASON_CHARS: Final = 200
_MINUS: Final = str.maketrans({"−": "-", "－": "-", "—": "-", "＋": "+"})


async def _picked(update: Update, context: BotContext, pick: Pick) -> object:
    """The product: shows what is on hand and asks for the signed change."""
    draft = require_draft(context, FLOW)
    preview = await preview_change(
        context.uow(),
        context.actor(update),
        int(draft["warehouse_id"]),
        int(pick["product_id"]),
        Decimal(0),
    )
    draft["current"] = {**pick, "on_hand": str(preview.on_hand)}
    await reply(update, render.adjust_ask_change(pick, draft["warehouse"], preview.on_hand))
    return CHANGE


picker = ProductPicker(FLOW, _picked, allow_new=False)
PRODUCT: Final = picker.state


@entry(FLOW)
async def start(update: Update, context: BotContext) -> object:
    """/adjust or More → Adjust: managers only; asks the warehouse if there are several."""
    chat = update.effective_chat
    assert chat is not None
    try:
        hints = await flow_start(context.uow(), context.actor(update))
    except (NoBusiness, PermissionDenied) as refused:
        await reply(update, Screen(describe(refused)))
        return END
    if not hints.role.at_least(Role.MANAGER):
        await reply(update, render.adjust_managers_only())
        return END
    if not hints.warehouses:
        await reply(update, render.no_warehouse())
        return END
    begin(
        context,
        FLOW,
        chat.id,
        hints.conversation_timeout_minutes,
        warehouses={str(w.warehouse_id): w.name for w in hints.warehouses},
        allow_negative=hints.allow_negative_stock,
        currency=hints.currency,
    )
    if len(hints.warehouses) > 1:
        await reply(update, render.adjust_ask_warehouse(hints.warehouses))
        return WAREHOUSE
    only = hints.warehouses[0]
    return await _ask_product(update, context, str(only.warehouse_id), edit=False)


async def _ask_product(
    update: Update, context: BotContext, warehouse_id: str, *, edit: bool
) -> object:
    draft = require_draft(context, FLOW)
    draft["warehouse_id"], draft["warehouse"] = (
        int(warehouse_id),
        draft["warehouses"][warehouse_id],
    )
    await (show if edit else reply)(update, render.adjust_ask_product(draft["warehouse"]))
    return PRODUCT


@step(FLOW)
async def chose_warehouse(update: Update, context: BotContext) -> object:
    """A warehouse button: asks for the product."""
    query = update.callback_query
    assert query is not None
    warehouse_id = cb.args(query.data)[0]
    if warehouse_id not in require_draft(context, FLOW)["warehouses"]:
        await answer_only(update, _("This button is no longer active."))
        return WAREHOUSE
    return await _ask_product(update, context, warehouse_id, edit=True)


@step(FLOW)
async def got_change(update: Update, context: BotContext) -> object:
    """The signed change: "+3" or "-2"; not zero, at most 3 decimals, not below zero stock."""
    message = update.effective_message
    assert message is not None
    draft = require_draft(context, FLOW)
    pick = draft["current"]
    text = (message.text or "").strip().translate(_MINUS)
    if not text.startswith(("+", "-")):
        await reply(update, Screen(render.adjust_needs_sign()))
        return CHANGE
    try:
        amount = quantity(text[1:])
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return CHANGE
    change = amount if text.startswith("+") else -amount
    have = Decimal(pick["on_hand"])
    if change < 0 and amount > have and not draft["allow_negative"]:
        await reply(update, Screen(render.adjust_too_many(have, pick["unit"])))
        return CHANGE
    draft["change"] = str(change)
    await reply(update, render.adjust_ask_reason(change))
    return REASON


@step(FLOW)
async def chose_reason(update: Update, context: BotContext) -> object:
    """A reason button: damaged, lost or found."""
    query = update.callback_query
    assert query is not None
    code = cb.args(query.data)[0]
    label = render.REASON_LABELS.get(code)
    if label is None:
        await answer_only(update, _("This button is no longer active."))
        return REASON
    return await _summary(update, context, _(label), edit=True)


@step(FLOW)
async def other_reason(update: Update, context: BotContext) -> object:
    """The Other button: asks for the reason in words."""
    del context
    await show(update, render.adjust_ask_other())
    return OTHER


@step(FLOW)
async def typed_reason(update: Update, context: BotContext) -> object:
    """A reason in the user's words."""
    message = update.effective_message
    assert message is not None
    try:
        reason = name(message.text or "", MAX_REASON_CHARS)
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return OTHER
    return await _summary(update, context, reason, edit=False)


async def _summary(update: Update, context: BotContext, reason: str, *, edit: bool) -> object:
    draft = require_draft(context, FLOW)
    draft["reason"] = reason
    pick = draft["current"]
    preview = await preview_change(
        context.uow(),
        context.actor(update),
        int(draft["warehouse_id"]),
        int(pick["product_id"]),
        Decimal(draft["change"]),
    )
    screen = render.adjust_summary(
        pick, draft["warehouse"], preview, reason, str(draft.get("currency") or "CNY")
    )
    await (show if edit else reply)(update, screen)
    return CONFIRM


@step(FLOW)
async def confirm(update: Update, context: BotContext) -> object:
    """Posts the adjustment (once, whatever the taps) and shows its TZ number with Undo."""
    draft = require_draft(context, FLOW)
    pick: dict[str, Any] = draft["current"]
    cmd = PostAdjustment.build(
        request_id=draft["request_id"],
        warehouse_id=int(draft["warehouse_id"]),
        note=draft["reason"],
        lines=({"product_id": int(pick["product_id"]), "qty": Decimal(draft["change"])},),
    )
    result = await post_adjustment(context.uow(), context.actor(update), cmd)
    warehouse, unit, reason = str(draft["warehouse"]), str(pick["unit"]), str(draft["reason"])
    drop_draft(context)
    await show(update, render.adjust_posted(result, warehouse, unit, reason))
    await announce(
        update, context, lambda: render.adjust_announcement(result, warehouse, unit, reason)
    )
    return END


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the adjustment flow."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[
                CommandHandler("adjust", start),
                CallbackQueryHandler(start, pattern=r"^1:cmd:adjust$"),
            ],
            states={
                **picker.states(),
                WAREHOUSE: [CallbackQueryHandler(chose_warehouse, pattern=cb.pattern("adj.wh"))],
                CHANGE: [MessageHandler(TEXT, got_change)],
                REASON: [
                    CallbackQueryHandler(chose_reason, pattern=cb.pattern("adj.why")),
                    CallbackQueryHandler(other_reason, pattern=cb.pattern("adj.other")),
                    MessageHandler(TEXT, typed_reason),
                ],
                OTHER: [MessageHandler(TEXT, typed_reason)],
                CONFIRM: [CallbackQueryHandler(confirm, pattern=cb.pattern("adj.ok"))],
            },
        )
    )
