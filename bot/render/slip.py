"""The delivery slip (送货单) of a posted sale, drawn as a PNG or a PDF to forward a customer.

A slip is what the customer may read: business, customer, number, date, lines, totals and
what is still owed. It never carries a cost, whoever asks for it. ``slip()`` puts the words
together in the user's language (pure, on the event loop); ``png()``/``pdf()`` draw them with
matplotlib's object-oriented API (no pyplot state) and are meant for ``asyncio.to_thread``.
Text the font cannot show (Chinese without a CJK font) is replaced or left out, never boxed.
"""

from dataclasses import dataclass
from io import BytesIO
from typing import Final, Literal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from telegram import InlineKeyboardMarkup

from bot.i18n import N_, _
from bot.render.documents import PAYMENT_METHODS, method_name
from bot.render.fonts import Typeface, typeface
from bot.render.numbers import money, price, qty
from bot.render.screen import button, keyboard
from core.inventory.history import DocumentCard

Align = Literal["left", "right"]

WIDTH: Final = 8.27  # inches: A4's width, so the PDF prints on a sheet
MARGIN: Final = 0.5
ROW: Final = 0.3  # inches per table row
SIZE: Final = 10.0  # points
DPI: Final = 150
MAX_CELL: Final = 40  # characters of a name before it is cut


@dataclass(frozen=True)
class Column:
    """A column of the slip's table: heading, width in inches, alignment."""

    heading: str
    width: float
    align: Align


@dataclass(frozen=True)
class Slip:
    """Everything printed on one slip, already in words (no Decimal, no translation left)."""

    filename: str  # without extension: the document number
    title: str
    business: str  # "" when the font cannot show it
    facts: tuple[tuple[str, str], ...]  # (label, value): customer, number, date
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[tuple[str, str], ...]  # (label, value), the last one or two in bold
    signature: str
    face: Typeface
    total_label: str = ""  # the totals' line printed in bold


def _label(face: Typeface, msgid: str) -> str:
    """A label in the user's language, or in English when the font cannot show it."""
    return face.fit(_(msgid), msgid)


