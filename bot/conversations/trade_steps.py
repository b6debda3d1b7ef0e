"""What the purchase receipt and the sale flows share: party → warehouse → lines → confirm.

``TradeFlow`` is the dialogue; ``PurchaseFlow`` (purchase.py) and ``SaleFlow`` (sale.py) fill
in the steps that differ: what a picked product asks next, what a quantity must respect,
which price is offered, and the posting. States are stable strings (``purchase.qty``) so a
saved conversation survives a deploy. The draft (see bot.render.trade) keeps Decimals as
strings and the request id minted at the start, so a double tap on Confirm posts once.
"""

import logging
from abc import ABC, abstractmethod
from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.conversations.flow import (
    END,
    FlowHandler,
    begin,
    drop_draft,
    entry,
    new_request_id,
    require_draft,
    say_stale,
    step,
)
from bot.conversations.picking import Pick, ProductPicker, ask_product
from bot.handlers.announce import announce
from bot.handlers.menu import MENU, main_menu, menu_filter
from bot.handlers.replies import answer_only, reply, show
from bot.parse import InputError, name, price, quantity
from bot.render import callbacks as cb
from bot.render import trade as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
from core.catalog.results import PartyView
from core.errors import Duplicate
from core.inventory.history import document_card
from core.inventory.results import DocumentPosted
from core.orders.hints import PartyKind, TradeStart, find_parties

logger = logging.getLogger(__name__)

TEXT: Final = filters.TEXT & ~filters.COMMAND
Handlers = list[BaseHandler[Update, BotContext, object]]


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message is not None else ""


def _arg(update: Update) -> str:
    query = update.callback_query
    found = cb.args(query.data if query is not None else None)
    return found[0] if found else ""


