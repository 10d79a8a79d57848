"""Hybrid retrieval: BM25 (Swedish stems + compound parts) and dense (e5) fused by RRF.

One search: the question is read for kinds, years and names (understanding.py) which boost
matching passages; BM25 and dense rankings are fused by weighted RRF; passages below the
relevance floor are dropped (none left: "Inga träffar" with a suggestion); identical and
near-identical passages collapse into one hit listing every source. Every weight and threshold
is a setting chosen by cross-validation (kvalitet/ops/evaluation.py)."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Literal

import numpy as np

from kvalitet.errors import InvalidInput
from kvalitet.search.index import KnowledgeIndex
from dataclasses import dataclass, field

from kvalitet.search.analysis import QUESTION_WORDS, analyze, word_terms, words as _words
from kvalitet.search.understanding import Understood, committee_set, field_key, status_key, understand, value_key
from kvalitet.domain.types import (
    DOC_KINDS, PERSPECTIVES, SECTION_KINDS, STATUSES, Hit, Passage, SearchFilters, text_hash,
)
from kvalitet.domain.vocabulary import COMMITTEES, fold, normalise_committee

Mode = Literal["hybrid", "bm25", "dense"]
MAX_QUERY_CHARS = 2000
_WORDISH = re.compile(r"\w", re.UNICODE)
_COMMITTEE_SPLIT = re.compile(r"\s*(?:,|&|/|;|\+|\boch\b)\s*", re.IGNORECASE)  # as committee_set splits
_TOKEN_SPAN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def cosines(matrix: np.ndarray, vec) -> np.ndarray:
    """matrix @ vec (float32): the cosines of a query with passage vectors (rows, normalised),
    on one BLAS thread. A matrix-vector product is bound by memory: on a loaded 2-core machine
    OpenBLAS's threads made 10k × 384 take 12-15 ms instead of 2 ms (2026-11-30)."""
    with _blas().limit(limits=1, user_api="blas"):
        return matrix @ np.asarray(vec, dtype=np.float32)


def check_query(query: str) -> str:
    q = (query or "").strip()
    if not q:
        raise InvalidInput("Skriv en sökfråga. / The query is empty.")
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"Sökfrågan är för lång ({len(q)} tecken, högst {MAX_QUERY_CHARS}). / "
            f"The query is too long ({len(q)} characters, at most {MAX_QUERY_CHARS})."
        )
    return q


def rrf(
    rankings: dict[str, list[str]], k: int = 60, weights: dict[str, float] | None = None
) -> list[tuple[str, float, dict[str, int]]]:
    """Weighted reciprocal rank fusion: score(d) = sum over rankings of w / (k + rank(d))."""
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ids in rankings.items():
        w = (weights or {}).get(name, 1.0)
        for r, pid in enumerate(ids, 1):
            scores[pid] = scores.get(pid, 0.0) + w / (k + r)
            ranks.setdefault(pid, {})[name] = r
    order = sorted(scores, key=lambda pid: (-scores[pid], pid))
    return [(pid, scores[pid], ranks[pid]) for pid in order]


def snippet(text: str, query: str, decompounder=None, width: int = 280, terms=None) -> str:
    """HTML-escaped excerpt around the first match, matched words wrapped in <mark>. `terms`:
    the query's index terms when known (with accent expansion), else analysed from `query`."""
    qstems = set(terms) if terms is not None else set(analyze(query, decompounder))
    spans = []
    for m in _TOKEN_SPAN.finditer(text):
        if not qstems.isdisjoint(word_terms(m.group(0).lower(), decompounder)):
            spans.append((m.start(), m.end()))
    start = 0
    if spans and len(text) > width:
        start = max(0, spans[0][0] - width // 3)
        # begin at a word boundary
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end - 1].isspace() and end - start < width + 30:
        end += 1
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out).strip() + ("…" if end < len(text) else "")


