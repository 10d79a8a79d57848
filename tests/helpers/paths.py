"""Where things are: the checkout, its sample corpus and the tests' data files."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The root of the checkout (pyproject.toml, corpus/, kvalitet/)."""
CORPUS = REPO / "corpus"
"""The sample corpus (the Linköping documents)."""
DATA = REPO / "tests" / "data"
"""The tests' data files: gold questions, labelled personal data, the units' reports."""
