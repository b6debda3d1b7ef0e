"""Screens of the purchase receipt (采购入库) and sale (销售出库) flows.

Both flows keep their draft as plain JSON: ``party`` ({id, name} or None), ``warehouse``
([id, name]), ``lines`` (dicts with product_id, sku, name, unit, qty and price as strings)
and the business's ``currency``. ``flow`` ("purchase" or "sale") picks the words and names
the buttons' actions (``purchase.ok``, ``sale.add``, ...).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from bot.i18n import _
from bot.render.numbers import escape, money, price, qty
from bot.render.screen import Screen, button, keyboard, rows
from core.catalog.results import PartyView
from core.inventory.results import DocumentPosted
from core.numbers import ZERO, mul_div, round_money

PURCHASE: Final = "purchase"
SALE: Final = "sale"
PURCHASE_ORDER: Final = "po"  # the same steps, ending in an order instead of a document
SALES_ORDER: Final = "so"
NEEDS_PARTY: Final = (PURCHASE_ORDER,)  # a purchase order is always to a supplier
ANNOUNCED_LINES: Final = 10  # a group reads the first ones; the rest are counted

Draft = Mapping[str, Any]
Line = Mapping[str, Any]


def _is_sale(flow: str) -> bool:
    return flow in (SALE, SALES_ORDER)


def heading(flow: str) -> str:
    """The flow's title, on top of its questions and summary."""
    if flow == PURCHASE_ORDER:
        return _("📥 <b>Purchase order</b>")
    if flow == SALES_ORDER:
        return _("📤 <b>Sales order</b>")
    return _("📤 <b>Sale</b>") if _is_sale(flow) else _("📥 <b>Purchase receipt</b>")


def product_label(line: Line) -> str:
    """``A001 乌龙茶`` (escaped)."""
    return f"{escape(str(line['sku']))} {escape(str(line['name']))}"


def amount(line: Line, currency: str) -> Decimal:
    """A line's amount, rounded to the currency as core books it."""
    return round_money(mul_div(Decimal(line["qty"]), Decimal(line["price"])), currency)


def total(draft: Draft) -> Decimal:
    """The draft's total: the sum of its rounded line amounts."""
    return sum((amount(line, draft["currency"]) for line in draft["lines"]), ZERO)


def line_text(line: Line, currency: str) -> str:
    """``A001 乌龙茶 × 3 @ 12.50 = 37.50``."""
    return "{product} × {qty} @ {price} = {amount}".format(
        product=product_label(line),
        qty=qty(Decimal(line["qty"])),
        price=price(Decimal(line["price"]), currency),
        amount=money(amount(line, currency), currency),
    )


# -- party -----------------------------------------------------------------------------------


def _no_party_buttons(flow: str) -> list[list[Any]]:
    if flow in NEEDS_PARTY:
        return []
    label = _("🚶 Walk-in customer") if _is_sale(flow) else _("➖ No supplier")
    return [[button(label, f"{flow}.noparty")]]


def _party_buttons(flow: str, parties: Iterable[PartyView]) -> list[Any]:
    return [button(party.name[:40], f"{flow}.party", party.party_id) for party in parties]


def ask_party(flow: str, parties: Iterable[PartyView]) -> Screen:
    """First question: who from (purchase) or who to (sale), recent ones as buttons."""
    if _is_sale(flow):
        question = _("Customer? Tap a recent one, or type a name to search or add one.")
    else:
        question = _("Supplier? Tap a recent one, or type a name to search or add one.")
    buttons = rows(_party_buttons(flow, parties), per_row=2)
    return Screen(
        f"{heading(flow)}\n{question}",
        keyboard(*buttons, *_no_party_buttons(flow), cancel=True),
    )


def parties_found(flow: str, term: str, found: list[PartyView]) -> Screen:
    """What a typed name found, with "add it" and "none" buttons."""
    shown = escape(term[:50])
    if _is_sale(flow):
        add = _("➕ Add customer “{name}”").format(name=term[:30])
        text = (
            _("Customers matching “{term}”: tap one, or add a new one.")
            if found
            else _("No customer matches “{term}”. Type again, or add it.")
        )
    else:
        add = _("➕ Add supplier “{name}”").format(name=term[:30])
        text = (
            _("Suppliers matching “{term}”: tap one, or add a new one.")
            if found
            else _("No supplier matches “{term}”. Type again, or add it.")
        )
    buttons = rows(_party_buttons(flow, found), per_row=2)
    return Screen(
        text.format(term=shown),
        keyboard(
            *buttons, [button(add, f"{flow}.newparty")], *_no_party_buttons(flow), cancel=True
        ),
    )


