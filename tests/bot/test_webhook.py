"""The webhook server: only updates carrying the secret are handled; the secret itself."""

import asyncio
import logging
import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot import app as app_module
from bot.app import JxcApplication, build_and_run, build_application, webhook_path, webhook_secret
from bot.context import BotResources
from bot.offline import OfflineBotApi
from core.db.engine import Database
from core.settings import load_settings
from tests.bot.harness import TOKEN, Clock

SECRET = "s3cret_Token-of-the-operator"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_update(update_id: int, user_id: int = 321) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Web"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Web", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


class Served:
    def __init__(self, api: OfflineBotApi, url: str) -> None:
        self.api = api
        self.url = url
        self.said = asyncio.Event()
        api.on_message = lambda message, edited: self.said.set()

    def answers(self) -> list[str]:
        return [str(c.params["text"]) for c in self.api.calls if c.method == "sendMessage"]

    async def wait_for_answers(self, count: int) -> list[str]:
        async with asyncio.timeout(20):
            while len(self.answers()) < count:
                self.said.clear()
                await self.said.wait()
        return self.answers()


@pytest.fixture
async def webhook(db: Database) -> AsyncIterator[Served]:
    """The Application behind PTB's webhook server on 127.0.0.1, Bot API calls kept offline."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = load_settings(
        telegram_bot_token=TOKEN, database_url="sqlite+aiosqlite:///unused.db", webhook_url=url
    )
    api = OfflineBotApi()
    application = build_application(
        settings, db, request=api, rate_limited=False, resources=BotResources(db=db, clock=Clock())
    )
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path=webhook_path(url),
        webhook_url=url,
        secret_token=SECRET,
    )
    await application.start()
    try:
        yield Served(api, url)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_the_webhook_is_registered_with_its_secret(webhook: Served) -> None:
    [registered] = [c.params for c in webhook.api.calls if c.method == "setWebhook"]

    assert registered["url"] == webhook.url
    assert registered["secret_token"] == SECRET


async def test_an_update_with_the_secret_is_handled(webhook: Served) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(webhook.url, json=start_update(1), headers={HEADER: SECRET})

    assert answer.status_code == 200
    [greeting] = await webhook.wait_for_answers(1)
    assert "What is it called?" in greeting


@pytest.mark.parametrize("headers", [{}, {HEADER: "wrong"}, {HEADER: SECRET + "x"}])
async def test_an_update_without_the_right_secret_is_refused_and_not_handled(
    webhook: Served, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient() as client:
        refused = await client.post(webhook.url, json=start_update(7, user_id=7), headers=headers)
        accepted = await client.post(
            webhook.url, json=start_update(8, user_id=8), headers={HEADER: SECRET}
        )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    await webhook.wait_for_answers(1)  # the good one, sent after the bad one, is answered...
    await asyncio.sleep(0.2)  # ...and nothing more arrives
    chats = [c.params["chat_id"] for c in webhook.api.calls if c.method == "sendMessage"]
    assert chats == [8]


def test_a_configured_secret_is_used_as_it_is_and_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings(webhook_url="https://bot.example.com/tg", webhook_secret=SECRET)

    with caplog.at_level(logging.INFO):
        assert webhook_secret(settings) == SECRET

    assert SECRET not in caplog.text


def test_without_a_secret_one_is_generated_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings(webhook_url="https://bot.example.com/tg")

    with caplog.at_level(logging.INFO, logger="bot.app"):
        first = webhook_secret(settings)
    second = webhook_secret(settings)

    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", first)  # what Telegram accepts
    assert first != second
    [record] = [r for r in caplog.records if first in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "WEBHOOK_SECRET is not set" in record.getMessage()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.com/telegram", "telegram"),
        ("https://bot.example.com/a/b/", "a/b"),
        ("https://bot.example.com", ""),
        ("https://bot.example.com:8443/hook?x=1", "hook"),
    ],
)
def test_the_server_serves_the_path_of_the_webhook_url(url: str, path: str) -> None:
    assert webhook_path(url) == path


def test_build_and_run_starts_the_webhook_server_when_a_url_is_set(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(JxcApplication, "run_webhook", lambda self, **kw: started.append(kw))
    monkeypatch.setattr(JxcApplication, "run_polling", lambda self, **kw: pytest.fail("polled"))
    settings = load_settings(
        telegram_bot_token=TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/jxc.db",
        webhook_url="https://bot.example.com/tg/hook",
        webhook_listen="127.0.0.1",
        webhook_port=8081,
    )

    with caplog.at_level(logging.WARNING, logger="bot.app"):
        build_and_run(settings)

    [options] = started
    assert (options["listen"], options["port"]) == ("127.0.0.1", 8081)
    assert options["url_path"] == "tg/hook"
    assert options["webhook_url"] == "https://bot.example.com/tg/hook"
    assert options["secret_token"] in caplog.text  # generated, and told to the operator


def test_build_and_run_polls_without_a_webhook_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(JxcApplication, "run_polling", lambda self, **kw: started.append(kw))
    monkeypatch.setattr(JxcApplication, "run_webhook", lambda self, **kw: pytest.fail("webhook"))
    built: list[bool] = []
    real_build = app_module.build_application

    def build(*args: Any, **kwargs: Any) -> JxcApplication:
        application = real_build(*args, **kwargs)
        built.append(application.bot.rate_limiter is not None)
        return application

    monkeypatch.setattr(app_module, "build_application", build)
    settings = load_settings(
        telegram_bot_token=TOKEN, database_url=f"sqlite+aiosqlite:///{tmp_path}/jxc.db"
    )

    build_and_run(settings)

    assert [options["drop_pending_updates"] for options in started] == [False]
    assert built == [True]  # AIORateLimiter is on in production
