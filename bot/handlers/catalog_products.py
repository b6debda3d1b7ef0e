"""/products: the paged list, search, a product's card, its changes, archive and add."""

import asyncio
from decimal import Decimal
from typing import Any, Final

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.barcodes import render_barcode
from bot.context import BotContext
from bot.conversations.flow import END, begin, drop_draft, entry, require_draft, step
from bot.handlers import catalog_flow as flow
from bot.handlers.access import in_group
from bot.handlers.replies import answer_only, reply, show
from bot.i18n import _
from bot.render import callbacks as cb
from bot.render import catalog as render
from bot.render.numbers import escape, price, qty
from bot.render.screen import Screen, keyboard
from core.alerts.rules import SetWarehousePoint, set_warehouse_point, warehouse_points
from core.catalog.editing import ChangeSku, change_sku
from core.catalog.listing import PER_PAGE, list_products, product_overview
from core.catalog.products import (
    AddBarcode,
    ChangeProduct,
    CreateProduct,
    add_barcode,
    change_product,
    create_product,
    get_product,
)
from core.errors import NotFound
from core.tenancy.businesses import current_business

SEARCH: Final = "catalog.search"
CHANGES: Final = {  # field -> ChangeProduct's name for it
    "name": "name",
    "unit": "unit",
    "sale_price": "default_sale_price",
    "purchase_price": "default_purchase_price",
    "reorder_point": "reorder_point",
    "reorder_qty": "reorder_qty",
}
EDITABLE: Final = (*CHANGES, "sku", "barcode")


async def _page(update: Update, context: BotContext, page: int, term: str) -> Screen:
    actor = context.actor(update)
    items, total = await list_products(context.uow(), actor, page, PER_PAGE, term)
    if not items and total and page > 0:  # a page that no longer exists: the last one
        page = (total - 1) // PER_PAGE
        items, total = await list_products(context.uow(), actor, page, PER_PAGE, term)
    return render.product_list(items, total, page, PER_PAGE, term)


async def products(update: Update, context: BotContext) -> None:
    """/products [term] or More → Products: the first page of the list."""
    if in_group(update):
        await reply(update, Screen(render.private_only()))
        return
    term = " ".join(context.args or []) if update.callback_query is None else ""
    await reply(update, await _page(update, context, 0, term))


async def turned_page(update: Update, context: BotContext) -> None:
    """◀ ▶ (or ◀ Products on a card): another page, in the same message."""
    query = update.callback_query
    assert query is not None
    try:
        page, term = render.list_args(cb.args(query.data))
    except ValueError:
        await answer_only(update, _("This button is no longer active."))
        return
    await show(update, await _page(update, context, page, term))


async def opened(update: Update, context: BotContext) -> None:
    """A product button: its card, in the same message."""
    query = update.callback_query
    assert query is not None
    try:
        product_id = int(cb.args(query.data)[0])
        overview = await product_overview(context.uow(), context.actor(update), product_id)
    except (ValueError, IndexError, NotFound):
        await answer_only(update, _("This button is no longer active."))
        return
    await show(update, render.product_card(overview))


async def archived(update: Update, context: BotContext) -> None:
    """🗄 Archive or ♻️ Restore: one tap (core refuses members below manager)."""
    query = update.callback_query
    assert query is not None
    try:
        product_id, flag = (int(arg) for arg in cb.args(query.data)[:2])
    except ValueError:
        await answer_only(update, _("This button is no longer active."))
        return
    actor = context.actor(update)
    cmd = ChangeProduct.build(product_id=product_id, archived=bool(flag))
    await change_product(context.uow(), actor, cmd)  # a refusal: the error handler says why
    await show(
        update, render.product_card(await product_overview(context.uow(), actor, product_id))
    )


@entry(flow.FLOW)
async def edit(update: Update, context: BotContext) -> object:
    """A field button on the card: shows the value now and asks for the new one."""
    query = update.callback_query
    assert query is not None
    args = cb.args(query.data)
    try:
        product_id, field = int(args[0]), args[1]
        overview = await product_overview(context.uow(), context.actor(update), product_id)
    except (ValueError, IndexError, NotFound):
        await answer_only(update, _("This button is no longer active."))
        return END
    if field not in EDITABLE:
        await answer_only(update, _("This button is no longer active."))
        return END
    product = overview.product
    what = f"{escape(product.sku)} {escape(product.name)}"
    if field == "barcode":
        prompt = render.ask_barcode(what)
    else:
        prompt = render.ask_value(field, what, _current(product, field, overview.currency))
    return await flow.start(
        update, context, "product.edit", [field], prompt=prompt, target_id=product_id
    )


