"""Reading and writing front-end state (``ChatState``) as JSON, one row per key."""

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.chatstate.models import ChatState
from core.db.base import utcnow
from core.db.uow import UnitOfWork


async def load_states(uow: UnitOfWork, kind: str) -> dict[str, Any]:
    """Every saved value of one kind, by key."""
    async with uow.reading() as session:
        rows = (
            await session.execute(
                select(ChatState.key, ChatState.data).where(ChatState.kind == kind)
            )
        ).all()
    return {row.key: json.loads(row.data) for row in rows}


async def save_states(uow: UnitOfWork, changes: list[tuple[str, str, Any]]) -> None:
    """Writes ``(kind, key, value)`` triples in one transaction; a value of None deletes."""
    if not changes:
        return
    async with uow:
        session = uow.session
        insert = pg_insert if uow.dialect == "postgresql" else sqlite_insert
        for kind, key, value in changes:
            if value is None:
                await session.execute(
                    delete(ChatState).where(ChatState.kind == kind, ChatState.key == key)
                )
                continue
            data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            statement = insert(ChatState).values(
                kind=kind, key=key, data=data, updated_at=utcnow()
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[ChatState.kind, ChatState.key],
                    set_={
                        "data": statement.excluded.data,
                        "updated_at": statement.excluded.updated_at,
                    },
                )
            )
        await uow.commit()
