"""Retention of personal data that Kvalitet keeps only for a while (issue 17, item 11).

* Conversations (the chat's questions, answers and tool results, which quote documents and
  name people) are deleted with their messages when they have not been used for
  ``KVALITET_CONVERSATION_RETENTION_DAYS`` days (default 180; 0 keeps them).
* Restored-away copies (``<index>.before-restore-<time>-<id>`` and the database copy
  ``<db>.before-restore-<time>-<id>`` that `kvalitet restore` keeps beside the new ones) are
  deleted ``KVALITET_RESTORED_COPY_RETENTION_DAYS`` days (default 30; 0 keeps them) after the
  restore that made them; the age is read from the time in the name (a rename keeps the old
  modification time).
* Web sessions that have expired or were signed out are deleted (they hold only ids).

Applied at start-up (the app's lifespan) and by `kvalitet retention` (a daily cron line).
"""

from __future__ import annotations

import logging
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult

from kvalitet.settings import Settings
from kvalitet.storage.db import Database, utcnow

log = logging.getLogger(__name__)

_RESTORED = re.compile(r"\.before-restore-(\d{8}-\d{6})(?:-[0-9a-f]+)?$")


def restored_copies(settings: Settings) -> list[tuple[Path, datetime]]:
    """The restored-away copies beside the index folder and the SQLite database, with when the
    restore made them (local time, as written in their names)."""
    places = [Path(settings.index_dir)]
    url = settings.db_url
    if url.startswith("sqlite:///"):
        places.append(Path(url.split(":///", 1)[1].split("?", 1)[0]))
    out = []
    seen = set()
    for place in places:
        parent = place.parent
        if not parent.is_dir():
            continue
        for p in parent.glob(place.name + ".before-restore-*"):
            m = _RESTORED.search(p.name)
            if m and p not in seen:
                seen.add(p)
                out.append((p, datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")))
    return sorted(out)


def apply_retention(settings: Settings, db: Database, *, now: datetime | None = None) -> dict:
    """Delete what is past its retention under `settings` from `db` and beside the index (see
    module doc); returns the counts {"conversations", "messages", "restored_copies", "sessions"}."""
    from kvalitet.chat.store import ConversationRow, MessageRow

    out = {"conversations": 0, "messages": 0, "restored_copies": 0, "sessions": 0}
    days = settings.conversation_retention_days
    if days and days > 0:
        cutoff = (now or utcnow()) - timedelta(days=days)
        with db.session() as s:
            old = list(s.scalars(select(ConversationRow.id).where(ConversationRow.updated_at < cutoff)))
            for i in range(0, len(old), 500):
                chunk = old[i:i + 500]
                # a DELETE's result is a CursorResult (Session.execute is typed for any statement)
                gone = cast(CursorResult[Any], s.execute(delete(MessageRow).where(MessageRow.conversation_id.in_(chunk))))
                out["messages"] += gone.rowcount or 0
                gone = cast(CursorResult[Any], s.execute(delete(ConversationRow).where(ConversationRow.id.in_(chunk))))
                out["conversations"] += gone.rowcount or 0
    days = settings.restored_copy_retention_days
    if days and days > 0:
        local_now = (now.astimezone().replace(tzinfo=None) if now else datetime.now())
        for path, made in restored_copies(settings):
            if local_now - made > timedelta(days=days):
                try:
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
                    out["restored_copies"] += 1
                    log.info("retention: removed the restored-away copy %s", path)
                except OSError as exc:  # pragma: no cover
                    log.warning("retention: could not remove %s: %s", path, exc)
    try:
        from kvalitet.workspace.sessions import SessionStore

        out["sessions"] = SessionStore(db).purge(now)
    except Exception:  # pragma: no cover - the table is migrated with the rest
        log.exception("retention: sessions")
    return out
