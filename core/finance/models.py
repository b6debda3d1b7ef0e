"""Open items, payments and allocations: the sub-ledger of what parties owe and are owed.

Every row here is append-only, like the stock ledger. A credit sale (or receipt) books a
*debit* item: the customer owes us (we owe the supplier). A payment, a return or a void books
a *credit* item (negative amount). An allocation matches a debit item with a credit item of
the same party and currency; an item's ``open`` is its amount less its allocations, kept in
the row and proved by ``jxc-bot check``. A void never deletes: it books a reversing item,
and a voided payment's allocations are reversed by allocations of the opposite sign.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Money, Rate, UTCDateTime, utcnow


class PartyKind(StrEnum):
    """Whose account: a customer's receivables or a supplier's payables."""

    CUSTOMER = "customer"
    SUPPLIER = "supplier"


class PaymentType(StrEnum):
    """Payment document types and their number prefixes (DESIGN rule 7)."""

    RECEIVED = "SK"  # 收款: money from a customer
    PAID = "FK"  # 付款: money to a supplier


class PaymentMethod(StrEnum):
    """How money changed hands."""

    CASH = "cash"
    BANK = "bank"
    WECHAT = "wechat"
    ALIPAY = "alipay"


class Payment(Base):
    """Money received from a customer (SK) or paid to a supplier (FK)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("business_id", "number"),
        UniqueConstraint("business_id", "request_id"),
        Index("ix_payments_business_latest", "business_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    doc_type: Mapped[str] = mapped_column(String(4))
    number: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(10))  # posted, voided (DocStatus)
    request_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate)  # to the base currency on its date
    amount: Mapped[Decimal] = mapped_column(Money)  # > 0, in ``currency``
    method: Mapped[str] = mapped_column(String(10))
    doc_date: Mapped[date]  # the business's local date
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    void_request_id: Mapped[str | None] = mapped_column(String(64))
    void_reason: Mapped[str] = mapped_column(String(200), default="")


class OpenItem(Base):
    """One entry of a party's account, in the document's currency and at its rate.

    ``amount`` > 0: owed to us by a customer / by us to a supplier; < 0: a credit (payment,
    return, void). ``base_amount`` is round(amount × rate) in the base currency. ``open`` and
    ``open_base`` are what allocations have left of each (same sign as the amount, or 0).
    """

    __tablename__ = "open_items"
    __table_args__ = (
        Index("ix_open_items_customer", "business_id", "customer_id", "currency", "id"),
        Index("ix_open_items_supplier", "business_id", "supplier_id", "currency", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("open_items.id"))
    number: Mapped[str] = mapped_column(String(24))  # the document's or payment's number
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate)
    amount: Mapped[Decimal] = mapped_column(Money)
    base_amount: Mapped[Decimal] = mapped_column(Money)
    open: Mapped[Decimal] = mapped_column(Money)
    open_base: Mapped[Decimal] = mapped_column(Money)
    item_date: Mapped[date]  # the document's local date
    due_date: Mapped[date | None]  # debit items only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Allocation(Base):
    """``amount`` of a credit item settles as much of a debit item (same party, currency).

    ``debit_base`` and ``credit_base`` are the base-currency values of that amount at each
    item's rate; their difference is the realised exchange difference. A reversal (a voided
    payment) has the opposite signs and points at the allocation it undoes.
    """

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    debit_id: Mapped[int] = mapped_column(ForeignKey("open_items.id"), index=True)
    credit_id: Mapped[int] = mapped_column(ForeignKey("open_items.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    debit_base: Mapped[Decimal] = mapped_column(Money)
    credit_base: Mapped[Decimal] = mapped_column(Money)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("allocations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def exchange_difference(self) -> Decimal:
        """Base value the credit brought less what the debit was booked at."""
        return self.credit_base - self.debit_base
