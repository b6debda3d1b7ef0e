from datetime import timedelta
from decimal import Decimal

import pytest

from core.db.engine import Database
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.inventory.history import DocumentFilter, document_card, list_documents
from core.inventory.transfers import PostTransfer, TransferLine, post_transfer
from core.inventory.voids import VoidDocument, void_document
from core.orders.receipts import PostReceipt, ReceiptLine, post_receipt
from core.orders.shipments import PostShipment, ShipmentLine, post_shipment
from core.tenancy.businesses import ChangeBusinessSettings, change_business_settings
from tests.support.shop import open_shop, rid

D = Decimal


@pytest.fixture
async def shop(db: Database):
    return await open_shop(db)


async def buy_from_supplier(shop, product, qty: str, price: str):
    line = ReceiptLine(product_id=product.product_id, qty=D(qty), unit_price=D(price))
    cmd = PostReceipt(request_id=rid(), supplier_id=shop.supplier_id, lines=(line,))
    return await post_receipt(shop.uow(), shop.manager, cmd)


async def sell_to_customer(shop, product, qty: str, price: str):
    line = ShipmentLine(product_id=product.product_id, qty=D(qty), unit_price=D(price))
    cmd = PostShipment(request_id=rid(), customer_id=shop.customer_id, lines=(line,))
    return await post_shipment(shop.uow(), shop.clerk, cmd)


