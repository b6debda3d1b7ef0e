"""The import template (/template).

One sheet per kind with bilingual headers and an example row each, and a notes sheet.
"""

from datetime import date
from decimal import Decimal
from typing import Any, Final

from core.io.columns import COLUMNS, Kind
from core.io.export import Table, workbook

_EXAMPLES: Final[dict[Kind, tuple[str, tuple[Any, ...]]]] = {
    Kind.PRODUCTS: (
        "商品 Products",
        (
            "A001",
            "不锈钢保温杯 500ml",
            "个",
            "6901234567892",
            Decimal("39.90"),
            Decimal("18.50"),
            Decimal(10),
            Decimal(50),
        ),
    ),
    Kind.STOCK: (
        "期初库存 Opening stock",
        ("A001", None, Decimal(120), Decimal("18.50"), None, "不锈钢保温杯 500ml", "个"),
    ),
    Kind.CUSTOMERS: (
        "客户 Customers",
        ("华联超市", "王经理", "13800138000", 30, "CNY", Decimal(50000)),
    ),
    Kind.SUPPLIERS: (
        "供应商 Suppliers",
        ("义乌日用品厂", "李先生", "0579-85551234", 45, "CNY", None),
    ),
    Kind.RECEIVABLES: (
        "期初应收 Opening receivables",
        (
            "华联超市",
            Decimal("12800.00"),
            "CNY",
            None,
            date(2026, 1, 5),
            date(2026, 2, 4),
            "XS-0381",
        ),
    ),
    Kind.PAYABLES: (
        "期初应付 Opening payables",
        ("义乌日用品厂", Decimal("8650.00"), "CNY", None, date(2026, 1, 10), None, "CG-0127"),
    ),
}

NOTES: Final = (
    ("说明 Notes", ""),
    (
        "每个工作表导入一类数据；不需要的工作表可以删除。",
        "Each sheet imports one kind of data; delete the sheets you do not need.",
    ),
    (
        "表头中文或英文均可，列的顺序不限；必填：编号、名称、数量、客户、供应商、金额。",
        "Headers in Chinese or English, in any order. Required: SKU, name, qty, party, amount.",
    ),
    (
        "编号相同的商品会被更新；空白单元格保持原值。",
        "A product whose SKU exists is updated; blank cells leave its values as they are.",
    ),
    (
        "期初库存按仓库记入期初单（QC），成本为单位成本（或金额 ÷ 数量）；仓库为空即默认仓库，"
        "不存在的仓库会新建。",
        "Opening stock is posted as opening documents (QC) per warehouse at the unit cost (or "
        "value ÷ qty); a blank warehouse is the default one, an unknown one is created.",
    ),
    (
        "期初应收/应付每行记一张期初单和一笔未结款，到期日为空时按账期计算；负数为预收/预付。",
        "Each opening receivable/payable row books an opening document and an open item; a blank "
        "due date follows the party's terms; a negative amount is a prepayment.",
    ),
    (
        "不接受公式和合并单元格；最多 100,000 行、20 MB。CSV 可用 UTF-8 或 GBK 编码。",
        "No formulas or merged cells; at most 100,000 rows and 20 MB. CSV in UTF-8 or GBK.",
    ),
    (
        "先预览：所有错误会列出行号和列名，确认后才一次性全部导入。",
        "You get a preview first, listing every error by row and column; nothing is written "
        "until you confirm, and then everything is imported at once.",
    ),
)


def import_template() -> bytes:
    """A ready .xlsx to fill in: a sheet per kind with one example row, and the notes."""
    tables = [
        Table(kind.value, title, tuple(c.header for c in COLUMNS[kind]), [example])
        for kind, (title, example) in _EXAMPLES.items()
    ]
    tables.append(Table("notes", "说明 Notes", NOTES[0], list(NOTES[1:])))
    return workbook(tables)
