"""Screens of /orders: open purchase and sales orders, an order's card and its buttons."""

from decimal import Decimal
from typing import Final

from bot.i18n import N_, _
from bot.render.documents import local_time
from bot.render.errors import order_status_name
from bot.render.numbers import escape, money, qty
from bot.render.screen import Screen, button, keyboard, rows
from bot.render.trade import METHODS, method_label
from core.orders.models import OrderKind, OrderStatus
from core.orders.results import OrderSummary, OrderView

PURCHASE: Final = OrderKind.PURCHASE.value
SALES: Final = OrderKind.SALES.value

ACTIONS: Final = {
    "created": N_("created"),
    "placed": N_("placed"),
    "received": N_("received"),
    "shipped": N_("shipped"),
    "reopened": N_("reopened (a document was voided)"),
    "cancelled": N_("cancelled"),
}


def kind_title(kind: str) -> str:
    """采购订单 / 销售订单 in the user's language."""
    return _("📥 Purchase orders") if kind == PURCHASE else _("📤 Sales orders")


def order_list(kind: str, orders: list[OrderSummary], currency: str) -> Screen:
    """The open orders of a kind, newest first, each a button; the other kind's tab."""
    other = SALES if kind == PURCHASE else PURCHASE
    if orders:
        text = _("{title}: open, newest first.").format(title=kind_title(kind))
    else:
        text = _("{title}: none open.").format(title=kind_title(kind))
    buttons = [
        [
            button(
                f"{o.number} · {o.party_name or '—'} · {money(o.total, currency)}"[:60],
                "order",
                o.order_id,
            )
        ]
        for o in orders
    ]
    buttons.append([button(kind_title(other), "orders", other)])
    return Screen(text, keyboard(*buttons))


def order_card(order: OrderView, zone: str, *, can_cancel: bool) -> Screen:
    """Lines with what arrived (or left) so far, the history, and what can be done next."""
    purchase = order.kind == PURCHASE
    lines = [
        f"<b>{escape(order.number)}</b> · {escape(order_status_name(order.status))}",
        _party_line(order),
        "",
    ]
    done_word = _("received") if purchase else _("shipped")
    for line in order.lines:
        lines.append(
            f"• {escape(line.sku)} {escape(line.name)}: "
            + _("{done} of {ordered} {unit} {done_word}").format(
                done=qty(line.done_qty),
                ordered=qty(line.qty),
                unit=escape(line.unit),
                done_word=done_word,
            )
        )
    lines.append(_("Total: {total}").format(total=money(order.total, order.currency)))
    lines.append("")
    for event in order.events:
        document = f" {escape(event.document_number)}" if event.document_number else ""
        action = ACTIONS.get(event.action, event.action)
        if event.action == "placed" and not purchase:
            action = N_("confirmed")  # a sales order is confirmed, a purchase order placed
        lines.append(
            f"{local_time(event.at, zone)} · {escape(event.member)} · {_(action)}{document}"
        )
    return Screen("\n".join(lines), keyboard(*rows(_actions(order, can_cancel=can_cancel))))


def _party_line(order: OrderView) -> str:
    if order.kind == PURCHASE:
        return _("Supplier: {name}").format(name=escape(order.party_name or "—"))
    if order.party_name is None:
        return _("Customer: walk-in")
    return _("Customer: {name}").format(name=escape(order.party_name))


def _actions(order: OrderView, *, can_cancel: bool) -> list:  # type: ignore[type-arg]
    purchase = order.kind == PURCHASE
    found = []
    if order.status == OrderStatus.DRAFT:
        label = _("📨 Place the order") if purchase else _("✅ Confirm the order")
        found.append(button(label, "order.place", order.order_id))
    if order.status in (OrderStatus.OPEN, OrderStatus.PARTIAL):
        label = _("📥 Receive the rest") if purchase else _("📤 Ship the rest")
        found.append(button(label, "order.fill", order.order_id, len(order.events)))
        part = _("✏️ Receive part…") if purchase else _("✏️ Ship part…")
        found.append(button(part, "order.part", order.order_id))
    if can_cancel and order.status not in (OrderStatus.DONE, OrderStatus.CANCELLED):
        found.append(button(_("✖ Cancel the order"), "order.cancel", order.order_id))
    found.append(button(_("◀ Orders"), "orders", order.kind))
    return found


def confirm_cancel(order: OrderView) -> Screen:
    """Asks before cancelling: what was not received or shipped is no longer due."""
    text = _("Cancel {number}? What has not arrived or left yet will no longer be due.").format(
        number=f"<b>{escape(order.number)}</b>"
    )
    return Screen(
        text,
        keyboard(
            [
                button(_("Yes, cancel it"), "order.cancelok", order.order_id),
                button(_("No"), "order", order.order_id),
            ]
        ),
    )


CREDIT: Final = "credit"  # a pay button's choice besides the methods: nothing paid now


def pay_rows(action: str, *args: int | str) -> list[list]:  # type: ignore[type-arg]
    """How a receipt or shipment against an order is paid: a method now, or on credit.

    Each button carries ``args`` and then the choice (a PaymentMethod value, or "credit").
    """
    now = [button("✅ " + method_label(m), action, *args, m) for m in METHODS]
    return [*rows(now, per_row=2), [button(_("📒 On credit"), action, *args, CREDIT)]]


def ask_fill_payment(order: OrderView) -> Screen:
    """📥 Receive / 📤 Ship the rest: how is it paid? (the tap posts)."""
    if order.kind == PURCHASE:
        text = _("Receive everything still expected on {number}. How is it paid?")
    else:
        text = _("Ship everything still expected on {number}. How is it paid?")
    seen = len(order.events)
    return Screen(
        text.format(number=f"<b>{escape(order.number)}</b>"),
        keyboard(
            *pay_rows("order.fill", order.order_id, seen),
            [button(_("◀ Back"), "order", order.order_id)],
        ),
    )


def money_of(choice: str) -> dict[str, object]:
    """The fill command's money fields for a pay button's choice."""
    if choice == CREDIT:
        return {"paid_now": Decimal(0)}
    return {"payment_method": choice if choice in METHODS else "cash"}
