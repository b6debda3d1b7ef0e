"""Low stock (库存预警): the alert as its recipient reads it, and /reorder (自动补货).

An alert's outbox row carries only which product crossed its point (and where); what it
shows is computed when it is sent, by core's ``reorder_suggestions``: on hand, reorder point,
average daily sales over 30 days, days of cover, on order, the suggested quantity and the
last supplier. A group chat gets the text without prices or buttons (DESIGN rule 9).

Callback data (after the version); the business travels with the button, since its
recipient may work in another business by the time they press it:

- ``reorder.po:<business>:<supplier or 0>:<warehouse or 0>:<product ids joined by ->``: the
  /po flow pre-filled with those products' suggestions (bot/conversations/order_flows.py).
  A group too long for 64 bytes carries ``all`` instead of the ids: the supplier's whole
  group is recomputed at the press, which is what the button offered;
- ``reorder.snz:<business>:<product>``: no alert about the product for ``SNOOZE_DAYS``;
- ``reorder.mute:<business>:<product>``: no alert about it until it is unmuted;
- ``reorder.on:<business>:<product>``: alerts back on (/reorder's 🔔 Unmute).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton
from telegram.ext import Application

from bot.context import BotResources
from bot.i18n import _
from bot.render import callbacks as cb
from bot.render.numbers import escape, price, qty
from bot.render.screen import Screen, button, keyboard
from core.alerts.models import AlertKind
from core.alerts.outbox import Delivery
from core.alerts.recipients import recipients
from core.alerts.rules import SNOOZE_DAYS
from core.alerts.suggestions import Suggestion, reorder_suggestions
from core.catalog.listing import get_warehouse
from core.db.uow import UnitOfWork
from core.errors import NoBusiness, NotFound, PermissionDenied
from core.inventory.results import StockCard
from core.inventory.stock import stock_card
from core.tenancy.access import Actor
from core.tenancy.businesses import current_business
from core.tenancy.models import Role

PO_ACTION: Final = "reorder.po"
SNOOZE_ACTION: Final = "reorder.snz"
MUTE_ACTION: Final = "reorder.mute"
UNMUTE_ACTION: Final = "reorder.on"
ALL: Final = "all"  # a group too long to list in the button: recomputed at the press
ROWS_SHOWN: Final = 60  # product lines of /reorder (a message holds 4,096 characters)
GROUP_BUTTONS: Final = 20
UNMUTE_BUTTONS: Final = 10

AlertApp = Application[Any, Any, Any, Any, BotResources, Any]


# -- what a Create PO button asks for -------------------------------------------------------


@dataclass(frozen=True)
class PoRequest:
    """A 🧾 Create PO press: the business, the supplier, where, and which products."""

    business_id: int
    supplier_id: int | None
    warehouse_id: int | None
    product_ids: list[int] | None  # None: the supplier's whole group, as it is now


def po_button(
    label: str,
    business_id: int,
    supplier_id: int | None,
    warehouse_id: int | None,
    product_ids: Sequence[int],
) -> InlineKeyboardButton:
    """A 🧾 button opening the /po flow with these products (``all`` if they do not fit)."""
    head = (PO_ACTION, business_id, supplier_id or 0, warehouse_id or 0)
    try:
        return button(label, *head, "-".join(map(str, sorted(set(product_ids)))))
    except ValueError:  # over 64 bytes
        return button(label, *head, ALL)


def po_request(data: str | None) -> PoRequest | None:
    """The press's request, or None when its data is not one of ours."""
    args = cb.args(data)
    if len(args) != 4 or not all(arg.isdigit() for arg in args[:3]):
        return None
    ids = None if args[3] == ALL else args[3].split("-")
    if ids is not None and not all(part.isdigit() for part in ids):
        return None
    supplier, warehouse = int(args[1]), int(args[2])
    return PoRequest(
        int(args[0]),
        supplier or None,
        warehouse or None,
        None if ids is None else [int(part) for part in ids],
    )


def product_target(data: str | None) -> tuple[int, int] | None:
    """(business, product) of a Snooze, Mute or Unmute press; None if not ours."""
    args = cb.args(data)
    if len(args) != 2 or not all(arg.isdigit() for arg in args):
        return None
    return int(args[0]), int(args[1])


