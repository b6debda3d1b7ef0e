"""Credit sales, credit receipts and payments for the money tests."""

from datetime import date
from decimal import Decimal

from core.catalog.editing import ChangeParty, change_party
from core.finance.models import PartyKind, PaymentMethod
from core.finance.payments import Pick, PostPayment, post_payment
from core.finance.results import PaymentPosted
from core.inventory.results import DocumentPosted
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.access import Actor
from tests.support.shop import Shop, rid

D = Decimal


async def credit_sale(
    shop: Shop,
    qty: str,
    price: str = "10",
    *,
    paid: str = "0",
    customer: int | None = None,
    actor: Actor | None = None,
    doc_date: date | None = None,
    due_date: date | None = None,
    rate: str | None = None,
    **money: object,
) -> DocumentPosted:
    """Sells tea to 王老板 (or ``customer``), ``paid`` now and the rest on credit."""
    cmd = PostShipment.build(
        request_id=rid("xs"),
        warehouse_id=shop.main,
        customer_id=customer or shop.customer_id,
        lines=(ShipmentLine(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(price)),),
        paid_now=D(paid),
        doc_date=doc_date,
        due_date=due_date,
        rate=D(rate) if rate else None,
        **money,
    )
    return await post_shipment(shop.uow(), actor or shop.manager, cmd)


async def credit_receipt(
    shop: Shop, qty: str, price: str, *, paid: str = "0", rate: str | None = None
) -> DocumentPosted:
    """Receives tea from 杭州茶厂, ``paid`` now and the rest on credit."""
    cmd = PostReceipt(
        request_id=rid("cg"),
        warehouse_id=shop.main,
        supplier_id=shop.supplier_id,
        lines=(ReceiptLine(product_id=shop.tea.product_id, qty=D(qty), unit_price=D(price)),),
        paid_now=D(paid),
        rate=D(rate) if rate else None,
    )
    return await post_receipt(shop.uow(), shop.manager, cmd)


async def collect(
    shop: Shop,
    amount: str,
    *,
    customer: int | None = None,
    picks: tuple[tuple[int, str], ...] = (),
    rate: str | None = None,
    actor: Actor | None = None,
    request_id: str | None = None,
) -> PaymentPosted:
    """Money received from 王老板 (or ``customer``)."""
    cmd = PostPayment(
        request_id=request_id or rid("sk"),
        kind=PartyKind.CUSTOMER,
        party_id=customer or shop.customer_id,
        amount=D(amount),
        method=PaymentMethod.WECHAT,
        rate=D(rate) if rate else None,
        picks=tuple(Pick(item_id=i, amount=D(a)) for i, a in picks),
    )
    return await post_payment(shop.uow(), actor or shop.manager, cmd)


async def pay_supplier(shop: Shop, amount: str) -> PaymentPosted:
    """Money paid to 杭州茶厂."""
    cmd = PostPayment(
        request_id=rid("fk"),
        kind=PartyKind.SUPPLIER,
        party_id=shop.supplier_id,
        amount=D(amount),
        method=PaymentMethod.BANK,
    )
    return await post_payment(shop.uow(), shop.manager, cmd)


async def set_customer(shop: Shop, **changes: object) -> None:
    """Changes 王老板's currency, credit limit or terms."""
    await change_party(
        shop.uow(),
        shop.owner,
        ChangeParty(kind="customer", party_id=shop.customer_id, **changes),  # type: ignore[arg-type]
    )
