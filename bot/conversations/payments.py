"""The payment flows: /collect (收款, money from a customer) and /pay (付款, to a supplier).

One flow for both, the draft's ``kind`` telling which. The dialogue::

    /collect  → the customers who owe (biggest first), or a typed name to search any
    a party   → its open items and balance; "All: 1,000.00" or a typed amount
    (another currency) → the exchange rate, the last one used offered
    a method  → cash / bank / WeChat / Alipay → the preview from plan_payment
    ✅ Confirm → post_payment with the draft's request id; the payment with ↩ Undo

``record_payment_button`` (bot.render.payments) on statements and alerts enters at the
amount step with the party chosen. Core decides who may (managers and owners): the first
read of each entry is a core read that refuses clerks and viewers before a draft exists.
"""

import logging
from contextlib import suppress
from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import parse
from bot.context import BotContext
from bot.conversations.flow import (
    END,
    FlowHandler,
    arg_of,
    begin,
    busy,
    drop_draft,
    entry,
    require_draft,
    say_stale,
    step,
    text_of,
)
from bot.handlers.menu import main_menu
from bot.handlers.replies import answer_only, reply, show
from bot.parse import InputError, name
from bot.render import callbacks as cb
from bot.render import payments as render
from bot.render.documents import already_undone
from bot.render.errors import describe
from bot.render.screen import Screen
from core.db.base import utcnow
from core.errors import DomainError, ItemNotOpen
from core.finance.accounts import aging, party_account
from core.finance.models import PartyKind, PaymentMethod
from core.finance.payments import (
    PostPayment,
    VoidPayment,
    plan_payment,
    post_payment,
    void_payment,
)
from core.finance.results import PartyAccount
from core.orders.hints import find_parties
from core.tenancy.businesses import current_business

logger = logging.getLogger(__name__)

FLOW: Final = "payment"
PARTY: Final = "payment.party"
AMOUNT: Final = "payment.amount"
RATE: Final = "payment.rate"
METHOD: Final = "payment.method"
CONFIRM: Final = "payment.confirm"
TEXT: Final = filters.TEXT & ~filters.COMMAND
PARTY_BUTTONS: Final = 8  # parties with a balance offered at the first step


async def _refuse(update: Update, error: DomainError) -> object:
    """A refusal at the start or at the end: said, and the flow is over."""
    await reply(update, Screen(describe(error)))
    return END


# -- entries ----------------------------------------------------------------------------------


async def _begin(update: Update, context: BotContext, kind: PartyKind) -> dict[str, Any]:
    chat = update.effective_chat
    assert chat is not None
    business = await current_business(context.uow(), context.actor(update))
    return begin(
        context,
        FLOW,
        chat.id,
        business.conversation_timeout_minutes,
        kind=kind.value,
        base_currency=business.base_currency,
        undo=business.undo_window_minutes > 0,
        offered={},
    )


async def _start(update: Update, context: BotContext, kind: PartyKind) -> object:
    try:  # aging is managers' and owners' only: a clerk or viewer is refused here
        owed = await aging(context.uow(), context.actor(update), kind)
        draft = await _begin(update, context, kind)
    except DomainError as refused:
        return await _refuse(update, refused)
    owing = [line for line in owed.lines if line.total > 0][:PARTY_BUTTONS]
    draft["offered"] = {str(line.party_id): line.party_name for line in owing}
    await reply(update, render.ask_party(kind.value, owing, owed.base_currency))
    return PARTY


@entry(FLOW)
async def start_collect(update: Update, context: BotContext) -> object:
    """/collect (or its button in More): the customers who owe, or a typed name."""
    return await _start(update, context, PartyKind.CUSTOMER)


@entry(FLOW)
async def start_pay(update: Update, context: BotContext) -> object:
    """/pay (or its button in More): the suppliers we owe, or a typed name."""
    return await _start(update, context, PartyKind.SUPPLIER)


