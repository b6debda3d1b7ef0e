"""Documents, their lines, the append-only stock ledger, balances and average costs."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Money, Price, Qty, Rate, UTCDateTime, utcnow


class DocType(StrEnum):
    """Document types and their number prefixes (DESIGN rule 7)."""

    RECEIPT = "CG"  # 采购入库
    SHIPMENT = "XS"  # 销售出库
    COUNT = "PD"  # 盘点
    TRANSFER = "DB"  # 调拨
    ADJUSTMENT = "TZ"  # 调整
    SALES_RETURN = "XSTH"  # 销售退货: goods back from a customer
    PURCHASE_RETURN = "CGTH"  # 采购退货: goods back to a supplier
    OPENING = "QC"  # 期初: opening stock at a unit cost, or an opening balance of a party


class DocStatus(StrEnum):
    """Draft → posted → (voided)."""

    POSTED = "posted"
    VOIDED = "voided"


class MoveKind(StrEnum):
    """A goods move carries quantity (and value); a variance move carries value only."""

    GOODS = "goods"
    VARIANCE = "variance"


class Document(Base):
    """A posted business document: the only source of stock moves."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("business_id", "number"),
        UniqueConstraint("business_id", "request_id"),
        # newest first: /docs, recent parties, a member's last warehouse, a party's documents
        Index("ix_documents_business_latest", "business_id", "id"),
        Index("ix_documents_author_latest", "created_by", "id"),
        Index("ix_documents_customer_latest", "customer_id", "id"),
        Index("ix_documents_supplier_latest", "supplier_id", "id"),
        # sales of the last days by date: reorder suggestions, the digest
        Index("ix_documents_business_type_date", "business_id", "doc_type", "doc_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    doc_type: Mapped[str] = mapped_column(String(4))
    number: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(10), default=DocStatus.POSTED)
    request_id: Mapped[str] = mapped_column(String(64))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    to_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    doc_date: Mapped[date] = mapped_column(Date)  # the business's local date
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a count's start
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    void_request_id: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str] = mapped_column(String(200), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    returns_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    # A manager's reason for selling stock that confirmed sales orders hold.
    override_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Money: the exchange rate to the base currency (None: in the base currency), the
    # round-off (抹零) taken off a sale's total, what was paid at once and how (None: all of
    # it, the documents of before credit), and when the rest falls due.
    rate: Mapped[Decimal | None] = mapped_column(Rate)
    round_off: Mapped[Decimal] = mapped_column(Money, default=Decimal(0), server_default="0")
    paid_now: Mapped[Decimal | None] = mapped_column(Money)
    payment_method: Mapped[str | None] = mapped_column(String(10))
    due_date: Mapped[date | None] = mapped_column(Date)


class DocumentLine(Base):
    """One product on a document. A count line keeps what was counted and what was on hand."""

    __tablename__ = "document_lines"
    __table_args__ = (UniqueConstraint("document_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty: Mapped[Decimal] = mapped_column(Qty)  # signed for counts and adjustments
    unit_price: Mapped[Decimal | None] = mapped_column(Price)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    counted_qty: Mapped[Decimal | None] = mapped_column(Qty)
    book_qty: Mapped[Decimal | None] = mapped_column(Qty)
    order_line_no: Mapped[int | None] = mapped_column(Integer)  # the order line it fills
    returns_line_no: Mapped[int | None] = mapped_column(Integer)  # the returned document's line
    # A sale line's discount: the amount taken off qty × price (and the percent it came
    # from, if it was given as one); ``amount`` is after it.
    discount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0), server_default="0")
    discount_pct: Mapped[Decimal | None] = mapped_column(Price)


class StockMove(Base):
    """One append-only entry of the stock ledger (DESIGN rule 1): never updated or deleted."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        Index("ix_stock_moves_business_product", "business_id", "product_id", "id"),
        Index("ix_stock_moves_warehouse_created", "warehouse_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    line_no: Mapped[int | None] = mapped_column(Integer)  # the document line it books
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    kind: Mapped[str] = mapped_column(String(10), default=MoveKind.GOODS)
    qty: Mapped[Decimal] = mapped_column(Qty)
    value: Mapped[Decimal] = mapped_column(Money)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("stock_moves.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StockBalance(Base):
    """On hand of one product in one warehouse; equals the sum of its goods moves."""

    __tablename__ = "stock_balances"
    __table_args__ = (Index("ix_stock_balances_business_product", "business_id", "product_id"),)

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    on_hand: Mapped[Decimal] = mapped_column(Qty, default=Decimal(0))
    # Held for confirmed sales orders: what they still have to ship from here. Available
    # to a sale not against an order is on_hand - reserved.
    reserved: Mapped[Decimal] = mapped_column(Qty, default=Decimal(0), server_default="0")


class ProductCost(Base):
    """Moving average of one product in its business, kept as a value (移动加权平均).

    ``value`` equals the sum of the product's move values to the cent. ``avg`` is the last
    average rounded to 8 places; while on hand > 0 the true average is value / on hand.
    """

    __tablename__ = "product_costs"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    on_hand: Mapped[Decimal] = mapped_column(Qty, default=Decimal(0))
    value: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    avg: Mapped[Decimal] = mapped_column(Rate, default=Decimal(0))
    # Who it was last received from and at what unit price (in that receipt's currency):
    # what a reorder suggestion and a draft purchase order start from.
    last_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    last_purchase_price: Mapped[Decimal | None] = mapped_column(Price)
