"""A business's own data as an .xlsx workbook, or one sheet of it as CSV.

Sheets: products, stock, customers, suppliers, documents and their lines, open items.

Who sees what (DESIGN rule 9): owners and managers get everything. Clerks get the same
workbook without costs: no stock value and no receivables/payables sheets (accounts are a
manager's), and the lines of counts, adjustments and opening documents without their prices
(those are average costs). Viewers are refused. In a group chat nothing is exported: the
file would be read by everyone in it.

The sheets of products, stock, customers, suppliers, receivables and payables have the
import's own headers, so an export imported into a new business gives the same catalogue,
stock (on hand and value per product, to the cent) and open items.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, cast

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.catalog.models import Barcode, Customer, Product, Supplier, Warehouse
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.finance.models import OpenItem
from core.inventory.models import Document, DocumentLine, ProductCost, StockBalance
from core.io.columns import COLUMNS, Kind
from core.numbers import ZERO, mul_div, round_money
from core.tenancy.access import Actor, Membership, require_member
from core.tenancy.models import Member, Role

_COST_LINES: Final = ("PD", "TZ", "QC")  # their line prices are average costs


@dataclass(frozen=True)
class Table:
    """One sheet: its title, bilingual headers and typed rows."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


SHEETS: Final = (
    "products",
    "stock",
    "customers",
    "suppliers",
    "documents",
    "lines",
    "receivables",
    "payables",
)


def _headers(kind: Kind, *keys: str) -> tuple[str, ...]:
    by_key = {c.key: c.header for c in COLUMNS[kind]}
    return tuple(by_key[k] for k in keys)


async def _require_exporter(session: AsyncSession, actor: Actor) -> Membership:
    membership = await require_member(session, actor, Role.CLERK, "export data")
    if membership.in_public:
        raise PermissionDenied("export data", "group")
    return membership


def sheets_for(role: Role) -> tuple[str, ...]:
    """The sheets a member of this role gets."""
    if role.sees_costs:
        return SHEETS
    return tuple(s for s in SHEETS if s not in {"receivables", "payables"})


async def export_business(uow: UnitOfWork, actor: Actor) -> bytes:
    """The actor's business as an .xlsx workbook, one sheet per table.

    Raises:
        PermissionDenied: viewers, and any export in a group chat.
    """
    async with uow.reading() as session:
        membership = await _require_exporter(session, actor)
        tables = [await _BUILDERS[key](session, membership) for key in sheets_for(membership.role)]
    return workbook(tables)


