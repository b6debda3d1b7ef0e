"""Adds translations to a zh-CN ``.po`` file of the bot, keeping it sorted and valid.

    python -m bot.i18n.add sale translations.json   # {"msgid": "msgstr", ...}

Hand edits of the ``.po`` files are fine too; this only saves quoting mistakes.
"""

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR


def add(area: str, translations: dict[str, str], language: str = "zh_CN") -> Path:
    """Merges ``translations`` into ``locales/<language>/LC_MESSAGES/<area>.po``."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{area}.po"
    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, locale=language)
    else:
        catalog = Catalog(locale=language, project="jxc-bot", charset="utf-8")
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, sort_output=True, width=99, omit_header=False)
    return path


if __name__ == "__main__":
    area, source = sys.argv[1], Path(sys.argv[2])
    print(add(area, json.loads(source.read_text(encoding="utf-8"))))  # noqa: T201