def _current(product: Any, field: str, currency: str) -> str:
    value = {
        "name": escape(product.name),
        "sku": escape(product.sku),
        "unit": escape(product.unit),
        "sale_price": product.default_sale_price,
        "purchase_price": product.default_purchase_price,
        "reorder_point": product.reorder_point,
        "reorder_qty": product.reorder_qty,
    }[field]
    if isinstance(value, Decimal):
        return price(value, currency) if field.endswith("price") else qty(value)
    return value or ""


async def save_edit(update: Update, context: BotContext, draft: dict[str, Any]) -> Screen:
    """Saves the one changed field; answers the card as it is now."""
    actor = context.actor(update)
    product_id = int(draft["id"])
    [(field, value)] = draft["values"].items()
    if field == "sku":
        await change_sku(context.uow(), actor, ChangeSku.build(product_id=product_id, sku=value))
    elif field == "barcode":
        code = AddBarcode.build(product_id=product_id, code=value)
        await add_barcode(context.uow(), actor, code)
    else:
        change = ChangeProduct.build(product_id=product_id, **{CHANGES[field]: value})
        await change_product(context.uow(), actor, change)
    return render.product_card(await product_overview(context.uow(), actor, product_id))


@entry(flow.FLOW)
async def add(update: Update, context: BotContext) -> object:
    """➕ Add product: name, unit, sale price, purchase price (the prices may be skipped).

    From an unknown barcode (a photo or a typed number), the button carries the code: the
    new product gets it.
    """
    if in_group(update):
        await reply(update, Screen(render.private_only()))
        return END
    code = (cb.args(update.callback_query.data if update.callback_query else None) or [""])[0]
    prompt = render.adding("product") + "\n" + render.ask_new("name")
    return await flow.start(
        update,
        context,
        "product.add",
        ["name", "unit", "sale_price", "purchase_price"],
        prompt=prompt,
        optional=("sale_price", "purchase_price"),
        extra={"barcode": code} if code.isdigit() else None,
    )


async def save_new(update: Update, context: BotContext, draft: dict[str, Any]) -> Screen:
    """Creates the product (once per flow: the draft's request id); answers its card."""
    values = draft["values"]
    actor = context.actor(update)
    cmd = CreateProduct.build(
        request_id=draft["request_id"],
        name=values["name"],
        unit=values["unit"],
        default_sale_price=values.get("sale_price"),
        default_purchase_price=values.get("purchase_price"),
        barcodes=tuple(code for code in [draft.get("extra", {}).get("barcode")] if code),
    )
    product = await create_product(context.uow(), actor, cmd)
    return render.product_card(await product_overview(context.uow(), actor, product.product_id))


@entry(flow.FLOW)
async def search(update: Update, context: BotContext) -> object:
    """🔎 Search: the next text typed filters the list."""
    chat = update.effective_chat
    assert chat is not None
    business = await current_business(context.uow(), context.actor(update))
    begin(context, flow.FLOW, chat.id, business.conversation_timeout_minutes, target="search")
    await reply(update, Screen(render.ask_search(), keyboard(cancel=True)))
    return SEARCH


@step(flow.FLOW)
async def searched(update: Update, context: BotContext) -> object:
    """The search term: the list of what matches."""
    message = update.effective_message
    assert message is not None
    require_draft(context, flow.FLOW)
    drop_draft(context)
    await reply(update, await _page(update, context, 0, (message.text or "").strip()))
    return END


async def warehouse_points_screen(update: Update, context: BotContext) -> None:
    """🏬 Points per warehouse: each active warehouse and the product's point there."""
    try:
        product_id = int(cb.args(update.callback_query.data if update.callback_query else None)[0])
        points = await warehouse_points(context.uow(), context.actor(update), product_id)
        product = await get_product(context.uow(), context.actor(update), product_id)
    except (ValueError, IndexError, NotFound):
        await answer_only(update, _("This button is no longer active."))
        return
    await show(update, render.warehouse_points(product, points))


