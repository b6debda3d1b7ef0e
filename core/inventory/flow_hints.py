"""One-call reads for the stock flows (count, transfer, adjustment) of a chat front end.

Each function is a single read-only unit of work: what a flow needs at its start (role,
settings, warehouses with the member's last one first), products named by code in typed or
uploaded count lines, and what a count or an adjustment would change before it is posted.
Values are given only to members who may see costs (DESIGN rule 9), never in public.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import Barcode, Product, Warehouse
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, NotFound
from core.inventory.models import Document, ProductCost, StockBalance
from core.inventory.valuation import CostLedger
from core.numbers import ZERO
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

MAX_CODES = 5_000  # lines of one count message or file

Problem = Literal["unknown", "archived", "several"]


@dataclass(frozen=True)
class WarehouseChoice:
    """An active warehouse to offer as a button."""

    warehouse_id: int
    name: str


@dataclass(frozen=True)
class FlowStart:
    """What a stock flow needs to begin: who is asking and where they can work."""

    role: Role
    currency: str
    allow_negative_stock: bool
    conversation_timeout_minutes: int
    warehouses: tuple[WarehouseChoice, ...]  # active ones; the member's last used first


@dataclass(frozen=True)
class CodeMatch:
    """A product named by SKU, barcode or exact name in a count line, or why it is not."""

    term: str
    product_id: int | None = None
    sku: str = ""
    name: str = ""
    unit: str = ""
    problem: Problem | None = None


@dataclass(frozen=True)
class CountPreview:
    """A counted product against the book: the difference, and its value for managers."""

    product_id: int
    book_qty: Decimal
    counted_qty: Decimal
    difference: Decimal
    value: Decimal | None  # what the adjustment would book; None unless costs may be seen


@dataclass(frozen=True)
class CountCheck:
    """A count before posting: every counted product, and the net value of the differences."""

    lines: tuple[CountPreview, ...]
    value: Decimal | None  # Σ line values; None unless costs may be seen

    @property
    def differences(self) -> tuple[CountPreview, ...]:
        """The counted products whose count is not the book quantity."""
        return tuple(line for line in self.lines if line.difference != 0)


@dataclass(frozen=True)
class ChangePreview:
    """What a signed change of on hand would do, and its value for managers."""

    product_id: int
    on_hand: Decimal
    change: Decimal
    value: Decimal | None


async def flow_start(uow: UnitOfWork, actor: Actor) -> FlowStart:
    """The actor's role, the business's stock settings and its active warehouses.

    Warehouses come with the one of the member's latest document first, then the default.

    Raises:
        NoBusiness: the actor has no business to act in.
        PermissionDenied: not an active member.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "use the business")
        business = membership.business
        last = await session.scalar(
            select(Document.warehouse_id)
            .where(
                Document.business_id == business.id,
                Document.created_by == membership.member.id,
            )
            .order_by(Document.id.desc())
            .limit(1)
        )
        rows = await session.scalars(
            select(Warehouse)
            .where(Warehouse.business_id == business.id, Warehouse.archived.is_(False))
            .order_by(Warehouse.is_default.desc(), Warehouse.id)
        )
        found = sorted(rows, key=lambda w: w.id != last)  # stable: the rest keep their order
        return FlowStart(
            role=membership.role,
            currency=business.base_currency,
            allow_negative_stock=business.allow_negative_stock,
            conversation_timeout_minutes=business.conversation_timeout_minutes,
            warehouses=tuple(WarehouseChoice(w.id, w.name) for w in found),
        )


async def match_codes(uow: UnitOfWork, actor: Actor, terms: Sequence[str]) -> list[CodeMatch]:
    """Each term as a product by exact SKU, then barcode, then exact name; in term order.

    Nothing fuzzy: a count line must name one product for sure. A term matching no product
    is "unknown", an archived product "archived", a name shared by several "several".

    Raises:
        PermissionDenied: viewers may not count.
        InvalidInput: more than ``MAX_CODES`` terms.
    """
    if len(terms) > MAX_CODES:
        raise InvalidInput("lines", f"at most {MAX_CODES}", str(len(terms)))
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "post counts")
        keys = {term.strip().casefold() for term in terms if term.strip()}
        if not keys:
            return [CodeMatch(term, problem="unknown") for term in terms]
        by_sku, by_code, by_name = await _products_named(session, membership.business_id, keys)
        return [_match(term, by_sku, by_code, by_name) for term in terms]


