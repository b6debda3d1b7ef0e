"""Screens of the payment flows: /collect (收款, from a customer) and /pay (付款, to a supplier).

The draft the screens read is plain JSON (see bot.conversations.payments): ``kind``
(customer or supplier), ``party`` ({id, name}), ``currency`` and ``base_currency``, and as the
steps go on ``amount``, ``rate`` (None in the base currency) and ``method``; Decimals as
strings. Amounts are shown in the party's currency, exchange differences in the base one.
"""

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

from telegram import InlineKeyboardButton

from bot.i18n import N_, _
from bot.render import callbacks as cb
from bot.render.numbers import escape, money
from bot.render.screen import Screen, button, keyboard, rows
from core.catalog.results import PartyView
from core.finance.models import PartyKind, PaymentMethod
from core.finance.results import (
    AgingLine,
    Allocated,
    OpenItemView,
    PartyAccount,
    PaymentPosted,
    PlannedAllocation,
)

# 1:money:pay:{kind}:{party_id}: the button statements and overdue alerts carry
PAY_ACTION: Final = ("money", "pay")
PAY_PATTERN: Final = re.compile(rf"^{cb.VERSION}:money:pay:")
SHOWN_ITEMS: Final = 10  # open items listed above the amount question; the rest are counted

METHODS: Final = {
    PaymentMethod.CASH: ("💵", N_("Cash")),
    PaymentMethod.BANK: ("🏦", N_("Bank transfer")),
    PaymentMethod.WECHAT: ("💬", N_("WeChat")),
    PaymentMethod.ALIPAY: ("🔷", N_("Alipay")),
}

HELP: Final = N_(
    "/collect: money received from a customer (收款); /pay: a payment to a supplier (付款). "
    "Either settles the oldest open items first; what is left stays as credit."
)

Draft = dict[str, Any]


def _is_customer(kind: str) -> bool:
    return kind == PartyKind.CUSTOMER.value


def method_name(method: str) -> str:
    """A payment method as the user calls it."""
    try:
        return _(METHODS[PaymentMethod(method)][1])
    except ValueError:  # a method added in core before its name here
        return method


def _rate(value: Decimal | str) -> str:
    """An exchange rate as entered, without trailing zeros: 7.25."""
    return f"{Decimal(value).normalize():f}"


def _heading(kind: str, party_name: str) -> str:
    name = f"<b>{escape(party_name)}</b>"
    if _is_customer(kind):
        return _("💰 Money from {name}").format(name=name)
    return _("💸 Payment to {name}").format(name=name)


# -- the button other screens carry -----------------------------------------------------------


def record_payment_button(kind: PartyKind | str, party_id: int) -> InlineKeyboardButton:
    """💰 Collect / 💸 Pay for one party: starts the flow at its amount step.

    Statements and overdue alerts put it on their messages; a press reaches
    ``bot.conversations.payments`` (``1:money:pay:customer:12``).
    """
    kind = PartyKind(kind)
    label = _("💰 Collect payment") if kind == PartyKind.CUSTOMER else _("💸 Pay supplier")
    return button(label, *PAY_ACTION, kind.value, party_id)


def payment_button_target(data: str | None) -> tuple[PartyKind, int] | None:
    """The (kind, party id) of a ``record_payment_button`` press; None if it is not one."""
    args = cb.args(data)
    if cb.action(data) != PAY_ACTION[0] or len(args) != 3 or args[0] != PAY_ACTION[1]:
        return None
    if not args[2].isdigit():
        return None
    try:
        return PartyKind(args[1]), int(args[2])
    except ValueError:
        return None


# -- step 1: who ------------------------------------------------------------------------------


def _party_buttons(parties: Iterable[tuple[int, str]]) -> list[list[InlineKeyboardButton]]:
    return rows((button(label[:48], "pay.party", pid) for pid, label in parties), per_row=1)


