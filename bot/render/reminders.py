"""The daily money reminder and the daily digest, as their recipients read them.

The outbox rows carry the figures as of the run (core/alerts/daily.py): a reminder shows
those, not fresh ones, so what the owner reads at 09:00 is what was true at 09:00.

Callback data (after the version):

- ``rem.st:<business>:<customer>``: send this month's statement of the customer;
- ``rem.snz:<business>:<customer>``: no reminder about the customer for ``SNOOZE_DAYS``.

The business travels with the button: its recipient may work in another business by the
time they press it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from telegram import InlineKeyboardButton

from bot.i18n import _
from bot.render.errors import role_name
from bot.render.numbers import escape, money
from bot.render.payments import record_payment_button
from bot.render.screen import Screen, button, keyboard, rows
from core.alerts.digest import Digest
from core.alerts.money import OverdueCustomer, PayableDue
from core.alerts.outbox import Delivery
from core.finance.models import PartyKind
from core.tenancy.results import BusinessView

SNOOZE_DAYS: Final = 3
STATEMENT_ACTION: Final = "rem.st"
SNOOZE_ACTION: Final = "rem.snz"
MEMBERS_SHOWN: Final = 10  # names in the digest's "documents by member" line
NAME_IN_BUTTON: Final = 16  # characters of a member's name on a switch button


# Payloads (JSON, Decimals and dates as strings) back into core's figures


def overdue_of(payload: Mapping[str, Any]) -> OverdueCustomer:
    """An OVERDUE row's payload."""
    return OverdueCustomer(
        customer_id=int(payload["customer_id"]),
        name=str(payload["name"]),
        amount=Decimal(str(payload["amount"])),
        currency=str(payload["currency"]),
        days=int(payload["days"]),
        oldest=str(payload["oldest"]),
    )


def payables_of(payload: Sequence[Mapping[str, Any]]) -> list[PayableDue]:
    """A PAYABLES row's payload (a list, the soonest first)."""
    return [
        PayableDue(
            supplier_id=int(item["supplier_id"]),
            name=str(item["name"]),
            amount=Decimal(str(item["amount"])),
            currency=str(item["currency"]),
            due_date=date.fromisoformat(str(item["due_date"])),
        )
        for item in payload
    ]


def digest_of(payload: Mapping[str, Any]) -> Digest:
    """A DIGEST row's payload."""
    return Digest(
        day=date.fromisoformat(str(payload["day"])),
        currency=str(payload["currency"]),
        sales_count=int(payload["sales_count"]),
        sales_amount=Decimal(str(payload["sales_amount"])),
        gross_profit=Decimal(str(payload["gross_profit"])),
        by_member=[(str(name), int(count)) for name, count in payload.get("by_member", [])],
        low_stock=int(payload.get("low_stock", 0)),
        overdue=Decimal(str(payload.get("overdue", "0"))),
        payables_week=Decimal(str(payload.get("payables_week", "0"))),
    )


# Screens


def overdue_reminder(customer: OverdueCustomer, business_id: int) -> Screen:
    """⏰ 王老板 owes 1,200.00 CNY, 15 days overdue (oldest XS-2026-00012), with 3 buttons."""
    late = (
        _("1 day overdue")
        if customer.days == 1
        else _("{days} days overdue").format(days=customer.days)
    )
    text = _("⏰ {name} owes {amount} {currency}, {overdue} (oldest {number})").format(
        name=f"<b>{escape(customer.name)}</b>",
        amount=money(customer.amount, customer.currency),
        currency=customer.currency,
        overdue=late,
        number=escape(customer.oldest),
    )
    pay = record_payment_button(PartyKind.CUSTOMER, customer.customer_id)
    record = InlineKeyboardButton(_("💰 Record payment"), callback_data=pay.callback_data)
    return Screen(
        text,
        keyboard(
            [record],
            [
                button(
                    _("📄 Send statement"), STATEMENT_ACTION, business_id, customer.customer_id
                ),
                button(
                    _("😴 Snooze {days} days").format(days=SNOOZE_DAYS),
                    SNOOZE_ACTION,
                    business_id,
                    customer.customer_id,
                ),
            ],
        ),
    )


def payables_reminder(payables: Sequence[PayableDue]) -> Screen:
    """📅 Due to suppliers this week: each supplier, its amount and (earliest) due date."""
    lines = [_("📅 <b>Due to suppliers this week:</b>")]
    for item in payables:
        lines.append(
            _("• {name} · {amount} {currency} · due {date}").format(
                name=escape(item.name),
                amount=money(item.amount, item.currency),
                currency=item.currency,
                date=item.due_date.isoformat(),
            )
        )
    currencies = {item.currency for item in payables}
    if len(payables) > 1 and len(currencies) == 1:
        currency = currencies.pop()
        total = sum((item.amount for item in payables), Decimal(0))
        lines.append(
            _("Total: {amount} {currency}").format(
                amount=f"<b>{money(total, currency)}</b>", currency=currency
            )
        )
    return Screen("\n".join(lines), keyboard([button(_("📋 Payables (/owe)"), "cmd", "owe")]))


