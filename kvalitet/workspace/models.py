"""The report workspace's tables: users, reports, items, sections, suggestions, audit log.

Created by the Alembic migration 0002_workspace (explicit op.create_table calls; this module
and that migration must agree, tests/service/test_workspace_storage.py compares them).

Nothing is deleted: a rejected suggestion keeps its row (state "rejected"); an edited one
keeps the drafter's words in `original_text`. Suggestions and reports carry a `version`
counter used for optimistic locking (SQLAlchemy's version_id_col: every UPDATE says
"WHERE version = <the version I read>" and a stale write fails instead of overwriting).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.storage.db import Base, UTCDateTime, utcnow
from kvalitet.storage.db import table_args

ROLES = ("rektor", "kvalitetsutvecklare", "granskare", "admin")
REPORT_KINDS = ("verksamhetsplan_uppfoljning", "aktivitetsuppfoljning", "kvalitetsrapport", "huvudmannarapport")
REPORT_STATES = ("draft", "published")
SECTION_KINDS = ("uppfoljning", "analys", "risker", "kostnader")  # = types.DRAFT_SECTIONS
SUGGESTION_STATES = ("pending", "accepted", "edited", "rejected")




class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = table_args("users", {"role": ROLES})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The token is "kv_<token_id>_<secret>": token_id (not secret) finds the row, one argon2
    # verification of the whole token checks it. Never a scan over all hashes.
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = table_args("reports", {"kind": REPORT_KINDS, "state": REPORT_STATES}, indexes=("unit",))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(32), default="draft")
    published_path: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class ItemRow(Base):
    """One activity (or insats) of a report, with the facts the principal entered."""

    __tablename__ = "items"
    __table_args__ = table_args("items", indexes=("report_id",))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    activity: Mapped[str] = mapped_column(Text)
    goal: Mapped[str | None] = mapped_column(Text, nullable=True)  # nämndmål
    status: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)  # the principal's notes for the draft
    perspective: Mapped[str | None] = mapped_column(String(64), nullable=True)
    area: Mapped[str | None] = mapped_column(String(200), nullable=True)  # utvecklingsområde (quality report)
    committee: Mapped[str | None] = mapped_column(String(64), nullable=True)  # nämnd
    deadline: Mapped[str | None] = mapped_column(String(128), nullable=True)  # slutfört
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)  # kommentar
    responsible: Mapped[str | None] = mapped_column(Text, nullable=True)  # ansvar (quality report)
    history_ids: Mapped[list] = mapped_column(JSON, default=list)  # passage ids of its history
    carried_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {section kind: why the last draft gave it no suggestion}; shown until a suggestion arrives
    draft_notices: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SectionRow(Base):
    """A section of an item (uppföljning, analys, risker, kostnader): holds its suggestions."""

    __tablename__ = "sections"
    __table_args__ = table_args("sections", {"kind": SECTION_KINDS},
                                unique={"uq_sections_item_kind": ("item_id", "kind")})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SuggestionRow(Base):
    __tablename__ = "suggestions"
    __table_args__ = table_args("suggestions", {"state": SUGGESTION_STATES}, indexes=("section_id",))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    draft_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)  # Suggestion.id of the drafter
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str | None] = mapped_column(Text, nullable=True)  # the drafter's text once edited
    generator: Mapped[str] = mapped_column(String(64))
    prompt_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    citations: Mapped[list] = mapped_column(JSON, default=list)
    grounding: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __mapper_args__ = {"version_id_col": version}


class AuditRow(Base):
    """Who did what, when, to which object; the object's state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_report_id", "report_id"),
        Index("ix_audit_log_object", "object_type", "object_id"),
    )


    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(200))  # the user's name then (or "cli:<login>")
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


WORKSPACE_TABLES = ("users", "reports", "items", "sections", "suggestions", "audit_log")


def published_paths(db) -> set[str]:
    """The corpus paths of every published report (``reports.published_path``): the files under
    ``rapporter/`` that a report claims (kvalitet.ingest.staging.recover keeps them)."""
    from sqlalchemy import select

    with db.session() as s:
        return {p for (p,) in s.execute(select(ReportRow.published_path).where(ReportRow.published_path.is_not(None)))}
