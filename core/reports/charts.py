"""PNG charts of reports: matplotlib's object-oriented API on an Agg canvas, no pyplot.

No global state is touched (no ``pyplot``, no rcParams), so charts may be drawn in worker
threads. Chinese labels need a CJK font: ``find_cjk_font`` looks for one that is installed
(Debian: ``apt install fonts-noto-cjk``). With one, bars are labelled with names; without
one, with codes (SKUs), and a title that the default font cannot draw is left out — never
boxes.
"""

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ft2font import FT2Font

from core.reports.results import SalesReport

FontFinder = Callable[[], Path | None]

CJK_FAMILIES: Final = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
)
CJK_FILE_HINTS: Final = ("cjk", "wqy", "wenquanyi", "sourcehan", "simhei", "msyh", "pingfang")
DPI: Final = 100


@dataclass(frozen=True)
class Chart:
    """A rendered chart: the PNG, the labels drawn, and the CJK font used (None: none)."""

    png: bytes
    labels: tuple[str, ...]
    font: Path | None


FONT_ENV: Final = "JXC_CJK_FONT"  # a font file with Chinese glyphs to use, first


def has_han(path: Path) -> bool:
    """Whether the font file can draw Chinese (a font without 中 is no CJK font)."""
    try:
        return FT2Font(str(path)).get_char_index(ord("中")) != 0
    except (OSError, RuntimeError, ValueError):
        return False


@cache
def find_cjk_font() -> Path | None:
    """A font file with Chinese glyphs: ``JXC_CJK_FONT``, else an installed one, else None.

    Installed fonts are looked for by known family first, then by file name
    (Debian: ``fonts-noto-cjk`` or ``fonts-wqy-microhei``).
    """
    named = os.environ.get(FONT_ENV, "").strip()
    if named and Path(named).is_file() and has_han(Path(named)):
        return Path(named)
    fonts = fontManager.ttflist
    by_family = {f.name: f.fname for f in fonts}
    for family in CJK_FAMILIES:
        if family in by_family:
            return Path(by_family[family])
    for font in fonts:
        if any(hint in Path(font.fname).name.casefold() for hint in CJK_FILE_HINTS):
            return Path(font.fname)
    return None


def _plain(text: str) -> bool:
    """True when the default font (DejaVu Sans) draws every character: Latin text."""
    return all(ord(ch) < 0x2E80 for ch in text)


def _setup(title: str, font: Path | None) -> tuple[Figure, Any, FontProperties | None]:
    figure = Figure(figsize=(8, 5), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    props = FontProperties(fname=str(font)) if font is not None else None
    if title and (props is not None or _plain(title)):
        axes.set_title(title, fontproperties=props)
    axes.grid(axis="both", alpha=0.3)
    return figure, axes, props


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _font(font_finder: FontFinder | None) -> Path | None:
    return (font_finder or find_cjk_font)()


def bar_chart(
    items: Sequence[tuple[str, str, Decimal]],
    title: str = "",
    *,
    font_finder: FontFinder | None = None,
) -> Chart:
    """Horizontal bars of (code, name, value) in the order given, the first at the top.

    Labels are the names when a CJK font is found, else the codes (SKUs).
    """
    font = _font(font_finder)
    labels = tuple(name if font is not None else code for code, name, _ in items)
    figure, axes, props = _setup(title, font)
    positions = list(range(len(items)))
    axes.barh(positions, [float(value) for _, _, value in items], color="#4C72B0")
    axes.set_yticks(positions, labels=list(labels))
    if props is not None:
        for tick in axes.get_yticklabels():
            tick.set_fontproperties(props)
    axes.invert_yaxis()
    return Chart(_png(figure), labels, font)


def line_chart(
    points: Sequence[tuple[date, Decimal]],
    title: str = "",
    *,
    font_finder: FontFinder | None = None,
) -> Chart:
    """A line of values by date (e.g. daily sales); labels are the dates (ISO)."""
    font = _font(font_finder)
    figure, axes, _ = _setup(title, font)
    days = [day for day, _ in points]
    axes.plot(days, [float(value) for _, value in points], marker="o", color="#4C72B0")
    figure.autofmt_xdate()
    return Chart(_png(figure), tuple(day.isoformat() for day in days), font)


def sales_chart(
    report: SalesReport, title: str = "", *, top: int = 10, font_finder: FontFinder | None = None
) -> Chart:
    """By day: a line of daily revenue. By product or customer: the ``top`` by revenue.

    Customers have no SKU; without a CJK font they are labelled by name when it is Latin
    text, else ``#id``.
    """
    if report.by == "day":
        points = [(row.key, row.revenue) for row in report.rows if isinstance(row.key, date)]
        return line_chart(points, title, font_finder=font_finder)
    best = sorted(report.rows, key=lambda r: -r.revenue)[:top]
    items = []
    for row in best:
        if report.by == "product":
            code = row.sku
        else:
            code = row.label if row.label and _plain(row.label) else f"#{row.key or 0}"
        items.append((code, row.label or code, row.revenue))
    return bar_chart(items, title, font_finder=font_finder)
