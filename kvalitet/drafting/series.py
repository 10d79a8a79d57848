"""Results over the years in a draft: the indicator series of kvalitet.results (the one series
model: indicator records of ingested documents joined across years, and Kolada's values) that
are about the activity, as sentences with their sources.

A document value is cited by its indicator row (the passage the series point names); its figure
and period are written as the row writes them, so the grounding check finds them in the cited
passage. A Kolada value stands in no passage: it is written with "Källa: Kolada (RKA)" and its
figures are given to the grounding check as register facts (`DraftSeries.facts`), the way the
principal's own notes are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Protocol

from kvalitet.domain.types import Citation, Passage
from kvalitet.drafting.grounding import norm
from kvalitet.results.model import KOLADA_LABEL, Series
from kvalitet.results.values import format_value

# An indicator row's own naming of its indicator: "Indikator: Andel elever … yrkesprogram."
_NAMED = re.compile(r"\bIndikator:\s*([^\n]+?)\.(?:\s|$)")


class SeriesSource(Protocol):
    """What drafting asks of the results (kvalitet.results.ResultsService is one)."""

    def all_series(self) -> list[Series]: ...

    def relevant(self, text: str, *, k: int = 3, min_share: float = 0.5,
                 series: list[Series] | None = None) -> list[Series]: ...


@dataclass
class SeriesValue:
    """One period's value as the draft writes it: `shown` and `target_shown` as the source
    writes them (a document's own "84 %", Kolada's value in Swedish notation)."""

    year: int
    period: str
    value: float
    shown: str
    target: float | None
    target_shown: str | None
    passage: Passage | None  # the indicator row (documents); None for Kolada


@dataclass
class DraftSeries:
    """A series the draft writes about: its values oldest first (only those with a value, and
    for documents only those whose row is still in the index)."""

    series: Series
    values: list[SeriesValue]

    @property
    def name(self) -> str:
        return self.series.title

    @property
    def written_name(self) -> str:
        """The indicator's name as a draft may quote it: for a document series, as the latest
        row writes it (»Indikator: Andel elever i åk 9 behöriga till gymnasiets yrkesprogram.«),
        since the series' title may be another document's wording and a quote must stand in
        the cited row; the title when no row names it otherwise (and for Kolada)."""
        if self.kolada:
            return self.name
        for v in reversed(self.written):
            if v.passage is None:
                continue
            hay = " ".join(x for x in (v.passage.text, v.passage.activity) if x)
            if norm(self.name).lower() in norm(hay).lower():
                return self.name
            m = _NAMED.search(v.passage.text or "")
            if m:
                return m.group(1).strip()
        return self.name

    @property
    def kolada(self) -> bool:
        return self.series.source_kind == "kolada"

    @property
    def written(self) -> list[SeriesValue]:
        """The values a draft writes: the first and the latest."""
        return [self.values[0]] if len(self.values) == 1 else [self.values[0], self.values[-1]]

    @property
    def passages(self) -> list[Passage]:
        """The indicator rows of the values written (documents; none for Kolada)."""
        return list({v.passage.id: v.passage for v in self.written if v.passage is not None}.values())

    def citations(self) -> list[Citation]:
        """One citation per indicator row written: the sentence of the row that carries its figure."""
        out: list[Citation] = []
        for v in self.written:
            if v.passage is not None and all(c.passage_id != v.passage.id for c in out):
                out.append(Citation(passage_id=v.passage.id, quote=value_quote(v.passage, v.shown),
                                    source=v.passage.source))
        return out

    def facts(self) -> list[str]:
        """Kolada's values as facts the grounding check accepts (none for documents: their rows
        are cited)."""
        if not self.kolada:
            return []
        return [f"{self.name}: {v.shown} {v.year} ({KOLADA_LABEL})" for v in self.values]

    def latest_against_target(self) -> tuple[SeriesValue, float] | None:
        """The latest value and its target when that period has one and they differ."""
        last = self.values[-1]
        if last.target is None or abs(last.value - last.target) < 1e-9:
            return None
        return last, last.target


def value_quote(p: Passage, shown: str) -> str:
    """A verbatim span of the indicator row that carries its figure, from the sentence that names
    the indicator when the row names it ("Indikator: Andel elever med mer än 20 % frånvaro.
    Utfall 2022: 11,2 %."): a reader of the source list sees what the figure measures. Else the
    sentence with the figure, else the whole row."""
    from kvalitet.drafting.extractive import MAX_SPAN, sentences

    sents = sentences(p.text)
    first = shown.split()[0] if shown.split() else shown
    name = norm(getattr(p, "indicator", None) or p.activity or p.title or "").lower()
    for b, s in enumerate(sents):
        if first and first in s:
            for a in range(b + 1):
                if name and name in sents[a].lower():
                    span = " ".join(sents[a:b + 1])
                    if len(span) <= MAX_SPAN and norm(span) in norm(p.text):
                        return span
                    break
            return s
    return norm(p.text)


def draft_series(results: SeriesSource, lookup: Callable[[str], Passage | None], topic: str,
                 about: Callable[[str], bool], found: Iterable[str] = (), k: int = 2) -> list[DraftSeries]:
    """The series about the activity: first those whose rows the evidence found relevant
    (`found`: passage ids), then those kvalitet.results finds for `topic` (the activity and its
    goal) whose indicator `about(name)` judges to be about the activity (the evidence's own
    relevance judgement, drafting/evidence.py Matcher.speaks_about); at most `k`, each with at
    least one value."""
    every = results.all_series()
    if not every:
        return []
    found = set(found)
    chosen: list[Series] = [s for s in every if any(p.source.passage_id in found for p in s.points)]
    for s in results.relevant(topic, k=4 * k, series=every):
        if all(s.id != c.id for c in chosen) and about(" ".join(dict.fromkeys([s.title, *s.wordings]))):
            chosen.append(s)
    out = []
    for s in chosen:
        made = with_values(s, lookup)
        if made is not None:
            out.append(made)
        if len(out) == k:
            break
    return out


def with_values(s: Series, lookup: Callable[[str], Passage | None]) -> DraftSeries | None:
    """The series with the values a draft can write: Kolada's as they are; a document's only those
    whose indicator row `lookup` still finds. None when no value is left."""
    values = []
    for p in sorted(s.points, key=lambda p: (p.year, p.period)):
        if p.value is None:
            continue
        if s.source_kind == "kolada":
            target = None if p.target is None else format_value(p.target, s.unit)
            values.append(SeriesValue(p.year, p.period, p.value, format_value(p.value, s.unit), p.target, target, None))
            continue
        passage = lookup(p.source.passage_id) if p.source.passage_id else None
        if passage is None or not p.value_raw:
            continue
        values.append(SeriesValue(p.year, p.period, p.value, p.value_raw.strip(), p.target,
                                  p.target_raw.strip() if p.target_raw else None, passage))
    return DraftSeries(s, _one_organisation(values)) if values else None


def _one_organisation(values: list[SeriesValue]) -> list[SeriesValue]:
    """Two values for one period from two documents are two organisations' figures (another
    municipality's report under the same wording): a draft never compares them, so it keeps the
    document with the most values (the latest, at a tie). One organisation's reports of several
    years (one document a year) stay one series."""
    docs_by_year: dict[int, set[str]] = {}
    for v in values:
        if v.passage is not None:
            docs_by_year.setdefault(v.year, set()).add(v.passage.doc_path)
    if all(len(d) <= 1 for d in docs_by_year.values()):
        return values
    by_doc: dict[str, list[SeriesValue]] = {}
    for v in values:
        by_doc.setdefault(v.passage.doc_path if v.passage else "", []).append(v)
    return max(by_doc.values(), key=lambda vs: (len(vs), max(v.year for v in vs)))
