"""A Bot API server on 127.0.0.1, for running the real ``jxc-bot run`` process against.

``HttpBotApi`` serves ``POST /bot<token>/<method>`` in a thread, answering as Telegram would
(the answers come from ``OfflineBotApi``, which keeps the chats), hands queued updates out to
``getUpdates`` (long polling with a short wait), serves downloads at
``GET /file/bot<token>/<path>`` and records every request. ``Chatter`` is a Telegram user in a
private chat with the bot: it queues messages and button presses and waits, with a timeout, for
what the bot says in answer.
"""

import itertools
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

from bot.offline import OfflineBotApi

POLL_WAIT_SECONDS: Final = 0.5  # getUpdates holds at most this long: a quick SIGTERM
_INT_FIELDS: Final = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "from_chat_id"}
)
_update_ids = itertools.count(1)
_message_ids = itertools.count(10_000)


@dataclass
class Request:
    """One HTTP request the bot made."""

    method: str  # the Bot API method, or "download" for GET /file/...
    params: dict[str, Any]
    path: str
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field → (name, content)


def _value(name: str, raw: str) -> Any:
    """A form value as PTB sent it: strings raw, everything else JSON."""
    if name in _INT_FIELDS or raw[:1] in "{[" or raw in {"true", "false"}:
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        params: dict[str, Any] = {}
        files: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = (filename, payload)
            else:
                params[str(name)] = _value(str(name), payload.decode())
        return params, files
    if content_type.startswith("application/json"):
        return (json.loads(body) if body else {}), {}
    pairs = parse_qsl(body.decode(), keep_blank_values=True)
    return {name: _value(name, raw) for name, raw in pairs}, {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (the bot stopping mid long poll) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class HttpBotApi:
    """The Bot API for one token, in a thread; ``base_url`` is TELEGRAM_API_BASE_URL."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.offline = OfflineBotApi()  # answers, and the chats' messages
        self.requests: list[Request] = []
        self.downloads: dict[str, bytes] = {}  # file_path → content served at /file/...
        self._updates: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL is set to."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> "HttpBotApi":
        """Starts serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving and closes the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- what the test does -----------------------------------------------------------------

    def queue(self, payload: dict[str, Any]) -> int:
        """Queues an update (without ``update_id``) for getUpdates; returns its id."""
        update_id = next(_update_ids)
        with self._changed:
            self._updates.append({"update_id": update_id, **payload})
            self._changed.notify_all()
        return update_id

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Waits until ``check()`` is truthy and returns it; fails naming ``what`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (found := check()):
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [r.method for r in self.requests if r.method != "getUpdates"]
                    raise AssertionError(
                        f"timed out waiting for {what}; last requests: {methods[-15:]}"
                    )
                self._changed.wait(min(left, 0.2))
        return found

    def methods(self) -> list[str]:
        """The methods requested so far, in order."""
        with self._changed:
            return [request.method for request in self.requests]

    def pending(self) -> int:
        """Updates queued and not yet confirmed by a later getUpdates offset."""
        with self._changed:
            return len(self._updates)

    # --- serving ----------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                del format, args  # quiet: the test reads api.requests

            def do_GET(self) -> None:
                prefix = f"/file/bot{api.token}/"
                path = unquote(self.path)  # httpx sends the token's colon as %3A
                if not path.startswith(prefix):
                    api._record(Request("refused", {}, self.path))
                    self._send(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
                    return
                file_path = path[len(prefix) :]
                api._record(Request("download", {"file_path": file_path}, path))
                content = api.downloads.get(file_path)
                if content is None:
                    self._send(404, b"not found")
                    return
                self._send(200, content, "application/octet-stream")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                prefix = f"/bot{api.token}/"
                if not unquote(self.path).startswith(prefix):
                    api._record(Request("refused", {}, self.path))
                    self._send(401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}')
                    return
                method = unquote(self.path)[len(prefix) :]
                params, files = _parse_body(self.headers.get("Content-Type", ""), body)
                status, answer = api._answer(method, params, files, self.path)
                self._send(status, json.dumps(answer).encode())

            def _send(
                self, status: int, content: bytes, content_type: str = "application/json"
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot gave up on a long poll while stopping: nothing to tell

        return Handler

    def _record(self, request: Request) -> None:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def _answer(
        self, method: str, params: dict[str, Any], files: dict[str, Any], path: str
    ) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":
            updates = self._take_updates(params)
            self._record(Request(method, params, path))
            return 200, {"ok": True, "result": updates}
        with self._changed:
            if files:  # what the bot sends as a file is kept like OfflineBotApi keeps it
                self.offline._keep_files(method, params, files)
            result = self.offline._result(method, params)  # the same answers as offline
            self.requests.append(Request(method, params, path, files))
            self._changed.notify_all()
        return 200, {"ok": True, "result": result}

    def _take_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), POLL_WAIT_SECONDS)
        deadline = time.monotonic() + wait
        with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmed
            while not self._updates and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            limit = int(params.get("limit") or 100)
            return list(self._updates[:limit])


@dataclass
class Chatter:
    """A Telegram user in a private chat with the bot behind ``api``."""

    api: HttpBotApi
    user_id: int
    language: str = "en"
    first_name: str = "Tester"

    @property
    def user(self) -> dict[str, Any]:
        """The Bot API ``User``."""
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language,
        }

    @property
    def chat(self) -> dict[str, Any]:
        """The private chat."""
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    def said(self, since: int) -> list[str]:
        """What the bot said in this chat since request number ``since`` (texts and toasts)."""
        texts = []
        for request in self.api.requests[since:]:
            if (
                request.method in {"sendMessage", "editMessageText", "sendDocument"}
                and int(request.params.get("chat_id", 0)) == self.user_id
            ):
                texts.append(
                    str(request.params.get("text") or request.params.get("caption") or "")
                )
            elif request.method == "answerCallbackQuery" and request.params.get("text"):
                texts.append(str(request.params["text"]))
        return texts

    @contextmanager
    def _answer_to(self, expected: str, timeout: float) -> Iterator[list[str]]:
        since = len(self.api.requests)
        answers: list[str] = []
        yield answers
        found = self.api.wait_for(
            f"{expected!r} in chat {self.user_id}",
            lambda: [t for t in self.said(since) if expected in t] and self.said(since),
            timeout,
        )
        answers.extend(found)

    def send(self, text: str, expect: str, *, timeout: float = 30.0, **extra: Any) -> list[str]:
        """Sends ``text`` and waits until the bot says something containing ``expect``."""
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **({"text": text} if text else {}),
            **extra,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        with self._answer_to(expect, timeout) as answers:
            self.api.queue({"message": message})
        return answers

    def send_file(
        self,
        name: str,
        content: bytes,
        expect: str,
        *,
        mime_type: str = "text/plain",
        timeout: float = 30.0,
    ) -> list[str]:
        """Sends a document; the bot downloads it from the server's /file/ path."""
        file_id = f"upload{next(_message_ids)}"
        self.api.downloads[file_id] = content  # OfflineBotApi's getFile: file_path = file_id
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        return self.send("", expect, timeout=timeout, document=document)

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, oldest first (edits applied)."""
        with self.api._changed:  # the server thread writes them
            return [
                m for (c, _), m in sorted(self.api.offline.messages.items()) if c == self.user_id
            ]

    def buttons(self) -> list[str]:
        """Labels of the newest inline keyboard in this chat."""
        for message in self.messages()[::-1]:
            markup = message.get("reply_markup") or {}
            if markup.get("inline_keyboard"):
                return [str(b["text"]) for row in markup["inline_keyboard"] for b in row]
        return []

    def press(self, label: str, expect: str, *, timeout: float = 30.0) -> list[str]:
        """Presses the newest button whose label contains ``label``; waits for ``expect``."""
        for message in self.messages()[::-1]:
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if label in str(button["text"]) and "callback_data" in button:
                        query = {
                            "id": str(next(_message_ids)),
                            "from": self.user,
                            "chat_instance": f"ci{self.user_id}",
                            "data": button["callback_data"],
                            "message": {"date": int(time.time()), **message},
                        }
                        with self._answer_to(expect, timeout) as answers:
                            self.api.queue({"callback_query": query})
                        return answers
        raise AssertionError(f"no button {label!r}; buttons: {self.buttons()}")