def party_added(flow: str, name: str) -> str:
    """After a quick add."""
    if _is_sale(flow):
        return _("Customer {name} added.").format(name=escape(name))
    return _("Supplier {name} added.").format(name=escape(name))


# -- warehouse, quantity, price --------------------------------------------------------------


def ask_warehouse(flow: str, warehouses: list[list[Any]]) -> Screen:
    """Which warehouse (only asked when there are several): the last used one first."""
    if _is_sale(flow):
        question = _("Ship from which warehouse?")
    else:
        question = _("Receive into which warehouse?")
    buttons = [button(str(name)[:40], f"{flow}.wh", wid) for wid, name in warehouses]
    return Screen(f"{heading(flow)}\n{question}", keyboard(*rows(buttons), cancel=True))


def no_warehouse() -> str:
    """A business whose warehouses are all archived."""
    return _("There is no active warehouse. A manager can add one in /warehouses.")


def ask_quantity(line: Line) -> Screen:
    """How many (purchase)."""
    unit = str(line.get("unit") or "")
    if unit:
        text = _("How many {unit} of {product}?").format(
            unit=escape(unit), product=product_label(line)
        )
    else:
        text = _("How many of {product}?").format(product=product_label(line))
    return Screen(text, keyboard(cancel=True))


def ask_sale_quantity(line: Line, available: Decimal, warehouse: str) -> Screen:
    """How many (sale), with what is available in the warehouse."""
    text = _("{product}: {available} {unit} available in {warehouse}. How many?").format(
        product=product_label(line),
        available=qty(available),
        unit=escape(str(line.get("unit") or "")),
        warehouse=escape(warehouse),
    )
    return Screen(text, keyboard(cancel=True))


def none_available(line: Line, warehouse: str) -> str:
    """A product with nothing to sell in the warehouse (negative stock off)."""
    return _("{product}: none available in {warehouse}. Pick another product.").format(
        product=product_label(line), warehouse=escape(warehouse)
    )


def too_much(line: Line, available: Decimal, warehouse: str) -> str:
    """A quantity above what is available (negative stock off)."""
    return _("Only {available} {unit} available in {warehouse}. Type a smaller quantity.").format(
        available=qty(available),
        unit=escape(str(line.get("unit") or "")),
        warehouse=escape(warehouse),
    )


def ask_cost(flow: str, line: Line, offer: Decimal | None, last: bool, currency: str) -> Screen:
    """The purchase's unit cost: the last one paid (or the default price) as a button."""
    product = product_label(line)
    if offer is None:
        return Screen(
            _("Unit cost of {product}? Type it.").format(product=product), keyboard(cancel=True)
        )
    shown = price(offer, currency)
    label = (
        _("Last cost {price}").format(price=shown)
        if last
        else _("Default cost {price}").format(price=shown)
    )
    text = _("Unit cost of {product}? Type it, or tap the button.").format(product=product)
    return Screen(text, keyboard([button(label, f"{flow}.offer")], cancel=True))


def ask_sale_price(flow: str, line: Line, offer: Decimal | None, currency: str) -> Screen:
    """The sale's unit price: the default sale price as a button."""
    product = product_label(line)
    if offer is None:
        return Screen(
            _("Unit price of {product}? Type it.").format(product=product), keyboard(cancel=True)
        )
    label = _("Sale price {price}").format(price=price(offer, currency))
    text = _("Unit price of {product}? Type it, or tap the button.").format(product=product)
    return Screen(text, keyboard([button(label, f"{flow}.offer")], cancel=True))


# -- lines, summary, posted ------------------------------------------------------------------


def line_added(flow: str, draft: Draft) -> Screen:
    """After a line: what was added and the running total; another, or done."""
    currency = draft["currency"]
    text = _("Added: {line}\nLines: {count} · Total: {total}").format(
        line=line_text(draft["lines"][-1], currency),
        count=len(draft["lines"]),
        total=money(total(draft), currency),
    )
    more = button(_("➕ Add another"), f"{flow}.add")
    done = button(_("✅ Done"), f"{flow}.done")
    return Screen(text, keyboard([more, done], cancel=True))


