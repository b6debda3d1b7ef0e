"""/members: the list, invite links per role, changing roles and removing members (owner)."""

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.handlers.access import in_group
from bot.handlers.replies import reply, show
from bot.handlers.start import INVITE_PREFIX
from bot.render import admin as render
from bot.render import callbacks as cb
from bot.render.errors import describe
from bot.render.screen import Screen
from core.errors import DomainError, LastOwner
from core.tenancy.businesses import current_business
from core.tenancy.members import (
    ChangeRole,
    CreateInvite,
    RemoveMember,
    change_role,
    create_invite,
    list_members,
    remove_member,
)
from core.tenancy.models import Role
from core.tenancy.results import MemberView


async def members(update: Update, context: BotContext) -> None:
    """/members (or its More button): the members, with the owner's buttons."""
    if in_group(update):
        await reply(update, render.private_only())
        return
    await reply(update, await _list(update, context))


async def back_to_list(update: Update, context: BotContext) -> None:
    """« Back: the list again, in the same message."""
    await show(update, await _list(update, context))


async def _list(update: Update, context: BotContext, note: str | None = None) -> Screen:
    user = update.effective_user
    assert user is not None
    try:
        business = await current_business(context.uow(), context.actor(update))
        found = await list_members(context.uow(), context.actor(update))
    except DomainError as refused:  # a clerk or viewer; someone removed meanwhile
        return Screen(describe(refused))
    return render.members_screen(business, found, user.id, note)


async def invite(update: Update, context: BotContext) -> None:
    """➕ Invite <role>: a single-use deep link, valid 72 hours."""
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    role = Role(cb.args(query.data)[0])
    # One invite per button per message: a double tap gives the same link, and the link's
    # own "Another link" button (a new message) mints the next one.
    request_id = f"invite:{query.message.chat.id}:{query.message.message_id}:{role.value}"
    business = await current_business(context.uow(), context.actor(update))
    created = await create_invite(
        context.uow(), context.actor(update), CreateInvite.build(role=role, request_id=request_id)
    )
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{created.token}"
    await reply(update, render.invite_link(created, link, business.timezone))


async def open_member(update: Update, context: BotContext) -> None:
    """A member's button: their card with the other roles and Remove."""
    member = await _member(update, context)
    await show(update, render.member_card(member) if member else await _gone(update, context))


async def set_role(update: Update, context: BotContext) -> None:
    """Make <role>: changes the role; the last owner stays an owner."""
    query = update.callback_query
    assert query is not None
    user_id, role = cb.args(query.data)[:2]
    cmd = ChangeRole.build(user_id=int(user_id), role=role)
    try:
        changed = await change_role(context.uow(), context.actor(update), cmd)
    except LastOwner as refused:
        member = await _member(update, context)
        if member is not None:
            await show(update, render.member_card(member, note=describe(refused)))
            return
        raise
    await show(update, await _list(update, context, render.role_changed(changed)))


async def ask_removal(update: Update, context: BotContext) -> None:
    """🗑 Remove: asks first."""
    member = await _member(update, context)
    await show(update, render.confirm_removal(member) if member else await _gone(update, context))


async def confirm_removal(update: Update, context: BotContext) -> None:
    """✓ Yes, remove: deactivates the member (their documents stay theirs)."""
    query = update.callback_query
    assert query is not None
    cmd = RemoveMember.build(user_id=int(cb.args(query.data)[0]))
    try:
        removed = await remove_member(context.uow(), context.actor(update), cmd)
    except LastOwner as refused:
        member = await _member(update, context)
        if member is not None:
            await show(update, render.member_card(member, note=describe(refused)))
            return
        raise
    await show(update, await _list(update, context, render.member_removed(removed)))


async def _member(update: Update, context: BotContext) -> MemberView | None:
    query = update.callback_query
    assert query is not None
    user_id = int(cb.args(query.data)[0])
    found = await list_members(context.uow(), context.actor(update))
    return next((m for m in found if m.user_id == user_id and m.active), None)


async def _gone(update: Update, context: BotContext) -> Screen:
    return await _list(update, context, render.no_such_member())


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /members and its buttons."""
    application.add_handler(CommandHandler("members", members))
    application.add_handler(CallbackQueryHandler(members, pattern=r"^1:cmd:members$"))
    application.add_handler(CallbackQueryHandler(back_to_list, pattern=cb.pattern("mem.list")))
    application.add_handler(CallbackQueryHandler(invite, pattern=cb.pattern("mem.inv")))
    application.add_handler(CallbackQueryHandler(open_member, pattern=cb.pattern("mem.open")))
    application.add_handler(CallbackQueryHandler(set_role, pattern=cb.pattern("mem.role")))
    application.add_handler(CallbackQueryHandler(ask_removal, pattern=cb.pattern("mem.rm")))
    application.add_handler(CallbackQueryHandler(confirm_removal, pattern=cb.pattern("mem.rmok")))
