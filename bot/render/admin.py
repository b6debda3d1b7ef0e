"""Screens of /members, /settings, /business, /bind and /help."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from bot.handlers.menu import MENU
from bot.i18n import N_, _
from bot.render import accounts, payments
from bot.render.errors import role_name
from bot.render.numbers import escape, money
from bot.render.screen import Screen, button, keyboard, rows
from core.tenancy.models import Role
from core.tenancy.results import BusinessView, InviteCreated, MemberView

INVITE_ROLES: Final = (Role.MANAGER, Role.CLERK, Role.VIEWER, Role.OWNER)
UNDO_CHOICES: Final = (0, 5, 10, 30, 60)
TIMEOUT_CHOICES: Final = (10, 30, 60, 120)
LIMITS: Final = {"undo": (0, 1440), "timeout": (1, 1440)}  # minutes, as core accepts them
LANGUAGE_NAMES: Final = {"zh-CN": "中文", "en": "English"}


def private_only() -> Screen:
    """Members, settings and businesses are not managed where others read along."""
    return Screen(
        _("Open a private chat with me for this: it is not done in a group, where others read.")
    )


# /members


def member_name(member: MemberView) -> str:
    """A member's name as shown in text (escaped); their user id when they gave none."""
    return escape(member.display_name) or _("user {id}").format(id=member.user_id)


def _plain_name(member: MemberView) -> str:
    return member.display_name or _("user {id}").format(id=member.user_id)


def members_screen(
    business: BusinessView, members: Sequence[MemberView], me: int, note: str | None = None
) -> Screen:
    """The members of the business; for an owner, invite buttons and a button per member."""
    active = [m for m in members if m.active]
    lines = [_("<b>Members of {name}</b>").format(name=escape(business.name))]
    for member in active:
        mine = _(" (you)") if member.user_id == me else ""
        lines.append(f"• {member_name(member)} · {role_name(member.role)}{mine}")
    if note:
        lines.insert(0, note + "\n")
    if business.role != Role.OWNER:
        lines.append("\n" + _("Only an owner can invite, change roles or remove members."))
        return Screen("\n".join(lines))
    lines.append(
        "\n"
        + _(
            "Tap a member to change their role or remove them. To invite someone, tap their "
            "role: you get a single-use link to send them."
        )
    )
    people = [
        button(f"{_plain_name(m)} · {role_name(m.role)}", "mem.open", m.user_id) for m in active
    ]
    invites = [
        button(_("➕ Invite {role}").format(role=role_name(role)), "mem.inv", role.value)
        for role in INVITE_ROLES
    ]
    return Screen("\n".join(lines), keyboard(*rows(people, per_row=1), *rows(invites)))


def member_card(member: MemberView, note: str | None = None) -> Screen:
    """One member: other roles to give, remove, back to the list."""
    text = _(
        "<b>{name}</b> is {role}. Give them another role, or remove them from the business "
        "(the documents they posted stay)."
    ).format(name=member_name(member), role=role_name(member.role))
    if note:
        text = note + "\n\n" + text
    roles = [
        button(_("Make {role}").format(role=role_name(role)), "mem.role", member.user_id, role)
        for role in INVITE_ROLES
        if role != member.role
    ]
    return Screen(
        text,
        keyboard(
            *rows(roles),
            [button(_("🗑 Remove"), "mem.rm", member.user_id), button(_("« Back"), "mem.list")],
        ),
    )


def confirm_removal(member: MemberView) -> Screen:
    """Asks before taking someone out of the business."""
    return Screen(
        _(
            "Remove <b>{name}</b> ({role}) from the business? They lose access at once; the "
            "documents they posted stay."
        ).format(name=member_name(member), role=role_name(member.role)),
        keyboard(
            [
                button(_("✓ Yes, remove"), "mem.rmok", member.user_id),
                button(_("« Back"), "mem.open", member.user_id),
            ]
        ),
    )


def role_changed(member: MemberView) -> str:
    """Note above the list after a role change."""
    return _("✅ {name} is now {role}.").format(
        name=member_name(member), role=role_name(member.role)
    )


def member_removed(member: MemberView) -> str:
    """Note above the list after a removal."""
    return _("✅ {name} was removed from the business.").format(name=member_name(member))


