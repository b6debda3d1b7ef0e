"""Screens of the purchase receipt (采购入库) and sale (销售出库) flows.

Both flows keep their draft as plain JSON: ``party`` ({id, name, terms_days} or None),
``warehouse`` ([id, name]), ``lines`` (dicts with product_id, sku, name, unit, qty and price
as strings, and a sale line's ``discount_pct`` or ``discount``), the document's ``currency``
(the party's, else the business's ``base``), its ``rate`` to the base, the sale's
``round_off`` and a ``due_date`` the user typed. ``flow`` ("purchase" or "sale") picks the
words and names the buttons' actions (``purchase.ok``, ``sale.add``, ...).

Figures shown before posting (line amounts after discount, the total, the due date) are a
preview made with core's own pure functions; the posted message shows core's result.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Final

from telegram import InlineKeyboardButton

from bot.i18n import N_, _
from bot.render.documents import method_name, slip_buttons
from bot.render.numbers import escape, money, price, qty
from bot.render.screen import Screen, button, keyboard, rows
from core.catalog.results import PartyView
from core.finance.currency import due_from_terms, to_base
from core.finance.terms import Discount, PricedLine, price_line
from core.inventory.results import DocumentPosted
from core.numbers import ZERO

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


def takes_money(flow: str) -> bool:
    """Whether the flow posts a priced document paid now or on credit (orders are not)."""
    return flow in (PURCHASE, SALE)


def takes_discounts(flow: str) -> bool:
    """Whether the flow's lines take discounts and its total a round-off (a sale)."""
    return flow == SALE


METHODS: Final = {  # PaymentMethod values as buttons, in the order shops here use them most
    "cash": N_("Cash"),
    "wechat": N_("WeChat"),
    "alipay": N_("Alipay"),
    "bank": N_("Bank transfer"),
}


def method_label(method: str) -> str:
    """A payment method on a button: Cash, WeChat (现金, 微信)."""
    return _(METHODS[method]) if method in METHODS else method


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


def line_discount(line: Line) -> Discount | None:
    """A line's discount as core takes it (None: no discount)."""
    pct, off = line.get("discount_pct"), line.get("discount")
    if not pct and not off:
        return None
    return Discount(
        discount_pct=Decimal(pct) if pct else None, discount=Decimal(off) if off else None
    )


def priced(line: Line, currency: str) -> PricedLine:
    """A line's value, discount and amount, rounded to the currency as core books them."""
    return price_line(Decimal(line["qty"]), Decimal(line["price"]), line_discount(line), currency)


def amount(line: Line, currency: str) -> Decimal:
    """A line's amount (after its discount), rounded to the currency as core books it."""
    return priced(line, currency).amount


def lines_total(draft: Draft) -> Decimal:
    """The sum of the draft's rounded line amounts (before any round-off)."""
    return sum((amount(line, draft["currency"]) for line in draft["lines"]), ZERO)


def round_off(draft: Draft) -> Decimal:
    """The sale's round-off (抹零), 0 when none."""
    return Decimal(draft.get("round_off") or 0)


def total(draft: Draft) -> Decimal:
    """The draft's total: its line amounts less the round-off."""
    return lines_total(draft) - round_off(draft)


def whole_unit_round_off(draft: Draft) -> Decimal:
    """What rounding the lines' total down to a whole unit takes off: 107.54 → 0.54."""
    value = lines_total(draft)
    return value - value.to_integral_value(rounding=ROUND_FLOOR)


def base_currency(draft: Draft) -> str:
    """The business's currency (drafts saved before currencies: the draft's own)."""
    return str(draft.get("base") or draft["currency"])


def shown_money(value: Decimal, currency: str, base: str) -> str:
    """Money in the document's currency, its code added when it is not the base: 12.00 USD."""
    shown = money(value, currency)
    return shown if currency == base else f"{shown} {currency}"


def _draft_money(value: Decimal, draft: Draft) -> str:
    return shown_money(value, draft["currency"], base_currency(draft))


