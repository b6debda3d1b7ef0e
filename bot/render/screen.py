"""A message to show: text (HTML) and its keyboard. Renderers are pure: data in, Screen out."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.i18n import _
from bot.render import callbacks as cb

Keyboard = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Screen:
    """What the bot says: ``text`` is HTML with user input escaped."""

    text: str
    keyboard: Keyboard | None = None

    @property
    def inline(self) -> InlineKeyboardMarkup | None:
        """The keyboard when it is an inline one (edits accept only those)."""
        return self.keyboard if isinstance(self.keyboard, InlineKeyboardMarkup) else None


def button(text: str, action: str, *args: int | str) -> InlineKeyboardButton:
    """An inline button whose press reaches the handler of ``action``."""
    return InlineKeyboardButton(text, callback_data=cb.pack(action, *args))


def cancel_button() -> InlineKeyboardButton:
    """The Cancel button every flow shares."""
    return button(_("✖ Cancel"), "cancel")


def rows(
    buttons: Iterable[InlineKeyboardButton], per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out ``per_row`` to a row (phones: two short ones fit side by side)."""
    laid: list[list[InlineKeyboardButton]] = []
    for item in buttons:
        if not laid or len(laid[-1]) >= per_row:
            laid.append([])
        laid[-1].append(item)
    return laid


def keyboard(
    *button_rows: Sequence[InlineKeyboardButton], cancel: bool = False
) -> InlineKeyboardMarkup:
    """An inline keyboard from rows, with the shared Cancel button as the last row if asked."""
    laid = [list(row) for row in button_rows if row]
    if cancel:
        laid.append([cancel_button()])
    return InlineKeyboardMarkup(laid)


def reply_keyboard(labels: Sequence[Sequence[str]]) -> ReplyKeyboardMarkup:
    """A persistent reply keyboard (the main menu), sized for a phone."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in labels],
        resize_keyboard=True,
        is_persistent=True,
    )
