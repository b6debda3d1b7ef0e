"""The purchase receipt flow (采购入库): supplier → warehouse → lines → confirm → posted.

The steps shared with the sale are in trade_steps.py; here: a picked product asks how many,
the unit cost offered is the last one paid (else the product's default purchase price), and
the receipt is posted with core ``post_receipt``. A clerk sees the purchase prices it types.
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

    async def ask_price(self, update: Update, context: BotContext, draft: dict[str, Any]) -> None:
        """Asks the unit cost, offering the last one paid or the default purchase price."""
        line = draft["line"]
        last = await last_purchase_cost(context.uow(), context.actor(update), line["product_id"])
        default = None if context.in_public else line.get("purchase_price")  # a group
        offer = last if last is not None else (Decimal(default) if default else None)
        line["offer"] = None if offer is None else str(offer)
        screen = render.ask_cost(self.flow, line, offer, last is not None, draft["currency"])
        await reply(update, screen)

    async def post(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> DocumentPosted | None:
        """Posts the receipt."""
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
        )
        return await post_receipt(context.uow(), context.actor(update), cmd)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the purchase receipt flow."""
    application.add_handler(PurchaseFlow().handler())
