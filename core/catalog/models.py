"""Products, barcodes, warehouses, suppliers and customers."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Money, Price, Qty, UTCDateTime, utcnow


class Product(Base):
    """A SKU of one business. ``name_key``/``pinyin_*`` are search keys kept with the name."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("business_id", "sku"),
        Index("ix_products_business_sku_key", "business_id", "sku_key"),
        Index("ix_products_business_name_key", "business_id", "name_key"),
        Index("ix_products_business_initials", "business_id", "pinyin_initials"),
        Index("ix_products_business_pinyin", "business_id", "pinyin_full"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    sku: Mapped[str] = mapped_column(String(32))
    sku_key: Mapped[str] = mapped_column(String(32))  # casefolded SKU for lookups
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # casefolded name
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="")
    pinyin_full: Mapped[str] = mapped_column(String(800), default="")
    unit: Mapped[str] = mapped_column(String(16), default="")
    default_purchase_price: Mapped[Decimal | None] = mapped_column(Price)
    default_sale_price: Mapped[Decimal | None] = mapped_column(Price)
    reorder_point: Mapped[Decimal | None] = mapped_column(Qty)
    reorder_qty: Mapped[Decimal | None] = mapped_column(Qty)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Barcode(Base):
    """One of a product's barcodes (EAN-13, UPC, an internal code)."""

    __tablename__ = "barcodes"
    __table_args__ = (UniqueConstraint("business_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))


class ProductGram(Base):
    """One- and two-character pieces of a product's name, for short substring searches.

    FTS5's trigram tokenizer and pg_trgm both find nothing useful for 1–2-character terms
    (牛奶, 杯), so those are looked up here.
    """

    __tablename__ = "product_grams"

    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), primary_key=True)
    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id"), primary_key=True, index=True
    )


class Warehouse(Base):
    """A place stock is kept; every business starts with one."""

    __tablename__ = "warehouses"
    __table_args__ = (UniqueConstraint("business_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class _Party:
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    terms_days: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str | None] = mapped_column(String(3))  # None: the business's base
    credit_limit: Mapped[Decimal | None] = mapped_column(Money)  # customers; in its currency
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Supplier(_Party, Base):
    """Someone the business buys from (供应商)."""

    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("business_id", "name"),)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)


class Customer(_Party, Base):
    """Someone the business sells to (客户)."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("business_id", "name"),)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