def digest_screen(digest: Digest) -> Screen:
    """Yesterday in numbers, for owners and managers (so gross profit is shown)."""
    currency = digest.currency
    lines = [
        _("📊 <b>Daily digest · {day}</b> (yesterday)").format(day=digest.day.isoformat()),
        _("Sales documents: {count} · total {amount} {currency}").format(
            count=digest.sales_count,
            amount=money(digest.sales_amount, currency),
            currency=currency,
        ),
        _("Gross profit: {amount} {currency}").format(
            amount=money(digest.gross_profit, currency), currency=currency
        ),
        _("Documents by member: {members}").format(members=_members(digest.by_member)),
        _("Products at or below reorder point: {count}").format(count=digest.low_stock),
        _("Receivables overdue: {amount} {currency}").format(
            amount=money(digest.overdue, currency), currency=currency
        ),
        _("Payables due this week: {amount} {currency}").format(
            amount=money(digest.payables_week, currency), currency=currency
        ),
    ]
    buttons = []
    if digest.low_stock:
        buttons.append(button(_("📦 What to reorder (/reorder)"), "cmd", "reorder"))
    if digest.overdue:
        buttons.append(button(_("📋 Receivables (/owed)"), "cmd", "owed"))
    return Screen("\n".join(lines), keyboard(buttons) if buttons else None)


def _members(by_member: Sequence[tuple[str, int]]) -> str:
    """张三 5 · 李四 2 (the busiest first), or "none"."""
    if not by_member:
        return _("none")
    shown = [f"{escape(name)} {count}" for name, count in by_member[:MEMBERS_SHOWN]]
    if len(by_member) > MEMBERS_SHOWN:
        shown.append(_("{count} more").format(count=len(by_member) - MEMBERS_SHOWN))
    return " · ".join(shown)


def snoozed(until: date) -> str:
    """The toast after 😴 Snooze."""
    return _("Snoozed until {date}").format(date=until.isoformat())


# Renderers of the delivery job (bot/jobs/messages.py RENDERERS): payload in, Screen out


async def render_overdue(app: object, delivery: Delivery) -> Screen | None:
    """An OVERDUE row: one customer, with Record payment, Send statement and Snooze."""
    del app  # the figures are the run's, in the payload
    return overdue_reminder(overdue_of(delivery.payload), delivery.business_id)


async def render_payables(app: object, delivery: Delivery) -> Screen | None:
    """A PAYABLES row: what falls due to suppliers within a week (None if the list is empty)."""
    del app
    payload: Any = delivery.payload  # a JSON list, not an object
    payables = payables_of(payload)
    return payables_reminder(payables) if payables else None


async def render_digest(app: object, delivery: Delivery) -> Screen | None:
    """A DIGEST row: yesterday's figures."""
    del app
    return digest_screen(digest_of(delivery.payload))


# /settings: when reminders go out, the time zone, coverage days, who gets what

REMINDER_CHOICES: Final = ("08:00", "09:00", "10:00", "18:00")
ZONE_CHOICES: Final = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "America/New_York",
    "Europe/London",
)
COVERAGE_CHOICES: Final = (7, 14, 30, 60)
ALERTS: Final = "a"  # which switch a toggle button turns
DIGEST: Final = "d"


@dataclass(frozen=True)
class MemberSwitches:
    """An owner's or manager's switches, as the owner's list shows them."""

    member_id: int
    name: str  # escaped, ready for HTML
    label: str  # plain, for buttons
    role: str
    alerts_on: bool
    digest_on: bool


def clock_code(at: str) -> str:
    """09:00 → 0900: callback data may not hold a colon."""
    return at.replace(":", "")


def _back() -> InlineKeyboardButton:
    return button(_("« Back"), "set.show")


def reminder_time_menu(business: BusinessView) -> Screen:
    """Choices for the local time of the daily reminders and digest, plus typing one."""
    text = _(
        "At what time do the overdue reminders and the daily digest go out? Now: {time} ({zone})."
    ).format(time=business.reminder_time, zone=escape(business.timezone))
    buttons = [
        button(("✓ " if at == business.reminder_time else "") + at, "set.rtval", clock_code(at))
        for at in REMINDER_CHOICES
    ]
    return Screen(
        text,
        keyboard(
            *rows(buttons, per_row=4), [button(_("⌨ Type a time"), "set.ask", "rt"), _back()]
        ),
    )


