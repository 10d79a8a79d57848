"""A naive retrieval baseline to measure the search against: each document's text cut into
1,000-character chunks, BM25 (Snowball stems, no compounds) and e5 over the chunks, fused by
RRF with equal weights. No records, no metadata, no reading of the question, no floor.

Real code, run by `kvalitet eval retrieval` beside the search itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kvalitet.search.analysis import stem, words

CHUNK_CHARS = 1000


def chunk_text(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """`text` cut into pieces of at most `size` characters, at whitespace where one is near."""
    text = " ".join(text.split())
    out = []
    while text:
        if len(text) <= size:
            out.append(text)
            break
        cut = text.rfind(" ", int(size * 0.8), size)
        cut = cut if cut > 0 else size
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    return out


@dataclass
class Chunk:
    """One chunk: its text and the document it was cut from."""

    text: str
    doc_path: str


class NaiveBaseline:
    """BM25 + e5 over 1,000-character chunks of whole documents, fused by RRF (k=60, equal
    weights). `search(query, k)` returns the k best chunks."""

    def __init__(self, files: list[Path], embedder, settings=None, rrf_k: int = 60):
        from kvalitet.adapters.bm25 import BM25
        from kvalitet.ingest.readers import read_document

        self.chunks: list[Chunk] = []
        for f in files:
            try:
                doc = read_document(f, settings=settings, display_path=f.name)
            except Exception:  # an unreadable file is left out, as ingest would skip it
                continue
            text = "\n".join(line.text for line in doc.lines)
            self.chunks += [Chunk(c, f.name) for c in chunk_text(text)]
        self.embedder = embedder
        self.rrf_k = rrf_k
        tokens = [[stem(w) for w in words(c.text)] or ["_tom_"] for c in self.chunks]
        self.bm25 = BM25.build(tokens)
        self.vectors = np.asarray(embedder.embed_passages([c.text for c in self.chunks]), dtype=np.float32)

    def search(self, query: str, k: int = 10) -> list[Chunk]:
        n = len(self.chunks)
        terms = [t for t in (stem(w) for w in words(query)) if t in self.bm25.vocab]
        ranked: dict[int, float] = {}
        if terms:
            scores = self.bm25.scores(terms)
            for r, i in enumerate([i for i in np.argsort(-scores, kind="stable") if scores[i] > 0][:50], 1):
                ranked[int(i)] = ranked.get(int(i), 0.0) + 1.0 / (self.rrf_k + r)
        sims = self.vectors @ np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        for r, i in enumerate(np.argsort(-sims, kind="stable")[: min(50, n)], 1):
            ranked[int(i)] = ranked.get(int(i), 0.0) + 1.0 / (self.rrf_k + r)
        order = sorted(ranked, key=lambda i: (-ranked[i], i))[:k]
        return [self.chunks[i] for i in order]