@entry(FLOW)
async def start_for_party(update: Update, context: BotContext) -> object:
    """💰 Collect / 💸 Pay on a statement or an alert: straight to the amount."""
    query = update.callback_query
    target = render.payment_button_target(query.data if query is not None else None)
    if target is None:
        await say_stale(update)
        return END
    kind, party_id = target
    try:
        account = await party_account(context.uow(), context.actor(update), kind, party_id)
        draft = await _begin(update, context, kind)
    except DomainError as refused:
        return await _refuse(update, refused)
    _take_party(draft, account)
    await reply(update, render.ask_amount(account))  # a new message: the statement stays
    return AMOUNT


# -- step 1: the party ------------------------------------------------------------------------


@step(FLOW)
async def typed_party(update: Update, context: BotContext) -> object:
    """Part of a name: an exact match is taken, else the matches are offered."""
    draft = require_draft(context, FLOW)
    try:
        term = name(text_of(update), 200)
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return PARTY
    found = await find_parties(context.uow(), context.actor(update), draft["kind"], term)
    exact = [party for party in found if party.name.casefold() == term.casefold()]
    if exact:
        return await _party_chosen(update, context, exact[0].party_id)
    draft["offered"] = {str(party.party_id): party.name for party in found}
    await reply(update, render.parties_found(draft["kind"], term, found))
    return PARTY


@step(FLOW)
async def chose_party(update: Update, context: BotContext) -> object:
    """A party button (one of those this draft offered)."""
    draft = require_draft(context, FLOW)
    party_id = arg_of(update)
    if party_id not in draft["offered"]:
        await say_stale(update)
        return None
    return await _party_chosen(update, context, int(party_id))


async def _party_chosen(update: Update, context: BotContext, party_id: int) -> object:
    draft = require_draft(context, FLOW)
    kind = PartyKind(draft["kind"])
    try:
        account = await party_account(context.uow(), context.actor(update), kind, party_id)
    except DomainError as refused:
        await reply(update, Screen(describe(refused)))
        return PARTY
    _take_party(draft, account)
    await show(update, render.ask_amount(account))
    return AMOUNT


def _take_party(draft: dict[str, Any], account: PartyAccount) -> None:
    draft.update(
        party={"id": account.party_id, "name": account.party_name},
        currency=account.currency,
        base_currency=account.base_currency,
        balance=str(account.balance),
        last_rate=None if account.last_rate is None else str(account.last_rate),
        offered={},
    )


# -- step 2: the amount -----------------------------------------------------------------------


@step(FLOW)
async def typed_amount(update: Update, context: BotContext) -> object:
    """A typed amount: > 0 and no finer than the party's currency (JPY 0 places, CNY 2)."""
    draft = require_draft(context, FLOW)
    try:
        amount = parse.amount(text_of(update), draft["currency"], positive=True)
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return AMOUNT
    return await _amount_taken(update, context, amount)


@step(FLOW)
async def all_of_it(update: Update, context: BotContext) -> object:
    """All: the whole balance."""
    draft = require_draft(context, FLOW)
    balance = Decimal(draft.get("balance") or 0)
    if draft.get("party") is None or balance <= 0:
        await say_stale(update)
        return None
    return await _amount_taken(update, context, balance)


async def _amount_taken(update: Update, context: BotContext, amount: Decimal) -> object:
    draft = require_draft(context, FLOW)
    draft["amount"] = str(amount)
    if draft["currency"] != draft["base_currency"]:
        await show(update, render.ask_rate(draft))
        return RATE
    draft["rate"] = None
    await show(update, render.ask_method(draft))
    return METHOD


# -- step 3: the exchange rate ----------------------------------------------------------------


@step(FLOW)
async def typed_rate(update: Update, context: BotContext) -> object:
    """A typed rate to the base currency (> 0, at most the places core keeps)."""
    require_draft(context, FLOW)
    try:
        rate = parse.exchange_rate(text_of(update))
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return RATE
    return await _rate_taken(update, context, rate)