@entry(flow.FLOW)
async def edit_warehouse_point(update: Update, context: BotContext) -> object:
    """A warehouse's button: asks the product's point there ("none" takes it away)."""
    args = cb.args(update.callback_query.data if update.callback_query else None)
    try:
        product_id, warehouse_id = int(args[0]), int(args[1])
        product = await get_product(context.uow(), context.actor(update), product_id)
    except (ValueError, IndexError, NotFound):
        await answer_only(update, _("This button is no longer active."))
        return END
    prompt = render.ask_warehouse_point(f"{escape(product.sku)} {escape(product.name)}")
    return await flow.start(
        update,
        context,
        "product.whpoint",
        ["warehouse_point"],
        prompt=prompt,
        target_id=product_id,
        extra={"warehouse_id": warehouse_id},
    )


async def save_warehouse_point(
    update: Update, context: BotContext, draft: dict[str, Any]
) -> Screen:
    """Sets (or takes away) the point; answers the warehouses' points as they are now."""
    actor = context.actor(update)
    product_id = int(draft["id"])
    value = draft["values"]["warehouse_point"]
    cmd = SetWarehousePoint.build(
        product_id=product_id,
        warehouse_id=int(draft["extra"]["warehouse_id"]),
        reorder_point=Decimal(value) if value else None,
    )
    await set_warehouse_point(context.uow(), actor, cmd)
    points = await warehouse_points(context.uow(), actor, product_id)
    return render.warehouse_points(await get_product(context.uow(), actor, product_id), points)


async def barcode_image(update: Update, context: BotContext) -> None:
    """🏷 Barcode image: the product's (first) barcode as a picture, for printing labels."""
    query = update.callback_query
    assert query is not None
    try:
        product_id = int(cb.args(query.data)[0])
        product = await get_product(context.uow(), context.actor(update), product_id)
    except (ValueError, IndexError, NotFound):
        await answer_only(update, _("This button is no longer active."))
        return
    what = f"{escape(product.sku)} {escape(product.name)}"
    if not product.barcodes:
        text = _("{product} has no barcode yet. Add one with ➕ Barcode, then tap this again.")
        await reply(update, Screen(text.format(product=what)))
        return
    await answer_only(update)
    code = product.barcodes[0]
    png = await asyncio.to_thread(render_barcode, code)  # drawing is CPU work
    assert update.effective_chat is not None
    caption = f"{what}\n{escape(code)}"
    photo = InputFile(png, filename="barcode.png")
    await context.bot.send_photo(update.effective_chat.id, photo, caption=caption)


flow.SAVERS["product.edit"] = save_edit
flow.SAVERS["product.whpoint"] = save_warehouse_point
flow.SAVERS["product.add"] = save_new


def entries() -> list[BaseHandler[Update, BotContext, object]]:
    """The buttons that start a product change (also while another change is open)."""
    return [
        CallbackQueryHandler(edit, pattern=cb.pattern("pe")),
        CallbackQueryHandler(edit_warehouse_point, pattern=cb.pattern("pwpe")),
        CallbackQueryHandler(add, pattern=cb.pattern("padd")),
        CallbackQueryHandler(search, pattern=cb.pattern("pfind")),
    ]


def states() -> dict[object, list[BaseHandler[Update, BotContext, object]]]:
    """The search state of the catalog flow."""
    return {SEARCH: [MessageHandler(flow.TEXT, searched)]}


def handlers() -> list[BaseHandler[Update, BotContext, object]]:
    """The product list, cards and archive: no conversation needed."""
    return [
        CommandHandler("products", products),
        CallbackQueryHandler(products, pattern=r"^1:cmd:products$"),
        CallbackQueryHandler(turned_page, pattern=cb.pattern("pl")),
        CallbackQueryHandler(opened, pattern=cb.pattern("pc")),
        CallbackQueryHandler(archived, pattern=cb.pattern("pa")),
        CallbackQueryHandler(warehouse_points_screen, pattern=cb.pattern("pwp")),
        CallbackQueryHandler(barcode_image, pattern=cb.pattern("pbc")),
    ]
