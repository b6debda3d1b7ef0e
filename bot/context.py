"""What every handler gets: the database, the settings, and who is asking."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from core.db.base import utcnow
from core.db.engine import Database
from core.db.uow import UnitOfWork
from core.tenancy.access import Actor


@dataclass
class BotResources:
    """Process-wide things handlers use; kept as ``bot_data``, which is not persisted."""

    db: Database
    admin_chat_id: int | None = None
    bot_username: str = ""
    clock: Callable[[], datetime] = utcnow  # tests move time forward without sleeping
    extra: dict[str, Any] = field(default_factory=dict)


class BotContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], BotResources]):
    """CallbackContext with typed access to the unit of work and the acting member."""

    def __init__(
        self,
        application: "Application[Any, BotContext, Any, Any, BotResources, Any]",
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self.group_business_id: int | None = None  # set by the access handler in a bound group
        self.in_public = False  # a group chat: answers follow its lowest role (no costs)

    @property
    def resources(self) -> BotResources:
        """The process-wide resources."""
        return self.bot_data

    def uow(self) -> UnitOfWork:
        """A fresh unit of work: one per core call."""
        return UnitOfWork(self.bot_data.db)

    def actor(self, update: Update) -> Actor:
        """The person behind the update; in a bound group, acting in the group's business."""
        user = update.effective_user
        assert user is not None  # handlers that act are only called for updates with a user
        return Actor(user_id=user.id, business_id=self.group_business_id, in_public=self.in_public)

    def now(self) -> datetime:
        """The current UTC time (the test clock in tests)."""
        return self.bot_data.clock()
