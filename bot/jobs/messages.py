"""What each kind of outbox row says: a registry of renderers, by ``AlertKind``.

A renderer is ``async def render(app: AlertApp, delivery: Delivery) -> Screen | None``:

- ``app`` is the running Application (``app.bot_data`` holds the database and the clock), for
  renderers that need fresh figures; most only read ``delivery.payload``.
- ``delivery`` is the leased row: ``payload`` (the JSON core queued), ``chat_id``, ``locale``.
- It runs inside ``use_language(delivery.locale)``, so ``_()`` speaks the recipient's language.
- It returns the message to send, or None when there is nothing to send any more (the row is
  then marked sent without a message).

Adding a kind is one line in ``RENDERERS``; a row whose kind has no renderer is retried with
backoff and ends dead, logged.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application

from bot.context import BotResources
from bot.i18n import _
from bot.render.alerts import render_low_stock
from bot.render.numbers import escape
from bot.render.reminders import render_digest, render_overdue, render_payables
from bot.render.screen import Screen
from core.alerts.models import AlertKind
from core.alerts.outbox import Delivery

AlertApp = Application[Any, Any, Any, Any, BotResources, Any]
Renderer = Callable[[AlertApp, Delivery], Awaitable[Screen | None]]


async def unreachable(app: AlertApp, delivery: Delivery) -> Screen | None:
    """Tells an owner that a member (or the group) no longer gets alerts."""
    del app  # everything is in the payload
    name = escape(str(delivery.payload.get("member") or delivery.payload.get("chat_id")))
    if delivery.payload.get("group"):
        text = _(
            "⚠️ The group of {name} removed the bot: it no longer gets alerts. Add the bot to "
            "the group again and send /bind there to get them again."
        )
    else:
        text = _(
            "⚠️ {name} blocked the bot (or left): they no longer get alerts. They can open the "
            "bot and send /start to get them again."
        )
    return Screen(text.format(name=name))


RENDERERS: dict[str, Renderer] = {
    AlertKind.UNREACHABLE.value: unreachable,
    AlertKind.OVERDUE.value: render_overdue,
    AlertKind.PAYABLES.value: render_payables,
    AlertKind.DIGEST.value: render_digest,
    AlertKind.LOW_STOCK.value: render_low_stock,
}
