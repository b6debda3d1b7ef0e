"""Picking a product inside a flow: typed SKU, name, pinyin or barcode; buttons; quick add.

Every goods flow (purchase, sale, count, transfer, adjustment) asks "which product?" the same
way, so the states live here and each flow includes them with ``product_states(...)``:

- ``<flow>.product``: the user types a term. One match → ``on_picked``. Several → buttons
  (a press → ``on_picked``). None → "add new product" button (if ``allow_new``). A photo of
  a barcode is the typed code; an unknown code offers "add product with this barcode".
- ``<flow>.new_name`` → ``<flow>.new_unit`` → ``<flow>.new_price``: a product is created
  (core ``create_product``, request id kept in the draft) and handed to ``on_picked``.

Use: ``picker = ProductPicker(FLOW, got_product)``; merge ``picker.states()`` into the flow's
states and return ``picker.state`` (after ``reply(update, ask_product())``) to ask.
``on_picked(update, context, pick)`` is the flow's next step; it returns the next state.
``pick`` is a JSON-able dict: product_id, sku, name, unit, sale_price, purchase_price
(prices as strings or None).
"""

from collections.abc import Awaitable, Callable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import barcodes
from bot.context import BotContext
from bot.conversations.flow import new_request_id, require_draft, step
from bot.handlers.replies import answer_press, reply
from bot.i18n import _
from bot.parse import InputError, name, price
from bot.render import callbacks as cb
from bot.render.errors import describe
from bot.render.numbers import escape
from bot.render.screen import Screen, button, keyboard
from core.catalog.lookup import find_products, product_by_code
from core.catalog.products import CreateProduct, create_product, get_product
from core.catalog.results import ProductView
from core.errors import DomainError

Pick = dict[str, Any]
OnPicked = Callable[[Update, BotContext, Pick], Awaitable[object]]
MAX_BUTTONS: Final = 8
MAX_UNIT_CHARS: Final = 16  # the column's width
TEXT: Final = filters.TEXT & ~filters.COMMAND
PHOTO: Final = filters.PHOTO | filters.Document.IMAGE  # a barcode to read


def pick_of(product: ProductView) -> Pick:
    """The draft's record of a picked product."""
    return {
        "product_id": product.product_id,
        "sku": product.sku,
        "name": product.name,
        "unit": product.unit,
        "sale_price": _text(product.default_sale_price),
        "purchase_price": _text(product.default_purchase_price),
    }


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


def label(pick: Pick) -> str:
    """``A001 乌龙茶`` for messages (escaped)."""
    return f"{escape(pick['sku'])} {escape(pick['name'])}"


def ask_product(prompt: str | None = None) -> Screen:
    """Asks for a product (typed, or a barcode number)."""
    return Screen(
        prompt or _("Which product? Type its SKU, name, pinyin initials or barcode number."),
        keyboard(cancel=True),
    )


