"""Results over the years: series of indicator values, each value citing where it came from.

A `Series` is one indicator for one entity (a municipality, a school unit, or the document's own
organisation when it names none) and one gender ("T" = totalt, "K" = kvinnor/flickor, "M" =
män/pojkar; None when the source does not split by gender), with its values per period. Values come
from two kinds of source: indicator records of ingested documents (goal–indicator–outcome tables)
and Kolada (RKA's open KPI database), imported through its API or an exported file.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, Field

SourceKind = Literal["dokument", "kolada"]
KOLADA_LABEL = "Källa: Kolada (RKA)"


class ValueSource(BaseModel):
    """Where one value stands. Documents: path, page and lines of the indicator row (and its passage
    id); Kolada: KPI id, entity id and the label "Källa: Kolada (RKA)" that travels with the value."""

    kind: SourceKind
    label: str
    passage_id: str | None = None
    path: str | None = None
    page: int | None = None
    line_start: int | None = None
    line_end: int | None = None
    kpi_id: str | None = None
    entity_id: str | None = None


class Point(BaseModel):
    """One period's value. `year` is the calendar year (a läsår's end year); `period` as written
    ("2023", "T2 2023", "läsår 2022/23"); `value` in the series' unit (None when the source has
    the period but no value); target with its comparator (">=", ">", "<=", "<" or None = at least)."""

    year: int
    period: str
    value: float | None
    value_raw: str | None = None
    target: float | None = None
    target_raw: str | None = None
    comparator: str | None = None
    assessment: str | None = None
    comment: str | None = None
    source: ValueSource


class Series(BaseModel):
    """One indicator over the years for one entity and gender. `title` is the most recent wording;
    `wordings` every wording that was matched into this series (documents change them)."""

    id: str
    source_kind: SourceKind
    title: str
    wordings: list[str] = Field(default_factory=list)
    unit: str | None = None
    kpi_id: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    entity_kind: Literal["kommun", "enhet"] | None = None
    gender: str | None = None
    goal: str | None = None
    points: list[Point] = Field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({p.year for p in self.points if p.value is not None})

    def latest_target(self) -> tuple[float | None, str | None]:
        """The target of the latest period that has one, with its comparator."""
        for p in sorted(self.points, key=lambda p: p.year, reverse=True):
            if p.target is not None:
                return p.target, p.comparator
        return None, None


def series_id(*parts: str | None) -> str:
    """A stable id from the series' identifying parts (source kind, key, entity, gender)."""
    key = "\x1f".join(p or "" for p in parts)
    return "s_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
