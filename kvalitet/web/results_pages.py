"""The results pages: indicator series over the years with charts, data tables and their sources.

/resultat lists series (search by indicator, unit, source and years); /resultat/{id} shows one
series: the chart (SVG from /api/results/{id}/chart.svg with its alternative text), the sentence
drafts use, and the table of values, each with its source (a link to the document line, or
"Källa: Kolada (RKA)"); /resultat/jamfor?ids=… draws several units' series side by side. Admins and
quality developers can correct the matching of a wording to a series there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool

from kvalitet.errors import InvalidInput
from kvalitet.results.charts import alt_text, chart_table
from kvalitet.web.pages import WebRoute, page, redirect, services, text_params, web_user
from kvalitet.web.session import require_csrf
from kvalitet.workspace.auth import User

router = APIRouter(route_class=WebRoute, include_in_schema=False, dependencies=[Depends(require_csrf)])
SeriesId = Annotated[str, Query(pattern=r"^s_[0-9a-f]{12}$")]


def _year(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and 1900 <= int(value) <= 2100 else None


# /resultat's query: words of the indicator, the unit, the source ("dokument", "kolada"), the years
_results_query = text_params(Query, {"q": 200, "enhet": 200, "kalla": 16, "fran": 4, "till": 4})


@router.get("/resultat")
def results_page(request: Request, query: dict[str, str] = Depends(_results_query), user: User = Depends(web_user)):
    q, enhet, kalla, fran, till = (query[k] for k in ("q", "enhet", "kalla", "fran", "till"))
    svc = services(request)
    error = None
    try:
        found = svc.results.search(q or None, entity=enhet or None, source=kalla or None,
                                   year_from=_year(fran), year_to=_year(till))
    except InvalidInput:
        error, found = "Välj källa Dokument eller Kolada.", []
    rows = [{"series": s, "sentence": svc.results.describe(s)} for s in found]
    return page(request, "results.html", user=user, nav="resultat", title="Resultat över åren", rows=rows,
                q=q, enhet=enhet, kalla=kalla, fran=fran, till=till, error=error,
                can_edit=user.role in ("admin", "kvalitetsutvecklare"))


@router.get("/resultat/jamfor")
def compare_page(request: Request, ids: list[str] = Query(..., max_length=8), user: User = Depends(web_user)):
    svc = services(request)
    if not 1 <= len(ids) <= 8 or not all(i.startswith("s_") and len(i) == 14 for i in ids):
        raise InvalidInput("Välj 1–8 serier att jämföra / choose 1–8 series")
    series = [svc.results.get(i) for i in ids]
    return page(request, "result.html", user=user, nav="resultat", title="Jämförelse: " + series[0].title,
                series=series, one=None, chart_url="/api/results/chart.svg?ids=" + ",".join(ids),
                alt=alt_text(series), table=chart_table(series), sentences=[svc.results.describe(s) for s in series],
                can_edit=False, candidates=[])


@router.get("/resultat/{sid}")
def result_page(request: Request, sid: str, user: User = Depends(web_user)):
    svc = services(request)
    if not (sid.startswith("s_") and len(sid) == 14):
        raise InvalidInput("Ogiltigt serie-id / invalid series id")
    s = svc.results.get(sid)
    can_edit = user.role in ("admin", "kvalitetsutvecklare") and s.source_kind == "dokument"
    candidates = [c for c in svc.results.search(source="dokument") if c.id != s.id] if can_edit else []
    return page(request, "result.html", user=user, nav="resultat", title=s.title, series=[s], one=s,
                chart_url=f"/api/results/{s.id}/chart.svg", alt=alt_text([s]), table=chart_table([s]),
                sentences=[svc.results.describe(s)], can_edit=can_edit, candidates=candidates)


@router.post("/resultat/{sid}/koppla")
async def link_wording(request: Request, sid: str, wording: Annotated[str, Form(max_length=500)],
                       target: Annotated[str, Form(pattern=r"^s_[0-9a-f]{12}$")], user: User = Depends(web_user)):
    svc = services(request)
    merged = await run_in_threadpool(svc.results.set_alias, wording, target, user.role, user.name)
    return redirect(request, f"/resultat/{merged.id}")
