"""/customers, /suppliers and /warehouses: lists, cards, changes, archive and add."""

from typing import Any, Final

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.conversations.flow import END, entry
from bot.handlers import catalog_flow as flow
from bot.handlers.access import in_group
from bot.handlers.replies import answer_only, reply, show
from bot.i18n import _
from bot.render import callbacks as cb
from bot.render import catalog as render
from bot.render.errors import describe
from bot.render.numbers import escape
from bot.render.screen import Screen
from core.catalog.editing import (
    ChangeParty,
    ChangeWarehouse,
    change_party,
    change_warehouse,
)
from core.catalog.listing import PER_PAGE, PartyKind, get_party, get_warehouse, list_parties
from core.catalog.parties import (
    CreateCustomer,
    CreateSupplier,
    create_customer,
    create_supplier,
)
from core.catalog.warehouses import CreateWarehouse, create_warehouse, list_warehouses
from core.errors import NotFound, WarehouseStillNeeded

KINDS: Final[dict[str, PartyKind]] = {"s": "supplier", "c": "customer"}
PARTY_FIELDS: Final = ("name", "contact", "phone", "terms_days")
MONEY_FIELDS: Final = ("currency", "credit_limit")  # edited on a card, not asked when adding


async def _stale(update: Update) -> None:
    await answer_only(update, _("This button is no longer active."))


async def _party_page(update: Update, context: BotContext, kind: PartyKind, page: int) -> Screen:
    actor = context.actor(update)
    items, total = await list_parties(context.uow(), actor, kind, page, PER_PAGE)
    if not items and total and page > 0:  # a page that no longer exists: the last one
        page = (total - 1) // PER_PAGE
        items, total = await list_parties(context.uow(), actor, kind, page, PER_PAGE)
    return render.party_list(kind, items, total, page, PER_PAGE)


async def _listed(update: Update, context: BotContext, kind: PartyKind) -> None:
    if in_group(update):
        await reply(update, Screen(render.private_only()))
        return
    await reply(update, await _party_page(update, context, kind, 0))


async def customers(update: Update, context: BotContext) -> None:
    """/customers or More → Customers: the first page."""
    await _listed(update, context, "customer")


async def suppliers(update: Update, context: BotContext) -> None:
    """/suppliers or More → Suppliers: the first page."""
    await _listed(update, context, "supplier")


async def turned_page(update: Update, context: BotContext) -> None:
    """◀ ▶ of a party list (or the back button of a card)."""
    query = update.callback_query
    assert query is not None
    try:
        code, page = cb.args(query.data)[:2]
        kind = KINDS[code]
        number = int(page)
    except (ValueError, KeyError):
        await _stale(update)
        return
    await show(update, await _party_page(update, context, kind, number))


async def opened(update: Update, context: BotContext) -> None:
    """A party button: its card, in the same message."""
    query = update.callback_query
    assert query is not None
    try:
        code, party_id = cb.args(query.data)[:2]
        kind = KINDS[code]
        party = await get_party(context.uow(), context.actor(update), kind, int(party_id))
    except (ValueError, KeyError, NotFound):
        await _stale(update)
        return
    await show(update, render.party_card(kind, party))


async def archived(update: Update, context: BotContext) -> None:
    """🗄 Archive or ♻️ Restore a party (core refuses members below manager)."""
    query = update.callback_query
    assert query is not None
    try:
        code, party_id, flag = cb.args(query.data)[:3]
        kind = KINDS[code]
        cmd = ChangeParty.build(kind=kind, party_id=int(party_id), archived=flag == "1")
    except (ValueError, KeyError):
        await _stale(update)
        return
    party = await change_party(context.uow(), context.actor(update), cmd)
    await show(update, render.party_card(kind, party))


