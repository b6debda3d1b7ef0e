"""Members of a business: invites, joining, roles, removal and switching business."""

import secrets
from datetime import timedelta

from pydantic import Field
from sqlalchemy import func, select

from core.commands import Command, MutatingCommand
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.errors import InviteUnusable, LastOwner, NotFound, PermissionDenied
from core.idempotency import earlier_result, once_per_request, remember
from core.tenancy.access import Actor, require_member
from core.tenancy.businesses import choose_business
from core.tenancy.models import Business, Invite, Member, Role
from core.tenancy.results import BusinessView, InviteCreated, MemberView


class CreateInvite(MutatingCommand):
    """Invite someone to join with a role (single use, expiring)."""

    role: Role
    valid_hours: int = Field(default=72, ge=1, le=24 * 30)


class AcceptInvite(Command):
    """Join a business through an invite's token (the token is the request id)."""

    token: str = Field(min_length=1, max_length=64)
    display_name: str = Field(default="", max_length=100)


class ChangeRole(Command):
    """Give a member another role."""

    user_id: int
    role: Role


class RemoveMember(Command):
    """Take a member out of the business; their documents stay theirs."""

    user_id: int


class SwitchBusiness(Command):
    """Work in another of one's businesses from now on."""

    business_id: int


@once_per_request
async def create_invite(uow: UnitOfWork, actor: Actor, cmd: CreateInvite) -> InviteCreated:
    """Mints an invite token.

    Raises:
        PermissionDenied: only owners invite (and only owners may invite an owner).
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.OWNER, "invite members")
        if done := await earlier_result(
            session, actor.user_id, membership.business_id, cmd.request_id, "invite"
        ):
            invite = await session.get_one(Invite, done)
            return InviteCreated(invite.token, Role(invite.role), invite.expires_at)
        invite = Invite(
            business_id=membership.business_id,
            token=secrets.token_urlsafe(16),
            role=cmd.role,
            created_by=membership.member.id,
            expires_at=utcnow() + timedelta(hours=cmd.valid_hours),
        )
        session.add(invite)
        await session.flush()
        remember(
            session, actor.user_id, membership.business_id, cmd.request_id, "invite", invite.id
        )
        await uow.commit()
        return InviteCreated(invite.token, cmd.role, invite.expires_at)


async def accept_invite(uow: UnitOfWork, actor: Actor, cmd: AcceptInvite) -> BusinessView:
    """Joins the invite's business with its role and switches to it.

    Accepting the same invite again (a redelivered /start) answers as the first time.

    Raises:
        InviteUnusable: unknown, expired, used by someone else, or already a member.
    """
    async with uow:
        session = uow.session
        invite = await session.scalar(select(Invite).where(Invite.token == cmd.token))
        if invite is None:
            raise InviteUnusable("unknown")
        business = await session.get_one(Business, invite.business_id)
        if invite.used_at is not None:
            if invite.used_by == actor.user_id and await _is_active(uow, business.id, actor):
                return BusinessView.of(business, Role(invite.role))  # the same /start again
            raise InviteUnusable("used")
        if invite.expires_at <= utcnow():
            raise InviteUnusable("expired")
        member = await session.scalar(
            select(Member).where(
                Member.business_id == invite.business_id, Member.user_id == actor.user_id
            )
        )
        if member is not None and member.active:
            raise InviteUnusable("already_member")
        if member is None:
            member = Member(business_id=invite.business_id, user_id=actor.user_id)
            session.add(member)
        member.role, member.active, member.display_name = invite.role, True, cmd.display_name
        invite.used_at, invite.used_by = utcnow(), actor.user_id
        await choose_business(uow, actor.user_id, invite.business_id)
        await uow.commit()
        return BusinessView.of(business, Role(invite.role))


async def change_role(uow: UnitOfWork, actor: Actor, cmd: ChangeRole) -> MemberView:
    """Changes a member's role.

    Raises:
        PermissionDenied: only owners change roles.
        NotFound: no such member in this business.
        LastOwner: it would leave the business without an owner.
    """
    async with uow:
        membership = await require_member(uow.session, actor, Role.OWNER, "change roles")
        member = await _member(uow, membership.business_id, cmd.user_id)
        if member.role == Role.OWNER and member.active and cmd.role != Role.OWNER:
            await _keep_an_owner(uow, membership.business_id)
        member.role = cmd.role
        await uow.commit()
        return MemberView(member.user_id, member.display_name, cmd.role, member.active)


async def remove_member(uow: UnitOfWork, actor: Actor, cmd: RemoveMember) -> MemberView:
    """Deactivates a member (kept for the audit trail of their documents).

    Raises:
        PermissionDenied: only owners remove members.
        NotFound: no such member in this business.
        LastOwner: the last owner cannot be removed.
    """
    async with uow:
        membership = await require_member(uow.session, actor, Role.OWNER, "remove members")
        member = await _member(uow, membership.business_id, cmd.user_id)
        if member.role == Role.OWNER and member.active:
            await _keep_an_owner(uow, membership.business_id)
        member.active = False
        await uow.commit()
        return MemberView(member.user_id, member.display_name, Role(member.role), False)


async def switch_business(uow: UnitOfWork, actor: Actor, cmd: SwitchBusiness) -> BusinessView:
    """Makes ``business_id`` the one the person works in.

    Raises:
        PermissionDenied: they are not an active member of it.
    """
    async with uow:
        target = Actor(user_id=actor.user_id, business_id=cmd.business_id)
        membership = await require_member(uow.session, target, Role.VIEWER, "switch business")
        await choose_business(uow, actor.user_id, cmd.business_id)
        await uow.commit()
        return BusinessView.of(membership.business, membership.role)


async def my_businesses(uow: UnitOfWork, actor: Actor) -> list[BusinessView]:
    """Every business the person is an active member of, by name."""
    async with uow.reading() as session:
        rows = await session.execute(
            select(Business, Member.role)
            .join(Member, Member.business_id == Business.id)
            .where(Member.user_id == actor.user_id, Member.active.is_(True))
            .order_by(Business.name, Business.id)
        )
        return [BusinessView.of(business, Role(role)) for business, role in rows]


async def list_members(uow: UnitOfWork, actor: Actor) -> list[MemberView]:
    """The members of the actor's business (managers and owners)."""
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.MANAGER, "list members")
        members = await session.scalars(
            select(Member).where(Member.business_id == membership.business_id).order_by(Member.id)
        )
        return [MemberView(m.user_id, m.display_name, Role(m.role), m.active) for m in members]


async def _member(uow: UnitOfWork, business_id: int, user_id: int) -> Member:
    member = await uow.session.scalar(
        select(Member).where(Member.business_id == business_id, Member.user_id == user_id)
    )
    if member is None:
        raise NotFound("member", str(user_id))
    return member


async def _is_active(uow: UnitOfWork, business_id: int, actor: Actor) -> bool:
    active = await uow.session.scalar(
        select(Member.active).where(
            Member.business_id == business_id, Member.user_id == actor.user_id
        )
    )
    return bool(active)


async def _keep_an_owner(uow: UnitOfWork, business_id: int) -> None:
    owners = await uow.session.scalar(
        select(func.count()).where(
            Member.business_id == business_id,
            Member.role == Role.OWNER,
            Member.active.is_(True),
        )
    )
    if (owners or 0) <= 1:
        raise LastOwner(business_id)


__all__ = [
    "AcceptInvite",
    "ChangeRole",
    "CreateInvite",
    "PermissionDenied",
    "RemoveMember",
    "SwitchBusiness",
    "accept_invite",
    "change_role",
    "create_invite",
    "list_members",
    "my_businesses",
    "remove_member",
    "switch_business",
]
