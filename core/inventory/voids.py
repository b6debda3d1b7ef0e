"""Voiding a posted document: reversing moves, never an edit (DESIGN rule 1)."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from pydantic import Field
from sqlalchemy import select

from core.catalog.models import Warehouse
from core.commands import MutatingCommand
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.errors import InvalidState, NotFound, PermissionDenied, UndoExpired
from core.finance.items import reverse_document
from core.idempotency import once_per_request
from core.inventory.ledger import Posting
from core.inventory.models import (
    DocStatus,
    DocType,
    Document,
    DocumentLine,
    MoveKind,
    StockMove,
)
from core.inventory.results import VoidPosted
from core.numbers import ZERO
from core.orders.order_states import reopen_after_void
from core.orders.returns import has_returns
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role


class VoidDocument(MutatingCommand):
    """Void (作废) a posted document: an undo right after posting, or a manager's void later.

    Without a reason it is an undo: the author or a manager, within the business's undo
    window. With a reason it is a manager's void of any posted document, at any time.
    """

    document_id: int
    reason: str | None = Field(default=None, min_length=1, max_length=200)


@once_per_request
async def void_document(uow: UnitOfWork, actor: Actor, cmd: VoidDocument) -> VoidPosted:
    """Reverses every goods move of the document at its own value; its variances stay.

    Voiding what came in may leave the product's value clamped or re-set, which books a
    cost-variance move on the same document (DESIGN rule 4).

    Raises:
        PermissionDenied: an undo of someone else's document by a clerk, a void with a reason
            by anyone below manager; viewers never.
        UndoExpired: an undo after the business's undo window.
        NotFound: no such document in this business.
        InvalidState: the document is already voided (by another request).
        InsufficientStock: reversing would drive stock negative and that is off.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "void documents")
        query = select(Document).where(
            Document.id == cmd.document_id, Document.business_id == membership.business_id
        )
        if uow.dialect == "postgresql":  # two voids of one document: the second waits, sees it
            query = query.with_for_update()
        doc = await session.scalar(query)
        if doc is None:
            raise NotFound("document", str(cmd.document_id))
        if doc.status == DocStatus.VOIDED:
            if doc.void_request_id == cmd.request_id:
                return await _result(uow, doc, membership)
            raise InvalidState(doc.number, doc.status)
        _check_may_void(membership, doc, cmd.reason)
        if await has_returns(session, doc.id):  # its returns would be counted twice
            raise InvalidState(doc.number, "returned")
        originals = list(
            await session.scalars(
                select(StockMove)
                .where(StockMove.document_id == doc.id, StockMove.kind == MoveKind.GOODS)
                .order_by(StockMove.id.desc())  # undo the last move first
            )
        )
        doc.status, doc.voided_at = DocStatus.VOIDED, utcnow()
        doc.voided_by, doc.void_request_id = membership.member.id, cmd.request_id
        doc.void_reason = (cmd.reason or "").strip()
        await session.flush()
        posting = await _posting(uow, membership, doc, originals)
        for move in originals:
            posting.reverse(move, quantity_only=doc.doc_type == DocType.TRANSFER)
        if doc.order_id is not None:
            await _reopen_order(uow, membership, doc, posting)
        await posting.finish()
        await reverse_document(session, membership, doc)
        await uow.commit()
        return await _result(uow, doc, membership)


async def _reopen_order(
    uow: UnitOfWork, membership: Membership, doc: Document, posting: Posting
) -> None:
    """The voided document filled order lines: they expect those quantities again."""
    assert doc.order_id is not None
    filled: dict[int, Decimal] = defaultdict(Decimal)
    rows = await uow.session.execute(
        select(DocumentLine.order_line_no, DocumentLine.qty).where(
            DocumentLine.document_id == doc.id, DocumentLine.order_line_no.is_not(None)
        )
    )
    for line_no, qty in rows:
        if line_no is not None:  # the query left the others out
            filled[line_no] += qty
    await reopen_after_void(posting, membership, doc.order_id, dict(filled), doc.id)


def _check_may_void(membership: Membership, doc: Document, reason: str | None) -> None:
    manager = membership.role.at_least(Role.MANAGER)
    if reason is not None:
        if not manager:
            raise PermissionDenied("void documents with a reason", membership.role.value)
        return
    if not manager and doc.created_by != membership.member.id:
        raise PermissionDenied("undo someone else's document", membership.role.value)
    window = membership.business.undo_window_minutes
    if utcnow() - doc.posted_at > timedelta(minutes=window):
        raise UndoExpired(doc.number, window)


async def _posting(
    uow: UnitOfWork, membership: Membership, doc: Document, originals: list[StockMove]
) -> Posting:
    session = uow.session
    warehouse_ids = {m.warehouse_id for m in originals if m.warehouse_id is not None}
    warehouses = list(
        await session.scalars(
            select(Warehouse).where(
                Warehouse.id.in_(warehouse_ids), Warehouse.business_id == membership.business_id
            )
        )
    )
    posting = await Posting.open(
        session, membership, (m.product_id for m in originals), warehouses, archived_ok=True
    )
    posting.document_id = doc.id
    return posting


async def _result(uow: UnitOfWork, doc: Document, membership: Membership) -> VoidPosted:
    assert doc.voided_at is not None
    rows = (
        await uow.session.execute(
            select(StockMove.kind, StockMove.value, StockMove.reverses_id).where(
                StockMove.document_id == doc.id, StockMove.created_at >= doc.voided_at
            )
        )
    ).all()
    reversed_moves = sum(1 for row in rows if row.reverses_id is not None)
    variance = sum((row.value for row in rows if row.kind == MoveKind.VARIANCE), ZERO)
    return VoidPosted(
        doc.id,
        doc.number,
        doc.voided_at,
        reversed_moves,
        variance if membership.sees_costs else None,
    )
