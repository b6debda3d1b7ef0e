"""Request ids of commands that do not post a document (DESIGN rule 6).

Documents keep their own request id; everything else that writes records here what the first
request made, so a repeat can answer with it and write nothing.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import RequestConflict
from core.tenancy.models import RequestRecord


async def earlier_result(
    session: AsyncSession, user_id: int, request_id: str, kind: str
) -> int | None:
    """The id of what an earlier request with this id made, or None.

    Raises:
        RequestConflict: the id was used for another kind of command.
    """
    record = await session.scalar(
        select(RequestRecord).where(
            RequestRecord.user_id == user_id, RequestRecord.request_id == request_id
        )
    )
    if record is None:
        return None
    if record.kind != kind:
        raise RequestConflict(request_id)
    return record.ref_id


def remember(session: AsyncSession, user_id: int, request_id: str, kind: str, ref_id: int) -> None:
    """Records the outcome of a request in the caller's transaction."""
    session.add(RequestRecord(user_id=user_id, request_id=request_id, kind=kind, ref_id=ref_id))
