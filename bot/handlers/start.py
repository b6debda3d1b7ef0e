"""/start: the main menu for members, joining by invite link, opening a first business."""

from typing import Final

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, drop_draft, entry, require_draft, step
from bot.handlers.access import in_group
from bot.handlers.menu import main_menu
from bot.handlers.replies import reply
from bot.i18n import current_language
from bot.parse import InputError, name
from bot.render import callbacks as cb
from bot.render import start as render
from bot.render.errors import describe, invite_problem
from bot.render.guide import guide_offer
from bot.render.screen import Screen
from core.errors import DomainError, InviteUnusable, NoBusiness, PermissionDenied
from core.tenancy.businesses import CreateBusiness, create_business, current_business
from core.tenancy.members import AcceptInvite, accept_invite

FLOW: Final = "onboarding"
NAME: Final = "onboarding.name"
CURRENCY: Final = "onboarding.currency"
TIMEZONE: Final = "onboarding.timezone"
INVITE_PREFIX: Final = "inv_"
NEW_BUSINESS_TIMEOUT_MINUTES: Final = 30


@entry(FLOW)
async def start(update: Update, context: BotContext) -> object:
    """/start: an invite joins; a member gets the menu; anyone else opens a business."""
    message = update.effective_message
    assert message is not None
    assert update.effective_chat is not None
    if in_group(update):
        await message.reply_text(render.group_start())
        return END
    if context.args and context.args[0].startswith(INVITE_PREFIX):
        await _join(update, context, context.args[0].removeprefix(INVITE_PREFIX))
        return END
    try:
        business = await current_business(context.uow(), context.actor(update))
    except (NoBusiness, PermissionDenied):
        begin(context, FLOW, update.effective_chat.id, NEW_BUSINESS_TIMEOUT_MINUTES)
        await reply(update, render.ask_business_name())
        return NAME
    await reply(update, main_menu(render.welcome_back(business)))
    return END


async def _join(update: Update, context: BotContext, token: str) -> None:
    user = update.effective_user
    assert user is not None
    try:
        cmd = AcceptInvite.build(token=token, display_name=user.full_name[:100])
        business = await accept_invite(context.uow(), context.actor(update), cmd)
    except InviteUnusable as unusable:
        await reply(update, Screen(invite_problem(unusable.reason)))
        return
    except DomainError as invalid:  # a token of the wrong shape: no invite of ours
        await reply(update, Screen(describe(invalid)))
        return
    await reply(update, main_menu(render.joined(business)))


@step(FLOW)
async def got_name(update: Update, context: BotContext) -> object:
    """Keeps the business name and asks for the currency (with a one-tap default)."""
    message = update.effective_message
    assert message is not None
    try:
        business_name = name(message.text or "")
    except InputError as bad:
        await message.reply_text(str(bad))
        return NAME
    require_draft(context, FLOW)["name"] = business_name
    await reply(update, render.ask_currency(business_name))
    return CURRENCY


@step(FLOW)
async def took_defaults(update: Update, context: BotContext) -> object:
    """The one-tap default: CNY and Asia/Shanghai; opens the business."""
    return await _open(update, context, render.DEFAULT_CURRENCY, render.DEFAULT_TIMEZONE)


@step(FLOW)
async def chose_currency(update: Update, context: BotContext) -> object:
    """A currency button or a typed code; asks for the time zone."""
    if update.callback_query is not None:
        currency = cb.args(update.callback_query.data)[0]
    else:
        currency = (update.effective_message.text or "").strip().upper()  # type: ignore[union-attr]
    try:
        CreateBusiness.build(name="x", request_id="check", base_currency=currency)
    except DomainError:
        await reply(update, Screen(render.unknown_currency(currency)))
        return CURRENCY
    require_draft(context, FLOW)["currency"] = currency
    await reply(update, render.ask_timezone(currency))
    return TIMEZONE


@step(FLOW)
async def chose_timezone(update: Update, context: BotContext) -> object:
    """A time-zone button or a typed name; opens the business."""
    if update.callback_query is not None:
        zone = cb.args(update.callback_query.data)[0]
    else:
        zone = (update.effective_message.text or "").strip()  # type: ignore[union-attr]
    draft = require_draft(context, FLOW)
    return await _open(update, context, draft["currency"], zone)


async def _open(update: Update, context: BotContext, currency: str, zone: str) -> object:
    draft = require_draft(context, FLOW)
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
        return TIMEZONE
    business = await create_business(context.uow(), context.actor(update), cmd)
    drop_draft(context)
    await reply(update, main_menu(render.business_opened(business)))
    await reply(update, guide_offer())
    return END


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /start and the opening of a first business."""
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[CommandHandler("start", start)],
            states={
                NAME: [MessageHandler(text, got_name)],
                CURRENCY: [
                    CallbackQueryHandler(took_defaults, pattern=cb.pattern("onb.default")),
                    CallbackQueryHandler(chose_currency, pattern=cb.pattern("onb.cur")),
                    MessageHandler(text, chose_currency),
                ],
                TIMEZONE: [
                    CallbackQueryHandler(chose_timezone, pattern=cb.pattern("onb.tz")),
                    MessageHandler(text, chose_timezone),
                ],
            },
        )
    )
