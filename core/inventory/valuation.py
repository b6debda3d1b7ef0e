"""Moving weighted average cost kept as a value (DESIGN rule 4), as pure arithmetic.

A ``CostLedger`` is the state of one product in one business: on hand over all warehouses,
stock value in the base currency and the last average at eight places. Each verb returns the
value of the goods move it books and, where the rule asks for one, the value of a cost-variance
move on the same document. Values are rounded once, half-up, to the currency's minor unit.
"""

from dataclasses import dataclass
from decimal import Decimal

from core.numbers import AVG_PLACES, ZERO, mul_div, negate, quantize, round_money


@dataclass(frozen=True)
class Booked:
    """What one step books: the goods move's value (+ in, − out) and a variance, if any."""

    value: Decimal
    variance: Decimal = ZERO


@dataclass
class CostLedger:
    """Average cost of one product: on hand (all warehouses), value and last average."""

    on_hand: Decimal
    value: Decimal
    last_avg: Decimal  # the average rounded to 8 places; the figure used while on hand <= 0
    currency: str

    @property
    def avg(self) -> Decimal:
        """Value / on hand at full precision while on hand > 0, else the last figure."""
        if self.on_hand > 0:
            return mul_div(self.value, Decimal(1), self.on_hand)
        return self.last_avg

    def _money(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.currency)

    def _settle(self) -> None:
        if self.on_hand > 0:
            self.last_avg = quantize(mul_div(self.value, Decimal(1), self.on_hand), AVG_PLACES)

    def receive(self, qty: Decimal, unit_cost: Decimal) -> Booked:
        """Goods in at ``unit_cost`` (a receipt's price, a surplus at avg): round(q × c).

        When on hand was <= 0 before, the product is re-priced at ``unit_cost``: a variance
        sets the value to round(new on hand × c).
        """
        return self._come_in(qty, self._money(mul_div(qty, unit_cost)), unit_cost)

    def receive_at_average(self, qty: Decimal) -> Booked:
        """Goods in at the current average (a count surplus, a positive adjustment).

        round(q × value / on hand) is taken as one exact quotient: rounding the average first
        turns a half cent (3 × 10.01 / 6 = 5.005) into 5.00.
        """
        if self.on_hand > 0:
            value = self._money(mul_div(qty, self.value, self.on_hand))
            return self._come_in(qty, value, self.value, self.on_hand)
        return self.receive(qty, self.last_avg)

    def bring_back(self, qty: Decimal, orig_qty: Decimal, orig_value: Decimal) -> Booked:
        """Goods coming back at an outgoing move's value per unit (its void, a sales return).

        ``orig_qty``/``orig_value`` are the original move's magnitudes; returning all of it
        books exactly its value.
        """
        value = self._money(mul_div(qty, orig_value, orig_qty))
        return self._come_in(qty, value, orig_value, orig_qty)

    def _come_in(
        self, qty: Decimal, value: Decimal, cost: Decimal, per: Decimal = Decimal(1)
    ) -> Booked:
        """Books goods in; the unit cost is ``cost / per``, kept as a fraction to stay exact."""
        was_empty = self.on_hand <= 0
        self.on_hand += qty
        self.value += value
        variance = ZERO
        if was_empty:  # re-price: no old (negative) value survives at the old average
            repriced = self._money(mul_div(self.on_hand, cost, per))
            variance = repriced - self.value
            self.value = repriced
            self.last_avg = quantize(mul_div(cost, Decimal(1), per), AVG_PLACES)
        self._settle()
        return Booked(value, variance)

    def issue(self, qty: Decimal) -> Booked:
        """Goods out at the average (a sale, a shortfall): round(q × avg), negative value.

        The move that takes on hand to exactly 0 takes the whole remaining value (尾差).
        """
        if qty == self.on_hand:
            value = self.value
        elif self.on_hand > 0:  # one exact quotient, rounded once (see receive_at_average)
            value = self._money(mul_div(qty, self.value, self.on_hand))
        else:
            value = self._money(mul_div(qty, self.last_avg))
        self.on_hand -= qty
        self.value -= value
        self._settle()
        return Booked(negate(value))

    def send_back(self, qty: Decimal, orig_qty: Decimal, orig_value: Decimal) -> Booked:
        """Goods out at an incoming move's value per unit (its void, a purchase return).

        Afterwards the value left is clamped to >= 0 while on hand > 0 and set to
        round(on hand × avg) when on hand <= 0; the difference is a variance.
        """
        value = self._money(mul_div(qty, orig_value, orig_qty))
        self.on_hand -= qty
        self.value -= value
        if self.on_hand > 0:
            target = max(self.value, ZERO)
        else:  # the last average is the one from before this move: _settle() keeps it current
            target = self._money(mul_div(self.on_hand, self.last_avg))
        variance = target - self.value
        self.value = target
        self._settle()
        return Booked(negate(value), variance)
