"""/start: the main menu for members, joining by invite link, opening a first business."""

from typing import Final

from telegram import Update
from telegram.ext import (
    Application,
    CommandHandler,
)

from bot.context import BotContext
from bot.conversations.flow import END, FlowHandler, begin, entry
from bot.conversations.opening import BusinessOpening
from bot.handlers.access import in_group
from bot.handlers.menu import main_menu
from bot.handlers.replies import reply
from bot.render import start as render
from bot.render.errors import describe, invite_problem
from bot.render.screen import Screen
from core.alerts.rules import mark_reachable
from core.errors import DomainError, InviteUnusable, NoBusiness, PermissionDenied
from core.tenancy.businesses import current_business
from core.tenancy.members import AcceptInvite, accept_invite

FLOW: Final = "onboarding"
OPENING: Final = BusinessOpening(FLOW)
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
    await mark_reachable(context.uow(), update.effective_chat.id)  # unblocked: alerts again
    if context.args and context.args[0].startswith(INVITE_PREFIX):
        await _join(update, context, context.args[0].removeprefix(INVITE_PREFIX))
        return END
    try:
        business = await current_business(context.uow(), context.actor(update))
    except (NoBusiness, PermissionDenied):
        begin(context, FLOW, update.effective_chat.id, NEW_BUSINESS_TIMEOUT_MINUTES)
        await reply(update, render.ask_business_name())
        return OPENING.NAME
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


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /start and the opening of a first business."""
    application.add_handler(
        FlowHandler(
            FLOW,
            entry_points=[CommandHandler("start", start)],
            states=OPENING.states(),
        )
    )