@entry(flow.FLOW)
async def edit(update: Update, context: BotContext) -> object:
    """A field button on a party's card: shows the value now and asks for the new one."""
    query = update.callback_query
    assert query is not None
    try:
        code, party_id, field = cb.args(query.data)[:3]
        kind = KINDS[code]
        party = await get_party(context.uow(), context.actor(update), kind, int(party_id))
    except (ValueError, KeyError, NotFound):
        await _stale(update)
        return END
    if field not in PARTY_FIELDS + MONEY_FIELDS:
        await _stale(update)
        return END
    current = {
        "name": escape(party.name),
        "contact": escape(party.contact),
        "phone": escape(party.phone),
        "terms_days": str(party.terms_days),
        "currency": party.currency or "",
        "credit_limit": "" if party.credit_limit is None else str(party.credit_limit),
    }[field]
    prompt = render.ask_value(field, escape(party.name), current)
    return await flow.start(
        update, context, f"{kind}.edit", [field], prompt=prompt, target_id=party.party_id
    )


async def _save_party_edit(
    update: Update, context: BotContext, draft: dict[str, Any], kind: PartyKind
) -> Screen:
    values = dict(draft["values"])
    if values.get("credit_limit") == "":  # "none": the limit is taken away
        values.pop("credit_limit")
        values["no_credit_limit"] = True
    cmd = ChangeParty.build(kind=kind, party_id=int(draft["id"]), **values)
    party = await change_party(context.uow(), context.actor(update), cmd)
    return render.party_card(kind, party)


async def save_customer_edit(update: Update, context: BotContext, draft: dict[str, Any]) -> Screen:
    """Saves a customer's changed field."""
    return await _save_party_edit(update, context, draft, "customer")


async def save_supplier_edit(update: Update, context: BotContext, draft: dict[str, Any]) -> Screen:
    """Saves a supplier's changed field."""
    return await _save_party_edit(update, context, draft, "supplier")


@entry(flow.FLOW)
async def add(update: Update, context: BotContext) -> object:
    """➕ Add customer/supplier: name, contact, phone, terms (all but the name may be skipped)."""
    query = update.callback_query
    assert query is not None
    kind = KINDS.get((cb.args(query.data) or [""])[0])
    if kind is None:
        await _stale(update)
        return END
    if in_group(update):
        await reply(update, Screen(render.private_only()))
        return END
    prompt = render.adding(kind) + "\n" + render.ask_new("name")
    return await flow.start(
        update,
        context,
        f"{kind}.add",
        list(PARTY_FIELDS),
        prompt=prompt,
        optional=("contact", "phone", "terms_days"),
    )


async def save_new_customer(update: Update, context: BotContext, draft: dict[str, Any]) -> Screen:
    """Creates the customer (once per flow); answers its card."""
    cmd = CreateCustomer.build(request_id=draft["request_id"], **_party_values(draft))
    party = await create_customer(context.uow(), context.actor(update), cmd)
    return render.party_card("customer", party)


async def save_new_supplier(update: Update, context: BotContext, draft: dict[str, Any]) -> Screen:
    """Creates the supplier (once per flow); answers its card."""
    cmd = CreateSupplier.build(request_id=draft["request_id"], **_party_values(draft))
    party = await create_supplier(context.uow(), context.actor(update), cmd)
    return render.party_card("supplier", party)


def _party_values(draft: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in draft["values"].items() if value is not None}


async def warehouses(update: Update, context: BotContext) -> None:
    """/warehouses or More → Warehouses: all of them, the default first."""
    if in_group(update):
        await reply(update, Screen(render.private_only()))
        return
    items = await list_warehouses(context.uow(), context.actor(update))
    screen = render.warehouse_list(items)
    if update.callback_query is not None and cb.action(update.callback_query.data) == "wl":
        await show(update, screen)
        return
    await reply(update, screen)


async def opened_warehouse(update: Update, context: BotContext) -> None:
    """A warehouse button: its card."""
    query = update.callback_query
    assert query is not None
    try:
        warehouse_id = int(cb.args(query.data)[0])
        warehouse = await get_warehouse(context.uow(), context.actor(update), warehouse_id)
    except (ValueError, IndexError, NotFound):
        await _stale(update)
        return
    await show(update, render.warehouse_card(warehouse))


