"""Browsing the catalog: products, suppliers and customers page by page; one product's card."""

from dataclasses import dataclass
from typing import Literal, TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Barcode, Customer, Product, Supplier, Warehouse
from core.catalog.results import PartyView, ProductView, WarehouseView
from core.db.uow import UnitOfWork
from core.errors import NotFound
from core.inventory.results import StockCard
from core.inventory.stock import _card  # one snapshot for the product and its stock
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role

PER_PAGE = 10
MAX_PER_PAGE = 50
PartyKind = Literal["supplier", "customer"]
Party = TypeVar("Party", Supplier, Customer)


@dataclass(frozen=True)
class ProductOverview:
    """A product with its stock, as the member asking may see it.

    ``stock.avg_cost`` and ``stock.value`` are None unless the member sees costs (managers and
    owners, never in public). ``role`` is the asker's role in the business.
    """

    product: ProductView
    stock: StockCard
    currency: str
    role: Role


def _bounds(page: int, per_page: int) -> tuple[int, int]:
    size = min(max(per_page, 1), MAX_PER_PAGE)
    return max(page, 0) * size, size


def _product_filter(business_id: int, term: str) -> ColumnElement[bool]:
    key = " ".join(term.split()).casefold()
    barcode = select(Barcode.product_id).where(
        Barcode.business_id == business_id, Barcode.code == term.strip()
    )
    return or_(
        Product.sku_key.startswith(key, autoescape=True),
        Product.name_key.contains(key, autoescape=True),
        Product.pinyin_initials.startswith(key, autoescape=True),
        Product.pinyin_full.startswith(key, autoescape=True),
        Product.id.in_(barcode),
    )


async def list_products(
    uow: UnitOfWork, actor: Actor, page: int = 0, per_page: int = PER_PAGE, term: str = ""
) -> tuple[list[ProductView], int]:
    """One page of the business's products and how many there are in all.

    Active products first, then archived ones, each by SKU. A ``term`` keeps the products
    whose SKU or pinyin starts with it, whose name contains it, or that carry it as a barcode.
    ``page`` counts from 0; a page past the end is empty.

    Raises:
        NoBusiness: the actor has no business.
        PermissionDenied: not a member of the business.
    """
    offset, size = _bounds(page, per_page)
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see products")
        where: list[ColumnElement[bool]] = [Product.business_id == membership.business_id]
        if term.strip():
            where.append(_product_filter(membership.business_id, term))
        total = await session.scalar(select(func.count(Product.id)).where(*where))
        rows = (
            await session.scalars(
                select(Product)
                .where(*where)
                .order_by(Product.archived, Product.sku_key, Product.id)
                .offset(offset)
                .limit(size)
            )
        ).all()
        codes = await _barcodes(session, [row.id for row in rows])
        return [ProductView.of(row, codes.get(row.id, ())) for row in rows], int(total or 0)


async def _barcodes(session: AsyncSession, ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    found: dict[int, tuple[str, ...]] = {}
    rows = await session.execute(
        select(Barcode.product_id, Barcode.code)
        .where(Barcode.product_id.in_(ids))
        .order_by(Barcode.id)
    )
    for product_id, code in rows:
        found[product_id] = (*found.get(product_id, ()), code)
    return found


async def product_overview(uow: UnitOfWork, actor: Actor, product_id: int) -> ProductOverview:
    """A product's details and its stock in every warehouse, from one snapshot.

    Average cost and stock value are left out (None) for clerks and viewers, and for anyone
    when ``actor.in_public`` (DESIGN rule 9).

    Raises:
        NoBusiness: the actor has no business.
        PermissionDenied: not a member of the business.
        NotFound: no such product in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock")
        product = await session.scalar(
            select(Product).where(
                Product.id == product_id, Product.business_id == membership.business_id
            )
        )
        if product is None:
            raise NotFound("product", str(product_id))
        codes = await _barcodes(session, [product.id])
        stock = await _card(session, product, membership.sees_costs)
        return ProductOverview(
            ProductView.of(product, codes.get(product.id, ())),
            stock,
            membership.business.base_currency,
            membership.role,
        )


async def list_parties(
    uow: UnitOfWork, actor: Actor, kind: PartyKind, page: int = 0, per_page: int = PER_PAGE
) -> tuple[list[PartyView], int]:
    """One page of the business's suppliers or customers and how many there are in all.

    Active ones first, then archived ones, each by name. A page past the end is empty.

    Raises:
        NoBusiness: the actor has no business.
        PermissionDenied: viewers do not see parties.
    """
    offset, size = _bounds(page, per_page)
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see parties")
        if kind == "supplier":
            return await _party_page(session, Supplier, membership.business_id, offset, size)
        return await _party_page(session, Customer, membership.business_id, offset, size)


async def _party_page(
    session: AsyncSession, model: type[Party], business_id: int, offset: int, size: int
) -> tuple[list[PartyView], int]:
    mine = model.business_id == business_id
    total = await session.scalar(select(func.count(model.id)).where(mine))
    rows = await session.scalars(
        select(model)
        .where(mine)
        .order_by(model.archived, model.name, model.id)
        .offset(offset)
        .limit(size)
    )
    return [PartyView.of(row) for row in rows], int(total or 0)


async def get_party(uow: UnitOfWork, actor: Actor, kind: PartyKind, party_id: int) -> PartyView:
    """One supplier or customer of the actor's business.

    Raises:
        PermissionDenied: viewers do not see parties.
        NotFound: no such party in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see parties")
        party: Supplier | Customer | None = await session.get(
            Supplier if kind == "supplier" else Customer, party_id
        )
        if party is None or party.business_id != membership.business_id:
            raise NotFound(kind, str(party_id))
        return PartyView.of(party)


async def get_warehouse(uow: UnitOfWork, actor: Actor, warehouse_id: int) -> WarehouseView:
    """One warehouse of the actor's business.

    Raises:
        NotFound: no such warehouse in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see warehouses")
        warehouse = await session.scalar(
            select(Warehouse).where(
                Warehouse.id == warehouse_id, Warehouse.business_id == membership.business_id
            )
        )
        if warehouse is None:
            raise NotFound("warehouse", str(warehouse_id))
        return WarehouseView.of(warehouse)
