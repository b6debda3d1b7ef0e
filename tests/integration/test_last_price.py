"""The price a party last paid or charged for a product (the price step's second button)."""

from decimal import Decimal

import pytest

from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
from core.db.engine import Database
from core.errors import PermissionDenied
from core.inventory.voids import VoidDocument, void_document
from core.orders.last_price import last_price
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.access import Actor
from tests.support.money import set_customer
from tests.support.shop import Shop, open_shop, rid

D = Decimal


@pytest.fixture
async def shop(db: Database) -> Shop:
    opened = await open_shop(db)
    await opened.receive(opened.tea, "100", "5")
    return opened


async def sell_to(shop: Shop, customer_id: int | None, price: str, product_id: int = 0) -> int:
    cmd = PostShipment(
        request_id=rid("xs"),
        warehouse_id=shop.main,
        customer_id=customer_id,
        lines=(
            ShipmentLine(
                product_id=product_id or shop.tea.product_id, qty=D(1), unit_price=D(price)
            ),
        ),
    )
    return (await post_shipment(shop.uow(), shop.clerk, cmd)).document_id


async def buy_from(shop: Shop, supplier_id: int, price: str) -> int:
    cmd = PostReceipt(
        request_id=rid("cg"),
        warehouse_id=shop.main,
        supplier_id=supplier_id,
        lines=(ReceiptLine(product_id=shop.tea.product_id, qty=D(1), unit_price=D(price)),),
    )
    return (await post_receipt(shop.uow(), shop.clerk, cmd)).document_id


async def test_the_customers_newest_sale_of_the_product_gives_the_price(shop: Shop) -> None:
    other = await create_customer(
        shop.uow(), shop.owner, CreateCustomer(request_id=rid(), name="李姐")
    )
    await sell_to(shop, shop.customer_id, "80")
    await sell_to(shop, shop.customer_id, "85.5")
    await sell_to(shop, other.party_id, "70")  # another customer's price is not his
    await sell_to(shop, None, "90")  # nor a walk-in's

    found = await last_price(
        shop.uow(), shop.clerk, "customer", shop.customer_id, shop.tea.product_id
    )

    assert found == D("85.5")


async def test_nothing_sold_or_another_product_gives_none(shop: Shop) -> None:
    await sell_to(shop, shop.customer_id, "80")

    cup = await last_price(
        shop.uow(), shop.clerk, "customer", shop.customer_id, shop.cup.product_id
    )
    other = await last_price(shop.uow(), shop.clerk, "customer", 999_999, shop.tea.product_id)

    assert (cup, other) == (None, None)


async def test_a_voided_sale_is_not_the_last_price(shop: Shop) -> None:
    await sell_to(shop, shop.customer_id, "80")
    wrong = await sell_to(shop, shop.customer_id, "8")
    await void_document(
        shop.uow(), shop.manager, VoidDocument(request_id=rid(), document_id=wrong)
    )

    found = await last_price(
        shop.uow(), shop.clerk, "customer", shop.customer_id, shop.tea.product_id
    )

    assert found == D(80)


async def test_the_suppliers_last_price_is_its_own_and_a_group_does_not_see_it(shop: Shop) -> None:
    other = await create_supplier(
        shop.uow(), shop.owner, CreateSupplier(request_id=rid(), name="福建茶园")
    )
    await buy_from(shop, shop.supplier_id, "6.25")
    await buy_from(shop, other.party_id, "7")
    await sell_to(shop, shop.customer_id, "80")
    in_group = Actor(user_id=shop.clerk.user_id, business_id=shop.business_id, in_public=True)

    found = await last_price(
        shop.uow(), shop.clerk, "supplier", shop.supplier_id, shop.tea.product_id
    )
    hidden = await last_price(
        shop.uow(), in_group, "supplier", shop.supplier_id, shop.tea.product_id
    )
    sale = await last_price(
        shop.uow(), in_group, "customer", shop.customer_id, shop.tea.product_id
    )

    assert (found, hidden) == (D("6.25"), None)
    assert sale == D(80)  # a sale price is no purchase price: the group may read it


async def test_a_price_in_the_old_currency_is_not_offered(shop: Shop) -> None:
    await sell_to(shop, shop.customer_id, "80")  # paid in full: nothing open in CNY
    await set_customer(shop, currency="USD")

    found = await last_price(
        shop.uow(), shop.clerk, "customer", shop.customer_id, shop.tea.product_id
    )

    assert found is None


async def test_another_business_sees_nothing_and_a_viewer_is_refused(
    shop: Shop, db: Database
) -> None:
    await sell_to(shop, shop.customer_id, "80")
    other = await open_shop(db, owner_id=5000, name="别家")

    theirs = await last_price(
        other.uow(), other.owner, "customer", shop.customer_id, shop.tea.product_id
    )
    with pytest.raises(PermissionDenied):
        await last_price(
            shop.uow(), shop.viewer, "customer", shop.customer_id, shop.tea.product_id
        )

    assert theirs is None
