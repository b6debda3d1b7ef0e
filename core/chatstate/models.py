"""Where the chat front end keeps its conversations and drafts between restarts."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime, utcnow


class ChatState(Base):
    """One piece of front-end state as JSON: a person's drafts, a chat's data, a flow's step.

    ``kind`` says which (``user``, ``chat``, ``bot``, ``conversation:<flow>``) and ``key`` whose
    (a user id, a chat id, a conversation key as JSON). The domain never reads it: losing it
    loses a half-made draft, never a posted document.
    """

    __tablename__ = "chat_states"

    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
