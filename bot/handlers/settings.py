"""/settings (owner): negative stock, undo window, idle timeout, round-off limit, language.

Also when the daily reminders go out, the time zone and the coverage days of reorder
suggestions; who gets alerts and digests is bot.handlers.reminders.
"""

import re
from decimal import Decimal
from typing import Final
from zoneinfo import available_timezones

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.handlers.access import in_group
from bot.handlers.replies import reply, show
from bot.parse import InputError
from bot.render import admin as render
from bot.render import callbacks as cb
from bot.render import reminders as alerts
from bot.render.screen import Screen
from core.errors import InvalidInput
from core.tenancy.businesses import (
    ChangeBusinessSettings,
    change_business_settings,
    current_business,
)
from core.tenancy.models import Role

FLOW: Final = "settings"
VALUE: Final = "settings.value"
ALERT_VALUE: Final = "settings.alert_value"  # a typed reminder time or time zone
FIELDS: Final = {"undo": "undo_window_minutes", "timeout": "conversation_timeout_minutes"}
_FULLWIDTH: Final = str.maketrans("０１２３４５６７８９", "0123456789")


async def settings(update: Update, context: BotContext) -> None:
    """/settings (or its More button): the settings, with buttons for an owner."""
    if in_group(update):
        await reply(update, render.private_only())
        return
    business = await current_business(context.uow(), context.actor(update))
    await reply(update, render.settings_screen(business))


async def back(update: Update, context: BotContext) -> None:
    """« Back: the settings again, in the same message."""
    business = await current_business(context.uow(), context.actor(update))
    await show(update, render.settings_screen(business))


async def toggle_negative(update: Update, context: BotContext) -> None:
    """Allow / Forbid negative stock (the button carries the new value: a double tap is one)."""
    query = update.callback_query
    assert query is not None
    allow = cb.args(query.data)[0] == "1"
    await _change(update, context, allow_negative_stock=allow)


async def choose_language(update: Update, context: BotContext) -> None:
    """中文 / English: the business's language (announcements, new warehouses)."""
    query = update.callback_query
    assert query is not None
    await _change(update, context, locale=cb.args(query.data)[0])


async def minutes_menu(update: Update, context: BotContext) -> None:
    """↩ Undo window / ⏱ Idle timeout: the usual values as buttons."""
    query = update.callback_query
    assert query is not None
    business = await current_business(context.uow(), context.actor(update))
    await show(update, render.minutes_menu(business, _field(cb.args(query.data)[0])))


async def chose_minutes(update: Update, context: BotContext) -> None:
    """A number button of the undo window or the idle timeout."""
    query = update.callback_query
    assert query is not None
    field, minutes = cb.args(query.data)[:2]
    await _change(update, context, **{FIELDS[_field(field)]: int(minutes)})


async def round_off_menu(update: Update, context: BotContext) -> None:
    """✂ Round-off limit: the usual amounts as buttons."""
    business = await current_business(context.uow(), context.actor(update))
    await show(update, render.round_off_menu(business))


async def chose_round_off(update: Update, context: BotContext) -> None:
    """An amount button of the round-off limit (the value it carries: a double tap is one)."""
    query = update.callback_query
    assert query is not None
    await _change(update, context, round_off_limit=Decimal(cb.args(query.data)[0]))


async def alert_menu(update: Update, context: BotContext) -> None:
    """⏰ Reminder time / 🌐 Time zone / 📦 Coverage days: the usual values as buttons."""
    query = update.callback_query
    assert query is not None
    business = await current_business(context.uow(), context.actor(update))
    menus = {"set.rt": alerts.reminder_time_menu, "set.tz": alerts.zone_menu}
    await show(update, menus.get(cb.action(query.data) or "", alerts.coverage_menu)(business))


async def chose_alert_value(update: Update, context: BotContext) -> None:
    """A button of those menus (it carries the value: a double tap is one)."""
    query = update.callback_query
    assert query is not None
    value = cb.args(query.data)[0]
    action = cb.action(query.data)
    if action == "set.rtval":
        await _change(update, context, reminder_time=f"{value[:2]}:{value[2:]}")
    elif action == "set.tzval":
        await _change(update, context, timezone=value)
    else:
        await _change(update, context, coverage_days=int(value))


async def _change(update: Update, context: BotContext, **changes: object) -> None:
    cmd = ChangeBusinessSettings.build(**changes)
    business = await change_business_settings(context.uow(), context.actor(update), cmd)
    await show(update, render.settings_screen(business, note=render.saved()))


def _field(name: str) -> str:
    return name if name in FIELDS else "timeout"


@entry(FLOW)
async def ask_minutes(update: Update, context: BotContext) -> object:
    """⌨ Type a number: asks for the minutes (owners only; others are told why)."""
    query = update.callback_query
    assert query is not None
    assert update.effective_chat is not None
    business = await current_business(context.uow(), context.actor(update))
    if business.role != Role.OWNER:
        await show(update, render.settings_screen(business))
        return END
    field = _field(cb.args(query.data)[0])
    begin(
        context, FLOW, update.effective_chat.id, business.conversation_timeout_minutes, field=field
    )
    await reply(update, render.ask_minutes(field))
    return VALUE


