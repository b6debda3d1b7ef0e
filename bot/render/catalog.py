"""Screens of /products, /customers, /suppliers and /warehouses: lists, cards, prompts."""

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Final

from telegram import InlineKeyboardButton

from bot.i18n import N_, _
from bot.render import stock as stock_render
from bot.render.numbers import escape, money, price, qty
from bot.render.screen import Screen, button, keyboard, rows
from core.alerts.rules import WarehousePoint
from core.catalog.listing import ProductOverview
from core.catalog.results import PartyView, ProductView, WarehouseView

NONE: Final = "—"
TERM_BYTES: Final = 40  # what is left of callback data's 64 bytes for a search term

FIELDS: Final = {
    "name": N_("Name"),
    "sku": N_("SKU"),
    "barcode": N_("Barcode"),
    "unit": N_("Unit"),
    "sale_price": N_("Sale price"),
    "purchase_price": N_("Purchase price"),
    "reorder_point": N_("Reorder point"),
    "reorder_qty": N_("Reorder quantity"),
    "contact": N_("Contact"),
    "phone": N_("Phone"),
    "terms_days": N_("Payment terms (days)"),
    "currency": N_("Currency"),
    "credit_limit": N_("Credit limit"),
}
PRODUCT_BUTTONS: Final = (
    ("name", N_("✏️ Name")),
    ("sku", N_("🔖 SKU")),
    ("barcode", N_("➕ Barcode")),
    ("unit", N_("📏 Unit")),
    ("sale_price", N_("💰 Sale price")),
    ("purchase_price", N_("🧾 Purchase price")),
    ("reorder_point", N_("⚠️ Reorder point")),
    ("reorder_qty", N_("📦 Reorder quantity")),
)
PARTY_BUTTONS: Final = (
    ("name", N_("✏️ Name")),
    ("contact", N_("👤 Contact")),
    ("phone", N_("📞 Phone")),
    ("terms_days", N_("📅 Payment terms")),
)
SUPPLIER_BUTTONS: Final = (("currency", N_("💱 Currency")),)
CUSTOMER_BUTTONS: Final = (*SUPPLIER_BUTTONS, ("credit_limit", N_("🚦 Credit limit")))
KIND_CODES: Final = {"supplier": "s", "customer": "c"}


def field_name(field: str) -> str:
    """A field as users call it."""
    return _(FIELDS[field]) if field in FIELDS else field


def fit_term(term: str) -> str:
    """A search term that fits in callback data (no ':', at most TERM_BYTES bytes)."""
    cleaned = " ".join(term.replace(":", " ").split())
    while len(cleaned.encode()) > TERM_BYTES:
        cleaned = cleaned[:-1]
    return cleaned


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _nav(
    page: int, pages: int, make: Callable[[str, int], InlineKeyboardButton]
) -> list[InlineKeyboardButton]:
    """◀ page/pages ▶; ``make(label, page)`` makes one button."""
    nav = []
    if page > 0:
        nav.append(make("◀", page - 1))
    if pages > 1:
        nav.append(make(f"{page + 1}/{pages}", page))
    if page + 1 < pages:
        nav.append(make("▶", page + 1))
    return nav


def product_list(
    items: Sequence[ProductView], total: int, page: int, per_page: int, term: str
) -> Screen:
    """A page of products as buttons, with ◀ ▶, search and add."""
    shown = escape(term[:50])
    if total == 0:
        text = (
            _("No products match “{term}”.").format(term=shown)
            if term
            else _("No products yet. Add the first one.")
        )
    else:
        first = page * per_page + 1
        text = _("Products {first}–{last} of {total}:").format(
            first=first, last=first + len(items) - 1, total=total
        )
        if term:
            text = _("Products matching “{term}”:").format(term=shown) + "\n" + text
    items_rows = [
        [button(("🗄 " if p.archived else "") + f"{p.sku} {p.name}", "pc", p.product_id)]
        for p in items
    ]
    fitted = [fit_term(term)] if term else []
    nav = _nav(page, _pages(total, per_page), lambda label, to: button(label, "pl", to, *fitted))
    tools = [button(_("🔎 Search"), "pfind"), button(_("➕ Add product"), "padd")]
    return Screen(
        text + "\n" + _("Tap a product to see or change it."), keyboard(*items_rows, nav, tools)
    )


def list_args(args: Sequence[str]) -> tuple[int, str]:
    """Page and term of a list button's data (``1:pl:<page>[:<term>]``)."""
    page = int(args[0]) if args else 0
    return page, (args[1] if len(args) > 1 else "")


