"""What each kind of sheet holds, and the headers (Chinese or English) that name its columns.

A header matches a column when, spaces and case aside, it is one of the column's aliases, or
when one run of its words is (so "名称 Name", "Name（名称）" and "商品名称" all name ``name``).
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Kind(StrEnum):
    """What a sheet imports."""

    PRODUCTS = "products"
    STOCK = "stock"  # opening stock per warehouse, with unit cost
    CUSTOMERS = "customers"
    SUPPLIERS = "suppliers"
    RECEIVABLES = "receivables"  # opening balances customers owe
    PAYABLES = "payables"  # opening balances owed to suppliers


@dataclass(frozen=True)
class Column:
    """One column of a kind: its key, the template's bilingual header, its aliases."""

    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool = False


def _col(key: str, header: str, *aliases: str, required: bool = False) -> Column:
    zh, en = header.split(" ", 1)
    return Column(key, header, (zh, en, *aliases), required)


_SKU = _col("sku", "编号 SKU", "商品编号", "货号", "商品编码", "编码", "item code", required=True)
_NAME = _col("name", "名称 Name", "商品名称", "品名", "product name", "product")
_UNIT = _col("unit", "单位 Unit", "计量单位")
_CONTACT = _col("contact", "联系人 Contact")
_PHONE = _col("phone", "电话 Phone", "手机", "联系电话", "mobile", "tel")
_TERMS = _col("terms_days", "账期 Terms", "账期天数", "账期(天)", "terms days", "payment terms")
_CURRENCY = _col("currency", "币种 Currency", "货币")
_LIMIT = _col("credit_limit", "信用额度 Credit limit")
_RATE = _col("rate", "汇率 Rate", "exchange rate")
_DATE = _col("date", "日期 Date", "单据日期", "doc date")
_DUE = _col("due_date", "到期日 Due date", "到期日期", "due")
_NUMBER = _col("number", "单号 Number", "原单号", "单据编号", "doc number")

COLUMNS: Final[dict[Kind, tuple[Column, ...]]] = {
    Kind.PRODUCTS: (
        _SKU,
        Column("name", "名称 Name", _NAME.aliases, required=True),
        _UNIT,
        _col("barcodes", "条码 Barcode", "条形码", "barcodes"),
        _col("sale_price", "售价 Sale price", "销售价", "零售价", "selling price"),
        _col("purchase_price", "进价 Purchase price", "采购价", "进货价", "cost price"),
        _col("reorder_point", "安全库存 Reorder point", "预警库存", "min stock"),
        _col("reorder_qty", "补货量 Reorder qty", "补货数量", "reorder quantity"),
    ),
    Kind.STOCK: (
        _SKU,
        _col("warehouse", "仓库 Warehouse", "仓库名称"),
        _col("qty", "数量 Qty", "库存数量", "期初数量", "在库数量", "quantity", "on hand"),
        _col("unit_cost", "单位成本 Unit cost", "成本价", "成本单价", "单价", "cost"),
        _col("value", "金额 Value", "库存金额", "成本金额", "stock value"),
        _NAME,  # shown for the reader; the SKU decides
        _UNIT,
    ),
    Kind.CUSTOMERS: (
        _col("name", "客户 Customer", "客户名称", "customer name", "名称", "name", required=True),
        _CONTACT,
        _PHONE,
        _TERMS,
        _CURRENCY,
        _LIMIT,
    ),
    Kind.SUPPLIERS: (
        _col(
            "name", "供应商 Supplier", "供应商名称", "supplier name", "名称", "name", required=True
        ),
        _CONTACT,
        _PHONE,
        _TERMS,
        _CURRENCY,
        _LIMIT,
    ),
    Kind.RECEIVABLES: (
        _col("party", "客户 Customer", "客户名称", "customer name", required=True),
        _col(
            "amount",
            "期初应收 Opening receivable",
            "应收",
            "应收余额",
            "未结金额",
            "金额",
            "receivable",
            "open amount",
            "amount",
            required=True,
        ),
        _CURRENCY,
        _RATE,
        _DATE,
        _DUE,
        _NUMBER,
    ),
    Kind.PAYABLES: (
        _col("party", "供应商 Supplier", "供应商名称", "supplier name", required=True),
        _col(
            "amount",
            "期初应付 Opening payable",
            "应付",
            "应付余额",
            "未结金额",
            "金额",
            "payable",
            "open amount",
            "amount",
            required=True,
        ),
        _CURRENCY,
        _RATE,
        _DATE,
        _DUE,
        _NUMBER,
    ),
}