def po_lines(
    found: Sequence[Suggestion], wanted: PoRequest
) -> tuple[int | None, list[dict[str, Any]]]:
    """The purchase order a press asks for: its warehouse (None: the default) and lines.

    One line per product, at its suggested quantity and last price from its supplier (else
    its default purchase price, else None: the caller finds one). A product low both in all
    warehouses and in one is ordered once, as the row for the button's warehouse (else the
    business-wide one) suggests. Products whose suggestion is nothing (on order covers it)
    are left out.
    """
    rows = [
        s for s in found if wanted.product_ids is not None or s.supplier_id == wanted.supplier_id
    ]
    if wanted.product_ids is None:
        rows = [s for s in rows if not (s.muted or s.snoozed)]
    chosen: dict[int, Suggestion] = {}
    for s in rows:
        here = chosen.get(s.product_id)
        if here is None or _closer(s, here, wanted.warehouse_id):
            chosen[s.product_id] = s
    warehouse = wanted.warehouse_id
    if warehouse is None:
        places = {s.warehouse_id for s in chosen.values()}
        warehouse = places.pop() if len(places) == 1 else None  # all for one warehouse
    lines = [
        {
            "product_id": s.product_id,
            "sku": s.sku,
            "name": s.name,
            "unit": s.unit,
            "qty": str(s.suggested),
            "price": None if s.last_price is None else str(s.last_price),
        }
        for s in sorted(chosen.values(), key=lambda s: s.sku)
        if s.suggested > 0
    ]
    return warehouse, lines


def _closer(candidate: Suggestion, held: Suggestion, warehouse_id: int | None) -> bool:
    """Whether ``candidate`` is the better row of its product for the order's warehouse."""
    if held.warehouse_id == warehouse_id:
        return False
    return candidate.warehouse_id == warehouse_id or candidate.warehouse_id is None


# -- the alert ------------------------------------------------------------------------------


def _amount(value: Decimal, unit: str) -> str:
    return f"{qty(value)} {escape(unit)}".strip()


def _title(sku: str, name: str) -> str:
    return _("⚠️ <b>Low stock</b> · {name} ({sku})").format(name=escape(name), sku=escape(sku))


def _cover(s: Suggestion) -> str:
    if s.days_of_cover is None:
        return _("Days of cover: — (nothing sold in 30 days)")
    return _("Days of cover: {days}").format(days=qty(s.days_of_cover))


def figures(s: Suggestion, currency: str, *, public: bool) -> list[str]:
    """On hand, point, daily sales, cover, on order, suggestion and last supplier."""
    lines = [
        _("On hand: {on_hand} · reorder point {point}").format(
            on_hand=_amount(s.on_hand, s.unit), point=_amount(s.reorder_point, s.unit)
        ),
        _("Average daily sales (30 days): {daily}").format(daily=_amount(s.daily_sales, s.unit)),
        _cover(s),
        _("On order: {qty}").format(qty=_amount(s.on_order, s.unit)),
        _("<b>Suggested order: {qty}</b>").format(qty=_amount(s.suggested, s.unit)),
    ]
    if s.supplier_name is None:
        lines.append(_("Last supplier: none yet"))
    elif public or s.last_price is None:
        lines.append(_("Last supplier: {name}").format(name=escape(s.supplier_name)))
    else:
        lines.append(
            _("Last supplier: {name} · last price {price}").format(
                name=escape(s.supplier_name), price=price(s.last_price, currency)
            )
        )
    return lines


def _quiet_buttons(business_id: int, product_id: int) -> list[InlineKeyboardButton]:
    return [
        button(
            _("😴 Snooze {days} days").format(days=SNOOZE_DAYS),
            SNOOZE_ACTION,
            business_id,
            product_id,
        ),
        button(_("🔕 Mute this product"), MUTE_ACTION, business_id, product_id),
    ]


def low_stock_alert(
    s: Suggestion,
    business_id: int,
    currency: str,
    *,
    warehouse: str | None,
    public: bool,
) -> Screen:
    """The alert: the product's figures and suggestion; three buttons outside a group."""
    lines = [_title(s.sku, s.name)]
    if warehouse is not None:
        lines.append(_("Warehouse: {name}").format(name=escape(warehouse)))
    lines += figures(s, currency, public=public)
    if public:
        return Screen("\n".join(lines))
    order = po_button(
        _("🧾 Create PO"), business_id, s.supplier_id, s.warehouse_id, [s.product_id]
    )
    return Screen("\n".join(lines), keyboard([order], _quiet_buttons(business_id, s.product_id)))


