"""What every flow (purchase, sale, count, ...) shares: its draft, steps, timeout and cancel.

A flow is a persistent ``FlowHandler`` (a ConversationHandler). Its draft is plain JSON in
``user_data["draft"]``: the flow's name, the chat, the request id minted at the start (so a
double tap on Confirm posts once, DESIGN rule 6), when the user last did something and the
business's idle timeout, plus the flow's own fields. Decimals are kept as strings.

Every state callback is wrapped by ``@step(FLOW)``, which ends the flow with the timeout
message when it was idle too long (also after a restart: PTB does not persist its own
timeouts), answers a press that belongs to no live draft as stale, and after the step
records the activity and re-arms the timeout job.
"""

import logging
import uuid
import warnings
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Final

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.handlers.menu import any_menu_press
from bot.handlers.replies import answer_press
from bot.i18n import _, current_language, use_language
from bot.render import callbacks as cb

logger = logging.getLogger(__name__)

END: Final = ConversationHandler.END
DRAFT: Final = "draft"
DEFAULT_TIMEOUT_MINUTES: Final = 30
_FLOWS: dict[str, "FlowHandler"] = {}  # by name, for ending one from a job

Step = Callable[[Update, BotContext], Coroutine[Any, Any, object]]


def text_of(update: Update) -> str:
    """What the user typed (empty for a press)."""
    message = update.effective_message
    return (message.text or "") if message is not None else ""


def arg_of(update: Update) -> str:
    """The first argument of the pressed button's data (empty if none)."""
    query = update.callback_query
    found = cb.args(query.data if query is not None else None)
    return found[0] if found else ""


def new_request_id(kind: str) -> str:
    """A request id for one flow run: kept in the draft, so retries carry the same one."""
    return f"{kind}:{uuid.uuid4().hex}"


def begin(
    context: BotContext, flow: str, chat_id: int, timeout_minutes: int, **fields: Any
) -> dict[str, Any]:
    """Starts a draft for ``flow`` (replacing any other of this user's)."""
    assert context.user_data is not None
    draft: dict[str, Any] = {
        "flow": flow,
        "chat_id": chat_id,
        "request_id": new_request_id(flow),
        "timeout": timeout_minutes,
        "touched": context.now().isoformat(),
        "language": current_language(),
        **fields,
    }
    context.user_data[DRAFT] = draft
    return draft


def draft_of(context: BotContext, flow: str) -> dict[str, Any] | None:
    """The user's live draft of ``flow``, if there is one."""
    found = (context.user_data or {}).get(DRAFT)
    return found if isinstance(found, dict) and found.get("flow") == flow else None


def require_draft(context: BotContext, flow: str) -> dict[str, Any]:
    """The draft a step works on (``@step`` has checked it exists)."""
    found = draft_of(context, flow)
    assert found is not None, "@step lets a step run only with its draft"
    return found


def drop_draft(context: BotContext) -> None:
    """Forgets the user's draft (after posting, cancel or timeout)."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


def is_idle(draft: dict[str, Any], now: datetime) -> bool:
    """Whether the draft has waited longer than its business's conversation timeout."""
    touched = datetime.fromisoformat(draft["touched"])
    return now - touched > timedelta(minutes=int(draft.get("timeout", DEFAULT_TIMEOUT_MINUTES)))


def step(flow: str) -> Callable[[Step], Step]:
    """Wraps a state callback of ``flow``: stale and idle checks before, activity after."""

    def wrap(callback: Step) -> Step:
        @wraps(callback)
        async def run(update: Update, context: BotContext) -> object:
            draft = draft_of(context, flow)
            if draft is None or draft.get("chat_id") != _chat_id(update):
                await say_stale(update)
                return END
            if is_idle(draft, context.now()):
                drop_draft(context)
                await _tell(update, timed_out_text())
                return END
            outcome = await callback(update, context)
            if outcome != END and (live := draft_of(context, flow)) is not None:
                live["touched"] = context.now().isoformat()
                _arm_timeout(context, live, update)
            return outcome

        return run

    return wrap


