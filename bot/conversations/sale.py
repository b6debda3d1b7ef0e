"""The sale flow (销售出库): customer → warehouse → lines → summary → paid → posted.

The steps shared with the purchase are in trade_steps.py (with the money: rate, discounts,
round-off, paid now or on credit); here: a picked product shows what is available in the
warehouse, a quantity above it is refused (unless the business allows negative stock), the
default sale price is offered, and the sale is posted with core ``post_shipment``. Someone
sold meanwhile: the refusal is shown and the draft is kept. Gross profit is shown only when
core gives the cost (never to clerks, never in a group).
"""

from decimal import Decimal
from typing import Any, Final

from telegram import Update
from telegram.ext import Application

from bot.context import BotContext
from bot.conversations.picking import ask_product
from bot.conversations.trade_steps import TradeFlow
from bot.handlers.replies import reply
from bot.render import trade as render
from core.inventory.results import DocumentPosted
from core.inventory.stock import on_hand
from core.numbers import ZERO
from core.orders.hints import TradeStart, available_in, sale_start
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment

FLOW: Final = "sale"


class SaleFlow(TradeFlow):
    """销售出库: goods out to a customer (or a walk-in one) at the price charged."""

    flow = FLOW
    party_kind = "customer"
    doc_type = "XS"

    async def read_start(self, update: Update, context: BotContext) -> TradeStart:
        """Settings, warehouses and recent customers, in one read."""
        return await sale_start(context.uow(), context.actor(update))

    async def product_picked(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> object:
        """Shows what is available (less what earlier lines take) and asks how many."""
        line = draft["line"]
        warehouse_id, warehouse = draft["warehouse"]
        actor = context.actor(update)
        free = await available_in(context.uow(), actor, line["product_id"], warehouse_id)
        taken = sum(
            (Decimal(x["qty"]) for x in draft["lines"] if x["product_id"] == line["product_id"]),
            ZERO,
        )
        available = free - taken
        # A manager may sell what confirmed sales orders hold (with a reason, when posting).
        shelf = available
        if _may_override(draft):
            shelf = await on_hand(context.uow(), actor, line["product_id"], warehouse_id) - taken
        if shelf <= 0 and not draft["allow_negative"]:
            draft.pop("line")
            await reply(update, ask_product(render.none_available(line, warehouse)))
            return self.picker.state
        line["available"], line["shelf"] = str(available), str(shelf)
        await reply(update, render.ask_sale_quantity(line, available, warehouse, shelf))
        return self.QTY

    def quantity_refused(self, draft: dict[str, Any], qty: Decimal) -> str | None:
        """More than is available (a manager: on the shelf), unless negative stock is on."""
        line = draft["line"]
        available = Decimal(line["available"])
        shelf = Decimal(line.get("shelf") or available)
        if draft["allow_negative"] or qty <= available:
            return None
        if qty <= shelf:  # held for orders: the manager gives a reason when posting
            return None
        return render.too_much(line, max(available, shelf), draft["warehouse"][1])

    async def price_offers(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> list[tuple[str, Decimal | None]]:
        """The product's default sale price."""
        del update, context
        default = draft["line"].get("sale_price")
        return [("sale", Decimal(default) if default else None)]

    async def post(
        self, update: Update, context: BotContext, draft: dict[str, Any]
    ) -> DocumentPosted:
        """Posts the sale with its discounts, round-off and how it is paid."""
        cmd = PostShipment.build(
            request_id=draft["request_id"],
            warehouse_id=draft["warehouse"][0] if draft.get("warehouse") else None,
            customer_id=draft["party"]["id"] if draft.get("party") else None,
            lines=tuple(_line(line) for line in draft["lines"]),
            override_reason=draft.get("override_reason"),
            **self.money_terms(draft),
        )
        return await post_shipment(context.uow(), context.actor(update), cmd)


def _may_override(draft: dict[str, Any]) -> bool:
    """Managers and owners may sell stock held for orders (core checks the role again)."""
    return draft.get("role") in ("manager", "owner")


def _line(line: dict[str, Any]) -> ShipmentLine:
    off = render.line_discount(line)
    return ShipmentLine.build(
        product_id=line["product_id"],
        qty=Decimal(line["qty"]),
        unit_price=Decimal(line["price"]),
        discount_pct=off.discount_pct if off else None,
        discount=off.discount if off else None,
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the sale flow."""
    application.add_handler(SaleFlow().handler())