@step(FLOW)
async def took_last_rate(update: Update, context: BotContext) -> object:
    """The last rate used with this currency, offered as a button."""
    draft = require_draft(context, FLOW)
    if not draft.get("last_rate") or "amount" not in draft:
        await say_stale(update)
        return None
    return await _rate_taken(update, context, Decimal(draft["last_rate"]))


async def _rate_taken(update: Update, context: BotContext, rate: Decimal) -> object:
    draft = require_draft(context, FLOW)
    draft["rate"] = str(rate)
    await show(update, render.ask_method(draft))
    return METHOD


# -- step 4: the method, then the preview -----------------------------------------------------


@step(FLOW)
async def chose_method(update: Update, context: BotContext) -> object:
    """Cash / bank / WeChat / Alipay: the preview of what it will settle."""
    draft = require_draft(context, FLOW)
    try:
        method = PaymentMethod(arg_of(update))
    except ValueError:
        await say_stale(update)
        return None
    if "amount" not in draft:
        await say_stale(update)
        return None
    draft["method"] = method.value
    return await _preview(update, context, draft)


async def _preview(update: Update, context: BotContext, draft: dict[str, Any]) -> object:
    """The allocation preview, planned by core with the draft's picks (if any)."""
    try:
        plan = await plan_payment(context.uow(), context.actor(update), _command(draft))
    except ItemNotOpen as gone:  # an item picked was settled or voided meanwhile
        draft["picks"] = []
        await reply(update, Screen(describe(gone)))
        return await _ask_picks(update, context, draft)
    except DomainError as refused:
        drop_draft(context)
        return await _refuse(update, refused)
    await show(update, render.preview(draft, plan))
    return CONFIRM


# -- choosing which items it pays (else the oldest first) -------------------------------------


@step(FLOW)
async def choose_items(update: Update, context: BotContext) -> object:
    """🎯 Choose what it pays: the party's open items, to tick in the order they are paid."""
    draft = require_draft(context, FLOW)
    if "method" not in draft:
        await say_stale(update)
        return None
    return await _ask_picks(update, context, draft)


@step(FLOW)
async def toggled_item(update: Update, context: BotContext) -> object:
    """An item's button: ticked (paid next, in the order ticked) or unticked."""
    draft = require_draft(context, FLOW)
    try:
        item_id = int(arg_of(update))
    except ValueError:
        await say_stale(update)
        return None
    picks: list[int] = draft.setdefault("picks", [])
    if item_id in picks:
        picks.remove(item_id)
    else:
        picks.append(item_id)
    return await _ask_picks(update, context, draft)


@step(FLOW)
async def picks_done(update: Update, context: BotContext) -> object:
    """✅ Done: the preview again, paying the ticked items first."""
    draft = require_draft(context, FLOW)
    if "method" not in draft:
        await say_stale(update)
        return None
    return await _preview(update, context, draft)


async def _ask_picks(update: Update, context: BotContext, draft: dict[str, Any]) -> object:
    kind = PartyKind(draft["kind"])
    try:
        account = await party_account(
            context.uow(), context.actor(update), kind, draft["party"]["id"]
        )
    except DomainError as refused:
        drop_draft(context)
        return await _refuse(update, refused)
    await show(update, render.ask_picks(draft, account))
    return CONFIRM


# -- step 5: confirm --------------------------------------------------------------------------


@step(FLOW)
async def confirm(update: Update, context: BotContext) -> object:
    """✅ Confirm: posts once (the draft's request id), shows it with Undo, then the menu."""
    draft = require_draft(context, FLOW)
    if "method" not in draft:
        await say_stale(update)
        return None
    try:
        result = await post_payment(context.uow(), context.actor(update), _command(draft))
    except DomainError as refused:
        drop_draft(context)
        return await _refuse(update, refused)
    drop_draft(context)
    logger.info(
        "posted %s (payment %s) request %s", result.number, result.payment_id, draft["request_id"]
    )
    await show(update, render.posted(result, draft["base_currency"], undo=bool(draft["undo"])))
    await reply(update, main_menu())
    return END


