"""Screens of the return flow (退货)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.i18n import _
from bot.render.numbers import escape, money, qty
from bot.render.screen import Screen, button, keyboard
from core.inventory.history import DocumentSummary
from core.inventory.results import DocumentPosted


def _title(draft: dict[str, Any]) -> str:
    number = f"<b>{escape(draft['number'])}</b>"
    if draft["doc_type"] == "XS":
        return _("↩ Sales return of {number}").format(number=number)
    return _("↩ Purchase return of {number}").format(number=number)


def ask_number(recent: Sequence[DocumentSummary] = ()) -> Screen:
    """/return alone: which sale or receipt — a recent one by a tap, or any by its number."""
    picks = [
        [
            button(
                f"{d.number} · {d.party_name or '—'} · {money(d.total)}"[:60],
                "ret.pick",
                d.document_id,
            )
        ]
        for d in recent
    ]
    return Screen(
        _("Which sale or receipt? Tap a recent one, or type its number (e.g. XS-2026-00012)."),
        keyboard(*picks, cancel=True),
    )


def nothing_left(number: str) -> str:
    """Every line was returned already."""
    return _("Everything on {number} has been returned already.").format(number=escape(number))


def ask_lines(draft: dict[str, Any]) -> Screen:
    """The lines with what each can still return; "All of it" or typed pairs."""
    lines = [_title(draft), ""]
    for n, (sku, name, unit, left) in draft["lines"].items():
        lines.append(
            _("{n}. {sku} {name}: up to {qty} {unit}").format(
                n=n, sku=escape(sku), name=escape(name), qty=qty(Decimal(left)), unit=escape(unit)
            )
        )
    lines += [
        "",
        _("Tap “All of it”, or type the line and how many, one per line: <code>1 2</code>."),
    ]
    return Screen("\n".join(lines), keyboard([button(_("All of it"), "ret.all")], cancel=True))


def summary(draft: dict[str, Any]) -> Screen:
    """What will be returned, before it is posted."""
    lines = [_title(draft), ""]
    for n, amount in draft["chosen"].items():
        sku, name, unit, _left = draft["lines"][n]
        lines.append(f"• {escape(sku)} {escape(name)} × {qty(Decimal(amount))} {escape(unit)}")
    confirm = button(_("✅ Post the return"), "ret.ok")
    return Screen("\n".join(lines), keyboard([confirm], cancel=True))


def posted(result: DocumentPosted) -> Screen:
    """The posted return, with Undo."""
    number = f"<b>{escape(result.number)}</b>"
    text = _("✅ Return {number} posted. Total: {total}").format(
        number=number, total=money(result.total, result.currency)
    )
    if result.paid_now:
        text += "\n" + _("Refund now: {amount}").format(
            amount=money(result.paid_now, result.currency)
        )
    elif result.owed:
        text += "\n" + _("Taken off what is owed: {amount}").format(
            amount=money(result.owed, result.currency)
        )
    return Screen(text, keyboard([button(_("↩ Undo"), "undo", result.document_id)]))


def bad_line(raw: str) -> str:
    """A typed line that is not "line quantity"."""
    return _("“{line}” is not a line number and a quantity, like <code>1 2</code>.").format(
        line=escape(raw.strip()[:40])
    )


def too_many(line: list[str], n: str) -> str:
    """More than a line can still return."""
    sku, _name, unit, left = line
    return _("Line {n} ({sku}) can return at most {qty} {unit}.").format(
        n=n, sku=escape(sku), qty=qty(Decimal(left)), unit=escape(unit)
    )
