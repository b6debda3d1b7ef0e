"""Request ids of commands that do not post a document (DESIGN rule 6).

Documents keep their own request id; everything else that writes records here what the first
request made, so a repeat can answer with it and write nothing.
"""

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Final, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import RequestConflict
from core.tenancy.models import RequestRecord

P = ParamSpec("P")
R = TypeVar("R")
NEW_BUSINESS: Final = 0  # the scope of requests that open a business: there is none yet


async def earlier_result(
    session: AsyncSession, user_id: int, scope: int, request_id: str, kind: str
) -> int | None:
    """The id of what an earlier request with this id made in this business, or None.

    ``scope`` is the business acted in, so an id reused in another business never answers
    with a row of the first one (DESIGN rule 9).

    Raises:
        RequestConflict: the id was used for another kind of command.
    """
    record = await session.scalar(
        select(RequestRecord).where(
            RequestRecord.user_id == user_id,
            RequestRecord.scope == scope,
            RequestRecord.request_id == request_id,
        )
    )
    if record is None:
        return None
    if record.kind != kind:
        raise RequestConflict(request_id)
    return record.ref_id


def remember(
    session: AsyncSession, user_id: int, scope: int, request_id: str, kind: str, ref_id: int
) -> None:
    """Records the outcome of a request in the caller's transaction."""
    session.add(
        RequestRecord(
            user_id=user_id, scope=scope, request_id=request_id, kind=kind, ref_id=ref_id
        )
    )


def once_per_request(
    service: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Runs a mutating service again when a concurrent transaction won a unique key.

    On PostgreSQL two deliveries of one request (or two clerks adding the same SKU) can both
    pass the "already done?" check before either commits; the loser's insert then fails on
    the unique key and nothing of it is written. Running the service once more sees the
    winner's committed row and answers with its result (or the domain's refusal, such as
    ``Duplicate``), which is what the caller would have got a moment later.
    """

    @functools.wraps(service)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await service(*args, **kwargs)
        except IntegrityError:
            return await service(*args, **kwargs)

    return run
