"""What the purchase and sale flows offer first: recent parties, last cost, the usual warehouse.

Read-only helpers for a member entering a receipt or a shipment, so the first buttons are the
likely answers (DESIGN: Chat UX principles, "recent items come first"). Each call is one read
snapshot. ``purchase_start``/``sale_start`` give everything the first screens need at once.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeVar

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Customer, Supplier, Warehouse
from core.catalog.results import PartyView, WarehouseView
from core.db.uow import UnitOfWork
from core.inventory.models import DocStatus, DocType, Document, DocumentLine, StockBalance
from core.numbers import ZERO
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role
from core.tenancy.results import BusinessView

Party = TypeVar("Party", Supplier, Customer)
PartyKind = Literal["supplier", "customer"]
RECENT_PARTIES = 6
FOUND_PARTIES = 8
RECENT_DOCUMENTS = 200  # "recent" parties are those of the latest documents; then by name


@dataclass(frozen=True)
class TradeStart:
    """What the first screens of a purchase or sale show, read in one snapshot.

    ``warehouses`` are the active ones, the member's last used first, then the default one.
    ``parties`` are the recent suppliers (purchase) or customers (sale) of the latest
    documents, then others by name.
    """

    business: BusinessView
    warehouses: tuple[WarehouseView, ...]
    parties: tuple[PartyView, ...]
    last_warehouse_id: int | None
    sees_costs: bool


async def purchase_start(uow: UnitOfWork, actor: Actor, limit: int = RECENT_PARTIES) -> TradeStart:
    """Business settings, warehouses and recent suppliers for a new purchase receipt.

    Raises:
        NoBusiness: the actor has no business to act in.
        PermissionDenied: viewers do not receive goods.
    """
    return await _start(uow, actor, Supplier, "enter receipts", limit)


async def sale_start(uow: UnitOfWork, actor: Actor, limit: int = RECENT_PARTIES) -> TradeStart:
    """Business settings, warehouses and recent customers for a new sale.

    Raises:
        NoBusiness: the actor has no business to act in.
        PermissionDenied: viewers do not sell.
    """
    return await _start(uow, actor, Customer, "enter sales", limit)


async def _start(
    uow: UnitOfWork, actor: Actor, model: type[Party], action: str, limit: int
) -> TradeStart:
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, action)
        last = await _last_warehouse(session, membership)
        rows = await session.scalars(
            select(Warehouse)
            .where(Warehouse.business_id == membership.business_id, Warehouse.archived.is_(False))
            .order_by(
                case((Warehouse.id == (last or 0), 0), else_=1),
                Warehouse.is_default.desc(),
                Warehouse.id,
            )
        )
        warehouses = tuple(WarehouseView.of(w) for w in rows)
        parties = await _recent(session, membership, model, limit)
        return TradeStart(
            business=BusinessView.of(membership.business, membership.role),
            warehouses=warehouses,
            parties=tuple(parties),
            last_warehouse_id=last,
            sees_costs=membership.sees_costs,
        )


async def recent_suppliers(
    uow: UnitOfWork, actor: Actor, limit: int = RECENT_PARTIES
) -> list[PartyView]:
    """Active suppliers of the latest documents first, then the others by name.

    Raises:
        PermissionDenied: viewers see stock only.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see parties")
        return await _recent(session, membership, Supplier, limit)


