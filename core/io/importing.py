"""Importing products, opening stock, parties and opening balances: preview, then all or nothing.

``preview`` writes nothing and says, per kind, what would be created, updated or skipped and
every error with its row and column. ``run_import`` checks the file again the same way and,
only if there is no error, writes everything in one transaction (idempotent by request id):

- products by the catalog's rules (its commands validate each row; SKU, barcodes unique),
  in bulk statements, with their search keys, name pieces and empty cost rows;
- opening stock as 期初 (QC) documents, one per warehouse (split every 10,000 lines), posted
  through the stock ledger's ``Posting.receive`` at the row's unit cost (DESIGN rule 4);
- customers and suppliers by name (created, or their details updated);
- each opening receivable or payable as a money-only QC document of its party (total = the
  amount, nothing paid now) with its open item, booked as a credit sale's is: the money check
  then proves Σ open per party = what documents left owed − payments, QC included.
"""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from core.catalog.models import Barcode, Customer, Product, ProductGram, Supplier, Warehouse
from core.catalog.parties import party_money
from core.catalog.search import gram_rows, search_keys
from core.db.base import utcnow
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, PermissionDenied
from core.finance.currency import check_amount, check_rate, due_from_terms
from core.finance.items import Account, PartyRow, add_item, lock_party
from core.finance.models import PartyKind
from core.idempotency import earlier_result, remember
from core.inventory.documents import add_lines, local_today, open_document
from core.inventory.ledger import Posting
from core.inventory.models import DocType, ProductCost, StockBalance, StockMove
from core.io.columns import Kind
from core.io.errors import CellError, ImportInvalid
from core.io.parsing import read_file
from core.io.rows import BalanceIn, PartyIn, ProductIn, Rows, StockIn, read_rows
from core.numbers import ZERO, mul_div, quantize
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Role

Progress = Callable[[int, int], Awaitable[None]]
CHUNK: Final = 1_000  # rows per bulk statement, and per progress report
LINES_PER_DOCUMENT: Final = 10_000
_PRODUCT: Table = Product.__table__  # type: ignore[assignment]
_COST: Table = ProductCost.__table__  # type: ignore[assignment]
_BARCODE: Table = Barcode.__table__  # type: ignore[assignment]
_GRAM: Table = ProductGram.__table__  # type: ignore[assignment]
_PARTY_MODELS: Final[dict[Kind, type[Customer] | type[Supplier]]] = {
    Kind.CUSTOMERS: Customer,
    Kind.SUPPLIERS: Supplier,
}
_BALANCE_KIND: Final = {
    Kind.RECEIVABLES: (Kind.CUSTOMERS, PartyKind.CUSTOMER),
    Kind.PAYABLES: (Kind.SUPPLIERS, PartyKind.SUPPLIER),
}


@dataclass(frozen=True)
class ImportFile:
    """An uploaded file: its bytes and its name as sent (the name hints .xlsx or .csv)."""

    data: bytes
    name: str


@dataclass(frozen=True)
class KindCounts:
    """Rows of one kind that would be (or were) created, updated, or skipped as unchanged."""

    create: int = 0
    update: int = 0
    skip: int = 0


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, and every error that stops it."""

    counts: dict[Kind, KindCounts]
    warehouses: tuple[str, ...]  # warehouses the opening stock names that would be created
    errors: tuple[CellError, ...]
    ignored_sheets: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """No error: the import may run."""
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote (``repeated``: the request ran before; nothing more was written)."""

    counts: dict[Kind, KindCounts]
    warehouses: tuple[str, ...]
    documents: tuple[str, ...]  # the QC documents' numbers
    repeated: bool = False


@dataclass
class _ProductChange:
    product_id: int
    values: dict[str, Any]
    barcodes: tuple[str, ...]
    renamed: bool
    repriced: bool


