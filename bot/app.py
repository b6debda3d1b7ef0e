"""The composition root: builds the Application and runs it (polling or webhook)."""

import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.context import BotContext, BotResources
from bot.conversations.flow import expire_idle_flows
from bot.handlers import register_all
from bot.handlers.menu import command_menu
from bot.i18n import use_language
from bot.jobs.backup import register_backup
from bot.jobs.daily import register_daily
from bot.jobs.delivery import schedule_delivery
from bot.persistence import DatabasePersistence
from core.db.engine import Database, open_database
from core.settings import Settings

logger = logging.getLogger(__name__)

MENU_LANGUAGES = {"zh": "zh-CN", "en": "en"}  # setMyCommands takes two-letter codes


class JxcApplication(Application[Any, BotContext, Any, Any, BotResources, Any]):
    """PTB's Application, writing persistence after every update instead of every 60 s."""

    async def process_update(self, update: object) -> None:
        """Handles the update, then saves the conversation steps and drafts it changed."""
        await super().process_update(update)
        if self.persistence is not None:
            await self.update_persistence()

    async def update_persistence(self) -> None:
        """Hands the changed data to the persistence, which commits it in one transaction."""
        await super().update_persistence()
        if isinstance(self.persistence, DatabasePersistence):
            await self.persistence.write()


def file_base_url(api_base_url: str) -> str:
    """Where files are downloaded: ``https://api.telegram.org/bot`` → ``.../file/bot``."""
    head, _, tail = api_base_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}"


def build_application(
    settings: Settings,
    db: Database,
    *,
    request: BaseRequest | None = None,
    rate_limited: bool = True,
    resources: BotResources | None = None,
    deliver_alerts: bool = False,
) -> JxcApplication:
    """The bot: handlers, database persistence, job queue and rate limiter.

    Args:
        settings: the operator's settings; the token and the Bot API URL come from here.
        db: the open database, shared by core calls and persistence.
        request: how to reach the Bot API (tests and the console pass an offline one).
        rate_limited: AIORateLimiter on (benchmarks turn it off to measure the bot itself).
        resources: process-wide resources (tests pass a clock); made from ``db`` if None.
        deliver_alerts: run the alert jobs — outbox delivery, and each business's daily
            reminders and digest (``jxc-bot run`` only: the console and tests talk to an
            offline Bot API, where a delivered alert reaches nobody yet counts as sent).
    """
    token = settings.telegram_bot_token
    if token is None:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN")
    shared = resources or BotResources(db=db, admin_chat_id=settings.admin_chat_id)
    builder = (
        ApplicationBuilder()
        .application_class(JxcApplication)
        .token(token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        .persistence(DatabasePersistence(db))
        # bot_data is made by calling this (PTB's stub wants a type): one BotResources
        .context_types(ContextTypes(context=BotContext, bot_data=lambda: shared))  # type: ignore[call-overload]
        .defaults(Defaults(parse_mode=ParseMode.HTML))  # renderers escape what users typed
        .post_init(on_start)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limited:
        limiter = AIORateLimiter(max_retries=2)  # its retries: our own args, not PTB's None
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    application: JxcApplication = builder.build()  # type: ignore[assignment]
    register_all(application)
    if deliver_alerts:
        schedule_delivery(application, settings)
        register_daily(application)  # reminders and digests at each business's time
        register_backup(application, settings)  # nightly, if BACKUP_DIR is set
    return application


async def on_start(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Sets the command menu per language and ends flows that went idle while we were down."""
    resources: BotResources = application.bot_data
    resources.bot_username = application.bot.username
    for code, language in MENU_LANGUAGES.items():
        with use_language(language):
            commands = [BotCommand(name, text) for name, text in command_menu()]
        await application.bot.set_my_commands(
            commands, scope=BotCommandScopeDefault(), language_code=code
        )
    with use_language("en"):
        commands = [BotCommand(name, text) for name, text in command_menu()]
    await application.bot.set_my_commands(commands)  # users of any other language
    await expire_idle_flows(application)


def build_and_run(settings: Settings) -> None:
    """Runs the bot until Ctrl-C or SIGTERM: long polling, or a webhook server if configured.

    The Bot API server is ``TELEGRAM_API_BASE_URL`` (Telegram's unless set), and the rate
    limiter keeps the bot within Telegram's flood limits.
    """
    db = open_database(settings.database_url)  # no I/O yet: connects in PTB's event loop
    application = build_application(settings, db, deliver_alerts=True)
    application.post_shutdown = _disposer(db)
    if settings.webhook_url is None:
        logger.info("long polling %s", settings.telegram_api_base_url)  # the token is not in it
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        return
    logger.info(
        "webhook server on %s:%s for %s",
        settings.webhook_listen,
        settings.webhook_port,
        settings.webhook_url,
    )
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=webhook_path(settings.webhook_url),
        webhook_url=settings.webhook_url,
        secret_token=webhook_secret(settings),
        allowed_updates=Update.ALL_TYPES,
    )


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram must send with each update: WEBHOOK_SECRET, or one made now.

    A made one is logged once (WARNING), so the operator can set it for the next start; PTB's
    webhook server answers 403 to any request without it in ``X-Telegram-Bot-Api-Secret-Token``.
    """
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    secret = secrets.token_urlsafe(32)  # 43 of A-Z a-z 0-9 _ -: what Telegram allows
    logger.warning("WEBHOOK_SECRET is not set; generated one for this run: %s", secret)
    return secret


def webhook_path(url: str) -> str:
    """The path the webhook server serves: ``https://bot.example.com/tg/hook`` → ``tg/hook``."""
    return urlsplit(url).path.strip("/")


def _disposer(db: Database) -> Any:
    async def dispose(_application: object) -> None:
        await db.dispose()

    return dispose