async def recent_customers(
    uow: UnitOfWork, actor: Actor, limit: int = RECENT_PARTIES
) -> list[PartyView]:
    """Active customers of the latest documents first, then the others by name.

    Raises:
        PermissionDenied: viewers see stock only.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see parties")
        return await _recent(session, membership, Customer, limit)


async def _recent(
    session: AsyncSession, membership: Membership, model: type[Party], limit: int
) -> list[PartyView]:
    party_column = Document.supplier_id if model is Supplier else Document.customer_id
    newest = (  # the latest documents only: a walk of the newest-first index, not of all
        select(party_column.label("party_id"), Document.id.label("doc_id"))
        .where(Document.business_id == membership.business_id, party_column.is_not(None))
        .order_by(Document.id.desc())
        .limit(RECENT_DOCUMENTS)
        .subquery()
    )
    latest = (
        select(newest.c.party_id, func.max(newest.c.doc_id).label("last_id"))
        .group_by(newest.c.party_id)
        .subquery()
    )
    query = (
        select(model)
        .outerjoin(latest, latest.c.party_id == model.id)
        .where(model.business_id == membership.business_id, model.archived.is_(False))
        .order_by(func.coalesce(latest.c.last_id, 0).desc(), model.name, model.id)
        .limit(limit)
    )
    return [PartyView.of(party) for party in await session.scalars(query)]


async def find_parties(
    uow: UnitOfWork, actor: Actor, kind: PartyKind, term: str, limit: int = FOUND_PARTIES
) -> list[PartyView]:
    """Active suppliers or customers whose name contains ``term`` (any case), prefixes first.

    Raises:
        PermissionDenied: viewers see stock only.
    """
    needle = " ".join(term.split()).casefold()
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see parties")
        if not needle:
            return []
        if kind == "supplier":
            return await _find(session, membership, Supplier, needle, limit)
        return await _find(session, membership, Customer, needle, limit)


async def _find(
    session: AsyncSession, membership: Membership, model: type[Party], needle: str, limit: int
) -> list[PartyView]:
    name = func.lower(model.name)
    rows = await session.scalars(
        select(model)
        .where(
            model.business_id == membership.business_id,
            model.archived.is_(False),
            name.contains(needle, autoescape=True),
        )
        .order_by(case((name.startswith(needle, autoescape=True), 0), else_=1), model.name)
        .limit(limit)
    )
    return [PartyView.of(party) for party in rows]


async def last_purchase_cost(uow: UnitOfWork, actor: Actor, product_id: int) -> Decimal | None:
    """The unit price of the product on the latest posted (not voided) receipt, if any.

    A clerk types purchase prices, so may see this one (it is no average cost); where others
    read the answer (a group chat) it is None, as a group follows its lowest role.

    Raises:
        PermissionDenied: viewers see stock only.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see purchase prices")
        if membership.in_public:
            return None
        price: Decimal | None = await session.scalar(
            select(DocumentLine.unit_price)
            .join(Document, Document.id == DocumentLine.document_id)
            .where(
                Document.business_id == membership.business_id,
                Document.doc_type == DocType.RECEIPT.value,
                Document.status == DocStatus.POSTED.value,
                DocumentLine.product_id == product_id,
            )
            .order_by(Document.id.desc(), DocumentLine.line_no.desc())
            .limit(1)
        )
        return price


async def member_last_warehouse(uow: UnitOfWork, actor: Actor) -> int | None:
    """The warehouse of the member's latest document in this business, if any.

    Raises:
        PermissionDenied: not a member of the business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see documents")
        return await _last_warehouse(session, membership)


async def _last_warehouse(session: AsyncSession, membership: Membership) -> int | None:
    warehouse_id: int | None = await session.scalar(
        select(Document.warehouse_id)
        .where(
            Document.business_id == membership.business_id,
            Document.created_by == membership.member.id,
        )
        .order_by(Document.id.desc())
        .limit(1)
    )
    return warehouse_id


async def available_in(
    uow: UnitOfWork, actor: Actor, product_id: int, warehouse_id: int
) -> Decimal:
    """What can be sold of a product in a warehouse: on hand less what sales orders hold.

    A product or warehouse of another business has nothing available here.

    Raises:
        PermissionDenied: not a member of the business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock")
        qty: Decimal | None = await session.scalar(
            select(StockBalance.on_hand - StockBalance.reserved).where(
                StockBalance.business_id == membership.business_id,
                StockBalance.warehouse_id == warehouse_id,
                StockBalance.product_id == product_id,
            )
        )
        return ZERO if qty is None else qty
