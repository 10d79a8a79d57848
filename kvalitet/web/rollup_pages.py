"""The roll-up page: /sammanstallning?ar=2023 shows which themes the units' reports raise, how
many units raise each (every count with the units and passages it stands on), the matrix of
units × themes (each cell a link to the unit's passage in its document) and the units without
a report. A rektor sees their own unit's row and the totals only. Export to Word with the
matrix as a table; a quality developer creates the huvudman's report from here.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select
from urllib.parse import quote

from kvalitet.rollup.model import ASPECT_LABELS, OUTCOME_LABELS
from kvalitet.rollup.service import SEE_ALL, MANAGE, matrix_cell_label
from kvalitet.storage.db import DocumentRow
from kvalitet.web.pages import WebRoute, page, redirect, services, web_user
from kvalitet.web.session import require_csrf
from kvalitet.workspace.auth import User
from kvalitet.pii import shown

router = APIRouter(route_class=WebRoute, include_in_schema=False, dependencies=[Depends(require_csrf)])
ASPECT_SHORT = {"utvecklingsomrade": "U", "insats": "I", "resultat": "R", "analys": "A", "risk": "Ri", "ovrigt": "N"}
OUTCOME_SIGN = {"forbattrat": "↑", "forsamrat": "↓", "oforandrat": "→", "blandat": "↕"}


def _year(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and 1900 <= int(value) <= 2100 else None


def _years(svc) -> list[int]:
    with svc.db.session() as s:
        return sorted((y for y in s.scalars(select(DocumentRow.year).distinct()) if y), reverse=True)


@router.get("/sammanstallning")
def rollup_page(request: Request, ar: str = Query("", max_length=4), user: User = Depends(web_user)):
    svc = services(request)
    years = _years(svc)
    year = _year(ar) or (years[0] if years else None)
    ro = svc.rollup
    result = shown(ro.rollup(user, year=year), svc.settings.mask_personal_data)
    documents = []
    if user.role in MANAGE:  # which unit each document of the year belongs to, to correct by hand
        documents = [d for d in ro.document_units(user) if year is None or d["year"] in (year, year - 1)]
    return page(request, "rollup.html", user=user, nav="sammanstallning", documents=documents,
                unit_names=[u.name for u in ro.list_units(user)],
                title=f"Sammanställning av enheternas rapporter {year or ''}".strip(), result=result, year=year,
                years=years, cell_label=matrix_cell_label, ASPECT_LABELS=ASPECT_LABELS, OUTCOME_LABELS=OUTCOME_LABELS,
                ASPECT_SHORT=ASPECT_SHORT, OUTCOME_SIGN=OUTCOME_SIGN, can_write=user.role in MANAGE,
                sees_all=user.role in SEE_ALL)


@router.get("/sammanstallning/exportera")
def export_rollup(request: Request, ar: str = Query("", max_length=4),
                  format: str = Query("docx", pattern="^(docx|html|md)$"), user: User = Depends(web_user)):
    svc = services(request)
    r = svc.rollup
    f = r.export(shown(r.rollup(user, year=_year(ar)), svc.settings.mask_personal_data), format)
    return Response(f.content, media_type=f.media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.filename)}"})


@router.post("/sammanstallning/dokument-enhet")
async def set_document_unit(request: Request, path: str = Form(..., max_length=1024),
                            enhet: str = Form("", max_length=200), ar: str = Form("", max_length=4),
                            user: User = Depends(web_user)):
    """Say by hand which unit a document belongs to (recognition found none, or the wrong one)."""
    if not enhet.strip():
        from kvalitet.errors import InvalidInput

        raise InvalidInput("Skriv enhetens namn", "the unit's name is required")
    await run_in_threadpool(services(request).rollup.set_document_unit, path, enhet.strip(), user)
    return redirect(request, f"/sammanstallning?ar={_year(ar) or ''}#dokument")


@router.post("/sammanstallning/huvudmannarapport")
async def create_huvudman_report(request: Request, ar: str = Form("", max_length=4), user: User = Depends(web_user)):
    year = _year(ar)
    if year is None:
        from kvalitet.errors import InvalidInput

        raise InvalidInput("Ange ett år", "a year is required")
    r = services(request).rollup

    def run():
        rep = r.create_huvudman_report(year, user)
        r.draft_huvudman(rep.id, user)
        return rep

    rep = await run_in_threadpool(run)
    return redirect(request, f"/rapporter/{rep.id}")