def _value(value: Decimal | None, currency: str, *, money_like: bool) -> str:
    if value is None:
        return NONE
    return price(value, currency) if money_like else qty(value)


def product_card(overview: ProductOverview) -> Screen:
    """A product's details, with a button for each thing that can be changed."""
    product, currency = overview.product, overview.currency
    unit = escape(product.unit)
    lines = [f"<b>{escape(product.sku)} {escape(product.name)}</b>"]
    if product.archived:
        lines.append(_("🗄 Archived: it cannot be bought, sold or moved."))
    lines += [
        _("Barcodes: {codes}").format(codes=escape(", ".join(product.barcodes)) or NONE),
        _("Unit: {unit}").format(unit=unit or NONE),
        _("Sale price: {price}").format(
            price=_value(product.default_sale_price, currency, money_like=True)
        ),
        _("Purchase price: {price}").format(
            price=_value(product.default_purchase_price, currency, money_like=True)
        ),
        _("Reorder point: {qty}").format(
            qty=_value(product.reorder_point, currency, money_like=False)
        ),
        _("Reorder quantity: {qty}").format(
            qty=_value(product.reorder_qty, currency, money_like=False)
        ),
        _("On hand: {qty} {unit}").format(qty=qty(overview.stock.on_hand), unit=unit).rstrip(),
    ]
    edits = [button(_(label), "pe", product.product_id, field) for field, label in PRODUCT_BUTTONS]
    flag = (
        button(_("♻️ Restore"), "pa", product.product_id, 0)
        if product.archived
        else button(_("🗄 Archive"), "pa", product.product_id, 1)
    )
    last = [flag, button(_("🔍 Stock"), "card", product.product_id)]
    edits.append(button(_("🏬 Point per warehouse"), "pwp", product.product_id))
    edits.append(button(_("🏷 Barcode image"), "pbc", product.product_id))
    back = [button(_("◀ Products"), "pl", 0)]
    return Screen("\n".join(lines), keyboard(*rows(edits), last, back))


def stock_card(overview: ProductOverview) -> Screen:
    """The stock card, as quick queries show it in a private chat."""
    return stock_render.card(overview, private=True)


def kind_title(kind: str) -> str:
    """The title of a party list: Customers or Suppliers."""
    return _("Customers") if kind == "customer" else _("Suppliers")


def party_list(
    kind: str, items: Sequence[PartyView], total: int, page: int, per_page: int
) -> Screen:
    """A page of suppliers or customers as buttons, with ◀ ▶ and add."""
    code = KIND_CODES[kind]
    if total == 0:
        text = (
            _("No customers yet. Add the first one.")
            if kind == "customer"
            else _("No suppliers yet. Add the first one.")
        )
    else:
        first = page * per_page + 1
        text = _("{title} {first}–{last} of {total}:").format(
            title=kind_title(kind), first=first, last=first + len(items) - 1, total=total
        )
    items_rows = [
        [button(("🗄 " if p.archived else "") + p.name, "qc", code, p.party_id)] for p in items
    ]
    nav = _nav(page, _pages(total, per_page), lambda label, to: button(label, "ql", code, to))
    add = button(
        _("➕ Add customer") if kind == "customer" else _("➕ Add supplier"), "qadd", code
    )
    return Screen(text, keyboard(*items_rows, nav, [add]))


def party_card(kind: str, party: PartyView) -> Screen:
    """A supplier's or customer's details, with a button for each thing that can be changed."""
    code = KIND_CODES[kind]
    lines = [f"<b>{escape(party.name)}</b>"]
    if party.archived:
        lines.append(_("🗄 Archived"))
    lines += [
        _("Contact: {contact}").format(contact=escape(party.contact) or NONE),
        _("Phone: {phone}").format(phone=escape(party.phone) or NONE),
        _("Payment terms: {days} days").format(days=party.terms_days),
    ]
    if party.currency:
        lines.append(_("Currency: {currency}").format(currency=party.currency))
    if kind == "customer":
        limit = (
            money(party.credit_limit, party.currency or "CNY")
            if party.credit_limit is not None
            else _("none")
        )
        lines.append(_("Credit limit: {limit}").format(limit=limit))
    fields = PARTY_BUTTONS + (CUSTOMER_BUTTONS if kind == "customer" else SUPPLIER_BUTTONS)
    edits = [button(_(label), "qe", code, party.party_id, field) for field, label in fields]
    flag = (
        button(_("♻️ Restore"), "qa", code, party.party_id, 0)
        if party.archived
        else button(_("🗄 Archive"), "qa", code, party.party_id, 1)
    )
    back = button("◀ " + kind_title(kind), "ql", code, 0)
    return Screen("\n".join(lines), keyboard(*rows(edits), [flag, back]))