async def test_a_sale_card_shows_lines_party_and_author_and_costs_only_to_managers(shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    sale = await sell_to_customer(shop, shop.tea, "2", "10")

    seen_by_clerk = await document_card(shop.uow(), shop.clerk, sale.document_id)
    seen_by_manager = await document_card(shop.uow(), shop.manager, sale.document_id)

    assert seen_by_clerk.number == sale.number and seen_by_clerk.doc_type == "XS"
    assert seen_by_clerk.status == "posted"
    assert seen_by_clerk.author_user_id == shop.clerk.user_id
    assert seen_by_clerk.warehouse_id == shop.main and seen_by_clerk.to_warehouse is None
    assert (seen_by_clerk.party_id, seen_by_clerk.party_name) == (shop.customer_id, "王老板")
    assert seen_by_clerk.total == D("20.00")
    assert [(ln.sku, ln.unit, ln.qty, ln.unit_price) for ln in seen_by_clerk.lines] == [
        ("A001", "盒", D(2), D(10))
    ]
    assert seen_by_clerk.cost is None and seen_by_clerk.lines[0].cost is None
    assert seen_by_manager.cost == D("6.00") and seen_by_manager.lines[0].cost == D("6.00")
    assert seen_by_clerk.can_undo and not seen_by_clerk.can_void
    assert seen_by_manager.can_undo and seen_by_manager.can_void
    assert seen_by_clerk.undo_until == seen_by_clerk.posted_at + timedelta(minutes=10)
    assert seen_by_clerk.timezone == "Asia/Shanghai"


async def test_a_receipt_names_its_supplier_and_in_public_hides_costs(shop) -> None:
    receipt = await buy_from_supplier(shop, shop.tea, "5", "4")
    public = shop.manager.model_copy(update={"in_public": True})

    card = await document_card(shop.uow(), public, receipt.document_id)
    private = await document_card(shop.uow(), shop.manager, receipt.document_id)

    assert (card.party_id, card.party_name) == (shop.supplier_id, "杭州茶厂")
    assert card.cost is None and private.cost == D("20.00")


async def test_a_transfer_card_names_both_warehouses_and_has_no_cost(shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    moved = await post_transfer(
        shop.uow(),
        shop.manager,
        PostTransfer(
            request_id=rid(),
            from_warehouse_id=shop.main,
            to_warehouse_id=shop.second,
            lines=(TransferLine(product_id=shop.tea.product_id, qty=D(4)),),
        ),
    )

    card = await document_card(shop.uow(), shop.manager, moved.document_id)

    assert (card.warehouse, card.to_warehouse) == ("主仓库", "二号仓")
    assert card.lines[0].cost is None and card.cost is None  # the average is business-wide


async def test_a_voided_card_says_who_voided_it_when_and_why(shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    sale = await shop.sell(shop.tea, "2", actor=shop.clerk)
    await void_document(
        shop.uow(),
        shop.manager,
        VoidDocument(request_id=rid(), document_id=sale.document_id, reason="写错客户"),
    )

    card = await document_card(shop.uow(), shop.clerk, sale.document_id)

    assert card.status == "voided" and card.void_reason == "写错客户"
    assert card.voided_at is not None and card.voided_by == str(shop.manager.user_id)
    assert not card.can_undo and not card.can_void
    manager_card = await document_card(shop.uow(), shop.manager, sale.document_id)
    assert manager_card.cost == D("6.00")  # the posting's cost, not the void's


async def test_a_clerk_may_read_but_not_undo_someone_elses_document(shop) -> None:
    by_manager = await shop.receive(shop.tea, "1", "1")
    card = await document_card(shop.uow(), shop.clerk, by_manager.document_id)
    assert not card.can_undo


async def test_viewers_do_not_see_documents_and_other_businesses_are_walled_off(
    shop, db: Database
) -> None:
    receipt = await shop.receive(shop.tea, "1", "1")
    other = await open_shop(db, owner_id=5000, name="别家")

    with pytest.raises(PermissionDenied):
        await document_card(shop.uow(), shop.viewer, receipt.document_id)
    with pytest.raises(PermissionDenied):
        await list_documents(shop.uow(), shop.viewer, DocumentFilter())
    with pytest.raises(NotFound):
        await document_card(other.uow(), other.owner, receipt.document_id)
    assert await list_documents(other.uow(), other.owner, DocumentFilter()) == []


async def test_the_list_is_newest_first_and_pages_by_id(shop) -> None:
    await shop.receive(shop.tea, "30", "3")
    sales = [await shop.sell(shop.tea, "1") for _ in range(4)]

    first = await list_documents(shop.uow(), shop.clerk, DocumentFilter(limit=3))
    rest = await list_documents(
        shop.uow(), shop.clerk, DocumentFilter(limit=3, before_id=first[-1].document_id)
    )

    back = await list_documents(
        shop.uow(), shop.clerk, DocumentFilter(limit=3, after_id=rest[0].document_id)
    )
    assert [s.document_id for s in back] == [s.document_id for s in first]
    numbers = [s.number for s in first + rest]
    assert numbers == [s.number for s in reversed(sales)] + ["CG-" + numbers[-1][3:]]
    assert first[0].line_count == 1 and first[0].total == D("10.00")
    assert first[0].party_name is None and first[0].author == str(shop.manager.user_id)


async def test_the_list_filters_by_type_product_and_party(shop) -> None:
    await shop.receive(shop.tea, "10", "3")
    await buy_from_supplier(shop, shop.cup, "10", "2")
    cup_sale = await sell_to_customer(shop, shop.cup, "1", "5")

    sales = await list_documents(shop.uow(), shop.clerk, DocumentFilter.build(doc_type="XS"))
    with_cups = await list_documents(
        shop.uow(), shop.clerk, DocumentFilter(product_id=shop.cup.product_id)
    )
    receipts = await list_documents(shop.uow(), shop.clerk, DocumentFilter(doc_type="CG"))
    by_supplier = await list_documents(
        shop.uow(),
        shop.clerk,
        DocumentFilter(party_id=shop.supplier_id, party_kind="supplier"),
    )

    assert [s.number for s in sales] == [cup_sale.number]
    assert len(with_cups) == 2 and all(s.doc_type in {"CG", "XS"} for s in with_cups)
    assert len(receipts) == 2
    by_customer = await list_documents(
        shop.uow(), shop.clerk, DocumentFilter(party_id=shop.customer_id, doc_type="XS")
    )
    assert [s.party_name for s in by_supplier] == ["杭州茶厂"]
    assert [s.number for s in by_customer] == [cup_sale.number]
    with pytest.raises(InvalidInput):
        DocumentFilter.build(doc_type="ZZ")
    with pytest.raises(InvalidInput):
        DocumentFilter.build(limit=51)


async def test_no_undo_once_the_window_is_zero_but_a_manager_may_still_void(shop) -> None:
    sale = await shop.receive(shop.tea, "1", "1", actor=shop.clerk)
    await change_business_settings(
        shop.uow(), shop.owner, ChangeBusinessSettings(undo_window_minutes=0)
    )

    by_clerk = await document_card(shop.uow(), shop.clerk, sale.document_id)
    by_manager = await document_card(shop.uow(), shop.manager, sale.document_id)

    assert not by_clerk.can_undo and not by_manager.can_undo
    assert by_manager.can_void and by_clerk.undo_until == by_clerk.posted_at
