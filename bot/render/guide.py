"""The guided first run of a new business: four short steps that can be skipped."""

from typing import Final

from bot.handlers.menu import MENU
from bot.i18n import N_, _
from bot.render.screen import Screen, button, keyboard

STEPS: Final = (
    N_(
        "<b>Step 1 of 4 · Add a product</b>\n"
        "Send /products and tap Add: a SKU (e.g. A001), a name, a unit and a sale price. "
        "No rush: in a purchase, typing a name I don't know offers to add it on the spot."
    ),
    N_(
        "<b>Step 2 of 4 · Receive it</b>\n"
        "Tap {purchase} below, choose the supplier (or skip), type A001, then the quantity "
        "(e.g. 10) and the unit cost. Check the summary and tap Confirm: the stock goes up."
    ),
    N_(
        "<b>Step 3 of 4 · Sell one</b>\n"
        "Tap {sale}, choose a customer or walk-in, type A001, quantity 1, tap the suggested "
        "price, then Confirm. Type A001 any time to see its stock."
    ),
    N_(
        "<b>Step 4 of 4 · Undo</b>\n"
        "A mistake? Tap ↩ Undo under the posted sale: it is reversed and the stock comes "
        "back. Undo works for a few minutes after posting (/settings sets how long); later a "
        "manager voids a document in /docs."
    ),
)


def guide_offer() -> Screen:
    """Sent right after a business is opened: take the tour or skip it."""
    return Screen(
        _(
            "Want a quick tour? Four steps: add a product, receive it, sell one, undo the "
            "sale. You do each step yourself; I show you where to tap."
        ),
        keyboard(
            [button(_("▶ Start the tour"), "guide.step", 1), button(_("Skip"), "guide.skip")]
        ),
    )


def guide_step(number: int) -> Screen:
    """Step ``number`` (1-based), with Next (or Done on the last) and Skip."""
    labels = {key: f"<b>{_(label)}</b>" for key, label in MENU.items()}
    text = _(STEPS[number - 1]).format(**labels)
    if number < len(STEPS):
        buttons = [
            button(_("Next ▶"), "guide.step", number + 1),
            button(_("Skip the tour"), "guide.skip"),
        ]
    else:
        buttons = [button(_("✓ Done"), "guide.done")]
    return Screen(text, keyboard(buttons))


def guide_skipped() -> Screen:
    """After Skip."""
    return Screen(_("Tour skipped. /help shows what you can do, any time."))


def guide_done() -> Screen:
    """After the last step."""
    return Screen(
        _(
            "That's the daily routine. /help shows everything your role can do; invite your "
            "staff in /members."
        )
    )
