"""Suppliers (供应商) and customers (客户)."""

from decimal import Decimal
from typing import TypeVar

from pydantic import Field
from sqlalchemy import select

from core.catalog.models import Customer, Supplier
from core.catalog.results import PartyView
from core.commands import AmountOrZero, MutatingCommand
from core.db.uow import UnitOfWork
from core.errors import Duplicate
from core.finance.currency import check_amount, check_currency
from core.idempotency import earlier_result, once_per_request, remember
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

Party = TypeVar("Party", Supplier, Customer)


class CreateParty(MutatingCommand):
    """Add a supplier or customer; terms are the payment terms in days (账期)."""

    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=50)
    terms_days: int = Field(default=0, ge=0, le=365)
    currency: str | None = Field(default=None, max_length=3)  # None: the base currency
    credit_limit: AmountOrZero | None = None  # a customer's, in its currency


def party_money(
    membership: Membership, currency: str | None, credit_limit: Decimal | None
) -> dict[str, object]:
    """A party's currency (None when it is the base) and credit limit, checked.

    Raises:
        InvalidInput: not an ISO 4217 code, or a limit finer than the currency allows.
    """
    code = check_currency(currency) if currency else membership.business.base_currency
    limit = check_amount(credit_limit, code, "credit_limit") if credit_limit is not None else None
    return {
        "currency": None if code == membership.business.base_currency else code,
        "credit_limit": limit,
    }


class CreateSupplier(CreateParty):
    """Add a supplier."""


class CreateCustomer(CreateParty):
    """Add a customer."""


@once_per_request
async def create_supplier(uow: UnitOfWork, actor: Actor, cmd: CreateSupplier) -> PartyView:
    """Adds a supplier (a clerk may, from the purchase flow).

    Raises:
        PermissionDenied: viewers may not.
        Duplicate: the name is taken.
    """
    return await _create(uow, actor, cmd, Supplier, "supplier")


@once_per_request
async def create_customer(uow: UnitOfWork, actor: Actor, cmd: CreateCustomer) -> PartyView:
    """Adds a customer (a clerk may, from the sale flow).

    Raises:
        PermissionDenied: viewers may not.
        Duplicate: the name is taken.
    """
    return await _create(uow, actor, cmd, Customer, "customer")


async def _create(
    uow: UnitOfWork,
    actor: Actor,
    cmd: CreateParty,
    model: type[Party],
    kind: str,
) -> PartyView:
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, f"add {kind}s")
        if done := await earlier_result(
            session, actor.user_id, membership.business_id, cmd.request_id, kind
        ):
            return PartyView.of(await session.get_one(model, done))
        name = cmd.name.strip()
        taken = await session.scalar(
            select(model.id).where(model.business_id == membership.business_id, model.name == name)
        )
        if taken is not None:
            raise Duplicate(kind, name)
        party = model(
            business_id=membership.business_id,
            name=name,
            contact=cmd.contact.strip(),
            phone=cmd.phone.strip(),
            terms_days=cmd.terms_days,
            **party_money(membership, cmd.currency, cmd.credit_limit),
        )
        session.add(party)
        await session.flush()
        remember(session, actor.user_id, membership.business_id, cmd.request_id, kind, party.id)
        await uow.commit()
        return PartyView.of(party)


async def list_suppliers(uow: UnitOfWork, actor: Actor) -> list[PartyView]:
    """Active suppliers by name."""
    return await _list(uow, actor, Supplier)


async def list_customers(uow: UnitOfWork, actor: Actor) -> list[PartyView]:
    """Active customers by name."""
    return await _list(uow, actor, Customer)


async def _list(uow: UnitOfWork, actor: Actor, model: type[Party]) -> list[PartyView]:
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see parties")
        rows = await session.scalars(
            select(model)
            .where(model.business_id == membership.business_id, model.archived.is_(False))
            .order_by(model.name)
        )
        return [PartyView.of(p) for p in rows]