def entry(flow: str) -> Callable[[Step], Step]:
    """Wraps an entry point: refuses while another flow is live here, then arms the timeout."""

    def wrap(callback: Step) -> Step:
        @wraps(callback)
        async def run(update: Update, context: BotContext) -> object:
            if _other_flow_live(context, flow):
                await busy(update, context)
                return END
            outcome = await callback(update, context)
            if outcome != END and (live := draft_of(context, flow)) is not None:
                _arm_timeout(context, live, update)
            return outcome

        return run

    return wrap


def _other_flow_live(context: BotContext, flow: str) -> bool:
    """Whether this user is still in the middle of another flow (in any chat).

    A user has one draft: starting another flow would replace it and lose what was typed.
    An idle one may be replaced (its timeout has passed; a press of it says so).
    """
    live = (context.user_data or {}).get(DRAFT)
    return isinstance(live, dict) and live.get("flow") != flow and not is_idle(live, context.now())


def timed_out_text() -> str:
    """What the user reads when a flow ends for idleness."""
    return _("This was idle too long and has been cancelled; nothing was saved.")


async def say_stale(update: Update) -> None:
    """Answers a press or message that belongs to a flow no longer running."""
    text = _("This button is no longer active.")
    if update.callback_query is not None:
        await answer_press(update, text)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(
            _("That step has ended. Send /start for the menu.")
        )


