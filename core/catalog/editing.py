"""Changing what the catalog already has: a product's SKU, parties, warehouses; archiving.

Clerks add products and parties (see ``products.py`` and ``parties.py``); changing or
archiving them, and anything about warehouses, is for managers and owners.
"""

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.listing import Party, PartyKind
from core.catalog.models import Barcode, Customer, Product, Supplier, Warehouse
from core.catalog.parties import party_money
from core.catalog.results import PartyView, ProductView, WarehouseView
from core.catalog.search import index_product
from core.commands import AmountOrZero, Command
from core.db.uow import UnitOfWork
from core.errors import Duplicate, InvalidState, NotFound, WarehouseStillNeeded
from core.finance.models import OpenItem
from core.inventory.models import StockBalance
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role


class ChangeSku(Command):
    """Give a product another SKU (its documents follow: they refer to the product)."""

    product_id: int
    sku: str = Field(min_length=1, max_length=32)

    @field_validator("sku")
    @classmethod
    def _check_sku(cls, value: str) -> str:
        value = value.strip()
        if not value or any(c.isspace() for c in value):
            raise ValueError("a SKU has no spaces")
        return value


class ChangeParty(Command):
    """Change a supplier's or customer's details; None leaves a field as it is."""

    kind: PartyKind
    party_id: int
    name: str | None = Field(default=None, min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=50)
    terms_days: int | None = Field(default=None, ge=0, le=365)
    archived: bool | None = None
    currency: str | None = Field(default=None, max_length=3)
    credit_limit: AmountOrZero | None = None
    no_credit_limit: bool = False  # take the credit limit away


class ChangeWarehouse(Command):
    """Rename, archive or restore a warehouse; None leaves a field as it is."""

    warehouse_id: int
    name: str | None = Field(default=None, min_length=1, max_length=100)
    archived: bool | None = None


async def change_sku(uow: UnitOfWork, actor: Actor, cmd: ChangeSku) -> ProductView:
    """Changes a product's SKU (another letter case of the same SKU is fine).

    Raises:
        PermissionDenied: managers and owners change products.
        NotFound: no such product in this business.
        Duplicate: another product of the business has this SKU.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "change products")
        business_id = membership.business_id
        product = await session.scalar(
            select(Product).where(Product.id == cmd.product_id, Product.business_id == business_id)
        )
        if product is None:
            raise NotFound("product", str(cmd.product_id))
        taken = await session.scalar(
            select(Product.id).where(
                Product.business_id == business_id,
                Product.sku_key == cmd.sku.casefold(),
                Product.id != product.id,
            )
        )
        if taken is not None:
            raise Duplicate("sku", cmd.sku)
        product.sku = cmd.sku
        await index_product(session, product)
        codes = await session.scalars(
            select(Barcode.code).where(Barcode.product_id == product.id).order_by(Barcode.id)
        )
        view = ProductView.of(product, tuple(codes))
        await uow.commit()
        return view


async def change_party(uow: UnitOfWork, actor: Actor, cmd: ChangeParty) -> PartyView:
    """Changes a supplier's or customer's name, contact, phone or terms, or archives it.

    Raises:
        PermissionDenied: managers and owners change parties (clerks only add them).
        NotFound: no such party in this business.
        Duplicate: the new name is taken by another party of the same kind.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, f"change {cmd.kind}s")
        if cmd.kind == "supplier":
            view = await _change_party(uow, Supplier, membership, cmd)
        else:
            view = await _change_party(uow, Customer, membership, cmd)
        await uow.commit()
        return view


async def _change_party(
    uow: UnitOfWork, model: type[Party], membership: Membership, cmd: ChangeParty
) -> PartyView:
    session = uow.session
    business_id = membership.business_id
    party = await session.get(model, cmd.party_id)
    if party is None or party.business_id != business_id:
        raise NotFound(cmd.kind, str(cmd.party_id))
    changes = cmd.model_dump(
        exclude={"kind", "party_id", "currency", "credit_limit", "no_credit_limit"},
        exclude_none=True,
    )
    changes.update(await _money_changes(session, membership, party, cmd))
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        taken = await session.scalar(
            select(model.id).where(
                model.business_id == business_id,
                model.name == changes["name"],
                model.id != party.id,
            )
        )
        if taken is not None:
            raise Duplicate(cmd.kind, changes["name"])
    for field, value in changes.items():
        setattr(party, field, value.strip() if isinstance(value, str) else value)
    await session.flush()
    return PartyView.of(party)


async def _money_changes(
    session: AsyncSession, membership: Membership, party: Supplier | Customer, cmd: ChangeParty
) -> dict[str, object]:
    """The party's new currency and credit limit; a currency with items open stays.

    Raises:
        InvalidInput: not a currency, or a limit finer than it allows.
        InvalidState: changing the currency of a party that has items open.
    """
    currency = cmd.currency or party.currency
    limit = (
        None
        if cmd.no_credit_limit
        else (cmd.credit_limit if cmd.credit_limit is not None else party.credit_limit)
    )
    money = party_money(membership, currency, limit)
    if money["currency"] != party.currency:
        column = OpenItem.customer_id if isinstance(party, Customer) else OpenItem.supplier_id
        still_open = await session.scalar(
            select(OpenItem.number).where(column == party.id, OpenItem.open != 0).limit(1)
        )
        if still_open is not None:
            raise InvalidState(party.name, "open_items")
    return money


async def change_warehouse(uow: UnitOfWork, actor: Actor, cmd: ChangeWarehouse) -> WarehouseView:
    """Renames, archives or restores a warehouse.

    Archiving the default warehouse makes the oldest other active one the default.

    Raises:
        PermissionDenied: managers and owners change warehouses.
        NotFound: no such warehouse in this business.
        Duplicate: the new name is taken in this business.
        WarehouseStillNeeded: it holds stock, or it is the last active warehouse.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "change warehouses")
        mine = Warehouse.business_id == membership.business_id
        warehouse = await session.scalar(
            select(Warehouse).where(mine, Warehouse.id == cmd.warehouse_id)
        )
        if warehouse is None:
            raise NotFound("warehouse", str(cmd.warehouse_id))
        if cmd.name is not None:
            name = cmd.name.strip()
            taken = await session.scalar(
                select(Warehouse.id).where(
                    mine, Warehouse.name == name, Warehouse.id != warehouse.id
                )
            )
            if taken is not None:
                raise Duplicate("warehouse", name)
            warehouse.name = name
        if cmd.archived and not warehouse.archived:
            await _archive(uow, warehouse)
        elif cmd.archived is False:
            warehouse.archived = False
        await session.flush()
        view = WarehouseView.of(warehouse)
        await uow.commit()
        return view


async def _archive(uow: UnitOfWork, warehouse: Warehouse) -> None:
    session = uow.session
    holding = await session.scalar(
        select(func.count())
        .select_from(StockBalance)
        .where(
            StockBalance.business_id == warehouse.business_id,
            StockBalance.warehouse_id == warehouse.id,
            StockBalance.on_hand != 0,
        )
    )
    if holding:
        raise WarehouseStillNeeded(warehouse.name, "stock")
    heir = await session.scalar(
        select(Warehouse)
        .where(
            Warehouse.business_id == warehouse.business_id,
            Warehouse.id != warehouse.id,
            Warehouse.archived.is_(False),
        )
        .order_by(Warehouse.id)
        .limit(1)
    )
    if heir is None:
        raise WarehouseStillNeeded(warehouse.name, "last")
    warehouse.archived = True
    if warehouse.is_default:
        warehouse.is_default = False
        heir.is_default = True
