"""A demo business for newcomers: products, warehouses, parties and weeks of history.

Everything goes through the real services with request ids derived from the owner's id, so
running the demo twice changes nothing the second time.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
from core.catalog.products import CreateProduct, create_product
from core.catalog.results import ProductView
from core.catalog.warehouses import CreateWarehouse, create_warehouse, list_warehouses
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.errors import InsufficientStock
from core.finance.accounts import party_account
from core.finance.models import PartyKind, PaymentMethod
from core.finance.payments import PostPayment, post_payment
from core.inventory.counts import CountLine, PostStockCount, post_stock_count
from core.inventory.models import Document
from core.inventory.stock import on_hand
from core.inventory.transfers import PostTransfer, TransferLine, post_transfer
from core.orders.order_rows import FillLine, OrderLineInput
from core.orders.purchase_orders import (
    CreatePurchaseOrder,
    ReceiveOrder,
    create_purchase_order,
    receive_order,
)
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.sales_orders import CreateSalesOrder, create_sales_order
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business

D = Decimal
# (name, unit, purchase price, sale price, reorder point)
CATALOG: tuple[tuple[str, str, str, str, str], ...] = (
    ("西湖龙井 250g", "盒", "120", "168", "10"),
    ("铁观音 500g", "盒", "85", "128", "10"),
    ("普洱茶饼 357g", "饼", "60", "98", "8"),
    ("碧螺春 100g", "罐", "48", "78", "10"),
    ("大红袍 200g", "盒", "150", "228", "5"),
    ("茉莉花茶 250g", "袋", "22", "38", "20"),
    ("不锈钢保温杯 500ml", "个", "35", "69", "15"),
    ("玻璃茶杯 300ml", "个", "8", "19", "30"),
    ("紫砂壶 西施", "把", "180", "298", "3"),
    ("陶瓷盖碗", "套", "25", "49", "10"),
    ("竹制茶盘", "个", "65", "118", "5"),
    ("茶叶罐 锡制", "个", "40", "79", "8"),
    ("纯牛奶 250ml×12", "箱", "36", "52", "20"),
    ("酸奶 200g×8", "箱", "28", "42", "15"),
    ("矿泉水 550ml×24", "箱", "18", "30", "30"),
    ("苏打水 350ml×24", "箱", "42", "65", "10"),
    ("可乐 330ml×24", "箱", "45", "62", "20"),
    ("橙汁 1L", "瓶", "9", "15", "24"),
    ("咖啡豆 500g", "袋", "68", "118", "6"),
    ("挂耳咖啡 10片", "盒", "25", "45", "12"),
    ("红糖 500g", "袋", "6.5", "12", "20"),
    ("蜂蜜 500g", "瓶", "32", "58", "10"),
    ("核桃 1kg", "袋", "38", "62", "8"),
    ("红枣 500g", "袋", "15", "28", "15"),
    ("枸杞 250g", "袋", "18", "32", "12"),
    ("桂圆干 500g", "袋", "26", "45", "10"),
    ("大米 5kg", "袋", "28", "39.9", "20"),
    ("花生油 5L", "桶", "68", "89", "10"),
    ("酱油 500ml", "瓶", "7.5", "12.8", "24"),
    ("香醋 500ml", "瓶", "6", "9.9", "24"),
    ("食盐 400g", "袋", "1.6", "3", "50"),
    ("白砂糖 1kg", "袋", "6.8", "10.5", "20"),
    ("面粉 2.5kg", "袋", "12", "18.8", "15"),
    ("挂面 1kg", "袋", "7", "11.9", "20"),
    ("鸡蛋 30枚", "盒", "18", "26", "10"),
    ("散装绿豆", "kg", "9.6", "14", "10"),
    ("散装小米", "kg", "7.2", "11", "10"),
    ("洗洁精 1.5kg", "瓶", "9", "15.9", "12"),
    ("洗衣液 3kg", "瓶", "26", "42", "10"),
    ("抽纸 3层×10包", "提", "19", "29.9", "15"),
    ("垃圾袋 100只", "卷", "5", "9.9", "20"),
    ("一次性纸杯 100只", "包", "6", "12", "20"),
    ("电池 5号×4", "板", "6", "12", "15"),
    ("USB 数据线 Type-C", "根", "8", "25", "10"),
    ("LED 灯泡 9W", "个", "5.5", "15", "12"),
    ("插线板 3米", "个", "22", "45", "6"),
    ("A4 打印纸 500张", "包", "21", "32", "10"),
    ("中性笔 12支", "盒", "9", "18", "10"),
    ("笔记本 B5", "本", "3.2", "8", "20"),
    ("胶带 48mm", "卷", "2.8", "6", "20"),
)
# Customers' payment terms in days: 李记茶馆 (7 days) buys on credit and pays late.
TERMS = (15, 7, 30, 0)
METHODS = (PaymentMethod.CASH, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.BANK)
SUPPLIERS = ("杭州茶厂", "福建安溪茶业", "光明乳业经销", "本地粮油批发", "义乌日用百货")
CUSTOMERS = (
    "王老板便利店",
    "李记茶馆",
    "张三超市",
    "星光咖啡",
    "幸福小区团购",
    "周末市集",
    "陈氏餐厅",
    "阳光幼儿园",
)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo created."""

    business_id: int
    name: str
    products: int
    warehouses: int
    documents: int
    refused_sales: int
    orders: int = 0


