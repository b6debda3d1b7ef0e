"""Binding a group chat to a business: members work there, postings are announced there."""

from sqlalchemy import delete, select

from core.alerts.models import UnreachableChat
from core.commands import Command
from core.db.uow import UnitOfWork
from core.errors import GroupTaken
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Business, Role
from core.tenancy.results import BusinessView


class BindGroup(Command):
    """Bind (or, with ``bind=False``, unbind) a group chat to the owner's business."""

    chat_id: int
    bind: bool = True


async def bind_group(uow: UnitOfWork, actor: Actor, cmd: BindGroup) -> BusinessView:
    """Makes the group the business's own (one group per business, one business per group).

    Binding again replaces the business's earlier group. Repeating a request is harmless.

    Raises:
        PermissionDenied: only an owner binds.
        GroupTaken: the group belongs to another business.
    """
    async with uow:
        membership = await require_member(uow.session, actor, Role.OWNER, "bind a group")
        business = membership.business
        if cmd.bind:
            holder = await uow.session.scalar(
                select(Business.id).where(Business.group_chat_id == cmd.chat_id)
            )
            if holder is not None and holder != business.id:
                raise GroupTaken(cmd.chat_id)
            business.group_chat_id = cmd.chat_id
            await uow.session.execute(  # bound again after it removed the bot: alerts go again
                delete(UnreachableChat).where(
                    UnreachableChat.business_id == business.id,
                    UnreachableChat.chat_id == cmd.chat_id,
                )
            )
        elif business.group_chat_id == cmd.chat_id:
            business.group_chat_id = None
        await uow.commit()
        return BusinessView.of(business, membership.role)


async def business_of_group(uow: UnitOfWork, chat_id: int) -> int | None:
    """The business a group chat is bound to, if any."""
    async with uow.reading() as session:
        found: int | None = await session.scalar(
            select(Business.id).where(Business.group_chat_id == chat_id)
        )
    return found
