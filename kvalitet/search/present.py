"""A search hit as it is shown: the one shape the API returns and the web pages render, with
personal data masked where the settings say so."""

from __future__ import annotations

from pydantic import BaseModel

from kvalitet.domain.types import Hit, Source


class HitOut(BaseModel):
    """A hit for display: the passage's fields, the snippet (HTML with ``<mark>``), its score
    and every place the same text stands."""

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


def present_hit(hit: Hit, mask_pii: bool = False) -> HitOut:
    """The hit as shown; with `mask_pii`, personal data masked in every text field (text,
    snippet, activity, …) by kvalitet.pii.shown, whatever the stored flags say."""
    from kvalitet.pii import shown

    p = hit.passage
    out = HitOut(
        id=p.id, text=p.text, snippet=hit.snippet, score=hit.score, kind=p.section_kind, doc_kind=p.doc_kind,
        year=p.year, activity=p.activity, status=p.status, committee=p.committee,
        perspective=p.perspective, pii=p.pii, source=p.source,
        sources=hit.sources or [p.source], duplicates=hit.duplicates,
    )
    return shown(out, mask_pii)
