"""The roll-up of the units' reports (issue 20): the unit register, documents' units, the
roll-up itself (JSON or a file with the matrix as a table), the drill-down to a cited passage,
and the huvudman's report drafted from it. Thin: every rights check is in kvalitet.rollup.service.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from kvalitet.api.auth import AuthRoute, current_user
from kvalitet.api.deps import get_services
from kvalitet.container import Services
from kvalitet.domain.types import Passage
from kvalitet.rollup.model import RollupResult, UnitInfo
from kvalitet.workspace.auth import User
from kvalitet.workspace.service import MEDIA_TYPES
from kvalitet.workspace.views import ReportView, SuggestionView
from kvalitet.pii import shown

router = APIRouter(prefix="/api", tags=["sammanställning"], route_class=AuthRoute)


class UnitsOut(BaseModel):
    units: list[UnitInfo]


class UnitIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    kind: str | None = Field(None, max_length=32, description="förskola, grundskola, gymnasium, fritidshem …")
    parent: str | None = Field(None, max_length=200)
    kolada_id: str | None = Field(None, max_length=32, description="Kolada's skolenhet id, e.g. V15E148000101")


class DocumentUnitIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    path: str = Field(..., min_length=1, max_length=1024)
    unit: str = Field(..., min_length=1, max_length=200)


class DocumentUnitOut(BaseModel):
    path: str
    year: int | None = None
    title: str | None = None
    unit: str | None = None
    how: str | None = None


class DocumentUnitsOut(BaseModel):
    documents: list[DocumentUnitOut]


class PassageOut(BaseModel):
    passage: Passage
    unit: str | None = None


class HuvudmanIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    year: int = Field(..., ge=2000, le=2100)
    title: str | None = Field(None, max_length=500)
    huvudman: str | None = Field(None, max_length=200)


class HuvudmanDraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[str] | None = Field(None, max_length=1000, description="Default: every unit of the register.")
    generator: Literal["extractive", "llm"] | None = None


class HuvudmanDraftOut(BaseModel):
    report_id: int
    suggestions: list[SuggestionView]


@router.get("/units", response_model=UnitsOut)
async def list_units(user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return UnitsOut(units=await run_in_threadpool(svc.rollup.list_units, user))


@router.post("/units", response_model=UnitInfo)
async def save_unit(body: UnitIn, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return await run_in_threadpool(svc.rollup.save_unit, UnitInfo(**body.model_dump()), user)


@router.get("/rollup/documents", response_model=DocumentUnitsOut)
async def document_units(user: User = Depends(current_user), svc: Services = Depends(get_services)):
    docs = await run_in_threadpool(svc.rollup.document_units, user)
    return DocumentUnitsOut(documents=[DocumentUnitOut(**d) for d in docs])


@router.put("/rollup/documents/unit", response_model=UnitInfo)
async def set_document_unit(body: DocumentUnitIn, user: User = Depends(current_user),
                            svc: Services = Depends(get_services)):
    return await run_in_threadpool(svc.rollup.set_document_unit, body.path, body.unit, user)


@router.get("/rollup", response_model=RollupResult)
async def rollup(
    year: int | None = Query(None, ge=1900, le=2100),
    unit: list[str] | None = Query(None, max_length=1000, description="Units (repeat); default: all"),
    huvudman: str | None = Query(None, max_length=200),
    user: User = Depends(current_user),
    svc: Services = Depends(get_services),
):
    result = await run_in_threadpool(lambda: svc.rollup.rollup(user, year=year, units=unit, huvudman=huvudman))
    return shown(result, svc.settings.mask_personal_data)


@router.get(
    "/rollup/export",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}, MEDIA_TYPES["docx"]: {}},
                     "description": "The roll-up as a file, the matrix as a table (Content-Disposition: attachment)."}},
)
async def export_rollup(
    year: int | None = Query(None, ge=1900, le=2100),
    unit: list[str] | None = Query(None, max_length=1000),
    format: Literal["md", "html", "docx"] = "docx",
    user: User = Depends(current_user),
    svc: Services = Depends(get_services),
):
    def run():
        r = svc.rollup
        return r.export(shown(r.rollup(user, year=year, units=unit), svc.settings.mask_personal_data), format)

    f = await run_in_threadpool(run)
    return Response(f.content, media_type=f.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.filename)}", "Cache-Control": "no-store"})


@router.get("/rollup/passages/{passage_id}", response_model=PassageOut)
async def rollup_passage(passage_id: str, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    p, unit = await run_in_threadpool(svc.rollup.passage, passage_id, user)
    return shown(PassageOut(passage=p, unit=unit), svc.settings.mask_personal_data)


@router.post("/rollup/huvudman-reports", response_model=ReportView, status_code=201)
async def create_huvudman_report(body: HuvudmanIn, user: User = Depends(current_user),
                                 svc: Services = Depends(get_services)):
    return await run_in_threadpool(lambda: svc.rollup.create_huvudman_report(
        body.year, user, title=body.title, huvudman=body.huvudman))


@router.post("/rollup/huvudman-reports/{report_id}/draft", response_model=HuvudmanDraftOut)
async def draft_huvudman_report(report_id: int, body: HuvudmanDraftIn, user: User = Depends(current_user),
                                svc: Services = Depends(get_services)):
    sgs = await run_in_threadpool(lambda: svc.rollup.draft_huvudman(
        report_id, user, units=body.units, generator=body.generator))
    return shown(HuvudmanDraftOut(report_id=report_id, suggestions=sgs), svc.settings.mask_personal_data)
