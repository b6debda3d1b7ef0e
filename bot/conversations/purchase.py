"""The purchase receipt flow (采购入库): supplier → warehouse → lines → summary → paid.

The steps shared with the sale are in trade_steps.py (with the money: rate, paid now or on
credit); here: a picked product asks how many, the unit cost offered is the last one paid
(else the product's default purchase price) beside this supplier's last price, and the
receipt is posted with core ``post_receipt``. A clerk sees the purchase prices it types.
"""

from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import Application

from bot.context import BotContext
from bot.conversations.trade_steps import TradeFlow
from bot.handlers.replies import reply
from bot.render import trade as render
from core.inventory.results import DocumentPosted
from core.orders.hints import TradeStart, last_purchase_cost, purchase_start
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt

FLOW: Final = "purchase"


class PurchaseFlow(TradeFlow):
    """采购入库: goods in from a supplier (or none) at the price paid."""

    flow = FLOW
    party_kind = "supplier"
    doc_type = "CG"

    async def read_start(self, update: Update, context: BotContext) -> TradeStart:
        """Settings, warehouses and recent suppliers, in one read."""
        return await purchase_start(context.uow(), context.actor(update))

    async def product_picked(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> object:
        """Asks how many were received."""
        del context
        await reply(update, render.ask_quantity(draft["line"]))
        return self.QTY

    def quantity_refused(self, draft: dict[str, Any], qty: Decimal) -> str | None:
        """Any quantity may come in."""
        del draft, qty
        return None

    async def price_offers(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> list[tuple[str, Decimal | None]]:
        """The last cost paid (any supplier), else the default purchase price.

        A group sees no default purchase price (core hides the last cost there too).
        """
        line = draft["line"]
        last = await last_purchase_cost(context.uow(), context.actor(update), line["product_id"])
        if last is not None:
            return [("last", last)]
        default = None if context.in_public else line.get("purchase_price")
        return [("default", Decimal(default) if default else None)]

    async def post(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> DocumentPosted:
        """Posts the receipt and how it is paid."""
        cmd = PostReceipt.build(
            request_id=draft["request_id"],
            warehouse_id=draft["warehouse"][0] if draft.get("warehouse") else None,
            supplier_id=draft["party"]["id"] if draft.get("party") else None,
            lines=tuple(
                ReceiptLine.build(
                    product_id=line["product_id"],
                    qty=Decimal(line["qty"]),
                    unit_price=Decimal(line["price"]),
                )
                for line in draft["lines"]
            ),
            **self.money_terms(draft),
        )
        return await post_receipt(context.uow(), context.actor(update), cmd)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the purchase receipt flow."""
    application.add_handler(PurchaseFlow().handler())