@dataclass
class RankParams:
    """The weights and thresholds of one search. Boosts are in units of a first rank in one
    ranking (1 / (rrf_k + 1)); a floor of None is off."""

    dense_weight: float = 1.0
    kind_boost: float = 0.0
    year_boost: float = 0.0
    meta_boost: float = 0.0  # committee, perspective, status named in the question
    doc_boost: float = 0.0  # a passage of a document the question names (its path or title), 0..1 of it
    floor_coverage: float | None = None  # share of the query's idf mass a passage matches
    floor_dense: float | None = None  # cosine similarity (e5) of passage and query
    rrf_k: int = 60

    @classmethod
    def of(cls, settings) -> "RankParams":
        return cls(
            dense_weight=settings.rrf_dense_weight, kind_boost=settings.kind_boost, year_boost=settings.year_boost,
            meta_boost=settings.meta_boost, doc_boost=settings.doc_boost, floor_coverage=settings.floor_coverage, floor_dense=settings.floor_dense,
            rrf_k=settings.rrf_k,
        )


@dataclass
class Candidates:
    """What a search found before ranking: per retriever its ranked ids, the dense cosine and
    the lexical coverage of each candidate, and which understood readings it matches."""

    bm25: list[str]
    dense: list[str]
    cosine: dict[str, float]
    coverage: dict[str, float]
    matches: dict[str, tuple[bool, bool, bool]]  # pid -> (kind, year, committee/perspective/status)
    dense_is_evidence: bool = True  # False for a model-free embedder: its cosines mean nothing
    # The same search within the year / läsår / period the question names (as a filter would).
    bm25_year: list[str] = field(default_factory=list)
    dense_year: list[str] = field(default_factory=list)
    doc_match: dict[str, float] = field(default_factory=dict)  # pid -> how well its document is named


def rank(c: Candidates, p: RankParams, mode: Mode = "hybrid") -> list[tuple[str, float, dict[str, int]]]:
    """Fused, boosted ranking of the candidates: [(pid, score, ranks per retriever)].

    A passage of the year the question names is scored by its ranks within that year (as a
    year filter would rank it) plus the year boost; others by their ranks in the whole index."""
    def lists(b, d):
        out = {}
        if mode in ("hybrid", "bm25"):
            out["bm25"] = b
        if mode in ("hybrid", "dense"):
            out["dense"] = d
        return out

    weights = {"dense": p.dense_weight, "bm25": 1.0}
    fused = {pid: (score, ranks) for pid, score, ranks in rrf(lists(c.bm25, c.dense), p.rrf_k, weights)}
    unit = 1.0 / (p.rrf_k + 1)
    if c.bm25_year or c.dense_year:
        for pid, score, ranks in rrf(lists(c.bm25_year, c.dense_year), p.rrf_k, weights):
            fused[pid] = (score, ranks)
    out = []
    for pid, (score, ranks) in fused.items():
        kind, year, meta = c.matches.get(pid, (False, False, False))
        score += unit * (p.kind_boost * kind + p.year_boost * year + p.meta_boost * meta
                         + p.doc_boost * c.doc_match.get(pid, 0.0))
        out.append((pid, score, ranks))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out


def above_floor(c: Candidates, pid: str, p: RankParams, mode: Mode = "hybrid") -> bool:
    """Whether a candidate is relevant enough to show: it matches enough of the query's words
    (coverage) or is close enough in meaning (cosine); a floor that is None does not judge."""
    if p.floor_coverage is None and p.floor_dense is None:
        return True
    checks = []
    if mode in ("hybrid", "bm25") and p.floor_coverage is not None:
        checks.append(c.coverage.get(pid, 0.0) >= p.floor_coverage)
    if mode in ("hybrid", "dense") and p.floor_dense is not None:
        if c.dense_is_evidence:
            checks.append(c.cosine.get(pid, -1.0) >= p.floor_dense)
        elif mode == "dense":
            checks.append(True)
    return any(checks) if checks else True


_WORD = re.compile(r"\w+")


def text_key(text: str) -> str:
    """A passage's text as compared for duplicates: its words, lower case."""
    return " ".join(_WORD.findall(text.lower()))


NEAR_DUPLICATE = 0.9  # Jaccard of word sets at which two passages are one


