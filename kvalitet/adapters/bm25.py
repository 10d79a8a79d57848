"""BM25 over pre-analysed token lists, by bm25s: the one importer of bm25s.

The Swedish analysis (stems, compound parts, accent folding) and the query logic stay in
kvalitet.search.analysis; this wrapper only builds, scores, saves and loads the sparse index, and
returns numpy arrays and plain dicts, never bm25s's own types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


class BM25:
    """A bm25s index over documents given as token lists (rows in the order given)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    @classmethod
    def build(cls, corpus: list[list[str]]) -> "BM25":
        """Index `corpus` (one token list per document; a list must not be empty)."""
        import bm25s

        model = bm25s.BM25()
        model.index(corpus, show_progress=False)
        return cls(model)

    @classmethod
    def load(cls, path: Path) -> "BM25":
        """The index saved by `save` at `path` (a folder)."""
        import bm25s

        return cls(bm25s.BM25.load(str(path)))

    def save(self, path: Path) -> None:
        """Write the index into the folder `path`."""
        self._model.save(str(path))

    @property
    def vocab(self) -> dict[str, int]:
        """term -> its column in the index."""
        return self._model.vocab_dict

    def postings(self, term: str) -> np.ndarray:
        """The rows (document positions) that contain `term`; empty for an unknown term."""
        i = self.vocab.get(term)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        sc = self._model.scores
        return sc["indices"][sc["indptr"][i]:sc["indptr"][i + 1]]

    def df(self, term: str) -> int:
        """In how many documents `term` occurs (0 when never)."""
        i = self.vocab.get(term)
        if i is None:
            return 0
        indptr = self._model.scores["indptr"]
        return int(indptr[i + 1] - indptr[i])

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every document for the query `terms` (all must be in `vocab`)."""
        return self._model.get_scores(terms)