def ask_party(kind: str, owing: Sequence[AgingLine], base_currency: str) -> Screen:
    """First question: the parties with a balance (biggest first), or a typed name."""
    if _is_customer(kind):
        title = _("💰 <b>Collect money</b> (收款)")
        question = (
            _("Who paid? Tap a customer who owes you, or type part of a name.")
            if owing
            else _("No customer owes you anything now. Type part of a name to find one.")
        )
    else:
        title = _("💸 <b>Pay a supplier</b> (付款)")
        question = (
            _("Who are you paying? Tap a supplier you owe, or type part of a name.")
            if owing
            else _("You owe no supplier anything now. Type part of a name to find one.")
        )
    labels = [
        (line.party_id, f"{line.party_name} · {money(line.total, base_currency)}")
        for line in owing
    ]
    return Screen(f"{title}\n{question}", keyboard(*_party_buttons(labels), cancel=True))


def parties_found(kind: str, term: str, found: Sequence[PartyView]) -> Screen:
    """What a typed name found (any party, owing or not)."""
    shown = escape(term[:50])
    if _is_customer(kind):
        text = (
            _("Customers matching “{term}”: tap one.")
            if found
            else _("No customer matches “{term}”. Type another part of the name.")
        )
    else:
        text = (
            _("Suppliers matching “{term}”: tap one.")
            if found
            else _("No supplier matches “{term}”. Type another part of the name.")
        )
    buttons = _party_buttons((party.party_id, party.name) for party in found)
    return Screen(text.format(term=shown), keyboard(*buttons, cancel=True))


# -- step 2: how much -------------------------------------------------------------------------


def _overdue(days: int) -> str:
    if days == 1:
        return _("overdue 1 day")
    return _("overdue {days} days").format(days=days)


def _item_line(kind: str, item: OpenItemView, currency: str) -> str:
    """``• XS-2026-00001 · 2026-03-01 · due 2026-03-16 · 1,000.00 · ⚠ overdue 3 days``."""
    parts = [escape(item.number), item.item_date.isoformat()]
    if item.open < 0:
        credit = money(-item.open, currency)
        if _is_customer(kind):
            parts.append(_("credit (received in advance) {amount}").format(amount=credit))
        else:
            parts.append(_("credit (paid in advance) {amount}").format(amount=credit))
        return "• " + " · ".join(parts)
    if item.due_date is not None:
        parts.append(_("due {date}").format(date=item.due_date.isoformat()))
    parts.append(money(item.open, currency))
    if item.days_overdue > 0:
        parts.append("⚠ " + _overdue(item.days_overdue))
    return "• " + " · ".join(parts)


def _balance(kind: str, balance: Decimal, currency: str, overdue: Decimal = Decimal(0)) -> str:
    """``Receivable: 1,500.00 CNY · overdue 1,000.00``, a credit, or nothing owed."""
    amount = money(abs(balance), currency)
    if balance > 0:
        text = (
            _("Receivable: {amount} {currency}")
            if _is_customer(kind)
            else _("Payable: {amount} {currency}")
        ).format(amount=f"<b>{amount}</b>", currency=currency)
        if overdue > 0:
            text += " · " + _("overdue {amount}").format(amount=money(overdue, currency))
        return text
    if balance < 0:
        return (
            _("Credit (received in advance): {amount} {currency}")
            if _is_customer(kind)
            else _("Credit (paid in advance): {amount} {currency}")
        ).format(amount=amount, currency=currency)
    return _("Nothing is owed.")


def ask_amount(account: PartyAccount) -> Screen:
    """The party's open items and balance; then "All" or a typed amount."""
    kind = account.kind
    lines = [_heading(kind, account.party_name)]
    if account.items:
        lines.append(_("Open items:"))
        lines += [_item_line(kind, item, account.currency) for item in account.items[:SHOWN_ITEMS]]
        if len(account.items) > SHOWN_ITEMS:
            lines.append(
                _("… and {count} more items").format(count=len(account.items) - SHOWN_ITEMS)
            )
    lines += [_balance(kind, account.balance, account.currency, account.overdue), ""]
    if _is_customer(kind):
        question = _("How much was received, in {currency}? Tap “All” or type the amount.")
    else:
        question = _("How much are you paying, in {currency}? Tap “All” or type the amount.")
    lines.append(question.format(currency=account.currency))
    buttons = []
    if account.balance > 0:
        label = _("All: {amount}").format(amount=money(account.balance, account.currency))
        buttons.append(button(label, "pay.all"))
    return Screen("\n".join(lines), keyboard(buttons, cancel=True))


