"""A Bot API server in-process: what ``jxc-bot console`` and the bot tests talk to.

It answers every request the bot makes with a valid response, as Telegram would, and keeps
what the bot said: each chat's messages (edits applied), button answers, files sent. Nothing
leaves the process.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

BOT_USER: Final = {
    "id": 999000111,
    "is_bot": True,
    "first_name": "jxc",
    "username": "jxc_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
_MESSAGE_METHODS: Final = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)


@dataclass
class Call:
    """One request the bot made: the Bot API method and its parameters."""

    method: str
    params: dict[str, Any]


@dataclass
class SentFile:
    """A file the bot sent: a document or a photo."""

    chat_id: int
    filename: str
    content: bytes
    caption: str | None


@dataclass(frozen=True)
class Failure:
    """How the Bot API answers a message to a chat instead of delivering it (tests)."""

    status: int  # the HTTP status Telegram answers; 0: no answer at all (``raises``)
    description: str = ""
    retry_after: int | None = None
    raises: type[NetworkError] = NetworkError

    def answer(self) -> tuple[int, bytes]:
        """The response, or the network error, Telegram would give."""
        if self.status == 0:
            raise self.raises(self.description or "connection reset by peer")
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return self.status, json.dumps(body).encode()


BLOCKED: Final = Failure(403, "Forbidden: bot was blocked by the user")
KICKED: Final = Failure(403, "Forbidden: bot was kicked from the supergroup chat")
CHAT_NOT_FOUND: Final = Failure(400, "Bad Request: chat not found")
NETWORK_DOWN: Final = Failure(0, "connection reset by peer")


def flood(seconds: int) -> Failure:
    """Telegram's 429: too many messages, try again in ``seconds``."""
    return Failure(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


@dataclass
class _ChatFailure:
    failure: Failure
    left: int | None  # None: every time


@dataclass
class OfflineBotApi(BaseRequest):
    """The Bot API without a network; ``on_message`` hears every message sent or edited."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    files: list[SentFile] = field(default_factory=list)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    downloads: dict[str, bytes] = field(default_factory=dict)  # file_id → content
    on_message: Callable[[dict[str, Any], bool], None] | None = None  # (message, edited)
    fail_next: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)  # callback query ids
    chat_failures: dict[int, list[_ChatFailure]] = field(default_factory=dict)
    _next_id: int = 1

    @property
    def read_timeout(self) -> float | None:
        """No network, no waiting."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def fail_chat(self, chat_id: int, failure: Failure, *, times: int | None = 1) -> None:
        """Answers the next ``times`` messages sent to the chat with ``failure`` (None: all).

        Failures queued for a chat are used in order; ``heal_chat`` drops them.
        """
        self.chat_failures.setdefault(chat_id, []).append(_ChatFailure(failure, times))

    def heal_chat(self, chat_id: int) -> None:
        """Messages to the chat are delivered again."""
        self.chat_failures.pop(chat_id, None)

    def _chat_failure(self, name: str, params: dict[str, Any]) -> Failure | None:
        if not name.startswith("send") or "chat_id" not in params:
            return None
        pending = self.chat_failures.get(int(params["chat_id"]))
        if not pending:
            return None
        head = pending[0]
        if head.left is not None:
            head.left -= 1
            if head.left <= 0:
                pending.pop(0)
        return head.failure

    def know_chat(self, chat: dict[str, Any]) -> None:
        """Remembers a chat (its type and title) for the messages sent into it."""
        self.chats[int(chat["id"])] = chat

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *_: Any,
        **__: Any,
    ) -> tuple[int, bytes]:
        """Answers one Bot API request."""
        del method  # POST for everything the bot calls; GET for downloads, told by the URL
        if "/file/" in url:  # a download: GET base_file_url/<path>
            return 200, self.downloads.get(url.rsplit("/", 1)[-1], b"")
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(name, params))
        if name in self.fail_next:
            status, body = self.fail_next.pop(name)
            return status, json.dumps(body).encode()
        failure = self._chat_failure(name, params)
        if failure is not None:
            return failure.answer()
        if request_data is not None and request_data.multipart_data:
            self._keep_files(name, params, request_data.multipart_data)
        refusal = self._refusal(name, params)
        if refusal is not None:
            body = {"ok": False, "error_code": 400, "description": f"Bad Request: {refusal}"}
            return 400, json.dumps(body).encode()
        result = self._result(name, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _refusal(self, name: str, params: dict[str, Any]) -> str | None:
        """What Telegram refuses: a press answered twice, an edit that changes nothing."""
        if name == "answerCallbackQuery":
            query_id = str(params["callback_query_id"])
            if query_id in self.answered:
                return "query is too old and response timeout expired or query id is invalid"
            self.answered.add(query_id)
        if name == "editMessageText":
            old = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
            if (
                old is not None
                and old.get("text") == params.get("text")
                and old.get("reply_markup") == params.get("reply_markup")
            ):
                return (
                    "message is not modified: specified new message content and reply "
                    "markup are exactly the same as a current message content and reply markup"
                )
        return None

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name in _MESSAGE_METHODS:
            return self._message(name, params)
        if name == "getFile":
            file_id = str(params["file_id"])
            return {"file_id": file_id, "file_unique_id": file_id, "file_path": file_id}
        if name == "getUpdates":
            return []
        if name == "getChat":
            return self.chats.get(
                int(params["chat_id"]), {"id": params["chat_id"], "type": "private"}
            )
        return True

    def _message(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat = self.chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "you"})
        edited = name.startswith("edit")
        if edited:
            key = (chat_id, int(params["message_id"]))
            message = self.messages.setdefault(key, {"message_id": key[1], "chat": chat})
            if "text" in params:
                message["text"] = params["text"]
            message["reply_markup"] = params.get("reply_markup")
            message["edit_date"] = int(time.time())
        else:
            message = {
                "message_id": self._next_id,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "reply_markup": params.get("reply_markup"),
            }
            self._next_id += 1
            if "text" in params:
                message["text"] = params["text"]
            if name == "sendDocument":
                message["document"] = {
                    "file_id": f"doc{message['message_id']}",
                    "file_unique_id": f"doc{message['message_id']}",
                }
                message["caption"] = params.get("caption")
            if name == "sendPhoto":
                message["photo"] = [
                    {
                        "file_id": f"photo{message['message_id']}",
                        "file_unique_id": f"photo{message['message_id']}",
                        "width": 1,
                        "height": 1,
                    }
                ]
                message["caption"] = params.get("caption")
            self.messages[(chat_id, message["message_id"])] = message
        if self.on_message is not None:
            self.on_message(message, edited)
        answer = {key: value for key, value in message.items() if value is not None}
        if "inline_keyboard" not in (answer.get("reply_markup") or {}):
            answer.pop("reply_markup", None)  # Telegram returns only inline keyboards
        return answer

    def _keep_files(self, name: str, params: dict[str, Any], parts: dict[str, Any]) -> None:
        for part in parts.values():
            filename, content = str(part[0]), part[1]
            data = content if isinstance(content, bytes) else content.read()
            self.files.append(
                SentFile(int(params["chat_id"]), filename, data, params.get("caption"))
            )
        del name

    def methods(self) -> list[str]:
        """The Bot API methods called, in order."""
        return [call.method for call in self.calls]
