"""Conversation storage: the `conversations` and `messages` tables (migration 0003_chat).

A conversation belongs to the user who started it. Reading it is for the owner and admins;
continuing it (posting into it) is for the owner only, so that nobody acts in a conversation whose
earlier turns (and drafts) are someone else's. A conversation that does not exist is NotFound
(404); one that exists but is not yours is Forbidden (403), as the workspace answers for a report
of another unit. Ids are 128 random bits, so a 403 does not help anyone enumerate conversations.

Rows of a conversation, in `position` order:
  user       the user's message; data: {"report_id", "item_id"}
  assistant  data.final False: the model's turn that asked for tools (data.tool_calls);
             data.final True: the answer shown to the user (citations, placed, drafts, tools …)
  tool       one tool call and its result: data {"name", "call_id", "arguments", "status",
             "summary", "model_content" (what the model saw), "candidates", "placed", "llm"}
  summary    reserved for condensed older turns (the assistant condenses on the fly today)
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.storage.db import Base, UTCDateTime, utcnow, table_args
from kvalitet.errors import Conflict, Forbidden, InvalidInput, NotFound
from kvalitet.workspace.auth import User

MESSAGE_ROLES = ("user", "assistant", "tool", "summary")
CHAT_TABLES = ("conversations", "messages")
TITLE_CHARS = 80


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = table_args("conversations", indexes=("owner_id",))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = table_args("messages", {"role": MESSAGE_ROLES}, indexes=("conversation_id",),
                                unique={"uq_messages_conversation_position": ("conversation_id", "position")})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StoredMessage:
    """A message row as plain data (no ORM object leaves the store)."""

    __slots__ = ("id", "position", "role", "content", "data", "created_at")

    def __init__(self, row: MessageRow):
        self.id = row.id
        self.position = row.position
        self.role = row.role
        self.content = row.content
        self.data = dict(row.data or {})
        self.created_at = row.created_at

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"StoredMessage({self.position}, {self.role!r}, {self.content[:40]!r})"


class ChatStore:
    def __init__(self, db):
        self.db = db

    # -- conversations ----------------------------------------------------------------
    def create(self, user: User, first_message: str) -> str:
        if user.id is None:
            raise InvalidInput("Chatten kräver en inloggad användare / the chat needs a signed-in user")
        title = " ".join(first_message.split())[:TITLE_CHARS] or "Samtal"
        cid = secrets.token_hex(16)
        with self.db.session() as s:
            now = utcnow()
            s.add(ConversationRow(id=cid, owner_id=user.id, title=title, created_at=now, updated_at=now))
        return cid

    def check(self, conversation_id: str, user: User, *, write: bool) -> ConversationRow:
        """The conversation if `user` may read it (owner or admin) or, with `write`, continue it
        (owner only). NotFound when it does not exist, Forbidden when it is someone else's."""
        with self.db.session() as s:
            row = s.get(ConversationRow, conversation_id)
            if row is None:
                raise NotFound(f"Inget samtal med id {conversation_id} / no such conversation")
            own = user.id is not None and row.owner_id == user.id
            if not own and write:
                raise Forbidden("Bara den som startade samtalet kan fortsätta det / "
                                "only its owner can continue a conversation")
            if not own and not user.is_admin:
                raise Forbidden("Samtalet tillhör en annan användare / the conversation belongs to another user")
            s.expunge(row)
            return row

    def list_for(self, user: User) -> list[ConversationRow]:
        with self.db.session() as s:
            rows = list(s.scalars(
                select(ConversationRow).where(ConversationRow.owner_id == user.id)
                .order_by(ConversationRow.updated_at.desc(), ConversationRow.id)
            ))
            for r in rows:
                s.expunge(r)
            return rows

    # -- messages ---------------------------------------------------------------------
    def append(self, conversation_id: str, role: str, content: str, data: dict[str, Any] | None = None) -> int:
        """Append a message at the end; returns its position. Two requests appending to the same
        conversation at once get distinct positions (a unique constraint and a retry)."""
        if role not in MESSAGE_ROLES:
            raise ValueError(f"unknown role {role!r}")
        for _attempt in range(5):
            try:
                with self.db.session() as s:
                    last = s.scalar(
                        select(func.max(MessageRow.position)).where(MessageRow.conversation_id == conversation_id)
                    )
                    pos = (last or 0) + 1
                    now = utcnow()
                    s.add(MessageRow(conversation_id=conversation_id, position=pos, role=role,
                                     content=content, data=data or {}, created_at=now))
                    conv = s.get(ConversationRow, conversation_id)
                    if conv is not None:
                        conv.updated_at = now
                return pos
            except IntegrityError:
                continue
        raise Conflict("Samtalet ändrades samtidigt; försök igen / concurrent change, try again")

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        with self.db.session() as s:
            rows = s.scalars(
                select(MessageRow).where(MessageRow.conversation_id == conversation_id).order_by(MessageRow.position)
            )
            return [StoredMessage(r) for r in rows]
