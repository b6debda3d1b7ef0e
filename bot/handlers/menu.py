"""The main menu (a reply keyboard), the "More" menu and the command menu per language."""

from typing import Final

from telegram import Update
from telegram.ext import filters

from bot.context import BotContext
from bot.i18n import LANGUAGES, N_, _, use_language
from bot.render.screen import Screen, button, keyboard, reply_keyboard, rows

# The main menu's buttons: a press sends its label as text, matched in either language.
MENU: Final = {
    "purchase": N_("📥 Purchase"),
    "sale": N_("📤 Sale"),
    "count": N_("📋 Count"),
    "transfer": N_("🔁 Transfer"),
    "stock": N_("🔍 Stock"),
    "more": N_("☰ More"),
}

# The command menu Telegram shows beside the text field, in menu order.
COMMANDS: Final = (
    ("start", N_("Main menu")),
    ("purchase", N_("Purchase receipt (采购入库)")),
    ("sale", N_("Sale (销售出库)")),
    ("count", N_("Stock count (盘点)")),
    ("transfer", N_("Transfer between warehouses")),
    ("adjust", N_("Stock adjustment (managers)")),
    ("stock", N_("Stock of a product: /stock A001")),
    ("products", N_("Products")),
    ("customers", N_("Customers")),
    ("suppliers", N_("Suppliers")),
    ("warehouses", N_("Warehouses")),
    ("docs", N_("Recent documents")),
    ("report", N_("Reports: stock, sales, aging (报表)")),
    ("orders", N_("Purchase and sales orders")),
    ("owed", N_("Receivables: who owes us (应收)")),
    ("owe", N_("Payables: what we owe (应付)")),
    ("po", N_("New purchase order (采购订单)")),
    ("reorder", N_("What to reorder (库存预警)")),
    ("so", N_("New sales order (销售订单)")),
    ("return", N_("Return goods of a sale or receipt (退货)")),
    ("collect", N_("Record money received from a customer (收款)")),
    ("pay", N_("Record a payment to a supplier (付款)")),
    ("members", N_("Members and invites (owner)")),
    ("settings", N_("Business settings (owner)")),
    ("backup", N_("Back up this business's data (owner)")),
    ("export", N_("Export data as .xlsx (数据导出)")),
    ("template", N_("Import template: send a filled one back (数据导入)")),
    ("business", N_("Switch or create a business")),
    ("bind", N_("Bind this group to your business (owner)")),
    ("language", N_("Language / 语言")),
    ("help", N_("What you can do here")),
    ("cancel", N_("Cancel what you are doing")),
)

# "More" opens these, each a button that runs the command of the same name.
MORE: Final = (
    "products",
    "customers",
    "suppliers",
    "warehouses",
    "docs",
    "report",
    "orders",
    "owed",
    "owe",
    "po",
    "reorder",
    "so",
    "return",
    "collect",
    "pay",
    "adjust",
    "members",
    "settings",
    "backup",
    "export",
    "template",
    "business",
    "language",
    "help",
)


def command_menu() -> list[tuple[str, str]]:
    """(command, description) in the current language, for setMyCommands."""
    return [(name, _(text)) for name, text in COMMANDS]


def menu_labels(key: str) -> list[str]:
    """A main-menu label in every language (a press arrives as this text)."""
    labels = []
    for language in LANGUAGES:
        with use_language(language):
            labels.append(_(MENU[key]))
    return labels


def menu_filter(key: str) -> filters.BaseFilter:
    """Matches a press of the main-menu button ``key``, whatever the language."""
    return filters.Text(menu_labels(key))


def any_menu_press() -> filters.BaseFilter:
    """Any main-menu button: mid-flow it means "finish or cancel", never a typed answer."""
    return filters.Text([label for key in MENU for label in menu_labels(key)])


def main_menu(greeting: str | None = None) -> Screen:
    """The main menu: three rows of two, for one thumb."""
    layout = (("purchase", "sale"), ("count", "transfer"), ("stock", "more"))
    labels = [[_(MENU[key]) for key in row] for row in layout]
    return Screen(greeting or _("What would you like to do?"), reply_keyboard(labels))


def more_menu() -> Screen:
    """The rest of what the bot does, as buttons."""
    titles = dict(COMMANDS)
    buttons = [button(_(titles[name]), "cmd", name) for name in MORE]
    return Screen(_("More:"), keyboard(*rows(buttons, per_row=2)))


async def show_more(update: Update, context: BotContext) -> None:
    """The ☰ More button: shows the other commands as buttons."""
    del context
    assert update.effective_message is not None
    screen = more_menu()
    await update.effective_message.reply_text(screen.text, reply_markup=screen.keyboard)
