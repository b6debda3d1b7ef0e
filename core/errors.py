"""Every refusal the domain can give, named after the rule it enforces.

Errors carry data, never user text: the bot renders them in the user's language.
"""

from dataclasses import dataclass
from decimal import Decimal


class DomainError(Exception):
    """A request the domain refuses; nothing was written."""


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message is one line for the operator."""


@dataclass
class PermissionDenied(DomainError):
    """The acting member's role may not do this."""

    action: str
    role: str | None  # None: not a member of the business at all

    def __str__(self) -> str:
        return f"{self.role or 'non-member'} may not {self.action}"


@dataclass
class NoBusiness(DomainError):
    """The person belongs to no business (or has not chosen one)."""

    user_id: int


@dataclass
class NotFound(DomainError):
    """A referenced thing does not exist in the acting member's business."""

    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key!r} not found"


@dataclass
class InvalidInput(DomainError):
    """A value breaks a rule of its field (zero quantity, too many decimals, ...)."""

    field: str
    reason: str
    value: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.reason} ({self.value})"


@dataclass
class Duplicate(DomainError):
    """A unique key (SKU, barcode, warehouse name) is already taken in the business."""

    kind: str
    key: str


@dataclass
class ArchivedProduct(DomainError):
    """An archived product may not be bought, sold or moved."""

    sku: str


@dataclass
class InsufficientStock(DomainError):
    """An issue needs more than the warehouse has and negative stock is off."""

    sku: str
    warehouse: str
    needed: Decimal
    available: Decimal

    def __str__(self) -> str:
        return f"{self.sku} in {self.warehouse}: need {self.needed}, have {self.available}"


@dataclass
class InvalidState(DomainError):
    """The document is not in a state that allows this (e.g. voiding a voided document)."""

    number: str
    state: str


@dataclass
class InviteUnusable(DomainError):
    """An invite is unknown, expired, already used, or the person is already a member."""

    reason: str  # "unknown" | "expired" | "used" | "already_member"


@dataclass
class LastOwner(DomainError):
    """The last owner of a business cannot be removed or demoted."""

    business_id: int


@dataclass
class RequestConflict(DomainError):
    """A request id was reused for a different kind of command."""

    request_id: str


@dataclass
class UndoExpired(DomainError):
    """Undo is for a short while after posting; later a manager voids with a reason."""

    number: str
    window_minutes: int


@dataclass
class GroupTaken(DomainError):
    """The group chat is bound to another business already."""

    chat_id: int


@dataclass
class WarehouseStillNeeded(DomainError):
    """A warehouse that holds stock, or the business's last active one, stays active.

    ``reason`` is ``"stock"`` (move or count its stock out first) or ``"last"`` (a business
    needs one warehouse to work in).
    """

    name: str
    reason: str


@dataclass
class OrderNotOpen(DomainError):
    """The order is not in a state that allows this (receiving a cancelled one, say)."""

    number: str
    status: str


@dataclass
class BeyondOrder(DomainError):
    """More than an order line still expects (to receive or ship); allowed when confirmed."""

    number: str
    sku: str
    remaining: Decimal
    asked: Decimal


@dataclass
class BeyondReturn(DomainError):
    """Returning more of a line than it shipped (or received) and was not yet returned."""

    number: str
    sku: str
    returnable: Decimal
    asked: Decimal


@dataclass
class RoundOffBeyondLimit(DomainError):
    """A sale's round-off (抹零) above what the owner allows (in the base currency)."""

    limit: Decimal
    currency: str
    asked: Decimal


@dataclass
class CreditLimitExceeded(DomainError):
    """A credit sale would take the customer's balance past their credit limit.

    ``needs_manager``: the actor may not allow it (a clerk); otherwise a manager may post it
    again with the limit confirmed.
    """

    customer: str
    currency: str
    limit: Decimal
    balance: Decimal
    adding: Decimal
    needs_manager: bool


@dataclass
class ItemNotOpen(DomainError):
    """A payment picked an item that is settled, voided, or not this party's to pay."""

    number: str
