"""Screens of the audit trail: /docs, a document's card, undo and void."""

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton

from bot.i18n import N_, _
from bot.render.numbers import escape, money, price, qty
from bot.render.screen import Screen, button, keyboard, rows
from core.inventory.history import DocumentCard, DocumentSummary
from core.inventory.results import VoidPosted
from core.numbers import mul_div, round_money

PAGE: Final = 10  # documents per page of /docs
COPYABLE: Final = ("CG", "XS", "DB")  # types whose flows can start from a voided copy
SIGNED: Final = ("PD", "TZ")  # lines whose quantity is a signed difference
ALL: Final = "*"

TYPE_NAMES: Final = {
    "CG": N_("Purchase receipt"),
    "XS": N_("Sale"),
    "PD": N_("Stock count"),
    "DB": N_("Transfer"),
    "TZ": N_("Adjustment"),
    "XSTH": N_("Sales return"),
    "CGTH": N_("Purchase return"),
    "QC": N_("Opening balance"),
}
TYPE_BUTTONS: Final = {
    "CG": N_("Purchase CG"),
    "XS": N_("Sale XS"),
    "PD": N_("Count PD"),
    "DB": N_("Transfer DB"),
    "TZ": N_("Adjustment TZ"),
}


@dataclass(frozen=True)
class ListState:
    """What a /docs page shows, carried in its buttons' callback data.

    ``party`` is ``s<id>`` (a supplier) or ``c<id>`` (a customer); ``cursor`` is ``b<id>``
    (older than the id), ``a<id>`` (newer than it) or ``0`` (the newest page).
    """

    doc_type: str | None = None
    product_id: int | None = None
    party: str | None = None
    cursor: str = "0"

    def args(self) -> tuple[str, str, str, str]:
        """The callback arguments: type, product, party, cursor."""
        return (
            self.doc_type or ALL,
            str(self.product_id or 0),
            self.party or "0",
            self.cursor,
        )

    @classmethod
    def parse(cls, parts: list[str]) -> "ListState":
        """From callback arguments; anything unreadable means "no filter"."""
        padded = [*parts, "", "", "", ""][:4]
        doc_type = padded[0] if padded[0] in TYPE_NAMES else None
        product = int(padded[1]) if padded[1].isdigit() and int(padded[1]) > 0 else None
        party = padded[2] if padded[2][:1] in {"s", "c"} and padded[2][1:].isdigit() else None
        cursor = padded[3] if padded[3][:1] in {"a", "b"} and padded[3][1:].isdigit() else "0"
        return cls(doc_type, product, party, cursor)

    @property
    def filtered(self) -> bool:
        """Whether a product or party narrows the list."""
        return self.product_id is not None or self.party is not None


def type_name(doc_type: str) -> str:
    """A document type as shop staff call it."""
    name = TYPE_NAMES.get(doc_type)
    return _(name) if name is not None else doc_type


def local_time(moment: datetime, zone: str) -> str:
    """A UTC moment as the business's wall-clock time: 2026-03-14 10:22."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _status(status: str) -> str:
    return _("voided") if status == "voided" else _("posted")


# -- undo and void ---------------------------------------------------------------------------


def undone(result: VoidPosted, currency: str = "CNY") -> Screen:
    """The message under a document after its Undo button was pressed."""
    text = _("↩ {number} undone: its stock moves were reversed ({moves}).").format(
        number=escape(result.number), moves=result.reversed_moves
    )
    if result.variance is not None and result.variance != 0:
        text += "\n" + _("Cost variance booked: {variance}").format(
            variance=money(result.variance, currency)
        )
    return Screen(text)


def already_undone() -> str:
    """A toast for a second press of Undo after it worked."""
    return _("Already undone.")


def undone_public(number: str, who: str) -> str:
    """What the bound group reads when a document is undone (no costs)."""
    return _("↩ {number} was undone by {who}.").format(number=escape(number), who=escape(who))


def ask_void_reason(number: str, copy: bool) -> Screen:
    """First step of a manager's void: why."""
    text = _("Void {number}? Its stock moves will be reversed.").format(number=escape(number))
    if copy:
        text += "\n" + _("Afterwards you can copy it into a new document.")
    text += "\n\n" + _("Type the reason (it is kept with the document):")
    return Screen(text, keyboard(cancel=True))


def reason_too_long(limit: int) -> str:
    """Re-ask: the reason is longer than the column."""
    return _("The reason is too long: at most {limit} characters. Type a shorter one:").format(
        limit=limit
    )


def confirm_void(number: str, reason: str) -> Screen:
    """The summary before voiding."""
    text = _("Void {number}\nReason: {reason}").format(
        number=escape(number), reason=escape(reason)
    )
    confirm = button(_("🗑 Void {number}").format(number=number), "void.ok")
    return Screen(text, keyboard([confirm], cancel=True))