# Sheet names (a workbook's tabs) that say what a sheet holds.
SHEET_NAMES: Final[dict[Kind, tuple[str, ...]]] = {
    Kind.PRODUCTS: ("商品", "products", "商品资料", "product"),
    Kind.STOCK: ("期初库存", "opening stock", "库存", "stock"),
    Kind.CUSTOMERS: ("客户", "customers", "客户资料", "customer"),
    Kind.SUPPLIERS: ("供应商", "suppliers", "供应商资料", "supplier"),
    Kind.RECEIVABLES: ("期初应收", "opening receivables", "应收", "receivables"),
    Kind.PAYABLES: ("期初应付", "opening payables", "应付", "payables"),
}
# Sheets an export or the template has that are not imported (read, then left alone).
IGNORED_SHEETS: Final = ("说明", "notes", "单据", "documents", "单据明细", "document lines")

_DROP = re.compile(r"[\s_\-*:：()（）\[\]【】/、.]+")


def normalise(text: str) -> str:
    """A header or sheet name as compared: NFKC, case-folded, no spaces or punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).casefold())


def _runs(text: str) -> list[str]:
    """The whole text, then every run of its words, each normalised."""
    words = [
        w for w in re.split(r"[\s/()（）\[\]【】、]+", unicodedata.normalize("NFKC", text)) if w
    ]
    runs = [normalise(text)]
    for length in range(len(words), 0, -1):
        runs += [normalise("".join(words[i : i + length])) for i in range(len(words) - length + 1)]
    return [r for r in runs if r]


def _match(text: str, names: dict[str, tuple[str, ...]]) -> str | None:
    keyed = {normalise(alias): key for key, aliases in names.items() for alias in aliases}
    for run in _runs(text):
        if run in keyed:
            return keyed[run]
    return None


def match_header(kind: Kind, header: str) -> str | None:
    """The key of the column of ``kind`` that ``header`` names, or None."""
    return _match(header, {c.key: c.aliases for c in COLUMNS[kind]})


def sheet_kind(title: str) -> Kind | bool | None:
    """The kind a sheet's name says, False for a sheet to leave alone, None when unsure."""
    if _match(title, {"ignored": IGNORED_SHEETS}):
        return False
    found = _match(title, {kind.value: names for kind, names in SHEET_NAMES.items()})
    return Kind(found) if found else None


def guess_kind(headers: list[str]) -> Kind | None:
    """The kind a header row says, when the sheet's name does not (a CSV, "Sheet1")."""

    def keys(kind: Kind) -> set[str]:
        return {k for h in headers if (k := match_header(kind, h)) is not None}

    products, stock = keys(Kind.PRODUCTS), keys(Kind.STOCK)
    product_only = products & {"barcodes", "sale_price", "purchase_price", "reorder_qty"}
    if {"sku", "qty"} <= stock and not product_only:  # "Reorder qty" is not a quantity
        return Kind.STOCK
    if {"sku", "name"} <= products:
        return Kind.PRODUCTS
    if {"sku", "qty"} <= stock:
        return Kind.STOCK
    for money, party in ((Kind.RECEIVABLES, Kind.CUSTOMERS), (Kind.PAYABLES, Kind.SUPPLIERS)):
        found = keys(money)
        if {"party", "amount"} <= found:
            return money
        strict = {match_header(money, h) for h in headers}  # 客户 / 供应商 themselves
        if "party" in strict:
            return party
    return None


def column(kind: Kind, key: str) -> Column:
    """The column of ``kind`` with this key."""
    return next(c for c in COLUMNS[kind] if c.key == key)
