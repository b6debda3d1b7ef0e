"""Screens of the stock flows: count (盘点), transfer (调拨) and adjustment (调整).

Pure: data in, ``Screen`` out. Lines of a draft are dicts with ``sku``, ``name``, ``unit``
and a quantity as a string. A value (money) is shown only when core gave one: it leaves
them out for clerks and in group chats (DESIGN rule 9), so no check of roles is made here.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

from bot.i18n import N_, _
from bot.render.numbers import escape, money, qty
from bot.render.screen import Screen, button, keyboard, rows
from core.inventory.flow_hints import ChangePreview, CountCheck, WarehouseChoice
from core.inventory.results import CountPosted, DocumentPosted

MAX_LISTED: Final = 30  # lines listed in one message; Telegram cuts at 4096 characters
MAX_ERRORS: Final = 15

Line = dict[str, Any]

# Adjustment reasons: (code, label). The label, in the poster's language, becomes the note.
REASONS_OUT: Final = (("damage", N_("Damaged")), ("loss", N_("Lost")))
REASONS_IN: Final = (("found", N_("Found")),)
REASON_LABELS: Final = dict(REASONS_OUT + REASONS_IN)


def product_label(sku: str, name: str) -> str:
    """``A001 乌龙茶``, escaped."""
    return f"{escape(sku)} {escape(name)}"


def signed(value: Decimal) -> str:
    """A quantity with its sign: +2, -1.5."""
    return ("+" if value > 0 else "") + qty(value)


def signed_money(value: Decimal, currency: str) -> str:
    """Money with its sign: +30.00, -12.50."""
    return ("+" if value > 0 else "") + money(value, currency)


def _more(shown: int, total: int) -> list[str]:
    if total <= shown:
        return []
    return [_("… and {count} more.").format(count=total - shown)]


def warehouse_buttons(action: str, warehouses: Iterable[WarehouseChoice]) -> Screen:
    """Which warehouse? One button each, the member's last one first."""
    buttons = [button(escape(w.name), action, w.warehouse_id) for w in warehouses]
    return Screen(_("Which warehouse?"), keyboard(*rows(buttons, per_row=2), cancel=True))


# --- stock count ---------------------------------------------------------------------------


def count_ask_warehouse(warehouses: Sequence[WarehouseChoice]) -> Screen:
    """Stock count: in which warehouse?"""
    screen = warehouse_buttons("count.wh", warehouses)
    return Screen(_("📋 Stock count: in which warehouse?"), screen.keyboard)


def count_started(warehouse: str) -> Screen:
    """How to count: one product at a time, lines like "A001 12", or a file."""
    text = _(
        "📋 Stock count in <b>{warehouse}</b>.\n"
        "Type a product (SKU, name or barcode) to count it, or several lines like "
        "<code>A001 12</code>, one product per line. You can also send a .txt or .csv file "
        "with such lines.\n"
        "Book quantities stay hidden while you count; you see them in the summary."
    ).format(warehouse=escape(warehouse))
    return Screen(text, keyboard(cancel=True))


def count_ask_qty(sku: str, name: str, unit: str) -> Screen:
    """How many of the picked product were counted."""
    text = _("How many <b>{product}</b> ({unit}) did you count? Type 0 if there are none.").format(
        product=product_label(sku, name), unit=escape(unit)
    )
    return Screen(text, keyboard(cancel=True))


def count_progress(
    recorded: Sequence[Line], errors: Sequence[str], replaced: Sequence[str], counted: int
) -> Screen:
    """What the last message or file recorded, what it could not, and the way on."""
    parts: list[str] = []
    if recorded:
        parts.append(_("Counted:"))
        parts += [
            _("• {product}: {qty} {unit}").format(
                product=product_label(x["sku"], x["name"]),
                qty=qty(Decimal(x["qty"])),
                unit=escape(x["unit"]),
            )
            for x in recorded[:MAX_LISTED]
        ]
        parts += _more(MAX_LISTED, len(recorded))
    parts += [f"↺ {note}" for note in replaced[:MAX_ERRORS]]
    if errors:
        parts.append(_("Not counted:"))
        parts += [f"⚠ {error}" for error in errors[:MAX_ERRORS]]
        parts += _more(MAX_ERRORS, len(errors))
    parts.append(
        _("{count} products counted so far. Type more, or press Done.").format(count=counted)
    )
    return Screen("\n".join(parts), count_keyboard(counted))