def line_text(line: Line, currency: str) -> str:
    """``A001 乌龙茶 × 3 @ 12.50 = 37.50``, and under it the line's discount if any."""
    value = priced(line, currency)
    text = "{product} × {qty} @ {price} = {amount}".format(
        product=product_label(line),
        qty=qty(Decimal(line["qty"])),
        price=price(Decimal(line["price"]), currency),
        amount=money(value.gross, currency),
    )
    if not value.discount:
        return text
    if value.discount_pct is not None:
        off = _("🏷 Discount {percent}%: −{discount} → {amount}")
    else:
        off = _("🏷 Discount: −{discount} → {amount}")
    return (
        text
        + "\n   "
        + off.format(
            percent=qty(value.discount_pct or ZERO),
            discount=money(value.discount, currency),
            amount=money(value.amount, currency),
        )
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


def ask_sale_quantity(
    line: Line, available: Decimal, warehouse: str, shelf: Decimal | None = None
) -> Screen:
    """How many (sale), with what is available in the warehouse.

    For a manager, ``shelf`` is what is on hand: what sales orders hold is said too.
    """
    unit = escape(str(line.get("unit") or ""))
    text = _("{product}: {available} {unit} available in {warehouse}. How many?").format(
        product=product_label(line),
        available=qty(available),
        unit=unit,
        warehouse=escape(warehouse),
    )
    if shelf is not None and shelf > available:
        text += "\n" + _(
            "{held} {unit} more are held for sales orders: you may sell them, giving a reason."
        ).format(held=qty(shelf - max(available, Decimal(0))), unit=unit)
    return Screen(text, keyboard(cancel=True))


def ask_override_reason(flow: str) -> Screen:
    """A manager's sale takes stock that sales orders hold: why?"""
    del flow
    return Screen(
        _(
            "This sale takes stock held for confirmed sales orders. Type why (e.g. “the "
            "order is late, customer agreed”) to post it anyway, or cancel."
        ),
        keyboard(cancel=True),
    )


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


OFFER_LABELS: Final = {  # what a price button says, by where its price comes from
    "party": N_("Last time: {price}"),  # this customer / supplier, last document
    "last": N_("Last cost {price}"),  # the latest receipt of the product, any supplier
    "default": N_("Default cost {price}"),  # the product's default purchase price
    "sale": N_("Sale price {price}"),  # the product's default sale price
}


def ask_price(flow: str, line: Line, offers: Sequence[Sequence[str]], currency: str) -> Screen:
    """The unit price (sale) or cost (purchase): each offer ([kind, price]) as a button."""
    product = product_label(line)
    if not offers:
        text = (
            _("Unit price of {product}? Type it.")
            if _is_sale(flow)
            else _("Unit cost of {product}? Type it.")
        )
        return Screen(text.format(product=product), keyboard(cancel=True))
    buttons = [
        button(
            _(OFFER_LABELS[kind]).format(price=price(Decimal(value), currency)), f"{flow}.offer", n
        )
        for n, (kind, value) in enumerate(offers)
    ]
    text = (
        _("Unit price of {product}? Type it, or tap the button.")
        if _is_sale(flow)
        else _("Unit cost of {product}? Type it, or tap the button.")
    )
    return Screen(text.format(product=product), keyboard(*rows(buttons), cancel=True))


# -- lines, summary -------------------------------------------------------------------------


def line_added(flow: str, draft: Draft) -> Screen:
    """After a line: what was added and the running total; another, or done."""
    currency = draft["currency"]
    text = _("Added: {line}\nLines: {count} · Total: {total}").format(
        line=line_text(draft["lines"][-1], currency),
        count=len(draft["lines"]),
        total=_draft_money(total(draft), draft),
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


def _rate_line(draft: Draft) -> str | None:
    currency, base = draft["currency"], base_currency(draft)
    if currency == base or not draft.get("rate"):
        return None
    return _("Currency: {currency} · 1 {currency} = {rate} {base}").format(
        currency=currency, rate=qty(Decimal(draft["rate"])), base=base
    )


def due_preview(draft: Draft, today: date) -> date | None:
    """When what stays owed would be due: the typed date, else today + the party's terms.

    Only a preview for the button; the posted document's due date is core's.
    """
    if draft.get("due_date"):
        return date.fromisoformat(draft["due_date"])
    party = draft.get("party")
    if party is None:
        return None
    return due_from_terms(today, int(party.get("terms_days") or 0))


def summary(flow: str, draft: Draft, note: str | None = None, today: date | None = None) -> Screen:
    """Everything that will be posted; a receipt or sale is posted by saying how it is paid."""
    currency = draft["currency"]
    parts = [heading(flow)]
    if note:
        parts.append(note)
    parts.append(_party_line(flow, draft.get("party")))
    if draft.get("warehouse"):
        parts.append(_("Warehouse: {name}").format(name=escape(str(draft["warehouse"][1]))))
    if (rate := _rate_line(draft)) is not None:
        parts.append(rate)
    parts.append("")
    parts += [
        f"{n}. {line_text(line, currency)}" for n, line in enumerate(draft["lines"], start=1)
    ]
    if round_off(draft):
        parts.append(_("Round off: −{amount}").format(amount=money(round_off(draft), currency)))
    parts.append(_("<b>Total: {total}</b>").format(total=_draft_money(total(draft), draft)))
    more = button(_("➕ Add another"), f"{flow}.add")
    drop = button(_("🗑 Remove last line"), f"{flow}.drop")
    if not takes_money(flow):
        confirm = button(_("✅ Confirm"), f"{flow}.ok")
        return Screen("\n".join(parts), keyboard([confirm], [more, drop], cancel=True))
    parts.append(_("Tap how it is paid to post it."))
    return Screen(
        "\n".join(parts),
        keyboard(
            *_payment_rows(flow, draft, today), *_discount_rows(flow), [more, drop], cancel=True
        ),
    )


def _payment_rows(flow: str, draft: Draft, today: date | None) -> list[list[InlineKeyboardButton]]:
    """Paid now (one tap per method); with a party also on credit, part paid, due date."""
    now = [
        button(_("✅ Confirm · {method}").format(method=method_label("cash")), f"{flow}.ok"),
        *(
            button("✅ " + method_label(method), f"{flow}.ok", method)
            for method in METHODS
            if method != "cash"
        ),
    ]
    laid = rows(now, per_row=2)
    due = due_preview(draft, today) if today is not None else None
    if draft.get("party") is None or due is None:
        return laid  # a walk-in customer, or no supplier: paid in full now
    credit = _("📒 On credit · due {date}").format(date=due.isoformat())
    laid.append([button(credit, f"{flow}.credit")])
    laid.append(
        [button(_("💵 Part paid…"), f"{flow}.part"), button(_("📅 Due date"), f"{flow}.due")]
    )
    return laid


def _discount_rows(flow: str) -> list[list[InlineKeyboardButton]]:
    if not takes_discounts(flow):
        return []
    return [
        [button(_("🏷 Discount"), f"{flow}.disc"), button(_("抹零 Round off"), f"{flow}.round")]
    ]


# -- the money steps -------------------------------------------------------------------------


def back_button(flow: str) -> InlineKeyboardButton:
    """Back to the summary, changing nothing."""
    return button(_("↩ Back"), f"{flow}.back")


def ask_rate(flow: str, draft: Draft, last: Decimal | None) -> Screen:
    """The party deals in another currency: its rate to the base, the last one as a button."""
    party = draft.get("party") or {}
    text = _(
        "{name} deals in {currency}. How many {base} is 1 {currency}? Type the exchange rate."
    ).format(
        name=escape(str(party.get("name") or "")),
        currency=draft["currency"],
        base=base_currency(draft),
    )
    offer = (
        []
        if last is None
        else [[button(_("Last rate {rate}").format(rate=qty(last)), f"{flow}.rate")]]
    )
    return Screen(f"{heading(flow)}\n{text}", keyboard(*offer, cancel=True))


def ask_discount_line(flow: str, draft: Draft) -> Screen:
    """Which line takes the discount."""
    buttons = [
        button(f"{n}. {line['sku']} {line['name']}"[:40], f"{flow}.dline", n - 1)
        for n, line in enumerate(draft["lines"], start=1)
    ]
    return Screen(
        _("Discount on which line?"), keyboard(*rows(buttons), [back_button(flow)], cancel=True)
    )


def ask_discount(flow: str, draft: Draft, index: int) -> Screen:
    """A line's discount: a percent ("10%") or an amount ("5")."""
    line = draft["lines"][index]
    text = _("Discount on {line}?\nType a percent like 10% or an amount like 5.").format(
        line=line_text(line, draft["currency"])
    )
    extra = []
    if line.get("discount_pct") or line.get("discount"):
        extra.append(button(_("No discount"), f"{flow}.dnone"))
    return Screen(text, keyboard([*extra, back_button(flow)], cancel=True))


def ask_round_off(flow: str, draft: Draft, offer: Decimal | None) -> Screen:
    """How much of the total to round off (抹零); a whole unit as a button when allowed."""
    currency = draft["currency"]
    text = _("Total before round-off: {total}. How much to round off? Type an amount.").format(
        total=_draft_money(lines_total(draft), draft)
    )
    buttons = []
    if offer:
        label = _("Round off {amount}").format(amount=money(offer, currency))
        buttons.append(button(label, f"{flow}.roundok"))
    if round_off(draft):
        buttons.append(button(_("No round-off"), f"{flow}.roundnone"))
    return Screen(text, keyboard(buttons, [back_button(flow)], cancel=True))


def ask_paid_now(flow: str, draft: Draft) -> Screen:
    """Part paid: how much now (the rest stays owed)."""
    text = _("Total: {total}. How much is paid now? Type the amount; the rest stays owed.")
    return Screen(
        text.format(total=_draft_money(total(draft), draft)),
        keyboard([back_button(flow)], cancel=True),
    )


def ask_part_method(flow: str, draft: Draft) -> Screen:
    """Part paid: how the part paid now was paid; a tap posts."""
    text = _("{paid} paid now. How? Tap to post.").format(
        paid=_draft_money(Decimal(draft["part"]), draft)
    )
    buttons = [button("✅ " + method_label(m), f"{flow}.partpay", m) for m in METHODS]
    return Screen(text, keyboard(*rows(buttons), [back_button(flow)], cancel=True))


def ask_due(flow: str, draft: Draft, today: date) -> Screen:
    """Another due date for what stays owed."""
    due = due_preview(draft, today)
    text = _(
        "Due date now: {date}. Type another date (YYYY-MM-DD) or a number of days from today."
    ).format(date=due.isoformat() if due else "—")
    return Screen(text, keyboard([back_button(flow)], cancel=True))


def over_limit(flow: str, reason: str) -> Screen:
    """A manager's credit sale beyond the customer's limit: confirm it, or go back."""
    text = reason + "\n" + _("Post it anyway?")
    confirm = button(_("⚠️ Confirm over the limit"), f"{flow}.over")
    return Screen(text, keyboard([confirm], [back_button(flow)], cancel=True))


def refused(reason: str) -> str:
    """Posting was refused: nothing was saved, the draft is kept."""
    return reason + "\n" + _("Nothing was saved.")


# -- what users type at the money steps ------------------------------------------------------


def bad_percent() -> str:
    """A percent outside (0, 100]."""
    return _("A percent must be above 0 and at most 100.")


def percent_places() -> str:
    """A percent with more than 2 decimals."""
    return _("A percent may have at most 2 decimals.")


def nothing_paid() -> str:
    """Part paid with 0: that is a credit sale."""
    return _("Type an amount above 0, or go back and tap 📒 On credit.")


def more_than_total() -> str:
    """Paid now above the total."""
    return _("That is more than the total.")


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


def posted(
    flow: str,
    result: DocumentPosted,
    undo: bool,
    method: str | None = None,
    base: str | None = None,
) -> Screen:
    """The message under a posted receipt or sale, with an Undo button.

    ``method``: how what was paid now was paid (the flow's choice; core keeps it on the
    document), which adds the payment line. ``base``: the business's currency, for the
    profit of a sale in another currency (its cost is in the base).
    """
    number = f"<b>{escape(result.number)}</b>"
    shown_total = shown_money(result.total, result.currency, base or result.currency)
    if _is_sale(flow):
        text = _("✅ Sale {number} posted. Total: {total}").format(
            number=number, total=shown_total
        )
    else:
        text = _("✅ Receipt {number} posted. Total: {total}").format(
            number=number, total=shown_total
        )
    if result.round_off:
        text += "\n" + _("Round off: −{amount}").format(
            amount=money(result.round_off, result.currency)
        )
    if method is not None and result.paid_now is not None:
        text += "\n" + _payment_text(flow, result, method, base or result.currency)
    if _is_sale(flow) and (profit := _profit(result, base)) is not None:
        text += "\n" + _("Gross profit: {profit}").format(profit=profit)
    undo_row = [button(_("↩ Undo"), "undo", result.document_id)] if undo else []
    slip_row = slip_buttons(result.document_id) if result.doc_type == "XS" else []
    if not undo_row and not slip_row:
        return Screen(text)
    return Screen(text, keyboard(undo_row, slip_row))


def _profit(result: DocumentPosted, base: str | None) -> str | None:
    if result.cost is None:  # core leaves it out for clerks and in groups
        return None
    if result.rate is None:
        return money(result.total - result.cost, result.currency)
    if base is None:
        return None
    return money(to_base(result.total, result.rate, base) - result.cost, base)


def _payment_text(flow: str, result: DocumentPosted, method: str, base: str) -> str:
    """Paid in full (cash) · Paid 50.00 (WeChat) · Owed 57.54, due 2026-12-10."""
    currency = result.currency
    if result.owed <= 0:
        return _("Paid in full ({method}).").format(method=method_name(method))
    due = result.due_date.isoformat() if result.due_date else "—"
    owed = shown_money(result.owed, currency, base)
    rest = (
        _("Owed {owed}, due {date}") if _is_sale(flow) else _("To pay {owed}, due {date}")
    ).format(owed=owed, date=due)
    if not result.paid_now:
        return _("📒 On credit · {rest}").format(rest=rest)
    paid = _("Paid {paid} ({method})").format(
        paid=shown_money(result.paid_now, currency, base), method=method_name(method)
    )
    return f"{paid} · {rest}"


def public(flow: str, result: DocumentPosted, who: str, draft: Draft) -> str:
    """What the bound group reads: who, what and where; never a cost or a purchase price."""
    warehouse = escape(str(draft["warehouse"][1])) if draft.get("warehouse") else ""
    units = {int(line["product_id"]): str(line.get("unit") or "") for line in draft["lines"]}
    if _is_sale(flow):
        text = _("📤 {who} posted sale {number} from {warehouse}, total {total}:").format(
            who=escape(who),
            number=escape(result.number),
            warehouse=warehouse,
            total=shown_money(
                result.total, result.currency, str(draft.get("base") or result.currency)
            ),
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