def voided(result: VoidPosted, reason: str, copy_type: str | None, currency: str) -> Screen:
    """After a manager's void; with the copy button when asked and the type has a flow."""
    text = _(
        "🗑 {number} voided: its stock moves were reversed ({moves}).\nReason: {reason}"
    ).format(number=escape(result.number), moves=result.reversed_moves, reason=escape(reason))
    if result.variance is not None and result.variance != 0:
        text += "\n" + _("Cost variance booked: {variance}").format(
            variance=money(result.variance, currency)
        )
    if copy_type in COPYABLE:
        copy = button(_("📝 Copy into a new document"), f"copy.{copy_type}", result.document_id)
        return Screen(text, keyboard([copy]))
    return Screen(text)


def voided_public(number: str, who: str, reason: str) -> str:
    """What the bound group reads when a manager voids a document."""
    return _("🗑 {number} was voided by {who}. Reason: {reason}").format(
        number=escape(number), who=escape(who), reason=escape(reason)
    )


def cannot_void() -> str:
    """A press of Void by someone who may not void."""
    return _("Only managers and the owner can void documents.")


# -- /docs -----------------------------------------------------------------------------------


def document_list(
    items: list[DocumentSummary],
    state: ListState,
    *,
    has_newer: bool,
    has_older: bool,
    label: str | None = None,
) -> Screen:
    """A page of documents, newest first, with type filters, paging and one button each."""
    title = _("📄 Documents")
    if state.doc_type is not None:
        title += " · " + type_name(state.doc_type)
    if label:
        title += " · " + escape(label)
    elif state.filtered:
        title += " · " + _("filtered")
    lines = [f"<b>{title}</b>"]
    if not items:
        lines.append(_("No documents yet."))
    for item in items:
        lines.append(_summary_line(item))
    openers = [
        button(_open_label(item), "doc", item.document_id, *state.args()[:3]) for item in items
    ]
    paging = []
    if has_newer and items:
        paging.append(button("◀", "docs", *_cursor(state, f"a{items[0].document_id}")))
    if has_older and items:
        paging.append(button("▶", "docs", *_cursor(state, f"b{items[-1].document_id}")))
    filters = [
        button(
            ("• " if state.doc_type == code else "") + _(label_),
            "docs",
            *ListState(code, state.product_id, state.party).args(),
        )
        for code, label_ in TYPE_BUTTONS.items()
    ]
    everything = button(
        ("• " if state == ListState() else "") + _("All"), "docs", *ListState().args()
    )
    return Screen(
        "\n".join(lines),
        keyboard(*rows(openers, per_row=2), paging, *rows([*filters, everything], per_row=3)),
    )


def _cursor(state: ListState, cursor: str) -> tuple[str, str, str, str]:
    return replace(state, cursor=cursor).args()


def _open_label(item: DocumentSummary) -> str:
    mark = "❌ " if item.status == "voided" else ""
    return f"{mark}{item.number}"


def _summary_line(item: DocumentSummary) -> str:
    number = escape(item.number)
    number = f"<s>{number}</s>" if item.status == "voided" else f"<b>{number}</b>"
    parts = [number, local_time(item.posted_at, item.timezone)]
    if item.party_name:
        parts.append(escape(item.party_name))
    if item.total:
        parts.append(money(item.total))
    parts.append(_("{count} lines").format(count=item.line_count))
    parts.append(escape(item.author))
    return " · ".join(parts)


def nothing_found(term: str) -> str:
    """/docs with a word that is no product, supplier or customer."""
    return _("No product, supplier or customer matches “{term}”.").format(term=escape(term))


# -- a document's card -----------------------------------------------------------------------


def card(doc: DocumentCard, back: ListState | None = None) -> Screen:
    """Everything about one document, with Undo/Void for those who may."""
    text = "\n".join(_card_lines(doc))
    actions = []
    if doc.can_undo:
        actions.append(button(_("↩ Undo"), "undo", doc.document_id))
    if doc.can_return:
        actions.append(button(_("↩ Return goods"), "ret", doc.document_id))
    if doc.can_void:
        actions.append(button(_("🗑 Void…"), "void", doc.document_id))
        actions.append(button(_("🗑📝 Void and copy"), "voidcopy", doc.document_id))
    if doc.doc_type == "XS" and doc.status == "posted":
        actions.extend(slip_buttons(doc.document_id))
    back_row = [button(_("◀ Documents"), "docs", *(back or ListState()).args())]
    return Screen(text, keyboard(*rows(actions, per_row=2), back_row))


def slip_buttons(document_id: int) -> list[InlineKeyboardButton]:
    """🧾 Delivery slip (an image) and 📄 its PDF, under a posted sale (bot/handlers/slip.py)."""
    return [
        button(_("🧾 Delivery slip"), "slip", document_id),
        button(_("📄 Slip as PDF"), "slip.pdf", document_id),
    ]


