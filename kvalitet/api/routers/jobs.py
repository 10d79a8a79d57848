"""Start this year's report from last year's, import activity lists, draft all (as a job).

    POST /api/reports/{id}/carry-forward   {year?, title?}           -> 201 SeedResult
    POST /api/reports/from-document        {path, year?, unit?, title?, kind?} -> 201 SeedResult
    POST /api/reports/{id}/import          multipart "file" (XLSX or CSV) -> 200 ImportResult
    POST /api/reports/{id}/draft-all       {sections?, generator?}   -> 202 JobView (Location: /api/jobs/{id})
    GET  /api/reports/{id}/jobs                                      -> the report's jobs
    GET  /api/jobs/{id}                                              -> JobView (progress)
    POST /api/jobs/{id}/cancel                                       -> JobView

Thin: request model in, one service call (which checks the user's rights), response model out.
The router's lifespan resumes, on app start, the jobs left running by a stopped process, and
stops the job thread on shutdown (the job stays running and is resumed at the next start).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from kvalitet.workspace.carry_forward import SeedResult, carry_forward, seed_from_document
from kvalitet.workspace.importer import ImportResult, import_activities
from kvalitet.workspace.jobs import (
    JobView,
    cancel_job,
    get_job,
    list_jobs,
    resume_jobs,
    start_draft_all,
)
from kvalitet.container import Services
from kvalitet.domain.types import DraftSection
from kvalitet.workspace.auth import User
from kvalitet.workspace.views import ReportKind
from kvalitet.api.auth import AuthRoute, current_user
from kvalitet.api.deps import get_services
from kvalitet.api.http import read_limited

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app):
    svc = getattr(app.state, "services", None)
    runner = None
    if svc is not None:
        runner = svc.jobs
        try:
            await run_in_threadpool(resume_jobs, runner)
        except Exception:  # never keep the API from starting
            log.exception("could not resume jobs")
    yield
    if runner is not None:
        await run_in_threadpool(runner.stop, 30.0)


router = APIRouter(prefix="/api", tags=["jobb"], route_class=AuthRoute, lifespan=lifespan)


# Ids beyond 64 bits would overflow SQLite (a 500): refused as invalid input instead.
ReportId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The report's id.")]
JobId = Annotated[str, Path(min_length=1, max_length=32, description="The job's id.")]


class CarryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(None, ge=2000, le=2100, description="Default: the report's year + 1.")
    title: str | None = Field(None, min_length=1, max_length=500, description="Default: the old title, new year.")


class FromDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(..., min_length=1, max_length=1024, description="An ingested document, e.g. 2022-….txt")
    year: int | None = Field(None, ge=2000, le=2100, description="Default: the document's year + 1.")
    unit: str | None = Field(None, min_length=1, max_length=200, description="Default: your unit.")
    title: str | None = Field(None, min_length=1, max_length=500)
    kind: ReportKind | None = Field(None, description="Default: from the document's kind.")


class DraftAllIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: list[DraftSection] | None = Field(None, max_length=4, description="Default: all four sections.")
    generator: Literal["extractive", "llm"] | None = Field(None, description="Default: KVALITET_GENERATOR.")


class JobsOut(BaseModel):
    jobs: list[JobView]


@router.post("/reports/from-document", response_model=SeedResult, status_code=201)
def from_document(body: FromDocumentIn, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    """Ny rapport från en inläst uppföljning: de aktiviteter som inte blev klara förs vidare."""
    return seed_from_document(svc.workspace, body.path, body.year, body.unit, user, title=body.title, kind=body.kind)


@router.post("/reports/{report_id}/carry-forward", response_model=SeedResult, status_code=201)
def carry(report_id: ReportId, body: CarryIn | None = None, user: User = Depends(current_user),
          svc: Services = Depends(get_services)):
    """Nästa års rapport med de aktiviteter som inte blev klara (Kvarstår från <år>)."""
    body = body or CarryIn()
    return carry_forward(svc.workspace, report_id, body.year, user, title=body.title)


@router.post("/reports/{report_id}/import", response_model=ImportResult)
async def import_file(report_id: ReportId, file: UploadFile = File(..., description="XLSX eller CSV"),
                      user: User = Depends(current_user), svc: Services = Depends(get_services)):
    """Läs in en aktivitetslista (XLSX eller CSV); dubbletter slås ihop."""
    data = await read_limited(file, svc.settings.max_upload_bytes)
    return await run_in_threadpool(import_activities, svc.workspace, report_id, data, user, filename=file.filename)


@router.post("/reports/{report_id}/draft-all", response_model=JobView, status_code=202)
def draft_all(report_id: ReportId, response: Response, body: DraftAllIn | None = None,
              user: User = Depends(current_user), svc: Services = Depends(get_services)):
    """Starta ett jobb som skriver utkast för alla aktiviteter; följ det på /api/jobs/{id}."""
    body = body or DraftAllIn()
    job = start_draft_all(svc.jobs, report_id, user, sections=list(body.sections) if body.sections else None,
                          generator=body.generator)
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return job


@router.get("/reports/{report_id}/jobs", response_model=JobsOut)
def report_jobs(report_id: ReportId, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return JobsOut(jobs=list_jobs(svc.workspace, user, report_id=report_id))


@router.get("/jobs/{job_id}", response_model=JobView)
def job(job_id: JobId, response: Response, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    """Ett jobbs läge: state, total, done, errors."""
    response.headers["Cache-Control"] = "no-store"
    return get_job(svc.workspace, job_id, user)


@router.post("/jobs/{job_id}/cancel", response_model=JobView)
def cancel(job_id: JobId, user: User = Depends(current_user), svc: Services = Depends(get_services)):
    return cancel_job(svc.workspace, job_id, user)