async def _products_named(
    session: AsyncSession, business_id: int, keys: set[str]
) -> tuple[dict[str, Product], dict[str, Product], dict[str, list[Product]]]:
    key_list = sorted(keys)
    by_sku = {
        p.sku_key: p
        for p in await session.scalars(
            select(Product).where(
                Product.business_id == business_id, Product.sku_key.in_(key_list)
            )
        )
    }
    codes = sorted(keys | {key.upper() for key in keys})
    by_code: dict[str, Product] = {}
    for code, product in await session.execute(
        select(Barcode.code, Product)
        .join(Product, Product.id == Barcode.product_id)
        .where(Barcode.business_id == business_id, Barcode.code.in_(codes))
    ):
        by_code[code.casefold()] = product
    by_name: dict[str, list[Product]] = {}
    for product in await session.scalars(
        select(Product)
        .where(Product.business_id == business_id, Product.name_key.in_(key_list))
        .order_by(Product.id)
    ):
        by_name.setdefault(product.name_key, []).append(product)
    return by_sku, by_code, by_name


def _match(
    term: str,
    by_sku: dict[str, Product],
    by_code: dict[str, Product],
    by_name: dict[str, list[Product]],
) -> CodeMatch:
    key = term.strip().casefold()
    product = by_sku.get(key) or by_code.get(key)
    if product is None:
        named = [p for p in by_name.get(key, []) if not p.archived] or by_name.get(key, [])
        if len(named) > 1:
            return CodeMatch(term, problem="several")
        product = named[0] if named else None
    if product is None:
        return CodeMatch(term, problem="unknown")
    return CodeMatch(
        term,
        product.id,
        product.sku,
        product.name,
        product.unit,
        "archived" if product.archived else None,
    )


async def preview_count(
    uow: UnitOfWork, actor: Actor, warehouse_id: int, counted: Sequence[tuple[int, Decimal]]
) -> CountCheck:
    """What posting this count now would book: book quantity and difference per product.

    ``value`` is what each difference would be booked at (the moving average), only for
    members who see costs and never in public; posting later may differ if stock moves.

    Raises:
        PermissionDenied: viewers may not count.
        NotFound: the warehouse is not an active one of this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.CLERK, "post counts")
        ids = [product_id for product_id, _ in counted]
        books = await _books(session, membership, warehouse_id, ids)
        ledgers = await _ledgers(session, membership, ids)
        previews = []
        for product_id, qty in counted:
            book = books.get(product_id, ZERO)
            difference = qty - book
            previews.append(
                CountPreview(
                    product_id, book, qty, difference, _value(ledgers, product_id, difference)
                )
            )
        total = None if ledgers is None else sum((p.value or ZERO for p in previews), ZERO)
        return CountCheck(tuple(previews), total)


async def preview_change(
    uow: UnitOfWork, actor: Actor, warehouse_id: int, product_id: int, change: Decimal
) -> ChangePreview:
    """On hand of a product in a warehouse and the value a signed change would book.

    Raises:
        PermissionDenied: not a member (anyone may look; posting checks the role).
        NotFound: the warehouse is not an active one of this business.
    """
    async with uow.reading() as session:
        membership = await require_member(session, actor, Role.VIEWER, "see stock")
        books = await _books(session, membership, warehouse_id, [product_id])
        ledgers = await _ledgers(session, membership, [product_id])
        return ChangePreview(
            product_id,
            books.get(product_id, ZERO),
            change,
            _value(ledgers, product_id, change),
        )


async def _books(
    session: AsyncSession, membership: Membership, warehouse_id: int, ids: list[int]
) -> dict[int, Decimal]:
    warehouse = await session.get(Warehouse, warehouse_id)
    if warehouse is None or warehouse.business_id != membership.business_id or warehouse.archived:
        raise NotFound("warehouse", str(warehouse_id))
    rows = await session.execute(
        select(StockBalance.product_id, StockBalance.on_hand).where(
            StockBalance.warehouse_id == warehouse_id, StockBalance.product_id.in_(ids)
        )
    )
    return {row.product_id: row.on_hand for row in rows}


async def _ledgers(
    session: AsyncSession, membership: Membership, ids: list[int]
) -> dict[int, CostLedger] | None:
    if not membership.sees_costs:
        return None
    currency = membership.business.base_currency
    rows = await session.scalars(
        select(ProductCost).where(
            ProductCost.business_id == membership.business_id, ProductCost.product_id.in_(ids)
        )
    )
    return {
        cost.product_id: CostLedger(cost.on_hand, cost.value, cost.avg, currency) for cost in rows
    }


def _value(
    ledgers: dict[int, CostLedger] | None, product_id: int, change: Decimal
) -> Decimal | None:
    if ledgers is None:
        return None
    ledger = ledgers.get(product_id)
    if ledger is None or change == 0:
        return ZERO
    probe = CostLedger(ledger.on_hand, ledger.value, ledger.last_avg, ledger.currency)
    booked = probe.receive_at_average(change) if change > 0 else probe.issue(-change)
    return booked.value
