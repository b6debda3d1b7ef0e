"""The audit trail: posted and voided documents, as clerks and managers look them up."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.catalog.models import Customer, Product, Supplier, Warehouse
from core.commands import Command
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.errors import NotFound
from core.finance.models import OpenItem
from core.inventory.models import DocStatus, DocType, Document, DocumentLine, MoveKind, StockMove
from core.numbers import ZERO
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Member, Role

_Query = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class CardLine:
    """One line of a document card; ``cost`` is None unless the member may see costs."""

    line_no: int
    product_id: int
    sku: str
    name: str
    unit: str
    qty: Decimal
    unit_price: Decimal | None
    amount: Decimal | None
    cost: Decimal | None
    discount: Decimal = Decimal(0)


@dataclass(frozen=True)
class DocumentCard:
    """Everything about one document: who posted it, what it moved, whether it was voided.

    ``can_undo``/``can_void`` say what the asking member may do with it right now.
    """

    document_id: int
    number: str
    doc_type: str
    status: str
    doc_date: date
    posted_at: datetime
    author: str  # the member's display name
    author_user_id: int
    party_id: int | None
    party_name: str | None  # supplier or customer
    warehouse_id: int
    warehouse: str
    to_warehouse_id: int | None
    to_warehouse: str | None
    currency: str
    total: Decimal
    note: str
    lines: tuple[CardLine, ...]
    cost: Decimal | None  # None for clerks, in public, and for transfers (costs are business-wide)
    voided_at: datetime | None
    voided_by: str | None
    void_reason: str
    undo_until: datetime  # posted_at + the business's undo window
    override_reason: str = ""  # a manager sold stock held for orders, and why
    timezone: str = "Asia/Shanghai"  # the business's, for showing dates and times
    can_undo: bool = False  # posted, within the window, and the author or a manager
    can_void: bool = False  # posted, and the member is a manager or the owner
    can_return: bool = False  # a posted sale or receipt, and the member may post returns
    # Money: paid at once and how (None: a document without money), the round-off, the rate
    # to the base currency (None: in the base), when the rest falls due, and — for managers
    # only — how much of what it left owed is still open now.
    paid_now: Decimal | None = None
    payment_method: str | None = None
    round_off: Decimal = Decimal(0)
    rate: Decimal | None = None
    due_date: date | None = None
    still_open: Decimal | None = None
    base_currency: str = "CNY"  # the business's: costs are in it

    @property
    def owed(self) -> Decimal:
        """What it left owed (a return: credited) beyond what was paid at once."""
        return self.total - self.paid_now if self.paid_now is not None else Decimal(0)


@dataclass(frozen=True)
class DocumentSummary:
    """One row of the document list."""

    document_id: int
    number: str
    doc_type: str
    status: str
    posted_at: datetime
    party_name: str | None
    total: Decimal
    line_count: int
    author: str
    timezone: str = "Asia/Shanghai"


class DocumentFilter(Command):
    """Which documents to list: newest first, ``limit`` of them.

    ``before_id`` pages to older ones; ``after_id`` to the ``limit`` just newer (still
    listed newest first).

    ``party_kind`` says whether ``party_id`` is a supplier or a customer (their ids are
    separate); when None, the document type decides, else either matches.
    """

    doc_type: str | None = None  # a DocType value: CG, XS, PD, DB, TZ
    party_id: int | None = None
    party_kind: Literal["supplier", "customer"] | None = None
    product_id: int | None = None
    before_id: int | None = None
    after_id: int | None = None  # paging back: the ``limit`` documents just newer than this
    limit: int = Field(default=10, ge=1, le=50)

    @field_validator("doc_type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in {t.value for t in DocType}:
            raise ValueError("not a document type")
        return value


def _name(member: Member | None) -> str:
    if member is None:
        return ""
    return member.display_name or str(member.user_id)


async def document_card(uow: UnitOfWork, actor: Actor, document_id: int) -> DocumentCard:
    """One document of the actor's business with its lines; costs only for managers.

    Raises:
        PermissionDenied: viewers see stock only (DESIGN rule 9).
        NotFound: no such document in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see documents")
        doc = await session.scalar(
            select(Document).where(
                Document.id == document_id, Document.business_id == membership.business_id
            )
        )
        if doc is None:
            raise NotFound("document", str(document_id))
        return await _card(session, membership, doc)


