"""Products: create, change, archive, barcodes."""

from decimal import Decimal

from pydantic import Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Barcode, Product
from core.catalog.results import ProductView
from core.catalog.search import index_product, search_keys
from core.commands import Command, CountedQuantity, MutatingCommand, UnitPrice
from core.db.uow import UnitOfWork
from core.errors import Duplicate, NotFound
from core.idempotency import earlier_result, once_per_request, remember
from core.inventory.models import ProductCost, StockMove
from core.sequences import next_number
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role


def _sku(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value or any(c.isspace() for c in value):
        raise ValueError("a SKU has no spaces")
    return value


def _barcode(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 64 or any(c.isspace() for c in value):
        raise ValueError("a barcode is 1–64 characters without spaces")
    return value


class CreateProduct(MutatingCommand):
    """Add a product; without a SKU one is generated (P00001, P00002, ...)."""

    name: str = Field(min_length=1, max_length=200)
    sku: str | None = Field(default=None, max_length=32)
    unit: str = Field(default="", max_length=16)
    barcodes: tuple[str, ...] = ()
    default_purchase_price: UnitPrice | None = None
    default_sale_price: UnitPrice | None = None
    reorder_point: CountedQuantity | None = None
    reorder_qty: CountedQuantity | None = None

    _check_sku = field_validator("sku")(_sku)

    @field_validator("barcodes")
    @classmethod
    def _check_barcodes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_barcode(code) for code in value))


class ChangeProduct(Command):
    """Change a product's details; None leaves a field as it is."""

    product_id: int
    name: str | None = Field(default=None, min_length=1, max_length=200)
    unit: str | None = Field(default=None, max_length=16)
    default_purchase_price: UnitPrice | None = None
    default_sale_price: UnitPrice | None = None
    reorder_point: CountedQuantity | None = None
    reorder_qty: CountedQuantity | None = None
    archived: bool | None = None


class AddBarcode(Command):
    """Attach one more barcode to a product."""

    product_id: int
    code: str

    _check_code = field_validator("code")(_barcode)


@once_per_request
async def create_product(uow: UnitOfWork, actor: Actor, cmd: CreateProduct) -> ProductView:
    """Creates a product with its barcodes and an empty cost row.

    Raises:
        PermissionDenied: viewers may not add products.
        Duplicate: the SKU or a barcode is already used in this business.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "add products")
        business_id = membership.business_id
        if done := await earlier_result(
            session, actor.user_id, membership.business_id, cmd.request_id, "product"
        ):
            return await _view(session, business_id, done)
        sku = cmd.sku or await _generated_sku(uow, business_id)
        if await _sku_taken(uow, business_id, sku):
            raise Duplicate("sku", sku)
        for code in cmd.barcodes:
            await _check_barcode_free(uow, business_id, code)
        keys = search_keys(sku, cmd.name)
        product = Product(
            business_id=business_id,
            sku=sku,
            sku_key=keys.sku_key,
            name_key=keys.name_key,
            name=cmd.name.strip(),
            unit=cmd.unit.strip(),
            default_purchase_price=cmd.default_purchase_price,
            default_sale_price=cmd.default_sale_price,
            reorder_point=cmd.reorder_point,
            reorder_qty=cmd.reorder_qty,
            archived=False,
        )
        session.add(product)
        await session.flush()
        await index_product(session, product)
        session.add_all(
            Barcode(business_id=business_id, product_id=product.id, code=code)
            for code in cmd.barcodes
        )
        session.add(
            ProductCost(
                product_id=product.id,
                business_id=business_id,
                on_hand=Decimal(0),
                value=Decimal(0),
                avg=cmd.default_purchase_price or Decimal(0),
            )
        )
        remember(
            session, actor.user_id, membership.business_id, cmd.request_id, "product", product.id
        )
        await uow.commit()
        return ProductView.of(product, cmd.barcodes)


async def change_product(uow: UnitOfWork, actor: Actor, cmd: ChangeProduct) -> ProductView:
    """Changes name, unit, prices, reorder settings or the archived flag.

    Raises:
        PermissionDenied: managers and owners change products.
        NotFound: no such product in this business.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.MANAGER, "change products")
        product = await _product(uow, membership.business_id, cmd.product_id)
        changes = cmd.model_dump(exclude={"product_id"}, exclude_none=True)
        for field, value in changes.items():
            setattr(product, field, value.strip() if isinstance(value, str) else value)
        if "name" in changes:
            await index_product(session, product)
        if "default_purchase_price" in changes:
            await _reprice_unmoved(uow, product.id, changes["default_purchase_price"])
        await session.flush()
        view = await _view(session, membership.business_id, product.id)
        await uow.commit()
        return view