def _command(draft: dict[str, Any], **changes: Any) -> PostPayment:
    """The payment the draft describes; ``changes`` (a value a step is checking) win.

    Raises:
        InvalidInput: a field the command refuses (an amount or a rate out of range).
    """
    values = {**draft, **changes}
    rate = values.get("rate")
    return PostPayment.build(
        request_id=values["request_id"],
        kind=values["kind"],
        party_id=values["party"]["id"],
        amount=Decimal(values["amount"]),
        method=values.get("method") or PaymentMethod.CASH.value,
        rate=None if rate is None else Decimal(rate),
        picks=_picks(values),
    )


def _picks(values: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The ticked items, each paid as far as the amount left goes (core checks each)."""
    left = Decimal(values["amount"])
    opens: dict[str, str] = values.get("pick_open") or {}
    picks = []
    for item_id in values.get("picks") or []:
        share = min(Decimal(opens.get(str(item_id), "0")), left)
        if share <= 0:
            continue
        picks.append({"item_id": item_id, "amount": share})
        left -= share
    return tuple(picks)


# -- ↩ Undo -----------------------------------------------------------------------------------


async def undo(update: Update, context: BotContext) -> None:
    """↩ Undo under a posted payment: voids it once, however often it is pressed."""
    query = update.callback_query
    assert query is not None  # CallbackQueryHandler only calls us with one
    payment_id = int(cb.args(query.data)[0])
    cmd = VoidPayment(request_id=f"undo:payment:{payment_id}", payment_id=payment_id)
    pressed_at = utcnow()  # core stamps voided_at with the same clock
    try:
        result = await void_payment(context.uow(), context.actor(update), cmd)
    except DomainError as refused:  # UndoExpired, PermissionDenied, already voided, ...
        await reply(update, Screen(describe(refused)))
        return
    screen = render.undone(result)
    if result.voided_at is not None and result.voided_at < pressed_at:  # an earlier press
        await answer_only(update, already_undone())
        with suppress(BadRequest):  # "message is not modified": it already says so
            await query.edit_message_text(screen.text)
        return
    logger.info("undo %s (payment %s)", result.number, payment_id)
    await show(update, screen)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /collect and /pay, the Collect/Pay button of other screens, and Undo."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[
                CommandHandler("collect", start_collect),
                CommandHandler("pay", start_pay),
                CallbackQueryHandler(start_collect, pattern=r"^1:cmd:collect$"),
                CallbackQueryHandler(start_pay, pattern=r"^1:cmd:pay$"),
                CallbackQueryHandler(start_for_party, pattern=render.PAY_PATTERN),
            ],
            states={
                PARTY: [
                    MessageHandler(TEXT, typed_party),
                    CallbackQueryHandler(chose_party, pattern=cb.pattern("pay.party")),
                ],
                AMOUNT: [
                    MessageHandler(TEXT, typed_amount),
                    CallbackQueryHandler(all_of_it, pattern=cb.pattern("pay.all")),
                ],
                RATE: [
                    MessageHandler(TEXT, typed_rate),
                    CallbackQueryHandler(took_last_rate, pattern=cb.pattern("pay.lastrate")),
                ],
                METHOD: [CallbackQueryHandler(chose_method, pattern=cb.pattern("pay.method"))],
                CONFIRM: [
                    CallbackQueryHandler(confirm, pattern=cb.pattern("pay.ok")),
                    CallbackQueryHandler(choose_items, pattern=cb.pattern("pay.choose")),
                    CallbackQueryHandler(toggled_item, pattern=cb.pattern("pay.tick")),
                    CallbackQueryHandler(picks_done, pattern=cb.pattern("pay.picked")),
                ],
            },
            fallbacks=[  # starting it again mid-flow: finish or cancel this one first
                CallbackQueryHandler(busy, pattern=r"^1:cmd:(?:collect|pay)$"),
                CallbackQueryHandler(busy, pattern=render.PAY_PATTERN),
            ],
        )
    )
    application.add_handler(CallbackQueryHandler(undo, pattern=cb.pattern("pay.undo")))