async def create_demo(
    db: Database, *, owner_id: int, days: int = 21, seed: int = 7
) -> DemoSummary:
    """Creates (or finds, on a second run) the demo business owned by ``owner_id``."""
    rng = random.Random(seed)
    key = f"demo-{owner_id}"

    def uow() -> UnitOfWork:  # each service call is its own transaction
        return UnitOfWork(db)

    business = await create_business(
        uow(),
        Actor(user_id=owner_id),
        CreateBusiness(request_id=key, name="示范茶叶百货 Demo Shop", owner_name="Demo owner"),
    )
    owner = Actor(user_id=owner_id, business_id=business.business_id)
    for name in ("城东仓", "门店后仓"):
        await create_warehouse(
            uow(), owner, CreateWarehouse(request_id=f"{key}-wh-{name}", name=name)
        )
    warehouses = [w.warehouse_id for w in await list_warehouses(uow(), owner)]
    products: list[ProductView] = []
    for n, (name, unit, buy, sell, point) in enumerate(CATALOG, start=1):
        products.append(
            await create_product(
                uow(),
                owner,
                CreateProduct(
                    request_id=f"{key}-p{n}",
                    sku=f"A{n:03d}",
                    name=name,
                    unit=unit,
                    barcodes=(f"69{n:011d}",),
                    default_purchase_price=D(buy),
                    default_sale_price=D(sell),
                    reorder_point=D(point),
                    reorder_qty=D(point) * 3,
                ),
            )
        )
    suppliers = [
        (
            await create_supplier(
                uow(), owner, CreateSupplier(request_id=f"{key}-s{n}", name=name, terms_days=30)
            )
        ).party_id
        for n, name in enumerate(SUPPLIERS)
    ]
    customers = [
        (
            await create_customer(
                uow(),
                owner,
                CreateCustomer(
                    request_id=f"{key}-c{n}",
                    name=name,
                    terms_days=TERMS[n % len(TERMS)],
                    credit_limit=D(20_000) if n == 0 else None,
                ),
            )
        ).party_id
        for n, name in enumerate(CUSTOMERS)
    ]
    if built := await _built(db, business.business_id):  # a second run: nothing more
        return DemoSummary(
            business.business_id, business.name, len(products), len(warehouses), built, 0, 3
        )
    documents = refused = 0
    today = datetime.now(ZoneInfo(business.timezone)).date()
    for day in range(days, 0, -1):
        doc_date = today - timedelta(days=day)
        if day % 7 == 0 or day == days:  # weekly purchases into the main warehouse
            lines = tuple(
                ReceiptLine(
                    product_id=p.product_id,
                    qty=D(rng.randint(20, 60)),
                    unit_price=p.default_purchase_price or D(1),
                )
                for p in (products if day == days else rng.sample(products, 20))
            )
            await post_receipt(
                uow(),
                owner,
                PostReceipt(
                    request_id=f"{key}-cg{day}",
                    warehouse_id=warehouses[0],
                    supplier_id=rng.choice(suppliers),
                    doc_date=doc_date,
                    lines=lines,
                    paid_now=None if day == days else D(0),  # on the supplier's 30 days
                    payment_method=PaymentMethod.BANK,
                ),
            )
            documents += 1
        if day in (days, days - 9):  # 李记茶馆 buys on 7 days' credit and has not paid since
            await post_shipment(
                uow(),
                owner,
                PostShipment(
                    request_id=f"{key}-late{day}",
                    warehouse_id=warehouses[0],
                    customer_id=customers[1],
                    doc_date=doc_date,
                    lines=(
                        ShipmentLine(
                            product_id=products[1].product_id, qty=D(3), unit_price=D(128)
                        ),
                    ),
                    paid_now=D(0),
                ),
            )
            documents += 1
        for n in range(rng.randint(2, 5)):  # daily sales
            sold = tuple(
                ShipmentLine(
                    product_id=p.product_id,
                    qty=D(rng.randint(1, 6)),
                    unit_price=p.default_sale_price or D(1),
                )
                for p in rng.sample(products, rng.randint(1, 4))
            )
            customer = rng.choice((None, *customers))
            on_credit = customer is not None and customers.index(customer) < 3
            try:
                await post_shipment(
                    uow(),
                    owner,
                    PostShipment(
                        request_id=f"{key}-xs{day}-{n}",
                        warehouse_id=warehouses[0],
                        customer_id=customer,
                        doc_date=doc_date,
                        lines=sold,
                        paid_now=D(0) if on_credit else None,
                        payment_method=rng.choice(METHODS),
                    ),
                )
                documents += 1
            except InsufficientStock:
                refused += 1  # as in a real shop: it was not on the shelf
        if day == 10:
            await _transfer_and_count(uow, owner, key, warehouses, products, rng, doc_date)
            documents += 2
        if day % 7 == 3:  # weekly collections; 李记茶馆 (customers[1]) never pays
            documents += await _collect(uow, owner, f"{key}-sk{day}", customers, doc_date)
    documents += await _pay_suppliers(uow, owner, key, suppliers, today)
    orders = await _orders(uow, owner, key, suppliers, customers, products, warehouses[0])
    return DemoSummary(
        business.business_id,
        business.name,
        len(products),
        len(warehouses),
        documents + 1,  # the part receipt of the first purchase order
        refused,
        orders,
    )


