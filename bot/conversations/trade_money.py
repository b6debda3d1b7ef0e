"""The money steps of the purchase and sale flows: discounts, round-off, how it is paid.

A sale's lines take discounts and its total a round-off (抹零) at the summary; the summary is
posted by saying how it is paid, with one tap: paid now (cash, WeChat, Alipay, bank), on
credit (due after the party's terms), or part paid (type how much, then tap how). Core
checks every figure again when posting; a refusal (a credit limit, a round-off limit, stock
sold meanwhile) keeps the draft, and a manager may confirm a credit limit or sell stock that
orders hold, with a reason.
"""

import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from telegram import Update

from bot import parse
from bot.context import BotContext
from bot.conversations.flow import END, arg_of, drop_draft, require_draft, say_stale, text_of
from bot.handlers.announce import announce
from bot.handlers.menu import main_menu
from bot.handlers.replies import reply, show
from bot.parse import InputError
from bot.render import trade as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import (
    CreditLimitExceeded,
    DomainError,
    InsufficientStock,
    InvalidInput,
    RoundOffBeyondLimit,
)
from core.finance.currency import to_base
from core.finance.models import PaymentMethod
from core.inventory.results import DocumentPosted

logger = logging.getLogger(__name__)


# -- what users type at the money steps --------------------------------------------------------

PERCENT_PLACES: Final = 2
_FULLWIDTH: Final = str.maketrans("０１２３４５６７８９．，－％", "0123456789.,-%")


def typed_discount(text: str, line: Mapping[str, Any], currency: str) -> dict[str, str]:
    """A line's discount: "10%" → {"discount_pct": "10"}, "5" → {"discount": "5.00"}.

    Chinese shops say what is paid: "9折" is 10 % off, "85折" 15 % off, "9.5折" 5 % off.
    An amount of 0 is no discount ({}). Core's own pricing checks it is not above the line.
    """
    cleaned = text.strip().translate(_FULLWIDTH)
    if cleaned.endswith("折"):
        paid = parse.number(cleaned.removesuffix("折"))
        cleaned = f"{100 - (paid * 10 if paid < 10 else paid)}%"
    if cleaned.endswith("%"):
        pct = parse.number(cleaned.removesuffix("%"))
        if not 0 < pct <= 100:
            raise InputError(render.bad_percent())
        if parse.decimal_places(pct) > PERCENT_PLACES:
            raise InputError(render.percent_places())
        off = {"discount_pct": str(pct)}
    else:
        value = parse.amount(cleaned, currency, "discount")
        off = {"discount": str(value)} if value else {}
    try:
        render.priced({**line, **off}, currency)
    except InvalidInput as too_much:
        raise InputError(describe(too_much)) from None
    return off


def typed_paid_now(text: str, draft: Mapping[str, Any]) -> Decimal:
    """Part paid now: above 0 (nothing is "on credit") and not above the total."""
    paid = parse.amount(text, draft["currency"], "paid_now")
    if paid == 0:
        raise InputError(render.nothing_paid())
    if paid > render.total(draft):
        raise InputError(render.more_than_total())
    return paid


def round_off_refused(draft: Mapping[str, Any], amount: Decimal) -> str | None:
    """Why core would refuse this round-off, said at the step rather than after the last tap.

    Core checks it again when posting (the owner may change the limit meanwhile).
    """
    if amount > render.lines_total(draft):
        return render.more_than_total()
    if draft.get("round_off_limit") is None:  # a draft saved before round-offs: core decides
        return None
    base, limit = render.base_currency(draft), Decimal(draft["round_off_limit"])
    if to_base(amount, Decimal(draft.get("rate") or 1), base) > limit:
        return describe(RoundOffBeyondLimit(limit, base, amount))
    return None


