"""What the purchase receipt and the sale flows share: party → warehouse → lines → paid.

``TradeFlow`` is the dialogue; ``PurchaseFlow`` (purchase.py) and ``SaleFlow`` (sale.py) fill
in the steps that differ: what a picked product asks next, what a quantity must respect,
which prices are offered, and the posting. States are stable strings (``purchase.qty``) so a
saved conversation survives a deploy. The draft (see bot.render.trade) keeps Decimals as
strings and the request id minted at the start, so a double tap on the last step posts once.

A party in another currency is asked its exchange rate right after it is chosen; the steps
after the summary (discounts, round-off, how it is paid) are in trade_money.py.
"""

import logging
from abc import ABC, abstractmethod
from datetime import date
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import parse
from bot.context import BotContext
from bot.conversations.flow import (
    END,
    FlowHandler,
    arg_of,
    begin,
    drop_draft,
    entry,
    new_request_id,
    require_draft,
    say_stale,
    step,
    text_of,
)
from bot.conversations.picking import Pick, ProductPicker, ask_product
from bot.conversations.trade_money import MoneySteps
from bot.handlers.menu import MENU, menu_filter
from bot.handlers.replies import answer_only, reply, show
from bot.parse import InputError, name, price, quantity
from bot.render import callbacks as cb
from bot.render import trade as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.catalog.listing import get_party
from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
from core.catalog.results import PartyView
from core.errors import (
    Duplicate,
)
from core.finance.accounts import last_rate
from core.inventory.history import document_card
from core.inventory.results import DocumentPosted
from core.orders.hints import PartyKind, TradeStart, find_parties
from core.orders.last_price import last_price

logger = logging.getLogger(__name__)

TEXT: Final = filters.TEXT & ~filters.COMMAND
Handlers = list[BaseHandler[Update, BotContext, object]]


