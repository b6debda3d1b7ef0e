"""``jxc-bot console``: the real bot in a terminal, no Telegram and no token needed.

The same Application as ``jxc-bot run`` (``build_application``) talks to the in-process Bot
API (``OfflineBotApi``) instead of Telegram. The person at the terminal is a Telegram user in a
private chat with the bot: a typed line is a message; the bot's messages are printed with their
HTML turned into plain text (bold on a terminal); inline buttons are numbered and pressed with
``#1``; the main menu's keys are lettered and pressed with ``#a``; files the bot sends are saved
into a folder. ``#file PATH`` sends a file to the bot; ``/quit`` or Ctrl-D leaves.

Everything reads from and writes to the streams it is given, so tests drive it with scripted
lines.
"""

import asyncio
import contextlib
import itertools
import os
import re
import threading
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final, TextIO

from pydantic import SecretStr
from telegram import Update
from telegram.request import RequestData

from bot.app import JxcApplication, build_application
from bot.context import BotResources
from bot.handlers.access import LANGUAGE
from bot.i18n import _, language_of, use_language
from bot.offline import OfflineBotApi
from core.db.engine import Database
from core.settings import Settings

CONSOLE_TOKEN: Final = "100000001:CONSOLEconsoleCONSOLEconsole0000000"  # never leaves the process
FILES_DIR: Final = Path("console-files")
QUIT: Final = frozenset({"/quit", "/exit"})
BOT_PROMPT: Final = "bot › "
YOU_PROMPT: Final = "you › "
INDENT: Final = " " * len(BOT_PROMPT)
_PRESS: Final = re.compile(r"#\s*(\d+|[a-z])", re.IGNORECASE)
_BOLD: Final = ("\033[1m", "\033[0m")
_BOLD_TAGS: Final = frozenset({"b", "strong"})
_MENU_KEYS: Final = "abcdefghijklmnopqrstuvwxyz"