class TradeFlow(ABC):
    """The dialogue of a receipt or a sale; subclasses give the steps that differ."""

    flow: str  # "purchase" / "sale": the command, the menu key and the states' prefix
    party_kind: PartyKind
    doc_type: str  # what "void and copy" buttons of this flow carry: CG / XS

    def __init__(self) -> None:
        flow = self.flow
        self.PARTY, self.WAREHOUSE = f"{flow}.party", f"{flow}.warehouse"
        self.QTY, self.PRICE, self.LINES = f"{flow}.qty", f"{flow}.price", f"{flow}.lines"
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
    async def ask_price(self, update: Update, context: BotContext, draft: dict[str, Any]) -> None:
        """Asks for the unit price of ``draft["line"]`` and keeps the offer in it."""

    @abstractmethod
    async def post(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> DocumentPosted | None:
        """Posts the draft (with its request id); None when a refusal was shown."""

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
            currency=business.base_currency,
            allow_negative=business.allow_negative_stock,
            undo=business.undo_window_minutes > 0,
            warehouses=[[w.warehouse_id, w.name] for w in start.warehouses],
            party=None,
            warehouse=None,
            lines=[],
            offered={},
            party_request_id=new_request_id(self.party_kind),
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
            document_id = int(_arg(update))
        except ValueError:
            await answer_only(update, render.cannot_copy())
            return END
        card = await document_card(context.uow(), context.actor(update), document_id)
        if card.doc_type != self.doc_type:
            await answer_only(update, render.cannot_copy())
            return END
        start, draft = await self._begin(update, context)
        if card.party_id is not None:
            draft["party"] = {"id": card.party_id, "name": card.party_name or ""}
        active = dict(draft["warehouses"])
        if card.warehouse_id in active:
            draft["warehouse"] = [card.warehouse_id, active[card.warehouse_id]]
        elif draft["warehouses"]:
            draft["warehouse"] = list(draft["warehouses"][0])
        draft["lines"] = [
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
        if not draft["lines"]:
            self._offer(draft, start.parties)
            await reply(update, render.ask_party(self.flow, start.parties))
            return self.PARTY
        await reply(update, render.summary(self.flow, draft, render.copied(card.number)))
        return self.LINES

    # -- party -----------------------------------------------------------------------------

    @staticmethod
    def _offer(draft: dict[str, Any], parties: list[PartyView] | tuple[PartyView, ...]) -> None:
        """Remembers the names behind the party buttons shown (a press carries the id)."""
        draft["offered"].update({str(p.party_id): p.name for p in parties})

    async def typed_party(self, update: Update, context: BotContext) -> object:
        """A typed name: an exact match is taken; else matches, "add it" and "none"."""
        draft = require_draft(context, self.flow)
        try:
            term = name(_text(update), 200)
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.PARTY
        found = await find_parties(context.uow(), context.actor(update), self.party_kind, term)
        exact = [p for p in found if p.name.casefold() == term.casefold()]
        if exact:
            return await self._party_chosen(update, context, exact[0].party_id, exact[0].name)
        draft["party_term"] = term
        self._offer(draft, found)
        await reply(update, render.parties_found(self.flow, term, found))
        return self.PARTY

    async def chose_party(self, update: Update, context: BotContext) -> object:
        """A party button."""
        draft = require_draft(context, self.flow)
        party_id = _arg(update)
        if party_id not in draft["offered"]:
            await say_stale(update)
            return None
        return await self._party_chosen(update, context, int(party_id), draft["offered"][party_id])

    async def no_party(self, update: Update, context: BotContext) -> object:
        """No supplier (a cash purchase) or a walk-in customer."""
        return await self._party_chosen(update, context, None, None)

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
        return await self._party_chosen(update, context, party.party_id, party.name)

    async def _party_chosen(
        self, update: Update, context: BotContext, party_id: int | None, party_name: str | None
    ) -> object:
        draft = require_draft(context, self.flow)
        draft["party"] = None if party_id is None else {"id": party_id, "name": party_name}
        draft.pop("party_term", None)
        draft["offered"] = {}
        if len(draft["warehouses"]) > 1:
            await show(update, render.ask_warehouse(self.flow, draft["warehouses"]))
            return self.WAREHOUSE
        draft["warehouse"] = list(draft["warehouses"][0])
        await show(update, ask_product())
        return self.picker.state

    # -- warehouse -------------------------------------------------------------------------

    async def chose_warehouse(self, update: Update, context: BotContext) -> object:
        """A warehouse button; asks for the first product."""
        draft = require_draft(context, self.flow)
        chosen = [w for w in draft["warehouses"] if str(w[0]) == _arg(update)]
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
            qty = quantity(_text(update))
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.QTY
        if (refused := self.quantity_refused(draft, qty)) is not None:
            await reply(update, Screen(refused))
            return self.QTY
        draft["line"]["qty"] = str(qty)
        await self.ask_price(update, context, draft)
        return self.PRICE

    async def got_price(self, update: Update, context: BotContext) -> object:
        """A typed unit price; the line is added."""
        try:
            unit_price = price(_text(update))
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.PRICE
        return await self._add_line(update, context, unit_price)

    async def took_offer(self, update: Update, context: BotContext) -> object:
        """The offered price's button; the line is added."""
        draft = require_draft(context, self.flow)
        offer = draft.get("line", {}).get("offer")
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
        await show(update, render.line_added(self.flow, draft))
        return self.LINES

    # -- the lines so far, the summary, confirm --------------------------------------------

    async def add_another(self, update: Update, context: BotContext) -> object:
        """➕ Add another: asks for the next product."""
        require_draft(context, self.flow)
        await reply(update, ask_product())
        return self.picker.state

    async def done(self, update: Update, context: BotContext) -> object:
        """✅ Done: the summary, to confirm."""
        draft = require_draft(context, self.flow)
        await show(update, render.summary(self.flow, draft))
        return self.LINES

    async def drop_last(self, update: Update, context: BotContext) -> object:
        """🗑 Remove last line: the summary again, or the product question if none is left."""
        draft = require_draft(context, self.flow)
        if draft["lines"]:
            draft["lines"].pop()
        if not draft["lines"]:
            await show(update, ask_product(f"{render.last_line_removed()}\n{ask_product().text}"))
            return self.picker.state
        await show(update, render.summary(self.flow, draft))
        return self.LINES

    async def confirm(self, update: Update, context: BotContext) -> object:
        """✅ Confirm: posts once (the draft's request id), shows it with Undo, then the menu."""
        draft = require_draft(context, self.flow)
        if not draft["lines"]:
            await say_stale(update)
            return None
        result = await self.post(update, context, draft)
        if result is None:
            return self.LINES
        drop_draft(context)
        logger.info(
            "posted %s (document %s) request %s",
            result.number,
            result.document_id,
            draft["request_id"],
        )
        await show(update, render.posted(self.flow, result, undo=bool(draft.get("undo"))))
        user = update.effective_user
        who = user.full_name if user is not None else ""
        await announce(update, context, lambda: render.public(self.flow, result, who, draft))
        await reply(update, main_menu())
        return END

    # -- the handler -----------------------------------------------------------------------

    def handler(self) -> FlowHandler:
        """The persistent ConversationHandler of this flow."""
        on = step(self.flow)
        flow = self.flow
        states: dict[object, Handlers] = {
            self.PARTY: [
                MessageHandler(TEXT, on(self.typed_party)),
                CallbackQueryHandler(on(self.chose_party), pattern=cb.pattern(f"{flow}.party")),
                CallbackQueryHandler(on(self.no_party), pattern=cb.pattern(f"{flow}.noparty")),
                CallbackQueryHandler(on(self.new_party), pattern=cb.pattern(f"{flow}.newparty")),
            ],
            self.WAREHOUSE: [
                CallbackQueryHandler(on(self.chose_warehouse), pattern=cb.pattern(f"{flow}.wh"))
            ],
            self.QTY: [MessageHandler(TEXT, on(self.got_qty))],
            self.PRICE: [
                MessageHandler(TEXT, on(self.got_price)),
                CallbackQueryHandler(on(self.took_offer), pattern=cb.pattern(f"{flow}.offer")),
            ],
            self.LINES: [
                CallbackQueryHandler(on(self.add_another), pattern=cb.pattern(f"{flow}.add")),
                CallbackQueryHandler(on(self.done), pattern=cb.pattern(f"{flow}.done")),
                CallbackQueryHandler(on(self.drop_last), pattern=cb.pattern(f"{flow}.drop")),
                CallbackQueryHandler(on(self.confirm), pattern=cb.pattern(f"{flow}.ok")),
            ],
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
            ],
            states=states,
        )
