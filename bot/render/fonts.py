"""Fonts for pictures the bot draws (delivery slips): a CJK font when one is installed.

Matplotlib's own DejaVu Sans has no Chinese, and a glyph it lacks comes out as a box. So a
picture is drawn with a CJK font when the machine has one (Debian: ``fonts-noto-cjk`` or
``fonts-wqy-microhei``; or any font file named by ``JXC_CJK_FONT``), and text the chosen font
cannot show is left out or replaced by the caller (a SKU, an id): never a box.
"""

from dataclasses import dataclass
from functools import cache

from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font

from core.reports import find_cjk_font


@cache
def cjk_font() -> str | None:
    """The path of a CJK font (``JXC_CJK_FONT``, else an installed one), or None.

    The reports' charts use the same one (``core.reports.find_cjk_font``).
    """
    found = find_cjk_font()
    return str(found) if found is not None else None


@cache
def _latin_font() -> str:
    return str(findfont(FontProperties(family="DejaVu Sans")))


@cache
def _charset(path: str) -> frozenset[int]:
    return frozenset(code for code, _glyph in FT2Font(path).get_charmap().items() if _glyph)


@dataclass(frozen=True)
class Typeface:
    """The font a picture is drawn with, and what it can show."""

    path: str
    cjk: bool

    def properties(self, *, bold: bool = False) -> FontProperties:
        """Matplotlib font properties for this font file."""
        return FontProperties(fname=self.path, weight="bold" if bold else "normal")

    def shows(self, text: str) -> bool:
        """Whether every character of ``text`` has a glyph in this font (spaces always do)."""
        chars = _charset(self.path)
        return all(ord(c) in chars for c in text if not c.isspace())

    def fit(self, text: str, fallback: str) -> str:
        """``text`` when this font shows it, else ``fallback``."""
        return text if self.shows(text) else fallback


def typeface() -> Typeface:
    """The CJK font when installed, else matplotlib's DejaVu Sans (Latin only)."""
    cjk = cjk_font()
    return Typeface(cjk, True) if cjk is not None else Typeface(_latin_font(), False)