def select(c: Candidates, p: RankParams, mode: Mode, k: int, snap, dedupe: bool = True):
    """The k hits to show: ranked, above the floor, identical and near-identical passages
    folded into the first. ([(pid, score, ranks, duplicate ids)], candidates dropped by floor).

    A candidate is folded into the first hit shown whose text has the same words in the same
    order (text_key) or whose word set it shares at least NEAR_DUPLICATE of (Jaccard, for a
    candidate of 8 words or more). Cheap per candidate: identical texts by a dict lookup, and
    the Jaccard is computed only against hits whose word count allows it (J <= min/max size)."""
    out: list[tuple[str, float, dict, list[str]]] = []
    kept: list[tuple[frozenset, int]] = []  # word set and its size, per hit shown
    by_key: dict[str, int] = {}  # text key -> index of the hit shown
    dropped = 0
    for pid, score, ranks in rank(c, p, mode):
        psg = snap.passages.get(pid)
        if psg is None:  # a vector whose passage was removed since: skip
            continue
        if not above_floor(c, pid, p, mode):
            dropped += 1
            continue
        if dedupe:
            key, wset = _dup_key(psg.text)
            dup = by_key.get(key)
            n = len(wset)
            if n >= 8:
                # The first hit shown (before an identical one) with Jaccard >= NEAR_DUPLICATE;
                # J <= min(n, m) / max(n, m), so a size ratio below 0.9 can never reach it.
                for i in range(len(kept) if dup is None else dup):
                    w2, m = kept[i]
                    if (n * 10 < m * 9 if n < m else m * 10 < n * 9):
                        continue
                    inter = len(wset & w2)
                    if inter / max(1, n + m - inter) >= NEAR_DUPLICATE:
                        dup = i
                        break
            if dup is not None:
                out[dup][3].append(pid)
                continue
        if len(out) >= k:
            continue  # keep scanning only to collect duplicates of the hits shown
        if dedupe:
            by_key.setdefault(key, len(out))
            kept.append((wset, n))
        out.append((pid, score, ranks, []))
    return out, dropped


@lru_cache(maxsize=100_000)
def _dup_key(text: str) -> tuple[str, frozenset]:
    words = _WORD.findall(text.lower())
    return " ".join(words), frozenset(words)


@dataclass
class SearchResult:
    """One search's answer: hits (duplicates collapsed), what was understood, and when there
    are no hits a suggestion (Swedish)."""

    query: str
    hits: list[Hit]
    understood: Understood = field(default_factory=Understood)
    suggestion: str | None = None
    below_floor: int = 0  # candidates dropped by the relevance floor
    # each retriever's own ranked candidate ids before fusion ({"bm25": [...], "dense": [...]})
    lists: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"understood": self.understood.as_json(), "suggestion": self.suggestion}


def no_hits_suggestion(filters: SearchFilters | None, understood: Understood) -> str:
    """What to try when nothing was found (Swedish)."""
    tips = []
    if filters and any(v not in (None, "") for v in filters.model_dump().values()):
        tips.append("ta bort några val (filter)")
    if understood:
        tips.append("ta bort tolkningen av frågan")
    tips.append("pröva andra eller färre ord")
    return "Inga träffar. Du kan " + ", ".join(tips[:-1]) + (" eller " if len(tips) > 1 else "") + tips[-1] + "."


VALID_FIELD_VALUES = {
    "section_kind": ("typ av avsnitt / kind", SECTION_KINDS + ("indikator",)),
    "status": ("status", STATUSES + ("Delvis genomfört", "Uppskjuten", "Ej genomfört")),
    "doc_kind": ("dokumenttyp / doc kind", DOC_KINDS),
    "perspective": ("perspektiv / perspective", PERSPECTIVES),
}


def resolve_filters(filters: SearchFilters | None, snap) -> SearchFilters | None:
    """`filters` with each value written as the index writes it (case and accents need not
    match). A kind, status, document kind, perspective or committee that is neither in the
    index nor a known value raises InvalidInput listing the valid values (the API's 422, the
    search page's message)."""
    if filters is None:
        return None
    out = filters.model_copy()
    for f, (label, known) in VALID_FIELD_VALUES.items():
        v = getattr(filters, f)
        if v in (None, ""):
            continue
        have = snap.values(f)
        key = field_key(f, v)
        if key in have:
            setattr(out, f, have[key])
            continue
        vocab = {field_key(f, x): x for x in known}
        if key in vocab:
            setattr(out, f, vocab[key])
            continue
        raise unknown_value(label, v, set(have.values()) | set(known))
    if filters.committee:
        out.committee = _resolve_committee(filters.committee, snap)
    return out


