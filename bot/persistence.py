"""PTB persistence kept in the database beside the data it is about (not a pickle file).

The application writes it after every update (``JxcApplication.process_update``), so a
restart or a crash continues a flow at the step the user was on. PTB reads conversations
only at start, so one process serves a token's updates (DESIGN, Storage).
"""

import json
import logging
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from core.chatstate.store import load_states, save_states
from core.db.engine import Database
from core.db.uow import UnitOfWork

logger = logging.getLogger(__name__)

USER: str = "user"
CHAT: str = "chat"
CONVERSATION: str = "conversation:"


class DatabasePersistence(BasePersistence[dict[str, Any], dict[str, Any], Any]):
    """user_data, chat_data and conversation states as JSON rows of ``chat_states``.

    bot_data holds process resources and callback data is not arbitrary, so neither is stored.
    """

    def __init__(self, db: Database) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False),
            update_interval=3600,  # a fallback only: every update is written when handled
        )
        self.db = db
        self._saved: dict[tuple[str, str], str | None] = {}  # what the database holds now
        self._pending: dict[tuple[str, str], Any] = {}

    def _stage(self, kind: str, key: str, value: Any) -> None:
        """Queues a change unless the database holds that already; ``write()`` commits."""
        text = None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)
        if self._saved.get((kind, key)) == text:  # a missing key reads as None: nothing saved
            self._pending.pop((kind, key), None)
            return
        self._pending[(kind, key)] = None if value is None else json.loads(text or "null")

    async def write(self) -> None:
        """Commits every queued change in one transaction (one per handled update)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            await save_states(
                self._uow(), [(kind, key, value) for (kind, key), value in pending.items()]
            )
        except Exception:
            self._pending = pending | self._pending  # kept for the next update's write
            raise
        for (kind, key), value in pending.items():
            self._saved[(kind, key)] = (
                None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)
            )

    def _remember(self, kind: str, saved: dict[str, Any]) -> None:
        for key, value in saved.items():
            self._saved[(kind, key)] = json.dumps(value, sort_keys=True, ensure_ascii=False)

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.db)

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        """Every user's saved data."""
        saved = await load_states(self._uow(), USER)
        self._remember(USER, saved)
        return {int(key): value for key, value in saved.items()}

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        """Every chat's saved data."""
        saved = await load_states(self._uow(), CHAT)
        self._remember(CHAT, saved)
        return {int(key): value for key, value in saved.items()}

    async def get_bot_data(self) -> Any:
        """Not stored (see the class)."""
        raise NotImplementedError

    async def get_callback_data(self) -> None:
        """Not stored."""
        return

    async def get_conversations(self, name: str) -> ConversationDict:
        """The saved step of every open conversation of flow ``name``."""
        saved = await load_states(self._uow(), CONVERSATION + name)
        self._remember(CONVERSATION + name, saved)
        return {tuple(json.loads(key)): state for key, state in saved.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Saves (or, when the flow ended, forgets) one conversation's step."""
        self._stage(CONVERSATION + name, json.dumps(list(key)), new_state)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        """Saves one user's data."""
        self._stage(USER, str(user_id), data or None)

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        """Saves one chat's data."""
        self._stage(CHAT, str(chat_id), data or None)

    async def update_bot_data(self, data: Any) -> None:
        """Not stored."""

    async def update_callback_data(self, data: Any) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forgets a chat's data."""
        self._stage(CHAT, str(chat_id), None)

    async def drop_user_data(self, user_id: int) -> None:
        """Forgets a user's data."""
        self._stage(USER, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    async def refresh_bot_data(self, bot_data: Any) -> None:
        """Not stored."""

    async def flush(self) -> None:
        """Writes what is still queued (PTB calls this at shutdown)."""
        await self.write()
