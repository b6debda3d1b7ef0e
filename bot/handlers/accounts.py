"""/owed (应收) and /owe (应付): aging per party, its statement (对账单) and open items.

Views, not flows: every press edits the message into the next screen. Managers and owners
only, and never in a group chat (DESIGN rule 9): core refuses both.
"""

from datetime import date
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.handlers.replies import answer_only, answer_press, reply, show
from bot.i18n import _
from bot.render import accounts as render
from bot.render import callbacks as cb
from bot.render.errors import describe
from bot.render.payments import record_payment_button
from bot.render.screen import Screen
from core.errors import DomainError
from core.finance.accounts import aging, party_account, statement
from core.finance.models import PartyKind
from core.tenancy.businesses import current_business


async def owed_command(update: Update, context: BotContext) -> None:
    """/owed: who owes us, by age; the customers with the most owed first."""
    await _list(update, context, PartyKind.CUSTOMER.value, 0)


async def owe_command(update: Update, context: BotContext) -> None:
    """/owe: what we owe suppliers, by age; the biggest balance first."""
    await _list(update, context, PartyKind.SUPPLIER.value, 0)


async def list_page(update: Update, context: BotContext) -> None:
    """◀ ▶ on the list, or ◀ Back from a statement."""
    try:
        kind, page = render.parse_list(_args(update))
    except ValueError:
        await _stale(update)
        return
    await _list(update, context, kind, page)


async def open_statement(update: Update, context: BotContext) -> None:
    """A party's button, or ◀ Previous / Next ▶ month: the statement of that month."""
    actor = context.actor(update)
    try:
        current = await _current_month(update, context)
        ref = render.parse_ref(_args(update), current)
        found = await statement(
            context.uow(),
            actor,
            PartyKind(ref.kind),
            ref.party_id,
            ref.month,
            render.month_end(ref.month),
        )
    except ValueError:
        await _stale(update)
        return
    except DomainError as refused:
        await _refuse(update, describe(refused))
        return
    pay = record_payment_button(ref.kind, ref.party_id)
    await show(update, render.statement_screen(found, ref, latest=ref.month >= current, pay=pay))


async def open_items(update: Update, context: BotContext) -> None:
    """Open items: what is still owed item by item, with due dates and days overdue."""
    try:
        ref = render.parse_ref(_args(update), await _current_month(update, context))
        account = await party_account(
            context.uow(), context.actor(update), PartyKind(ref.kind), ref.party_id
        )
    except ValueError:
        await _stale(update)
        return
    except DomainError as refused:
        await _refuse(update, describe(refused))
        return
    pay = record_payment_button(ref.kind, ref.party_id)
    await show(update, render.open_items_screen(account, ref, pay))


async def _list(update: Update, context: BotContext, kind: str, page: int) -> None:
    try:
        report = await aging(context.uow(), context.actor(update), PartyKind(kind))
    except DomainError as refused:
        await _refuse(update, describe(refused))
        return
    await show(update, render.aging_list(report, page))


async def _current_month(update: Update, context: BotContext) -> date:
    """The first day of this month in the business's time zone."""
    business = await current_business(context.uow(), context.actor(update))
    return render.month_of(context.now().astimezone(ZoneInfo(business.timezone)).date())


async def _refuse(update: Update, text: str) -> None:
    """A refusal: an alert on a press (the screen stays), else a message."""
    if update.callback_query is not None:
        await answer_press(update, text, alert=True)
    else:
        await reply(update, Screen(text))


async def _stale(update: Update) -> None:
    await answer_only(update, _("This button is no longer active."))


def _args(update: Update) -> list[str]:
    return cb.args(update.callback_query.data if update.callback_query else None)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds /owed, /owe, their More-menu buttons and the screens' buttons."""
    application.add_handler(CommandHandler("owed", owed_command))
    application.add_handler(CommandHandler("owe", owe_command))
    application.add_handler(CallbackQueryHandler(owed_command, pattern=r"^1:cmd:owed$"))
    application.add_handler(CallbackQueryHandler(owe_command, pattern=r"^1:cmd:owe$"))
    application.add_handler(CallbackQueryHandler(list_page, pattern=cb.pattern("acc")))
    application.add_handler(CallbackQueryHandler(open_statement, pattern=cb.pattern("acc.st")))
    application.add_handler(CallbackQueryHandler(open_items, pattern=cb.pattern("acc.open")))
