"""/business (switch, create another), /bind and /unbind in a group, /help.

``register`` also adds /settings, /members and the guided tour from their own modules, flows
first, so that a command sent in the middle of one of these flows is told to finish it.
"""

from typing import Final

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, entry
from bot.conversations.opening import BusinessOpening
from bot.handlers import guide, members, settings
from bot.handlers.access import GROUP_BUSINESS, in_group
from bot.handlers.replies import reply, show
from bot.render import admin as render
from bot.render import callbacks as cb
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import DomainError, NoBusiness, PermissionDenied
from core.tenancy.access import Actor
from core.tenancy.businesses import current_business
from core.tenancy.groups import BindGroup, bind_group
from core.tenancy.members import SwitchBusiness, my_businesses, switch_business

FLOW: Final = "newbiz"
OPENING: Final = BusinessOpening(FLOW)
NEW_BUSINESS_TIMEOUT_MINUTES: Final = 30


# /business


async def businesses(update: Update, context: BotContext) -> None:
    """/business (or its More button): my businesses, switch, create another."""
    if in_group(update):
        await reply(update, render.private_only())
        return
    await reply(update, await _businesses(update, context))


async def switch(update: Update, context: BotContext) -> None:
    """↪ <business>: work in it from now on."""
    query = update.callback_query
    assert query is not None
    cmd = SwitchBusiness.build(business_id=int(cb.args(query.data)[0]))
    chosen = await switch_business(context.uow(), context.actor(update), cmd)
    await show(update, await _businesses(update, context, render.switched(chosen)))


async def _businesses(update: Update, context: BotContext, note: str | None = None) -> Screen:
    mine = await my_businesses(context.uow(), context.actor(update))
    try:
        current: int | None = (
            await current_business(context.uow(), context.actor(update))
        ).business_id
    except DomainError:  # none chosen, or removed from the chosen one
        current = None
    return render.businesses_screen(mine, current, note)


@entry(FLOW)
async def new_business(update: Update, context: BotContext) -> object:
    """➕ Create another business: asks its name."""
    assert update.effective_chat is not None
    if in_group(update):
        await reply(update, render.private_only())
        return END
    begin(context, FLOW, update.effective_chat.id, NEW_BUSINESS_TIMEOUT_MINUTES)
    await reply(update, render.ask_new_business_name())
    return OPENING.NAME


# /bind, /unbind


async def bind(update: Update, context: BotContext) -> None:
    """/bind in a group: the owner's current business works and announces here."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    assert user is not None
    assert context.chat_data is not None
    if not in_group(update):
        await reply(update, Screen(render.bind_in_a_group()))
        return
    own = Actor(user_id=user.id, in_public=True)  # their own business, not the group's
    try:
        before = await current_business(context.uow(), own)
        business = await bind_group(context.uow(), own, BindGroup.build(chat_id=chat.id))
    except PermissionDenied as refused:
        text = render.only_owner_binds() if refused.role else describe(refused)
        await reply(update, Screen(text))
        return
    context.chat_data[GROUP_BUSINESS] = business.business_id  # access.py reads this cache
    if before.group_chat_id not in (None, chat.id):
        _forget_group(context, before.group_chat_id)
    await reply(update, Screen(render.bound(business)))


async def unbind(update: Update, context: BotContext) -> None:
    """/unbind in a bound group (owner): members no longer work here."""
    chat = update.effective_chat
    assert chat is not None
    assert context.chat_data is not None
    if not in_group(update):
        await reply(update, Screen(render.bind_in_a_group()))
        return
    cmd = BindGroup.build(chat_id=chat.id, bind=False)
    try:
        business = await bind_group(context.uow(), context.actor(update), cmd)
    except PermissionDenied as refused:
        text = render.only_owner_binds() if refused.role else describe(refused)
        await reply(update, Screen(text))
        return
    context.chat_data[GROUP_BUSINESS] = None
    await reply(update, Screen(render.unbound(business)))


def _forget_group(context: BotContext, chat_id: int | None) -> None:
    """The business's earlier group: its cached business is stale, read it again next time."""
    if chat_id is None:
        return
    cached = context.application.chat_data.get(chat_id)
    if cached is not None and cached.pop(GROUP_BUSINESS, None) is not None:
        context.application.mark_data_for_update_persistence(chat_ids=chat_id)


# /help


async def show_help(update: Update, context: BotContext) -> None:
    """/help: what this member's role can do; a short version in a group."""
    if in_group(update):
        await reply(update, render.group_help(context.group_business_id is not None))
        return
    try:
        business = await current_business(context.uow(), context.actor(update))
    except (NoBusiness, PermissionDenied):
        await reply(update, render.help_newcomer())
        return
    await reply(update, render.help_screen(business, context.bot.username))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the owner's and everyone's admin commands, flows first."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[CallbackQueryHandler(new_business, pattern=cb.pattern("biz.new"))],
            states=OPENING.states(),
        )
    )
    settings.register(application)  # its flow, then its commands
    members.register(application)
    application.add_handler(CommandHandler("business", businesses))
    application.add_handler(CallbackQueryHandler(businesses, pattern=r"^1:cmd:business$"))
    application.add_handler(CallbackQueryHandler(switch, pattern=cb.pattern("biz.sw")))
    application.add_handler(CommandHandler("bind", bind))
    application.add_handler(CommandHandler("unbind", unbind))
    application.add_handler(CommandHandler("help", show_help))
    application.add_handler(CallbackQueryHandler(show_help, pattern=r"^1:cmd:help$"))
    guide.register(application)
