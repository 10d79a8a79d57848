"""Thin wrapper over Chroma: embedded PersistentClient under index/, or a Chroma server.

We always pass our own embeddings (Chroma's default embedding function downloads a model).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from kvalitet.settings import Settings
from kvalitet.errors import IndexMismatch, ServiceUnavailable
from kvalitet.domain.types import Passage, SearchFilters

log = logging.getLogger(__name__)

# Passage fields stored as Chroma metadata (flat scalars only; None is left out).
META_FIELDS = (
    "doc_path", "doc_kind", "year", "section_kind", "perspective", "committee", "status", "activity", "period",
)


def passage_metadata(p: Passage) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for f in META_FIELDS:
        v = getattr(p, f)
        if v is not None and v != "":
            meta[f] = v[:500] if isinstance(v, str) else v
    # committee "BiN, BoU" must match a filter on either; store one flag per committee.
    for c in ("BiN", "BoU"):
        meta[f"c_{c}"] = bool(p.committee and c.lower() in p.committee.lower())
    return meta


def chroma_where(filters: SearchFilters) -> dict | None:
    conds: list[dict] = []
    if filters.year is not None:
        conds.append({"year": filters.year})
    if filters.year_from is not None:
        conds.append({"year": {"$gte": filters.year_from}})
    if filters.year_to is not None:
        conds.append({"year": {"$lte": filters.year_to}})
    if filters.committee:
        key = f"c_{filters.committee}" if filters.committee in ("BiN", "BoU") else None
        conds.append({key: True} if key else {"committee": filters.committee})
    for f in ("perspective", "status", "section_kind", "doc_kind"):
        v = getattr(filters, f)
        if v:
            conds.append({f: v})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def make_client(settings: Settings):
    """A Chroma server client when KVALITET_CHROMA_HOST is set, else the embedded client."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
        path = settings.index_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise ServiceUnavailable(
            f"Chroma could not be reached ({settings.chroma_host or settings.index_dir}): {exc}"
        ) from exc


def drop_collection(settings: Settings) -> None:
    """Remove the collection whatever embedder built it (for a rebuild)."""
    client = make_client(settings)
    try:
        client.delete_collection(settings.collection)
    except Exception:  # it did not exist
        pass


class VectorStore:
    def __init__(self, settings: Settings, embedder_id: str, dim: int):
        self.client = make_client(settings)
        self.mode = "server" if settings.chroma_host else "embedded"
        self.name = settings.collection
        self.embedder_id = embedder_id
        self._count: tuple[int, float] | None = None  # (count, monotonic time read)
        self.collection = self.client.get_or_create_collection(
            name=self.name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder_id, "dim": dim},
        )
        built_by = (self.collection.metadata or {}).get("embedder")
        if built_by and built_by != embedder_id and self.collection.count() > 0:
            raise IndexMismatch(
                f"The index was built with the embedder {built_by!r} but {embedder_id!r} is configured. "
                "Re-index with `kvalitet ingest --rebuild`, or set KVALITET_EMBEDDER back. / "
                "Indexet byggdes med en annan embeddingmodell: bygg om det med `kvalitet ingest --rebuild`."
            )

    def count(self, max_age: float = 2.0) -> int:
        """The number of vectors; remembered for `max_age` seconds (another worker's ingest is
        seen within that time; our own writes reset it)."""
        import time

        now = time.monotonic()
        cached = self._count
        if cached is None or now - cached[1] > max_age:
            cached = (self.collection.count(), now)
            self._count = cached
        return cached[0]

    def upsert(self, passages: list[Passage], vectors: np.ndarray, batch: int = 2000) -> None:
        self._count = None
        for i in range(0, len(passages), batch):
            chunk = passages[i : i + batch]
            self.collection.upsert(
                ids=[p.id for p in chunk],
                embeddings=vectors[i : i + batch].tolist(),
                metadatas=[passage_metadata(p) for p in chunk],
                documents=[p.text for p in chunk],
            )

    def delete(self, ids: list[str], batch: int = 2000) -> None:
        self._count = None
        for i in range(0, len(ids), batch):
            self.collection.delete(ids=ids[i : i + batch])

    def all_ids(self) -> set[str]:
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)
            out.update(got["ids"])
            if len(got["ids"]) < page:
                return out
            offset += page

    def query(self, vector: np.ndarray, k: int, filters: SearchFilters | None = None) -> list[tuple[str, float]]:
        n = self.count()
        if n == 0:
            return []
        res = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
            n_results=min(k, n),
            where=chroma_where(filters) if filters else None,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def heartbeat(self) -> bool:
        try:
            self.client.heartbeat()
            return True
        except Exception:  # pragma: no cover - depends on the server
            return False
