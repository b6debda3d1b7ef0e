"""A small shop to test against: four members, two warehouses, a few products."""

import itertools
from dataclasses import dataclass
from decimal import Decimal

from core.catalog.parties import CreateCustomer, CreateSupplier, create_customer, create_supplier
from core.catalog.products import CreateProduct, create_product
from core.catalog.results import ProductView
from core.catalog.warehouses import CreateWarehouse, create_warehouse, list_warehouses
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.inventory.results import DocumentPosted
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.access import Actor
from core.tenancy.businesses import CreateBusiness, create_business
from core.tenancy.members import AcceptInvite, CreateInvite, accept_invite, create_invite
from core.tenancy.models import Role

_ids = itertools.count(1)


def rid(prefix: str = "req") -> str:
    """A fresh request id."""
    return f"{prefix}-{next(_ids)}"


@dataclass
class Shop:
    db: Database
    business_id: int
    owner: Actor
    manager: Actor
    clerk: Actor
    viewer: Actor
    main: int  # default warehouse id
    second: int
    tea: ProductView
    cup: ProductView
    supplier_id: int
    customer_id: int

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db)

    async def receive(
        self,
        product: ProductView,
        qty: str,
        price: str,
        *,
        actor: Actor | None = None,
        warehouse: int | None = None,
        request_id: str | None = None,
    ) -> DocumentPosted:
        cmd = PostReceipt(
            request_id=request_id or rid("cg"),
            warehouse_id=warehouse or self.main,
            lines=(
                ReceiptLine(
                    product_id=product.product_id, qty=Decimal(qty), unit_price=Decimal(price)
                ),
            ),
        )
        return await post_receipt(self.uow(), actor or self.manager, cmd)

    async def sell(
        self,
        product: ProductView,
        qty: str,
        price: str = "10",
        *,
        actor: Actor | None = None,
        warehouse: int | None = None,
        request_id: str | None = None,
    ) -> DocumentPosted:
        cmd = PostShipment(
            request_id=request_id or rid("xs"),
            warehouse_id=warehouse or self.main,
            lines=(
                ShipmentLine(
                    product_id=product.product_id, qty=Decimal(qty), unit_price=Decimal(price)
                ),
            ),
        )
        return await post_shipment(self.uow(), actor or self.manager, cmd)


async def join(db: Database, owner: Actor, user_id: int, role: Role) -> Actor:
    invite = await create_invite(UnitOfWork(db), owner, CreateInvite(request_id=rid(), role=role))
    await accept_invite(UnitOfWork(db), Actor(user_id=user_id), AcceptInvite(token=invite.token))
    return Actor(user_id=user_id)


async def open_shop(db: Database, *, owner_id: int = 1000, name: str = "茶叶店") -> Shop:
    owner = Actor(user_id=owner_id)
    business = await create_business(
        UnitOfWork(db), owner, CreateBusiness(request_id=rid(), name=name)
    )
    owner = Actor(user_id=owner_id, business_id=business.business_id)
    manager = await join(db, owner, owner_id + 1, Role.MANAGER)
    clerk = await join(db, owner, owner_id + 2, Role.CLERK)
    viewer = await join(db, owner, owner_id + 3, Role.VIEWER)
    second = await create_warehouse(
        UnitOfWork(db), owner, CreateWarehouse(request_id=rid(), name="二号仓")
    )
    main = (await list_warehouses(UnitOfWork(db), owner))[0].warehouse_id
    tea = await create_product(
        UnitOfWork(db),
        owner,
        CreateProduct(
            request_id=rid(),
            sku="A001",
            name="西湖龙井",
            unit="盒",
            barcodes=("6901234567892",),
            default_sale_price=Decimal("88"),
        ),
    )
    cup = await create_product(
        UnitOfWork(db),
        owner,
        CreateProduct(request_id=rid(), sku="B002", name="不锈钢杯", unit="个"),
    )
    supplier = await create_supplier(
        UnitOfWork(db), owner, CreateSupplier(request_id=rid(), name="杭州茶厂", terms_days=30)
    )
    customer = await create_customer(
        UnitOfWork(db), owner, CreateCustomer(request_id=rid(), name="王老板", terms_days=15)
    )
    return Shop(
        db,
        business.business_id,
        owner,
        Actor(user_id=manager.user_id, business_id=business.business_id),
        Actor(user_id=clerk.user_id, business_id=business.business_id),
        Actor(user_id=viewer.user_id, business_id=business.business_id),
        main,
        second.warehouse_id,
        tea,
        cup,
        supplier.party_id,
        customer.party_id,
    )
