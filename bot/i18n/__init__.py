"""Translations: English msgids in the code, zh-CN catalogs in ``locales/``.

Catalogs are ``.po`` files kept in git, one per area of the bot (``start.po``, ``sale.po``,
...), merged and compiled in memory at start, so nothing compiled is ever committed. ``_()``
translates into the language of the user being served, which ``use_language`` (or the access
handler, for every update) sets for the running task.
"""

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR: Final = Path(__file__).parent / "locales"
LANGUAGES: Final = ("zh-CN", "en")
DEFAULT_LANGUAGE: Final = "zh-CN"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def language_of(telegram_code: str | None) -> str:
    """The language for a Telegram user's ``language_code``: zh* → zh-CN, anything else → en."""
    return "zh-CN" if (telegram_code or "").lower().startswith("zh") else "en"


def merged_catalog(language: str) -> Catalog:
    """Every ``.po`` file of a language, as one catalog (later files win on a clash)."""
    merged = Catalog(locale=language.replace("-", "_"))
    folder = LOCALES_DIR / language.replace("-", "_") / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as po:
            for message in read_po(po, locale=language.replace("-", "_")):
                if message.id and message.string and not message.fuzzy:
                    merged[message.id] = message
    return merged


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a language; English is the msgids themselves."""
    if language == "en":
        return gettext.NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, merged_catalog(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def current_language() -> str:
    """The language of the user being served."""
    return _language.get()


def set_language(language: str) -> None:
    """Serves the rest of this task in ``language`` (the access handler calls it per update)."""
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Serves the block in ``language`` (jobs: the recipient's language, not the last user's)."""
    token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    """``message`` in the current user's language."""
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current user's language."""
    return translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for "mark, translate later"
    """Marks ``message`` for extraction; ``_()`` translates it where it is shown."""
    return message
