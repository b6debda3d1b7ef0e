"""Buttons of the daily money reminder, and who gets alerts and digests (/settings).

Under an overdue reminder: 📄 Send statement (this month's 对账单 of the customer, as a new
message to forward) and 😴 Snooze 3 days. Their data names the business of the reminder, so
they act there even if the recipient has switched to another business since.
"""

from datetime import date
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import BotContext
from bot.handlers.replies import answer_only, answer_press, reply, show
from bot.i18n import _
from bot.render import accounts
from bot.render import admin as render_admin
from bot.render import callbacks as cb
from bot.render import reminders as render
from bot.render.numbers import escape
from bot.render.payments import record_payment_button
from core.alerts.rules import (
    ChangeAlertSwitches,
    SnoozeCustomer,
    change_alert_switches,
    snooze_customer,
)
from core.alerts.rules import (
    alert_switches as alert_switches_of,
)
from core.finance.accounts import statement
from core.finance.models import PartyKind
from core.tenancy.access import Actor
from core.tenancy.businesses import current_business
from core.tenancy.models import Role

# -- under a reminder -------------------------------------------------------------------------


async def send_statement(update: Update, context: BotContext) -> None:
    """📄 Send statement: this month's statement of the customer, as a new message."""
    target = _target(update, context)
    if target is None:
        await answer_only(update, _("This button is no longer active."))
        return
    actor, customer_id = target
    today = await _local_today(context, actor)
    month = accounts.month_of(today)
    found = await statement(context.uow(), actor, PartyKind.CUSTOMER, customer_id, month, today)
    ref = accounts.PartyRef(PartyKind.CUSTOMER.value, customer_id, month, 0)
    pay = record_payment_button(PartyKind.CUSTOMER, customer_id)
    await reply(update, accounts.statement_screen(found, ref, latest=True, pay=pay))


async def snooze(update: Update, context: BotContext) -> None:
    """😴 Snooze 3 days: no reminder about the customer until then; says until when."""
    target = _target(update, context)
    if target is None:
        await answer_only(update, _("This button is no longer active."))
        return
    actor, customer_id = target
    today = await _local_today(context, actor)
    cmd = SnoozeCustomer(customer_id=customer_id, days=render.SNOOZE_DAYS)
    until = await snooze_customer(context.uow(), actor, cmd, today)
    await answer_press(update, render.snoozed(until), alert=True)


def _target(update: Update, context: BotContext) -> tuple[Actor, int] | None:
    """The presser acting in the reminder's business, and the customer; None if not ours."""
    query = update.callback_query
    args = cb.args(query.data if query is not None else None)
    if len(args) != 2 or not all(arg.isdigit() for arg in args):
        return None
    user = context.actor(update)
    return Actor(user_id=user.user_id, business_id=int(args[0])), int(args[1])


async def _local_today(context: BotContext, actor: Actor) -> date:
    """Today in the business's time zone, by the bot's clock."""
    business = await current_business(context.uow(), actor)
    return context.now().astimezone(ZoneInfo(business.timezone)).date()


# -- /settings: who gets alerts and digests ---------------------------------------------------


async def alert_switches(update: Update, context: BotContext) -> None:
    """🔔 Alerts & digest (owner): each owner and manager with their two switches."""
    business = await current_business(context.uow(), context.actor(update))
    if business.role != Role.OWNER:
        await my_alerts(update, context)
        return
    await show(update, render.alert_switches_screen(await _switches(context, update)))


async def toggle_member(update: Update, context: BotContext) -> None:
    """A member's ✅/❌ button on the owner's list (it carries the new value)."""
    member_id, which, value = _toggle_args(update, 3)
    if not member_id.isdigit():
        await answer_only(update, _("This button is no longer active."))
        return
    cmd = ChangeAlertSwitches.build(member_id=int(member_id), **_switch(which, value))
    await change_alert_switches(context.uow(), context.actor(update), cmd)
    members = await _switches(context, update)
    await show(update, render.alert_switches_screen(members, note=render_admin.saved()))


async def my_alerts(update: Update, context: BotContext) -> None:
    """🔔 My alerts (a manager): their own two switches."""
    alerts_on, digest_on = await change_alert_switches(
        context.uow(),
        context.actor(update),
        ChangeAlertSwitches(),  # changes nothing: reads
    )
    await show(update, render.my_alerts_screen(alerts_on, digest_on))


async def toggle_mine(update: Update, context: BotContext) -> None:
    """A manager's own ✅/❌ button (it carries the new value)."""
    which, value = _toggle_args(update, 2)
    cmd = ChangeAlertSwitches.build(**_switch(which, value))
    alerts_on, digest_on = await change_alert_switches(context.uow(), context.actor(update), cmd)
    await show(update, render.my_alerts_screen(alerts_on, digest_on, note=render_admin.saved()))


def _toggle_args(update: Update, count: int) -> list[str]:
    query = update.callback_query
    args = cb.args(query.data if query is not None else None)
    return [*args, "", "", ""][:count]


def _switch(which: str, value: str) -> dict[str, bool]:
    field = "alerts_on" if which == render.ALERTS else "digest_on"
    return {field: value == "1"}


async def _switches(context: BotContext, update: Update) -> list[render.MemberSwitches]:
    """Owners' and managers' switches, for the owner's list (blocked ones marked)."""
    found = []
    for member in await alert_switches_of(context.uow(), context.actor(update)):
        plain = member.display_name or _("user {id}").format(id=member.user_id)
        found.append(
            render.MemberSwitches(
                member_id=member.member_id,
                name=escape(plain) + ("" if member.reachable else " ⛔"),
                label=plain[: render.NAME_IN_BUTTON],
                role=member.role,
                alerts_on=member.alerts_on,
                digest_on=member.digest_on,
            )
        )
    return found


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Adds the reminder's buttons and the alert switches of /settings."""
    application.add_handler(
        CallbackQueryHandler(send_statement, pattern=cb.pattern(render.STATEMENT_ACTION))
    )
    application.add_handler(CallbackQueryHandler(snooze, pattern=cb.pattern(render.SNOOZE_ACTION)))
    application.add_handler(CallbackQueryHandler(alert_switches, pattern=cb.pattern("set.al")))
    application.add_handler(CallbackQueryHandler(toggle_member, pattern=cb.pattern("set.alsw")))
    application.add_handler(CallbackQueryHandler(my_alerts, pattern=cb.pattern("set.my")))
    application.add_handler(CallbackQueryHandler(toggle_mine, pattern=cb.pattern("set.mysw")))
