"""Results helpers: a document with indicator records written straight into the catalog."""

from __future__ import annotations

from kvalitet.domain.types import Passage
from kvalitet.storage.db import DocumentRow, PassageRow

TRYGG = "N15613"
"""Kolada's indicator for "Andel elever som känner sig trygga"."""


def add_indicator_doc(db, path, year, rows, title=None):
    """A document with indicator passages: rows of (indicator, outcome, target, assessment, line)."""
    with db.session() as s:
        s.add(DocumentRow(path=path, sha256="0" * 64, doc_kind="delarsrapport", year=year, title=title))
        s.flush()
        for i, (ind, outcome, target, assessment, line) in enumerate(rows):
            text = f"Indikator: {ind}. Utfall: {outcome}. Målnivå: {target}. Bedömning: {assessment}."
            s.add(PassageRow.from_passage(Passage(
                id=f"p_{path}_{i}", text=text, doc_path=path, doc_kind="delarsrapport", year=year,
                section_kind="indikator", page=2, line_start=line, line_end=line, ordinal=i)))
