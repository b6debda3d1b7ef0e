"""Every handler of the bot, registered in an order that matters.

Group -1 serves each update in the user's language (access). In group 0 the first handler
that matches wins: flows come first so that a step gets its own input, then commands and
buttons, then free text (quick queries), then the catch-all for stale buttons.
"""

from importlib import import_module
from typing import Any, Final

from telegram.ext import Application

MODULES: Final = (
    "bot.handlers.access",
    "bot.handlers.errors",
    "bot.handlers.start",
    "bot.conversations.purchase",
    "bot.conversations.sale",
    "bot.conversations.stock_count",
    "bot.conversations.transfer",
    "bot.conversations.adjustment",
    "bot.conversations.order_flows",
    "bot.conversations.returns",
    "bot.conversations.order_fill",
    "bot.conversations.payments",
    "bot.handlers.common",
    "bot.handlers.catalog",
    "bot.handlers.documents",
    "bot.handlers.orders",
    "bot.handlers.slip",
    "bot.handlers.reports",
    "bot.handlers.reorder",
    "bot.handlers.accounts",
    "bot.handlers.reminders",
    "bot.handlers.admin",
    "bot.handlers.backup",
    "bot.handlers.inline",
    "bot.handlers.data_io",
    "bot.handlers.stock",  # free text: after everything that reads text
)


def register_all(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Registers every module's handlers, then the stale-button catch-all."""
    for name in MODULES:
        import_module(name).register(application)
    import_module("bot.handlers.common").register_last(application)
