"""Chats that blocked the bot: no more messages to them, and the owner is told once."""

import json
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.models import AlertKind, Outbox, OutboxStatus, UnreachableChat
from core.alerts.outbox import enqueue
from core.alerts.recipients import recipients
from core.db.uow import UnitOfWork
from core.tenancy.models import Business, Member, Role


async def queue_unreachable_notice(session: AsyncSession, business_id: int, chat_id: int) -> int:
    """Tells each reachable owner, once, that ``chat_id`` no longer gets the bot's messages."""
    business = await session.get_one(Business, business_id)
    member = await session.scalar(
        select(Member).where(Member.business_id == business_id, Member.user_id == chat_id)
    )
    if member is not None:
        who = {"member": member.display_name or str(member.user_id), "group": False}
    else:
        who = {"member": business.name, "group": chat_id == business.group_chat_id}
    queued = 0
    for owner in await recipients(session, business_id, AlertKind.UNREACHABLE):
        if owner.role != Role.OWNER.value or owner.chat_id == chat_id:
            continue
        queued += await enqueue(
            session,
            business_id=business_id,
            chat_id=owner.chat_id,
            kind=AlertKind.UNREACHABLE,
            dedupe_key=f"unreachable:{business_id}:{chat_id}:{owner.chat_id}",
            payload=json.dumps({"chat_id": chat_id, **who}),
            locale=owner.locale,
        )
    return queued


async def mark_unreachable(uow: UnitOfWork, outbox_id: int, error: str, now: datetime) -> bool:
    """The chat blocked the bot (or left): no more rows to it, and the owner is told once.

    Returns True the first time this chat is marked for the business.
    """
    async with uow:
        session = uow.session
        row = await session.get_one(Outbox, outbox_id)
        already = await session.get(UnreachableChat, (row.business_id, row.chat_id))
        if already is None:
            session.add(
                UnreachableChat(
                    business_id=row.business_id, chat_id=row.chat_id, since=now, reason=error[:200]
                )
            )
        await session.execute(
            update(Outbox)
            .where(
                Outbox.business_id == row.business_id,
                Outbox.chat_id == row.chat_id,
                Outbox.status == OutboxStatus.PENDING.value,
            )
            .values(status=OutboxStatus.DEAD.value, last_error=error[:300], leased_until=None)
        )
        if already is None:
            await session.flush()
            await queue_unreachable_notice(session, row.business_id, row.chat_id)
        await uow.commit()
        return already is None
