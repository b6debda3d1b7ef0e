"""/po and /so: a purchase or sales order, made with the receipt's and sale's own steps.

Supplier (a purchase order needs one) or customer → warehouse → lines → summary → confirm;
instead of posting a document, confirming saves the order (a sales order then holds its
stock, so quantities above what is available are refused as in a sale) and shows its card
from /orders, where it is received or shipped later.

A purchase order also starts from 🧾 Create PO under a low-stock alert or a /reorder group:
pre-filled with the suggested lines, open for editing at its summary (bot/handlers/reorder.py).
"""

from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import BotContext
from bot.conversations.flow import END, drop_draft, entry, require_draft, say_stale
from bot.conversations.purchase import PurchaseFlow
from bot.conversations.sale import SaleFlow
from bot.conversations.trade_steps import Handlers
from bot.handlers.menu import main_menu
from bot.handlers.orders import order_screen
from bot.handlers.reorder import reorder_po
from bot.handlers.replies import answer_only, reply, show
from bot.render import alerts as alert_render
from bot.render import callbacks as cb
from bot.render import trade as render
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import DomainError
from core.orders.order_rows import OrderLineInput
from core.orders.purchase_orders import CreatePurchaseOrder, create_purchase_order
from core.orders.results import OrderView
from core.orders.sales_orders import CreateSalesOrder, create_sales_order

PURCHASE_ORDER: Final = render.PURCHASE_ORDER
SALES_ORDER: Final = render.SALES_ORDER


def _lines(draft: dict[str, Any]) -> tuple[OrderLineInput, ...]:
    return tuple(
        OrderLineInput(
            product_id=line["product_id"],
            qty=Decimal(line["qty"]),
            unit_price=Decimal(line["price"]),
        )
        for line in draft["lines"]
    )


class _Ordering:
    """Confirm saves an order, then shows its card; a refusal keeps the draft."""

    flow: str
    LINES: str

    async def save(self, update: Update, context: BotContext, draft: dict[str, Any]) -> OrderView:
        """Creates the order from the draft (with its request id)."""
        raise NotImplementedError

    async def confirm(self, update: Update, context: BotContext) -> object:
        """✅ Confirm: saves the order once (the draft's request id) and shows its card."""
        draft = require_draft(context, self.flow)
        if not draft["lines"]:
            await say_stale(update)
            return None
        try:
            order = await self.save(update, context, draft)
        except DomainError as refused:
            await reply(update, Screen(describe(refused)))
            await reply(update, render.summary(self.flow, draft))
            return self.LINES
        drop_draft(context)
        await show(update, await order_screen(update, context, order))
        await reply(update, main_menu())
        return END


class PurchaseOrderFlow(_Ordering, PurchaseFlow):
    """采购订单: a supplier, lines at the agreed prices; received later from /orders."""

    flow = PURCHASE_ORDER
    doc_type = "CGDD"

    async def no_party(self, update: Update, context: BotContext) -> object:
        """A purchase order is always to a supplier (the button is not offered)."""
        del context
        await say_stale(update)
        return None

    async def reorder_entry(self, update: Update, context: BotContext) -> object:
        """🧾 Create PO (an alert, a /reorder group): the suggested lines, at the summary."""
        found = await reorder_po(update, context)
        if isinstance(found, str):
            await answer_only(update, found)
            return END
        return await self.prefill(
            update, context, found.party, found.warehouse_id, found.lines, found.note
        )

    def more_entries(self) -> Handlers:
        """🧾 Create PO buttons."""
        start = entry(self.flow)(self.reorder_entry)
        return [CallbackQueryHandler(start, pattern=cb.pattern(alert_render.PO_ACTION))]

    async def save(self, update: Update, context: BotContext, draft: dict[str, Any]) -> OrderView:
        """Saves and places the purchase order."""
        cmd = CreatePurchaseOrder(
            request_id=draft["request_id"],
            supplier_id=draft["party"]["id"],
            warehouse_id=draft["warehouse"][0] if draft.get("warehouse") else None,
            lines=_lines(draft),
        )
        return await create_purchase_order(context.uow(), context.actor(update), cmd)


class SalesOrderFlow(_Ordering, SaleFlow):
    """销售订单: a customer (or walk-in), lines; confirmed, it holds the stock until shipped."""

    flow = SALES_ORDER
    doc_type = "XSDD"

    async def save(self, update: Update, context: BotContext, draft: dict[str, Any]) -> OrderView:
        """Saves and confirms the sales order (its lines' stock is held from now on)."""
        cmd = CreateSalesOrder(
            request_id=draft["request_id"],
            customer_id=draft["party"]["id"] if draft.get("party") else None,
            warehouse_id=draft["warehouse"][0] if draft.get("warehouse") else None,
            lines=_lines(draft),
        )
        return await create_sales_order(context.uow(), context.actor(update), cmd)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /po and /so."""
    application.add_handler(PurchaseOrderFlow().handler())
    application.add_handler(SalesOrderFlow().handler())
