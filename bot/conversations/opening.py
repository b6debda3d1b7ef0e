"""Opening a business in three messages: name → currency (one-tap default) → time zone.

Shared by /start (a newcomer's first business) and /business (another one); each flow has
its own name, so its steps and drafts are its own.
"""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations.flow import END, drop_draft, require_draft, step
from bot.handlers.menu import main_menu
from bot.handlers.replies import reply
from bot.i18n import current_language
from bot.parse import InputError, name
from bot.render import callbacks as cb
from bot.render import start as render
from bot.render.guide import guide_offer
from bot.render.screen import Screen
from core.errors import DomainError
from core.tenancy.businesses import CreateBusiness, create_business

TEXT = filters.TEXT & ~filters.COMMAND


class BusinessOpening:
    """The steps after the name was asked: ``NAME`` is the state to return from the entry."""

    def __init__(self, flow: str) -> None:
        self.flow = flow
        self.NAME, self.CURRENCY, self.TIMEZONE = (
            f"{flow}.name",
            f"{flow}.currency",
            f"{flow}.timezone",
        )

    def states(self) -> dict[object, list[BaseHandler[Update, BotContext, object]]]:
        """The flow's states from the name on."""
        on = step(self.flow)
        return {
            self.NAME: [MessageHandler(TEXT, on(self.got_name))],
            self.CURRENCY: [
                CallbackQueryHandler(on(self.took_defaults), pattern=cb.pattern("onb.default")),
                CallbackQueryHandler(on(self.chose_currency), pattern=cb.pattern("onb.cur")),
                MessageHandler(TEXT, on(self.chose_currency)),
            ],
            self.TIMEZONE: [
                CallbackQueryHandler(on(self.chose_timezone), pattern=cb.pattern("onb.tz")),
                MessageHandler(TEXT, on(self.chose_timezone)),
            ],
        }

    async def got_name(self, update: Update, context: BotContext) -> object:
        """Keeps the business name and asks for the currency (with a one-tap default)."""
        message = update.effective_message
        assert message is not None
        try:
            business_name = name(message.text or "")
        except InputError as bad:
            await reply(update, Screen(str(bad)))
            return self.NAME
        require_draft(context, self.flow)["name"] = business_name
        await reply(update, render.ask_currency(business_name))
        return self.CURRENCY

    async def took_defaults(self, update: Update, context: BotContext) -> object:
        """The one-tap default: CNY and Asia/Shanghai; opens the business."""
        return await self._open(update, context, render.DEFAULT_CURRENCY, render.DEFAULT_TIMEZONE)

    async def chose_currency(self, update: Update, context: BotContext) -> object:
        """A currency button or a typed code; asks for the time zone."""
        if update.callback_query is not None:
            currency = cb.args(update.callback_query.data)[0]
        else:
            currency = (update.effective_message.text or "").strip().upper()  # type: ignore[union-attr]
        try:
            CreateBusiness.build(name="x", request_id="check", base_currency=currency)
        except DomainError:
            await reply(update, Screen(render.unknown_currency(currency)))
            return self.CURRENCY
        require_draft(context, self.flow)["currency"] = currency
        await reply(update, render.ask_timezone(currency))
        return self.TIMEZONE

    async def chose_timezone(self, update: Update, context: BotContext) -> object:
        """A time-zone button or a typed name; opens the business."""
        if update.callback_query is not None:
            zone = cb.args(update.callback_query.data)[0]
        else:
            zone = (update.effective_message.text or "").strip()  # type: ignore[union-attr]
        currency = require_draft(context, self.flow)["currency"]
        return await self._open(update, context, currency, zone)

    async def _open(self, update: Update, context: BotContext, currency: str, zone: str) -> object:
        draft = require_draft(context, self.flow)
        user = update.effective_user
        assert user is not None
        try:
            cmd = CreateBusiness.build(
                name=draft["name"],
                base_currency=currency,
                timezone=zone,
                locale=current_language(),
                owner_name=user.full_name[:100],
                request_id=draft["request_id"],
            )
        except DomainError:
            await reply(update, Screen(render.unknown_zone(zone)))
            return self.TIMEZONE
        business = await create_business(context.uow(), context.actor(update), cmd)
        drop_draft(context)
        await reply(update, main_menu(render.business_opened(business)))
        await reply(update, guide_offer())
        return END
