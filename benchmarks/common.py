"""What several benchmarks share: the percentile they all report, the process's peak memory, and
the embedder that keeps an index's hash vectors for passages but asks e5 for every query."""

from __future__ import annotations

import resource


def pct(xs: list[float], p: float) -> float:
    """The p-th percentile of `xs` (nearest rank). Raises IndexError when `xs` is empty."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class E5QueryEmbedder:
    """Passages as `base` embeds them (hash vectors), queries with `e5` (the same dimension): what a
    query costs with e5 without embedding a large corpus with e5 first. With `semantic` the drafts'
    semantic judgement runs as with an e5 index (its cosines with hash passage vectors mean
    nothing, but cost what real ones cost)."""

    def __init__(self, base, e5, semantic: bool = False):
        self.base, self.e5 = base, e5
        self.id, self.dim = base.id, base.dim
        self.semantic = semantic

    def embed_passages(self, texts):
        return self.base.embed_passages(texts)

    def embed_query(self, text):
        return self.e5.embed_query(text)