@dataclass
class _Plan:
    """What the file asks of this business, decided against what it already has."""

    rows: Rows
    new_products: list[ProductIn] = field(default_factory=list)
    changed_products: list[_ProductChange] = field(default_factory=list)
    new_parties: list[PartyIn] = field(default_factory=list)
    changed_parties: list[tuple[int, PartyIn, dict[str, Any]]] = field(default_factory=list)
    new_warehouses: list[str] = field(default_factory=list)
    stock: list[tuple[StockIn, str | None]] = field(default_factory=list)  # row, warehouse key
    balances: list[BalanceIn] = field(default_factory=list)
    counts: dict[Kind, list[int]] = field(default_factory=dict)
    # what the later steps need: warehouse name key → id (None: created by this import)
    warehouse_ids: dict[str, int | None] = field(default_factory=dict)
    default_warehouse: int = 0
    party_terms: dict[tuple[Kind, str], tuple[int, str | None]] = field(default_factory=dict)

    def count(self, kind: Kind, what: int) -> None:
        self.counts.setdefault(kind, [0, 0, 0])[what] += 1

    def fail(
        self, kind: Kind, row: int, key: str, code: str, value: str = "", detail: str = ""
    ) -> None:
        self.rows.errors.append(
            CellError(
                self.rows.sheets.get(kind, ""),
                row,
                self.rows.header(kind, key),
                code,
                value,
                detail,
            )
        )

    def kind_counts(self) -> dict[Kind, KindCounts]:
        return {kind: KindCounts(*self.counts.get(kind, [0, 0, 0])) for kind in self.rows.kinds}

    def errors(self) -> tuple[CellError, ...]:
        order = {
            title: n for n, title in enumerate(dict.fromkeys(e.sheet for e in self.rows.errors))
        }
        return tuple(sorted(self.rows.errors, key=lambda e: (order[e.sheet], e.row)))


def parse(file: ImportFile) -> Rows:
    """The file's typed rows and cell errors (pure and CPU-bound: run it off the event loop).

    Raises:
        ImportRefused: the file cannot be read at all.
    """
    return read_rows(read_file(file.data, file.name))


async def _require_importer(session: AsyncSession, actor: Actor) -> Membership:
    membership = await require_member(session, actor, Role.MANAGER, "import data")
    if membership.in_public:
        raise PermissionDenied("import data", "group")
    return membership


async def preview(
    uow: UnitOfWork, actor: Actor, file: ImportFile, *, rows: Rows | None = None
) -> ImportPreview:
    """What importing the file would do, and every error; writes nothing.

    ``rows``: the file already parsed (``parse``), so a caller that parsed it off the event
    loop does not parse it twice.

    Raises:
        PermissionDenied: below manager, or in a group chat.
        ImportRefused: the file cannot be read at all.
    """
    async with uow.reading() as session:
        await _require_importer(session, actor)  # before reading a stranger's file
    parsed = rows if rows is not None else await asyncio.to_thread(parse, file)
    async with uow.reading() as session:
        membership = await _require_importer(session, actor)
        plan = await _plan(session, membership, parsed)
    return ImportPreview(
        plan.kind_counts(),
        tuple(plan.new_warehouses),
        plan.errors(),
        tuple(parsed.ignored),
    )


async def run_import(
    uow: UnitOfWork,
    actor: Actor,
    file: ImportFile,
    request_id: str,
    progress: Progress | None = None,
    *,
    rows: Rows | None = None,
) -> ImportResult:
    """Imports the file all or nothing, in one transaction; the same request id twice imports once.

    Raises:
        PermissionDenied: below manager, or in a group chat.
        ImportRefused: the file cannot be read at all.
        ImportInvalid: the file has errors (all of them); nothing was written.
    """
    async with uow.reading() as session:
        await _require_importer(session, actor)
    parsed = rows if rows is not None else await asyncio.to_thread(parse, file)
    async with uow:
        session = uow.session
        membership = await _require_importer(session, actor)
        business_id = membership.business_id
        if await earlier_result(session, actor.user_id, business_id, request_id, "import"):
            return ImportResult({}, (), (), repeated=True)
        plan = await _plan(session, membership, parsed)
        if plan.rows.errors:
            raise ImportInvalid(plan.errors())
        writer = _Writer(session, membership, plan, request_id, progress)
        numbers = await writer.write()
        remember(session, actor.user_id, business_id, request_id, "import", writer.first_document)
        await uow.commit()
    return ImportResult(plan.kind_counts(), tuple(plan.new_warehouses), tuple(numbers))


# --- deciding ---------------------------------------------------------------------------------


