"""Screens of /start: opening a business, joining one, the welcome."""

from typing import Final

from bot.i18n import _
from bot.render.errors import role_name
from bot.render.numbers import escape
from bot.render.screen import Screen, button, keyboard, rows
from core.tenancy.results import BusinessView

CURRENCIES: Final = ("CNY", "HKD", "TWD", "USD", "EUR", "JPY", "SGD", "MYR")
TIMEZONES: Final = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
)
DEFAULT_CURRENCY: Final = "CNY"
DEFAULT_TIMEZONE: Final = "Asia/Shanghai"


def ask_business_name() -> Screen:
    """First question to someone with no business."""
    return Screen(
        _(
            "Welcome to jxc-bot: purchases, sales and stock from your phone.\n\n"
            "Let's open your business. What is it called? (e.g. 老王五金店)"
        ),
        keyboard(cancel=True),
    )


def ask_currency(name: str) -> Screen:
    """Second step: the base currency, with a one-tap default for both settings."""
    default = button(
        _("✓ {currency}, {zone}").format(currency=DEFAULT_CURRENCY, zone=DEFAULT_TIMEZONE),
        "onb.default",
    )
    others = [button(code, "onb.cur", code) for code in CURRENCIES]
    return Screen(
        _(
            "<b>{name}</b>: which currency do you keep your books in? Tap one, or type a "
            "3-letter code (ISO 4217). The first button also takes the usual time zone."
        ).format(name=escape(name)),
        keyboard([default], *rows(others, per_row=4), cancel=True),
    )


def ask_timezone(currency: str) -> Screen:
    """Third step: the time zone that dates documents and schedules reminders."""
    zones = [button(zone, "onb.tz", zone) for zone in TIMEZONES]
    return Screen(
        _(
            "Currency {currency}. Which time zone are you in? Tap one, or type its name "
            "(e.g. Asia/Kuala_Lumpur)."
        ).format(currency=currency),
        keyboard(*rows(zones, per_row=2), cancel=True),
    )


def business_opened(business: BusinessView) -> str:
    """After the business is created."""
    return _(
        "🎉 <b>{name}</b> is open ({currency}, {zone}). You are its owner.\n"
        "A warehouse is ready; add more in /warehouses. Invite your staff in /members."
    ).format(name=escape(business.name), currency=business.base_currency, zone=business.timezone)


def joined(business: BusinessView) -> str:
    """After accepting an invite."""
    return _("Welcome to <b>{name}</b>! You joined as {role}.").format(
        name=escape(business.name), role=role_name(business.role)
    )


def welcome_back(business: BusinessView) -> str:
    """/start for a member."""
    return _("<b>{name}</b> · {role}. What would you like to do?").format(
        name=escape(business.name), role=role_name(business.role)
    )


def group_start() -> str:
    """/start in a group chat."""
    return _(
        "Hello! In a group I answer commands (/stock A001, /sale, ...) and replies to my "
        "messages. The owner binds this group to the business with /bind."
    )


def unknown_currency(code: str) -> str:
    """A typed currency code that is not one."""
    return _("“{code}” is not a currency code. Tap a button or type one like CNY or USD.").format(
        code=escape(code[:10])
    )


def unknown_zone(zone: str) -> str:
    """A typed time zone that is not one."""
    return _("“{zone}” is not a time zone. Tap a button or type one like Asia/Shanghai.").format(
        zone=escape(zone[:40])
    )
