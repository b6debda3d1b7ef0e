"""Finding products as a member: "A001", a barcode, "牛奶", "bxg"."""

from sqlalchemy import select

from core.catalog.models import Barcode, Product
from core.catalog.results import ProductView
from core.catalog.search import ProductHit, search_products
from core.db.uow import UnitOfWork
from core.tenancy.access import Actor, require_member
from core.tenancy.models import Role

MAX_HITS = 20


async def find_products(
    uow: UnitOfWork, actor: Actor, term: str, *, include_archived: bool = False
) -> list[ProductHit]:
    """The top 20 products of the actor's business for ``term``, best first.

    Exact SKU or barcode first, then name prefix, name substring, pinyin initials or spelling.

    Raises:
        NoBusiness: the actor has no business to search in.
        PermissionDenied: not a member of the business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "find products")
        return await search_products(
            session,
            membership.business_id,
            term,
            limit=MAX_HITS,
            include_archived=include_archived,
        )


async def product_by_code(uow: UnitOfWork, actor: Actor, code: str) -> ProductView | None:
    """The product whose SKU (in any case) or barcode is exactly ``code``, archived or not.

    What a typed SKU or a scanned barcode means where one product is expected: no list to
    choose from. A SKU wins over another product's barcode. One read, for the common case of
    a flow's product step; anything else goes to ``find_products``.

    Raises:
        NoBusiness: the actor has no business to search in.
        PermissionDenied: not a member of the business.
    """
    raw = code.strip()
    key = raw.casefold()
    if not key:
        return None
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "find products")
        business_id = membership.business_id
        product = await session.scalar(  # two plain index seeks: an OR of both walks the
            select(Product).where(  # business's products on SQLite
                Product.business_id == business_id, Product.sku_key == key
            )
        )
        if product is None:
            product = await session.scalar(
                select(Product)
                .join(Barcode, Barcode.product_id == Product.id)
                .where(
                    Barcode.business_id == business_id,
                    Barcode.code.in_(sorted({raw, key, raw.upper()})),
                    Product.business_id == business_id,
                )
                .order_by(Product.id)
                .limit(1)
            )
        if product is None:
            return None
        codes = await session.scalars(
            select(Barcode.code).where(Barcode.product_id == product.id).order_by(Barcode.id)
        )
        return ProductView.of(product, tuple(codes))
