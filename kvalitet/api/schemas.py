"""Response models of the API: our own shapes, never a library's types."""

from __future__ import annotations

from pydantic import BaseModel

from kvalitet.domain.types import Hit, Source


class HitOut(BaseModel):
    id: str
    text: str
    snippet: str
    score: float
    kind: str
    doc_kind: str
    year: int | None
    activity: str | None
    status: str | None
    committee: str | None
    perspective: str | None
    pii: list[str] = []
    source: Source
    sources: list[Source] = []  # every file and place this text stands (identical passages collapsed)
    duplicates: list[str] = []

    @classmethod
    def of(cls, hit: Hit, mask_pii: bool = False) -> "HitOut":
        """The API's hit; with `mask_pii`, personal data masked in every text field (text,
        snippet, activity, …) by kvalitet.pii.shown, whatever the stored flags say."""
        from kvalitet.pii import shown

        p = hit.passage
        out = cls(
            id=p.id, text=p.text, snippet=hit.snippet, score=hit.score, kind=p.section_kind, doc_kind=p.doc_kind,
            year=p.year, activity=p.activity, status=p.status, committee=p.committee,
            perspective=p.perspective, pii=p.pii, source=p.source,
            sources=hit.sources or [p.source], duplicates=hit.duplicates,
        )
        return shown(out, mask_pii)


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]
    # With a year filter: how many indexed documents have no year (the filter cannot find them).
    documents_without_year: int | None = None
    # What was read from the question and applied (boosts), each undone by its key in `ignore`.
    understood: dict = {}
    suggestion: str | None = None  # with no hits: what to try (Swedish)