def back_above_alert(
    card: StockCard,
    payload: dict[str, Any],
    business_id: int,
    *,
    warehouse: str | None,
    public: bool,
) -> Screen:
    """The alert of a product that crossed its point but was restocked before it was sent."""
    wid = payload.get("warehouse_id")
    now = card.on_hand
    if wid is not None:
        now = next((x.on_hand for x in card.levels if x.warehouse_id == wid), Decimal(0))
    lines = [_title(card.sku, card.name)]
    if warehouse is not None:
        lines.append(_("Warehouse: {name}").format(name=escape(warehouse)))
    lines.append(
        _(
            "It fell to {fell} (reorder point {point}), and is back above its point now: "
            "{now} on hand."
        ).format(
            fell=_amount(Decimal(str(payload["on_hand"])), card.unit),
            point=_amount(Decimal(str(payload["point"])), card.unit),
            now=_amount(now, card.unit),
        )
    )
    if public:
        return Screen("\n".join(lines))
    return Screen("\n".join(lines), keyboard(_quiet_buttons(business_id, card.product_id)))


def snoozed(until: datetime, zone: str) -> str:
    """The answer to 😴 Snooze: until when, in the business's time."""
    local = until.astimezone(ZoneInfo(zone))
    return _("Snoozed until {date}. No low-stock alert about it before then.").format(
        date=local.strftime("%Y-%m-%d %H:%M")
    )


def muted() -> str:
    """The answer to 🔕 Mute."""
    return _("Muted: no more low-stock alerts about it. Unmute it from /reorder.")


def unmuted(sku: str | None) -> str:
    """On top of /reorder after 🔔 Unmute."""
    if sku is None:
        return _("🔔 Alerts about the product are on again.")
    return _("🔔 Alerts about {sku} are on again.").format(sku=escape(sku))


def nothing_to_order() -> str:
    """A Create PO press when none of its products needs ordering any more."""
    return _("Nothing to order now: these products are above their reorder point again.")


def other_business() -> str:
    """A Create PO press from an alert of a business the presser is not working in now."""
    return _("This is about another business: switch to it with /business first.")


def po_note() -> str:
    """On top of the pre-filled purchase order."""
    return _("🧾 From the reorder suggestions: change what you need, then confirm.")


# -- /reorder ------------------------------------------------------------------------------


def _row(s: Suggestion, warehouses: dict[int, str]) -> str:
    where = ""
    if s.warehouse_id is not None:
        where = " · " + escape(warehouses.get(s.warehouse_id, str(s.warehouse_id)))
    text = (
        _("• {sku} {name}{where} · {on_hand} / {point} · suggest {qty}")
        if s.suggested > 0
        else _("• {sku} {name}{where} · {on_hand} / {point} · on order covers it")
    )
    return text.format(
        sku=escape(s.sku),
        name=escape(s.name),
        where=where,
        on_hand=qty(s.on_hand),
        point=_amount(s.reorder_point, s.unit),
        qty=_amount(s.suggested, s.unit),
    )


def _products(count: int) -> str:
    return _("1 product") if count == 1 else _("{count} products").format(count=count)