def no_such_member() -> str:
    """A member button whose member is gone."""
    return _("This person is no longer a member.")


def local_time(at: datetime, zone: str) -> str:
    """A UTC instant as the business reads it: 2026-03-14 09:00."""
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def invite_link(invite: InviteCreated, link: str, zone: str) -> Screen:
    """The deep link to send, its role and its expiry in the business's time zone."""
    text = _(
        "Invite link for a new <b>{role}</b> (single use, valid until {until}, {zone}):\n"
        "{link}\n\nSend it to the person: opening it in Telegram joins them to the business."
    ).format(
        role=role_name(invite.role),
        until=local_time(invite.expires_at, zone),
        zone=escape(zone),
        link=escape(link),
    )
    another = button(
        _("➕ Another {role} link").format(role=role_name(invite.role)), "mem.inv", invite.role
    )
    return Screen(text, keyboard([another]))


# /settings


def _yes_no(flag: bool) -> str:
    return _("allowed") if flag else _("not allowed")


def settings_screen(business: BusinessView, note: str | None = None) -> Screen:
    """The business's settings; an owner gets buttons to change them."""
    undo = (
        _("{minutes} min").format(minutes=business.undo_window_minutes)
        if business.undo_window_minutes
        else _("off")
    )
    lines = [
        _("<b>Settings of {name}</b>").format(name=escape(business.name)),
        _("Currency: {currency} · Time zone: {zone}").format(
            currency=business.base_currency, zone=escape(business.timezone)
        ),
        _("Negative stock: {allowed}").format(allowed=_yes_no(business.allow_negative_stock)),
        _("Undo after posting: {undo}").format(undo=undo),
        _("Idle flows end after: {minutes} min").format(
            minutes=business.conversation_timeout_minutes
        ),
        _("Business language (group announcements): {language}").format(
            language=LANGUAGE_NAMES.get(business.locale, business.locale)
        ),
        _("Round-off (抹零) of a sale: up to {limit} {currency}").format(
            limit=money(business.round_off_limit, business.base_currency),
            currency=business.base_currency,
        ),
        _("Daily reminders and digest at: {time} ({zone})").format(
            time=business.reminder_time, zone=escape(business.timezone)
        ),
        _("Reorder suggestions cover: {days} days of sales").format(days=business.coverage_days),
    ]
    if note:
        lines.insert(0, note + "\n")
    if business.role != Role.OWNER:
        lines.append("\n" + _("Only an owner can change the settings."))
        mine = keyboard([button(_("🔔 My alerts"), "set.my")])  # a manager's own switches
        return Screen("\n".join(lines), mine if business.role == Role.MANAGER else None)
    negative = (
        button(_("Forbid negative stock"), "set.neg", 0)
        if business.allow_negative_stock
        else button(_("Allow negative stock"), "set.neg", 1)
    )
    languages = [
        button(("✓ " if code == business.locale else "") + title, "set.lang", code)
        for code, title in LANGUAGE_NAMES.items()
    ]
    return Screen(
        "\n".join(lines),
        keyboard(
            [negative],
            [button(_("↩ Undo window"), "set.menu", "undo")],
            [button(_("⏱ Idle timeout"), "set.menu", "timeout")],
            [button(_("✂ Round-off limit"), "set.ro")],
            [button(_("⏰ Reminder time"), "set.rt"), button(_("🌐 Time zone"), "set.tz")],
            [button(_("📦 Coverage days"), "set.cov"), button(_("🔔 Alerts & digest"), "set.al")],
            languages,
        ),
    )


ROUND_OFF_CHOICES: Final = ("0", "0.5", "1", "5", "10", "50")


def round_off_menu(business: BusinessView) -> Screen:
    """Choices for the most a sale's total may be rounded off (抹零)."""
    current = business.round_off_limit
    buttons = [
        button(
            ("✓ " if Decimal(value) == current else "")
            + money(Decimal(value), business.base_currency),
            "set.roval",
            value,
        )
        for value in ROUND_OFF_CHOICES
    ]
    text = _(
        "How much may a sale's total be rounded off (抹零), at most? Now: {limit} {currency} "
        "(0: no round-off)."
    ).format(limit=money(current, business.base_currency), currency=business.base_currency)
    return Screen(text, keyboard(*rows(buttons, per_row=3), [button(_("« Back"), "set.show")]))


