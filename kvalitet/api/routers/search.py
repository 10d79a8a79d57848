from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from kvalitet.container import Services
from kvalitet.domain.types import SearchFilters
from kvalitet.api.auth import AuthRoute, current_user
from kvalitet.api.deps import get_services
from kvalitet.api.schemas import SearchOut
from kvalitet.search.present import present_hit
from kvalitet.pii import shown

router = APIRouter(prefix="/api", tags=["sök"], dependencies=[Depends(current_user)], route_class=AuthRoute)


@router.get("/search", response_model=SearchOut)
async def search(
    q: str = Query(..., max_length=2000, description="Sökfrågan"),
    k: int = Query(10, ge=1, le=100),
    year: int | None = Query(None, ge=1900, le=2100),
    year_from: int | None = Query(None, ge=1900, le=2100),
    year_to: int | None = Query(None, ge=1900, le=2100),
    status: str | None = Query(None, max_length=64),
    kind: str | None = Query(None, max_length=64, description="Section kind: analys, uppfoljning, risk, kostnad …"),
    doc_kind: str | None = Query(None, max_length=64),
    committee: str | None = Query(None, max_length=64),
    perspective: str | None = Query(None, max_length=64),
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid",
    understand: bool = Query(True, description="Read kinds, years and names from the question (boosts)"),
    ignore: list[Literal["kind", "status", "year", "committee", "perspective", "accents"]] = Query(
        [], description="Readings of the question to undo, by the keys of `understood`"),
    svc: Services = Depends(get_services),
):
    """Hybrid search. `understood` says what was read from the question and applied; an
    unknown kind or status is a 422 listing the valid values; no hits come with a
    `suggestion`."""
    filters = SearchFilters(
        year=year, year_from=year_from, year_to=year_to, status=status, section_kind=kind,
        doc_kind=doc_kind, committee=committee, perspective=perspective,
    )
    res = await run_in_threadpool(
        lambda: svc.retriever.run(q, k, filters, mode, understand_query=understand, ignore=set(ignore))
    )
    no_year = None
    if year is not None or year_from is not None or year_to is not None:
        no_year = await run_in_threadpool(svc.db.documents_without_year)
    # every field of every hit (text, snippet, activity, …) through the one masking function
    return shown(SearchOut(query=q, hits=[present_hit(h) for h in res.hits], documents_without_year=no_year,
                           **res.as_json()),
                 svc.settings.mask_personal_data)
