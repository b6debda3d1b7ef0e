"""Purchase and sales orders (采购订单, 销售订单): what was agreed, before goods move.

An order is not part of the stock ledger: its lines carry how much is ordered and how much
has been received (or shipped) so far, which postings against it raise and their voids
lower. Every change of state is an ``OrderEvent`` row: who did what when.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Money, Price, Qty, UTCDateTime, utcnow


class OrderKind(StrEnum):
    """Order types and their number prefixes (DESIGN rule 7)."""

    PURCHASE = "CGDD"  # 采购订单
    SALES = "XSDD"  # 销售订单


class OrderStatus(StrEnum):
    """Draft → open (ordered / confirmed) → partial → done (received / shipped), or cancelled."""

    DRAFT = "draft"
    OPEN = "open"
    PARTIAL = "partial"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_STATUSES = (OrderStatus.OPEN.value, OrderStatus.PARTIAL.value)


class OrderAction(StrEnum):
    """What an order's event records."""

    CREATED = "created"
    PLACED = "placed"
    RECEIVED = "received"
    SHIPPED = "shipped"
    REOPENED = "reopened"  # a posting against it was voided
    CANCELLED = "cancelled"


class Order(Base):
    """One purchase or sales order of a business."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("business_id", "number"),
        UniqueConstraint("business_id", "request_id"),
        Index("ix_orders_business_kind_status", "business_id", "kind", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    kind: Mapped[str] = mapped_column(String(4))
    number: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(10))
    request_id: Mapped[str] = mapped_column(String(64))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderLine(Base):
    """A product ordered: how many, at what price, and how many have arrived (or left)."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty: Mapped[Decimal] = mapped_column(Qty)
    done_qty: Mapped[Decimal] = mapped_column(Qty)  # received (purchase) or shipped (sales)
    unit_price: Mapped[Decimal] = mapped_column(Price)
    amount: Mapped[Decimal] = mapped_column(Money)


class OrderEvent(Base):
    """Who did what to an order, when, and the document it posted (if any)."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(12))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