def _amount_line(draft: Draft) -> str:
    return _("Amount: {amount} {currency}").format(
        amount=f"<b>{money(Decimal(draft['amount']), draft['currency'])}</b>",
        currency=draft["currency"],
    )


# -- step 3: the rate (another currency only) -------------------------------------------------


def ask_rate(draft: Draft) -> Screen:
    """The exchange rate to the base currency, offering the last one used."""
    lines = [_heading(draft["kind"], draft["party"]["name"]), _amount_line(draft), ""]
    question = _("Exchange rate: 1 {currency} = how many {base}?").format(
        currency=draft["currency"], base=draft["base_currency"]
    )
    last = draft.get("last_rate")
    if last:
        lines.append(question + " " + _("Tap the last rate used, or type it."))
        offer = [button(_("{rate} (last used)").format(rate=_rate(last)), "pay.lastrate")]
    else:
        lines.append(question + " " + _("Type it, e.g. 7.2."))
        offer = []
    return Screen("\n".join(lines), keyboard(offer, cancel=True))


# -- step 4: how ------------------------------------------------------------------------------


def ask_method(draft: Draft) -> Screen:
    """Cash, bank transfer, WeChat or Alipay."""
    lines = [_heading(draft["kind"], draft["party"]["name"]), _amount_line(draft)]
    if draft.get("rate"):
        lines.append(_("Rate: {rate}").format(rate=_rate(draft["rate"])))
    lines += ["", _("How was it paid?")]
    buttons = [
        button(f"{icon} {_(label)}", "pay.method", method.value)
        for method, (icon, label) in METHODS.items()
    ]
    return Screen("\n".join(lines), keyboard(*rows(buttons, per_row=2), cancel=True))


# -- step 5: preview, then what was posted ----------------------------------------------------


def _allocations(allocations: Sequence[Allocated], currency: str, *, done: bool) -> list[str]:
    """The items settled and how much of each (``done``: of a posted payment)."""
    if not allocations:
        return [] if done else [_("It settles no open item.")]
    settled = [_("Settled:") if done else _("Settles:")]
    settled += [f"• {escape(a.number)}: {money(a.amount, currency)}" for a in allocations]
    return settled


def _credit_left(kind: str, name: str, amount: Decimal, currency: str) -> list[str]:
    if amount <= 0:
        return []
    text = (
        _("Left as {name}'s credit (received in advance): {amount} {currency}")
        if _is_customer(kind)
        else _("Left as credit with {name} (paid in advance): {amount} {currency}")
    )
    return [text.format(name=escape(name), amount=money(amount, currency), currency=currency)]


def _balance_after(kind: str, balance: Decimal, currency: str) -> str:
    amount = money(abs(balance), currency)
    if balance >= 0:
        return _("Balance after: {amount} {currency}").format(
            amount=f"<b>{amount}</b>", currency=currency
        )
    if _is_customer(kind):
        text = _("Balance after: {amount} {currency} in credit (received in advance)")
    else:
        text = _("Balance after: {amount} {currency} in credit (paid in advance)")
    return text.format(amount=f"<b>{amount}</b>", currency=currency)


def _exchange_difference(kind: str, difference: Decimal, base: str) -> list[str]:
    """The realised difference as a gain or a loss of the business.

    Core gives it as the payment's base value less the items' (credit − debit): more base
    money received from a customer is a gain, more paid to a supplier a loss.
    """
    if difference == 0:
        return []
    gain = difference > 0 if _is_customer(kind) else difference < 0
    text = (
        _("Realised exchange difference: {amount} {currency} (gain)")
        if gain
        else _("Realised exchange difference: {amount} {currency} (loss)")
    )
    return [text.format(amount=money(abs(difference), base), currency=base)]


