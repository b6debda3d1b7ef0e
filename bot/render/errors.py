"""Every refusal of the domain, in the user's language."""

from typing import Final

from bot.i18n import N_, _
from bot.render.numbers import escape, money, qty
from core.errors import (
    ArchivedProduct,
    BeyondOrder,
    BeyondReturn,
    CreditLimitExceeded,
    DomainError,
    Duplicate,
    GroupTaken,
    InsufficientStock,
    InvalidInput,
    InvalidState,
    InviteUnusable,
    ItemNotOpen,
    LastOwner,
    NoBusiness,
    NotFound,
    OrderNotOpen,
    PermissionDenied,
    RequestConflict,
    RoundOffBeyondLimit,
    UndoExpired,
    WarehouseStillNeeded,
)
from core.numbers import minor_units

ORDER_STATUSES: Final = {
    "draft": N_("a draft"),
    "open": N_("open"),
    "partial": N_("partly done"),
    "done": N_("complete"),
    "cancelled": N_("cancelled"),
}


def order_status_name(status: str) -> str:
    """An order's state in the user's language."""
    return _(ORDER_STATUSES.get(status, status))


def describe(error: DomainError) -> str:  # noqa: PLR0911, PLR0912 - one answer per rule
    """One or two sentences that say what was refused and what to do."""
    match error:
        case InsufficientStock():
            return _(
                "Not enough stock: {sku} in {warehouse} needs {needed}, {available} available."
            ).format(
                sku=escape(error.sku),
                warehouse=escape(error.warehouse),
                needed=qty(error.needed),
                available=qty(error.available),
            )
        case PermissionDenied(role=None):
            return _("You are not a member of this business. Ask its owner for an invite link.")
        case PermissionDenied(role="group"):
            return _("Money owed is not shown in a group chat: ask me in a private chat.")
        case PermissionDenied():
            return _("Your role ({role}) may not do this. Ask a manager or the owner.").format(
                role=role_name(error.role or "")
            )
        case NoBusiness():
            return _(
                "You have no business yet. Send /start to create one, or open an invite link."
            )
        case NotFound():
            return _("Not found: {what}.").format(what=escape(error.key))
        case Duplicate():
            return _("{value} is already taken in this business.").format(value=escape(error.key))
        case ArchivedProduct():
            return _(
                "{sku} is archived and cannot be used. A manager can restore it in /products."
            ).format(sku=escape(error.sku))
        case InvalidState(state="returned"):
            return _("{number} has returns posted against it: void those first.").format(
                number=escape(error.number)
            )
        case InvalidState(state="open_items"):
            return _(
                "{name} has open items in its currency: settle them before changing it."
            ).format(name=escape(error.number))
        case InvalidState():
            return _("{number} is already voided.").format(number=escape(error.number))
        case InviteUnusable():
            return invite_problem(error.reason)
        case LastOwner():
            return _("A business needs at least one owner: make someone else owner first.")
        case UndoExpired():
            return _(
                "{number} can no longer be undone: undo works for {minutes} minutes after "
                "posting. A manager can void it from /docs with a reason."
            ).format(number=escape(error.number), minutes=error.window_minutes)
        case WarehouseStillNeeded(reason="stock"):
            return _(
                "{name} still holds stock. Transfer it out or count it to zero first, "
                "then archive it."
            ).format(name=escape(error.name))
        case WarehouseStillNeeded():
            return _("{name} is the only active warehouse, and a business needs one.").format(
                name=escape(error.name)
            )
        case OrderNotOpen():
            return _("{number} is {status}: nothing more can be done against it.").format(
                number=escape(error.number), status=order_status_name(error.status)
            )
        case BeyondOrder():
            return _(
                "{number}: {sku} still expects {remaining}, not {asked}. Confirm to take more "
                "than was ordered."
            ).format(
                number=escape(error.number),
                sku=escape(error.sku),
                remaining=qty(error.remaining),
                asked=qty(error.asked),
            )
        case BeyondReturn():
            return _(
                "{number}: at most {returnable} of {sku} can still be returned, not {asked}."
            ).format(
                number=escape(error.number),
                sku=escape(error.sku),
                returnable=qty(error.returnable),
                asked=qty(error.asked),
            )
        case GroupTaken():
            return _("This group is already bound to another business.")
        case RoundOffBeyondLimit():
            return _(
                "The round-off may be at most {limit} {currency}; "
                "the owner sets this in /settings."
            ).format(limit=money(error.limit, error.currency), currency=error.currency)
        case CreditLimitExceeded(needs_manager=True):
            return _(
                "{customer} would owe {total} {currency}, over the credit limit of {limit}. "
                "Ask a manager to post this sale, or take more payment now."
            ).format(**_over_limit(error))
        case CreditLimitExceeded():
            return _(
                "{customer} would owe {total} {currency}, over the credit limit of {limit}."
            ).format(**_over_limit(error))
        case ItemNotOpen():
            return _("{number} has nothing open to pay: it is settled or voided.").format(
                number=escape(error.number)
            )
        case InvalidInput():
            return invalid_input(error)
        case RequestConflict():
            return _("This request was already used for something else. Please start again.")
    return _("The request was refused.")


