"""Signed-in web sessions kept on the server (table web_sessions, migration 0009), by the
SHA-256 of the random session id: a signed cookie (kvalitet.web.session) counts only while its
row exists, is not revoked and has not expired. Here, below the web and ops layers, because the
web signs in and out with them and the retention (kvalitet.ops.retention) removes old ones."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, ForeignKey, String, delete, or_, update
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.storage.db import Base, Database, UTCDateTime, utcnow, table_args
from kvalitet.workspace import models as _workspace_models  # noqa: F401 - users on Base.metadata

SESSION_MAX_AGE = 12 * 60 * 60  # a working day; then sign in again


class SessionRow(Base):
    """A signed-in web session (migration 0009): kept by the SHA-256 of its random id."""

    __tablename__ = "web_sessions"
    __table_args__ = table_args("web_sessions", indexes=("user_id", "expires_at"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


class SessionStore:
    """Server-side sessions over the database: start at sign-in, is_live on every request,
    revoke at sign-out."""

    def __init__(self, db: Database):
        self.db = db

    def start(self, user_id: int, max_age: int = SESSION_MAX_AGE) -> str:
        """A new session for `user_id`; returns its id (goes into the signed cookie only)."""
        sid = secrets.token_urlsafe(32)
        now = utcnow()
        with self.db.session() as s:
            s.add(SessionRow(id=_sid_hash(sid), user_id=user_id, created_at=now,
                             expires_at=now + timedelta(seconds=max_age), revoked_at=None))
        return sid

    def is_live(self, sid: str | None, user_id: int) -> bool:
        if not sid:
            return False
        with self.db.session() as s:
            row = s.get(SessionRow, _sid_hash(sid))
            return (row is not None and row.user_id == user_id and row.revoked_at is None
                    and row.expires_at > utcnow())

    def revoke(self, sid: str | None) -> bool:
        """End the session now; True if a live session was revoked."""
        if not sid:
            return False
        with self.db.session() as s:
            row = s.get(SessionRow, _sid_hash(sid))
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = utcnow()
            return True

    def revoke_user(self, user_id: int) -> int:
        """End every session of a user (deactivation, a rotated key); the number ended."""
        with self.db.session() as s:
            # an UPDATE's result is a CursorResult (Session.execute is typed for any statement)
            res = cast(CursorResult[Any], s.execute(
                update(SessionRow).where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
                .values(revoked_at=utcnow()).execution_options(synchronize_session=False)))
            return int(res.rowcount or 0)


    def purge(self, now: datetime | None = None) -> int:
        """Remove the sessions that expired before `now` (default: now) or were revoked; the
        number removed."""
        with self.db.session() as s:
            res = cast(CursorResult[Any], s.execute(delete(SessionRow).where(
                or_(SessionRow.expires_at < (now or utcnow()), SessionRow.revoked_at.is_not(None)))))
            return int(res.rowcount or 0)