def unknown_value(label: str, value: str, valid: set[str]) -> InvalidInput:
    """The 422 for a filter value nobody wrote: which values exist, in Swedish and English."""
    listed = ", ".join(sorted(valid, key=str.lower))
    return InvalidInput(
        f"Okänt värde för {label.split(' / ')[0]}: »{value}«. Giltiga värden: {listed}. / "
        f"Unknown {label.split(' / ')[-1]} {value!r}; valid values: {listed}."
    )


def _resolve_committee(value: str, snap) -> str:
    """A committee filter ("BiN", "BiN och BoU") with each committee as the index writes it; a
    full name the vocabulary knows becomes its abbreviation when the index uses that
    ("Bildningsnämnden" -> "BiN"). A committee that is neither in the index nor a known one
    raises InvalidInput listing the committees (as the other filters do; it found nothing)."""
    have = {value_key(c): c for c in snap.committees()}
    parts = []
    for part in (x.strip(" .") for x in _COMMITTEE_SPLIT.split(value)):
        if not part:
            continue
        key = value_key(part)
        short = normalise_committee(part) or part
        if key in have:
            parts.append(have[key])
        elif value_key(short) in have:
            parts.append(have[value_key(short)])
        elif fold(part) in COMMITTEES:
            parts.append(short)
        else:
            raise unknown_value("nämnd / committee", part, set(have.values()) | set(COMMITTEES.values()))
    return ", ".join(parts) or value


def strip_time(q: str) -> str:
    """`q` without the year, läsår or period expressions understanding.py applies."""
    out = re.sub(r"(?i)\b(?:läsåret|läsår|lasaret|lasar)\s*\d{2,4}\s*[/-]\s*\d{2,4}", " ", q)
    out = re.sub(r"(?i)\b(?:t|tertial\s*)[123][\s,]*(?:19|20)\d{2}\b", " ", out)
    out = re.sub(r"(?<![\d/])(?:19|20)\d{2}(?![\d/])", " ", out)
    return " ".join(out.split()) or q