def zone_menu(business: BusinessView) -> Screen:
    """Choices for the business's time zone, plus typing one."""
    text = _(
        "Which time zone does the business keep? Now: {zone}. It sets the reminder time, "
        "document dates and “yesterday” in the digest."
    ).format(zone=escape(business.timezone))
    buttons = [
        button(("✓ " if zone == business.timezone else "") + zone, "set.tzval", zone)
        for zone in ZONE_CHOICES
    ]
    return Screen(
        text,
        keyboard(
            *rows(buttons),
            [button(_("⌨ Type a time zone"), "set.ask", "tz"), _back()],
        ),
    )


def coverage_menu(business: BusinessView) -> Screen:
    """Choices for how many days of sales a suggested reorder covers."""
    text = _(
        "How many days of sales should a suggested reorder cover (when a product has no reorder "
        "quantity of its own)? Now: {days} days."
    ).format(days=business.coverage_days)
    buttons = [
        button(("✓ " if days == business.coverage_days else "") + str(days), "set.covval", days)
        for days in COVERAGE_CHOICES
    ]
    return Screen(text, keyboard(*rows(buttons, per_row=4), [_back()]))


def ask_reminder_time(business: BusinessView) -> Screen:
    """The typed-time step."""
    return Screen(
        _("Type the time for the daily reminders, like 09:00 or 18:30 (24-hour, {zone}).").format(
            zone=escape(business.timezone)
        ),
        keyboard(cancel=True),
    )


def ask_zone() -> Screen:
    """The typed-time-zone step."""
    return Screen(
        _("Type the time zone's name, like Asia/Shanghai, Asia/Tokyo or Europe/Berlin."),
        keyboard(cancel=True),
    )


def bad_time(text: str) -> str:
    """A typed time that cannot be taken."""
    return _("“{text}” is not a time like 09:00 (from 00:00 to 23:59). Type it again.").format(
        text=escape(text.strip()[:20])
    )


def bad_zone(text: str) -> str:
    """A typed time zone that is not one."""
    return _(
        "“{text}” is not a time zone I know. Type its name as Region/City, like Asia/Shanghai "
        "or America/New_York."
    ).format(text=escape(text.strip()[:40]))


def _mark(flag: bool) -> str:
    return "✅" if flag else "❌"


def alert_switches_screen(members: Sequence[MemberSwitches], note: str | None = None) -> Screen:
    """The owner's list: each owner and manager with their alerts and digest switches."""
    lines = [
        _("🔔 <b>Alerts and digest</b>"),
        _(
            "Alerts: overdue customers, payables due and low stock. Digest: yesterday's "
            "figures every morning. Only owners and managers get them. Tap to turn one on or off."
        ),
        "",
    ]
    buttons: list[list[InlineKeyboardButton]] = []
    for member in members:
        lines.append(
            _("• {name} · {role} — alerts {alerts} · digest {digest}").format(
                name=member.name,
                role=role_name(member.role),
                alerts=_mark(member.alerts_on),
                digest=_mark(member.digest_on),
            )
        )
        buttons.append(
            [
                button(
                    _("{name}: alerts {mark}").format(
                        name=member.label, mark=_mark(member.alerts_on)
                    ),
                    "set.alsw",
                    member.member_id,
                    ALERTS,
                    int(not member.alerts_on),
                ),
                button(
                    _("{name}: digest {mark}").format(
                        name=member.label, mark=_mark(member.digest_on)
                    ),
                    "set.alsw",
                    member.member_id,
                    DIGEST,
                    int(not member.digest_on),
                ),
            ]
        )
    if not members:
        lines.append(_("No owner or manager can get them right now."))
    if note:
        lines.insert(0, note + "\n")
    return Screen("\n".join(lines), keyboard(*buttons, [_back()]))


def my_alerts_screen(alerts_on: bool, digest_on: bool, note: str | None = None) -> Screen:
    """A manager's own switches."""
    lines = [
        _("🔔 <b>My alerts</b>"),
        _("Alerts (overdue customers, payables due, low stock): {mark}").format(
            mark=_mark(alerts_on)
        ),
        _("Daily digest: {mark}").format(mark=_mark(digest_on)),
    ]
    if note:
        lines.insert(0, note + "\n")
    toggles = [
        button(
            _("Alerts {mark}").format(mark=_mark(alerts_on)),
            "set.mysw",
            ALERTS,
            int(not alerts_on),
        ),
        button(
            _("Digest {mark}").format(mark=_mark(digest_on)),
            "set.mysw",
            DIGEST,
            int(not digest_on),
        ),
    ]
    return Screen("\n".join(lines), keyboard(toggles, [_back()]))
