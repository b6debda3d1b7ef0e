"""The one small conversation behind every catalog change: ask a field, check it, save.

Editing one field and adding a product, customer, supplier or warehouse are the same dialogue:
a list of fields is asked one after another (typed, or tapped from suggestions, or skipped
when optional), each checked as it comes; after the last one the target's saver calls core
and the card is shown again. The draft says what is being changed:

- ``target``: ``"<kind>.<mode>"`` such as ``"product.edit"`` or ``"customer.add"``; the
  modules of each kind register their saver for it in ``SAVERS``.
- ``id`` (edits), ``fields`` (still to ask; the first is being asked), ``values`` (JSON).
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import END, begin, drop_draft, require_draft, step
from bot.handlers.replies import answer_press, reply
from bot.i18n import _
from bot.parse import InputError, counted_quantity, name, price
from bot.render import callbacks as cb
from bot.render import catalog as render
from bot.render.errors import describe
from bot.render.screen import Screen, button, keyboard, rows
from core.errors import DomainError, Duplicate, InvalidInput
from core.finance.currency import check_currency
from core.tenancy.businesses import current_business

FLOW: Final = "catalog"
VALUE: Final = "catalog.value"
MAX_SKU: Final = 32
MAX_BARCODE: Final = 64
MAX_UNIT: Final = 16
MAX_CONTACT: Final = 100
MAX_PHONE: Final = 50
MAX_TERMS: Final = 365
TEXT: Final = filters.TEXT & ~filters.COMMAND

Saver = Callable[[Update, BotContext, dict[str, Any]], Awaitable[Screen]]
SAVERS: dict[str, Saver] = {}  # "product.edit" -> its saver; filled by the kinds' modules


def _word(text: str, limit: int, what: str) -> str:
    value = text.strip()
    if not value or len(value) > limit or any(c.isspace() for c in value):
        raise InputError(
            _("A {what} is one word of at most {limit} characters, without spaces.").format(
                what=what, limit=limit
            )
        )
    return value


def _sku(text: str) -> str:
    return _word(text, MAX_SKU, "SKU")


def _barcode(text: str) -> str:
    return _word(text, MAX_BARCODE, _("barcode"))


def _unit(text: str) -> str:
    value = " ".join(text.split())
    if not value or len(value) > MAX_UNIT:
        raise InputError(_("A unit is a short word, at most 16 characters."))
    return value


def _short(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = " ".join(text.split())
        if len(value) > limit:
            raise InputError(
                _("That is too long: at most {limit} characters.").format(limit=limit)
            )
        return value

    return parse


def _terms(text: str) -> int:
    cleaned = text.strip().removesuffix("天").removesuffix("days").strip()
    if not re.fullmatch(r"\d{1,3}", cleaned) or int(cleaned) > MAX_TERMS:
        raise InputError(_("Payment terms are a whole number of days from 0 to 365."))
    return int(cleaned)


def _currency(text: str) -> str:
    try:
        return check_currency(text)
    except InvalidInput:
        raise InputError(
            _("That is not a currency code. Use ISO 4217 codes such as CNY, USD, EUR, JPY.")
        ) from None


NO_LIMIT: Final = ("none", "no", "无", "不限", "-")


def _credit_limit(text: str) -> str:
    """An amount, or "none" (no limit), kept as text: "" means no limit."""
    if text.strip().casefold() in NO_LIMIT:
        return ""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value != round(value, 2) or value >= 10**12:
        raise InputError(_("A credit limit is an amount (e.g. 5000), or “none” for no limit."))
    return str(value)


def _point_or_none(text: str) -> str:
    """A reorder point, or "none" (the warehouse has none of its own), kept as text."""
    if text.strip().casefold() in NO_LIMIT:
        return ""
    return str(counted_quantity(text))


def _units() -> list[str]:
    return [_("pcs"), _("box"), _("kg"), _("bottle")]


@dataclass(frozen=True)
class Spec:
    """How one field is read: ``parse`` raises InputError; ``choices`` are one-tap values."""

    parse: Callable[[str], object]
    choices: Callable[[], list[str]] = field(default=list)


SPECS: Final = {
    "name": Spec(lambda text: name(text, 100)),
    "sku": Spec(_sku),
    "barcode": Spec(_barcode),
    "unit": Spec(_unit, _units),
    "sale_price": Spec(lambda text: str(price(text))),
    "purchase_price": Spec(lambda text: str(price(text))),
    "reorder_point": Spec(lambda text: str(counted_quantity(text))),
    "reorder_qty": Spec(lambda text: str(counted_quantity(text))),
    "contact": Spec(_short(MAX_CONTACT)),
    "phone": Spec(_short(MAX_PHONE)),
    "terms_days": Spec(_terms, lambda: ["0", "7", "15", "30", "60"]),
    "currency": Spec(_currency, lambda: ["CNY", "USD", "EUR", "HKD", "JPY"]),
    "credit_limit": Spec(_credit_limit, lambda: [_("none"), "5000", "20000"]),
    "warehouse_point": Spec(_point_or_none, lambda: [_("none")]),
}


async def start(
    update: Update,
    context: BotContext,
    target: str,
    fields: list[str],
    *,
    prompt: str,
    target_id: int | None = None,
    optional: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> object:
    """Begins asking ``fields`` for ``target``; ``prompt`` asks the first one.

    ``extra`` is kept in the draft for the saver (which warehouse a point is for, say).
    """
    chat = update.effective_chat
    assert chat is not None
    business = await current_business(context.uow(), context.actor(update))
    begin(
        context,
        FLOW,
        chat.id,
        business.conversation_timeout_minutes,
        target=target,
        id=target_id,
        fields=fields,
        optional=list(optional),
        values={},
        extra=extra or {},
    )
    await reply(update, _question(fields[0], prompt, optional))
    return VALUE


def _question(field_key: str, prompt: str, optional: tuple[str, ...] | list[str]) -> Screen:
    choices = [button(value, "cval", value) for value in SPECS[field_key].choices()]
    extra = [[button(render.skip_label(), "cskip")]] if field_key in optional else []
    return Screen(prompt, keyboard(*rows(choices, per_row=5), *extra, cancel=True))


@step(FLOW)
async def typed(update: Update, context: BotContext) -> object:
    """A typed value: checked, kept; the next field is asked, or everything is saved."""
    message = update.effective_message
    assert message is not None
    draft = require_draft(context, FLOW)
    try:
        value = SPECS[draft["fields"][0]].parse(message.text or "")
    except InputError as bad:
        await reply(update, Screen(str(bad), keyboard(cancel=True)))
        return VALUE
    return await _took(update, context, draft, value)


@step(FLOW)
async def tapped(update: Update, context: BotContext) -> object:
    """A suggested value or Skip."""
    query = update.callback_query
    assert query is not None
    await answer_press(update)
    draft = require_draft(context, FLOW)
    current = draft["fields"][0]
    if cb.action(query.data) == "cskip":
        if current not in draft.get("optional", []):
            return VALUE
        return await _took(update, context, draft, None)
    try:
        value = SPECS[current].parse(cb.args(query.data)[0])
    except (InputError, IndexError):
        return VALUE
    return await _took(update, context, draft, value)


async def _took(
    update: Update, context: BotContext, draft: dict[str, Any], value: object
) -> object:
    current = draft["fields"].pop(0)
    draft["values"][current] = value
    if draft["fields"]:
        following = draft["fields"][0]
        await reply(update, _question(following, render.ask_new(following), draft["optional"]))
        return VALUE
    return await _save(update, context, draft, current)


async def _save(update: Update, context: BotContext, draft: dict[str, Any], last: str) -> object:
    try:
        card = await SAVERS[draft["target"]](update, context, draft)
    except (Duplicate, InvalidInput) as refused:  # the value is the problem: ask it again
        again = "name" if isinstance(refused, Duplicate) and "name" in draft["values"] else last
        draft["fields"] = [again]
        await reply(update, Screen(describe(refused), keyboard(cancel=True)))
        return VALUE
    except DomainError as refused:  # the member may not, or the thing is gone
        drop_draft(context)
        await reply(update, Screen(describe(refused) + "\n" + _("Nothing was saved.")))
        return END
    drop_draft(context)
    await reply(update, Screen(render.saved() + "\n\n" + card.text, card.keyboard))
    return END


def states() -> dict[object, list[BaseHandler[Update, BotContext, object]]]:
    """The flow's one state: a value typed or tapped."""
    return {
        VALUE: [
            MessageHandler(TEXT, typed),
            CallbackQueryHandler(tapped, pattern=cb.pattern("cval", "cskip")),
        ]
    }