class MoneySteps:
    """The money steps of ``TradeFlow`` (trade_steps.py), which gives the states and posting."""

    flow: str
    LINES: str
    DISCOUNT: str
    ROUND: str
    PAID: str
    DUE: str
    OVERRIDE: str

    if TYPE_CHECKING:  # given by TradeFlow

        def summary(
            self, context: BotContext, draft: dict[str, Any], note: str | None = None
        ) -> Screen:
            """The summary with its buttons."""

        @staticmethod
        def _today(context: BotContext, draft: dict[str, Any]) -> date:
            """Today in the business's time zone."""

        async def post(
            self, update: Update, context: BotContext, draft: dict[str, Any]
        ) -> DocumentPosted:
            """Posts the draft."""

    # -- a sale's discounts and round-off --------------------------------------------------

    async def discount(self, update: Update, context: BotContext) -> object:
        """🏷 Discount: which line (asked only when there are several)."""
        draft = require_draft(context, self.flow)
        if len(draft["lines"]) == 1:
            return await self._ask_discount(update, draft, 0)
        await show(update, render.ask_discount_line(self.flow, draft))
        return self.LINES

    async def discount_line(self, update: Update, context: BotContext) -> object:
        """A line's button: asks its discount."""
        draft = require_draft(context, self.flow)
        arg = arg_of(update)
        if not arg.isdigit() or int(arg) >= len(draft["lines"]):
            await say_stale(update)
            return None
        return await self._ask_discount(update, draft, int(arg))

    async def _ask_discount(self, update: Update, draft: dict[str, Any], index: int) -> object:
        draft["discount_line"] = index
        await show(update, render.ask_discount(self.flow, draft, index))
        return self.DISCOUNT

    async def typed_discount(self, update: Update, context: BotContext) -> object:
        """A typed discount, 10% or 5: the summary again; on bad input says why and asks again."""
        draft = require_draft(context, self.flow)
        index = draft.get("discount_line")
        if index is None or index >= len(draft["lines"]):
            await say_stale(update)
            return self.LINES
        try:
            off = typed_discount(text_of(update), draft["lines"][index], draft["currency"])
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.DISCOUNT
        return await self._set_discount(update, context, draft, index, off)

    async def no_discount(self, update: Update, context: BotContext) -> object:
        """No discount on the line after all."""
        draft = require_draft(context, self.flow)
        index = draft.get("discount_line")
        if index is None or index >= len(draft["lines"]):
            await say_stale(update)
            return None
        return await self._set_discount(update, context, draft, index, {})

    async def _set_discount(
        self,
        update: Update,
        context: BotContext,
        draft: dict[str, Any],
        index: int,
        off: dict[str, str],
    ) -> object:
        line = draft["lines"][index]
        line.pop("discount_pct", None)
        line.pop("discount", None)
        line.update(off)
        draft.pop("discount_line", None)
        draft["round_off"] = "0"  # a round-off was of the old total
        await show(update, self.summary(context, draft))
        return self.LINES

    async def round_off(self, update: Update, context: BotContext) -> object:
        """抹零 Round off: the whole-unit round-off as a button when allowed; or type one."""
        draft = require_draft(context, self.flow)
        offer = render.whole_unit_round_off(draft)
        allowed = offer > 0 and round_off_refused(draft, offer) is None
        draft["round_offer"] = str(offer) if allowed else None
        await show(update, render.ask_round_off(self.flow, draft, offer if allowed else None))
        return self.ROUND

    async def typed_round_off(self, update: Update, context: BotContext) -> object:
        """A typed round-off; above the total or the owner's limit is refused and asked again."""
        draft = require_draft(context, self.flow)
        try:
            amount = parse.amount(text_of(update), draft["currency"], "round_off")
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.ROUND
        if (refused := round_off_refused(draft, amount)) is not None:
            await reply(update, Screen(refused))
            return self.ROUND
        draft["round_off"] = str(amount)
        await show(update, self.summary(context, draft))
        return self.LINES

    async def took_round_off(self, update: Update, context: BotContext) -> object:
        """The offered round-off's button."""
        draft = require_draft(context, self.flow)
        if not draft.get("round_offer"):
            await say_stale(update)
            return None
        draft["round_off"] = draft["round_offer"]
        await show(update, self.summary(context, draft))
        return self.LINES

    async def no_round_off(self, update: Update, context: BotContext) -> object:
        """No round-off after all."""
        draft = require_draft(context, self.flow)
        draft["round_off"] = "0"
        await show(update, self.summary(context, draft))
        return self.LINES

    # -- how it is paid: each of these posts -----------------------------------------------

    async def confirm(self, update: Update, context: BotContext) -> object:
        """✅ Confirm · Cash (or a method's button): posts it paid in full now."""
        method = arg_of(update) or PaymentMethod.CASH.value
        if method not in render.METHODS:
            await say_stale(update)
            return None
        return await self._settle(update, context, {"paid_now": None, "method": method})

    async def on_credit(self, update: Update, context: BotContext) -> object:
        """📒 On credit: posts it with nothing paid now, due on the date shown."""
        draft = require_draft(context, self.flow)
        if draft.get("party") is None:
            await say_stale(update)
            return None
        return await self._settle(update, context, {"paid_now": "0", "method": "cash"})

    async def part_paid(self, update: Update, context: BotContext) -> object:
        """💵 Part paid…: asks how much is paid now."""
        draft = require_draft(context, self.flow)
        if draft.get("party") is None:
            await say_stale(update)
            return None
        await show(update, render.ask_paid_now(self.flow, draft))
        return self.PAID

    async def typed_paid(self, update: Update, context: BotContext) -> object:
        """How much is paid now; then how (a tap posts). Bad input is asked again."""
        draft = require_draft(context, self.flow)
        try:
            paid = typed_paid_now(text_of(update), draft)
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.PAID
        draft["part"] = str(paid)
        await reply(update, render.ask_part_method(self.flow, draft))
        return self.LINES

    async def part_method(self, update: Update, context: BotContext) -> object:
        """How the part paid now was paid: posts it, the rest owed."""
        draft = require_draft(context, self.flow)
        method = arg_of(update)
        if not draft.get("part") or method not in render.METHODS:
            await say_stale(update)
            return None
        return await self._settle(update, context, {"paid_now": draft["part"], "method": method})

    async def change_due(self, update: Update, context: BotContext) -> object:
        """📅 Due date: asks another one."""
        draft = require_draft(context, self.flow)
        await show(update, render.ask_due(self.flow, draft, self._today(context, draft)))
        return self.DUE

    async def typed_due(self, update: Update, context: BotContext) -> object:
        """A typed due date or number of days; the summary again, its credit button redated."""
        draft = require_draft(context, self.flow)
        try:
            due = parse.due_date(text_of(update), self._today(context, draft))
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.DUE
        draft["due_date"] = due.isoformat()
        await reply(update, self.summary(context, draft))
        return self.LINES

    async def over_limit(self, update: Update, context: BotContext) -> object:
        """⚠️ Confirm over the limit (a manager): posts again, the limit confirmed."""
        draft = require_draft(context, self.flow)
        pending = draft.get("pending")
        if not isinstance(pending, dict):
            await say_stale(update)
            return None
        return await self._settle(update, context, {**pending, "credit_ok": True})

    def _may_sell_held(self, draft: dict[str, Any]) -> bool:
        """A manager's sale refused for stock that orders hold: a reason may override it."""
        manager = draft.get("role") in ("manager", "owner")
        return self.flow == "sale" and manager and not draft.get("override_reason")

    async def typed_override(self, update: Update, context: BotContext) -> object:
        """The manager's reason for selling held stock: posts again, the same way paid."""
        draft = require_draft(context, self.flow)
        reason = " ".join(text_of(update).split())[:200]
        if not reason or not isinstance(draft.get("pay"), dict):
            await reply(update, render.ask_override_reason(self.flow))
            return self.OVERRIDE
        draft["override_reason"] = reason
        return await self._settle(update, context, draft["pay"])

    def money_terms(self, draft: dict[str, Any]) -> dict[str, Any]:
        """How the draft is paid, as the fields of core's ``MoneyTerms``."""
        pay = draft.get("pay") or {}
        paid = pay.get("paid_now")
        return {
            "paid_now": None if paid is None else Decimal(paid),
            "payment_method": PaymentMethod(pay.get("method") or PaymentMethod.CASH.value),
            "due_date": date.fromisoformat(draft["due_date"]) if draft.get("due_date") else None,
            "rate": Decimal(draft["rate"]) if draft.get("rate") else None,
            "round_off": render.round_off(draft),
            "credit_limit_ok": bool(pay.get("credit_ok")),
        }

    async def _settle(self, update: Update, context: BotContext, pay: dict[str, Any]) -> object:
        """Posts once (the draft's request id), shows it with Undo, then the menu."""
        draft = require_draft(context, self.flow)
        if not draft["lines"]:
            await say_stale(update)
            return None
        draft["pay"] = pay
        try:
            result = await self.post(update, context, draft)
        except DomainError as refused:
            return await self._refused(update, context, draft, refused)
        drop_draft(context)
        logger.info(
            "posted %s (document %s) request %s",
            result.number,
            result.document_id,
            draft["request_id"],
        )
        screen = render.posted(
            self.flow,
            result,
            undo=bool(draft.get("undo")),
            method=pay["method"],
            base=render.base_currency(draft),
        )
        await show(update, screen)
        user = update.effective_user
        who = user.full_name if user is not None else ""
        await announce(update, context, lambda: render.public(self.flow, result, who, draft))
        await reply(update, main_menu())
        return END

    async def _refused(
        self, update: Update, context: BotContext, draft: dict[str, Any], refused: DomainError
    ) -> object:
        """Nothing was posted: a manager may confirm a credit limit; else the summary again."""
        logger.info("%s request %s refused: %r", self.flow, draft["request_id"], refused)
        reason = describe(refused)
        if isinstance(refused, CreditLimitExceeded) and not refused.needs_manager:
            draft["pending"] = draft["pay"]
            await show(update, render.over_limit(self.flow, reason))
            return self.LINES
        if isinstance(refused, InsufficientStock) and self._may_sell_held(draft):
            await reply(update, Screen(render.stock_changed(reason)))
            await reply(update, render.ask_override_reason(self.flow))
            return self.OVERRIDE
        if isinstance(refused, InsufficientStock):
            await reply(update, Screen(render.stock_changed(reason)))
        else:
            await reply(update, Screen(render.refused(reason)))
        await reply(update, self.summary(context, draft))
        return self.LINES