def _card_lines(doc: DocumentCard) -> list[str]:
    head = f"<b>{escape(doc.number)}</b> · {type_name(doc.doc_type)}"
    if doc.status == "voided":
        head += " · ❌ " + _status(doc.status)
    lines = [
        head,
        _("Date: {date} · posted {time} by {author}").format(
            date=doc.doc_date.isoformat(),
            time=local_time(doc.posted_at, doc.timezone),
            author=escape(doc.author),
        ),
    ]
    if doc.party_name is not None:
        party = _("Supplier: {name}") if doc.doc_type == "CG" else _("Customer: {name}")
        lines.append(party.format(name=escape(doc.party_name)))
    if doc.to_warehouse is not None:
        lines.append(
            _("From {source} to {target}").format(
                source=escape(doc.warehouse), target=escape(doc.to_warehouse)
            )
        )
    else:
        lines.append(_("Warehouse: {name}").format(name=escape(doc.warehouse)))
    lines.append("")
    lines.extend(_line(doc, n) for n in range(len(doc.lines)))
    lines.append("")
    if doc.total:
        lines.append(
            _("Total: {total} {currency}").format(
                total=money(doc.total, doc.currency), currency=doc.currency
            )
        )
    lines.extend(_money_lines(doc))
    if doc.cost is not None:
        base = doc.base_currency
        lines.append(_("Cost: {cost}").format(cost=money(doc.cost, base)))
        if doc.doc_type == "XS":
            revenue = round_money(mul_div(doc.total, doc.rate or Decimal(1)), base)
            lines.append(
                _("Gross profit: {profit}").format(profit=money(revenue - doc.cost, base))
            )
    if doc.note:
        lines.append(_("Note: {note}").format(note=escape(doc.note)))
    if doc.override_reason:
        lines.append(
            _("Sold stock held for orders: {reason}").format(reason=escape(doc.override_reason))
        )
    if doc.voided_at is not None:
        lines.append(
            _("Voided {time} by {who}").format(
                time=local_time(doc.voided_at, doc.timezone), who=escape(doc.voided_by or "")
            )
        )
        if doc.void_reason:
            lines.append(_("Reason: {reason}").format(reason=escape(doc.void_reason)))
    elif doc.can_undo:
        lines.append(
            _("Undo possible until {time}").format(time=local_time(doc.undo_until, doc.timezone))
        )
    return lines


PAYMENT_METHODS: Final = {
    "cash": N_("cash"),
    "bank": N_("bank transfer"),
    "wechat": N_("WeChat"),
    "alipay": N_("Alipay"),
}


def method_name(method: str | None) -> str:
    """A payment method in the user's language."""
    return _(PAYMENT_METHODS.get(method or "cash", method or ""))


def _money_lines(doc: DocumentCard) -> list[str]:
    """Round-off, rate, and how it was settled: paid at once, owed and due, or credited."""
    lines = []
    if doc.round_off:
        lines.append(_("Round-off: −{amount}").format(amount=money(doc.round_off, doc.currency)))
    if doc.rate is not None:
        lines.append(
            _("Rate: 1 {currency} = {rate} {base}").format(
                currency=doc.currency, rate=f"{doc.rate.normalize():f}", base=doc.base_currency
            )
        )
    if doc.paid_now is None:
        return lines
    returned = doc.doc_type in ("XSTH", "CGTH")
    if doc.paid_now:
        text = (
            _("Refunded at once: {amount} ({method})")
            if returned
            else _("Paid at once: {amount} ({method})")
        )
        lines.append(
            text.format(
                amount=money(doc.paid_now, doc.currency), method=method_name(doc.payment_method)
            )
        )
    if doc.owed and returned:
        lines.append(
            _("Credited to the account: {amount}").format(amount=money(doc.owed, doc.currency))
        )
    elif doc.owed:
        lines.append(
            _("On credit: {amount}, due {date}").format(
                amount=money(doc.owed, doc.currency),
                date=doc.due_date.isoformat() if doc.due_date else "—",
            )
        )
        if doc.still_open is not None and doc.status == "posted":
            lines.append(
                _("Still open: {amount}").format(amount=money(doc.still_open, doc.currency))
            )
    return lines


def _line(doc: DocumentCard, index: int) -> str:
    line = doc.lines[index]
    amount = qty(line.qty)
    if doc.doc_type in SIGNED and line.qty > 0:
        amount = "+" + amount
    text = f"{line.line_no}. {escape(line.sku)} {escape(line.name)} × {amount} {escape(line.unit)}"
    if line.unit_price is not None:
        text += f" @ {price(line.unit_price, doc.currency)}"
    if line.discount:
        text += " − " + _("discount {amount}").format(amount=money(line.discount, doc.currency))
    if line.amount is not None and line.amount != Decimal(0):
        text += f" = {money(line.amount, doc.currency)}"
    if line.cost is not None:
        text += " (" + _("cost {cost}").format(cost=money(line.cost, doc.base_currency)) + ")"
    return text.rstrip()
