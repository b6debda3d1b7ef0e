"""Warehouses of a business."""

from pydantic import Field
from sqlalchemy import select

from core.catalog.models import Warehouse
from core.catalog.results import WarehouseView
from core.commands import MutatingCommand
from core.db.uow import UnitOfWork
from core.errors import Duplicate
from core.idempotency import earlier_result, once_per_request, remember
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


class CreateWarehouse(MutatingCommand):
    """Add a warehouse (仓库)."""

    name: str = Field(min_length=1, max_length=100)


@once_per_request
async def create_warehouse(uow: UnitOfWork, actor: Actor, cmd: CreateWarehouse) -> WarehouseView:
    """Adds a warehouse.

    Raises:
        PermissionDenied: managers and owners add warehouses.
        Duplicate: the name is taken in this business.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "add warehouses")
        if done := await earlier_result(
            session, actor.user_id, membership.business_id, cmd.request_id, "warehouse"
        ):
            return WarehouseView.of(await session.get_one(Warehouse, done))
        name = cmd.name.strip()
        taken = await session.scalar(
            select(Warehouse.id).where(
                Warehouse.business_id == membership.business_id, Warehouse.name == name
            )
        )
        if taken is not None:
            raise Duplicate("warehouse", name)
        warehouse = Warehouse(business_id=membership.business_id, name=name, is_default=False)
        session.add(warehouse)
        await session.flush()
        remember(
            session,
            actor.user_id,
            membership.business_id,
            cmd.request_id,
            "warehouse",
            warehouse.id,
        )
        await uow.commit()
        return WarehouseView.of(warehouse)


async def list_warehouses(uow: UnitOfWork, actor: Actor) -> list[WarehouseView]:
    """The business's warehouses, the default one first."""
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see warehouses")
        rows = await session.scalars(
            select(Warehouse)
            .where(Warehouse.business_id == membership.business_id)
            .order_by(Warehouse.is_default.desc(), Warehouse.id)
        )
        return [WarehouseView.of(w) for w in rows]
