"""Reading and writing front-end state (``ChatState``) as JSON, one row per key."""

import json
from typing import Any, Final

from sqlalchemy import bindparam, delete, select
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


def _upsert(insert: Any) -> Any:
    statement = insert(ChatState)
    return statement.on_conflict_do_update(
        index_elements=[ChatState.kind, ChatState.key],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
    )


# Built once: the persistence writes after every update, and building a statement costs more
# than running it (compiled forms are cached by SQLAlchemy; constructing them is not).
_UPSERT: Final = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(pg_insert)}
_DELETE: Final = delete(ChatState).where(
    ChatState.kind == bindparam("gone_kind"), ChatState.key == bindparam("gone_key")
)


async def save_states(uow: UnitOfWork, changes: list[tuple[str, str, Any]]) -> None:
    """Writes ``(kind, key, value)`` triples in one transaction; a value of None deletes."""
    if not changes:
        return
    now = utcnow()
    upserts = [
        {
            "kind": kind,
            "key": key,
            "data": json.dumps(value, ensure_ascii=False, separators=(",", ":")),
            "updated_at": now,
        }
        for kind, key, value in changes
        if value is not None
    ]
    deletes = [
        {"gone_kind": kind, "gone_key": key} for kind, key, value in changes if value is None
    ]
    async with uow:
        connection = await uow.session.connection()
        if upserts:
            await connection.execute(_UPSERT[uow.dialect], upserts)
        if deletes:
            await connection.execute(_DELETE, deletes)
        await uow.commit()