def count_keyboard(counted: int) -> Any:
    """Done (once something is counted) and Cancel."""
    done = [button(_("✓ Done"), "count.done")] if counted else []
    return keyboard(done, cancel=True)


def count_nothing_yet() -> Screen:
    """Done pressed before anything was counted."""
    return Screen(_("Nothing is counted yet. Type a product, or lines like A001 12."))


def count_line_unknown(line: int, term: str) -> str:
    """A count line whose product is not known."""
    return _("line {line}: {term} unknown (not a SKU, barcode or product name)").format(
        line=line, term=escape(term[:40])
    )


def count_line_archived(line: int, sku: str) -> str:
    """A count line naming an archived product."""
    return _("line {line}: {sku} is archived").format(line=line, sku=escape(sku))


def count_line_several(line: int, term: str) -> str:
    """A count line naming a product name several products share."""
    return _("line {line}: several products are called {term}; use the SKU").format(
        line=line, term=escape(term[:40])
    )


def count_line_no_qty(line: int) -> str:
    """A count line without a counted quantity."""
    return _("line {line}: put the counted quantity after the product, like A001 12").format(
        line=line
    )


def count_line_bad_qty(line: int, reason: str) -> str:
    """A count line whose quantity is not accepted."""
    return _("line {line}: {reason}").format(line=line, reason=escape(reason))


def count_replaced(sku: str, new: Decimal, old: Decimal) -> str:
    """A product counted again: the new count replaces the earlier one."""
    return _("{sku} counted again: {new} replaces {old}").format(
        sku=escape(sku), new=qty(new), old=qty(old)
    )


def count_file_unreadable() -> Screen:
    """A file that is not text lines."""
    return Screen(
        _(
            "I could not read that file. Send a .txt or .csv file (UTF-8 or GBK) with one "
            "product per line, like A001,12."
        )
    )


def count_file_too_big(limit_kb: int) -> Screen:
    """A file over the size we read."""
    return Screen(_("That file is too large; send at most {kb} KB of lines.").format(kb=limit_kb))


def count_summary(
    warehouse: str, lines: Sequence[Line], check: CountCheck, currency: str
) -> Screen:
    """The differences (book → counted) before posting, with values when core gave them."""
    names = {int(x["product_id"]): x for x in lines}
    differences = check.differences
    parts = [
        _("📋 Count of <b>{warehouse}</b>: {count} products counted.").format(
            warehouse=escape(warehouse), count=len(check.lines)
        )
    ]
    if differences:
        parts.append(_("Differences (book → counted):"))
        for line in differences[:MAX_LISTED]:
            item = names[line.product_id]
            parts.append(_difference(item["sku"], item["name"], line, currency))
        parts += _more(MAX_LISTED, len(differences))
    else:
        parts.append(_("No differences: every count matches the book."))
    same = len(check.lines) - len(differences)
    if differences and same:
        parts.append(_("{count} products match the book.").format(count=same))
    if check.value is not None and differences:
        parts.append(
            _("Value of the differences: {value}").format(
                value=signed_money(check.value, currency)
            )
        )
    parts.append(_("Post the count? Differences become adjustments."))
    post = button(_("✓ Post count"), "count.ok")
    more = button(_("➕ Count more"), "count.more")
    return Screen("\n".join(parts), keyboard([post], [more], cancel=True))


def _difference(sku: str, name: str, line: Any, currency: str) -> str:
    text = _("• {product}: {book} → {counted} ({difference})").format(
        product=product_label(sku, name),
        book=qty(line.book_qty),
        counted=qty(line.counted_qty),
        difference=signed(line.difference),
    )
    if line.value is not None:
        text += " · " + signed_money(line.value, currency)
    return text


