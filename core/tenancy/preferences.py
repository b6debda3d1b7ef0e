"""A person's own choices that belong to no business: their language."""

from pydantic import field_validator
from sqlalchemy import select, update

from core.commands import Command
from core.db.uow import UnitOfWork
from core.tenancy.businesses import SUPPORTED_LOCALES
from core.tenancy.models import UserPreference


class ChooseLanguage(Command):
    """Speak to me in this language from now on."""

    user_id: int
    locale: str

    @field_validator("locale")
    @classmethod
    def _spoken(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value


async def chosen_language(uow: UnitOfWork, user_id: int) -> str | None:
    """The language the person chose, if they ever did."""
    async with uow.reading() as session:
        found: str | None = await session.scalar(
            select(UserPreference.locale).where(UserPreference.user_id == user_id)
        )
    return found


async def choose_language(uow: UnitOfWork, cmd: ChooseLanguage) -> None:
    """Remembers the person's language (choosing the same one twice is harmless)."""
    async with uow:
        changed = await uow.session.execute(
            update(UserPreference)
            .where(UserPreference.user_id == cmd.user_id)
            .values(locale=cmd.locale)
        )
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            uow.session.add(UserPreference(user_id=cmd.user_id, locale=cmd.locale))
        await uow.commit()