async def archived_warehouse(update: Update, context: BotContext) -> None:
    """🗄 Archive or ♻️ Restore a warehouse (not one with stock, nor the last one)."""
    query = update.callback_query
    assert query is not None
    try:
        warehouse_id, flag = (int(arg) for arg in cb.args(query.data)[:2])
    except ValueError:
        await _stale(update)
        return
    cmd = ChangeWarehouse.build(warehouse_id=warehouse_id, archived=bool(flag))
    try:
        warehouse = await change_warehouse(context.uow(), context.actor(update), cmd)
    except WarehouseStillNeeded as needed:
        await reply(update, Screen(describe(needed)))
        return
    await show(update, render.warehouse_card(warehouse))


@entry(flow.FLOW)
async def rename_warehouse(update: Update, context: BotContext) -> object:
    """✏️ Rename on a warehouse's card: asks for the new name."""
    query = update.callback_query
    assert query is not None
    try:
        warehouse_id = int(cb.args(query.data)[0])
        warehouse = await get_warehouse(context.uow(), context.actor(update), warehouse_id)
    except (ValueError, IndexError, NotFound):
        await _stale(update)
        return END
    name = escape(warehouse.name)
    prompt = render.ask_value("name", name, name)
    return await flow.start(
        update, context, "warehouse.edit", ["name"], prompt=prompt, target_id=warehouse_id
    )


async def save_warehouse_name(
    update: Update, context: BotContext, draft: dict[str, Any]
) -> Screen:
    """Saves the new name."""
    cmd = ChangeWarehouse.build(warehouse_id=int(draft["id"]), name=draft["values"]["name"])
    warehouse = await change_warehouse(context.uow(), context.actor(update), cmd)
    return render.warehouse_card(warehouse)


@entry(flow.FLOW)
async def add_warehouse(update: Update, context: BotContext) -> object:
    """➕ Add warehouse: its name (managers and owners; core refuses others)."""
    if in_group(update):
        await reply(update, Screen(render.private_only()))
        return END
    prompt = render.adding("warehouse") + "\n" + render.ask_new("name")
    return await flow.start(update, context, "warehouse.add", ["name"], prompt=prompt)


async def save_new_warehouse(update: Update, context: BotContext, draft: dict[str, Any]) -> Screen:
    """Creates the warehouse (once per flow); answers its card."""
    cmd = CreateWarehouse.build(request_id=draft["request_id"], name=draft["values"]["name"])
    warehouse = await create_warehouse(context.uow(), context.actor(update), cmd)
    return render.warehouse_card(warehouse)


flow.SAVERS.update(
    {
        "customer.edit": save_customer_edit,
        "supplier.edit": save_supplier_edit,
        "customer.add": save_new_customer,
        "supplier.add": save_new_supplier,
        "warehouse.edit": save_warehouse_name,
        "warehouse.add": save_new_warehouse,
    }
)


def entries() -> list[BaseHandler[Update, BotContext, object]]:
    """The buttons that start a change of a party or warehouse."""
    return [
        CallbackQueryHandler(edit, pattern=cb.pattern("qe")),
        CallbackQueryHandler(add, pattern=cb.pattern("qadd")),
        CallbackQueryHandler(rename_warehouse, pattern=cb.pattern("we")),
        CallbackQueryHandler(add_warehouse, pattern=cb.pattern("wadd")),
    ]


def handlers() -> list[BaseHandler[Update, BotContext, object]]:
    """Lists, cards and archive: no conversation needed."""
    return [
        CommandHandler("customers", customers),
        CommandHandler("suppliers", suppliers),
        CommandHandler("warehouses", warehouses),
        CallbackQueryHandler(customers, pattern=r"^1:cmd:customers$"),
        CallbackQueryHandler(suppliers, pattern=r"^1:cmd:suppliers$"),
        CallbackQueryHandler(warehouses, pattern=r"^1:cmd:warehouses$"),
        CallbackQueryHandler(warehouses, pattern=cb.pattern("wl")),
        CallbackQueryHandler(turned_page, pattern=cb.pattern("ql")),
        CallbackQueryHandler(opened, pattern=cb.pattern("qc")),
        CallbackQueryHandler(archived, pattern=cb.pattern("qa")),
        CallbackQueryHandler(opened_warehouse, pattern=cb.pattern("wc")),
        CallbackQueryHandler(archived_warehouse, pattern=cb.pattern("wa")),
    ]
