"""ResultsService: the one place the API, web, CLI, drafting and chat get results from."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from kvalitet.errors import Forbidden, InvalidInput, NotFound
from kvalitet.results import kolada as kolada_import
from kvalitet.results.model import KOLADA_LABEL, Point, Series, ValueSource, series_id
from kvalitet.results.series import content_stems, document_series, normalise_wording
from kvalitet.results.values import format_value, meets
from kvalitet.storage.db import Database, DocumentRow, PassageRow
from kvalitet.storage.results import KoladaValueRow, SeriesAliasRow

_GENDER_LABEL = {"T": "totalt", "K": "flickor/kvinnor", "M": "pojkar/män"}
# Words of a question about results that say nothing about which indicator it is.
_QUESTION_WORDS = ("hur har utvecklats utvecklingen utvecklat sedan gått ökat minskat förändrats förbättrats "
                   "försämrats resultat resultaten resultatet nyckeltal värden värdet trend över åren år "
                   "visa vad blev")


@dataclass
class ImportSummary:
    """What an import wrote: number of values, distinct KPIs, entities and years (sorted)."""

    values: int
    kpis: list[str]
    entities: list[str]
    years: list[int]
    source: str


class ResultsService:
    """Series from the passage catalog's indicator records and the Kolada tables.

    `kolada_url` (KVALITET_KOLADA_URL) enables fetching from Kolada's API; without it only file
    imports are possible. Nothing is cached: series are built from the tables on each call
    The series are built once and kept until the catalog (its index version), the Kolada table
    or the aliases change: one cheap query checks that (benchmarks/results_bench.py measures both).
    """

    def __init__(self, db: Database, *, kolada_url: str | None = None, kolada_timeout: float = 30.0):
        self.db = db
        self.kolada_url = kolada_url
        self.kolada_timeout = kolada_timeout
        self._lock = threading.Lock()
        self._cached: tuple[tuple, list[Series]] | None = None

    def _state(self, s) -> tuple:
        """What the series depend on: the catalog's index version and the Kolada and alias tables."""
        k = s.execute(select(func.count(KoladaValueRow.id), func.max(KoladaValueRow.id),
                             func.max(KoladaValueRow.imported_at))).one()
        a = s.execute(select(func.count(SeriesAliasRow.wording), func.max(SeriesAliasRow.set_at))).one()
        n = s.execute(select(func.count(PassageRow.id)).where(PassageRow.section_kind == "indikator")).scalar()
        return (self.db.index_version(), n, tuple(k), tuple(a))

    # ---- reading -------------------------------------------------------------------------------
    def _aliases(self, s) -> dict[str, str]:
        return {r.wording: r.series_key for r in s.scalars(select(SeriesAliasRow))}

    def all_series(self) -> list[Series]:
        """Every series: documents' first, then Kolada's (by KPI, entity and gender). Cached until
        the tables they come from change; callers get copies they may change."""
        with self.db.session() as s:
            state = self._state(s)
        with self._lock:
            if self._cached is not None and self._cached[0] == state:
                return [x.model_copy() for x in self._cached[1]]
        built = self._build()
        with self._lock:
            self._cached = (state, built)
        return [x.model_copy() for x in built]

    def _build(self) -> list[Series]:
        with self.db.session() as s:
            passages = [r.to_passage() for r in s.scalars(
                select(PassageRow).where(PassageRow.section_kind == "indikator"))]
            titles = {r.path: (r.title or r.path) + (f" ({r.year})" if r.year else "")
                      for r in s.scalars(select(DocumentRow))}
            aliases = self._aliases(s)
            kolada_rows = list(s.scalars(select(KoladaValueRow)))
        out = document_series(passages, aliases, titles)
        groups: dict[tuple, list[KoladaValueRow]] = defaultdict(list)
        for r in kolada_rows:
            groups[(r.kpi_id, r.entity_kind, r.entity_id, r.gender)].append(r)
        for (kpi, kind, entity_id, gender), rows in sorted(groups.items()):
            rows.sort(key=lambda r: r.year)
            title = next((r.kpi_title for r in reversed(rows) if r.kpi_title), None) or kpi
            name = next((r.entity_name for r in rows if r.entity_name), None) or entity_id
            out.append(Series(
                id=series_id("kolada", kpi, entity_id, gender), source_kind="kolada", title=title, wordings=[title],
                unit="%" if "(%)" in title or "andel" in title.lower() else None, kpi_id=kpi, entity=name,
                entity_id=entity_id, entity_kind=kind, gender=gender,
                points=[Point(year=r.year, period=r.period, value=r.value,
                              value_raw=None if r.value is None else str(r.value),
                              source=ValueSource(kind="kolada", label=KOLADA_LABEL, kpi_id=kpi, entity_id=entity_id))
                        for r in rows],
            ))
        return out

    def search(self, q: str | None = None, *, entity: str | None = None, source: str | None = None,
               year_from: int | None = None, year_to: int | None = None, gender: str | None = None) -> list[Series]:
        """Series whose title or wordings contain every word of `q` (case-insensitive), filtered by
        entity (substring), source ("dokument"/"kolada"), gender and years (a series is kept when it
        has a value in the range, and its points are cut to it)."""
        if source not in (None, "", "dokument", "kolada"):
            raise InvalidInput(f"Okänd källa »{source}«: välj dokument eller kolada / unknown source")
        terms = [t for t in (q or "").lower().split() if t]
        out = []
        for s in self.all_series():
            hay = " ".join([s.title, *s.wordings, s.kpi_id or ""]).lower()
            if terms and not all(t in hay for t in terms):
                continue
            if entity and entity.lower() not in (s.entity or "").lower():
                continue
            if source and s.source_kind != source:
                continue
            if gender and (s.gender or "T") != gender:
                continue
            if year_from or year_to:
                pts = [p for p in s.points if (not year_from or p.year >= year_from) and (not year_to or p.year <= year_to)]
                if not any(p.value is not None for p in pts):
                    continue
                s = s.model_copy(update={"points": pts})
            out.append(s)
        return out

    def get(self, sid: str) -> Series:
        """One series by id. Raises NotFound."""
        for s in self.all_series():
            if s.id == sid:
                return s
        raise NotFound(f"Serien {sid} finns inte / no such series")

    def relevant(self, text: str, *, k: int = 3, min_share: float = 0.5,
                 series: list[Series] | None = None) -> list[Series]:
        """Series whose indicator is about what `text` is about: at least `min_share` of the series'
        content stems occur in the text (and at least two, or the only one). Best first, at most k.
        `series`: the candidates when the caller already has them (else all_series())."""
        stems = content_stems(text) - content_stems(_QUESTION_WORDS)
        scored = []
        for s in (self.all_series() if series is None else series):
            own = content_stems(s.title)
            if not own or not any(p.value is not None for p in s.points):
                continue
            shared = len(own & stems)
            if shared >= min(2, len(own)) and shared / len(own) >= min_share:
                scored.append((shared / len(own), len(s.points), s))
        scored.sort(key=lambda t: (-t[0], -t[1], t[2].title))
        return [s for _, _, s in scored[:k]]

    # ---- writing -------------------------------------------------------------------------------
    def import_file(self, data: bytes, name: str) -> ImportSummary:
        """Import a file exported from Kolada (JSON, CSV, XLSX). All or nothing: a bad file raises
        InvalidInput naming the row to fix, and no value is written."""
        values = kolada_import.from_file(data, name)
        return self._store(values, name)

    def fetch(self, kpis: list[str], *, municipality: str | None = None, units: list[str] | None = None,
              years: list[int]) -> ImportSummary:
        """Fetch values from Kolada's API (KVALITET_KOLADA_URL) for a municipality and/or school
        units. Raises InvalidInput when Kolada is not configured, KoladaUnavailable when it fails."""
        if not self.kolada_url:
            raise InvalidInput("Kolada är inte konfigurerat: sätt KVALITET_KOLADA_URL eller importera en "
                               "exporterad fil / Kolada is not configured: set KVALITET_KOLADA_URL or import a file")
        if not kpis or not (municipality or units):
            raise InvalidInput("Ange nyckeltal och kommun eller enheter / give KPIs and a municipality or units")
        from kvalitet.adapters.kolada import KoladaClient

        client = KoladaClient(self.kolada_url, timeout=self.kolada_timeout)
        try:
            titles = {k["id"]: k.get("title") for k in client.kpis(kpis) if isinstance(k, dict) and "id" in k}
            raw = []
            if municipality:
                raw += client.data(kpis, [municipality], years)
            names = {}
            if units:
                raw += client.oudata(kpis, units, years)
                if municipality:
                    names = {u["id"]: u.get("title") for u in client.units(municipality) if isinstance(u, dict)}
        finally:
            client.close()
        return self._store(kolada_import.from_api_values(raw, titles, names), "api")

    def _store(self, values, source: str) -> ImportSummary:
        with self.db.session() as s:
            n = kolada_import.store(s, values, source)
        return ImportSummary(n, sorted({v.kpi_id for v in values}), sorted({v.entity_name or v.entity_id for v in values}),
                             sorted({v.year for v in values}), source)

    def set_alias(self, wording: str, target_series_id: str, actor_role: str, actor: str) -> Series:
        """Correct the matching: `wording` belongs to the document series `target_series_id`.
        Admins and quality developers only (Forbidden otherwise). Returns the corrected series."""
        if actor_role not in ("admin", "kvalitetsutvecklare"):
            raise Forbidden("Bara admin och kvalitetsutvecklare kan rätta serier / only admins and quality developers")
        target = self.get(target_series_id)
        if target.source_kind != "dokument":
            raise InvalidInput("Bara serier från dokument kan rättas / only document series can be corrected")
        key = normalise_wording(target.wordings[0])
        with self.db.session() as s:
            aliases = self._aliases(s)
            key = aliases.get(key, key)
            for w in target.wordings:  # pin the target's own wordings so it keeps its id
                n = normalise_wording(w)
                if n not in aliases:
                    s.add(SeriesAliasRow(wording=n, series_key=key, set_by=actor))
            n = normalise_wording(wording)
            row = s.get(SeriesAliasRow, n)
            if row:
                row.series_key, row.set_by = key, actor
            else:
                s.add(SeriesAliasRow(wording=n, series_key=key, set_by=actor))
        for s2 in self.all_series():
            if any(normalise_wording(w) == n for w in s2.wordings):
                return s2
        raise NotFound(f"Ingen indikator heter »{wording}« / no indicator with that wording")

    # ---- words ---------------------------------------------------------------------------------
    @staticmethod
    def describe(s: Series) -> str:
        """One Swedish sentence on the series: the change between its first and last value and where
        the last stands against the target, e.g. "Andelen elever som känner sig trygga har gått från
        84 % 2021 till 80 % 2023, under målnivån 85 %." Kolada's end with the line "Källa: Kolada (RKA)".
        """
        pts = [(p, p.value) for p in sorted(s.points, key=lambda p: p.year) if p.value is not None]
        if not pts:
            return f"{s.title}: inga värden."
        title = s.title.rstrip(".")
        m = re.match(r"^(.*?),\s*andel\s*(?:\(%\))?$", title, re.I)  # Kolada: "Elever som …, andel (%)"
        if m:
            title = "Andel " + m.group(1)[0].lower() + m.group(1)[1:]
        low = title.lower()
        if low.startswith("andel "):
            subject = "Andelen " + title[6:]
        elif low.startswith("antal "):
            subject = "Antalet " + title[6:]
        else:
            subject = title[0].upper() + title[1:]
        if s.entity and s.source_kind == "kolada":
            subject += f" i {s.entity}"
        if s.gender in ("K", "M"):
            subject += f" ({_GENDER_LABEL[s.gender]})"
        (first, first_value), (last, last_value) = pts[0], pts[-1]
        if len(pts) == 1:
            text = f"{subject} var {format_value(last_value, s.unit)} {last.year}"
        else:
            diff = last_value - first_value
            if abs(diff) < 1e-9:
                text = f"{subject} var {format_value(last_value, s.unit)} både {first.year} och {last.year}"
            else:
                text = (f"{subject} har gått från {format_value(first_value, s.unit)} {first.year} till "
                        f"{format_value(last_value, s.unit)} {last.year}")
                if s.unit == "%":
                    text += f" ({'+' if diff > 0 else '−'}{format_value(abs(diff), None)} procentenheter)"
        latest = next(((p, p.target) for p, _ in reversed(pts) if p.target is not None), None)
        if latest is not None and latest[0].year == last.year:
            target, goal = latest
            t = format_value(goal, s.unit)
            if abs(last_value - goal) < 1e-9:
                text += f", i nivå med målnivån {t}"
            elif meets(last_value, goal, target.comparator):
                text += f", över målnivån {t}" if last_value > goal else f", inom målnivån {t}"
            else:
                text += f", under målnivån {t}" if last_value < goal else f", över målnivån {t}"
        text += "."
        if s.source_kind == "kolada":
            text += f" {KOLADA_LABEL}."
        return text