class TradeFlow(MoneySteps, ABC):
    """The dialogue of a receipt or a sale; subclasses give the steps that differ."""

    flow: str  # "purchase" / "sale": the command, the menu key and the states' prefix
    party_kind: PartyKind
    doc_type: str  # what "void and copy" buttons of this flow carry: CG / XS

    def __init__(self) -> None:
        flow = self.flow
        self.PARTY, self.WAREHOUSE = f"{flow}.party", f"{flow}.warehouse"
        self.QTY, self.PRICE, self.LINES = f"{flow}.qty", f"{flow}.price", f"{flow}.lines"
        self.RATE, self.DISCOUNT, self.ROUND = f"{flow}.rate", f"{flow}.discount", f"{flow}.round"
        self.PAID, self.DUE = f"{flow}.paid", f"{flow}.due"
        self.OVERRIDE = f"{flow}.override"
        self.picker = ProductPicker(flow, self.got_product)

    # -- what the two flows do differently -------------------------------------------------

    @abstractmethod
    async def read_start(self, update: Update, context: BotContext) -> TradeStart:
        """The one read that opens the flow (settings, warehouses, recent parties)."""

    @abstractmethod
    async def product_picked(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> object:
        """Asks for the quantity of ``draft["line"]``; returns the next state."""

    @abstractmethod
    def quantity_refused(self, draft: dict[str, Any], qty: Decimal) -> str | None:
        """Why the quantity cannot be taken (beyond its syntax), or None."""

    @abstractmethod
    async def price_offers(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> list[tuple[str, Decimal | None]]:
        """The product's own prices to offer for ``draft["line"]``: [(kind, price)]."""

    @abstractmethod
    async def post(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> DocumentPosted:
        """Posts the draft (with its request id and ``money_terms``); refusals propagate."""

    # -- start -----------------------------------------------------------------------------

    async def _begin(
        self, update: Update, context: BotContext
    ) -> tuple[TradeStart, dict[str, Any]]:
        chat = update.effective_chat
        assert chat is not None
        start = await self.read_start(update, context)
        business = start.business
        draft = begin(
            context,
            self.flow,
            chat.id,
            business.conversation_timeout_minutes,
            currency=business.base_currency,  # the party's, once one in another is chosen
            base=business.base_currency,
            timezone=business.timezone,
            round_off_limit=str(business.round_off_limit),
            role=business.role.value,
            allow_negative=business.allow_negative_stock,
            undo=business.undo_window_minutes > 0,
            warehouses=[[w.warehouse_id, w.name] for w in start.warehouses],
            party=None,
            warehouse=None,
            lines=[],
            offered={},
            party_request_id=new_request_id(self.party_kind),
            rate=None,
            round_off="0",
            due_date=None,
        )
        return start, draft

    async def start(self, update: Update, context: BotContext) -> object:
        """/purchase, /sale, the menu button or its More button: asks who from / to."""
        start, draft = await self._begin(update, context)
        if not start.warehouses:
            drop_draft(context)
            await reply(update, Screen(render.no_warehouse()))
            return END
        self._offer(draft, start.parties)
        await reply(update, render.ask_party(self.flow, start.parties))
        return self.PARTY

    async def copy_entry(self, update: Update, context: BotContext) -> object:
        """The copy button under a voided document: the flow, pre-filled, at its summary."""
        try:
            document_id = int(arg_of(update))
        except ValueError:
            await answer_only(update, render.cannot_copy())
            return END
        card = await document_card(context.uow(), context.actor(update), document_id)
        if card.doc_type != self.doc_type:
            await answer_only(update, render.cannot_copy())
            return END
        party = None
        if card.party_id is not None:
            party = await get_party(
                context.uow(), context.actor(update), self.party_kind, card.party_id
            )
        lines = [
            {
                "product_id": line.product_id,
                "sku": line.sku,
                "name": line.name,
                "unit": line.unit,
                "qty": str(abs(line.qty)),
                "price": str(line.unit_price if line.unit_price is not None else 0),
            }
            for line in card.lines
        ]
        return await self.prefill(
            update, context, party, card.warehouse_id, lines, render.copied(card.number)
        )

    async def prefill(
        self,
        update: Update,
        context: BotContext,
        party: PartyView | None,
        warehouse_id: int | None,
        lines: list[dict[str, Any]],
        note: str,
    ) -> object:
        """Starts the flow already filled in (a copied document, a reorder), at its summary.

        The warehouse is ``warehouse_id`` while it is active, else the default one. Without
        lines the flow asks its first question; a flow that needs a party and has none (a
        purchase order of products never bought from a supplier) asks for it, lines kept.
        """
        start, draft = await self._begin(update, context)
        if party is not None:
            draft["party"] = self._party_fields(party)
        active = dict(draft["warehouses"])
        default = [w.warehouse_id for w in start.warehouses if w.is_default]
        for candidate in (warehouse_id, *default, *active):
            if candidate in active:
                draft["warehouse"] = [candidate, active[candidate]]
                break
        draft["lines"] = lines
        if not lines or (party is None and self.flow in render.NEEDS_PARTY):
            self._offer(draft, start.parties)
            screen = render.ask_party(self.flow, start.parties)
            if lines:
                screen = Screen(f"{screen.text}\n{note}", screen.keyboard)
            await reply(update, screen)
            return self.PARTY
        if self._needs_rate(draft, party):
            return await self._ask_rate(update, context, draft)
        await reply(update, self.summary(context, draft, note))
        return self.LINES

    # -- party -----------------------------------------------------------------------------

    @staticmethod
    def _offer(draft: dict[str, Any], parties: list[PartyView] | tuple[PartyView, ...]) -> None:
        """Remembers the names behind the party buttons shown (a press carries the id)."""
        draft["offered"].update({str(p.party_id): p.name for p in parties})

    @staticmethod
    def _party_fields(party: PartyView) -> dict[str, Any]:
        """What the draft keeps of its party: the due date's preview needs its terms."""
        return {"id": party.party_id, "name": party.name, "terms_days": party.terms_days}

    async def typed_party(self, update: Update, context: BotContext) -> object:
        """A typed name: an exact match is taken; else matches, "add it" and "none"."""
        draft = require_draft(context, self.flow)
        try:
            term = name(text_of(update), 200)
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.PARTY
        found = await find_parties(context.uow(), context.actor(update), self.party_kind, term)
        exact = [p for p in found if p.name.casefold() == term.casefold()]
        if exact:
            return await self._party_chosen(update, context, exact[0])
        draft["party_term"] = term
        self._offer(draft, found)
        await reply(update, render.parties_found(self.flow, term, found))
        return self.PARTY

    async def chose_party(self, update: Update, context: BotContext) -> object:
        """A party button."""
        draft = require_draft(context, self.flow)
        party_id = arg_of(update)
        if party_id not in draft["offered"]:
            await say_stale(update)
            return None
        party = await get_party(
            context.uow(), context.actor(update), self.party_kind, int(party_id)
        )
        return await self._party_chosen(update, context, party)

    async def no_party(self, update: Update, context: BotContext) -> object:
        """No supplier (a cash purchase) or a walk-in customer."""
        return await self._party_chosen(update, context, None)

    async def new_party(self, update: Update, context: BotContext) -> object:
        """The add button: creates the typed party (once, whatever the taps) and takes it."""
        draft = require_draft(context, self.flow)
        term = str(draft.get("party_term") or "")
        if not term:
            await say_stale(update)
            return None
        uow, actor = context.uow(), context.actor(update)
        request_id = draft["party_request_id"]
        try:
            if self.party_kind == "customer":
                party = await create_customer(
                    uow, actor, CreateCustomer.build(name=term, request_id=request_id)
                )
            else:
                party = await create_supplier(
                    uow, actor, CreateSupplier.build(name=term, request_id=request_id)
                )
        except Duplicate as taken:
            await reply(update, Screen(describe(taken)))
            return self.PARTY
        await reply(update, Screen(render.party_added(self.flow, party.name)))
        return await self._party_chosen(update, context, party)

    async def _party_chosen(
        self, update: Update, context: BotContext, party: PartyView | None
    ) -> object:
        """The party is set: its exchange rate if it deals in another currency, then on."""
        draft = require_draft(context, self.flow)
        draft["party"] = None if party is None else self._party_fields(party)
        draft.pop("party_term", None)
        draft["offered"] = {}
        if self._needs_rate(draft, party):
            return await self._ask_rate(update, context, draft)
        return await self._go_on(update, context, draft)

    async def _go_on(self, update: Update, context: BotContext, draft: dict[str, Any]) -> object:
        """After the party (and rate): the warehouse, the first product, or the summary."""
        if draft["lines"]:  # a copied document
            await show(update, self.summary(context, draft))
            return self.LINES
        if len(draft["warehouses"]) > 1:
            await show(update, render.ask_warehouse(self.flow, draft["warehouses"]))
            return self.WAREHOUSE
        draft["warehouse"] = list(draft["warehouses"][0])
        await show(update, ask_product())
        return self.picker.state

    # -- another currency: the exchange rate -----------------------------------------------

    def _needs_rate(self, draft: dict[str, Any], party: PartyView | None) -> bool:
        """A receipt or sale with a party in another currency (it keeps the party's)."""
        if not render.takes_money(self.flow) or party is None or party.currency is None:
            return False
        if party.currency == render.base_currency(draft):
            return False
        draft["currency"] = party.currency
        return True

    async def _ask_rate(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> object:
        last = await last_rate(context.uow(), context.actor(update), draft["currency"])
        draft["rate_offer"] = None if last is None else str(last)
        await show(update, render.ask_rate(self.flow, draft, last))
        return self.RATE

    async def typed_rate(self, update: Update, context: BotContext) -> object:
        """A typed exchange rate; on bad input says why and asks again."""
        draft = require_draft(context, self.flow)
        try:
            draft["rate"] = str(parse.exchange_rate(text_of(update)))
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.RATE
        return await self._go_on(update, context, draft)

    async def took_rate(self, update: Update, context: BotContext) -> object:
        """The last rate's button."""
        draft = require_draft(context, self.flow)
        if not draft.get("rate_offer"):
            await say_stale(update)
            return None
        draft["rate"] = draft["rate_offer"]
        return await self._go_on(update, context, draft)

    # -- warehouse -------------------------------------------------------------------------

    async def chose_warehouse(self, update: Update, context: BotContext) -> object:
        """A warehouse button; asks for the first product."""
        draft = require_draft(context, self.flow)
        chosen = [w for w in draft["warehouses"] if str(w[0]) == arg_of(update)]
        if not chosen:
            await say_stale(update)
            return None
        draft["warehouse"] = list(chosen[0])
        await show(update, ask_product())
        return self.picker.state

    # -- a line: product, quantity, price ------------------------------------------------

    async def got_product(self, update: Update, context: BotContext, pick: Pick) -> object:
        """The picker's answer: the line begins; the quantity is asked next."""
        draft = require_draft(context, self.flow)
        draft["line"] = dict(pick)
        return await self.product_picked(update, context, draft)

    async def got_qty(self, update: Update, context: BotContext) -> object:
        """The quantity; on bad input says why and asks again; then the price."""
        draft = require_draft(context, self.flow)
        try:
            qty = quantity(text_of(update))
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.QTY
        if (refused := self.quantity_refused(draft, qty)) is not None:
            await reply(update, Screen(refused))
            return self.QTY
        draft["line"]["qty"] = str(qty)
        await self.ask_price(update, context, draft)
        return self.PRICE

    async def ask_price(self, update: Update, context: BotContext, draft: dict[str, Any]) -> None:
        """Asks the unit price, offering the product's own and what this party paid last.

        In another currency the product's prices (in the base currency) are not offered.
        """
        line = draft["line"]
        offers: list[tuple[str, Decimal | None]] = []
        if draft["currency"] == render.base_currency(draft):
            offers += await self.price_offers(update, context, draft)
        if (party := draft.get("party")) is not None:
            actor = context.actor(update)
            last = await last_price(
                context.uow(), actor, self.party_kind, party["id"], line["product_id"]
            )
            offers.append(("party", last))
        kept: list[list[str]] = []
        for kind, value in offers:
            if value is not None and all(Decimal(shown) != value for _kind, shown in kept):
                kept.append([kind, str(value)])
        line["offers"] = kept
        await reply(update, render.ask_price(self.flow, line, kept, draft["currency"]))

    async def got_price(self, update: Update, context: BotContext) -> object:
        """A typed unit price; the line is added."""
        try:
            unit_price = price(text_of(update))
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.PRICE
        return await self._add_line(update, context, unit_price)

    async def took_offer(self, update: Update, context: BotContext) -> object:
        """An offered price's button; the line is added."""
        draft = require_draft(context, self.flow)
        line = draft.get("line", {})
        offers, arg = line.get("offers"), arg_of(update)
        if offers is not None and arg.isdigit() and int(arg) < len(offers):
            offer = offers[int(arg)][1]
        else:
            offer = line.get("offer") if offers is None else None  # a draft of one offer
        if offer is None:
            await say_stale(update)
            return None
        return await self._add_line(update, context, Decimal(offer))

    async def _add_line(self, update: Update, context: BotContext, unit_price: Decimal) -> object:
        draft = require_draft(context, self.flow)
        line = draft.pop("line")
        draft["lines"].append(
            {
                "product_id": line["product_id"],
                "sku": line["sku"],
                "name": line["name"],
                "unit": line.get("unit") or "",
                "qty": line["qty"],
                "price": str(unit_price),
            }
        )
        draft["round_off"] = "0"  # a round-off was of the old total
        await show(update, render.line_added(self.flow, draft))
        return self.LINES

    # -- the lines so far, the summary -----------------------------------------------------

    def summary(
        self, context: BotContext, draft: dict[str, Any], note: str | None = None
    ) -> Screen:
        """The summary, its due date previewed from today in the business's time zone."""
        return render.summary(self.flow, draft, note, today=self._today(context, draft))

    @staticmethod
    def _today(context: BotContext, draft: dict[str, Any]) -> date:
        """Today where the business is (a preview: the posted due date is core's)."""
        zone = ZoneInfo(str(draft.get("timezone") or "Asia/Shanghai"))
        return context.now().astimezone(zone).date()

    async def add_another(self, update: Update, context: BotContext) -> object:
        """➕ Add another: asks for the next product."""
        require_draft(context, self.flow)
        await reply(update, ask_product())
        return self.picker.state

    async def done(self, update: Update, context: BotContext) -> object:
        """✅ Done: the summary, to post."""
        draft = require_draft(context, self.flow)
        await show(update, self.summary(context, draft))
        return self.LINES

    async def back(self, update: Update, context: BotContext) -> object:
        """↩ Back: the summary again, nothing changed."""
        draft = require_draft(context, self.flow)
        draft.pop("pending", None)
        await show(update, self.summary(context, draft))
        return self.LINES

    async def drop_last(self, update: Update, context: BotContext) -> object:
        """🗑 Remove last line: the summary again, or the product question if none is left."""
        draft = require_draft(context, self.flow)
        if draft["lines"]:
            draft["lines"].pop()
        draft["round_off"] = "0"
        if not draft["lines"]:
            await show(update, ask_product(f"{render.last_line_removed()}\n{ask_product().text}"))
            return self.picker.state
        await show(update, self.summary(context, draft))
        return self.LINES

    # -- the handler -----------------------------------------------------------------------

    def _summary_buttons(self) -> Handlers:
        """The summary's buttons and those of the screens it leads to (line, method, ...).

        Every money step takes them too: a tap on the summary above a question still works.
        """
        on = step(self.flow)
        actions = {
            "add": self.add_another,
            "done": self.done,
            "drop": self.drop_last,
            "back": self.back,
            "ok": self.confirm,
            "credit": self.on_credit,
            "part": self.part_paid,
            "partpay": self.part_method,
            "due": self.change_due,
            "over": self.over_limit,
            "disc": self.discount,
            "dline": self.discount_line,
            "dnone": self.no_discount,
            "round": self.round_off,
            "roundok": self.took_round_off,
            "roundnone": self.no_round_off,
        }
        return [
            CallbackQueryHandler(on(callback), pattern=cb.pattern(f"{self.flow}.{action}"))
            for action, callback in actions.items()
        ]

    def more_entries(self) -> Handlers:
        """Other ways into this flow, besides its command, menu button and copy button."""
        return []

    def handler(self) -> FlowHandler:
        """The persistent ConversationHandler of this flow."""
        on = step(self.flow)
        flow = self.flow
        summary = self._summary_buttons()
        states: dict[object, Handlers] = {
            self.PARTY: [
                MessageHandler(TEXT, on(self.typed_party)),
                CallbackQueryHandler(on(self.chose_party), pattern=cb.pattern(f"{flow}.party")),
                CallbackQueryHandler(on(self.no_party), pattern=cb.pattern(f"{flow}.noparty")),
                CallbackQueryHandler(on(self.new_party), pattern=cb.pattern(f"{flow}.newparty")),
            ],
            self.RATE: [
                MessageHandler(TEXT, on(self.typed_rate)),
                CallbackQueryHandler(on(self.took_rate), pattern=cb.pattern(f"{flow}.rate")),
            ],
            self.WAREHOUSE: [
                CallbackQueryHandler(on(self.chose_warehouse), pattern=cb.pattern(f"{flow}.wh"))
            ],
            self.QTY: [MessageHandler(TEXT, on(self.got_qty))],
            self.PRICE: [
                MessageHandler(TEXT, on(self.got_price)),
                CallbackQueryHandler(on(self.took_offer), pattern=cb.pattern(f"{flow}.offer")),
            ],
            self.LINES: summary,
            self.DISCOUNT: [MessageHandler(TEXT, on(self.typed_discount)), *summary],
            self.ROUND: [MessageHandler(TEXT, on(self.typed_round_off)), *summary],
            self.PAID: [MessageHandler(TEXT, on(self.typed_paid)), *summary],
            self.DUE: [MessageHandler(TEXT, on(self.typed_due)), *summary],
            self.OVERRIDE: [MessageHandler(TEXT, on(self.typed_override))],
            **self.picker.states(),
        }
        start = entry(flow)(self.start)
        return FlowHandler(
            flow,
            entry_points=[
                CommandHandler(flow, start),
                *([MessageHandler(menu_filter(flow), start)] if flow in MENU else []),
                CallbackQueryHandler(start, pattern=rf"^1:cmd:{flow}$"),
                CallbackQueryHandler(
                    entry(flow)(self.copy_entry), pattern=cb.pattern(f"copy.{self.doc_type}")
                ),
                *self.more_entries(),
            ],
            states=states,
        )
