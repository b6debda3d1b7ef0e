"""Screens of /export, /template and importing a file: the preview, progress and result."""

from typing import Final

from bot.i18n import N_, _
from bot.render.numbers import escape
from bot.render.screen import Screen, button, keyboard, rows
from core.io.errors import CellError, ImportRefused
from core.io.export import SHEETS
from core.io.importing import ImportPreview, ImportResult, KindCounts

LIMIT: Final = 3500  # characters of errors in the message; Telegram takes 4096 in all

KIND_NAMES: Final = {
    "products": N_("Products"),
    "stock": N_("Opening stock"),
    "customers": N_("Customers"),
    "suppliers": N_("Suppliers"),
    "receivables": N_("Opening receivables"),
    "payables": N_("Opening payables"),
    "documents": N_("Documents"),
    "lines": N_("Document lines"),
}
REASONS: Final = {
    "required": N_("required"),
    "not_a_number": N_("not a number"),
    "too_many_places": N_("too many decimal places"),
    "negative": N_("must not be negative"),
    "not_positive": N_("must be greater than 0"),
    "out_of_range": N_("out of range"),
    "too_long": N_("too long"),
    "has_spaces": N_("must not contain spaces"),
    "not_a_date": N_("not a date"),
    "in_future": N_("date in the future"),
    "due_before_date": N_("due before the date"),
    "not_a_currency": N_("not a currency code (CNY, USD, …)"),
    "too_fine": N_("more decimal places than the currency has"),
    "needs_rate": N_("needs an exchange rate"),
    "currency_change": N_("the currency of an existing party cannot change here"),
    "currency_mismatch": N_("not the party's currency ({detail})"),
    "duplicate": N_("also in row {detail}"),
    "barcode_taken": N_("barcode already belongs to {detail}"),
    "unknown_product": N_("no such product"),
    "already_stocked": N_("it already has stock there: count it (/count) instead"),
    "unknown_customer": N_("no such customer"),
    "unknown_supplier": N_("no such supplier"),
    "archived": N_("archived"),
    "formula": N_("formula (type the value instead)"),
    "merged": N_("merged cells {detail}"),
    "unknown_header": N_("unknown column"),
    "missing_column": N_("column missing"),
    "duplicate_header": N_("column given twice"),
    "invalid": N_("not valid"),
}
REFUSALS: Final = {
    "not_spreadsheet": N_("That file is not a spreadsheet: send an .xlsx or .csv file."),
    "old_xls": N_("Old .xls files are not read: save it as .xlsx (Excel or WPS: Save as)."),
    "encoding": N_("I could not read that CSV: save it as UTF-8 or GBK."),
    "empty": N_("That file has no rows to import."),
    "too_big": N_("That file is too big: at most {limit} MB."),
    "too_many_rows": N_("That file has too many rows: at most {limit}."),
}


def error_line(error: CellError, *, with_sheet: bool) -> str:
    """One error, as "row 12, column 数量: not a number"."""
    reason = _(REASONS.get(error.code, REASONS["invalid"])).format(detail=error.detail)
    text = _("row {row}, column {column}: {reason}").format(
        row=error.row, column=error.column, reason=reason
    )
    if error.value:
        text += f" ({error.value})"
    return f"{error.sheet}: {text}" if with_sheet else text


def all_errors(errors: tuple[CellError, ...]) -> str:
    """Every error, one a line (the .txt attachment of a long list)."""
    with_sheet = len({e.sheet for e in errors}) > 1
    return "\n".join(error_line(e, with_sheet=with_sheet) for e in errors) + "\n"


def _counts(kind: str, counts: KindCounts) -> str:
    return _("{kind}: {create} new, {update} updated, {skip} unchanged").format(
        kind=_(KIND_NAMES[kind]), create=counts.create, update=counts.update, skip=counts.skip
    )