async def _reprice_unmoved(uow: UnitOfWork, product_id: int, price: Decimal) -> None:
    """A product that never moved has the default purchase price as its average (rule 4)."""
    moved = await uow.session.scalar(
        select(StockMove.id).where(StockMove.product_id == product_id).limit(1)
    )
    if moved is None:
        await uow.session.execute(
            update(ProductCost).where(ProductCost.product_id == product_id).values(avg=price)
        )


async def add_barcode(uow: UnitOfWork, actor: Actor, cmd: AddBarcode) -> ProductView:
    """Adds a barcode (adding one the product already has changes nothing).

    Raises:
        PermissionDenied: viewers may not change products.
        NotFound: no such product in this business.
        Duplicate: another product already has this barcode.
    """
    async with uow:
        session = uow.session
        membership = await require_member(session, actor, Role.CLERK, "add barcodes")
        product = await _product(uow, membership.business_id, cmd.product_id)
        owner = await session.scalar(
            select(Barcode.product_id).where(
                Barcode.business_id == membership.business_id, Barcode.code == cmd.code
            )
        )
        if owner is None:
            session.add(
                Barcode(business_id=membership.business_id, product_id=product.id, code=cmd.code)
            )
        elif owner != product.id:
            raise Duplicate("barcode", cmd.code)
        await session.flush()
        view = await _view(session, membership.business_id, product.id)
        await uow.commit()
        return view


async def get_product(uow: UnitOfWork, actor: Actor, product_id: int) -> ProductView:
    """One product of the actor's business.

    Raises:
        NotFound: no such product in this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see products")
        return await _view(session, membership.business_id, product_id)


async def _view(session: AsyncSession, business_id: int, product_id: int) -> ProductView:
    product = await session.scalar(
        select(Product).where(Product.id == product_id, Product.business_id == business_id)
    )
    if product is None:
        raise NotFound("product", str(product_id))
    codes = await session.scalars(
        select(Barcode.code).where(Barcode.product_id == product.id).order_by(Barcode.id)
    )
    return ProductView.of(product, tuple(codes))


async def _product(uow: UnitOfWork, business_id: int, product_id: int) -> Product:
    product = await uow.session.scalar(
        select(Product).where(Product.id == product_id, Product.business_id == business_id)
    )
    if product is None:
        raise NotFound("product", str(product_id))
    return product


async def _sku_taken(uow: UnitOfWork, business_id: int, sku: str) -> bool:
    found = await uow.session.scalar(
        select(Product.id).where(
            Product.business_id == business_id, Product.sku_key == sku.casefold()
        )
    )
    return found is not None


async def _check_barcode_free(uow: UnitOfWork, business_id: int, code: str) -> None:
    found = await uow.session.scalar(
        select(Barcode.id).where(Barcode.business_id == business_id, Barcode.code == code)
    )
    if found is not None:
        raise Duplicate("barcode", code)


async def _generated_sku(uow: UnitOfWork, business_id: int) -> str:
    while True:  # skip numbers someone typed by hand
        sku = f"P{await next_number(uow.session, business_id, 'SKU', 0):05d}"
        if not await _sku_taken(uow, business_id, sku):
            return sku