class _PlainText(HTMLParser):
    """Telegram's HTML as terminal text: bold kept (if styled), links shown, the rest dropped."""

    def __init__(self, *, styled: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.styled = styled
        self.parts: list[str] = []
        self.links: list[str] = []
        self.bold = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BOLD_TAGS:
            self.bold += 1
            if self.styled and self.bold == 1:
                self.parts.append(_BOLD[0])
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
            self.parts.append("")  # where the link text starts

    def handle_endtag(self, tag: str) -> None:
        if tag in _BOLD_TAGS and self.bold:
            self.bold -= 1
            if self.styled and self.bold == 0:
                self.parts.append(_BOLD[1])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and not href.startswith("tg://") and href not in "".join(self.parts[-3:]):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        self.close()
        closing = _BOLD[1] if self.styled and self.bold else ""
        return "".join(self.parts) + closing


def plain_text(html: str, *, styled: bool = False) -> str:
    """A message's HTML as terminal text; ``styled`` keeps bold as ANSI bold."""
    parser = _PlainText(styled=styled)
    try:
        parser.feed(html)
        return parser.text()
    except (AssertionError, ValueError):  # not HTML after all: show it as it came
        return unescape(html)


def _inline_buttons(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = message.get("reply_markup") or {}
    return [list(row) for row in markup.get("inline_keyboard", []) if row]


def _reply_keys(markup: dict[str, Any]) -> list[list[str]]:
    return [
        [str(key["text"] if isinstance(key, dict) else key) for key in row]
        for row in markup.get("keyboard", [])
        if row
    ]


class ConsoleBotApi(OfflineBotApi):
    """The offline Bot API, also telling the console about button answers (toasts)."""

    on_toast: Any = None  # Callable[[str], None]; set by the console

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Answers as the offline API does; a button answer with text is shown as a toast."""
        answer = await super().do_request(url, method, request_data, *args, **kwargs)
        if url.endswith("/answerCallbackQuery") and request_data is not None:
            text = request_data.parameters.get("text")
            if text and self.on_toast is not None:
                self.on_toast(str(text))
        return answer


@dataclass
class ConsoleUser:
    """Who sits at the terminal, as Telegram would describe them."""

    user_id: int = 1
    language_code: str = "en"
    first_name: str = "Console"

    def as_telegram(self) -> dict[str, Any]:
        """The ``User`` object of the Bot API."""
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    def chat(self) -> dict[str, Any]:
        """The private chat with the bot."""
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}


@dataclass
class Console:
    """A terminal chat with the running Application: prints what it says, feeds what you do."""

    application: JxcApplication
    api: ConsoleBotApi
    user: ConsoleUser
    out: TextIO
    files_dir: Path = FILES_DIR
    styled: bool = False
    _printed: dict[tuple[int, int], str] = field(default_factory=dict)
    _menu: list[list[str]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.api.on_message = self.show_message
        self.api.on_toast = self.show_toast
        self.api.know_chat(self.user.chat())

    # --- what the bot says ---------------------------------------------------------------

    def write(self, text: str = "") -> None:
        """One or more lines to the terminal."""
        self.out.write(text + "\n")
        self.out.flush()

    def _bot_lines(self, text: str, prefix: str = BOT_PROMPT) -> None:
        lines = text.splitlines() or [""]
        self.write(prefix + lines[0])
        for line in lines[1:]:
            self.write((INDENT + line).rstrip())

    @property
    def language(self) -> str:
        """The language of the console's own words: the user's."""
        return language_of(self.user.language_code)

    def show_message(self, message: dict[str, Any], edited: bool) -> None:
        """Prints a message the bot sent or edited (edits only when something changed)."""
        with use_language(self.language):
            self._show_message(message, edited)

    def _show_message(self, message: dict[str, Any], edited: bool) -> None:
        chat_id = int(message["chat"]["id"])
        text = plain_text(
            str(message.get("text") or message.get("caption") or ""), styled=self.styled
        )
        buttons = _inline_buttons(message)
        shown = f"{text}\n{buttons}"
        key = (chat_id, int(message["message_id"]))
        if edited and self._printed.get(key) == shown:
            return
        self._printed[key] = shown
        prefix = BOT_PROMPT
        if chat_id != self.user.user_id:
            prefix = "bot → " + _("chat {chat}").format(chat=chat_id) + " › "
        elif edited:
            prefix = "bot ✎ "
        saved = self._save_file(message) if "document" in message or "photo" in message else None
        if text or not saved:
            self._bot_lines(text, prefix)
        if saved is not None:
            self.write(
                (INDENT if text else prefix) + _("📎 file saved: {path}").format(path=saved)
            )
        if buttons:
            self.write(self._inline_legend(buttons))
        markup = message.get("reply_markup") or {}
        if "keyboard" in markup and chat_id == self.user.user_id:
            self._menu = _reply_keys(markup)
            self.write(self._menu_legend())
        elif markup.get("remove_keyboard") and chat_id == self.user.user_id:
            self._menu = []

    def show_toast(self, text: str) -> None:
        """A button's answer, which Telegram shows for a moment over the chat."""
        self._bot_lines(plain_text(text, styled=self.styled), "bot ⓘ ")

    def _inline_legend(self, buttons: list[list[dict[str, Any]]]) -> str:
        number = itertools.count(1)
        lines = []
        for row in buttons:
            cells = []
            for item in row:
                label = f"[{next(number)}] {item['text']}"
                if item.get("url"):
                    label += f" ({item['url']})"
                cells.append(label)
            lines.append(INDENT + "  ".join(cells))
        return "\n".join(lines)

    def _menu_legend(self) -> str:
        keys = iter(_MENU_KEYS)
        lines = [
            INDENT + "  ".join(f"[{next(keys)}] {label}" for label in row) for row in self._menu
        ]
        return "\n".join(lines)

    def _save_file(self, message: dict[str, Any]) -> Path | None:
        mine = [f for f in self.api.files if f.chat_id == int(message["chat"]["id"])]
        if not mine:
            return None
        sent = mine[-1]
        self.files_dir.mkdir(parents=True, exist_ok=True)
        name = Path(sent.filename).name or "file"
        path = self.files_dir / name
        for n in itertools.count(1):
            if not path.exists():
                break
            path = self.files_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
        path.write_bytes(sent.content)
        return path

    # --- what you do ------------------------------------------------------------------------

    def greeting(self) -> str:
        """How the console works, in the user's language."""
        with use_language(self.language):
            return "\n".join(
                (
                    _(
                        "jxc-bot console: you are Telegram user {user_id} ({name}) in a private "
                        "chat with the bot."
                    ).format(user_id=self.user.user_id, name=self.user.first_name),
                    _("Type as you would in Telegram; /start opens the main menu."),
                    _(
                        "Buttons under a message are numbered: type #1 to press [1]. "
                        "Menu keys are lettered: #a presses [a]. # alone shows them again."
                    ),
                    _(
                        "#file PATH sends a file to the bot. Files the bot sends go to {folder}/."
                    ).format(folder=self.files_dir),
                    _("/quit or Ctrl-D leaves."),
                )
            )

    async def handle(self, line: str) -> bool:
        """Acts on one typed line; False when it asks to quit."""
        with use_language(self.language):  # the console's own words
            return await self._handle(line)

    async def _handle(self, line: str) -> bool:
        text = line.strip()
        if text.lower() in QUIT:
            return False
        if not text:
            return True
        if text == "#":
            self._show_keys()
        elif text.lower().startswith("#file"):
            await self.send_file(text[len("#file") :].strip())
        elif match := _PRESS.fullmatch(text):
            await self.press(match.group(1).lower())
        else:
            await self.send_text(text)
        return True

    def _show_keys(self) -> None:
        message = self._newest_with_buttons()
        if message is not None:
            self.write(self._inline_legend(_inline_buttons(message)))
        if self._menu:
            self.write(self._menu_legend())
        if message is None and not self._menu:
            self.write(INDENT + _("(no buttons)"))

    def _newest_with_buttons(self) -> dict[str, Any] | None:
        mine = sorted(
            (key[1], message)
            for key, message in self.api.messages.items()
            if key[0] == self.user.user_id and _inline_buttons(message)
        )
        return mine[-1][1] if mine else None

    async def press(self, key: str) -> None:
        """Presses inline button ``key`` (a number) or menu key ``key`` (a letter)."""
        if key.isdigit():
            message = self._newest_with_buttons()
            flat = [b for row in _inline_buttons(message or {}) for b in row]
            index = int(key) - 1
            if message is None or not 0 <= index < len(flat):
                self.write(INDENT + _("No button #{key}.").format(key=key))
                self._show_keys()
                return
            chosen = flat[index]
            if "callback_data" not in chosen:
                self.write(
                    INDENT
                    + _("That button opens {url} outside the chat.").format(
                        url=chosen.get("url") or chosen.get("switch_inline_query") or "?"
                    )
                )
                return
            await self._feed(
                {
                    "callback_query": {
                        "id": str(next(self._ids)),
                        "from": self.user.as_telegram(),
                        "chat_instance": f"console{self.user.user_id}",
                        "data": str(chosen["callback_data"]),
                        "message": {"date": int(time.time()), **message},
                    }
                }
            )
            return
        labels = [label for row in self._menu for label in row]
        index = _MENU_KEYS.find(key)
        if not 0 <= index < len(labels):
            self.write(INDENT + _("No menu key #{key}.").format(key=key))
            self._show_keys()
            return
        self.write(YOU_PROMPT + labels[index])
        await self.send_text(labels[index])

    async def send_text(self, text: str, **extra: Any) -> None:
        """A message typed in the chat (a /command is marked as Telegram marks it)."""
        message: dict[str, Any] = {"text": text, **extra}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        await self._feed_message(message)

    async def send_file(self, path_text: str) -> None:
        """Sends a file as a document, as dragging it into Telegram would."""
        found = _read_file(path_text)
        if found is None:
            self.write(INDENT + _("No such file: {path}").format(path=path_text or "?"))
            return
        name, content = found
        file_id = f"console{next(self._ids)}"
        self.api.downloads[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "file_size": len(content),
        }
        await self._feed_message({"document": document})

    async def _feed_message(self, message: dict[str, Any]) -> None:
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self.user.chat(),
            "from": self.user.as_telegram(),
            **message,
        }
        await self._feed({"message": message})

    async def _feed(self, payload: dict[str, Any]) -> None:
        update = Update.de_json({"update_id": next(self._ids), **payload}, self.application.bot)
        await self.application.process_update(update)


def _read_file(path_text: str) -> tuple[str, bytes] | None:
    path = Path(path_text).expanduser()
    if not path_text or not path.is_file():
        return None
    return path.name, path.read_bytes()


async def _lines(stdin: TextIO, out: TextIO, *, echo: bool) -> AsyncGenerator[str, None]:
    """Lines typed at the terminal, read by a daemon thread so Ctrl-C is never held up.

    The thread reads a line only when asked, so the prompt shows after the bot's answer.
    """
    loop = asyncio.get_running_loop()
    arrived: asyncio.Queue[str | None] = asyncio.Queue()
    wanted = threading.Event()
    done = threading.Event()

    def read() -> None:
        while True:
            wanted.wait()
            wanted.clear()
            if done.is_set():
                return
            out.write(YOU_PROMPT)
            out.flush()
            line = stdin.readline()
            if line and echo:  # a script, not a terminal: show what was "typed"
                out.write(line if line.endswith("\n") else line + "\n")
            elif not line:
                out.write("\n")
            loop.call_soon_threadsafe(arrived.put_nowait, line or None)
            if not line:
                return

    threading.Thread(target=read, name="console-input", daemon=True).start()
    try:
        while True:
            wanted.set()
            line = await arrived.get()
            if line is None:
                return
            yield line
    finally:
        done.set()
        wanted.set()


async def chat(
    settings: Settings,
    db: Database,
    *,
    user: ConsoleUser,
    stdin: TextIO,
    out: TextIO,
    files_dir: Path = FILES_DIR,
    resources: BotResources | None = None,
    alerts: bool = False,
) -> None:
    """Runs the bot offline and chats with it on ``stdin``/``out`` until /quit or end of input.

    Args:
        settings: the operator's settings (the token is replaced by a dummy one).
        db: the open, migrated database.
        user: who is typing.
        stdin: where typed lines come from (a terminal, or a script in tests).
        out: where the conversation is printed.
        files_dir: where files the bot sends are saved.
        resources: process-wide resources (tests pass a clock); made from ``db`` if None.
        alerts: run the alert jobs too (delivery, daily reminders and digests): alerts for
            this user show in the chat, others as "bot → chat N". They count as sent.
    """
    offline = settings.model_copy(update={"telegram_bot_token": SecretStr(CONSOLE_TOKEN)})
    api = ConsoleBotApi()
    application = build_application(
        offline, db, request=api, rate_limited=False, resources=resources, deliver_alerts=alerts
    )
    styled = _is_terminal(out) and "NO_COLOR" not in os.environ
    console = Console(application, api, user, out, files_dir=files_dir, styled=styled)
    await application.initialize()
    try:
        await application.start()
        if application.post_init is not None:
            await application.post_init(application)
        # The language guessed from Telegram's code at the first visit is cached; --language
        # should win over that guess (a language chosen with /language still wins over both).
        if user.user_id in application.user_data:
            application.user_data[user.user_id].pop(LANGUAGE, None)
        console.write(console.greeting())
        console.write()
        async with contextlib.aclosing(_lines(stdin, out, echo=not _is_terminal(stdin))) as lines:
            async for line in lines:
                if not await console.handle(line):
                    break
    finally:
        if application.running:
            await application.stop()
        await application.shutdown()


def _is_terminal(stream: TextIO) -> bool:
    with contextlib.suppress(AttributeError, ValueError, OSError):
        return stream.isatty()
    return False
