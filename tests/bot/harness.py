"""Drives the real Application with real Updates, as Telegram would send them, offline.

``BotHarness`` owns an Application built by ``build_application`` on the test's database,
talking to ``OfflineBotApi``. ``Person`` is someone typing and pressing buttons in a chat;
each action returns what the bot said in answer (texts of new messages, edits and toasts).
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import Update

from bot.app import JxcApplication, build_application
from bot.context import BotResources
from bot.offline import OfflineBotApi
from core.db.base import utcnow
from core.db.engine import Database
from core.settings import load_settings

TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKEN123456"
_update_ids = itertools.count(1000)
_message_ids = itertools.count(5_000_000)


class Clock:
    """A UTC clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Moves time forward (``minutes=31``)."""
        self.now += timedelta(**delta)


@dataclass
class BotHarness:
    """A started Application on the test database, with an offline Bot API."""

    db: Database
    api: OfflineBotApi = field(default_factory=OfflineBotApi)
    clock: Clock = field(default_factory=Clock)
    app: JxcApplication | None = None

    async def start(self, *, rate_limited: bool = False) -> JxcApplication:
        """Builds, initializes and starts the Application (its post_init runs too)."""
        settings = load_settings(
            telegram_bot_token=TOKEN, database_url="sqlite+aiosqlite:///unused.db"
        )
        resources = BotResources(db=self.db, clock=self.clock)
        app = build_application(
            settings, self.db, request=self.api, rate_limited=rate_limited, resources=resources
        )
        await app.initialize()
        await app.start()
        if app.post_init is not None:
            await app.post_init(app)
        self.app = app
        return app

    async def stop(self) -> None:
        """Stops and shuts the Application down (persistence flushed)."""
        if self.app is not None:
            await self.app.stop()
            await self.app.shutdown()
            self.app = None

    async def restart(self) -> JxcApplication:
        """A new process on the same database: conversations are read back from it."""
        await self.stop()
        return await self.start()

    async def feed(self, payload: dict[str, Any]) -> None:
        """Delivers one update (Bot API JSON) to the Application."""
        assert self.app is not None
        update = Update.de_json(payload, self.app.bot)
        await self.app.process_update(update)

    def person(
        self,
        user_id: int,
        *,
        language: str = "en",
        chat: dict[str, Any] | None = None,
        first_name: str = "Tester",
    ) -> "Person":
        """Someone in a chat (their private chat with the bot unless ``chat`` is given)."""
        user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language,
        }
        the_chat = chat or {"id": user_id, "type": "private", "first_name": first_name}
        self.api.know_chat(the_chat)
        return Person(self, user, the_chat)


def group_chat(chat_id: int = -100123, title: str = "Shop staff") -> dict[str, Any]:
    """A supergroup chat."""
    return {"id": chat_id, "type": "supergroup", "title": title}


@dataclass
class Person:
    """A user in a chat: sends text, presses buttons, reads what the bot said."""

    harness: BotHarness
    user: dict[str, Any]
    chat: dict[str, Any]

    @property
    def api(self) -> OfflineBotApi:
        """The offline Bot API the bot talks to."""
        return self.harness.api

    async def send(self, text: str, **extra: Any) -> list[str]:
        """Types ``text`` (a /command gets its entity, as Telegram marks it)."""
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(self.harness.clock().timestamp()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
            **extra,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._deliver({"update_id": next(_update_ids), "message": message})

    async def press(self, label: str, *, exact: bool = False) -> list[str]:
        """Presses the newest button in this chat whose text contains ``label``."""
        message, data = self.find_button(label, exact=exact)
        return await self.press_data(data, message)

    async def press_data(self, data: str, message: dict[str, Any]) -> list[str]:
        """Presses a button by its callback data, on ``message``."""
        query = {
            "id": str(next(_update_ids)),
            "from": self.user,
            "chat_instance": f"ci{self.chat['id']}",
            "data": data,
            "message": {"date": message.get("date", 0), **message, "chat": self.chat},
        }
        return await self._deliver({"update_id": next(_update_ids), "callback_query": query})

    async def inline(self, query: str) -> list[dict[str, Any]]:
        """Types ``@bot query`` in any chat: the results the bot offers."""
        before = len(self.api.calls)
        await self.harness.feed(
            {
                "update_id": next(_update_ids),
                "inline_query": {
                    "id": str(next(_update_ids)),
                    "from": self.user,
                    "query": query,
                    "offset": "",
                },
            }
        )
        answers = [c for c in self.api.calls[before:] if c.method == "answerInlineQuery"]
        return list(answers[-1].params["results"]) if answers else []

    async def _deliver(self, payload: dict[str, Any]) -> list[str]:
        before = len(self.api.calls)
        await self.harness.feed(payload)
        return said(self.api.calls[before:])

    def find_button(self, label: str, *, exact: bool = False) -> tuple[dict[str, Any], str]:
        """The newest message of this chat with a button labelled ``label``, and its data."""
        for message in self.messages()[::-1]:
            for button in inline_buttons(message):
                text = str(button["text"])
                if (text == label if exact else label in text) and "callback_data" in button:
                    return message, str(button["callback_data"])
        raise AssertionError(f"no button {label!r}; last buttons: {self.buttons()}")

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, oldest first (edits applied)."""
        chat_id = int(self.chat["id"])
        return [m for (c, _), m in sorted(self.api.messages.items()) if c == chat_id]

    def last_text(self) -> str:
        """The text of the bot's newest message in this chat."""
        return str(self.messages()[-1].get("text", ""))

    def buttons(self, message: dict[str, Any] | None = None) -> list[str]:
        """Button labels of a message (default: the newest one with inline buttons)."""
        if message is None:
            with_buttons = [m for m in self.messages() if inline_buttons(m)]
            message = with_buttons[-1] if with_buttons else {}
        return [str(b["text"]) for b in inline_buttons(message)]

    def reply_keyboard(self) -> list[str]:
        """Labels of the newest reply keyboard shown in this chat."""
        for message in self.messages()[::-1]:
            markup = message.get("reply_markup") or {}
            if "keyboard" in markup:
                return [
                    str(b["text"] if isinstance(b, dict) else b)
                    for row in markup["keyboard"]
                    for b in row
                ]
        return []


def inline_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline button of a message."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def said(calls: list[Any]) -> list[str]:
    """Texts the bot sent, edited or showed as a toast, in order."""
    texts = []
    for call in calls:
        if call.method in {"sendMessage", "editMessageText"} or (
            call.method == "answerCallbackQuery" and call.params.get("text")
        ):
            texts.append(str(call.params["text"]))
        elif call.method in {"sendDocument", "sendPhoto"} and call.params.get("caption"):
            texts.append(str(call.params["caption"]))
    return texts


def joined(texts: list[str]) -> str:
    """All texts as one string, for ``in`` checks."""
    return "\n".join(texts)


Factory = Callable[..., Person]
