"""Tables of results over the years: Kolada values and the admin's corrections of series matching.

Indicator values from documents are not copied here: they are read from the passage catalog
(section_kind "indikator"), so they always agree with the index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.storage.db import Base, UTCDateTime, utcnow


class KoladaValueRow(Base):
    """One Kolada value: a KPI for a municipality (entity_kind "kommun") or school unit ("enhet"),
    a gender (T, K, M) and a period (year). `source` is "api" or the imported file's name."""

    __tablename__ = "kolada_values"
    __table_args__ = (UniqueConstraint("kpi_id", "entity_kind", "entity_id", "gender", "period",
                                       name="uq_kolada_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kpi_id: Mapped[str] = mapped_column(String(32), index=True)
    kpi_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    entity_kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(64))
    entity_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    gender: Mapped[str] = mapped_column(String(1))
    period: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer, index=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(256))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SeriesAliasRow(Base):
    """An admin's correction: this indicator wording (normalised) belongs to that series key."""

    __tablename__ = "series_aliases"

    wording: Mapped[str] = mapped_column(String(512), primary_key=True)
    series_key: Mapped[str] = mapped_column(String(512))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