def _cut(text: str, limit: int = MAX_CELL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _customer(face: Typeface, doc: DocumentCard) -> tuple[str, str] | None:
    if doc.party_name is None and doc.party_id is None:
        return None
    shown = face.fit(doc.party_name or "", "")
    if not shown:
        shown = f"#{doc.party_id}" if doc.party_id is not None else "—"
    return (_label(face, N_("Customer")), shown)


def slip(doc: DocumentCard, business: str, face: Typeface | None = None) -> Slip:
    """The slip of a posted sale, in the current language; no cost is read from ``doc``."""
    face = face or typeface()
    currency = doc.currency
    facts = [
        (_label(face, N_("No.")), doc.number),
        (_label(face, N_("Date")), doc.doc_date.isoformat()),
    ]
    if (customer := _customer(face, doc)) is not None:
        facts.insert(0, customer)
    names = [face.fit(line.name, "") for line in doc.lines]
    units = [face.fit(line.unit, "") for line in doc.lines]
    discounted = any(line.discount for line in doc.lines)
    columns = [
        Column("#", 0.35, "left"),
        Column(_label(face, N_("SKU")), 1.15 if any(names) else 0.0, "left"),  # 0: what is left
    ]
    if any(names):
        columns.append(Column(_label(face, N_("Product")), 0.0, "left"))  # takes what is left
    columns.append(Column(_label(face, N_("Qty")), 0.75, "right"))
    if any(units):
        columns.append(Column(_label(face, N_("Unit")), 0.55, "left"))
    columns.append(Column(_label(face, N_("Unit price")), 0.95, "right"))
    if discounted:
        columns.append(Column(_label(face, N_("Discount")), 0.85, "right"))
    columns.append(Column(_label(face, N_("Amount")), 1.05, "right"))
    rows = []
    for line, name, unit in zip(doc.lines, names, units, strict=True):
        row = [str(line.line_no), _cut(line.sku, 14)]
        if any(names):
            row.append(_cut(name))
        row.append(qty(line.qty))
        if any(units):
            row.append(_cut(unit, 4))
        row.append(price(line.unit_price, currency) if line.unit_price is not None else "")
        if discounted:
            row.append(money(line.discount, currency) if line.discount else "")
        row.append(money(line.amount, currency) if line.amount is not None else "")
        rows.append(tuple(row))
    return Slip(
        filename=doc.number,
        title=_label(face, N_("Delivery slip")),
        business=face.fit(business, ""),
        facts=tuple(facts),
        columns=_fitted(columns),
        rows=tuple(rows),
        totals=_totals(face, doc),
        signature=_label(face, N_("Received by: ____________    Date: ____________")),
        face=face,
        total_label=_total_label(face, currency),
    )


def _fitted(columns: list[Column]) -> tuple[Column, ...]:
    """The product column takes the width the others leave."""
    fixed = sum(column.width for column in columns)
    rest = max(WIDTH - 2 * MARGIN - fixed, 1.2)
    return tuple(Column(c.heading, rest, c.align) if c.width == 0 else c for c in columns)


def _total_label(face: Typeface, currency: str) -> str:
    return _label(face, N_("Total ({currency})")).format(currency=currency)


def _totals(face: Typeface, doc: DocumentCard) -> tuple[tuple[str, str], ...]:
    currency = doc.currency
    totals = []
    if doc.round_off:
        totals.append((_label(face, N_("Subtotal")), money(doc.total + doc.round_off, currency)))
        totals.append((_label(face, N_("Round-off")), "−" + money(doc.round_off, currency)))
    totals.append((_total_label(face, currency), money(doc.total, currency)))
    if doc.paid_now is not None:
        method = doc.payment_method or "cash"
        english = PAYMENT_METHODS.get(method, method)
        paid = _label(face, N_("Paid now ({method})")).format(
            method=face.fit(method_name(method), english)
        )
        totals.append((paid, money(doc.paid_now, currency)))
        if doc.owed > 0:
            totals.append((_label(face, N_("Owed")), money(doc.owed, currency)))
            if doc.due_date is not None:
                totals.append((_label(face, N_("Due date")), doc.due_date.isoformat()))
    return tuple(totals)


# -- drawing (off the event loop) ------------------------------------------------------------


def _height(card: Slip) -> float:
    head = 0.75 + (0.35 if card.business else 0) + 0.28 * len(card.facts) + 0.15
    table = ROW * (len(card.rows) + 1) + 0.2
    return MARGIN + 0.3 + head + table + 0.28 * len(card.totals) + 1.0 + MARGIN


@dataclass
class _Page:
    """A figure written top-down in inches from its top-left corner."""

    figure: Figure
    face: Typeface
    height: float

    def write(
        self, x: float, y: float, text: str, *, size: float = SIZE, strong: bool = False,
        align: str = "left",
    ) -> None:  # fmt: skip
        """Text whose baseline is ``y`` inches below the top."""
        self.figure.text(
            x,
            self.height - y,
            text,
            transform=self.figure.dpi_scale_trans,
            fontproperties=self.face.properties(bold=strong),
            fontsize=size,
            ha=align,
            va="baseline",
            parse_math=False,  # a "$" in a name is a dollar, not mathtext
            color="black",
        )

    def rule(self, y: float, weight: float = 0.8) -> None:
        """A line across the page ``y`` inches below the top."""
        self.figure.add_artist(
            Line2D(
                [MARGIN, WIDTH - MARGIN],
                [self.height - y, self.height - y],
                transform=self.figure.dpi_scale_trans,
                linewidth=weight,
                color="black",
            )
        )

    def row(self, y: float, columns: tuple[Column, ...], cells: tuple[str, ...]) -> None:
        """One table row; the heading row is bold."""
        x = MARGIN
        heading = cells == tuple(column.heading for column in columns)
        for column, cell in zip(columns, cells, strict=True):
            at = x + column.width - 0.08 if column.align == "right" else x
            self.write(at, y, cell, strong=heading, align=column.align)
            x += column.width


def _figure(card: Slip) -> Figure:
    """The slip on one page as wide as A4 and as long as its lines need."""
    height = _height(card)
    page = _Page(Figure(figsize=(WIDTH, height), facecolor="white"), card.face, height)
    y = MARGIN + 0.3
    page.write(WIDTH / 2, y, card.title, size=18, strong=True, align="center")
    y += 0.45
    if card.business:
        page.write(WIDTH / 2, y, card.business, size=13, align="center")
        y += 0.35
    for label, value in card.facts:
        page.write(MARGIN, y, f"{label}: {value}")
        y += 0.28
    y += 0.15 + ROW
    page.rule(y - ROW + 0.08, 1.2)
    page.row(y, card.columns, tuple(column.heading for column in card.columns))
    page.rule(y + 0.1)
    for cells in card.rows:
        y += ROW
        page.row(y, card.columns, cells)
    page.rule(y + 0.1, 1.2)
    y += 0.2
    for label, value in card.totals:
        y += 0.28
        strong = label == card.total_label
        page.write(WIDTH - MARGIN - 1.6, y, label, strong=strong, align="right")
        page.write(WIDTH - MARGIN, y, value, strong=strong, align="right")
    page.write(MARGIN, y + 0.8, card.signature)
    return page.figure


def png(card: Slip) -> bytes:
    """The slip as a PNG image (for a chat)."""
    figure = _figure(card)
    buffer = BytesIO()
    FigureCanvasAgg(figure)  # the figure draws on Agg; no pyplot, no global state
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def pdf(card: Slip) -> bytes:
    """The slip as a one-page PDF (for printing)."""
    figure = _figure(card)
    buffer = BytesIO()
    FigureCanvasPdf(figure)
    figure.savefig(buffer, format="pdf", metadata={"Title": card.filename})
    return buffer.getvalue()


# -- messages and buttons --------------------------------------------------------------------


def caption(doc: DocumentCard) -> str:
    """The caption under a slip: what it is, ready to forward."""
    return _("🧾 Delivery slip {number}").format(number=doc.number)


def pdf_button(doc: DocumentCard) -> InlineKeyboardMarkup:
    """The slip image's button: the same slip as a PDF."""
    return keyboard([button(_("📄 Slip as PDF"), "slip.pdf", doc.document_id)])


def tall(card: Slip, ratio: float) -> bool:
    """Whether the slip is longer than ``ratio`` times its width (too long for a photo)."""
    return _height(card) > ratio * WIDTH


def not_a_posted_sale(number: str) -> str:
    """A slip asked for something else than a posted sale (a voided one, an old button)."""
    return _("{number} is not a posted sale: there is no delivery slip for it.").format(
        number=number
    )
