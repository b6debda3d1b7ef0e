"""The transfer (调拨) flow: from → to → products and quantities → summary → post.

With two warehouses the route is one tap (both directions as buttons); with more, the
source and then the destination. A quantity above what the source has is refused with the
figure, unless the business allows negative stock. "Void and copy" of a posted transfer
(a button on its card, /docs) opens this flow at the summary, pre-filled.
"""

from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.conversations.picking import Pick, ProductPicker
from bot.handlers.announce import announce
from bot.handlers.menu import menu_filter
from bot.handlers.replies import answer_only, reply, show
from bot.i18n import _
from bot.parse import InputError, quantity
from bot.render import callbacks as cb
from bot.render import stock_docs as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import NoBusiness, NotFound, PermissionDenied
from core.inventory.flow_hints import FlowStart, WarehouseChoice, flow_start
from core.inventory.history import document_card
from core.inventory.models import DocType
from core.inventory.stock import on_hand
from core.inventory.transfers import PostTransfer, post_transfer
from core.tenancy.models import Role

FLOW: Final = "transfer"
ROUTE: Final = "transfer.route"
TO: Final = "transfer.to"
QTY: Final = "transfer.qty"
CONFIRM: Final = "transfer.confirm"
TEXT: Final = filters.TEXT & ~filters.COMMAND
COPY_ACTION: Final = "copy.DB"  # the "void and copy" button of a transfer's card


async def _picked(update: Update, context: BotContext, pick: Pick) -> object:
    """A product to move: asks how many, with what the source has left for it."""
    draft = require_draft(context, FLOW)
    have = await on_hand(
        context.uow(), context.actor(update), int(pick["product_id"]), int(draft["from_id"])
    )
    available = have - _taken(draft, int(pick["product_id"]))
    draft["current"] = {**pick, "available": str(available)}
    await reply(update, render.transfer_ask_qty(pick, _name(draft, "from_id"), available))
    return QTY


picker = ProductPicker(FLOW, _picked, allow_new=False)
LINES: Final = picker.state


def _taken(draft: dict[str, Any], product_id: int) -> Decimal:
    return sum(
        (Decimal(x["qty"]) for x in draft["lines"] if x["product_id"] == product_id),
        Decimal(0),
    )


def _name(draft: dict[str, Any], key: str) -> str:
    return str(draft["warehouses"][str(draft[key])])


def _choices(draft: dict[str, Any]) -> list[WarehouseChoice]:
    return [WarehouseChoice(int(k), v) for k, v in draft["warehouses"].items()]


async def _hints(update: Update, context: BotContext) -> FlowStart | None:
    """The flow's start: refused (and said) for non-members, viewers and one warehouse."""
    try:
        hints = await flow_start(context.uow(), context.actor(update))
    except (NoBusiness, PermissionDenied) as refused:
        await reply(update, Screen(describe(refused)))
        return None
    if not hints.role.at_least(Role.CLERK):
        denied = PermissionDenied("post transfers", hints.role.value)
        await reply(update, Screen(describe(denied)))
        return None
    if len(hints.warehouses) < 2:
        await reply(update, render.transfer_one_warehouse())
        return None
    return hints


def _begin(update: Update, context: BotContext, hints: FlowStart, **fields: Any) -> None:
    chat = update.effective_chat
    assert chat is not None
    begin(
        context,
        FLOW,
        chat.id,
        hints.conversation_timeout_minutes,
        warehouses={str(w.warehouse_id): w.name for w in hints.warehouses},
        allow_negative=hints.allow_negative_stock,
        **fields,
    )


@entry(FLOW)
async def start(update: Update, context: BotContext) -> object:
    """/transfer, the 🔁 Transfer button or More → Transfer: asks the route."""
    hints = await _hints(update, context)
    if hints is None:
        return END
    _begin(update, context, hints, lines=[])
    await reply(update, render.transfer_ask_route(hints.warehouses))
    return ROUTE


@step(FLOW)
async def chose_source(update: Update, context: BotContext) -> object:
    """The source (three or more warehouses): asks the destination."""
    query = update.callback_query
    assert query is not None
    draft = require_draft(context, FLOW)
    source = cb.args(query.data)[0]
    if source not in draft["warehouses"]:
        await answer_only(update, _("This button is no longer active."))
        return ROUTE
    draft["from_id"] = int(source)
    chosen = WarehouseChoice(int(source), draft["warehouses"][source])
    await show(update, render.transfer_ask_to(chosen, _choices(draft)))
    return TO


@step(FLOW)
async def chose_route(update: Update, context: BotContext) -> object:
    """Source and destination: they must differ; then asks for a product."""
    query = update.callback_query
    assert query is not None
    draft = require_draft(context, FLOW)
    here = TO if len(draft["warehouses"]) > 2 else ROUTE
    source, target = [*cb.args(query.data), "", ""][:2]
    if source not in draft["warehouses"] or target not in draft["warehouses"]:
        await answer_only(update, _("This button is no longer active."))
        return here
    if source == target:
        await reply(update, Screen(render.transfer_same_warehouse()))
        return here
    draft["from_id"], draft["to_id"] = int(source), int(target)
    await show(update, render.transfer_ask_product(_name(draft, "from_id"), _name(draft, "to_id")))
    return LINES


