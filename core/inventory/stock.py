"""Stock queries: what is on hand, where, and (for managers) at what cost."""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Product, Warehouse
from core.db.uow import UnitOfWork
from core.errors import NotFound
from core.inventory.models import ProductCost, StockBalance
from core.inventory.results import StockCard, StockLevel
from core.numbers import ZERO
from core.orders.models import OPEN_STATUSES, Order, OrderKind, OrderLine
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


async def stock_card(
    uow: UnitOfWork, actor: Actor, *, sku: str | None = None, product_id: int | None = None
) -> StockCard:
    """On hand of one product (by SKU or id) in every warehouse of the business.

    Raises:
        NotFound: no such product in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock")
        query = select(Product).where(Product.business_id == membership.business_id)
        if sku is not None:
            query = query.where(Product.sku_key == sku.strip().casefold())
        else:
            query = query.where(Product.id == product_id)
        product = await session.scalar(query)
        if product is None:
            raise NotFound("product", sku or str(product_id))
        return await _card(session, product, membership.sees_costs)


async def _card(session: AsyncSession, product: Product, sees_costs: bool) -> StockCard:
    rows = await session.execute(
        select(Warehouse.id, Warehouse.name, StockBalance.on_hand, StockBalance.reserved)
        .join(StockBalance, StockBalance.warehouse_id == Warehouse.id)
        .where(
            StockBalance.business_id == product.business_id,  # the index, and the wall
            StockBalance.product_id == product.id,
        )
        .order_by(Warehouse.is_default.desc(), Warehouse.id)
    )
    found = rows.all()
    levels = tuple(StockLevel(w_id, name, qty) for w_id, name, qty, _ in found)
    cost = await session.get(ProductCost, product.id) if sees_costs else None
    avg: Decimal | None = None
    if cost is not None:
        avg = cost.value / cost.on_hand if cost.on_hand > 0 else cost.avg
    expected = await session.scalar(
        select(func.sum(OrderLine.qty - OrderLine.done_qty))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.business_id == product.business_id,
            Order.kind == OrderKind.PURCHASE.value,
            Order.status.in_(OPEN_STATUSES),
            OrderLine.product_id == product.id,
            OrderLine.done_qty < OrderLine.qty,
        )
    )
    return StockCard(
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        on_hand=sum((level.on_hand for level in levels), ZERO),
        levels=levels,
        avg_cost=avg,
        value=cost.value if cost is not None else None,
        on_order=expected or ZERO,
        reserved=sum((held for *_, held in found), ZERO),
    )


async def on_hand(uow: UnitOfWork, actor: Actor, product_id: int, warehouse_id: int) -> Decimal:
    """On hand of one product in one warehouse (0 when it never moved there).

    Raises:
        NotFound: no such warehouse in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock")
        warehouse = await session.get(Warehouse, warehouse_id)
        if warehouse is None or warehouse.business_id != membership.business_id:
            raise NotFound("warehouse", str(warehouse_id))
        qty = await session.scalar(
            select(StockBalance.on_hand).where(
                StockBalance.warehouse_id == warehouse_id, StockBalance.product_id == product_id
            )
        )
        return qty if qty is not None else ZERO