def count_posted(result: CountPosted, warehouse: str) -> Screen:
    """The posted count: number, differences, products that moved meanwhile, and Undo."""
    document = result.document
    currency = document.currency
    parts = [
        _(
            "✅ Stock count <b>{number}</b> posted in {warehouse}: {count} products counted."
        ).format(
            number=escape(document.number),
            warehouse=escape(warehouse),
            count=len(document.lines),
        )
    ]
    if result.differences:
        parts.append(
            _("{count} differences booked as adjustments:").format(count=len(result.differences))
        )
        parts += [_difference(d.sku, d.name, d, currency) for d in result.differences[:MAX_LISTED]]
        parts += _more(MAX_LISTED, len(result.differences))
        values = [d.value for d in result.differences if d.value is not None]
        if values:
            parts.append(
                _("Value of the differences: {value}").format(
                    value=signed_money(sum(values, Decimal(0)), currency)
                )
            )
    else:
        parts.append(_("No differences: every count matched the book."))
    if result.moved_since_start:
        parts.append(
            _(
                "⚠ Moved in this warehouse since you started counting: {skus}. Their book "
                "quantity changed meanwhile; recount them if in doubt."
            ).format(skus=", ".join(escape(sku) for sku in result.moved_since_start))
        )
    return Screen("\n".join(parts), undo_keyboard(document.document_id))


def count_announcement(result: CountPosted, warehouse: str) -> str:
    """For the bound group: the count and its differences in quantities (never values)."""
    document = result.document
    parts = [
        _("📋 Stock count {number} in {warehouse}: {count} products counted.").format(
            number=escape(document.number), warehouse=escape(warehouse), count=len(document.lines)
        )
    ]
    parts += [
        _("• {product}: {book} → {counted} ({difference})").format(
            product=product_label(d.sku, d.name),
            book=qty(d.book_qty),
            counted=qty(d.counted_qty),
            difference=signed(d.difference),
        )
        for d in result.differences[:MAX_LISTED]
    ]
    parts += _more(MAX_LISTED, len(result.differences))
    return "\n".join(parts)


def no_warehouse() -> Screen:
    """Every warehouse is archived."""
    return Screen(_("There is no active warehouse. Add one with /warehouses first."))


def undo_keyboard(document_id: int) -> Any:
    """The Undo button under a posted document."""
    return keyboard([button(_("↩ Undo"), "undo", document_id)])


# --- transfer ------------------------------------------------------------------------------


def transfer_one_warehouse() -> Screen:
    """A transfer needs two warehouses."""
    return Screen(
        _(
            "This business has only one warehouse, so there is nowhere to transfer to. "
            "Add another with /warehouses first."
        )
    )


def transfer_ask_route(warehouses: Sequence[WarehouseChoice]) -> Screen:
    """Two warehouses: both directions as buttons. More: the source first."""
    if len(warehouses) == 2:
        first, second = warehouses
        buttons = [
            button(
                f"{escape(a.name)} → {escape(b.name)}", "tr.pair", a.warehouse_id, b.warehouse_id
            )
            for a, b in ((first, second), (second, first))
        ]
        return Screen(
            _("🔁 Transfer: from which warehouse to which?"),
            keyboard(*([b] for b in buttons), cancel=True),
        )
    screen = warehouse_buttons("tr.from", warehouses)
    return Screen(_("🔁 Transfer: from which warehouse?"), screen.keyboard)


def transfer_ask_to(source: WarehouseChoice, warehouses: Sequence[WarehouseChoice]) -> Screen:
    """The destination: every other warehouse."""
    buttons = [
        button(escape(w.name), "tr.pair", source.warehouse_id, w.warehouse_id)
        for w in warehouses
        if w.warehouse_id != source.warehouse_id
    ]
    text = _("🔁 From <b>{source}</b> to which warehouse?").format(source=escape(source.name))
    return Screen(text, keyboard(*rows(buttons, per_row=2), cancel=True))


def transfer_same_warehouse() -> str:
    """Source and destination are the same."""
    return _("The source and the destination must be different warehouses. Choose again.")


