"""The stock card of quick queries and inline mode, and the screens around it."""

from collections.abc import Sequence
from typing import Final

from bot.i18n import _
from bot.render.numbers import escape, money, price, qty
from bot.render.screen import Screen, button, keyboard
from core.catalog.listing import ProductOverview
from core.catalog.search import ProductHit

MAX_CHOICES: Final = 8


def card_text(overview: ProductOverview) -> str:
    """The stock card: on hand per warehouse, total, available, reorder point; costs if given.

    Average cost and stock value appear only when core gave them (managers and owners, in a
    private chat); the card may be sent anywhere, so nothing else about costs is shown.
    """
    product, stock = overview.product, overview.stock
    unit = escape(product.unit)
    lines = [f"<b>{escape(product.sku)} {escape(product.name)}</b>"]
    if product.archived:
        lines.append(_("🗄 Archived"))
    if stock.levels:
        lines += [
            f"• {escape(level.warehouse)}: {qty(level.on_hand)} {unit}".rstrip()
            for level in stock.levels
        ]
    else:
        lines.append(_("No stock in any warehouse yet."))
    lines.append(_("On hand: {qty} {unit}").format(qty=qty(stock.on_hand), unit=unit).rstrip())
    lines.append(_("Available: {qty} {unit}").format(qty=qty(stock.available), unit=unit).rstrip())
    if stock.reserved > 0:
        lines.append(
            _("Held for sales orders: {qty} {unit}")
            .format(qty=qty(stock.reserved), unit=unit)
            .rstrip()
        )
    if stock.on_order > 0:
        lines.append(
            _("On order: {qty} {unit}").format(qty=qty(stock.on_order), unit=unit).rstrip()
        )
    if product.reorder_point is not None:
        lines.append(
            _("Reorder point: {qty} {unit}")
            .format(qty=qty(product.reorder_point), unit=unit)
            .rstrip()
        )
        if stock.on_hand <= product.reorder_point:
            lines.append(_("⚠️ At or below the reorder point."))
    if stock.avg_cost is not None:
        lines.append(
            _("Average cost: {price}").format(price=price(stock.avg_cost, overview.currency))
        )
    if stock.value is not None:
        lines.append(_("Stock value: {money}").format(money=money(stock.value, overview.currency)))
    return "\n".join(lines)


def card(overview: ProductOverview, *, private: bool) -> Screen:
    """The stock card; in a private chat with a button to the product's details."""
    if not private:
        return Screen(card_text(overview))
    details = button(_("📝 Product details"), "pc", overview.product.product_id)
    return Screen(card_text(overview), keyboard([details]))


def summary(overview: ProductOverview) -> str:
    """One line under an inline result's title: on hand and available."""
    unit = overview.product.unit
    text = _("On hand: {qty} {unit}").format(qty=qty(overview.stock.on_hand), unit=unit)
    return text.strip() + (" · " + _("🗄 Archived") if overview.product.archived else "")


def title(overview: ProductOverview) -> str:
    """An inline result's title (plain text: titles are not HTML)."""
    return f"{overview.product.sku} {overview.product.name}"


def choices(hits: Sequence[ProductHit], term: str) -> Screen:
    """Several products match: one button each, opening its card."""
    buttons = [
        [button(("🗄 " if hit.archived else "") + f"{hit.sku} {hit.name}", "card", hit.product_id)]
        for hit in hits[:MAX_CHOICES]
    ]
    text = _("Several products match “{term}”. Which one?").format(term=escape(term[:50]))
    return Screen(text, keyboard(*buttons))


def no_match(term: str) -> Screen:
    """Nothing matches the term."""
    return Screen(
        _("No product matches “{term}” — add it in /products.").format(term=escape(term[:50]))
    )


def unknown_barcode(code: str, *, private: bool) -> Screen:
    """A photographed barcode no product has: offer to add one with it (not in a group)."""
    text = _("No product has the barcode {code}. Add it, or try another.").format(
        code=escape(code[:64])
    )
    if not private:
        return Screen(text)
    add = button(
        _("➕ Add a product with barcode {code}").format(code=code[:40]), "padd", code[:40]
    )
    return Screen(text, keyboard([add]))


def ask() -> Screen:
    """Which product's stock?"""
    return Screen(
        _("Which product? Send its SKU, part of its name, pinyin initials or barcode number.")
    )


def open_bot() -> str:
    """The inline button of someone who is not a member yet."""
    return _("Open the bot to start")