def minutes_menu(business: BusinessView, field: str) -> Screen:
    """Choices for the undo window or the idle timeout, plus typing another number."""
    choices: tuple[int, ...]
    if field == "undo":
        current, choices = business.undo_window_minutes, UNDO_CHOICES
        text = _(
            "How long after posting may its author undo a document? Now: {minutes} min "
            "(0 turns the Undo button off)."
        ).format(minutes=current)
    else:
        current, choices = business.conversation_timeout_minutes, TIMEOUT_CHOICES
        text = _(
            "After how many idle minutes does an unfinished purchase, sale or count end "
            "(nothing posted)? Now: {minutes} min."
        ).format(minutes=current)
    buttons = [
        button(("✓ " if n == current else "") + str(n), "set.val", field, n) for n in choices
    ]
    return Screen(
        text,
        keyboard(
            *rows(buttons, per_row=5),
            [button(_("⌨ Type a number"), "set.type", field), button(_("« Back"), "set.show")],
        ),
    )


def ask_minutes(field: str) -> Screen:
    """The typed-number step."""
    low, high = LIMITS[field]
    if field == "undo":
        text = _("Type the undo window in minutes, from {low} to {high} (0: no Undo button).")
    else:
        text = _("Type the idle timeout in minutes, from {low} to {high}.")
    return Screen(text.format(low=low, high=high), keyboard(cancel=True))


def bad_minutes(text: str, field: str) -> str:
    """A typed number of minutes that cannot be taken."""
    low, high = LIMITS[field]
    return _(
        "“{text}” is not a whole number of minutes from {low} to {high}. Type it again."
    ).format(text=escape(text.strip()[:20]), low=low, high=high)


def saved() -> str:
    """Note above the settings after a change."""
    return _("✅ Saved.")


# /business


def businesses_screen(
    businesses: Sequence[BusinessView], current_id: int | None, note: str | None = None
) -> Screen:
    """My businesses, the current one marked; switch or create another."""
    lines = [_("<b>Your businesses</b>")]
    for business in businesses:
        mark = "✓" if business.business_id == current_id else "•"
        lines.append(f"{mark} {escape(business.name)} · {role_name(business.role)}")
    if not businesses:
        lines.append(_("You belong to no business yet."))
    elif len(businesses) > 1:
        lines.append("\n" + _("✓ marks the one you work in. Tap another to switch."))
    if note:
        lines.insert(0, note + "\n")
    switches = [
        button(f"↪ {business.name}", "biz.sw", business.business_id)
        for business in businesses
        if business.business_id != current_id
    ]
    create = button(_("➕ Create another business"), "biz.new")
    return Screen("\n".join(lines), keyboard(*rows(switches, per_row=1), [create]))


def switched(business: BusinessView) -> str:
    """Note after switching."""
    return _("✅ Now working in <b>{name}</b> as {role}.").format(
        name=escape(business.name), role=role_name(business.role)
    )


def ask_new_business_name() -> Screen:
    """First step of creating another business."""
    return Screen(
        _("What is the new business called? You will be its owner. (e.g. 老王五金二店)"),
        keyboard(cancel=True),
    )


# /bind


def bound(business: BusinessView) -> str:
    """In the group, after /bind."""
    return _(
        "✅ This group is now bound to <b>{name}</b>. Members can use me here (/stock A001, "
        "/sale, ...) and documents they post are announced here. Costs are never shown in "
        "this group."
    ).format(name=escape(business.name))


def unbound(business: BusinessView) -> str:
    """In the group, after /unbind."""
    return _("This group is no longer bound to <b>{name}</b>.").format(name=escape(business.name))


def bind_in_a_group() -> str:
    """/bind in a private chat."""
    return _(
        "Add me to your staff group, then send /bind there: members can then work in the "
        "group and postings are announced there."
    )


def only_owner_binds() -> str:
    """/bind or /unbind by someone who is not an owner."""
    return _("Only an owner of the business can bind or unbind this group.")


# /help