def reorder_list(
    found: Sequence[Suggestion],
    business_id: int,
    warehouses: dict[int, str],
    *,
    public: bool,
    note: str | None = None,
) -> Screen:
    """What to reorder, by last supplier, with a 🧾 button per supplier; quiet ones last."""
    loud = [s for s in found if not (s.muted or s.snoozed)]
    quiet = [s for s in found if s.muted or s.snoozed]
    head = [note, ""] if note else []
    if not found:
        return Screen(
            "\n".join(
                [*head, _("✅ Nothing to reorder: every product is above its reorder point.")]
            )
        )
    lines = [*head, _("📦 <b>What to reorder</b>")]
    groups: dict[int | None, list[Suggestion]] = {}
    for s in loud:
        groups.setdefault(s.supplier_id, []).append(s)
    buttons: list[list[InlineKeyboardButton]] = []
    shown = 0
    for supplier_id, rows in groups.items():
        name = rows[0].supplier_name
        count = len({s.product_id for s in rows})
        lines.append("")
        title = escape(name) if name else _("No supplier yet")
        lines.append(f"<b>{title}</b>: {_products(count)}")
        for s in rows:
            if shown < ROWS_SHOWN:
                lines.append(_row(s, warehouses))
            shown += 1
        ids = sorted({s.product_id for s in rows if s.suggested > 0})
        if ids and len(buttons) < GROUP_BUTTONS:
            label = (
                _("🧾 PO for {supplier} ({count})").format(supplier=name[:24], count=len(ids))
                if name
                else _("🧾 PO, choose the supplier ({count})").format(count=len(ids))
            )
            buttons.append([po_button(label, business_id, supplier_id, None, ids)])
    if quiet:
        lines += ["", _("🔕 <b>Muted or snoozed</b>")]
        for s in quiet:
            state = _("muted") if s.muted else _("snoozed")
            if shown < ROWS_SHOWN:
                lines.append(f"{_row(s, warehouses)} · {state}")
            shown += 1
        unmute = {s.product_id: s.sku for s in quiet}
        for product_id, sku in list(unmute.items())[:UNMUTE_BUTTONS]:
            label = _("🔔 Unmute {sku}").format(sku=sku[:24])
            buttons.append([button(label, UNMUTE_ACTION, business_id, product_id)])
    if shown > ROWS_SHOWN:
        lines.append(_("…and {count} more.").format(count=shown - ROWS_SHOWN))
    if public:
        return Screen("\n".join(lines))
    return Screen("\n".join(lines), keyboard(*buttons) if buttons else None)


# -- the delivery job's renderer (bot/jobs/messages.py RENDERERS) ---------------------------


async def render_low_stock(app: AlertApp, delivery: Delivery) -> Screen | None:
    """A LOW_STOCK row: the product's figures as they are now (None once it is muted).

    Core's reads take an acting member and there is no member-less one: a member's alert
    is read as that member (the chat is their Telegram user id); the group's as the
    business's owner, in public (no prices). Someone who may no longer see it gets nothing.
    """
    payload = delivery.payload
    public = bool(payload.get("public"))
    db = app.bot_data.db
    actor = await _reader(app, delivery, public)
    if actor is None:
        return None
    product_id, wid = int(payload["product_id"]), payload.get("warehouse_id")
    try:
        business = await current_business(UnitOfWork(db), actor)
        today = local_today(app.bot_data.clock(), business.timezone)
        found = await reorder_suggestions(UnitOfWork(db), actor, today, product_ids=[product_id])
        warehouse = None
        if wid is not None:
            warehouse = (await get_warehouse(UnitOfWork(db), actor, int(wid))).name
        mine = next((s for s in found if s.warehouse_id == wid), None)
        if mine is not None:
            if mine.muted:
                return None
            return low_stock_alert(
                mine,
                delivery.business_id,
                business.base_currency,
                warehouse=warehouse,
                public=public,
            )
        card = await stock_card(UnitOfWork(db), actor, product_id=product_id)
    except (PermissionDenied, NoBusiness, NotFound):
        return None  # left the business, lost the role, or the product or warehouse is gone
    return back_above_alert(
        card, payload, delivery.business_id, warehouse=warehouse, public=public
    )


async def _reader(app: AlertApp, delivery: Delivery, public: bool) -> Actor | None:
    """Whom the alert is read as: the member it goes to, or for the group its owner."""
    if not public:
        return Actor(user_id=delivery.chat_id, business_id=delivery.business_id)
    async with UnitOfWork(app.bot_data.db).reading() as session:
        people = await recipients(session, delivery.business_id, AlertKind.UNREACHABLE)
    members = sorted(
        (p for p in people if p.member_id is not None), key=lambda p: p.role != Role.OWNER.value
    )
    if not members:
        return None
    return Actor(user_id=members[0].chat_id, business_id=delivery.business_id, in_public=True)


def local_today(now: datetime, zone: str) -> date:
    """Today in the business's time zone, by the bot's clock."""
    return now.astimezone(ZoneInfo(zone)).date()
