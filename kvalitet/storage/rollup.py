"""Tables of the roll-up (issue 20): the unit register and which unit each ingested document
belongs to. Created by the Alembic migration 0007_rollup (tests/service/test_rollup_storage.py
compares this module with it).

A document's unit is recognised from its text at roll-up time or set by hand (at upload, from
the API or the CLI); `how` says which, and a unit set by hand is never overwritten by
recognition.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.storage.db import Base, UTCDateTime, utcnow
from kvalitet.storage.db import table_args

UNIT_KINDS = ("förskola", "grundskola", "grundsärskola", "gymnasium", "gymnasiesärskola", "fritidshem",
              "vuxenutbildning", "annan")
ASSIGNED_HOW = ("recognised", "set")




class UnitRow(Base):
    """A unit of the huvudman: a förskola, grundskola, gymnasium, fritidshem …"""

    __tablename__ = "units"
    __table_args__ = table_args("units", {"kind": UNIT_KINDS})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="annan")
    parent: Mapped[str | None] = mapped_column(String(200), nullable=True)  # area or huvudman
    kolada_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # skolenhet id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DocumentUnitRow(Base):
    """The unit an ingested document belongs to (documents.path; no foreign key, so that a
    re-ingest that replaces the document keeps its unit)."""

    __tablename__ = "document_units"
    __table_args__ = table_args("document_units", {"how": ASSIGNED_HOW})

    doc_path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    how: Mapped[str] = mapped_column(String(16), default="recognised")
    set_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


ROLLUP_TABLES = ("units", "document_units")
