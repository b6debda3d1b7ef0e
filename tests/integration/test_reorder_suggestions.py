"""What /reorder and a low-stock alert suggest, from real postings."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.alerts.suggestions import reorder_suggestions
from core.catalog.parties import CreateSupplier, create_supplier
from core.catalog.products import ChangeProduct, change_product
from core.db.engine import Database
from core.errors import PermissionDenied
from core.orders.order_rows import OrderLineInput
from core.orders.purchase_orders import CreatePurchaseOrder, create_purchase_order
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.support.shop import Shop, open_shop, rid

D = Decimal


def today() -> object:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def receive_from(
    shop: Shop, supplier_id: int, product_id: int, qty: str, price: str
) -> None:
    await post_receipt(
        shop.uow(),
        shop.manager,
        PostReceipt(
            request_id=rid(),
            supplier_id=supplier_id,
            lines=(ReceiptLine(product_id=product_id, qty=D(qty), unit_price=D(price)),),
        ),
    )


async def sell_on(shop: Shop, day: object, qty: str) -> None:
    await post_shipment(
        shop.uow(),
        shop.manager,
        PostShipment(
            request_id=rid(),
            doc_date=day,  # type: ignore[arg-type]
            lines=(ShipmentLine(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(9)),),
        ),
    )


async def test_suggestions_use_30_days_of_sales_on_order_and_the_last_supplier(
    db: Database,
) -> None:
    shop = await open_shop(db)
    other = await create_supplier(
        shop.uow(), shop.owner, CreateSupplier(request_id=rid(), name="福建茶业")
    )
    await receive_from(shop, shop.supplier_id, shop.tea.product_id, "100", "5")
    await receive_from(shop, other.party_id, shop.tea.product_id, "10", "6")  # the last one
    await change_product(
        shop.uow(), shop.owner, ChangeProduct(product_id=shop.tea.product_id, reorder_point=D(70))
    )
    for days_ago, qty in ((0, "15"), (10, "15"), (29, "15"), (30, "1"), (45, "1")):
        await sell_on(shop, today() - timedelta(days=days_ago), qty)  # type: ignore[operator]
    await create_purchase_order(
        shop.uow(),
        shop.manager,
        CreatePurchaseOrder(
            request_id=rid(),
            supplier_id=other.party_id,
            lines=(OrderLineInput(product_id=shop.tea.product_id, qty=D(12), unit_price=D(6)),),
        ),
    )
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(coverage_days=60)
    )
    (tea,) = await reorder_suggestions(shop.uow(), shop.clerk, today())
    assert (tea.on_hand, tea.reorder_point, tea.on_order) == (D(63), D(70), D(12))
    assert (tea.supplier_name, tea.last_price) == ("福建茶业", D(6))
    assert (tea.daily_sales, tea.days_of_cover) == (D("1.500"), D("42.0"))  # 45 in 30 days
    assert tea.suggested == D(15)  # 60 days × 1.5 − 63 on hand − 12 on order


async def test_only_products_at_or_below_their_point_are_listed(db: Database) -> None:
    shop = await open_shop(db)
    await shop.receive(shop.tea, "10", "5")
    await shop.receive(shop.cup, "10", "2")
    for product, point in ((shop.tea, "10"), (shop.cup, "9")):
        await change_product(
            shop.uow(),
            shop.owner,
            ChangeProduct(product_id=product.product_id, reorder_point=D(point)),
        )
    found = await reorder_suggestions(shop.uow(), shop.clerk, today())
    assert [s.sku for s in found] == ["A001"]
    assert found[0].suggested == D(1)  # nothing sold: just back above the point
    with pytest.raises(PermissionDenied):
        await reorder_suggestions(shop.uow(), shop.viewer, today())
