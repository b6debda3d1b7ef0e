"""Screens of receiving or shipping part of an order."""

from decimal import Decimal
from typing import Any

from bot.i18n import _
from bot.render.numbers import escape, qty
from bot.render.orders import pay_rows
from bot.render.screen import Screen, keyboard


def _title(draft: dict[str, Any]) -> str:
    number = f"<b>{escape(draft['number'])}</b>"
    if draft["purchase"]:
        return _("📥 Receive part of {number}").format(number=number)
    return _("📤 Ship part of {number}").format(number=number)


def ask_lines(draft: dict[str, Any]) -> Screen:
    """The lines with what each still expects; typed "line quantity" pairs."""
    lines = [_title(draft), ""]
    for n, (sku, name, unit, left) in draft["lines"].items():
        lines.append(
            _("{n}. {sku} {name}: {qty} {unit} to come").format(
                n=n, sku=escape(sku), name=escape(name), qty=qty(Decimal(left)), unit=escape(unit)
            )
        )
    lines += ["", _("Type the line and how many, one per line: <code>1 4</code>.")]
    return Screen("\n".join(lines), keyboard(cancel=True))


def beyond(draft: dict[str, Any]) -> list[str]:
    """Lines of the choice that take more than they expect."""
    return [
        n
        for n, amount in draft.get("chosen", {}).items()
        if Decimal(amount) > Decimal(draft["lines"][n][3])
    ]


def summary(draft: dict[str, Any]) -> Screen:
    """What will be posted; a line beyond the order is said, and confirming allows it."""
    lines = [_title(draft), ""]
    over = beyond(draft)
    for n, amount in draft["chosen"].items():
        sku, name, unit, left = draft["lines"][n]
        text = f"• {escape(sku)} {escape(name)} × {qty(Decimal(amount))} {escape(unit)}"
        if n in over:
            text += " " + _("(more than the {left} ordered)").format(left=qty(Decimal(left)))
        lines.append(text)
    lines.append("")
    if over:
        lines.append(_("Tapping how it is paid confirms taking more than was ordered."))
    lines.append(_("Tap how it is paid to post it."))
    return Screen("\n".join(lines), keyboard(*pay_rows("orderfill.ok"), cancel=True))


def bad_line(raw: str) -> str:
    """A typed line that is not "line quantity"."""
    return _("“{line}” is not a line number and a quantity, like <code>1 4</code>.").format(
        line=escape(raw.strip()[:40])
    )