@step(FLOW)
async def got_qty(update: Update, context: BotContext) -> object:
    """The quantity to move: > 0, at most 3 decimals, at most what the source has."""
    message = update.effective_message
    assert message is not None
    draft = require_draft(context, FLOW)
    pick = draft["current"]
    try:
        amount = quantity(message.text or "")
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return QTY
    available = Decimal(pick["available"])
    if amount > available and not draft["allow_negative"]:
        text = render.transfer_too_many(pick, _name(draft, "from_id"), available)
        await reply(update, Screen(text))
        return QTY
    draft.pop("current")
    _add(draft, pick, amount)
    await reply(update, render.transfer_line_added(draft["lines"]))
    return LINES


def _add(draft: dict[str, Any], pick: dict[str, Any], amount: Decimal) -> None:
    """Adds a line; the same product again adds to its quantity (one line per product)."""
    for line in draft["lines"]:
        if line["product_id"] == pick["product_id"]:
            line["qty"] = str(Decimal(line["qty"]) + amount)
            return
    line = {key: pick[key] for key in ("product_id", "sku", "name", "unit")}
    draft["lines"].append({**line, "qty": str(amount)})


@step(FLOW)
async def done(update: Update, context: BotContext) -> object:
    """Done: the summary before posting."""
    draft = require_draft(context, FLOW)
    if not draft["lines"]:
        await answer_only(update)
        return LINES
    await show(update, _summary(draft))
    return CONFIRM


def _summary(draft: dict[str, Any]) -> Screen:
    return render.transfer_summary(_name(draft, "from_id"), _name(draft, "to_id"), draft["lines"])


@step(FLOW)
async def confirm(update: Update, context: BotContext) -> object:
    """Posts the transfer (once, whatever the taps) and shows its DB number with Undo."""
    draft = require_draft(context, FLOW)
    cmd = PostTransfer.build(
        request_id=draft["request_id"],
        from_warehouse_id=int(draft["from_id"]),
        to_warehouse_id=int(draft["to_id"]),
        lines=tuple(
            {"product_id": int(x["product_id"]), "qty": Decimal(x["qty"])} for x in draft["lines"]
        ),
    )
    result = await post_transfer(context.uow(), context.actor(update), cmd)
    source, target = _name(draft, "from_id"), _name(draft, "to_id")
    units = {int(x["product_id"]): str(x["unit"]) for x in draft["lines"]}
    drop_draft(context)
    await show(update, render.transfer_posted(result, source, target, units))
    await announce(
        update, context, lambda: render.transfer_announcement(result, source, target, units)
    )
    return END


@entry(FLOW)
async def copy_entry(update: Update, context: BotContext) -> object:
    """Void and copy of a transfer: this flow at its summary, pre-filled from the old one."""
    query = update.callback_query
    assert query is not None
    hints = await _hints(update, context)
    if hints is None:
        return END
    document_id = int(cb.args(query.data)[0])
    try:
        card = await document_card(context.uow(), context.actor(update), document_id)
    except (NotFound, PermissionDenied) as refused:
        await reply(update, Screen(describe(refused)))
        return END
    active = {w.warehouse_id for w in hints.warehouses}
    if card.doc_type != DocType.TRANSFER or card.to_warehouse_id is None:
        await answer_only(update, _("This button is no longer active."))
        return END
    if not {card.warehouse_id, card.to_warehouse_id} <= active:  # archived since
        await reply(update, Screen(describe(NotFound("warehouse", card.warehouse))))
        return END
    lines = [
        {
            "product_id": x.product_id,
            "sku": x.sku,
            "name": x.name,
            "unit": x.unit,
            "qty": str(x.qty),
        }
        for x in card.lines
    ]
    _begin(
        update,
        context,
        hints,
        lines=lines,
        from_id=card.warehouse_id,
        to_id=card.to_warehouse_id,
        copied_from=card.document_id,
    )
    await reply(update, _summary(require_draft(context, FLOW)))
    return CONFIRM


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the transfer flow, with "void and copy" of a transfer as a second entry."""
    picking = picker.states()
    entry_points = [
        CommandHandler("transfer", start),
        MessageHandler(menu_filter("transfer"), start),
        CallbackQueryHandler(start, pattern=r"^1:cmd:transfer$"),
        CallbackQueryHandler(copy_entry, pattern=cb.pattern(COPY_ACTION)),
    ]
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=entry_points,
            states={
                **picking,
                ROUTE: [
                    CallbackQueryHandler(chose_route, pattern=cb.pattern("tr.pair")),
                    CallbackQueryHandler(chose_source, pattern=cb.pattern("tr.from")),
                ],
                TO: [CallbackQueryHandler(chose_route, pattern=cb.pattern("tr.pair"))],
                LINES: [
                    *picking[LINES],
                    CallbackQueryHandler(done, pattern=cb.pattern("tr.done")),
                ],
                QTY: [MessageHandler(TEXT, got_qty)],
                CONFIRM: [CallbackQueryHandler(confirm, pattern=cb.pattern("tr.ok"))],
            },
        )
    )