async def _built(db: Database, business_id: int) -> int:
    """How many documents an earlier run posted (its history depends on the stock it met)."""
    async with db.reads() as session:
        count = await session.scalar(
            select(func.count()).select_from(Document).where(Document.business_id == business_id)
        )
        return int(count or 0)


async def _collect(
    uow: Callable[[], UnitOfWork], owner: Actor, key: str, customers: list[int], day: date
) -> int:
    """王老板 pays what he owes; 张三超市 pays half; 李记茶馆 pays nothing (overdue)."""
    posted = 0
    for n, share in ((0, D(1)), (2, D("0.5"))):
        owed = (await party_account(uow(), owner, PartyKind.CUSTOMER, customers[n])).balance
        amount = owed if share == 1 else (owed * share).quantize(D("1"))
        if amount > 0:
            await post_payment(
                uow(),
                owner,
                PostPayment(
                    request_id=f"{key}-{n}",
                    kind=PartyKind.CUSTOMER,
                    party_id=customers[n],
                    amount=amount,
                    method=PaymentMethod.WECHAT if n == 0 else PaymentMethod.BANK,
                    doc_date=day,
                ),
            )
            posted += 1
    return posted


async def _pay_suppliers(
    uow: Callable[[], UnitOfWork], owner: Actor, key: str, suppliers: list[int], today: date
) -> int:
    """The first supplier is paid half of what we owe it; the others wait for their terms."""
    owed = (await party_account(uow(), owner, PartyKind.SUPPLIER, suppliers[0])).balance
    if owed <= 0:
        return 0
    await post_payment(
        uow(),
        owner,
        PostPayment(
            request_id=f"{key}-fk0",
            kind=PartyKind.SUPPLIER,
            party_id=suppliers[0],
            amount=(owed / 2).quantize(D("1")),
            method=PaymentMethod.BANK,
            doc_date=today,
        ),
    )
    return 1


