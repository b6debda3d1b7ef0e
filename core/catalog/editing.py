"""Changing what the catalog already has: a product's SKU, parties, warehouses; archiving.

Clerks add products and parties (see ``products.py`` and ``parties.py``); changing or
archiving them, and anything about warehouses, is for managers and owners.
"""

from pydantic import Field, field_validator
from sqlalchemy import func, select

from core.catalog.listing import Party, PartyKind
from core.catalog.models import Barcode, Customer, Product, Supplier, Warehouse
from core.catalog.results import PartyView, ProductView, WarehouseView
from core.catalog.search import index_product
from core.commands import Command
from core.db.uow import UnitOfWork
from core.errors import Duplicate, NotFound, WarehouseStillNeeded
from core.inventory.models import StockBalance
from core.tenancy.access import Actor, require_member
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
            view = await _change_party(uow, Supplier, membership.business_id, cmd)
        else:
            view = await _change_party(uow, Customer, membership.business_id, cmd)
        await uow.commit()
        return view


async def _change_party(
    uow: UnitOfWork, model: type[Party], business_id: int, cmd: ChangeParty
) -> PartyView:
    session = uow.session
    party = await session.get(model, cmd.party_id)
    if party is None or party.business_id != business_id:
        raise NotFound(cmd.kind, str(cmd.party_id))
    changes = cmd.model_dump(exclude={"kind", "party_id"}, exclude_none=True)
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