def _over_limit(error: CreditLimitExceeded) -> dict[str, str]:
    return {
        "customer": escape(error.customer),
        "total": money(error.balance + error.adding, error.currency),
        "currency": error.currency,
        "limit": money(error.limit, error.currency),
    }


_INPUT_REASONS: Final = {
    "more than the total": N_("That is more than the total."),
    "without a party nothing can stay owed": N_(
        "A walk-in customer pays in full: pick a customer to sell on credit."
    ),
    "before the document's date": N_("The due date cannot be before the document's date."),
    "only a sale is rounded off": N_("Only a sale's total can be rounded off."),
    "more than the line's value": N_("The discount is more than the line is worth."),
    "give a percent or an amount, not both": N_("Give a discount as a percent or an amount."),
    "only a sale's lines take a discount": N_("Only a sale's lines take a discount."),
    "not an ISO 4217 currency": N_(
        "That is not a currency code. Use ISO 4217 codes such as CNY, USD, EUR, JPY."
    ),
    "more than the payment": N_("The picked items add up to more than the payment."),
    "before the start": N_("The end of the period is before its start."),
}


def invalid_input(error: InvalidInput) -> str:
    """A refused value, said in the domain's words where the reason is a known one."""
    if error.reason in _INPUT_REASONS:
        return _(_INPUT_REASONS[error.reason])
    if error.reason.endswith("decimal places") and error.reason[:3].isupper():
        currency = error.reason[:3]
        return _("{currency} amounts have at most {places} decimal places.").format(
            currency=currency, places=minor_units(currency)
        )
    if error.field == "rate":
        return _("Enter the exchange rate to the base currency (a number above 0).")
    if error.reason.startswith("more than") and error.reason.endswith("has open"):
        return _("That is more than {number} has open.").format(
            number=escape(error.reason.removeprefix("more than ").removesuffix(" has open"))
        )
    return _("That value is not accepted ({field}: {reason}).").format(
        field=escape(error.field), reason=escape(error.reason)
    )


def invite_problem(reason: str) -> str:
    """Why an invite link cannot be used."""
    match reason:
        case "expired":
            return _("This invite link has expired. Ask the owner for a new one.")
        case "used":
            return _("This invite link has been used already. Ask the owner for a new one.")
        case "already_member":
            return _("You are already a member of this business.")
    return _(
        "This invite link is not valid. Check that you copied all of it, or ask for a new one."
    )


def role_name(role: str) -> str:
    """A role as members call it."""
    names = {
        "owner": _("owner"),
        "manager": _("manager"),
        "clerk": _("clerk"),
        "viewer": _("viewer"),
    }
    return names.get(role, role)