@step(FLOW)
async def got_minutes(update: Update, context: BotContext) -> object:
    """The typed minutes: saved and the settings shown; anything else is asked again."""
    message = update.effective_message
    assert message is not None
    field = require_draft(context, FLOW)["field"]
    try:
        minutes = whole_minutes(message.text or "", field)
    except InputError as bad:
        await reply(update, Screen(str(bad)))
        return VALUE
    cmd = ChangeBusinessSettings.build(**{FIELDS[field]: minutes})
    business = await change_business_settings(context.uow(), context.actor(update), cmd)
    drop_draft(context)
    await reply(update, render.settings_screen(business, note=render.saved()))
    return END


@entry(FLOW)
async def ask_alert_value(update: Update, context: BotContext) -> object:
    """⌨ Type a time / time zone: asks for it (owners only; others see the settings)."""
    query = update.callback_query
    assert query is not None
    assert update.effective_chat is not None
    business = await current_business(context.uow(), context.actor(update))
    if business.role != Role.OWNER:
        await show(update, render.settings_screen(business))
        return END
    field = "tz" if cb.args(query.data)[:1] == ["tz"] else "rt"
    begin(
        context, FLOW, update.effective_chat.id, business.conversation_timeout_minutes, field=field
    )
    await reply(update, alerts.ask_zone() if field == "tz" else alerts.ask_reminder_time(business))
    return ALERT_VALUE


@step(FLOW)
async def got_alert_value(update: Update, context: BotContext) -> object:
    """The typed time or zone: saved and the settings shown; a bad one is asked again."""
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    zone = require_draft(context, FLOW)["field"] == "tz"
    try:
        changes = {"timezone": zone_name(text)} if zone else {"reminder_time": clock_time(text)}
        cmd = ChangeBusinessSettings.build(**changes)
    except (InputError, InvalidInput):
        await reply(update, Screen(alerts.bad_zone(text) if zone else alerts.bad_time(text)))
        return ALERT_VALUE
    business = await change_business_settings(context.uow(), context.actor(update), cmd)
    drop_draft(context)
    await reply(update, render.settings_screen(business, note=render.saved()))
    return END


def clock_time(text: str) -> str:
    """A typed time of day as "HH:MM": 9, 9:30, 09:30, ０９：３０, 9.30.

    Raises:
        InputError: not a time of day.
    """
    cleaned = text.strip().translate(_FULLWIDTH).replace("：", ":").replace(".", ":")
    found = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", cleaned)
    if found is None or int(found[1]) > 23 or int(found[2] or 0) > 59:
        raise InputError(cleaned)
    return f"{int(found[1]):02d}:{int(found[2] or 0):02d}"


def zone_name(text: str) -> str:
    """A typed IANA time zone, its case corrected (asia/shanghai → Asia/Shanghai).

    Raises:
        InputError: no such zone (core checks it again).
    """
    cleaned = text.strip().replace(" ", "_")
    known = {name.casefold(): name for name in available_timezones()}
    if cleaned.casefold() not in known:
        raise InputError(cleaned)
    return known[cleaned.casefold()]


def whole_minutes(text: str, field: str) -> int:
    """A whole number of minutes within the field's limits.

    Raises:
        InputError: not a whole number, or out of range (the reason in the user's language).
    """
    low, high = render.LIMITS[field]
    cleaned = text.strip().translate(_FULLWIDTH)
    if not re.fullmatch(r"\d{1,5}", cleaned) or not low <= int(cleaned) <= high:
        raise InputError(render.bad_minutes(text, field))
    return int(cleaned)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /settings, its buttons and the typed-minutes step."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[
                CallbackQueryHandler(ask_minutes, pattern=cb.pattern("set.type")),
                CallbackQueryHandler(ask_alert_value, pattern=cb.pattern("set.ask")),
            ],
            states={
                VALUE: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_minutes)],
                ALERT_VALUE: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_alert_value)],
            },
        )
    )
    application.add_handler(CommandHandler("settings", settings))
    application.add_handler(CallbackQueryHandler(settings, pattern=r"^1:cmd:settings$"))
    application.add_handler(CallbackQueryHandler(back, pattern=cb.pattern("set.show")))
    application.add_handler(CallbackQueryHandler(toggle_negative, pattern=cb.pattern("set.neg")))
    application.add_handler(CallbackQueryHandler(choose_language, pattern=cb.pattern("set.lang")))
    application.add_handler(CallbackQueryHandler(minutes_menu, pattern=cb.pattern("set.menu")))
    application.add_handler(CallbackQueryHandler(chose_minutes, pattern=cb.pattern("set.val")))
    application.add_handler(CallbackQueryHandler(round_off_menu, pattern=cb.pattern("set.ro")))
    application.add_handler(CallbackQueryHandler(chose_round_off, pattern=cb.pattern("set.roval")))
    menus = cb.pattern("set.rt", "set.tz", "set.cov")
    application.add_handler(CallbackQueryHandler(alert_menu, pattern=menus))
    values = cb.pattern("set.rtval", "set.tzval", "set.covval")
    application.add_handler(CallbackQueryHandler(chose_alert_value, pattern=values))