def preview(found: ImportPreview, file_name: str, token: str) -> tuple[Screen, bool]:
    """The preview; True when its error list was cut (the full list goes as a file)."""
    lines = [_("📄 <b>{name}</b>: what importing it would do").format(name=escape(file_name))]
    lines += [escape(_counts(kind, counts)) for kind, counts in found.counts.items()]
    if found.warehouses:
        names = ", ".join(found.warehouses)
        lines.append(_("New warehouses: {names}").format(names=escape(names)))
    if found.ignored_sheets:
        names = ", ".join(found.ignored_sheets)
        lines.append(_("Sheets left alone: {names}").format(names=escape(names)))
    cut = False
    if found.errors:
        lines.append("")
        lines.append(
            _("❌ {count} errors; nothing will be imported until they are fixed:").format(
                count=len(found.errors)
            )
        )
        with_sheet = len({e.sheet for e in found.errors}) > 1
        used = sum(len(line) for line in lines)
        for n, error in enumerate(found.errors):
            line = "• " + escape(error_line(error, with_sheet=with_sheet))
            if used + len(line) > LIMIT:
                lines.append(
                    _("… and {more} more: see the attached list.").format(
                        more=len(found.errors) - n
                    )
                )
                cut = True
                break
            lines.append(line)
            used += len(line) + 1
        return Screen("\n".join(lines), keyboard([button(_("✖ Cancel"), "io.no", token)])), cut
    lines.append("")
    lines.append(_("Import all of it? It is imported all at once, or not at all."))
    buttons = [button(_("✅ Import"), "io.ok", token), button(_("✖ Cancel"), "io.no", token)]
    return Screen("\n".join(lines), keyboard(buttons)), cut


def refused(error: ImportRefused) -> str:
    """Why a file cannot be read at all."""
    limit = error.limit // (1024 * 1024) if error.code == "too_big" else error.limit
    return _(REFUSALS.get(error.code, REFUSALS["not_spreadsheet"])).format(limit=f"{limit:,}")


def progress(done: int, total: int) -> str:
    """The one message edited while importing."""
    percent = 100 * done // total if total else 100
    return _("⏳ Importing… {done} of {total} rows ({percent}%)").format(
        done=f"{done:,}", total=f"{total:,}", percent=percent
    )


def imported(result: ImportResult) -> str:
    """What the import wrote."""
    if result.repeated:
        return _("This file was imported already; nothing changed.")
    lines = [_("✅ Imported.")]
    lines += [escape(_counts(kind, counts)) for kind, counts in result.counts.items()]
    if result.warehouses:
        names = ", ".join(result.warehouses)
        lines.append(_("New warehouses: {names}").format(names=escape(names)))
    if result.documents:
        shown = ", ".join(result.documents[:10]) + (" …" if len(result.documents) > 10 else "")
        lines.append(_("Opening documents (期初): {numbers}").format(numbers=escape(shown)))
    return "\n".join(lines)


def cancelled() -> str:
    """After ✖ Cancel."""
    return _("Import cancelled; nothing was written.")


def expired() -> str:
    """A press on a preview whose file is gone (imported, cancelled, or a restart)."""
    return _("That preview has expired: send the file again.")


def busy() -> str:
    """A file sent in the middle of another flow."""
    return _("Finish or /cancel what you are doing first, then send the file again.")


def csv_sheets(names: tuple[str, ...] = SHEETS) -> Screen:
    """/export csv: which sheet?"""
    buttons = [button(_(KIND_NAMES[name]), "io.csv", name) for name in names]
    return Screen(_("Which sheet as CSV?"), keyboard(*rows(buttons, per_row=2), cancel=True))


def export_caption(name: str) -> str:
    """The caption of the exported workbook."""
    return _(
        "Export of {name}: products, stock, customers, suppliers, documents and open items."
    ).format(name=escape(name))


def template_caption() -> str:
    """The caption of the import template."""
    return _(
        "Import template: fill in the sheets you need (headers in Chinese or English, any "
        "order) and send the file back to me. I show a preview before anything is written."
    )


def too_big(limit_mb: int) -> str:
    """A file over the upload limit."""
    return _("That file is too big: at most {limit} MB.").format(limit=limit_mb)


def unreadable() -> str:
    """Telegram would not hand the file over."""
    return _("I could not download that file; please send it again.")
