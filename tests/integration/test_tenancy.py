"""Businesses, invites, roles and switching business (DESIGN rule 9), on both engines."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.catalog.warehouses import list_warehouses
from core.db.base import utcnow
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import (
    InvalidInput,
    InviteUnusable,
    LastOwner,
    NoBusiness,
    NotFound,
    PermissionDenied,
)
from core.inventory.stock import stock_card
from core.tenancy.access import Actor
from core.tenancy.businesses import ChangeBusinessSettings, CreateBusiness, create_business
from core.tenancy.members import (
    AcceptInvite,
    ChangeRole,
    CreateInvite,
    RemoveMember,
    SwitchBusiness,
    accept_invite,
    change_role,
    create_invite,
    list_members,
    my_businesses,
    remove_member,
    switch_business,
)
from core.tenancy.models import Business, Invite, Member, Role, UserPreference
from tests.support.shop import Shop, open_shop, rid


@pytest.fixture
async def shop(db: Database) -> Shop:
    return await open_shop(db)


async def rows(db: Database, model: type) -> int:
    async with UnitOfWork(db).reading() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def invite(shop: Shop, role: Role = Role.CLERK, *, by: Actor | None = None) -> str:
    created = await create_invite(
        shop.uow(), by or shop.owner, CreateInvite(request_id=rid("inv"), role=role)
    )
    return created.token


async def accept(shop: Shop, user_id: int, token: str) -> Role:
    joined = await accept_invite(shop.uow(), Actor(user_id=user_id), AcceptInvite(token=token))
    return joined.role


async def roles(shop: Shop) -> dict[int, tuple[Role, bool]]:
    members = await list_members(shop.uow(), shop.owner)
    return {m.user_id: (m.role, m.active) for m in members}


# Creating a business


async def test_a_new_business_is_in_cny_in_shanghai_without_negative_stock_and_has_a_warehouse(
    db: Database,
) -> None:
    founder = Actor(user_id=7)
    created = await create_business(
        UnitOfWork(db), founder, CreateBusiness.build(request_id=rid(), name="  小卖部 ")
    )
    assert (created.name, created.base_currency, created.timezone, created.locale) == (
        "小卖部",
        "CNY",
        "Asia/Shanghai",
        "zh-CN",
    )
    assert created.allow_negative_stock is False
    assert created.role == Role.OWNER
    warehouses = await list_warehouses(UnitOfWork(db), founder)  # acts in it: no business id
    assert [(w.name, w.is_default) for w in warehouses] == [("主仓库", True)]
    assert [b.business_id for b in await my_businesses(UnitOfWork(db), founder)] == [
        created.business_id
    ]


async def test_a_business_may_be_opened_in_another_currency_zone_and_language(
    db: Database,
) -> None:
    founder = Actor(user_id=8)
    created = await create_business(
        UnitOfWork(db),
        founder,
        CreateBusiness.build(
            request_id=rid(),
            name="Corner shop",
            base_currency="usd",
            timezone="Europe/Berlin",
            locale="en",
        ),
    )
    assert (created.base_currency, created.timezone, created.locale) == (
        "USD",
        "Europe/Berlin",
        "en",
    )
    warehouses = await list_warehouses(UnitOfWork(db), founder)
    assert [w.name for w in warehouses] == ["Main warehouse"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_currency", "QQQ"),
        ("base_currency", "RMB"),
        ("base_currency", "CN"),
        ("base_currency", "12$"),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "UTC+8"),
        ("timezone", "../../etc/passwd"),
        ("locale", "fr"),
        ("locale", "zh_CN"),
    ],
)
def test_a_bad_currency_time_zone_or_locale_is_refused_as_invalid_input(
    field: str, value: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        CreateBusiness.build(request_id=rid(), name="茶叶店", **{field: value})
    assert refused.value.field == field
    assert refused.value.value == value


@pytest.mark.parametrize(("field", "value"), [("timezone", "Asia/Peking"), ("locale", "de")])
def test_changed_settings_are_checked_like_new_ones(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ChangeBusinessSettings.build(**{field: value})
    assert refused.value.field == field


async def test_creating_a_business_twice_with_one_request_id_creates_one(db: Database) -> None:
    founder = Actor(user_id=9)
    cmd = CreateBusiness.build(request_id="start:1", name="茶叶店")
    first = await create_business(UnitOfWork(db), founder, cmd)
    again = await create_business(UnitOfWork(db), founder, cmd)
    assert again == first
    assert await rows(db, Business) == 1
    assert await rows(db, Member) == 1
    assert len(await list_warehouses(UnitOfWork(db), founder)) == 1


# Invites


async def test_an_invite_lets_one_person_join_with_its_role(shop: Shop) -> None:
    token = await invite(shop, Role.MANAGER)
    assert await accept(shop, 5001, token) == Role.MANAGER
    assert (await roles(shop))[5001] == (Role.MANAGER, True)
    card = await stock_card(shop.uow(), Actor(user_id=5001), sku="A001")  # they act in it now
    assert card.product_id == shop.tea.product_id


async def test_an_invite_is_single_use(shop: Shop) -> None:
    token = await invite(shop)
    await accept(shop, 5001, token)
    with pytest.raises(InviteUnusable) as refused:
        await accept(shop, 5002, token)
    assert refused.value.reason == "used"
    assert 5002 not in await roles(shop)


async def test_an_expired_invite_is_refused_and_adds_no_one(shop: Shop) -> None:
    token = await invite(shop)
    async with shop.uow() as uow:
        await uow.session.execute(
            update(Invite)
            .where(Invite.token == token)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        await uow.commit()
    members_before = await rows(shop.db, Member)
    with pytest.raises(InviteUnusable) as refused:
        await accept(shop, 5001, token)
    assert refused.value.reason == "expired"
    assert await rows(shop.db, Member) == members_before
    assert await my_businesses(shop.uow(), Actor(user_id=5001)) == []
    with pytest.raises(NoBusiness):
        await stock_card(shop.uow(), Actor(user_id=5001), sku="A001")


async def test_an_unknown_invite_token_is_refused(shop: Shop) -> None:
    with pytest.raises(InviteUnusable) as refused:
        await accept(shop, 5001, "no-such-token")
    assert refused.value.reason == "unknown"


async def test_a_member_cannot_join_again_and_the_invite_stays_usable(shop: Shop) -> None:
    token = await invite(shop, Role.MANAGER)
    with pytest.raises(InviteUnusable) as refused:
        await accept(shop, shop.viewer.user_id, token)
    assert refused.value.reason == "already_member"
    assert (await roles(shop))[shop.viewer.user_id] == (Role.VIEWER, True)
    assert await accept(shop, 5001, token) == Role.MANAGER  # not used up by the refusal


async def test_accepting_the_same_invite_twice_answers_as_the_first_time(shop: Shop) -> None:
    token = await invite(shop)
    first = await accept_invite(shop.uow(), Actor(user_id=5001), AcceptInvite(token=token))
    members = await rows(shop.db, Member)
    again = await accept_invite(shop.uow(), Actor(user_id=5001), AcceptInvite(token=token))
    assert again == first
    assert await rows(shop.db, Member) == members


@pytest.mark.parametrize("who", ["manager", "clerk", "viewer"])
async def test_only_an_owner_invites(shop: Shop, who: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await invite(shop, Role.VIEWER, by=getattr(shop, who))
    assert refused.value.role == who
    assert await rows(shop.db, Invite) == 3  # the shop's own three


# Roles


async def test_an_owner_changes_a_members_role_and_it_takes_effect(shop: Shop) -> None:
    with pytest.raises(PermissionDenied):
        await list_members(shop.uow(), shop.clerk)
    changed = await change_role(
        shop.uow(), shop.owner, ChangeRole(user_id=shop.clerk.user_id, role=Role.MANAGER)
    )
    assert (changed.role, changed.active) == (Role.MANAGER, True)
    members = await list_members(shop.uow(), shop.clerk)  # a manager now
    assert {m.user_id: m.role for m in members}[shop.clerk.user_id] == Role.MANAGER


async def test_the_last_owner_cannot_be_demoted_or_removed(shop: Shop) -> None:
    owner_id = shop.owner.user_id
    with pytest.raises(LastOwner):
        await change_role(shop.uow(), shop.owner, ChangeRole(user_id=owner_id, role=Role.MANAGER))
    with pytest.raises(LastOwner):
        await remove_member(shop.uow(), shop.owner, RemoveMember(user_id=owner_id))
    assert (await roles(shop))[owner_id] == (Role.OWNER, True)


async def test_with_a_second_owner_the_first_may_step_down(shop: Shop) -> None:
    await change_role(
        shop.uow(), shop.owner, ChangeRole(user_id=shop.manager.user_id, role=Role.OWNER)
    )
    await change_role(
        shop.uow(), shop.manager, ChangeRole(user_id=shop.owner.user_id, role=Role.MANAGER)
    )
    with pytest.raises(LastOwner):  # now the former manager is the only owner
        await remove_member(shop.uow(), shop.manager, RemoveMember(user_id=shop.manager.user_id))
    assert (await roles(shop))[shop.owner.user_id] == (Role.MANAGER, True)


async def test_a_removed_former_owner_may_be_demoted_while_an_owner_remains(shop: Shop) -> None:
    partner = shop.manager.user_id
    await change_role(shop.uow(), shop.owner, ChangeRole(user_id=partner, role=Role.OWNER))
    await remove_member(shop.uow(), shop.owner, RemoveMember(user_id=partner))
    # The one active owner stays an owner: demoting the removed partner takes no owner away.
    demoted = await change_role(
        shop.uow(), shop.owner, ChangeRole(user_id=partner, role=Role.VIEWER)
    )
    assert (demoted.role, demoted.active) == (Role.VIEWER, False)
    assert (await roles(shop))[shop.owner.user_id] == (Role.OWNER, True)


async def test_changing_the_role_of_a_stranger_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound):
        await change_role(shop.uow(), shop.owner, ChangeRole(user_id=5999, role=Role.CLERK))


@pytest.mark.parametrize("actor_business", ["chosen", "given"])
async def test_a_removed_member_is_refused_everything(shop: Shop, actor_business: str) -> None:
    removed = await remove_member(shop.uow(), shop.owner, RemoveMember(user_id=shop.clerk.user_id))
    assert removed.active is False
    clerk = shop.clerk if actor_business == "given" else Actor(user_id=shop.clerk.user_id)
    with pytest.raises(PermissionDenied) as refused:
        await stock_card(shop.uow(), clerk, sku="A001")
    assert refused.value.role is None
    with pytest.raises(PermissionDenied):
        await shop.receive(shop.tea, "1", "1", actor=clerk)
    assert await my_businesses(shop.uow(), clerk) == []
    assert (await roles(shop))[shop.clerk.user_id] == (Role.CLERK, False)  # kept for the audit


async def test_a_removed_member_may_rejoin_through_a_new_invite(shop: Shop) -> None:
    await remove_member(shop.uow(), shop.owner, RemoveMember(user_id=shop.clerk.user_id))
    assert await accept(shop, shop.clerk.user_id, await invite(shop, Role.VIEWER)) == Role.VIEWER
    assert (await roles(shop))[shop.clerk.user_id] == (Role.VIEWER, True)


# A person in two businesses


async def test_a_person_in_two_businesses_lists_both_and_switches_between_them(
    db: Database,
) -> None:
    tea_shop = await open_shop(db, owner_id=1000)
    other = await open_shop(db, owner_id=2000, name="另一家")
    await accept(other, 1000, await invite(other, Role.CLERK))  # also switches to 另一家
    person = Actor(user_id=1000)

    listed = await my_businesses(UnitOfWork(db), person)
    assert {(b.business_id, b.role) for b in listed} == {
        (tea_shop.business_id, Role.OWNER),
        (other.business_id, Role.CLERK),
    }
    card = await stock_card(UnitOfWork(db), person, sku="A001")
    assert card.product_id == other.tea.product_id

    switched = await switch_business(
        UnitOfWork(db), person, SwitchBusiness(business_id=tea_shop.business_id)
    )
    assert (switched.business_id, switched.role) == (tea_shop.business_id, Role.OWNER)
    card = await stock_card(UnitOfWork(db), person, sku="A001")
    assert card.product_id == tea_shop.tea.product_id

    await switch_business(UnitOfWork(db), person, SwitchBusiness(business_id=other.business_id))
    with pytest.raises(PermissionDenied) as refused:  # a clerk there, not the owner
        await list_members(UnitOfWork(db), person)
    assert refused.value.role == "clerk"


async def test_a_person_in_two_businesses_who_chose_none_must_choose(db: Database) -> None:
    tea_shop = await open_shop(db, owner_id=1000)
    other = await open_shop(db, owner_id=2000, name="另一家")
    await accept(other, 1000, await invite(other, Role.CLERK))
    async with UnitOfWork(db) as uow:
        await uow.session.execute(
            update(UserPreference)
            .where(UserPreference.user_id == 1000)
            .values(current_business_id=None)
        )
        await uow.commit()
    with pytest.raises(NoBusiness):
        await stock_card(UnitOfWork(db), Actor(user_id=1000), sku="A001")
    card = await stock_card(tea_shop.uow(), tea_shop.owner, sku="A001")  # a given id still works
    assert card.product_id == tea_shop.tea.product_id


async def test_switching_to_a_business_one_is_not_a_member_of_is_refused(db: Database) -> None:
    tea_shop = await open_shop(db, owner_id=1000)
    other = await open_shop(db, owner_id=2000, name="另一家")
    person = Actor(user_id=1000)
    with pytest.raises(PermissionDenied) as refused:
        await switch_business(
            UnitOfWork(db), person, SwitchBusiness(business_id=other.business_id)
        )
    assert refused.value.role is None
    card = await stock_card(UnitOfWork(db), person, sku="A001")  # still in their own
    assert card.product_id == tea_shop.tea.product_id
    assert [b.business_id for b in await my_businesses(UnitOfWork(db), person)] == [
        tea_shop.business_id
    ]


async def test_switching_to_a_business_one_was_removed_from_is_refused(db: Database) -> None:
    tea_shop = await open_shop(db, owner_id=1000)
    other = await open_shop(db, owner_id=2000, name="另一家")
    await accept(other, 1000, await invite(other, Role.CLERK))
    await remove_member(other.uow(), other.owner, RemoveMember(user_id=1000))
    person = Actor(user_id=1000)
    with pytest.raises(PermissionDenied):
        await switch_business(
            UnitOfWork(db), person, SwitchBusiness(business_id=other.business_id)
        )
    await switch_business(UnitOfWork(db), person, SwitchBusiness(business_id=tea_shop.business_id))
    card = await stock_card(UnitOfWork(db), person, sku="A001")
    assert card.product_id == tea_shop.tea.product_id