async def _plan(session: AsyncSession, membership: Membership, rows: Rows) -> _Plan:
    plan = _Plan(rows)
    business_id = membership.business_id
    known = await _products_known(session, business_id) if rows.products or rows.stock else {}
    await _plan_products(session, plan, business_id, known)
    await _plan_parties(session, plan, membership)
    await _plan_stock(session, plan, business_id, known)
    _plan_balances(plan, membership)
    return plan


async def _products_known(session: AsyncSession, business_id: int) -> dict[str, Any]:
    found = await session.execute(
        select(
            _PRODUCT.c.id,
            _PRODUCT.c.sku_key,
            _PRODUCT.c.name,
            _PRODUCT.c.unit,
            _PRODUCT.c.default_sale_price,
            _PRODUCT.c.default_purchase_price,
            _PRODUCT.c.reorder_point,
            _PRODUCT.c.reorder_qty,
            _PRODUCT.c.archived,
        ).where(_PRODUCT.c.business_id == business_id)
    )
    return {row.sku_key: row for row in found}


async def _plan_products(
    session: AsyncSession, plan: _Plan, business_id: int, known: dict[str, Any]
) -> None:
    if not plan.rows.products:
        return
    found = await session.execute(
        select(Barcode.code, Product.sku, Barcode.product_id)
        .join(Product, Product.id == Barcode.product_id)
        .where(Barcode.business_id == business_id)
    )
    codes: dict[str, tuple[str, int]] = {code: (sku, pid) for code, sku, pid in found}
    for p in plan.rows.products:
        old = known.get(p.key)
        old_id = old.id if old is not None else None
        taken = False
        for code in p.barcodes or ():
            holder = codes.get(code)
            if holder is not None and holder[1] != old_id:
                plan.fail(Kind.PRODUCTS, p.row, "barcodes", "barcode_taken", code, holder[0])
                taken = True
        if taken:
            continue
        if old is None:
            if p.name is None:
                plan.fail(Kind.PRODUCTS, p.row, "name", "required")
                continue
            plan.new_products.append(p)
            plan.count(Kind.PRODUCTS, 0)
            continue
        values = {
            field: new
            for field, new, was in (
                ("name", p.name, old.name),
                ("unit", p.unit, old.unit),
                ("default_sale_price", p.sale_price, old.default_sale_price),
                ("default_purchase_price", p.purchase_price, old.default_purchase_price),
                ("reorder_point", p.reorder_point, old.reorder_point),
                ("reorder_qty", p.reorder_qty, old.reorder_qty),
            )
            if new is not None and new != was
        }
        mine = {code for code, (_sku, pid) in codes.items() if pid == old.id}
        added = tuple(c for c in p.barcodes or () if c not in mine)
        if values or added:
            plan.changed_products.append(
                _ProductChange(
                    old.id,
                    values,
                    added,
                    "name" in values,
                    "default_purchase_price" in values,
                )
            )
            plan.count(Kind.PRODUCTS, 1)
        else:
            plan.count(Kind.PRODUCTS, 2)


async def _plan_parties(session: AsyncSession, plan: _Plan, membership: Membership) -> None:
    wanted = {kind for kind, _party in _BALANCE_KIND.values()}
    wanted |= {p.kind for p in plan.rows.parties}
    for kind in (Kind.CUSTOMERS, Kind.SUPPLIERS):
        if kind not in wanted:
            continue
        model = _PARTY_MODELS[kind]
        found = await session.scalars(
            select(model).where(model.business_id == membership.business_id)
        )
        existing = {party.name: party for party in cast("list[PartyRow]", list(found))}
        for name, party in existing.items():
            plan.party_terms[kind, name] = (party.terms_days, party.currency)
        for p in (p for p in plan.rows.parties if p.kind == kind):
            try:
                money = party_money(membership, p.currency, p.credit_limit)
            except InvalidInput as bad:
                code = "not_a_currency" if bad.field == "currency" else "too_fine"
                plan.fail(kind, p.row, bad.field, code, bad.value)
                continue
            plan.party_terms[kind, p.name] = (
                p.terms_days or 0,
                _currency(money["currency"]),
            )
            old = existing.get(p.name)
            if old is None:
                plan.new_parties.append(p)
                plan.count(kind, 0)
                continue
            changes: dict[str, Any] = {
                key: new
                for key, new, was in (
                    ("contact", p.contact, old.contact),
                    ("phone", p.phone, old.phone),
                    ("terms_days", p.terms_days, old.terms_days),
                )
                if new is not None and new != was
            }
            if p.currency is not None and money["currency"] != old.currency:
                plan.fail(kind, p.row, "currency", "currency_change", p.currency)
                continue
            if p.credit_limit is not None and money["credit_limit"] != old.credit_limit:
                changes["credit_limit"] = money["credit_limit"]
            plan.party_terms[kind, p.name] = (
                changes.get("terms_days", old.terms_days),
                old.currency,
            )
            if changes:
                plan.changed_parties.append((old.id, p, changes))
                plan.count(kind, 1)
            else:
                plan.count(kind, 2)