class Retriever:
    """Searches one KnowledgeIndex: `run` as a person asks (web, API, CLI, chat), `search` as
    the drafting code ranks evidence."""

    def __init__(self, index: KnowledgeIndex):
        self.index = index

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        """The k best hits for `query` as the drafting code uses them: no reading of the
        question and no relevance floor (evidence for a draft is ranked, never withheld).
        Raises InvalidInput for an empty or too long query, k outside 1..100 or an unknown
        filter value."""
        return self.run(query, k, filters, mode, understand_query=False, floor=False).hits

    def run(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        *,
        understand_query: bool = True,
        ignore: set[str] | frozenset[str] = frozenset(),
        floor: bool = True,
        params: RankParams | None = None,
    ) -> SearchResult:
        """A search as a person makes it (web, API, CLI, chat): the question is read
        (`ignore` undoes readings by key), matches are boosted, the relevance floor applies and
        duplicates collapse. Raises InvalidInput as `search`."""
        q = check_query(query)
        if k < 1 or k > 100:
            raise InvalidInput("k måste vara mellan 1 och 100. / k must be between 1 and 100.")
        snap = self.index.snapshot()
        filters = resolve_filters(filters, snap)
        if not _WORDISH.search(q) or not snap.ordered:
            return SearchResult(q, [], Understood(), no_hits_suggestion(filters, Understood()))
        u = self.understand(q, snap, ignore) if understand_query else Understood()
        p = params or RankParams.of(self.index.settings)
        if not floor:
            p = RankParams(**{**p.__dict__, "floor_coverage": None, "floor_dense": None})
        c = self.candidates(q, filters, mode, u, expand="accents" not in ignore)
        hits, dropped = self.hits(q, c, p, mode, k, snap)
        suggestion = None if hits else no_hits_suggestion(filters, u)
        return SearchResult(q, hits, u, suggestion, dropped, {"bm25": c.bm25, "dense": c.dense})

    def understand(self, q: str, snap, ignore=frozenset()) -> Understood:
        u = understand(q, years=snap.year_set(), committees=snap.committees(), ignore=set(ignore))
        if "accents" not in ignore:
            u.accents = {w: e for w, _, e in snap.bm25.query_words(q) if e}
        if "document" not in ignore:
            u.naming_words = snap.naming_words(q)
            u.documents = snap.named_documents(q) if u.naming_words else {}
        return u

    def candidates(
        self, q: str, filters: SearchFilters | None, mode: Mode, u: Understood, expand: bool = True,
        strip: bool = True,
    ) -> Candidates:
        """BM25 and dense candidates (settings.candidates each) with cosines, coverage and
        which readings of `u` each matches. `filters` must be resolved (resolve_filters).
        `expand`: accent expansion; `strip`: question words left out of the BM25 query."""
        snap = self.index.snapshot()
        n = self.index.settings.candidates
        mask = snap.mask(filters)
        if mask is not None and not mask.any():
            return Candidates([], [], {}, {}, {})
        vec = None
        if mode in ("hybrid", "dense"):
            dq = strip_time(q) if u.years else q  # the year is applied; the model reads the topic
            if u.accents:  # the dense model reads the accented words too
                dq = q + " (" + " ".join(u.accents.values()) + ")"
            vec = self.index.embedder.embed_query(dq)
        bq = (" ".join(w for w in _words(strip_time(q) if u.years else q) if w not in QUESTION_WORDS) or q) if strip else q
        # The same search within the year the question names: both BM25 rankings come from one
        # scoring of the query, and both dense lists from one Chroma query when they can.
        within: SearchFilters | None = None
        if u.years:
            base = (filters or SearchFilters()).model_dump()
            within = SearchFilters(**{**base, "year": None, "year_from": max(min(u.years), base["year_from"] or 0),
                                      "year_to": min(max(u.years), base["year_to"] or 9999)})
            if base["year"] is None or base["year"] in u.years:
                if base["year"] is not None:
                    within = SearchFilters(**base)
                ym = snap.mask(within)
                if ym is not None and not ym.any():
                    within = None
            else:
                within = None
        lists = self._lists(snap, bq, vec, n, [filters] if within is None else [filters, within], mode, expand)
        bm25_ids, dense = lists[0]
        bm25_year: list[str] = []
        dense_year: list[str] = []
        if within is not None:
            bm25_year, dy = lists[1]
            dense_year = [pid for pid, _ in dy]
            seen = {pid for pid, _ in dense}
            dense = dense + [x for x in dy if x[0] not in seen]
        ids = list(dict.fromkeys(bm25_ids + bm25_year + [pid for pid, _ in dense]))
        row_map = snap.row_map()
        known = [pid for pid in ids if pid in row_map]
        row_list = [row_map[pid] for pid in known]
        rows = np.array(row_list, dtype=np.int64)
        also = None
        year_words = {str(y) for y in u.years}
        if u.naming_words or year_words:
            # A word of the question in the name of the passage's document matches, and so does
            # a year the question names (read as a year) for a passage of that year: a passage
            # rarely writes its own year, and "frånvaron 2019" must not fall below the floor.
            docs_of_rows = [snap.ordered[r].doc_path for r in row_list]
            of_year = np.array([snap.ordered[r].year in u.years for r in row_list], dtype=bool)

            def also(w: str):
                if w in year_words:
                    return of_year
                having = u.naming_words.get(w)
                return None if having is None else np.array([d in having for d in docs_of_rows], dtype=bool)

        cov = (snap.bm25.coverage(q, rows, expand=expand, also=also) if mode != "dense" and len(rows)
               else np.zeros(len(rows)))
        kinds = set(u.kinds)
        years = set(u.years)
        wanted_c = [committee_set(c) for c in u.committees]
        statuses = {status_key(s) for s in u.statuses}
        status_keys = snap.fields["status"]  # status_key of each passage's status
        matches = {}
        for pid, r in zip(known, row_list, strict=True):
            psg = snap.ordered[r]
            meta = bool(
                (wanted_c and any(w <= snap.committee_sets[r] for w in wanted_c))
                or (u.perspective and psg.perspective == u.perspective)
                or (statuses and status_keys[r] in statuses)
            )
            in_period = bool(u.period and getattr(psg, "period", None) and value_key(psg.period) == value_key(u.period))
            in_school_year = bool(u.school_year and getattr(psg, "school_year", None) and value_key(psg.school_year) == value_key(u.school_year))
            kind = psg.section_kind in kinds or (
                # a follow-up table's activity row reports how it went (status, comment)
                "uppfoljning" in kinds and psg.section_kind == "aktivitet" and bool(psg.status or psg.comment)
            )
            matches[pid] = (kind, (psg.year in years) or in_period or in_school_year, meta)
        return Candidates(
            bm25=bm25_ids, dense=[pid for pid, _ in dense[:n]],
            cosine=dict(dense), bm25_year=bm25_year, dense_year=dense_year,
            coverage={pid: float(v) for pid, v in zip(known, cov, strict=True)}, matches=matches,
            doc_match={pid: u.documents[d] for pid in known
                       if (d := snap.passages[pid].doc_path) in u.documents} if u.documents else {},
            dense_is_evidence=self.index.embedder.id.startswith("e5"),
        )

    def _lists(self, snap, q: str, vec, n: int, filters: list[SearchFilters | None], mode: Mode,
               expand: bool) -> list[tuple[list[str], list[tuple[str, float]]]]:
        """Per filter of `filters`: (BM25 ids, [(dense id, cosine)]); the BM25 scores of `q` are
        computed once for all filters."""
        masks = [snap.mask(f) for f in filters]
        bm25: list[list[str]] = [[] for _ in filters]
        if mode in ("hybrid", "bm25"):
            bm25 = [[pid for pid, _ in found] for found in snap.bm25.search_masks(q, n, masks, expand=expand)]
        dense: list[list[tuple[str, float]]] = [[] for _ in filters]
        if vec is not None:
            for i, f in enumerate(filters):
                subset = snap.subset_vectors(f or SearchFilters(), self.index)
                if subset is not None:  # a selective filter: exact scores over its few vectors
                    ids, matrix = subset
                    scores = cosines(matrix, vec)
                    top = np.argsort(-scores, kind="stable")[:n]
                    dense[i] = [(ids[j], float(scores[j])) for j in top]
                else:
                    by_year = self._dense_by_year(snap, vec, n, f)
                    dense[i] = by_year if by_year is not None else self._dense_filtered(snap, vec, n, f)
        return list(zip(bm25, dense, strict=True))

    def _dense_by_year(self, snap, vec, n: int, filters: SearchFilters | None) -> list[tuple[str, float]] | None:
        """Dense search under a filter bounded by years (a year, or a year_from and a year_to:
        what a question's year or läsår implies) that admits at most `dense_year_max` passages:
        exact scores over the vectors of those years (Snapshot.year_vectors), the filter's other
        fields applied to them. [(pid, cosine)], best first, ties in index order as the subset
        path; None when the filter has no such bounds, admits more, or a vector is not cached.

        At 100k passages a year is about a tenth of the index: the unfiltered query deep enough
        for it (_dense_filtered) was ~850 deep and cost Chroma several times a query of n."""
        mask = snap.mask(filters)
        if filters is None or mask is None:
            return None
        if filters.year is not None:
            lo = hi = filters.year
        elif filters.year_from is not None and filters.year_to is not None:
            lo, hi = filters.year_from, filters.year_to
        else:
            return None
        years = sorted(y for y in snap.year_set() if lo <= y <= hi)
        if not years or int(((snap.years >= lo) & (snap.years <= hi)).sum()) > self.index.settings.dense_year_max:
            return None
        blocks = [snap.year_vectors(y, self.index) for y in years]
        if any(b is None for b in blocks):
            return None
        rows = np.concatenate([b[0] for b in blocks if b is not None])
        scores = np.concatenate([cosines(b[1], vec) for b in blocks if b is not None])
        keep = mask[rows] > 0
        rows, scores = rows[keep], scores[keep]
        top = np.lexsort((rows, -scores))[:n]  # best first; equal scores by position in the index
        return [(snap.ordered[rows[i]].id, float(scores[i])) for i in top]

    def hits(self, q: str, c: Candidates, p: RankParams, mode: Mode, k: int, snap, dedupe: bool = True,
             snippets: bool = True) -> tuple[list[Hit], int]:
        """Rank, apply the floor, collapse duplicates, make snippets: (hits, dropped by floor)."""
        terms = snap.bm25.query_terms(q) if snippets else []
        chosen, dropped = select(c, p, mode, k, snap, dedupe)
        out = []
        for pid, score, ranks, dups in chosen:
            psg = snap.passages[pid]
            out.append(Hit(
                passage=psg, score=score, ranks=ranks, duplicates=dups,
                sources=[psg.source] + [snap.passages[d].source for d in dups],
                snippet=snippet(psg.text, q, snap.bm25.decompounder, terms=terms) if snippets else "",
            ))
        return out, dropped

    def _dense_filtered(self, snap, vec, n: int, filters: SearchFilters | None) -> list[tuple[str, float]]:
        """Dense search under a filter too large to score in memory: [(pid, cosine)], best first.

        Chroma's metadata filter (`where`) is slow at scale: at 100k passages 40 ms a query on
        average and up to 800 ms in the tail (benchmarks/bench_100k.py, 2026-11-30). So an
        unfiltered query deep enough that `n` admitted passages are expected among its results
        (depth n / share × 1.5 + 10, at most `dense_deeper_max`) is filtered here; it is what the
        filtered query would give when at least `n` pass. When fewer pass, or the filter admits
        so few passages that the depth would exceed the cap, Chroma's filtered search is used.
        A committee filter (a set: "BiN och BoU") is always applied here: with a small share,
        Chroma is asked with the other filters and the committee is applied to its results."""
        mask = snap.mask(filters)
        vectors = self.index.vectors
        if mask is not None and len(mask):
            share = float(mask.mean())
            total = vectors.count()
            deeper = min(total, int(n / max(share, 1e-6) * 1.5) + 10)
            committee = filters is not None and bool(filters.committee)
            shallow = share >= 0.5 or deeper <= self.index.settings.dense_deeper_max
            if shallow or committee:
                # not shallow: only here because of a committee filter, so filters is set
                where = None if shallow or filters is None else filters.model_copy(update={"committee": None})
                row_map = snap.row_map()
                kept = [(pid, score) for pid, score in vectors.query(vec, deeper, where)
                        if (row := row_map.get(pid)) is not None and mask[row]]
                if len(kept) >= n or deeper >= total or where is not None:
                    return kept[:n]
        return vectors.query(vec, n, filters)

    def passage(self, pid: str) -> Passage | None:
        return self.index.snapshot().passages.get(pid)

    @property
    def semantic(self) -> bool:
        """Whether the index's embedder is a language model whose cosines say how alike two
        texts are in meaning (e5), not only which words they share (the hash embedder)."""
        return bool(getattr(self.index.embedder, "semantic", False))

    def similarities(self, text: str, passages: list[Passage]) -> dict[str, float]:
        """{passage id: cosine} of `text`, embedded as a query, with each passage's vector as the
        index stores it (the vector cache, by the hash of the passage's index text). A passage
        whose vector is not in this machine's cache is left out; an empty text gives {}.
        Read the cosines as meaning only when `semantic` is true."""
        if not text.strip() or not passages:
            return {}
        hashes = {p.id: text_hash(p.index_text) for p in passages}
        vectors = self.index.cache.get_many(self.index.embedder.id, set(hashes.values()))
        if not vectors:
            return {}
        q = np.asarray(self.index.embedder.embed_query(text.strip()), dtype=np.float32)
        return {pid: float(np.dot(vectors[h], q)) for pid, h in hashes.items() if h in vectors}
