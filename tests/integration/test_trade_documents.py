from decimal import Decimal

import pytest

from core.db.engine import Database
from core.errors import InsufficientStock
from tests.support.shop import open_shop

D = Decimal


@pytest.fixture
async def shop(db: Database):
    return await open_shop(db)


async def test_a_receipt_then_a_sale_books_cost_and_cogs(shop) -> None:
    receipt = await shop.receive(shop.tea, "200", "2")
    assert receipt.number.startswith("CG-") and receipt.number.endswith("-00001")
    assert receipt.total == D("400.00") and receipt.cost == D("400.00")
    sale = await shop.sell(shop.tea, "150", "3")
    assert sale.number.endswith("-00001") and sale.number.startswith("XS-")
    assert sale.total == D("450.00")
    assert sale.cost == D("300.00")


async def test_selling_more_than_on_hand_is_refused_and_writes_nothing(shop) -> None:
    await shop.receive(shop.tea, "2", "5")
    with pytest.raises(InsufficientStock) as refused:
        await shop.sell(shop.tea, "3")
    assert (refused.value.sku, refused.value.needed, refused.value.available) == (
        "A001",
        D(3),
        D(2),
    )
    again = await shop.sell(shop.tea, "2")
    assert again.number.endswith("-00001")  # the refused sale used no number