def warehouse_list(items: Sequence[WarehouseView]) -> Screen:
    """The warehouses as buttons (⭐ the default, 🗄 archived), with add."""
    items_rows = [
        [
            button(
                ("⭐ " if w.is_default else "") + ("🗄 " if w.archived else "") + w.name,
                "wc",
                w.warehouse_id,
            )
        ]
        for w in items
    ]
    add = button(_("➕ Add warehouse"), "wadd")
    text = _("Warehouses (⭐ the default):")
    return Screen(text, keyboard(*items_rows, [add]))


def warehouse_card(warehouse: WarehouseView) -> Screen:
    """A warehouse, with rename and archive."""
    lines = [f"<b>{escape(warehouse.name)}</b>"]
    if warehouse.is_default:
        lines.append(_("⭐ The default warehouse"))
    if warehouse.archived:
        lines.append(_("🗄 Archived"))
    flag = (
        button(_("♻️ Restore"), "wa", warehouse.warehouse_id, 0)
        if warehouse.archived
        else button(_("🗄 Archive"), "wa", warehouse.warehouse_id, 1)
    )
    rename = button(_("✏️ Rename"), "we", warehouse.warehouse_id, "name")
    back = button(_("◀ Warehouses"), "wl")
    return Screen("\n".join(lines), keyboard([rename, flag], [back]))


def ask_value(field: str, what: str, current: str) -> str:
    """Asks for the new value of one field of ``what`` (escaped by the caller)."""
    return _("{field} of {what} now: {current}\nType the new value.").format(
        field=field_name(field), what=what, current=current or NONE
    )


def ask_barcode(what: str) -> str:
    """Asks for a barcode to add."""
    return _("Type or scan the barcode number to add to {what}.").format(what=what)


def ask_new(field: str) -> str:
    """Asks for one field of something being added."""
    prompts = {
        "name": _("What is its name?"),
        "unit": _("Unit? Tap one or type it (e.g. 个, 箱, kg)."),
        "sale_price": _("Sale price? Type it, or skip."),
        "purchase_price": _("Purchase price? Type it, or skip."),
        "contact": _("Contact person? Type it, or skip."),
        "phone": _("Phone number? Type it, or skip."),
        "terms_days": _("Payment terms in days? Tap one or type it (0: pays at once)."),
        "currency": _("Currency code (ISO 4217)? Tap one or type it, e.g. USD."),
        "credit_limit": _("Credit limit? Type an amount, or “none”."),
    }
    return prompts.get(field, field_name(field))


def adding(kind: str) -> str:
    """The first line of an add flow."""
    titles = {
        "product": _("New product."),
        "customer": _("New customer."),
        "supplier": _("New supplier."),
        "warehouse": _("New warehouse."),
    }
    return titles[kind]


def ask_search() -> str:
    """Asks for a term to search the product list."""
    return _("Type part of a name or SKU, pinyin initials or a barcode.")


def skip_label() -> str:
    """The skip button of an optional field."""
    return _("Skip")


def saved() -> str:
    """Said over the card after a change."""
    return _("Saved.")


def private_only() -> str:
    """Catalog management is not done in a group."""
    return _("Manage the catalog in a private chat with me.")


def warehouse_points(product: ProductView, points: Sequence[WarehousePoint]) -> Screen:
    """The product's reorder point in each warehouse, a button each to change it."""
    lines = [
        f"<b>{escape(product.sku)} {escape(product.name)}</b>",
        _("Reorder point, all warehouses together: {qty}").format(
            qty=qty(product.reorder_point) if product.reorder_point is not None else NONE
        ),
        _(
            "A warehouse may have its own point too: an alert comes when its stock falls to "
            "it. Tap a warehouse to set it."
        ),
    ]
    buttons = [
        button(
            f"{w.name} · {qty(w.reorder_point) if w.reorder_point is not None else '—'}"[:60],
            "pwpe",
            product.product_id,
            w.warehouse_id,
        )
        for w in points
    ]
    back = button(_("◀ Product"), "pc", product.product_id)
    return Screen("\n".join(lines), keyboard(*rows(buttons, per_row=1), [back]))


def ask_warehouse_point(what: str) -> str:
    """Asks a product's reorder point in one warehouse."""
    return _(
        "Reorder point of {what} in this warehouse? Type a quantity, or “none” for none of "
        "its own."
    ).format(what=what)