async def _card(session: AsyncSession, membership: Membership, doc: Document) -> DocumentCard:
    members = {
        m.id: m
        for m in await session.scalars(
            select(Member).where(Member.id.in_({doc.created_by, doc.voided_by or doc.created_by}))
        )
    }
    warehouses = {
        w.id: w.name
        for w in await session.scalars(
            select(Warehouse).where(
                Warehouse.id.in_({doc.warehouse_id, doc.to_warehouse_id or doc.warehouse_id})
            )
        )
    }
    party_id, party_name = await _party(session, doc)
    rows = (
        await session.execute(
            select(DocumentLine, Product.sku, Product.name, Product.unit)
            .join(Product, Product.id == DocumentLine.product_id)
            .where(DocumentLine.document_id == doc.id)
            .order_by(DocumentLine.line_no)
        )
    ).all()
    valued = membership.sees_costs and doc.doc_type != DocType.TRANSFER  # costs are business-wide
    costs = await _line_costs(session, doc) if valued else None
    lines = tuple(
        CardLine(
            line_no=line.line_no,
            product_id=line.product_id,
            sku=sku,
            name=name,
            unit=unit,
            qty=line.qty,
            unit_price=line.unit_price,
            amount=line.amount,
            cost=None if costs is None else costs.get(line.line_no, ZERO),
            discount=line.discount or ZERO,
        )
        for line, sku, name, unit in rows
    )
    author = members.get(doc.created_by)
    window = timedelta(minutes=membership.business.undo_window_minutes)
    undo_until = doc.posted_at + window
    posted = doc.status == DocStatus.POSTED
    manager = membership.role.at_least(Role.MANAGER)
    mine = doc.created_by == membership.member.id
    return DocumentCard(
        document_id=doc.id,
        number=doc.number,
        doc_type=doc.doc_type,
        status=doc.status,
        doc_date=doc.doc_date,
        posted_at=doc.posted_at,
        author=_name(author),
        author_user_id=author.user_id if author is not None else 0,
        party_id=party_id,
        party_name=party_name,
        warehouse_id=doc.warehouse_id,
        warehouse=warehouses.get(doc.warehouse_id, ""),
        to_warehouse_id=doc.to_warehouse_id,
        to_warehouse=(
            warehouses.get(doc.to_warehouse_id) if doc.to_warehouse_id is not None else None
        ),
        currency=doc.currency,
        total=doc.total,
        note=doc.note,
        lines=lines,
        cost=None if costs is None else sum(costs.values(), ZERO),
        voided_at=doc.voided_at,
        voided_by=_name(members.get(doc.voided_by)) if doc.voided_by is not None else None,
        void_reason=doc.void_reason,
        override_reason=doc.override_reason,
        undo_until=undo_until,
        timezone=membership.business.timezone,
        can_undo=posted
        and (manager or mine)
        and window.total_seconds() > 0
        and utcnow() <= undo_until,
        can_void=posted and manager,
        paid_now=doc.paid_now,
        payment_method=doc.payment_method,
        round_off=doc.round_off or ZERO,
        rate=doc.rate,
        due_date=doc.due_date,
        still_open=(
            await _still_open(session, doc) if manager and not membership.in_public else None
        ),
        base_currency=membership.business.base_currency,
        can_return=posted
        and doc.doc_type in (DocType.SHIPMENT, DocType.RECEIPT)
        and membership.role.at_least(Role.CLERK),
    )


async def _still_open(session: AsyncSession, doc: Document) -> Decimal | None:
    """What is still open of the item the document booked (None: it booked none)."""
    found = await session.scalar(
        select(OpenItem.open).where(OpenItem.document_id == doc.id, OpenItem.reverses_id.is_(None))
    )
    return None if found is None else abs(found)


