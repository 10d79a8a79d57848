"""Documents: upload (admin), list, and "open the passage in its document".

The work is kvalitet.ingest.documents (shared with the web pages and the upload jobs); this
module is the HTTP shape of it.
"""

from __future__ import annotations

import html
from typing import Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from kvalitet.api.auth import AuthRoute, current_user, require_admin
from kvalitet.api.deps import get_services
from kvalitet.api.http import read_limited
from kvalitet.container import Services
from kvalitet.ingest.documents import (
    DocumentOut, PassageContextOut, UploadOut, list_documents as catalogued_documents, passage_window, store_upload,
)
from kvalitet.workspace.auth import User

router = APIRouter(prefix="/api", tags=["dokument"], route_class=AuthRoute)


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


@router.post("/documents", response_model=UploadOut, status_code=201, responses={200: {"description": "Redan inläst / unchanged"}})
async def upload_document(
    response: Response,
    file: UploadFile = File(..., description="PDF, DOCX, HTML, Markdown eller text"),
    replace: bool = Query(False, description="Ersätt ett annat dokument med samma namn"),
    unit: str | None = Query(None, max_length=200,
                             description="Enheten dokumentet hör till (annars känns den igen ur texten)"),
    svc: Services = Depends(get_services),
    _user: User = Depends(require_admin),
):
    """Ladda upp ett dokument (admin): typ från innehållet, säkert filnamn, inläsning direkt."""
    data = await read_limited(file, svc.settings.max_upload_bytes)
    out = await run_in_threadpool(store_upload, svc.index, data, file.filename, replace)
    if unit and unit.strip():  # the roll-up's unit of this document, set by hand (issue 20)
        await run_in_threadpool(svc.rollup.set_document_unit, out.path, unit.strip(), _user)
    if out.status == "unchanged":
        response.status_code = 200
    return out


@router.get("/documents", response_model=DocumentsOut)
def list_documents(svc: Services = Depends(get_services), _user: User = Depends(current_user)):
    """De inlästa dokumenten med typ, år, antal poster, varningar och antal personuppgifter."""
    return DocumentsOut(documents=catalogued_documents(svc.db))


def render_passage_html(ctx: PassageContextOut) -> str:
    """The passage as an HTML page: every piece of document text escaped, no inline script or
    style (the CSP forbids both)."""
    def esc(s: str) -> str:
        return html.escape(s, quote=True)

    items = []
    for ln in ctx.lines:
        text = esc(ln.text) or "&nbsp;"
        if ln.in_passage:
            text = f"<mark>{text}</mark>"
        items.append(f'<li value="{ln.number}">{text}</li>')
    note = (
        '<p class="varning">Filen har ändrats sedan den lästes in / the file changed since it was indexed.</p>'
        if ctx.changed_since_ingest else ""
    )
    return (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{esc(ctx.path)} rad {ctx.line_start}–{ctx.line_end}</title></head><body>"
        f"<h1>{esc(ctx.path)}</h1><p>Rad {ctx.line_start}–{ctx.line_end} av {ctx.total_lines}</p>{note}"
        f'<ol class="dokument">{"".join(items)}</ol></body></html>'
    )


@router.get(
    "/documents/{doc_path:path}/passages",
    response_model=PassageContextOut,
    responses={200: {"content": {"text/html": {}}}},
)
def passage_in_document(
    doc_path: str,
    passage: str | None = Query(None, max_length=64, description="Passagens id (från sökningen)"),
    line: int | None = Query(None, ge=1, le=10_000_000, description="Eller en radnummer"),
    context: int = Query(5, ge=0, le=50, description="Rader före och efter"),
    format: Literal["json", "html"] = Query("json"),
    svc: Services = Depends(get_services),
    _user: User = Depends(current_user),
):
    """Öppna passagen i sitt dokument: raderna runt den, med radnummer."""
    # A passage asked for must be there (no fall-back to a line): 404 once it is gone.
    start = None if passage is not None else (line or 1)
    window = passage_window(svc.settings, svc.db, doc_path, passage, start, None, context)
    ctx = window.context_out(svc.settings.mask_personal_data)
    if format == "html":
        return HTMLResponse(render_passage_html(ctx))
    return ctx
