"""Posting stock moves: the one place that changes balances and average costs.

A ``Posting`` locks the cost rows of every product on a document in product-id order (on
PostgreSQL with ``FOR UPDATE``: lines locked in arrival order deadlock; on SQLite the writer
lock already serialises), applies each step of DESIGN rule 4 through ``CostLedger`` and the
per-warehouse balance, then writes the moves and the new balances in a few bulk statements.
Nothing here commits: the service's unit of work does, or rolls everything back.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.low_stock import Crossing, crossings, queue_low_stock, warehouse_points
from core.catalog.models import Product, Warehouse
from core.db.base import utcnow
from core.errors import ArchivedProduct, InsufficientStock, NotFound
from core.inventory.models import MoveKind, ProductCost, StockBalance, StockMove
from core.inventory.valuation import Booked, CostLedger
from core.numbers import ZERO
from core.tenancy.access import Membership

_COST: Table = ProductCost.__table__  # type: ignore[assignment]
_BALANCE: Table = StockBalance.__table__  # type: ignore[assignment]
_MOVE: Table = StockMove.__table__  # type: ignore[assignment]
_PRODUCT: Table = Product.__table__  # type: ignore[assignment]
_LOAD = (
    select(
        _PRODUCT.c.id,
        _PRODUCT.c.sku,
        _PRODUCT.c.name,
        _PRODUCT.c.unit,
        _PRODUCT.c.archived,
        _PRODUCT.c.reorder_point,
        _COST.c.on_hand,
        _COST.c.value,
        _COST.c.avg,
    )
    .select_from(_PRODUCT)
    .join(_COST, _COST.c.product_id == _PRODUCT.c.id)
    .order_by(_PRODUCT.c.id)  # the lock order: lines locked in arrival order deadlock
)
_BALANCES = select(
    _BALANCE.c.warehouse_id, _BALANCE.c.product_id, _BALANCE.c.on_hand, _BALANCE.c.reserved
)
_SET_BALANCE = (
    update(_BALANCE)
    .where(_BALANCE.c.warehouse_id == bindparam("w"), _BALANCE.c.product_id == bindparam("p"))
    .values(on_hand=bindparam("q"), reserved=bindparam("r"))
)
_SET_COST = update(_COST).where(_COST.c.product_id == bindparam("p"))
_SET_SUPPLIER = (
    update(_COST)
    .where(_COST.c.product_id == bindparam("p"))
    .values(last_supplier_id=bindparam("s"), last_purchase_price=bindparam("c"))
)


@dataclass
class Posting:
    """The stock side of one document being posted or voided."""

    session: AsyncSession
    business_id: int
    currency: str
    allow_negative: bool
    products: dict[int, Product]
    warehouses: dict[int, Warehouse]
    ledgers: dict[int, CostLedger]
    balances: dict[tuple[int, int], Decimal]
    reserved: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    new_balances: set[tuple[int, int]] = field(default_factory=set)
    touched: set[tuple[int, int]] = field(default_factory=set)
    valued: set[int] = field(default_factory=set)
    moves: list[dict[str, Any]] = field(default_factory=list)
    document_id: int = 0  # set once the document is numbered and inserted
    # What a low-stock alert compares: each product's point and business-wide on hand, and
    # each balance, as they were when the posting opened.
    points: dict[int, Decimal] = field(default_factory=dict)
    opened_on_hand: dict[int, Decimal] = field(default_factory=dict)
    opened_balances: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    # product → (supplier, unit price) of a receipt from a supplier: its last supplier now
    suppliers: dict[int, tuple[int, Decimal]] = field(default_factory=dict)

    @classmethod
    async def open(
        cls,
        session: AsyncSession,
        membership: Membership,
        product_ids: Iterable[int],
        warehouses: list[Warehouse],
        *,
        archived_ok: bool = False,
    ) -> "Posting":
        """Checks, locks and loads the products a document touches.

        Each product comes with its cost row (locked on PostgreSQL, in product-id order), then
        its balances in ``warehouses``.

        Raises:
            NotFound: an id is not a product of this business.
            ArchivedProduct: a product is archived (unless ``archived_ok``: voids).
        """
        ids = sorted(set(product_ids))
        conn = await session.connection()  # Core on the session's transaction: no ORM overhead
        query = _LOAD.where(
            _PRODUCT.c.business_id == membership.business_id, _PRODUCT.c.id.in_(ids)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(of=_COST)
        currency = membership.business.base_currency
        products: dict[int, Product] = {}
        ledgers: dict[int, CostLedger] = {}
        points: dict[int, Decimal] = {}
        for row in await conn.execute(query):
            if row.reorder_point is not None:
                points[row.id] = row.reorder_point
            products[row.id] = Product(
                id=row.id,
                business_id=membership.business_id,
                sku=row.sku,
                name=row.name,
                unit=row.unit,
                archived=row.archived,
            )  # transient: what results and refusals show
            ledgers[row.id] = CostLedger(row.on_hand, row.value, row.avg, currency)
        # Balances in a statement of their own, after the locks: joined into the locking
        # SELECT, PostgreSQL would hand a waiting posting the balance rows of its old snapshot
        # (only the locked rows are re-read), and two sales would both take the last unit.
        balance_rows = await conn.execute(
            _BALANCES.where(
                _BALANCE.c.product_id.in_(ids),
                _BALANCE.c.warehouse_id.in_(sorted(w.id for w in warehouses)),
            )
        )
        balances, reserved = {}, {}
        for r in balance_rows:
            balances[r.warehouse_id, r.product_id] = r.on_hand
            reserved[r.warehouse_id, r.product_id] = r.reserved
        for product_id in ids:
            if product_id not in products:
                raise NotFound("product", str(product_id))
            if products[product_id].archived and not archived_ok:
                raise ArchivedProduct(products[product_id].sku)
        return cls(
            session=session,
            business_id=membership.business_id,
            currency=currency,
            allow_negative=membership.business.allow_negative_stock,
            products=products,
            warehouses={w.id: w for w in warehouses},
            ledgers=ledgers,
            balances=balances,
            reserved=reserved,
            points=points,
            opened_on_hand={pid: ledger.on_hand for pid, ledger in ledgers.items()},
            opened_balances=dict(balances),
        )

    def on_hand(self, warehouse_id: int, product_id: int) -> Decimal:
        """On hand in one warehouse as posted so far in this transaction."""
        return self.balances.get((warehouse_id, product_id), ZERO)

    def available(self, warehouse_id: int, product_id: int) -> Decimal:
        """On hand less what confirmed sales orders hold, as posted so far."""
        key = (warehouse_id, product_id)
        return self.balances.get(key, ZERO) - self.reserved.get(key, ZERO)

    def reserve(
        self, warehouse_id: int, product_id: int, delta: Decimal, *, check: bool = True
    ) -> None:
        """Holds (``delta`` > 0) or releases (< 0) stock for sales orders.

        Raises:
            InsufficientStock: holding more than is available (with ``check``, and negative
                stock off).
        """
        key = (warehouse_id, product_id)
        if check and delta > 0 and not self.allow_negative:
            available = self.available(warehouse_id, product_id)
            if delta > available:
                raise InsufficientStock(
                    sku=self.products[product_id].sku,
                    warehouse=self.warehouses[warehouse_id].name,
                    needed=delta,
                    available=max(available, ZERO),
                )
        self.touched.add(key)
        if key not in self.balances:
            self.new_balances.add(key)
            self.balances[key] = ZERO
        self.reserved[key] = max(self.reserved.get(key, ZERO) + delta, ZERO)

    def ledger(self, product_id: int) -> CostLedger:
        """The product's cost state as posted so far."""
        return self.ledgers[product_id]

    def _stock(self, warehouse_id: int, product_id: int, delta: Decimal) -> None:
        key = (warehouse_id, product_id)
        self.touched.add(key)
        if key not in self.balances:
            self.new_balances.add(key)
        after = self.balances.get(key, ZERO) + delta
        if delta < 0 and after < 0 and not self.allow_negative:
            raise InsufficientStock(
                sku=self.products[product_id].sku,
                warehouse=self.warehouses[warehouse_id].name,
                needed=-delta,
                available=max(self.balances.get(key, ZERO), ZERO),
            )
        self.balances[key] = after

    def _book(
        self,
        line_no: int | None,
        warehouse_id: int | None,
        product_id: int,
        qty: Decimal,
        booked: Booked,
        reverses_id: int | None = None,
    ) -> None:
        self.valued.add(product_id)
        now = utcnow()
        common = {
            "business_id": self.business_id,
            "document_id": self.document_id,
            "line_no": line_no,
            "product_id": product_id,
            "created_at": now,
        }
        self.moves.append(
            common
            | {
                "warehouse_id": warehouse_id,
                "kind": MoveKind.GOODS,
                "qty": qty,
                "value": booked.value,
                "reverses_id": reverses_id,
            }
        )
        if booked.variance:
            self.moves.append(
                common
                | {
                    "warehouse_id": None,
                    "kind": MoveKind.VARIANCE,
                    "qty": ZERO,
                    "value": booked.variance,
                    "reverses_id": None,
                }
            )

    def _moves_only(
        self,
        line_no: int | None,
        warehouse_id: int,
        product_id: int,
        qty: Decimal,
        reverses_id: int | None = None,
    ) -> None:
        self.moves.append(
            {
                "business_id": self.business_id,
                "document_id": self.document_id,
                "line_no": line_no,
                "product_id": product_id,
                "created_at": utcnow(),
                "warehouse_id": warehouse_id,
                "kind": MoveKind.GOODS,
                "qty": qty,
                "value": ZERO,
                "reverses_id": reverses_id,
            }
        )

    def receive(
        self,
        line_no: int | None,
        warehouse_id: int,
        product_id: int,
        qty: Decimal,
        unit_cost: Decimal,
    ) -> Booked:
        """Goods in at a known unit cost (a receipt, a surplus at the average)."""
        self._stock(warehouse_id, product_id, qty)
        booked = self.ledgers[product_id].receive(qty, unit_cost)
        self._book(line_no, warehouse_id, product_id, qty, booked)
        return booked

    def receive_at_average(
        self, line_no: int | None, warehouse_id: int, product_id: int, qty: Decimal
    ) -> Booked:
        """Goods in at the product's current average (a count surplus, a + adjustment)."""
        self._stock(warehouse_id, product_id, qty)
        booked = self.ledgers[product_id].receive_at_average(qty)
        self._book(line_no, warehouse_id, product_id, qty, booked)
        return booked

    def issue(
        self,
        line_no: int | None,
        warehouse_id: int,
        product_id: int,
        qty: Decimal,
        *,
        leave_reserved: bool = False,
    ) -> Booked:
        """Goods out at the moving average (a sale, a shortfall).

        ``leave_reserved``: a sale not against an order may take only what no confirmed
        sales order holds (unless negative stock is allowed).

        Raises:
            InsufficientStock: more than on hand (or than available, as above).
        """
        if leave_reserved and not self.allow_negative:
            available = self.available(warehouse_id, product_id)
            if qty > available:
                raise InsufficientStock(
                    sku=self.products[product_id].sku,
                    warehouse=self.warehouses[warehouse_id].name,
                    needed=qty,
                    available=max(available, ZERO),
                )
        self._stock(warehouse_id, product_id, -qty)
        booked = self.ledgers[product_id].issue(qty)
        self._book(line_no, warehouse_id, product_id, -qty, booked)
        return booked

    def take_back(
        self,
        line_no: int,
        warehouse_id: int,
        product_id: int,
        qty: Decimal,
        left: tuple[Decimal, Decimal],
    ) -> Booked:
        """Goods back from a customer (a sales return) at what they left with.

        ``left`` is the shipped line's quantity and value (as magnitudes) not yet returned:
        each return books its share of it, and the one that completes the line the rest.
        """
        self._stock(warehouse_id, product_id, qty)
        booked = self.ledgers[product_id].bring_back(qty, left[0], left[1])
        self._book(line_no, warehouse_id, product_id, qty, booked)
        return booked

    def give_back(
        self,
        line_no: int,
        warehouse_id: int,
        product_id: int,
        qty: Decimal,
        left: tuple[Decimal, Decimal],
    ) -> Booked:
        """Goods back to a supplier (a purchase return) at what they came in with.

        ``left`` is the received line's quantity and value not yet returned (as for
        ``take_back``). What confirmed sales orders hold is not given back.

        Raises:
            InsufficientStock: more than is available (negative stock off).
        """
        if not self.allow_negative and qty > self.available(warehouse_id, product_id):
            raise InsufficientStock(
                sku=self.products[product_id].sku,
                warehouse=self.warehouses[warehouse_id].name,
                needed=qty,
                available=max(self.available(warehouse_id, product_id), ZERO),
            )
        self._stock(warehouse_id, product_id, -qty)
        booked = self.ledgers[product_id].send_back(qty, left[0], left[1])
        self._book(line_no, warehouse_id, product_id, -qty, booked)
        return booked

    def reverse(self, move: StockMove, *, quantity_only: bool) -> Booked:
        """Posts the reversal of a goods move at its own value (a void)."""
        qty = -move.qty
        assert move.warehouse_id is not None  # goods moves always have a warehouse
        self._stock(move.warehouse_id, move.product_id, qty)
        ledger = self.ledgers[move.product_id]
        if quantity_only:
            self._moves_only(move.line_no, move.warehouse_id, move.product_id, qty, move.id)
            return Booked(ZERO)
        if move.qty > 0:  # it came in: it leaves at its own value per unit
            booked = ledger.send_back(move.qty, move.qty, move.value)
        else:  # it went out: it comes back at its own value per unit
            booked = ledger.bring_back(qty, qty, -move.value)
        self._book(move.line_no, move.warehouse_id, move.product_id, qty, booked, move.id)
        return booked

    def shift(self, line_no: int, from_id: int, to_id: int, product_id: int, qty: Decimal) -> None:
        """Moves quantity between warehouses; value and average are untouched."""
        self._stock(from_id, product_id, -qty)
        self._stock(to_id, product_id, qty)
        for warehouse_id, delta in ((from_id, -qty), (to_id, qty)):
            self._moves_only(line_no, warehouse_id, product_id, delta)

    async def finish(self) -> None:
        """Writes the moves, the balances and the cost rows."""
        conn = await self.session.connection()
        if self.moves:
            await conn.execute(_MOVE.insert(), self.moves)
        fresh = [
            {
                "business_id": self.business_id,
                "warehouse_id": w,
                "product_id": p,
                "on_hand": self.balances[(w, p)],
                "reserved": self.reserved.get((w, p), ZERO),
            }
            for (w, p) in sorted(self.new_balances)
        ]
        changed = [
            (w, p, qty)
            for (w, p), qty in sorted(self.balances.items())
            if (w, p) in self.touched and (w, p) not in self.new_balances
        ]
        if fresh:
            await conn.execute(_BALANCE.insert(), fresh)
        if changed:
            await conn.execute(
                _SET_BALANCE,
                [
                    {"w": w, "p": p, "q": q, "r": self.reserved.get((w, p), ZERO)}
                    for w, p, q in changed
                ],
            )
        costs = [
            {"p": pid, "on_hand": c.on_hand, "value": c.value, "avg": c.last_avg}
            for pid, c in sorted(self.ledgers.items())
            if pid in self.valued
        ]
        if costs:
            await conn.execute(_SET_COST, costs)
        if self.suppliers:
            await conn.execute(
                _SET_SUPPLIER,
                [
                    {"p": pid, "s": supplier, "c": price}
                    for pid, (supplier, price) in sorted(self.suppliers.items())
                ],
            )
        await self._alert_low_stock()

    def note_supplier(self, product_id: int, supplier_id: int, unit_price: Decimal) -> None:
        """The product was just received from this supplier at this price (its last one)."""
        self.suppliers[product_id] = (supplier_id, unit_price)

    async def _alert_low_stock(self) -> None:
        """Queues low-stock alerts for what this posting took to or below a point."""
        after = {pid: ledger.on_hand for pid, ledger in self.ledgers.items()}
        found = [
            Crossing(pid, None, after[pid], self.points[pid])
            for pid in crossings(self.opened_on_hand, after, self.points)
        ]
        fell = [
            key for key in self.touched if self.balances[key] < self.opened_balances.get(key, ZERO)
        ]
        if fell:
            here = await warehouse_points(self.session, fell)
            found += [
                Crossing(key[1], key[0], self.balances[key], here[key])
                for key in crossings(self.opened_balances, self.balances, here)
            ]
        await queue_low_stock(self.session, self.business_id, self.document_id, found)
