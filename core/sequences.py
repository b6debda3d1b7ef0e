"""Per-business counters that never hand out a number twice, also under concurrency."""

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.tenancy.models import Sequence


async def next_number(session: AsyncSession, business_id: int, name: str, year: int) -> int:
    """Takes the next number of a counter in the caller's transaction.

    The UPDATE locks the counter row until commit (PostgreSQL) or runs under the writer lock
    (SQLite), so two postings never get the same number; a rolled-back posting's number was
    never used by anyone.
    """
    bump = (
        update(Sequence)
        .where(Sequence.business_id == business_id, Sequence.name == name, Sequence.year == year)
        .values(last=Sequence.last + 1)
        .returning(Sequence.last)
    )
    number = await session.scalar(bump)
    if number is not None:
        return number
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(Sequence)
        .values(business_id=business_id, name=name, year=year, last=0)
        .on_conflict_do_nothing()
    )
    number = await session.scalar(bump)
    assert number is not None  # the row exists now: we or a concurrent posting made it
    return number
