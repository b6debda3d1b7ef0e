"""What catalog services answer."""

from dataclasses import dataclass
from decimal import Decimal

from core.catalog.models import Customer, Product, Supplier, Warehouse


@dataclass(frozen=True)
class ProductView:
    """A product as a member sees it."""

    product_id: int
    sku: str
    name: str
    unit: str
    barcodes: tuple[str, ...]
    default_purchase_price: Decimal | None
    default_sale_price: Decimal | None
    reorder_point: Decimal | None
    reorder_qty: Decimal | None
    archived: bool

    @classmethod
    def of(cls, product: Product, barcodes: tuple[str, ...]) -> "ProductView":
        """From the row and its barcodes."""
        return cls(
            product.id,
            product.sku,
            product.name,
            product.unit,
            barcodes,
            product.default_purchase_price,
            product.default_sale_price,
            product.reorder_point,
            product.reorder_qty,
            product.archived,
        )


@dataclass(frozen=True)
class WarehouseView:
    """A warehouse."""

    warehouse_id: int
    name: str
    is_default: bool
    archived: bool

    @classmethod
    def of(cls, warehouse: Warehouse) -> "WarehouseView":
        """From the row."""
        return cls(warehouse.id, warehouse.name, warehouse.is_default, warehouse.archived)


@dataclass(frozen=True)
class PartyView:
    """A supplier or a customer."""

    party_id: int
    name: str
    contact: str
    phone: str
    terms_days: int
    archived: bool
    currency: str | None = None  # None: the business's base currency
    credit_limit: Decimal | None = None

    @classmethod
    def of(cls, party: Supplier | Customer) -> "PartyView":
        """From the row."""
        return cls(
            party.id,
            party.name,
            party.contact,
            party.phone,
            party.terms_days,
            party.archived,
            party.currency,
            party.credit_limit,
        )