async def _party(session: AsyncSession, doc: Document) -> tuple[int | None, str | None]:
    if doc.supplier_id is not None:
        supplier = await session.get(Supplier, doc.supplier_id)
        return doc.supplier_id, supplier.name if supplier is not None else None
    if doc.customer_id is not None:
        customer = await session.get(Customer, doc.customer_id)
        return doc.customer_id, customer.name if customer is not None else None
    return None, None


async def _line_costs(session: AsyncSession, doc: Document) -> dict[int, Decimal]:
    """The stock value each line moved when posted (COGS for a sale)."""
    query = select(StockMove.line_no, StockMove.value).where(
        StockMove.document_id == doc.id,
        StockMove.kind == MoveKind.GOODS,
        StockMove.reverses_id.is_(None),
        StockMove.line_no.is_not(None),
    )
    if doc.voided_at is not None:  # moves the void itself booked are not the posting's
        query = query.where(StockMove.created_at < doc.voided_at)
    values: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_no, value in await session.execute(query):
        if line_no is None:
            continue
        values[line_no] += value
    return {line_no: abs(value) for line_no, value in values.items()}


async def list_documents(
    uow: UnitOfWork, actor: Actor, filt: DocumentFilter
) -> list[DocumentSummary]:
    """The business's documents, newest first, at most ``filt.limit``, before ``before_id``.

    Raises:
        PermissionDenied: viewers see stock only (DESIGN rule 9).
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "see documents")
        rows = list((await session.execute(_listing(membership.business_id, filt))).all())
        if filt.after_id is not None:
            rows.reverse()  # fetched oldest first to take the ones just after ``after_id``
        zone = membership.business.timezone
        return [
            DocumentSummary(
                document_id=row.id,
                number=row.number,
                doc_type=row.doc_type,
                status=row.status,
                posted_at=row.posted_at,
                party_name=row.supplier or row.customer,
                total=row.total,
                line_count=row.line_count or 0,
                author=row.display_name or str(row.user_id),
                timezone=zone,
            )
            for row in rows
        ]


def _listing(business_id: int, filt: DocumentFilter) -> _Query:
    author = aliased(Member)
    line_count = (
        select(func.count(DocumentLine.id))
        .where(DocumentLine.document_id == Document.id)
        .correlate(Document)
        .scalar_subquery()
    )
    query: _Query = (
        select(
            Document.id,
            Document.number,
            Document.doc_type,
            Document.status,
            Document.posted_at,
            Document.total,
            Supplier.name.label("supplier"),
            Customer.name.label("customer"),
            author.display_name,
            author.user_id,
            line_count.label("line_count"),
        )
        .join(author, author.id == Document.created_by)
        .outerjoin(Supplier, Supplier.id == Document.supplier_id)
        .outerjoin(Customer, Customer.id == Document.customer_id)
        .where(Document.business_id == business_id)
        .order_by(Document.id.asc() if filt.after_id is not None else Document.id.desc())
        .limit(filt.limit)
    )
    if filt.after_id is not None:
        query = query.where(Document.id > filt.after_id)
    if filt.doc_type is not None:
        query = query.where(Document.doc_type == filt.doc_type)
    if filt.before_id is not None:
        query = query.where(Document.id < filt.before_id)
    if filt.party_id is not None:
        kind = filt.party_kind
        if kind is None and filt.doc_type == DocType.RECEIPT:
            kind = "supplier"
        elif kind is None and filt.doc_type == DocType.SHIPMENT:
            kind = "customer"
        if kind == "supplier":
            query = query.where(Document.supplier_id == filt.party_id)
        elif kind == "customer":
            query = query.where(Document.customer_id == filt.party_id)
        else:
            query = query.where(
                or_(Document.supplier_id == filt.party_id, Document.customer_id == filt.party_id)
            )
    if filt.product_id is not None:
        query = query.where(
            select(DocumentLine.id)
            .where(
                DocumentLine.document_id == Document.id,
                DocumentLine.product_id == filt.product_id,
            )
            .correlate(Document)
            .exists()
        )
    return query
