"""Every refusal of the domain, in the user's language."""

from typing import Final

from bot.i18n import N_, _
from bot.render.numbers import escape, qty
from core.errors import (
    ArchivedProduct,
    BeyondOrder,
    BeyondReturn,
    DomainError,
    Duplicate,
    GroupTaken,
    InsufficientStock,
    InvalidInput,
    InvalidState,
    InviteUnusable,
    LastOwner,
    NoBusiness,
    NotFound,
    OrderNotOpen,
    PermissionDenied,
    RequestConflict,
    UndoExpired,
    WarehouseStillNeeded,
)

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
        case InvalidInput():
            return _("That value is not accepted ({field}: {reason}).").format(
                field=escape(error.field), reason=escape(error.reason)
            )
        case RequestConflict():
            return _("This request was already used for something else. Please start again.")
    return _("The request was refused.")


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