async def _tell(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await answer_press(update)
    if update.effective_chat is not None:
        await update.get_bot().send_message(update.effective_chat.id, text)


def _chat_id(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat else None


def _job_name(user_id: int, chat_id: int) -> str:
    return f"flow-timeout:{user_id}:{chat_id}"


def _arm_timeout(context: BotContext, draft: dict[str, Any], update: Update) -> None:
    if context.job_queue is None or update.effective_user is None:
        return
    user_id, chat_id = update.effective_user.id, draft["chat_id"]
    name = _job_name(user_id, chat_id)
    for old in context.job_queue.get_jobs_by_name(name):
        old.schedule_removal()
    context.job_queue.run_once(
        _timeout_job,  # type: ignore[arg-type]  # PTB's JobQueue is typed for its own context
        when=timedelta(minutes=int(draft["timeout"]), seconds=1),
        data={"user_id": user_id, "chat_id": chat_id, "language": draft.get("language")},
        name=name,
        user_id=user_id,
        chat_id=chat_id,
    )


async def _timeout_job(context: BotContext) -> None:
    """Ends a flow nobody touched for its timeout, and says so."""
    assert context.job is not None
    data: dict[str, Any] = context.job.data  # type: ignore[assignment]
    application = context.application
    user_data = application.user_data.get(data["user_id"])
    draft = (user_data or {}).get(DRAFT)
    if not isinstance(draft, dict) or not is_idle(draft, context.now()):
        return  # finished, or touched since (a step re-armed its own job)
    await end_flow(application, data["user_id"], draft)


async def end_flow(
    application: Application[Any, Any, Any, Any, Any, Any], user_id: int, draft: dict[str, Any]
) -> None:
    """Ends an idle flow: drops the draft, ends the conversation, tells the user."""
    application.user_data[user_id].pop(DRAFT, None)
    handler = _FLOWS.get(str(draft.get("flow")))
    if handler is not None:
        handler.end_conversation(int(draft["chat_id"]), user_id)
    application.mark_data_for_update_persistence(user_ids=user_id)
    with use_language(str(draft.get("language") or "zh-CN")):
        text = timed_out_text()
    logger.info("flow %s of user %s timed out", draft.get("flow"), user_id)
    await application.bot.send_message(int(draft["chat_id"]), text)
    await application.update_persistence()


async def expire_idle_flows(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At start: ends flows that went idle while the bot was down, re-arms the others."""
    now = application.bot_data.clock()
    for user_id, user_data in list(application.user_data.items()):
        draft = user_data.get(DRAFT)
        if not isinstance(draft, dict):
            continue
        if is_idle(draft, now):
            await end_flow(application, user_id, draft)
        elif application.job_queue is not None:
            touched = datetime.fromisoformat(draft["touched"])
            due = touched + timedelta(minutes=int(draft["timeout"]), seconds=1)
            application.job_queue.run_once(
                _timeout_job,
                when=max(due - now, timedelta(seconds=1)),
                data={"user_id": user_id, "chat_id": draft["chat_id"]},
                name=_job_name(user_id, int(draft["chat_id"])),
            )


async def cancel(update: Update, context: BotContext) -> object:
    """/cancel or the Cancel button: drops the draft; nothing was posted."""
    drop_draft(context)
    text = _("Cancelled. Nothing was saved.")
    if update.callback_query is not None:
        await answer_press(update)
        await update.callback_query.edit_message_text(text)
    elif update.effective_message is not None:
        from bot.handlers.menu import main_menu  # noqa: PLC0415 - menu imports flows' entries

        await update.effective_message.reply_text(text, reply_markup=main_menu().keyboard)
    return END


async def busy(update: Update, context: BotContext) -> object:
    """Another command or menu button in the middle of a flow: finish or cancel it first.

    A flow that went idle meanwhile is ended instead (the user then sends it again).
    """
    live = (context.user_data or {}).get(DRAFT)
    if not isinstance(live, dict) or is_idle(live, context.now()):
        drop_draft(context)
        await _tell(update, timed_out_text())
        return END
    text = _("You are in the middle of something. Finish it, or send /cancel to stop it.")
    if update.callback_query is not None:
        await answer_press(update, text, alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return None  # stay at the same step


async def tap_a_button(update: Update, context: BotContext) -> object:
    """A message at a step that expects a button press: says so; the step goes on."""
    del context
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            _("Please tap one of the buttons above, or send /cancel to stop.")
        )
    return None  # stay at the same step


class FlowHandler(ConversationHandler[BotContext]):
    """A persistent flow whose conversation can be ended from outside (timeouts)."""

    def __init__(
        self,
        name: str,
        entry_points: list[BaseHandler[Update, BotContext, object]],
        states: dict[object, list[BaseHandler[Update, BotContext, object]]],
        fallbacks: list[BaseHandler[Update, BotContext, object]] | None = None,
    ) -> None:
        menu = MessageHandler(any_menu_press(), busy)
        # Last in every step: a message the step does not take (text where it wants a tap, a
        # sticker, a photo) gets "tap a button" and the step waits; it never falls through
        # to the quick stock query or another handler while the flow is open.
        other = MessageHandler(~filters.COMMAND, step(name)(tap_a_button))
        states = {state: [menu, *handlers, other] for state, handlers in states.items()}
        with warnings.catch_warnings():
            # PTB warns that CallbackQueryHandlers are not tracked per message; a flow is
            # per (chat, user) on purpose, and @step answers presses of ended flows as stale.
            warnings.filterwarnings("ignore", message=".*per_message.*")
            self._build(entry_points, states, fallbacks, name)
        _FLOWS[name] = self

    def _build(
        self,
        entry_points: list[BaseHandler[Update, BotContext, object]],
        states: dict[object, list[BaseHandler[Update, BotContext, object]]],
        fallbacks: list[BaseHandler[Update, BotContext, object]] | None,
        name: str,
    ) -> None:
        super().__init__(
            entry_points=entry_points,
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=cb.pattern("cancel")),
                *(fallbacks or []),
                MessageHandler(filters.COMMAND, busy),
            ],
            name=name,
            persistent=True,
            allow_reentry=False,
        )

    def end_conversation(self, chat_id: int, user_id: int) -> None:
        """Ends the conversation of (chat, user) as PTB's own timeout does."""
        self._update_state(self.END, (chat_id, user_id))