def _party_line(flow: str, party: Mapping[str, Any] | None) -> str:
    if _is_sale(flow):
        if party is None:
            return _("Customer: walk-in")
        return _("Customer: {name}").format(name=escape(str(party["name"])))
    if party is None:
        return _("Supplier: none")
    return _("Supplier: {name}").format(name=escape(str(party["name"])))


def summary(flow: str, draft: Draft, note: str | None = None) -> Screen:
    """Everything that will be posted, with Confirm, another line, or remove the last."""
    currency = draft["currency"]
    parts = [heading(flow)]
    if note:
        parts.append(note)
    parts.append(_party_line(flow, draft.get("party")))
    if draft.get("warehouse"):
        parts.append(_("Warehouse: {name}").format(name=escape(str(draft["warehouse"][1]))))
    parts.append("")
    parts += [
        f"{n}. {line_text(line, currency)}" for n, line in enumerate(draft["lines"], start=1)
    ]
    parts.append(_("<b>Total: {total}</b>").format(total=money(total(draft), currency)))
    confirm = button(_("✅ Confirm"), f"{flow}.ok")
    more = button(_("➕ Add another"), f"{flow}.add")
    drop = button(_("🗑 Remove last line"), f"{flow}.drop")
    return Screen("\n".join(parts), keyboard([confirm], [more, drop], cancel=True))


def copied(number: str) -> str:
    """On top of a summary copied from a voided document."""
    return _("Copied from {number}: change what was wrong, then confirm.").format(
        number=escape(number)
    )


def cannot_copy() -> str:
    """A copy button for a document of another kind."""
    return _("That document cannot be copied here.")


def last_line_removed() -> str:
    """After removing the only line."""
    return _("The last line was removed; there are no lines left.")


def stock_changed(reason: str) -> str:
    """Posting a sale was refused for stock: nothing was saved, the draft is kept."""
    return reason + "\n" + _("Nothing was saved. Change the lines, or cancel.")


def posted(flow: str, result: DocumentPosted, undo: bool) -> Screen:
    """The message under a posted receipt or sale, with an Undo button."""
    number = f"<b>{escape(result.number)}</b>"
    shown_total = money(result.total, result.currency)
    if _is_sale(flow):
        text = _("✅ Sale {number} posted. Total: {total}").format(
            number=number, total=shown_total
        )
        if result.cost is not None:  # core leaves it out for clerks and in groups
            text += "\n" + _("Gross profit: {profit}").format(
                profit=money(result.total - result.cost, result.currency)
            )
    else:
        text = _("✅ Receipt {number} posted. Total: {total}").format(
            number=number, total=shown_total
        )
    if not undo:
        return Screen(text)
    return Screen(text, keyboard([button(_("↩ Undo"), "undo", result.document_id)]))


def public(flow: str, result: DocumentPosted, who: str, draft: Draft) -> str:
    """What the bound group reads: who, what and where; never a cost or a purchase price."""
    warehouse = escape(str(draft["warehouse"][1])) if draft.get("warehouse") else ""
    units = {int(line["product_id"]): str(line.get("unit") or "") for line in draft["lines"]}
    if _is_sale(flow):
        text = _("📤 {who} posted sale {number} from {warehouse}, total {total}:").format(
            who=escape(who),
            number=escape(result.number),
            warehouse=warehouse,
            total=money(result.total, result.currency),
        )
    else:
        text = _("📥 {who} posted receipt {number} into {warehouse}:").format(
            who=escape(who), number=escape(result.number), warehouse=warehouse
        )
    lines = [
        f"• {escape(line.sku)} {escape(line.name)} × {qty(line.qty)} "
        f"{escape(units.get(line.product_id, ''))}".rstrip()
        for line in result.lines[:ANNOUNCED_LINES]
    ]
    if len(result.lines) > ANNOUNCED_LINES:
        lines.append(
            _("… and {count} more lines").format(count=len(result.lines) - ANNOUNCED_LINES)
        )
    return "\n".join([text, *lines])
