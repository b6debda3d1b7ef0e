"""Lists the msgids in ``bot/`` that the zh-CN catalogs lack, as .po entries to fill in.

python -m bot.i18n.missing            # every untranslated msgid, with where it is used
"""

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.i18n import merged_catalog

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
BOT_DIR = Path(__file__).parent.parent


def used_messages() -> dict[str, list[str]]:
    """Every msgid marked in the bot's code (a plural by its singular), with its places."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        BOT_DIR, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def missing(language: str = "zh-CN") -> dict[str, list[str]]:
    """The used msgids with no translation in ``language``."""
    catalog = merged_catalog(language)
    return {msgid: places for msgid, places in used_messages().items() if msgid not in catalog}


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> int:
    """Prints .po stubs for what is missing; exit status 1 when anything is."""
    gaps = missing()
    for msgid, places in gaps.items():
        sys.stdout.write(f'#: {" ".join(places)}\nmsgid {_po_string(msgid)}\nmsgstr ""\n\n')
    return 1 if gaps else 0


if __name__ == "__main__":
    raise SystemExit(main())