async def export_csv(uow: UnitOfWork, actor: Actor, sheet: str) -> bytes:
    """One sheet of the export as CSV in UTF-8 with a BOM (Excel in China opens it right).

    Raises:
        PermissionDenied: as ``export_business``; or the sheet is one the role may not have.
        InvalidInput: no such sheet (see ``SHEETS``).
    """
    if sheet not in SHEETS:
        raise InvalidInput("sheet", "unknown", sheet[:20])
    async with uow.reading() as session:
        membership = await _require_exporter(session, actor)
        if sheet not in sheets_for(membership.role):
            raise PermissionDenied("export accounts", membership.role.value)
        table = await _BUILDERS[sheet](session, membership)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(tuple("" if v is None else v for v in row) for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def workbook(tables: list[Table]) -> bytes:
    """Tables as an .xlsx: typed cells, a bold frozen header row, fitted column widths."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        ws = book.create_sheet(table.title)
        ws.freeze_panes = "A2"
        widths = [_width(h) for h in table.headers]
        for row in table.rows[:1000]:  # fitted to the first rows: enough to size the columns
            for n, value in enumerate(row):
                widths[n] = max(widths[n], _width(value))
        for n, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(n)].width = min(width + 2, 60)
        header = []
        for text in table.headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in table.rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK is two columns wide


async def _products(session: AsyncSession, membership: Membership) -> Table:
    codes: dict[int, list[str]] = defaultdict(list)
    for product_id, code in await session.execute(
        select(Barcode.product_id, Barcode.code)
        .where(Barcode.business_id == membership.business_id)
        .order_by(Barcode.id)
    ):
        codes[product_id].append(code)
    products = await session.scalars(
        select(Product).where(Product.business_id == membership.business_id).order_by(Product.id)
    )
    return Table(
        "products",
        "商品 Products",
        tuple(c.header for c in COLUMNS[Kind.PRODUCTS]),
        [
            (
                p.sku,
                p.name,
                p.unit or None,
                ",".join(codes.get(p.id, ())) or None,
                p.default_sale_price,
                p.default_purchase_price,
                p.reorder_point,
                p.reorder_qty,
            )
            for p in products
        ],
    )


async def _stock(session: AsyncSession, membership: Membership) -> Table:
    rows = (
        await session.execute(
            select(
                Product.id,
                Product.sku,
                Product.name,
                Product.unit,
                Warehouse.name,
                StockBalance.on_hand,
                ProductCost.on_hand,
                ProductCost.value,
            )
            .join(Product, Product.id == StockBalance.product_id)
            .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .join(ProductCost, ProductCost.product_id == Product.id)
            .where(StockBalance.business_id == membership.business_id, StockBalance.on_hand != 0)
            .order_by(Product.id, Warehouse.is_default.desc(), Warehouse.id)
        )
    ).all()
    costs = membership.sees_costs
    keys = ["sku", "name", "unit", "warehouse", "qty"] + (["value"] if costs else [])
    headers = _headers(Kind.STOCK, *keys)
    table: list[tuple[Any, ...]] = []
    base = membership.business.base_currency
    by_product: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_product[row[0]].append(row)
    for group in by_product.values():
        total_qty = sum((r[5] for r in group), ZERO)
        left = group[0][7]
        for n, (_pid, sku, name, unit, warehouse, qty, _on_hand, value) in enumerate(group, 1):
            line: tuple[Any, ...] = (sku, name, unit or None, warehouse, qty)
            if costs:
                if n == len(group) or total_qty == 0:
                    share = left  # the last warehouse takes what rounding left: Σ = the value
                else:
                    share = round_money(mul_div(value, qty, total_qty), base)
                left -= share
                line += (share,)
            table.append(line)
    return Table("stock", "库存 Stock", headers, table)


async def _parties(session: AsyncSession, membership: Membership, kind: Kind) -> Table:
    model: type[Customer] | type[Supplier] = Customer if kind == Kind.CUSTOMERS else Supplier
    found = await session.scalars(
        select(model).where(model.business_id == membership.business_id).order_by(model.id)
    )
    parties = cast("list[Customer | Supplier]", list(found))
    base = membership.business.base_currency
    title = "客户 Customers" if kind == Kind.CUSTOMERS else "供应商 Suppliers"
    return Table(
        kind.value,
        title,
        tuple(c.header for c in COLUMNS[kind]),
        [
            (
                p.name,
                p.contact or None,
                p.phone or None,
                p.terms_days,
                p.currency or base,
                p.credit_limit,
            )
            for p in parties
        ],
    )


async def _customers(session: AsyncSession, membership: Membership) -> Table:
    return await _parties(session, membership, Kind.CUSTOMERS)


async def _suppliers(session: AsyncSession, membership: Membership) -> Table:
    return await _parties(session, membership, Kind.SUPPLIERS)


async def _documents(session: AsyncSession, membership: Membership) -> Table:
    customer, supplier = aliased(Customer), aliased(Supplier)
    rows = await session.execute(
        select(
            Document.number,
            Document.doc_type,
            Document.doc_date,
            customer.name,
            supplier.name,
            Warehouse.name,
            Document.currency,
            Document.total,
            Document.status,
        )
        .join(Warehouse, Warehouse.id == Document.warehouse_id)
        .outerjoin(customer, customer.id == Document.customer_id)
        .outerjoin(supplier, supplier.id == Document.supplier_id)
        .where(Document.business_id == membership.business_id)
        .order_by(Document.id)
    )
    return Table(
        "documents",
        "单据 Documents",
        (
            "单号 Number",
            "类型 Type",
            "日期 Date",
            "往来单位 Party",
            "仓库 Warehouse",
            "币种 Currency",
            "金额 Total",
            "状态 Status",
        ),
        [
            (number, kind, day, c or s, wh, cur, total, status)
            for number, kind, day, c, s, wh, cur, total, status in rows
        ],
    )


async def _lines(session: AsyncSession, membership: Membership) -> Table:
    rows = await session.execute(
        select(
            Document.number,
            Document.doc_type,
            DocumentLine.line_no,
            Product.sku,
            Product.name,
            DocumentLine.qty,
            DocumentLine.unit_price,
            DocumentLine.amount,
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .join(Product, Product.id == DocumentLine.product_id)
        .where(Document.business_id == membership.business_id)
        .order_by(Document.id, DocumentLine.line_no)
    )
    costs = membership.sees_costs
    return Table(
        "lines",
        "单据明细 Document lines",
        (
            "单号 Number",
            "行号 Line",
            "编号 SKU",
            "名称 Name",
            "数量 Qty",
            "单价 Unit price",
            "金额 Amount",
        ),
        [
            (number, line_no, sku, name, qty)
            + ((price, amount) if costs or kind not in _COST_LINES else (None, None))
            for number, kind, line_no, sku, name, qty, price, amount in rows
        ],
    )


async def _open_items(session: AsyncSession, membership: Membership, kind: Kind) -> Table:
    model: type[Customer] | type[Supplier] = Customer if kind == Kind.RECEIVABLES else Supplier
    column = OpenItem.customer_id if kind == Kind.RECEIVABLES else OpenItem.supplier_id
    rows = await session.execute(
        select(
            model.name,
            OpenItem.number,
            OpenItem.item_date,
            OpenItem.due_date,
            OpenItem.open,
            OpenItem.currency,
            OpenItem.rate,
        )
        .join(model, model.id == column)
        .where(OpenItem.business_id == membership.business_id, OpenItem.open != 0)
        .order_by(model.name, OpenItem.id)
    )
    title = "应收 Receivables" if kind == Kind.RECEIVABLES else "应付 Payables"
    headers = _headers(kind, "party", "number", "date", "due_date", "amount", "currency", "rate")
    headers = (*headers[:4], "未结金额 Open amount", *headers[5:])
    return Table(
        kind.value,
        title,
        headers,
        [
            (name, number, day, due, amount, currency, _plain(rate))
            for name, number, day, due, amount, currency, rate in rows
        ],
    )


def _plain(rate: Decimal) -> Decimal:
    """A rate without trailing zeros: 7.12500000 → 7.125."""
    return rate.normalize()


async def _receivables(session: AsyncSession, membership: Membership) -> Table:
    return await _open_items(session, membership, Kind.RECEIVABLES)


async def _payables(session: AsyncSession, membership: Membership) -> Table:
    return await _open_items(session, membership, Kind.PAYABLES)


_BUILDERS: Final[dict[str, Callable[[AsyncSession, Membership], Awaitable[Table]]]] = {
    "products": _products,
    "stock": _stock,
    "customers": _customers,
    "suppliers": _suppliers,
    "documents": _documents,
    "lines": _lines,
    "receivables": _receivables,
    "payables": _payables,
}


async def owner_actor(uow: UnitOfWork, business_id: int | None) -> Actor:
    """An owner of the business (the only business when None), to act as from the CLI.

    Raises:
        NotFound: no such business, or ``None`` and there is not exactly one business.
    """
    async with uow.reading() as session:
        query = select(Member.user_id, Member.business_id).where(
            Member.role == Role.OWNER.value, Member.active.is_(True)
        )
        if business_id is not None:
            query = query.where(Member.business_id == business_id)
        found = (await session.execute(query.order_by(Member.id))).all()
    businesses = {b for _u, b in found}
    if len(businesses) != 1:
        raise NotFound("business", str(business_id) if business_id is not None else "")
    user_id, only = found[0]
    return Actor(user_id=user_id, business_id=only)