def preview(draft: Draft, plan: PlannedAllocation) -> Screen:
    """What the payment will settle, the credit it leaves and the balance after: Confirm."""
    kind, name, currency = draft["kind"], draft["party"]["name"], draft["currency"]
    lines = [
        _heading(kind, name) + " · " + _("please check"),
        _amount_line(draft) + " · " + method_name(draft["method"]),
    ]
    if draft.get("rate"):
        lines.append(_("Rate: {rate}").format(rate=_rate(draft["rate"])))
    lines += _allocations(plan.allocations, currency, done=False)
    lines += _credit_left(kind, name, plan.credit_left, currency)
    lines.append(_balance_after(kind, plan.balance_after, currency))
    difference = sum((a.exchange_difference for a in plan.allocations), Decimal(0))
    lines += _exchange_difference(kind, difference, draft["base_currency"])
    choose = button(_("🎯 Choose what it pays"), "pay.choose")
    return Screen(
        "\n".join(lines), keyboard([button(_("✅ Confirm"), "pay.ok")], [choose], cancel=True)
    )


def ask_picks(draft: Draft, account: PartyAccount) -> Screen:
    """The open items to tick: paid first, in the order ticked; the rest oldest first.

    Remembers each item's open amount in the draft (the picks are sized from it).
    """
    picks = [int(p) for p in draft.get("picks") or []]
    debits = [item for item in account.items if item.open > 0]
    draft["pick_open"] = {str(item.item_id): str(item.open) for item in debits}
    lines = [
        _heading(draft["kind"], draft["party"]["name"]),
        _amount_line(draft),
        "",
        _("Tick the items it pays, in order; what is left goes to the oldest ones."),
    ]
    buttons = []
    for item in debits[:MAX_PICKS]:
        mark = f"{picks.index(item.item_id) + 1}. " if item.item_id in picks else "☐ "
        label = f"{mark}{item.number} · {money(item.open, account.currency)}"
        buttons.append([button(label[:60], "pay.tick", item.item_id)])
    done = button(_("✅ Done"), "pay.picked")
    return Screen("\n".join(lines), keyboard(*buttons, [done], cancel=True))


MAX_PICKS: Final = 20  # items offered to tick (the oldest ones)


def _kind_of(result: PaymentPosted) -> str:
    return PartyKind.CUSTOMER.value if result.doc_type == "SK" else PartyKind.SUPPLIER.value


def posted(result: PaymentPosted, base_currency: str, undo: bool) -> Screen:
    """The posted payment: where its money went, the balance after, and ↩ Undo."""
    kind = _kind_of(result)
    values = {
        "number": f"<b>{escape(result.number)}</b>",
        "amount": money(result.amount, result.currency),
        "currency": result.currency,
        "name": escape(result.party_name),
        "method": method_name(result.method),
    }
    if _is_customer(kind):
        head = _("✅ {number}: {amount} {currency} received from {name} ({method}).")
    else:
        head = _("✅ {number}: {amount} {currency} paid to {name} ({method}).")
    lines = [head.format(**values)]
    if result.currency != base_currency:
        lines.append(_("Rate: {rate}").format(rate=_rate(result.rate)))
    lines += _allocations(result.allocations, result.currency, done=True)
    lines += _credit_left(kind, result.party_name, result.credit_left, result.currency)
    lines.append(_balance_after(kind, result.balance_after, result.currency))
    lines += _exchange_difference(kind, result.exchange_difference, base_currency)
    text = "\n".join(lines)
    if not undo:
        return Screen(text)
    return Screen(text, keyboard([button(_("↩ Undo"), "pay.undo", result.payment_id)]))


def undone(result: PaymentPosted) -> Screen:
    """The message under a payment after its Undo: what it paid is owed again."""
    text = _("↩ {number} undone: what it settled is open again.").format(
        number=escape(result.number)
    )
    return Screen(text + "\n" + _balance(_kind_of(result), result.balance_after, result.currency))
