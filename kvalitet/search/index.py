"""The knowledge index: catalog (SQL), vectors (Chroma), BM25, embedder and vector cache.

Built once per process (the app's lifespan or one CLI command); heavy parts load lazily.
The SQL catalog is the source of truth; Chroma and BM25 are reconciled against it, and a
counter `index_version` in the catalog tells every worker when to reload its BM25.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import TYPE_CHECKING, Any, Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kvalitet.settings import Settings
from kvalitet.storage.db import Database
from kvalitet.adapters.embedders import Embedder, VectorCache, build_embedder
from kvalitet.errors import IndexMismatch
from kvalitet.search.analysis import QUESTION_WORDS, BM25Index, name_terms, word_terms, words
from kvalitet.domain.types import Passage, SearchFilters

if TYPE_CHECKING:
    from kvalitet.adapters.chroma import VectorStore

log = logging.getLogger(__name__)


FILTER_FIELDS = ("perspective", "status", "section_kind", "doc_kind")


@dataclass
class Snapshot:
    """An immutable view of the passages for one index version: BM25 plus filter arrays."""

    version: int
    bm25: BM25Index
    passages: dict[str, Passage]
    ordered: list[Passage]
    years: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # year per passage, -1 unknown
    fields: dict[str, np.ndarray] = field(default_factory=dict)
    committee_sets: list = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # document path -> its title
    memos: dict[str, Any] = field(default_factory=dict, repr=False)  # see memo()

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """What `make()` gives, built once per snapshot (so once per index version) and kept with
        it: the activity history, the drafting vocabulary."""
        value = self.memos.get(key)
        if value is None:
            value = self.memos[key] = make()
        return value

    @classmethod
    def build(cls, version: int, bm25: BM25Index, passages: list[Passage],
              titles: dict[str, str] | None = None) -> "Snapshot":
        from kvalitet.search.understanding import committee_set, field_key

        by_id = {p.id: p for p in passages}
        ordered = [by_id[i] for i in bm25.ids if i in by_id]
        years = np.array([p.year if p.year is not None else -1 for p in ordered], dtype=np.int32)
        # Values as compared (case- and accent-insensitive); committees as sets of keys.
        fields = {
            f: np.array([field_key(f, getattr(p, f)) for p in ordered], dtype=object)
            for f in FILTER_FIELDS
        }
        snap = cls(version, bm25, by_id, ordered, years, fields)
        snap.committee_sets = [committee_set(p.committee) for p in ordered]
        snap.titles = dict(titles or {})
        return snap

    def document_terms(self) -> dict[str, frozenset[str]]:
        """{document path: the accent-folded terms of its name}: the words of its path (folders
        and file name: municipality, unit, report kind, period) and of its title. Built once per
        snapshot. A passage rarely repeats what its document's name says ("Norrsjö",
        "delårsrapport augusti"), and questions name it."""
        out = self.__dict__.get("_doc_terms")
        if out is None:
            from pathlib import PurePath

            out = {}
            for doc in {p.doc_path for p in self.ordered}:
                parts = PurePath(doc).parts
                name = " ".join([*parts[:-1], PurePath(doc).stem, self.titles.get(doc, "")])
                out[doc] = frozenset(name_terms(name))
            self.__dict__["_doc_terms"] = out
        return out

    def naming_words(self, query: str, max_share: float = 0.5) -> dict[str, frozenset[str]]:
        """{query word: the documents whose name has it} for the words of `query` that name
        documents: a word in more than `max_share` of the documents' names names none, nor does
        a word the text of more than `max_share` of the other documents uses (»förvaltningen«
        in one title but written in every document is the question's topic, not a name);
        question words and numbers (years are read apart) never do."""
        docs = self.document_terms()
        n = len(docs)
        cache = self.__dict__.setdefault("_naming", {})
        out: dict[str, frozenset[str]] = {}
        for w in dict.fromkeys(words(query)):
            if w in QUESTION_WORDS or w.isdigit():
                continue
            if w not in cache:
                if len(cache) > 50_000:
                    cache.clear()
                terms = set(name_terms(w))
                named = frozenset(d for d, t in docs.items() if terms & t)
                topic = named and len(self._text_documents(w) - named) > max_share * n
                cache[w] = frozenset() if topic else named
            having = cache[w]
            if having and len(having) <= max_share * n:
                out[w] = having
        return out

    def _text_documents(self, word: str) -> frozenset[str]:
        """The documents whose passages' text has `word` (its stem; not its compound parts:
        »kvalitetsrapporten« is not »rapport«)."""
        retriever = self.bm25._retriever
        if retriever is None:
            return frozenset()
        terms = set(word_terms(word.lower()))
        return frozenset(self.ordered[int(r)].doc_path for t in terms for r in retriever.postings(t))

    def named_documents(self, query: str) -> dict[str, float]:
        """{document path: 0..1} for the documents the query names (naming_words): the idf over
        documents of the naming words each one's name has, relative to the best document's.
        {} when the query names no document."""
        n = max(1, len(self.document_terms()))
        score: dict[str, float] = {}
        for having in self.naming_words(query).values():
            idf = math.log(1 + n / len(having))
            for d in having:
                score[d] = score.get(d, 0.0) + idf
        if not score:
            return {}
        best = max(score.values())
        return {d: v / best for d, v in score.items()}

    def values(self, f: str) -> dict[str, str]:
        """key -> the value as written, of field `f` (perspective, status, section_kind,
        doc_kind) over the passages of this snapshot. Keys as filters compare (field_key): the
        statuses of one group share a key, written as the index writes it most often."""
        cache = self.__dict__.setdefault("_values", {})
        if f not in cache:
            from collections import Counter

            from kvalitet.search.understanding import field_key

            written = Counter(getattr(p, f) for p in self.ordered if getattr(p, f))
            out: dict[str, str] = {}
            for v, _n in written.most_common():
                out.setdefault(field_key(f, v), v)
            cache[f] = out
        return cache[f]

    def committees(self) -> set[str]:
        """The single committee names that occur ("BoU, BiN" gives BoU and BiN), as written."""
        import re as _re

        out = self.__dict__.get("_committees")
        if out is None:
            out = {c.strip() for p in self.ordered for c in _re.split(r",|&|/|;|\boch\b", p.committee or "") if c.strip()}
            self.__dict__["_committees"] = out
        return out

    def year_set(self) -> frozenset[int]:
        """The years the passages of this snapshot are of (built once per snapshot)."""
        out = self.__dict__.get("_year_set")
        if out is None:
            out = self.__dict__["_year_set"] = frozenset(int(y) for y in np.unique(self.years) if y >= 0)
        return out

    def passages_of(self, doc_path: str) -> list[Passage]:
        """The passages of one document, in order (grouped once per snapshot)."""
        groups = self.__dict__.get("_by_doc")
        if groups is None:
            groups = {}
            for p in self.ordered:
                groups.setdefault(p.doc_path, []).append(p)
            self.__dict__["_by_doc"] = groups
        return groups.get(doc_path, [])

    def subset_vectors(self, filters: SearchFilters, index: "KnowledgeIndex") -> tuple[list[str], np.ndarray] | None:
        """(ids, vectors) of the passages a selective filter admits, from the vector cache, kept
        for this snapshot; None when the filter admits many passages or a vector is not cached
        here (another machine ingested it): then Chroma's filtered search is used.

        Chroma's metadata filter costs about 55 ms a query at 100k passages whatever it admits;
        a draft makes a dozen filtered searches, most by a rare section kind."""
        mask = self.mask(filters)
        limit = index.settings.dense_subset_max
        key = (limit, *sorted((k, v) for k, v in filters.model_dump().items() if v is not None and v != ""))
        cache = self.__dict__.setdefault("_subsets", {})
        if key in cache:
            return cache[key]
        # No filter: the whole index, when it is small enough (exact and deterministic, where
        # HNSW may swap near-tied candidates between processes).
        rows = np.flatnonzero(mask) if mask is not None else np.arange(len(self.ordered))
        if len(rows) > limit:
            cache[key] = None
            return None
        from kvalitet.domain.types import text_hash

        hashes = [text_hash(self.ordered[i].index_text) for i in rows]
        vectors = index.cache.get_many(index.embedder.id, set(hashes))
        if len(vectors) < len(set(hashes)):
            return None
        dim = index.embedder.dim
        matrix = np.vstack([vectors[h] for h in hashes]) if hashes else np.zeros((0, dim), dtype=np.float32)
        cache[key] = ([self.ordered[i].id for i in rows], matrix.astype(np.float32, copy=False))
        return cache[key]

    def year_vectors(self, year: int, index: "KnowledgeIndex") -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, vectors) of the passages of one year: their positions in `ordered`, ascending,
        and their vectors from the vector cache (float32, one row each). Built on first use and
        kept for this snapshot (at most every dated passage's vector: 150 MB at 100k passages of
        384 dimensions); None when a vector is not cached here (another machine ingested it)."""
        blocks = self.__dict__.setdefault("_year_blocks", {})
        if year in blocks:
            return blocks[year]
        from kvalitet.domain.types import text_hash

        rows = np.flatnonzero(self.years == year)
        hashes = [text_hash(self.ordered[i].index_text) for i in rows]
        vectors = index.cache.get_many(index.embedder.id, set(hashes))
        block = None
        if len(vectors) == len(set(hashes)):
            dim = index.embedder.dim
            matrix = np.vstack([vectors[h] for h in hashes]) if hashes else np.zeros((0, dim), dtype=np.float32)
            block = (rows, matrix.astype(np.float32, copy=False))
        blocks[year] = block
        return block

    def row_map(self) -> dict[str, int]:
        """{passage id: its position in `ordered`} (built once per snapshot)."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = self.__dict__["_rows"] = {p.id: i for i, p in enumerate(self.ordered)}
        return rows

    def row_of(self, pid: str) -> int | None:
        return self.row_map().get(pid)

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """1.0 for the passages (in `ordered`) the filters admit, else 0.0; None: no filter.
        Kept per filter for this snapshot."""
        if filters is None:
            return None
        key = tuple(sorted((k, v) for k, v in filters.model_dump().items() if v is not None and v != ""))
        if not key:
            return None
        masks = self.__dict__.setdefault("_masks", {})
        if key not in masks:
            if len(masks) > 256:
                masks.clear()
            masks[key] = self._mask(filters)
        return masks[key]

    def _mask(self, filters: SearchFilters) -> np.ndarray:
        m = np.ones(len(self.ordered), dtype=bool)
        if filters.year is not None:
            m &= self.years == filters.year
        if filters.year_from is not None:
            m &= self.years >= filters.year_from
        if filters.year_to is not None:
            m &= (self.years <= filters.year_to) & (self.years >= 0)
        from kvalitet.search.understanding import committee_set, field_key

        for f in FILTER_FIELDS:
            v = getattr(filters, f)
            if v:
                m &= self.fields[f] == field_key(f, v)
        if filters.committee:
            want = committee_set(filters.committee)  # every committee named, in any order
            m &= np.array([want <= have for have in self.committee_sets], dtype=bool)
        return m.astype(np.float32)


class KnowledgeIndex:
    def __init__(self, settings: Settings, db: Database | None = None, embedder: Embedder | None = None):
        self.settings = settings
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        self.db = db or Database(settings)
        self.db.create_all()
        self._embedder = embedder
        self._vectors: VectorStore | None = None  # opened on first use (vectors)
        self._cache: VectorCache | None = None
        self._snapshot: Snapshot | None = None
        self._lock = threading.RLock()
        self._checked_at = 0.0

    # -- lazily built parts -------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = build_embedder(self.settings)
            return self._embedder

    def check_embedder(self) -> None:
        built_by = self.db.get_meta("embedder_id")
        if built_by and built_by != self.embedder.id:
            raise IndexMismatch(
                f"The index was built with the embedder {built_by!r} but {self.embedder.id!r} is "
                "configured. Re-index with `kvalitet ingest --rebuild` or set KVALITET_EMBEDDER back. / "
                "Indexet byggdes med en annan embeddingmodell: bygg om det med `kvalitet ingest --rebuild`."
            )

    @property
    def vectors(self):
        with self._lock:
            if self._vectors is None:
                from kvalitet.adapters.chroma import VectorStore

                self.check_embedder()
                self._vectors = VectorStore(self.settings, self.embedder.id, self.embedder.dim)
            return self._vectors

    @property
    def cache(self) -> VectorCache:
        with self._lock:
            if self._cache is None:
                self._cache = VectorCache(self.settings.index_dir / "embcache.sqlite")
            return self._cache

    @property
    def bm25_dir(self) -> Path:
        return self.settings.index_dir / "bm25"

    # -- the snapshot used by search ----------------------------------------------------
    def snapshot(self, max_age: float = 1.0) -> Snapshot:
        """The current snapshot; reloads when another process (or ingest) bumped the version."""
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked_at < max_age:
            return snap
        version = self.db.index_version()
        self._checked_at = now
        if snap is not None and snap.version == version:
            return snap
        with self._lock:
            if self._snapshot is not None and self._snapshot.version == version:
                return self._snapshot
            self._snapshot = self._load_snapshot(version)
            return self._snapshot

    def _load_snapshot(self, version: int) -> Snapshot:
        passages = self.db.all_passages()
        bm25 = None
        if self.settings.chroma_host is None:  # a local BM25 file is only trusted on one machine
            try:
                bm25 = BM25Index.load(self.bm25_dir)
            except Exception as exc:  # a torn or old file: rebuild
                log.warning("bm25 index unreadable, rebuilding: %s", exc)
                bm25 = None
            split = self.settings.bm25_split_compounds
            if bm25 is not None and (bm25.version != version or len(bm25.ids) != len(passages) or bm25.split != split):
                bm25 = None
        if bm25 is None:
            bm25 = BM25Index.build(
                [p.id for p in passages], [p.index_text for p in passages], version=version,
                split_compounds=self.settings.bm25_split_compounds,
            )
            if self.settings.chroma_host is None:
                try:
                    bm25.save(self.bm25_dir)
                except OSError as exc:  # pragma: no cover - disk trouble
                    log.warning("could not save bm25 index: %s", exc)
        return Snapshot.build(version, bm25, passages, self.db.document_titles())

    @property
    def loaded_version(self) -> int | None:
        """The index version this process currently searches (None before the first search)."""
        return self._snapshot.version if self._snapshot is not None else None

    def reset_vectors(self) -> None:
        """Forget the vector store handle (the collection is dropped and made anew on next use)."""
        with self._lock:
            self._vectors = None

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None
            self._checked_at = 0.0

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
        self.db.dispose()


def activity_history(index: KnowledgeIndex):
    """The ActivityHistory of the current snapshot (built once per index version)."""
    from kvalitet.search.history import ActivityHistory

    snap = index.snapshot()
    return snap.memo("history", lambda: ActivityHistory(snap.ordered))
