"""Finding products as a member: "A001", a barcode, "牛奶", "bxg"."""

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
