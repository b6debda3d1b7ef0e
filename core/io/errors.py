"""What an import refuses: a whole file, or cells of it. Codes and values, never text."""

from dataclasses import dataclass, field

from core.errors import DomainError


@dataclass(frozen=True)
class CellError:
    """One thing wrong in an uploaded file, where the user sees it.

    ``row`` is the row number in the sheet (1 = the header row), ``column`` the header as
    written (or, for a missing column, the template's header). ``code`` names the rule:

    required, not_a_number, too_many_places, negative, not_positive, out_of_range, too_long,
    has_spaces, not_a_date, in_future, due_before_date, not_a_currency, too_fine (more places
    than the currency has), needs_rate, currency_change, duplicate (``detail``: the first row),
    barcode_taken (``detail``: the SKU that has it), unknown_product, unknown_customer,
    unknown_supplier, formula, merged (``detail``: the range), unknown_header,
    missing_column, duplicate_header, invalid.
    """

    sheet: str
    row: int
    column: str
    code: str
    value: str = ""
    detail: str = ""


@dataclass
class ImportRefused(DomainError):
    """The file cannot be read at all; nothing was written.

    ``code``: not_spreadsheet, old_xls, encoding, empty, too_big (``limit``: bytes),
    too_many_rows (``limit``: rows), nothing_to_import.
    """

    code: str
    limit: int = 0


@dataclass
class ImportInvalid(DomainError):
    """The file has errors: every one of them, and nothing was written."""

    errors: tuple[CellError, ...] = field(default_factory=tuple)
