"""Response models of the API: our own shapes, never a library's types."""

from __future__ import annotations

from pydantic import BaseModel

from kvalitet.search.present import HitOut

__all__ = ["HitOut", "SearchOut"]


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]
    # With a year filter: how many indexed documents have no year (the filter cannot find them).
    documents_without_year: int | None = None
    # What was read from the question and applied (boosts), each undone by its key in `ignore`.
    understood: dict = {}
    suggestion: str | None = None  # with no hits: what to try (Swedish)
