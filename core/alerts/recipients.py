"""Who gets a business's pushed messages: owners and managers who want them, and its group."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.models import AlertKind, UnreachableChat
from core.tenancy.models import Business, Member, Role, UserPreference


@dataclass(frozen=True)
class Recipient:
    """A chat to write to, in its language; ``public``: a group (no costs, no money owed)."""

    chat_id: int
    locale: str
    public: bool = False
    member_id: int | None = None
    role: str | None = None


async def recipients(session: AsyncSession, business_id: int, kind: AlertKind) -> list[Recipient]:
    """Active owners and managers with this kind switched on (and the group, for stock).

    Chats that blocked the bot are left out.
    """
    business = await session.get_one(Business, business_id)
    switch = {AlertKind.DIGEST: Member.digest_on, AlertKind.UNREACHABLE: Member.active}.get(
        kind, Member.alerts_on
    )
    rows = await session.execute(
        select(Member.id, Member.user_id, Member.role, UserPreference.locale)
        .join(UserPreference, UserPreference.user_id == Member.user_id, isouter=True)
        .where(
            Member.business_id == business_id,
            Member.active.is_(True),
            Member.role.in_([Role.OWNER.value, Role.MANAGER.value]),
            switch.is_(True),
        )
        .order_by(Member.id)
    )
    unreachable = set(
        await session.scalars(
            select(UnreachableChat.chat_id).where(UnreachableChat.business_id == business_id)
        )
    )
    found = [
        Recipient(user_id, locale or business.locale, False, member_id, role)
        for member_id, user_id, role, locale in rows
        if user_id not in unreachable
    ]
    group = business.group_chat_id
    if kind == AlertKind.LOW_STOCK and group is not None and group not in unreachable:
        found.append(Recipient(group, business.locale, True))
    return found
