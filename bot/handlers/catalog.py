"""/products, /customers, /suppliers, /warehouses: browse with buttons, change in small steps.

Lists and cards are plain handlers (a press edits the message in place). Every change and
every add is the one ``catalog`` flow (see catalog_flow.py); its entry buttons are also its
fallbacks, so a press on another card's button mid-change starts that change instead.
"""

from telegram.ext import Application

from bot.conversations.flow import FlowHandler
from bot.handlers import catalog_flow as flow
from bot.handlers import catalog_parties as parties
from bot.handlers import catalog_products as products


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the catalog flow, then the lists and cards."""
    entries = [*products.entries(), *parties.entries()]
    application.add_handler(
        FlowHandler(
            flow.FLOW,
            entry_points=entries,
            states={**flow.states(), **products.states()},
            fallbacks=entries,
        )
    )
    for handler in (*products.handlers(), *parties.handlers()):
        application.add_handler(handler)