def transfer_ask_product(source: str, target: str) -> Screen:
    """The route is set: which product?"""
    text = _(
        "🔁 {source} → {target}. Which product? Type its SKU, name, pinyin initials or "
        "barcode number."
    ).format(source=escape(source), target=escape(target))
    return Screen(text, keyboard(cancel=True))


def transfer_ask_qty(pick: Line, source: str, available: Decimal) -> Screen:
    """How many to move, with what the source has."""
    text = _("How many <b>{product}</b> to move? {source} has {available} {unit}.").format(
        product=product_label(pick["sku"], pick["name"]),
        source=escape(source),
        available=qty(available),
        unit=escape(pick["unit"]),
    )
    return Screen(text, keyboard(cancel=True))


def transfer_too_many(pick: Line, source: str, available: Decimal) -> str:
    """More than the source has (negative stock is off)."""
    return _(
        "{source} has only {available} {unit} of {product}. Type at most {available}."
    ).format(
        source=escape(source),
        available=qty(available),
        unit=escape(pick["unit"]),
        product=product_label(pick["sku"], pick["name"]),
    )


def transfer_line_added(lines: Sequence[Line]) -> Screen:
    """The lines so far; the next product, or Done."""
    parts = [_("To move:")]
    parts += _line_list(lines)
    parts.append(_("Next product? Type it, or press Done."))
    done = button(_("✓ Done"), "tr.done")
    return Screen("\n".join(parts), keyboard([done], cancel=True))


def _line_list(lines: Sequence[Line]) -> list[str]:
    listed = [
        f"• {product_label(x['sku'], x['name'])} × {qty(Decimal(x['qty']))} {escape(x['unit'])}"
        for x in lines[:MAX_LISTED]
    ]
    return listed + _more(MAX_LISTED, len(lines))


def transfer_summary(source: str, target: str, lines: Sequence[Line]) -> Screen:
    """The transfer before posting."""
    parts = [
        _("🔁 Transfer <b>{source}</b> → <b>{target}</b>:").format(
            source=escape(source), target=escape(target)
        )
    ]
    parts += _line_list(lines)
    parts.append(_("Post the transfer?"))
    post = button(_("✓ Post transfer"), "tr.ok")
    return Screen("\n".join(parts), keyboard([post], cancel=True))


def transfer_posted(
    result: DocumentPosted, source: str, target: str, units: dict[int, str]
) -> Screen:
    """The posted transfer with its Undo button."""
    parts = [
        _("✅ Transfer <b>{number}</b> posted: {source} → {target}.").format(
            number=escape(result.number), source=escape(source), target=escape(target)
        )
    ]
    parts += _posted_lines(result, units)
    return Screen("\n".join(parts), undo_keyboard(result.document_id))


def _posted_lines(result: DocumentPosted, units: dict[int, str]) -> list[str]:
    listed = [
        f"• {product_label(x.sku, x.name)} × {qty(x.qty)} {escape(units.get(x.product_id, ''))}"
        for x in result.lines[:MAX_LISTED]
    ]
    return listed + _more(MAX_LISTED, len(result.lines))


def transfer_announcement(
    result: DocumentPosted, source: str, target: str, units: dict[int, str]
) -> str:
    """For the bound group: what moved where (no values)."""
    parts = [
        _("🔁 Transfer {number}: {source} → {target}").format(
            number=escape(result.number), source=escape(source), target=escape(target)
        )
    ]
    return "\n".join(parts + _posted_lines(result, units))


# --- adjustment ----------------------------------------------------------------------------


def adjust_managers_only() -> Screen:
    """A clerk or viewer at the entry of /adjust."""
    return Screen(
        _(
            "Only managers and the owner can adjust stock. To record what is on the shelf, "
            "use /count."
        )
    )


def adjust_ask_warehouse(warehouses: Sequence[WarehouseChoice]) -> Screen:
    """Adjustment: in which warehouse?"""
    screen = warehouse_buttons("adj.wh", warehouses)
    return Screen(_("🛠 Adjustment: in which warehouse?"), screen.keyboard)


def adjust_ask_product(warehouse: str) -> Screen:
    """Which product to adjust."""
    text = _(
        "🛠 Adjustment in <b>{warehouse}</b>. Which product? Type its SKU, name, pinyin "
        "initials or barcode number."
    ).format(warehouse=escape(warehouse))
    return Screen(text, keyboard(cancel=True))