class ProductPicker:
    """The product states of one flow; ``on_picked`` is the flow's next step."""

    def __init__(self, flow: str, on_picked: OnPicked, *, allow_new: bool = True) -> None:
        self.flow, self.on_picked, self.allow_new = flow, on_picked, allow_new
        self.state = f"{flow}.product"  # the flow returns this to ask for a product
        self.new_name, self.new_unit, self.new_price = (
            f"{flow}.new_name",
            f"{flow}.new_unit",
            f"{flow}.new_price",
        )
        self.choose, self.add = f"{flow}.pick", f"{flow}.addp"

    def states(self) -> dict[object, list[BaseHandler[Update, BotContext, object]]]:
        """The ConversationHandler states of picking, to merge into the flow's own."""
        on = step(self.flow)
        flow = self.flow
        return {
            self.state: [
                MessageHandler(TEXT, on(self.typed)),
                MessageHandler(PHOTO, on(self.photographed)),
                CallbackQueryHandler(on(self.chosen), pattern=cb.pattern(self.choose)),
                CallbackQueryHandler(on(self.start_new), pattern=cb.pattern(self.add)),
            ],
            self.new_name: [
                MessageHandler(TEXT, on(self.got_new_name)),
                CallbackQueryHandler(on(self.got_new_name), pattern=cb.pattern(f"{flow}.newok")),
            ],
            self.new_unit: [
                MessageHandler(TEXT, on(self.got_new_unit)),
                CallbackQueryHandler(on(self.got_new_unit), pattern=cb.pattern(f"{flow}.unit")),
            ],
            self.new_price: [
                MessageHandler(TEXT, on(self.got_new_price)),
                CallbackQueryHandler(
                    on(self.got_new_price), pattern=cb.pattern(f"{flow}.noprice")
                ),
            ],
        }

    async def typed(self, update: Update, context: BotContext) -> object:
        """A typed term: one match goes on, several become buttons, none offers to add."""
        message = update.effective_message
        assert message is not None
        return await self._look_up(update, context, (message.text or "").strip())

    async def photographed(self, update: Update, context: BotContext) -> object:
        """A photo of a barcode: its code as if typed; no readable code says so and waits."""
        message = update.effective_message
        assert message is not None
        codes = await barcodes.codes_in(message)
        if not codes:
            await reply(update, Screen(barcodes.none_found(), keyboard(cancel=True)))
            return self.state
        for code in barcodes.candidates(codes):  # UPC-A read as EAN-13, and the other way
            exact = await product_by_code(context.uow(), context.actor(update), code)
            if exact is not None:
                return await self._look_up(update, context, code)
        return await self._look_up(update, context, codes[0], scanned=True)

    async def _look_up(
        self, update: Update, context: BotContext, term: str, *, scanned: bool = False
    ) -> object:
        exact = await product_by_code(context.uow(), context.actor(update), term)
        if exact is not None:  # a SKU or a scanned barcode: no list to choose from
            if exact.archived:
                await reply(update, Screen(archived(exact.sku)))
                return self.state
            return await self.on_picked(update, context, pick_of(exact))
        hits = await find_products(
            context.uow(), context.actor(update), term, include_archived=True
        )
        live = [hit for hit in hits if not hit.archived]
        if len(live) == 1 or (live and live[0].sku.casefold() == term.casefold()):
            return await self._picked(update, context, live[0].product_id)
        if live:
            buttons = [
                [button(f"{hit.sku} {hit.name}", self.choose, hit.product_id)]
                for hit in live[:MAX_BUTTONS]
            ]
            screen = Screen(
                _("Several products match. Which one?"), keyboard(*buttons, cancel=True)
            )
            await reply(update, screen)
            return self.state
        if hits:  # only archived ones
            await reply(update, Screen(archived(hits[0].sku)))
            return self.state
        code = scanned or barcodes.looks_like_code(term)
        new = {"name": "", "barcode": term} if code else {"name": term[:200]}
        require_draft(context, self.flow)["new_product"] = new
        await reply(update, self._nothing_found(term, code=code))
        return self.state

    def _nothing_found(self, term: str, *, code: bool) -> Screen:
        shown = escape(term[:50])
        if not self.allow_new:
            return Screen(
                _("No product matches “{term}”. Type again.").format(term=shown),
                keyboard(cancel=True),
            )
        if code:  # a barcode nobody has: the new product gets it, and a name of its own
            add = button(
                _("➕ Add a product with barcode {code}").format(code=term[:40]), self.add
            )
            text = _("No product has the barcode {code}. Add it, or try another.").format(
                code=shown
            )
            return Screen(text, keyboard([add], cancel=True))
        add = button(_("➕ Add “{name}” as a new product").format(name=term[:30]), self.add)
        text = _("No product matches “{term}”. Type again, or add it.").format(term=shown)
        return Screen(text, keyboard([add], cancel=True))

    async def _picked(self, update: Update, context: BotContext, product_id: int) -> object:
        product = await get_product(context.uow(), context.actor(update), product_id)
        if product.archived:
            await reply(update, Screen(archived(product.sku)))
            return self.state
        return await self.on_picked(update, context, pick_of(product))

    async def chosen(self, update: Update, context: BotContext) -> object:
        """A product button."""
        query = update.callback_query
        assert query is not None
        await answer_press(update)
        return await self._picked(update, context, int(cb.args(query.data)[0]))

    async def start_new(self, update: Update, context: BotContext) -> object:
        """The "add new product" button: asks for its name (the typed term is offered)."""
        draft = require_draft(context, self.flow)
        new = draft.setdefault("new_product", {"name": ""})
        new["request_id"] = new_request_id("product")
        suggestion = str(new.get("name") or "")
        use = button(_("Use “{name}”").format(name=suggestion[:30]), f"{self.flow}.newok")
        rows = [[use]] if suggestion else []
        await reply(
            update, Screen(_("New product: what is its name?"), keyboard(*rows, cancel=True))
        )
        return self.new_name

    async def got_new_name(self, update: Update, context: BotContext) -> object:
        """The new product's name (typed, or the search term); asks for its unit."""
        draft = require_draft(context, self.flow)
        if update.callback_query is None:
            try:
                draft["new_product"]["name"] = name(_typed(update), 200)
            except InputError as bad:
                await reply(update, Screen(str(bad)))
                return self.new_name
        units = [
            button(unit, f"{self.flow}.unit", unit)
            for unit in (_("pcs"), _("box"), _("kg"), _("bottle"))
        ]
        text = _("Unit? Tap one or type it (e.g. 个, 箱, kg).")
        await reply(update, Screen(text, keyboard(units, cancel=True)))
        return self.new_unit

    async def got_new_unit(self, update: Update, context: BotContext) -> object:
        """The new product's unit; asks for its sale price."""
        draft = require_draft(context, self.flow)
        if update.callback_query is not None:
            await answer_press(update)
            unit = cb.args(update.callback_query.data)[0]
        else:
            unit = " ".join(_typed(update).split())
        if not unit or len(unit) > MAX_UNIT_CHARS:
            await reply(update, Screen(_("A unit is a short word, at most 16 characters.")))
            return self.new_unit
        draft["new_product"]["unit"] = unit
        skip = button(_("No sale price yet"), f"{self.flow}.noprice")
        text = _("Sale price per {unit}? Type it, or skip.").format(unit=escape(unit))
        await reply(update, Screen(text, keyboard([skip], cancel=True)))
        return self.new_price

    async def got_new_price(self, update: Update, context: BotContext) -> object:
        """The new product's sale price (or none); creates it and goes on with it."""
        draft = require_draft(context, self.flow)
        new = draft["new_product"]
        sale_price = None
        if update.callback_query is None:
            try:
                sale_price = price(_typed(update))
            except InputError as bad:
                await reply(update, Screen(str(bad)))
                return self.new_price
        else:
            await answer_press(update)
        try:
            cmd = CreateProduct.build(
                name=new["name"],
                unit=new["unit"],
                barcodes=(new["barcode"],) if new.get("barcode") else (),
                default_sale_price=sale_price,
                request_id=new["request_id"],
            )
            product = await create_product(context.uow(), context.actor(update), cmd)
        except DomainError as refused:
            await reply(update, Screen(describe(refused)))
            return self.state
        draft.pop("new_product", None)
        added = _("Added {sku} {name}.").format(sku=escape(product.sku), name=escape(product.name))
        await reply(update, Screen(added))
        return await self.on_picked(update, context, pick_of(product))


def archived(sku: str) -> str:
    """Why an archived product cannot be picked."""
    return _(
        "{sku} is archived and cannot be used. A manager can restore it in /products."
    ).format(sku=escape(sku))


def _typed(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message is not None else ""
