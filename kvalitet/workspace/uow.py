"""The workspace's unit of work: what every change to a report does inside its one transaction.

`Workspace` (service.py) and the report features beside it (carry_forward.py, importer.py,
jobs.py) load a report, refuse a published one, write the change with its audit row and its
snapshot, and mark the report touched, all through these functions, in the caller's session
(`s`), so the change and its audit row commit or roll back together.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from kvalitet.domain.types import DRAFT_SECTIONS
from kvalitet.errors import Conflict, InvalidInput, NotFound
from kvalitet.storage.db import utcnow
from kvalitet.workspace.auth import User
from kvalitet.workspace.models import AuditRow, ReportRow

# The fields of a row kept in the audit log's before/after snapshots.
SNAP_REPORT = ("title", "kind", "year", "unit", "owner_id", "state", "published_path", "version")
SNAP_ITEM = (
    "position", "activity", "goal", "status", "notes", "perspective", "area", "committee", "deadline",
    "comment", "responsible", "history_ids", "carried_from",
)
SNAP_SUGGESTION = ("state", "text", "original_text", "version", "reviewed_by", "generator", "prompt_version")


def validation_error(exc: ValidationError) -> InvalidInput:
    """A pydantic validation error as our InvalidInput (422), every field and message named."""
    msgs = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
    return InvalidInput(f"Ogiltiga uppgifter / invalid input: {msgs}")


def _iso(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return v


def snapshot(row: Any, fields: Iterable[str]) -> dict:
    """The row's `fields` as a JSON-ready dict (dates as ISO strings), for the audit log."""
    return {f: _iso(getattr(row, f)) for f in fields}


def record_audit(
    s: Session, user: User, action: str, object_type: str, object_id: Any, report_id: int | None,
    before: dict | None = None, after: dict | None = None,
) -> None:
    """Add an audit row (who, what, on which object, before and after) to the session."""
    s.add(AuditRow(
        at=utcnow(), user_id=user.id, actor=user.name, action=action, object_type=object_type,
        object_id=str(object_id), report_id=report_id,
        before=json.loads(json.dumps(before, default=str)) if before is not None else None,
        after=json.loads(json.dumps(after, default=str)) if after is not None else None,
    ))


def touch(s: Session, report_id: int) -> None:
    """Mark the report changed without bumping its version (children have their own)."""
    s.execute(
        update(ReportRow).where(ReportRow.id == report_id).values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def load_report(s: Session, report_id: int) -> ReportRow:
    """The report's row; NotFound (404) when there is none."""
    row = s.get(ReportRow, report_id)
    if row is None:
        raise NotFound(f"Ingen rapport med id {report_id} / no such report")
    return row


def ensure_open(report: ReportRow) -> None:
    """Conflict (409) when the report is published: it must be reopened to be changed."""
    if report.state == "published":
        raise Conflict(
            f"Rapporten {report.id} är publicerad och kan inte ändras; öppna den igen först "
            "(reopen) / the report is published: reopen it to change it"
        )


def draft_sections(sections: Sequence[str] | None) -> list[str]:
    """The draft sections asked for, in order and without repeats (all of them for None or
    empty); InvalidInput (422) naming an unknown one."""
    if not sections:
        return list(DRAFT_SECTIONS)
    bad = [k for k in sections if k not in DRAFT_SECTIONS]
    if bad:
        raise InvalidInput(
            f"Okänd avsnittstyp {', '.join(map(repr, bad))}; välj bland {', '.join(DRAFT_SECTIONS)} / unknown section"
        )
    return list(dict.fromkeys(sections))