def adjust_ask_change(pick: Line, warehouse: str, on_hand: Decimal) -> Screen:
    """The signed change, with what is on hand."""
    text = _(
        "<b>{product}</b>: {on_hand} {unit} on hand in {warehouse}.\n"
        "Type the change: <code>+3</code> if you found 3, <code>-2</code> if 2 were damaged "
        "or lost."
    ).format(
        product=product_label(pick["sku"], pick["name"]),
        on_hand=qty(on_hand),
        unit=escape(pick["unit"]),
        warehouse=escape(warehouse),
    )
    return Screen(text, keyboard(cancel=True))


def adjust_needs_sign() -> str:
    """A change typed without + or −."""
    return _("Start with + (found) or - (damaged or lost), e.g. +3 or -2.")


def adjust_too_many(on_hand: Decimal, unit: str) -> str:
    """Taking off more than is on hand (negative stock is off)."""
    return _("Only {on_hand} {unit} on hand; you can take off at most that.").format(
        on_hand=qty(on_hand), unit=escape(unit)
    )


def adjust_ask_reason(change: Decimal) -> Screen:
    """Why: the reasons that fit the sign, Other, or a typed reason."""
    reasons = REASONS_IN if change > 0 else REASONS_OUT
    buttons = [button(_(label), "adj.why", code) for code, label in reasons]
    buttons.append(button(_("Other…"), "adj.other"))
    text = _("Why? Tap a reason or type it.")
    return Screen(text, keyboard(*rows(buttons, per_row=3), cancel=True))


def adjust_ask_other() -> Screen:
    """The typed reason."""
    return Screen(_("Type the reason (at most 200 characters)."), keyboard(cancel=True))


def adjust_summary(
    pick: Line, warehouse: str, preview: ChangePreview, reason: str, currency: str
) -> Screen:
    """The adjustment before posting."""
    parts = [
        _("🛠 Adjustment in <b>{warehouse}</b>:").format(warehouse=escape(warehouse)),
        _("{product}: {before} → {after} ({change} {unit})").format(
            product=product_label(pick["sku"], pick["name"]),
            before=qty(preview.on_hand),
            after=qty(preview.on_hand + preview.change),
            change=signed(preview.change),
            unit=escape(pick["unit"]),
        ),
        _("Reason: {reason}").format(reason=escape(reason)),
    ]
    if preview.value is not None:
        parts.append(_("Value: {value}").format(value=signed_money(preview.value, currency)))
    parts.append(_("Post the adjustment?"))
    post = button(_("✓ Post adjustment"), "adj.ok")
    return Screen("\n".join(parts), keyboard([post], cancel=True))


def adjust_posted(result: DocumentPosted, warehouse: str, unit: str, reason: str) -> Screen:
    """The posted adjustment with its Undo button."""
    line = result.lines[0]
    parts = [
        _(
            "✅ Adjustment <b>{number}</b> posted in {warehouse}: {product} {change} {unit}."
        ).format(
            number=escape(result.number),
            warehouse=escape(warehouse),
            product=product_label(line.sku, line.name),
            change=signed(line.qty),
            unit=escape(unit),
        ),
        _("Reason: {reason}").format(reason=escape(reason)),
    ]
    if line.cost is not None:
        value = line.cost if line.qty > 0 else -line.cost
        parts.append(_("Value: {value}").format(value=signed_money(value, result.currency)))
    return Screen("\n".join(parts), undo_keyboard(result.document_id))


def adjust_announcement(result: DocumentPosted, warehouse: str, unit: str, reason: str) -> str:
    """For the bound group: the adjustment in quantities and its reason (no values)."""
    line = result.lines[0]
    return _("🛠 Adjustment {number} in {warehouse}: {product} {change} {unit} ({reason})").format(
        number=escape(result.number),
        warehouse=escape(warehouse),
        product=product_label(line.sku, line.name),
        change=signed(line.qty),
        unit=escape(unit),
        reason=escape(reason),
    )
