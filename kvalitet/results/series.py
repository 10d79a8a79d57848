"""Indicator records joined across years into series.

Documents change an indicator's wording from year to year ("Andel elever som känner sig trygga"
→ "Andelen elever som känner sig trygga i skolan (%)"). Wordings are matched on their content
words (Snowball-stemmed, stop words and unit words left out): two wordings are one series when
the Jaccard similarity of those stems is at least MATCH_THRESHOLD and their units do not differ.
An admin's correction (an alias: wording → series key) overrides the matching.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

from kvalitet.domain.types import Passage
from kvalitet.results.model import Point, Series, ValueSource, series_id
from kvalitet.results.values import parse_figure, parse_number, unit_of
from kvalitet.search.analysis import stem, words

MATCH_THRESHOLD = 0.6
# Words that say how a figure is expressed, not what it measures.
_UNIT_WORDS = frozenset("andel andelen antal antalet procent procentuell % st genomsnitt genomsnittlig".split())
_LABELS = {
    "indikator": "indicator", "nyckeltal": "indicator", "mått": "indicator",
    "utfall": "outcome", "resultat": "outcome", "målnivå": "target", "målvärde": "target", "mål": "goal",
    "nämndmål": "goal", "bedömning": "assessment", "kommentar": "comment", "period": "period",
}
_LABELLED = re.compile(r"(?:^|(?<=\.\s)|(?<=\n))([A-ZÅÄÖa-zåäö]+):\s*(.*?)(?=(?:\.\s+[A-ZÅÄÖ][a-zåäö]+:)|\n|$)")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_SCHOOL_YEAR = re.compile(r"\b((?:19|20)\d{2})\s*[/–-]\s*((?:19|20)?\d{2})\b")


def content_stems(wording: str) -> frozenset[str]:
    """What an indicator measures: its content words' stems cut to six letters, so that inflections
    Snowball leaves apart still meet ("legitimation"/"legitimerade"); no stop, unit words or numbers."""
    return frozenset(stem(w)[:6] for w in words(re.sub(r"\(.*?\)", " ", wording))
                     if w not in _UNIT_WORDS and not w.isdigit())


def _grades(wording: str) -> frozenset[str]:
    """Numbers that are not years ("åk 9", "årskurs 6", "3–5 år"): they tell series apart."""
    return frozenset(n for n in re.findall(r"\d+", wording) if not _YEAR.fullmatch(n))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two wordings' content stems, 0..1; 0 when their grade numbers differ."""
    if _grades(a) != _grades(b):
        return 0.0
    sa, sb = content_stems(a), content_stems(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def normalise_wording(wording: str) -> str:
    """The key an alias is stored under: lower case, whitespace collapsed, trailing period gone."""
    return re.sub(r"\s+", " ", wording).strip().rstrip(".").lower()


def group_wordings(wordings: Iterable[str], aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Map each wording to its series key.

    `aliases` (normalised wording → key) come first; the rest are grouped greedily, most frequent
    wording first, each joining the first group whose representative it matches (similarity ≥
    MATCH_THRESHOLD, units not in conflict). A group's key is its first wording, normalised.
    """
    aliases = aliases or {}
    counts: dict[str, int] = defaultdict(int)
    for w in wordings:
        counts[w] += 1
    result: dict[str, str] = {}
    groups: list[tuple[str, str]] = []  # (representative wording, key)
    for w in sorted(counts, key=lambda x: (-counts[x], x)):
        n = normalise_wording(w)
        if n in aliases:
            result[w] = aliases[n]
            continue
        for rep, key in groups:
            u1, u2 = unit_of("", rep), unit_of("", w)
            if similarity(rep, w) >= MATCH_THRESHOLD and not (u1 and u2 and u1 != u2):
                result[w] = key
                break
        else:
            groups.append((w, n))
            result[w] = n
    return result


def indicator_fields(p: Passage) -> dict[str, str | None]:
    """An indicator passage's fields: from the passage's own fields when recognition set them,
    else read from its labelled text ("Indikator: … Utfall: … Målnivå: …")."""
    fields: dict[str, str | None] = {}
    for name in ("indicator", "outcome", "target", "assessment", "period", "goal", "comment"):
        v = getattr(p, name, None)
        if v not in (None, ""):
            fields[name] = str(v)
    if "indicator" in fields and "outcome" in fields:
        return fields
    for line in p.text.split("\n"):
        for m in _LABELLED.finditer(line):
            key = _LABELS.get(m.group(1).lower())
            if key and key not in fields and m.group(2).strip():
                fields[key] = m.group(2).strip().rstrip(".")
    return fields


def period_year(period: str | None, fallback: int | None) -> int | None:
    """The calendar year a period stands for: "2023" → 2023, "läsår 2022/23" → 2023, else fallback."""
    if period:
        m = _SCHOOL_YEAR.search(period)
        if m:
            end = m.group(2)
            return int(end) if len(end) == 4 else int(m.group(1)[:2] + end)
        m = _YEAR.search(period)
        if m:
            return int(m.group(0))
    return fallback


def document_series(passages: Iterable[Passage], aliases: dict[str, str] | None = None,
                    titles: dict[str, str] | None = None) -> list[Series]:
    """Series from the indicator passages (section_kind "indikator") of ingested documents.

    One series per matched wording group and entity (a passage's `unit` when it has one). Each
    point cites its passage (path, page, lines). `titles` maps document paths to their titles for
    the source label. Passages without an indicator name or a year are left out.
    """
    titles = titles or {}
    rows: list[tuple[Passage, dict[str, str | None], str, int]] = []  # (passage, fields, indicator, year)
    for p in passages:
        if p.section_kind != "indikator":
            continue
        f = indicator_fields(p)
        indicator = f.get("indicator")
        if not indicator:
            continue
        year = period_year(f.get("period"), p.year)
        if year is None:
            continue
        rows.append((p, f, indicator, year))
    keys = group_wordings([indicator for _, _, indicator, _ in rows], aliases)
    by_series: dict[tuple[str, str | None], list[tuple[Passage, dict[str, str | None], str, int]]] = defaultdict(list)
    for p, f, indicator, year in rows:
        entity = getattr(p, "unit", None)
        by_series[(keys[indicator], entity)].append((p, f, indicator, year))
    out = []
    for (key, entity), members in by_series.items():
        members.sort(key=lambda m: (m[3], m[0].doc_path))
        latest = members[-1][2]
        unit = None
        points = []
        for p, f, indicator, year in members:
            value = parse_figure(f.get("outcome"), indicator)
            target = parse_figure(f.get("target"), indicator)
            unit = unit or (value.unit if value else None) or (target.unit if target else None)
            title = titles.get(p.doc_path) or p.doc_path
            label = f"Källa: {title}" + (f", sida {p.page}" if p.page else f", rad {p.line_start}")
            points.append(Point(
                year=year, period=f.get("period") or str(year),
                value=value.value if value else None, value_raw=f.get("outcome"),
                target=target.value if target else None, target_raw=f.get("target"),
                comparator=target.comparator if target else None,
                assessment=f.get("assessment"), comment=f.get("comment"),
                source=ValueSource(kind="dokument", label=label, passage_id=p.id, path=p.doc_path, page=p.page,
                                   line_start=p.line_start, line_end=p.line_end),
            ))
        wordings = list(dict.fromkeys(indicator for _, _, indicator, _ in members))
        out.append(Series(
            id=series_id("dokument", key, entity, None), source_kind="dokument", title=latest,
            wordings=wordings, unit=unit or unit_of("", latest), entity=entity,
            entity_kind="enhet" if entity else None, goal=members[-1][1].get("goal"), points=points,
        ))
    out.sort(key=lambda s: s.title.lower())
    return out


__all__ = ["document_series", "group_wordings", "indicator_fields", "period_year", "similarity",
           "normalise_wording", "content_stems", "parse_number", "MATCH_THRESHOLD"]
