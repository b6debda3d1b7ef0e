"""Callback data of inline buttons: ``"1:action:arg:arg"``, at most 64 bytes.

The version comes first so that a change of meaning can retire old buttons: a press whose
version is not ours is answered "this button has expired" instead of doing something else.
"""

import re
from typing import Final

VERSION: Final = "1"
CALLBACK_DATA_MAX_BYTES: Final = 64  # Telegram refuses the whole keyboard beyond this


def pack(action: str, *args: int | str) -> str:
    """``pack("undo", 481)`` → ``"1:undo:481"``."""
    parts = (VERSION, action, *map(str, args))
    if any(":" in part for part in parts[1:]):
        raise ValueError(f"callback parts may not contain ':': {parts!r}")
    data = ":".join(parts)
    if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
        raise ValueError(f"callback_data too long: {data!r}")
    return data


def args(data: str | None) -> list[str]:
    """The arguments after the action: ``"1:undo:481"`` → ``["481"]``."""
    return (data or "").split(":")[2:]


def action(data: str | None) -> str | None:
    """The action of our own current version, else None (a stale or foreign button)."""
    parts = (data or "").split(":")
    return parts[1] if len(parts) >= 2 and parts[0] == VERSION else None


def pattern(*actions: str) -> re.Pattern[str]:
    """Matches presses of these actions (any arguments) for a CallbackQueryHandler."""
    names = "|".join(re.escape(name) for name in actions)
    return re.compile(rf"^{VERSION}:(?:{names})(?::|$)")