_HELP_STOCK: Final = N_(
    "{stock} or just type <code>A001</code>, <code>库存 A001</code>, a barcode or part of a "
    "name: the stock card. In any chat, <code>@{bot} A001</code> shares one."
)
_HELP_WORK: Final = N_(
    "{purchase}: goods in from a supplier. Example: tap it, type A001, then 10 and the unit "
    "cost, and Confirm.\n"
    "{sale}: goods out to a customer or walk-in. Example: A001, 1, tap the price, Confirm.\n"
    "{count}: count a warehouse; type lines like <code>A001 12</code>.\n"
    "{transfer}: move goods between warehouses.\n"
    "↩ Undo under what you posted reverses it for a few minutes; /docs lists recent documents."
)
_HELP_ORDERS: Final = N_(
    "/po, /so: a purchase or sales order (a confirmed sales order holds its stock); "
    "/orders: open orders, receive or ship the rest.\n"
    "/reorder: what is low, by supplier, with a purchase order in one tap. "
    "/report: stock, sales, purchases and more, with an .xlsx and a chart. "
    "/export, /template: your data as a workbook; send a filled-in workbook to import it. "
    "A photo of a barcode works wherever a product is asked for."
)
_HELP_CLERK: Final = N_(
    "You see the purchase prices you type, but not average costs, stock value or margins."
)
_HELP_MANAGER: Final = N_(
    "/adjust: correct stock with a reason (damage, loss, found).\n"
    "/products, /customers, /suppliers, /warehouses: your lists.\n"
    "/docs: void an older document with a reason, or void and copy it to fix it.\n"
    "You see average costs, stock value and margins (never in a group chat)."
)
_HELP_OWNER: Final = N_(
    "/members: invite staff with a link per role, change roles, remove.\n"
    "/settings: negative stock, undo window, idle timeout, business language, round-off "
    "limit, reminder time and time zone, who gets alerts and the morning digest.\n"
    "/backup: your business's data as a workbook.\n"
    "/bind in your staff group: work there, postings are announced there."
)
_HELP_VIEWER: Final = N_(
    "You may look up stock. To record purchases or sales, ask the owner for another role."
)
_HELP_EVERYONE: Final = N_(
    "/business: switch or create a business · /language: 中文 / English · /cancel: stop "
    "what you are doing."
)


def help_screen(business: BusinessView, bot_username: str) -> Screen:
    """What this member's role can do, with examples."""
    labels = {key: f"<b>{_(label)}</b>" for key, label in MENU.items()}
    role = business.role
    parts = [
        _("<b>{name}</b> · you are {role}. What you can do:").format(
            name=escape(business.name), role=role_name(role)
        ),
        _(_HELP_STOCK).format(stock=labels["stock"], bot=escape(bot_username or "bot")),
    ]
    if role.at_least(Role.CLERK):
        parts.append(_(_HELP_WORK).format(**labels))
        parts.append(_(_HELP_ORDERS))
    if role == Role.CLERK:
        parts.append(_(_HELP_CLERK))
    if role.at_least(Role.MANAGER):
        parts.append(_(_HELP_MANAGER))
        parts.append(_(accounts.HELP))
        parts.append(_(payments.HELP))
    if role == Role.OWNER:
        parts.append(_(_HELP_OWNER))
    if role == Role.VIEWER:
        parts.append(_(_HELP_VIEWER))
    parts.append(_(_HELP_EVERYONE))
    tour = [button(_("🧭 Guided tour"), "guide.step", 1)] if role.at_least(Role.CLERK) else []
    return Screen("\n\n".join(parts), keyboard(tour) if tour else None)


def help_newcomer() -> Screen:
    """/help for someone in no business."""
    return Screen(
        _(
            "I keep purchases, sales and stock for small businesses. Send /start to open "
            "your business, or open the invite link its owner sent you. /language: 中文 / "
            "English."
        )
    )


def group_help(bound_here: bool) -> Screen:
    """/help in a group chat: short, and nothing about costs."""
    text = _(
        "<b>In this group</b>\n"
        "/stock A001 (or a reply to my message): the stock card, without costs.\n"
        "/purchase, /sale, /count work here too; documents members post are announced here.\n"
        "/help in a private chat with me shows everything your role can do."
    )
    if not bound_here:
        text += "\n\n" + _("This group is not bound yet: the owner sends /bind here.")
    return Screen(text)
