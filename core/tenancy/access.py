"""Who is acting, in which business, and may they (DESIGN rule 9)."""

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ScalarSelect, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NoBusiness, PermissionDenied
from core.tenancy.models import Business, Member, Role, UserPreference


class Actor(BaseModel):
    """The person behind a request: a Telegram user id, and the business they act in.

    ``business_id`` None means "the business they chose last" (or their only one).
    ``in_public`` marks a request made where others read the answer (a group chat): what is
    shown there follows the lowest role in it, so no costs (DESIGN rule 9).
    """

    model_config = ConfigDict(frozen=True)

    user_id: int
    business_id: int | None = None
    in_public: bool = False


@dataclass(frozen=True)
class Membership:
    """A member together with their business: what every service works from."""

    member: Member
    business: Business
    probed: Any = None  # what require_member's ``probe`` found, if it was given one
    in_public: bool = False  # see Actor.in_public

    @property
    def role(self) -> Role:
        """The member's role."""
        return Role(self.member.role)

    @property
    def business_id(self) -> int:
        """The business every row touched must belong to."""
        return self.business.id

    @property
    def sees_costs(self) -> bool:
        """Average cost, COGS, stock value, margins: managers and owners, never in public."""
        return self.role.sees_costs and not self.in_public

    @property
    def zone(self) -> ZoneInfo:
        """The business's time zone."""
        return ZoneInfo(self.business.timezone)


async def current_business_id(session: AsyncSession, actor: Actor) -> int:
    """The business the actor acts in.

    Raises:
        NoBusiness: they belong to none, or to several and chose none.
    """
    if actor.business_id is not None:
        return actor.business_id
    chosen = await session.scalar(
        select(UserPreference.current_business_id).where(UserPreference.user_id == actor.user_id)
    )
    if chosen is not None:
        return chosen
    ids = (
        await session.scalars(
            select(Member.business_id).where(
                Member.user_id == actor.user_id, Member.active.is_(True)
            )
        )
    ).all()
    if len(ids) == 1:
        return ids[0]
    raise NoBusiness(actor.user_id)


async def require_member(
    session: AsyncSession,
    actor: Actor,
    least: Role,
    action: str,
    *,
    probe: ScalarSelect[Any] | None = None,
) -> Membership:
    """The actor's membership, if their role is at least ``least``.

    ``probe`` is a scalar subquery that may refer to ``Member.business_id`` (say, "was this
    request posted already?"); its answer comes back in ``Membership.probed`` with the same
    round trip, which every posting makes anyway.

    Raises:
        NoBusiness: the actor has no business to act in.
        PermissionDenied: not an active member, or the role is too low.
    """
    if actor.business_id is not None:
        row = await _member_row(session, actor, actor.business_id, probe)
    else:  # usually one round trip: the business they chose, read in the same query
        chosen = (
            select(UserPreference.current_business_id)
            .where(UserPreference.user_id == actor.user_id)
            .scalar_subquery()
        )
        row = await _member_row(session, actor, chosen, probe)
        if row is None:  # chose none (or left it): their only business, or NoBusiness
            business_id = await current_business_id(session, actor)
            row = await _member_row(session, actor, business_id, probe)
    if row is None or not row.Member.active:
        raise PermissionDenied(action, None)
    membership = Membership(
        row.Member, row.Business, row.probed if probe is not None else None, actor.in_public
    )
    if not membership.role.at_least(least):
        raise PermissionDenied(action, membership.role.value)
    return membership


async def _member_row(
    session: AsyncSession,
    actor: Actor,
    business_id: int | ScalarSelect[Any],
    probe: ScalarSelect[Any] | None,
) -> Any:  # the Row of (Member, Business[, probed]), or None
    query = (
        select(Member, Business)
        .join(Business, Business.id == Member.business_id)
        .where(Member.business_id == business_id, Member.user_id == actor.user_id)
    )
    if probe is not None:
        query = query.add_columns(probe.label("probed"))
    return (await session.execute(query)).first()