async def _plan_stock(
    session: AsyncSession, plan: _Plan, business_id: int, known: dict[str, Any]
) -> None:
    if not plan.rows.stock:
        return
    warehouses = list(
        await session.scalars(select(Warehouse).where(Warehouse.business_id == business_id))
    )
    by_name = {w.name.strip().casefold(): w for w in warehouses}
    default = next((w for w in warehouses if w.is_default), None)
    plan.default_warehouse = default.id if default is not None else 0
    in_file = {p.key for p in plan.new_products}
    # Opening stock is for what has none yet: a product that has moved in a warehouse is
    # counted there (盘点), or importing an export twice would double its stock.
    balances = await session.execute(
        select(StockBalance.product_id, StockBalance.warehouse_id).where(
            StockBalance.business_id == business_id
        )
    )
    stocked = {(row[0], row[1]) for row in balances}
    for s in plan.rows.stock:
        key = s.sku.casefold()
        old = known.get(key)
        if old is None and key not in in_file:
            plan.fail(Kind.STOCK, s.row, "sku", "unknown_product", s.sku)
            continue
        if old is not None and old.archived:
            plan.fail(Kind.STOCK, s.row, "sku", "archived", s.sku)
            continue
        where: str | None = None
        if s.warehouse is not None:
            where = s.warehouse.strip().casefold()
            found = by_name.get(where)
            if found is not None and found.archived:
                plan.fail(Kind.STOCK, s.row, "warehouse", "archived", s.warehouse)
                continue
            if found is None and where not in plan.warehouse_ids:
                plan.new_warehouses.append(s.warehouse.strip())
            plan.warehouse_ids[where] = found.id if found is not None else None
        target = by_name.get(where) if where is not None else default
        if old is not None and target is not None and (old.id, target.id) in stocked:
            plan.fail(Kind.STOCK, s.row, "sku", "already_stocked", s.sku, target.name)
            continue
        plan.stock.append((s, where))
        plan.count(Kind.STOCK, 0)


def _plan_balances(plan: _Plan, membership: Membership) -> None:
    base = membership.business.base_currency
    today = local_today(membership)
    for b in plan.rows.balances:
        party_kind, _money_kind = _BALANCE_KIND[b.kind]
        terms = plan.party_terms.get((party_kind, b.party))
        if terms is None:
            code = "unknown_customer" if party_kind == Kind.CUSTOMERS else "unknown_supplier"
            plan.fail(b.kind, b.row, "party", code, b.party)
            continue
        currency = terms[1] or base
        if b.currency is not None and b.currency.strip().upper() != currency:
            plan.fail(b.kind, b.row, "currency", "currency_mismatch", b.currency, currency)
            continue
        try:
            check_amount(b.amount, currency, "amount")
            check_rate(b.rate if b.rate is not None or currency != base else None, currency, base)
        except InvalidInput as bad:
            code = {"amount": "too_fine"}.get(bad.field, "needs_rate")
            plan.fail(b.kind, b.row, bad.field, code, bad.value, currency)
            continue
        item_date = b.item_date or today
        if item_date > today:
            plan.fail(b.kind, b.row, "date", "in_future", item_date.isoformat())
            continue
        if b.amount == 0:
            plan.count(b.kind, 2)
            continue
        plan.balances.append(b)
        plan.count(b.kind, 0)


# --- writing ----------------------------------------------------------------------------------