async def _orders(
    uow: Callable[[], UnitOfWork],
    owner: Actor,
    key: str,
    suppliers: list[int],
    customers: list[int],
    products: list[ProductView],
    main: int,
) -> int:
    """Two purchase orders (one part received) and a confirmed sales order holding stock."""
    ordered = [
        await create_purchase_order(
            uow(),
            owner,
            CreatePurchaseOrder(
                request_id=f"{key}-po{n}",
                supplier_id=suppliers[n],
                lines=tuple(
                    OrderLineInput(
                        product_id=p.product_id,
                        qty=D(30),
                        unit_price=p.default_purchase_price or D(1),
                    )
                    for p in products[n * 3 : n * 3 + 3]
                ),
            ),
        )
        for n in range(2)
    ]
    await receive_order(
        uow(),
        owner,
        ReceiveOrder(
            request_id=f"{key}-po0-cg",
            order_id=ordered[0].order_id,
            lines=(FillLine(line_no=1, qty=D(30)), FillLine(line_no=2, qty=D(12))),
        ),
    )
    for product in products[6:]:  # the first product with 5 on the main shelf
        if await on_hand(uow(), owner, product.product_id, main) >= 5:
            break
    await create_sales_order(
        uow(),
        owner,
        CreateSalesOrder(
            request_id=f"{key}-so0",
            customer_id=customers[0],
            lines=(
                OrderLineInput(
                    product_id=product.product_id,
                    qty=D(5),
                    unit_price=product.default_sale_price or D(1),
                ),
            ),
        ),
    )
    return len(ordered) + 1


async def _transfer_and_count(
    uow: Callable[[], UnitOfWork],
    owner: Actor,
    key: str,
    warehouses: list[int],
    products: list[ProductView],
    rng: random.Random,
    doc_date: date,
) -> None:
    """Moves a few products to the second warehouse and counts a shelf of the first."""
    stocked: list[tuple[ProductView, Decimal]] = []
    for product in products:
        qty = await on_hand(uow(), owner, product.product_id, warehouses[0])
        if qty >= 4:
            stocked.append((product, qty))
    await post_transfer(
        uow(),
        owner,
        PostTransfer(
            request_id=f"{key}-db",
            from_warehouse_id=warehouses[0],
            to_warehouse_id=warehouses[1],
            doc_date=doc_date,
            lines=tuple(TransferLine(product_id=p.product_id, qty=D(2)) for p, _ in stocked[:6]),
        ),
    )
    counted = [  # most shelves are right; some are one or two short
        CountLine(product_id=p.product_id, counted_qty=q - rng.choice((0, 0, 0, 1, 2)))
        for p, q in stocked[6:14]
    ]
    await post_stock_count(
        uow(),
        owner,
        PostStockCount(
            request_id=f"{key}-pd",
            warehouse_id=warehouses[0],
            doc_date=doc_date,
            lines=tuple(counted),
        ),
    )
