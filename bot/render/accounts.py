"""Screens of /owed and /owe: aging (账龄), a party's statement (对账单) and open items.

Callback data (after the version):

- ``acc:<kind>:<page>``: the list of a kind (customer: receivables, supplier: payables);
- ``acc.st:<kind>:<party>:<yyyymm>:<page>``: the party's statement of a month, ``page``
  being the list page ◀ Back returns to;
- ``acc.open:<kind>:<party>:<yyyymm>:<page>``: its open items, ◀ Back returning to that
  statement.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from telegram import InlineKeyboardButton

from bot.i18n import N_, _
from bot.render.numbers import escape, money
from bot.render.screen import Screen, button, keyboard
from core.finance.models import PartyKind
from core.finance.results import BUCKETS, Aging, AgingLine, OpenItemView, PartyAccount, Statement

PER_PAGE: Final = 8  # parties per page of the list
TEXT_LIMIT: Final = 4000  # Telegram refuses a message over 4096 characters; some room left
NAME_IN_BUTTON: Final = 24  # characters of a party's name on its button

CUSTOMER: Final = PartyKind.CUSTOMER.value
SUPPLIER: Final = PartyKind.SUPPLIER.value

HELP: Final = N_(
    "/owed: who owes you, by age (应收), and each customer's statement.\n"
    "/owe: what you owe suppliers (应付), by age, and their statements."
)

BUCKET_NAMES: Final = {
    "current": N_("Current"),
    "1-30": N_("1–30 days"),
    "31-60": N_("31–60 days"),
    "61-90": N_("61–90 days"),
    "90+": N_("over 90 days"),
    "credit": N_("unapplied credit"),
}
OVERDUE_BUCKETS: Final = ("1-30", "31-60", "61-90", "90+")

ENTRY_KINDS: Final = {
    "sale": N_("Sale"),
    "receipt": N_("Purchase"),
    "return": N_("Return"),
    "void": N_("Void"),
}


# Months in callback data


def month_of(day: date) -> date:
    """The first day of ``day``'s month: how a statement's period is named."""
    return day.replace(day=1)


def month_code(month: date) -> int:
    """2026-03-01 → 202603 (a month in callback data)."""
    return month.year * 100 + month.month


def parse_month(code: str) -> date:
    """202603 → 2026-03-01.

    Raises:
        ValueError: not a month.
    """
    number = int(code)
    return date(number // 100, number % 100, 1)


def shift_month(month: date, by: int) -> date:
    """The first day of the month ``by`` months after ``month`` (before, if negative)."""
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    """The last day of the month."""
    return shift_month(month, 1) - timedelta(days=1)


@dataclass(frozen=True)
class PartyRef:
    """What a statement or open-items button carries: whose account, which month, list page."""

    kind: str
    party_id: int
    month: date
    page: int

    def data(self, action: str, month: date | None = None) -> tuple[str, str, int, int, int]:
        """Arguments of ``button`` for ``action`` on this party (another month if given)."""
        return (action, self.kind, self.party_id, month_code(month or self.month), self.page)


def parse_ref(args: Sequence[str], current: date) -> PartyRef:
    """The party, month and list page of a statement or open-items button.

    Month ``0`` is the ``current`` month (the list's buttons: current when pressed); a month
    after it (a button from before a time zone change) is the current one too.

    Raises:
        ValueError: the data is not ours (an old or forged button).
    """
    kind, party, code, page = args
    month = current if code == "0" else min(parse_month(code), current)
    return PartyRef(PartyKind(kind).value, int(party), month, max(int(page), 0))


def parse_list(args: Sequence[str]) -> tuple[str, int]:
    """The kind and page of a list button.

    Raises:
        ValueError: the data is not ours.
    """
    kind, page = args
    return PartyKind(kind).value, max(int(page), 0)


# The list


def aging_list(report: Aging, page: int) -> Screen:
    """Totals, the aging buckets and a page of parties (biggest balance first) as buttons."""
    customers = report.kind == CUSTOMER
    currency = report.base_currency
    if not report.lines:
        text = (
            _("Nobody owes you anything right now. 👍")
            if customers
            else _("You owe no supplier anything right now. 👍")
        )
        return Screen(text)
    pages = max(1, -(-len(report.lines) // PER_PAGE))
    page = min(page, pages - 1)
    shown = report.lines[page * PER_PAGE : (page + 1) * PER_PAGE]
    title = _("Receivables (who owes us)") if customers else _("Payables (what we owe)")
    total = _("Total owed to us: {amount}") if customers else _("Total we owe: {amount}")
    lines = [
        f"<b>{title}</b> · {currency}",
        total.format(amount=f"<b>{money(report.total, currency)}</b>"),
        _("Aging: {buckets}").format(buckets=_bucket_line(report.totals, currency)),
        _("Overdue: {amount}").format(amount=money(_overdue(report.totals), currency)),
        "",
        _tap_hint(customers, page, len(shown), len(report.lines)),
    ]
    if not any(report.totals):  # items open only in another currency, nothing in the base
        del lines[2]
    party_rows = [[_party_button(report.kind, line, currency, page)] for line in shown]
    return Screen("\n".join(lines), keyboard(*party_rows, _nav(report.kind, page, pages)))


def _bucket_line(buckets: Sequence[Decimal], currency: str) -> str:
    """Only the buckets that hold something: Current 1,200.00 · 1–30 days 300.00."""
    parts = [
        f"{_(BUCKET_NAMES[name])} {money(amount, currency)}"
        for name, amount in zip(BUCKETS, buckets, strict=True)
        if amount != 0
    ]
    return " · ".join(parts)


def _overdue(buckets: Sequence[Decimal]) -> Decimal:
    return sum(
        (amount for name, amount in zip(BUCKETS, buckets, strict=True) if name in OVERDUE_BUCKETS),
        Decimal(0),
    )


def _tap_hint(customers: bool, page: int, count: int, total: int) -> str:
    if total <= PER_PAGE:
        return (
            _("Tap a customer for their statement.")
            if customers
            else _("Tap a supplier for their statement.")
        )
    first = page * PER_PAGE + 1
    return _("{first}–{last} of {total}, biggest first. Tap one for its statement.").format(
        first=first, last=first + count - 1, total=total
    )


def _party_button(kind: str, line: AgingLine, currency: str, page: int) -> InlineKeyboardButton:
    """王老板 · 1,500.00 (300.00 overdue)."""
    name = line.party_name[:NAME_IN_BUTTON]
    label = f"{name} · {money(line.total, currency)}"
    overdue = _overdue(line.buckets)
    if overdue > 0:
        label = _("{label} ({amount} overdue)").format(
            label=label, amount=money(overdue, currency)
        )
    return button(label, "acc.st", kind, line.party_id, 0, page)  # month 0: the current one


def _nav(kind: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    nav = []
    if page > 0:
        nav.append(button("◀", "acc", kind, page - 1))
    if pages > 1:
        nav.append(button(f"{page + 1}/{pages}", "acc", kind, page))
    if page + 1 < pages:
        nav.append(button("▶", "acc", kind, page + 1))
    return nav


# A statement


def statement_screen(
    statement: Statement, ref: PartyRef, *, latest: bool, pay: InlineKeyboardButton
) -> Screen:
    """对账单 of one month: opening, each entry with its running balance, closing.

    When the entries do not fit one message, the earliest are left out and a line says how
    many, with the balance brought forward to the first one shown.
    """
    currency = statement.currency
    head = [
        _("<b>Statement · {name}</b>").format(name=escape(statement.party_name)),
        f"{_kind_name(statement.kind)} · {currency} · "
        f"{statement.start.isoformat()} – {statement.end.isoformat()}",
        _("Opening balance: {amount}").format(amount=money(statement.opening, currency)),
    ]
    tail = [
        _("Closing balance: {amount}").format(
            amount=f"<b>{money(statement.closing, currency)}</b>"
        )
    ]
    rows = [_row_line(statement, i) for i in range(len(statement.rows))]
    if not rows:
        rows = [_("No entries in this month.")]
    body = _fit(rows, TEXT_LIMIT - _length(head) - _length(tail) - 200)
    if len(body) < len(rows):
        left_out = len(rows) - len(body)
        first = statement.rows[left_out]
        brought = first.balance - first.amount
        body = [
            _("… {count} earlier entries not shown; balance brought forward: {amount}").format(
                count=left_out, amount=money(brought, currency)
            ),
            *body,
        ]
    months = [button(_("◀ Previous month"), *ref.data("acc.st", shift_month(ref.month, -1)))]
    if not latest:
        months.append(button(_("Next month ▶"), *ref.data("acc.st", shift_month(ref.month, 1))))
    return Screen(
        "\n".join([*head, *body, *tail]),
        keyboard(
            months,
            [button(_("Open items"), *ref.data("acc.open")), pay],
            [button(_("◀ Back"), "acc", ref.kind, ref.page)],
        ),
    )


def _row_line(statement: Statement, index: int) -> str:
    """03-05 XS-2026-00001 Sale +120.00 → 420.00 (due 2026-03-20)."""
    row = statement.rows[index]
    currency = statement.currency
    amount = money(row.amount, currency)
    signed = amount if row.amount < 0 else f"+{amount}"
    line = (
        f"{row.entry_date:%m-%d} {escape(row.number)} {_entry_name(statement.kind, row.kind)} "
        f"{signed} → {money(row.balance, currency)}"
    )
    if row.due_date is not None:
        line = _("{entry} (due {date})").format(entry=line, date=row.due_date.isoformat())
    return line


def _entry_name(kind: str, entry: str) -> str:
    if entry == "payment":
        return _("Payment received") if kind == CUSTOMER else _("Payment made")
    return _(ENTRY_KINDS.get(entry, entry))


def _kind_name(kind: str) -> str:
    return _("Customer") if kind == CUSTOMER else _("Supplier")


def _length(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _fit(lines: Sequence[str], budget: int) -> list[str]:
    """The last lines that fit in ``budget`` characters (all of them if they do)."""
    kept: list[str] = []
    used = 0
    for line in reversed(lines):
        used += len(line) + 1
        if used > budget:
            break
        kept.append(line)
    return kept[::-1]


# Open items


def open_items_screen(account: PartyAccount, ref: PartyRef, pay: InlineKeyboardButton) -> Screen:
    """Each open item with its due date and days overdue; the balance and overdue part."""
    currency = account.currency
    head = [
        _("<b>Open items · {name}</b>").format(name=escape(account.party_name)),
        _("{currency} · balance {balance} · overdue {overdue}").format(
            currency=currency,
            balance=f"<b>{money(account.balance, currency)}</b>",
            overdue=money(account.overdue, currency),
        ),
        "",
    ]
    lines = [_item_line(item, currency) for item in account.items]
    if not lines:
        lines = [_("Nothing open: everything is settled.")]
    shown = lines[: _count_fitting(lines, TEXT_LIMIT - _length(head) - 200)]
    if len(shown) < len(lines):
        shown.append(_("… and {count} more").format(count=len(lines) - len(shown)))
    return Screen(
        "\n".join([*head, *shown]),
        keyboard([button(_("◀ Statement"), *ref.data("acc.st")), pay]),
    )


def _item_line(item: OpenItemView, currency: str) -> str:
    """• XS-2026-00001 · 2026-01-05 · 300.00 of 450.00 open · due 2026-01-20 · overdue 45 days."""
    parts = [f"• {escape(item.number)}", item.item_date.isoformat()]
    if item.open < 0:
        parts.append(_("credit {amount}").format(amount=money(item.open, currency)))
    elif item.open == item.amount:
        parts.append(_("{open} open").format(open=money(item.open, currency)))
    else:
        parts.append(
            _("{open} of {amount} open").format(
                open=money(item.open, currency), amount=money(item.amount, currency)
            )
        )
    if item.due_date is not None and item.open > 0:
        parts.append(_("due {date}").format(date=item.due_date.isoformat()))
    if item.days_overdue == 1:
        parts.append(_("overdue 1 day"))
    elif item.days_overdue > 1:
        parts.append(_("overdue {days} days").format(days=item.days_overdue))
    return " · ".join(parts)


def _count_fitting(lines: Sequence[str], budget: int) -> int:
    used = 0
    for count, line in enumerate(lines):
        used += len(line) + 1
        if used > budget:
            return count
    return len(lines)


# Refusals