class _Writer:
    """Writes a checked plan in bulk statements, reporting progress every ~1,000 rows."""

    def __init__(
        self,
        session: AsyncSession,
        membership: Membership,
        plan: _Plan,
        request_id: str,
        progress: Progress | None,
    ) -> None:
        self.session, self.membership, self.plan = session, membership, plan
        self.request_id = request_id[:52]
        self.progress = progress
        self.total = (
            len(plan.new_products)
            + len(plan.changed_products)
            + len(plan.new_parties)
            + len(plan.changed_parties)
            + len(plan.stock)
            + len(plan.balances)
        )
        self.done = 0
        self.reported = 0
        self.first_document = 0
        self.numbers: list[str] = []
        self.documents = 0

    async def step(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None and (
            self.done - self.reported >= CHUNK or self.done == self.total
        ):
            self.reported = self.done
            await self.progress(self.done, self.total)

    async def write(self) -> list[str]:
        if self.progress is not None:
            await self.progress(0, self.total)
        await self._products()
        await self._parties()
        await self._stock()
        await self._balances()
        return self.numbers

    async def _products(self) -> None:
        session, business_id = self.session, self.membership.business_id
        conn = await session.connection()
        for start in range(0, len(self.plan.new_products), CHUNK):
            chunk = self.plan.new_products[start : start + CHUNK]
            rows: list[dict[str, Any]] = []
            for p in chunk:
                keys = search_keys(p.sku, p.name or p.sku)
                rows.append(
                    {
                        "business_id": business_id,
                        "sku": p.sku,
                        "sku_key": keys.sku_key,
                        "name": (p.name or p.sku).strip(),
                        "name_key": keys.name_key,
                        "pinyin_initials": keys.pinyin_initials,
                        "pinyin_full": keys.pinyin_full,
                        "unit": p.unit or "",
                        "default_purchase_price": p.purchase_price,
                        "default_sale_price": p.sale_price,
                        "reorder_point": p.reorder_point,
                        "reorder_qty": p.reorder_qty,
                        "archived": False,
                        "created_at": utcnow(),
                    }
                )
            ids = await self._insert_products(rows)
            await conn.execute(
                insert(_COST),
                [
                    {
                        "product_id": ids[p.key],
                        "business_id": business_id,
                        "on_hand": ZERO,
                        "value": ZERO,
                        "avg": p.purchase_price or ZERO,
                    }
                    for p in chunk
                ],
            )
            codes = [
                {"business_id": business_id, "product_id": ids[p.key], "code": code}
                for p in chunk
                for code in p.barcodes or ()
            ]
            if codes:
                await conn.execute(insert(_BARCODE), codes)
            grams = [
                gram
                for row in rows
                for gram in gram_rows(business_id, ids[row["sku_key"]], row["name_key"])
            ]
            await _insert_many(conn, _GRAM, grams)
            await self.step(len(chunk))
        await self._change_products()

    async def _insert_products(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        conn = await self.session.connection()
        found = await conn.execute(
            insert(_PRODUCT).returning(_PRODUCT.c.sku_key, _PRODUCT.c.id), rows
        )
        return {str(row[0]): int(row[1]) for row in found}

    async def _change_products(self) -> None:
        conn = await self.session.connection()
        business_id = self.membership.business_id
        changes = self.plan.changed_products
        for start in range(0, len(changes), CHUNK):
            chunk = changes[start : start + CHUNK]
            by_fields: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
            for change in chunk:
                values = dict(change.values)
                if change.renamed:
                    keys = search_keys("", values["name"])
                    values |= {
                        "name_key": keys.name_key,
                        "pinyin_initials": keys.pinyin_initials,
                        "pinyin_full": keys.pinyin_full,
                    }
                if values:
                    by_fields[tuple(sorted(values))].append({"pid": change.product_id, **values})
            for fields, params in by_fields.items():
                await conn.execute(
                    update(_PRODUCT)
                    .where(_PRODUCT.c.id == bindparam("pid"))
                    .values({f: bindparam(f) for f in fields}),
                    params,
                )
            renamed = [c for c in chunk if c.renamed]
            if renamed:
                await conn.execute(
                    delete(_GRAM).where(_GRAM.c.product_id.in_([c.product_id for c in renamed]))
                )
                grams = [
                    g
                    for c in renamed
                    for g in gram_rows(
                        business_id, c.product_id, str(c.values["name"]).strip().casefold()
                    )
                ]
                await _insert_many(conn, _GRAM, grams)
            codes = [
                {"business_id": business_id, "product_id": c.product_id, "code": code}
                for c in chunk
                for code in c.barcodes
            ]
            if codes:
                await conn.execute(insert(_BARCODE), codes)
            await self._reprice_unmoved([c for c in chunk if c.repriced])
            await self.step(len(chunk))

    async def _reprice_unmoved(self, changes: list[_ProductChange]) -> None:
        """A product that never moved has its default purchase price as average (rule 4)."""
        if not changes:
            return
        conn = await self.session.connection()
        moved = set(
            (
                await conn.execute(
                    select(StockMove.product_id)
                    .where(StockMove.product_id.in_([c.product_id for c in changes]))
                    .distinct()
                )
            ).scalars()
        )
        params = [
            {"p": c.product_id, "avg": c.values["default_purchase_price"]}
            for c in changes
            if c.product_id not in moved
        ]
        if params:
            await conn.execute(
                update(_COST)
                .where(_COST.c.product_id == bindparam("p"))
                .values(avg=bindparam("avg")),
                params,
            )

    async def _parties(self) -> None:
        conn = await self.session.connection()
        business_id = self.membership.business_id
        for kind, model in _PARTY_MODELS.items():
            table: Table = model.__table__  # type: ignore[assignment]
            new = [p for p in self.plan.new_parties if p.kind == kind]
            for start in range(0, len(new), CHUNK):
                chunk = new[start : start + CHUNK]
                await conn.execute(
                    insert(table),
                    [
                        {
                            "business_id": business_id,
                            "name": p.name.strip(),
                            "contact": (p.contact or "").strip(),
                            "phone": (p.phone or "").strip(),
                            "terms_days": p.terms_days or 0,
                            "archived": False,
                            "created_at": utcnow(),
                            **party_money(self.membership, p.currency, p.credit_limit),
                        }
                        for p in chunk
                    ],
                )
                await self.step(len(chunk))
            changed = [
                (pid, changes) for pid, p, changes in self.plan.changed_parties if p.kind == kind
            ]
            for pid, changes in changed:
                await conn.execute(update(table).where(table.c.id == pid).values(**changes))
            await self.step(len(changed))

    async def _stock(self) -> None:
        if not self.plan.stock:
            return
        session, membership = self.session, self.membership
        ids = await self._warehouse_ids()
        products = dict(
            (
                await session.execute(
                    select(Product.sku_key, Product.id).where(
                        Product.business_id == membership.business_id
                    )
                )
            ).all()
        )
        by_warehouse: dict[int, list[StockIn]] = defaultdict(list)
        for s, where in self.plan.stock:
            warehouse_id = ids[where] if where is not None else self.plan.default_warehouse
            by_warehouse[warehouse_id].append(s)
        warehouses = {
            w.id: w
            for w in await session.scalars(
                select(Warehouse).where(Warehouse.id.in_(list(by_warehouse)))
            )
        }
        today = local_today(membership)
        for warehouse_id, lines in sorted(by_warehouse.items()):
            for start in range(0, len(lines), LINES_PER_DOCUMENT):
                chunk = lines[start : start + LINES_PER_DOCUMENT]
                product_ids = [products[s.sku.casefold()] for s in chunk]
                posting = await Posting.open(
                    session, membership, product_ids, [warehouses[warehouse_id]]
                )
                booked = [
                    (s, pid, _unit_cost(s)) for s, pid in zip(chunk, product_ids, strict=True)
                ]
                doc = await open_document(
                    session,
                    membership,
                    DocType.OPENING,
                    self._document_request(),
                    today,
                    warehouse_id=warehouse_id,
                    total=ZERO,
                    note="import",
                )
                self._numbered(doc.id, doc.number)
                posting.document_id = doc.id
                rows = []
                for line_no, (s, pid, cost) in enumerate(booked, 1):
                    value = posting.receive(line_no, warehouse_id, pid, s.qty, cost).value
                    rows.append(
                        {
                            "document_id": doc.id,
                            "line_no": line_no,
                            "product_id": pid,
                            "qty": s.qty,
                            "unit_price": quantize(cost, 4),
                            "amount": value,
                        }
                    )
                    if line_no % CHUNK == 0:
                        await self.step(CHUNK)
                await add_lines(session, rows)
                await posting.finish()
                await self.step(len(chunk) % CHUNK)

    async def _warehouse_ids(self) -> dict[str, int]:
        ids: dict[str, int] = {}
        for key, found in self.plan.warehouse_ids.items():
            if found is not None:
                ids[key] = found
        for name in self.plan.new_warehouses:
            warehouse = Warehouse(
                business_id=self.membership.business_id, name=name, is_default=False
            )
            self.session.add(warehouse)
            await self.session.flush()
            ids[name.casefold()] = warehouse.id
        return ids

    async def _balances(self) -> None:
        session, membership = self.session, self.membership
        base = membership.business.base_currency
        today = local_today(membership)
        ids: dict[Kind, dict[str, int]] = {}
        for kind, model in _PARTY_MODELS.items():
            ids[kind] = dict(
                (
                    await session.execute(
                        select(model.name, model.id).where(
                            model.business_id == membership.business_id
                        )
                    )
                ).all()
            )
        for n, b in enumerate(self.plan.balances, 1):
            party_kind, money_kind = _BALANCE_KIND[b.kind]
            party_id = ids[party_kind][b.party]
            party = await lock_party(session, membership, money_kind, party_id)
            currency = party.currency or base
            rate = check_rate(b.rate if currency != base else None, currency, base)
            amount = check_amount(b.amount, currency, "amount")
            item_date = b.item_date or today
            due = b.due_date or due_from_terms(item_date, party.terms_days)
            owner = "customer_id" if money_kind == PartyKind.CUSTOMER else "supplier_id"
            doc = await open_document(
                session,
                membership,
                DocType.OPENING,
                self._document_request(),
                item_date,
                warehouse_id=self.plan.default_warehouse or await self._default_warehouse(),
                currency=currency,
                rate=None if currency == base else rate,
                total=amount,
                paid_now=ZERO,
                due_date=due if amount > 0 else None,
                note=b.number,
                **{owner: party_id},
            )
            self._numbered(doc.id, doc.number)
            account = await Account.load(session, membership, money_kind, party_id, currency)
            item = await add_item(
                session,
                membership,
                money_kind,
                party_id,
                amount=amount,
                currency=currency,
                rate=rate,
                number=doc.number,
                item_date=item_date,
                due_date=due,
                document_id=doc.id,
            )
            account.add(item)
            account.settle_rest()  # credit the party already has goes to it (as for a sale)
            await account.write(session)
            if n % CHUNK == 0:
                await self.step(CHUNK)
        await self.step(len(self.plan.balances) % CHUNK)

    async def _default_warehouse(self) -> int:
        found = await self.session.scalar(
            select(Warehouse.id).where(
                Warehouse.business_id == self.membership.business_id,
                Warehouse.is_default.is_(True),
            )
        )
        assert found is not None  # every business has its default warehouse
        self.plan.default_warehouse = found
        return found

    def _document_request(self) -> str:
        self.documents += 1
        return f"{self.request_id}/qc{self.documents}"

    def _numbered(self, document_id: int, number: str) -> None:
        self.first_document = self.first_document or document_id
        self.numbers.append(number)


async def _insert_many(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts plain rows (ints and strings): by COPY on PostgreSQL, a batch elsewhere.

    A name of ten characters has some twenty pieces: 50,000 products are a million rows,
    which COPY writes several times faster than an INSERT per row.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        await conn.execute(insert(table), rows)
        return
    raw = await conn.get_raw_connection()
    names = list(rows[0])
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        table.name, records=[tuple(r[n] for n in names) for r in rows], columns=names
    )


def _currency(code: object) -> str | None:
    """A party's currency as ``party_money`` gives it (None: the base currency)."""
    return code if isinstance(code, str) else None


def _unit_cost(s: StockIn) -> Decimal:
    """The unit cost to book: the stock value / qty exactly when the value is given."""
    if s.value is not None:
        return mul_div(s.value, Decimal(1), s.qty)
    assert s.unit_cost is not None  # rows.py requires one of the two
    return s.unit_cost
