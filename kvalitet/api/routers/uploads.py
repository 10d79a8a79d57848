"""Uploads read in the background (admin):

    POST /api/uploads        multipart "file", ?replace=true  -> 202 UploadJobView (Location: /api/uploads/{id})
    GET  /api/uploads/{id}                                   -> UploadJobView: stage, progress, result or error

The request stores the file and answers at once; the document is read by a worker thread
(kvalitet.workspace.uploads). POST /api/documents still reads it within the request. The
router's lifespan hands uploads left unfinished by a stopped process to the worker again.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from kvalitet.api.auth import AuthRoute, require_admin
from kvalitet.api.deps import get_services
from kvalitet.container import Services
from kvalitet.workspace.auth import User
from kvalitet.workspace.uploads import UploadJobView

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app):
    svc = getattr(app.state, "services", None)
    if svc is not None:
        try:
            await run_in_threadpool(svc.uploads.resume)
        except Exception:  # never keep the API from starting
            log.exception("could not resume uploads")
    yield


router = APIRouter(prefix="/api", tags=["dokument"], route_class=AuthRoute, lifespan=lifespan)
UploadId = Annotated[str, Path(min_length=1, max_length=32, pattern="^[0-9a-f]+$")]


@router.post("/uploads", response_model=UploadJobView, status_code=202)
async def upload(
    response: Response,
    file: UploadFile = File(..., description="PDF, DOCX, HTML, Markdown eller text"),
    replace: bool = Query(False, description="Ersätt ett annat dokument med samma namn"),
    svc: Services = Depends(get_services),
    user: User = Depends(require_admin),
):
    """Ladda upp ett dokument som läses in i bakgrunden; följ det med GET /api/uploads/{id}."""
    view = await svc.uploads.accept(file, replace, user)
    response.headers["Location"] = f"/api/uploads/{view.id}"
    return view


@router.get("/uploads/{upload_id}", response_model=UploadJobView)
def upload_status(upload_id: UploadId, svc: Services = Depends(get_services), user: User = Depends(require_admin)):
    """Hur långt inläsningen har kommit, och när den är klar: vad som kändes igen eller varför den misslyckades."""
    return svc.uploads.get(upload_id, user)
