"""Documents: upload (admin), list, and "open the passage in its document".

An upload is typed from its content (magic bytes), never from its name; its name is reduced to a
safe base name inside ``corpus_dir/uploads/``; it is written atomically (a hidden temp file,
then a rename) and ingested at once. If ingest cannot read it, the file that stood there before
is put back (or the new one removed), so a bad upload never costs what is already indexed.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import threading
import unicodedata
import uuid
from collections import Counter, OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import func, select

from kvalitet.storage.db import DocumentRow, PassageRow
from kvalitet.errors import Conflict, ConfigError, IndexBusy, NotFound, UnreadableFile
from kvalitet.ingest.pipeline import personal_data_findings
from kvalitet.ingest.readers import MEDIA_CSV, MEDIA_DOCX, MEDIA_HTML, MEDIA_MARKDOWN, MEDIA_PDF, MEDIA_XLSX, sniff_media_type
from kvalitet.container import Services
from kvalitet.workspace.auth import User
from kvalitet.api.auth import AuthRoute, current_user, require_admin
from kvalitet.api.deps import get_services
from kvalitet.api.http import read_limited

router = APIRouter(prefix="/api", tags=["dokument"], route_class=AuthRoute)

UPLOAD_SUBDIR = "uploads"
MAX_NAME_BYTES = 120  # of the stem, UTF-8; far below every file system's 255
_SUFFIX = {
    MEDIA_PDF: ".pdf", MEDIA_DOCX: ".docx", MEDIA_XLSX: ".xlsx", MEDIA_CSV: ".csv", MEDIA_HTML: ".html",
    MEDIA_MARKDOWN: ".md",
}
_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])$", re.I)
_UNSAFE_CHARS = re.compile(r"[^\w .()\-]", re.UNICODE)
# One upload at a time in this process (ingest itself holds a file lock across processes).
_upload_lock = threading.Lock()


# --------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------


def safe_filename(raw: str | None, media_type: str) -> str:
    """A base name that is safe to create in the uploads folder, with the suffix of its type.

    Directories (``../``, absolute paths, Windows ``C:\\`` and ``\\\\server\\share``) are cut
    off, NUL and control characters removed, anything but letters, digits, space and ``.()-_``
    replaced, leading dots dropped (no hidden files, no ``..``), Windows device names defused,
    and the stem cut to 120 bytes.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # controls, NUL, bidi
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, ext = os.path.splitext(name)
    if not ext or len(ext) > 8:
        stem = name
    stem = stem.strip(" .") or "dokument"
    if _WINDOWS_RESERVED.match(stem) or stem.lower() == "readme":
        stem = f"{stem}-dokument"  # README.md is skipped when a folder is ingested
    encoded = stem.encode("utf-8")[:MAX_NAME_BYTES]
    stem = encoded.decode("utf-8", "ignore").strip(" .") or "dokument"
    if media_type in _SUFFIX:
        suffix = _SUFFIX[media_type]
    else:  # plain text: keep .txt
        suffix = ".txt"
    if media_type == MEDIA_HTML and ext.lower() == ".htm":
        suffix = ".htm"
    return stem + suffix


def _uploads_dir(settings) -> Path:
    corpus = settings.corpus_dir.resolve()
    uploads = settings.corpus_dir / UPLOAD_SUBDIR
    if uploads.is_symlink():
        raise ConfigError(
            f"{uploads} är en symbolisk länk; uppladdningar skrivs inte dit / is a symlink: refusing to write there."
        )
    uploads.mkdir(parents=True, exist_ok=True)
    resolved = uploads.resolve()
    if resolved.parent != corpus:
        raise ConfigError(f"{uploads} ligger inte i korpusmappen / is not inside the corpus folder.")
    return resolved


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` to directory/name via a hidden temp file and a rename (all or nothing)."""
    target = directory / name
    if target.resolve().parent != directory:  # belt and braces: never outside the folder
        raise ConfigError("Ogiltigt filnamn / invalid file name")
    tmp = directory / f".upload-{uuid.uuid4().hex}.part"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:  # pragma: no cover - not every file system syncs directories
        pass
    return target


# --------------------------------------------------------------------------------------------
# Response models
# --------------------------------------------------------------------------------------------


class UploadOut(BaseModel):
    status: Literal["indexed", "unchanged"]
    path: str  # relative to the corpus folder: the id of the document in the catalog
    filename: str
    renamed: bool  # the stored name differs from the uploaded one
    media_type: str
    size: int
    sha256: str
    doc_kind: str
    year: int | None
    title: str | None
    records: int
    passages: int
    activities: int  # activity rows (section kind "aktivitet")
    sections: dict[str, int]  # passages per section kind
    warnings: list[str]
    pii: list[str]  # kinds of personal data found in the document's passages
    pii_findings: int = 0  # how many personal-data findings (names, identity numbers, e-mail)


class DocumentOut(BaseModel):
    path: str
    doc_kind: str
    year: int | None
    title: str | None
    media_type: str
    records: int
    passages: int
    warnings: list[str]
    ingested_at: datetime | None
    pii_findings: int = 0  # how many personal-data findings the indexed passages hold


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class LineOut(BaseModel):
    number: int
    page: int | None
    text: str
    in_passage: bool


class PassageContextOut(BaseModel):
    path: str
    passage_id: str | None
    line_start: int
    line_end: int
    total_lines: int
    changed_since_ingest: bool  # the file on disk is not the one that was indexed
    lines: list[LineOut]
    pii_findings: int = 0  # personal-data findings in the whole document, as indexed


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------


def _document_summary(svc: Services, doc_path: str) -> tuple[DocumentRow, list[PassageRow]]:
    with svc.db.session() as s:
        row = s.get(DocumentRow, doc_path)
        passages = list(s.scalars(select(PassageRow).where(PassageRow.doc_path == doc_path)).all())
    if row is None:  # pragma: no cover - ingest said it went in
        raise NotFound(f"Dokumentet finns inte i katalogen / not in the catalog: {doc_path}")
    return row, passages


def _store_and_ingest(svc: Services, data: bytes, raw_name: str | None, replace: bool) -> UploadOut:
    from kvalitet.ingest.staging import staged_ingest

    settings = svc.settings
    media_type = sniff_media_type(data, raw_name or "")  # 415/422 for anything we cannot read
    name = safe_filename(raw_name, media_type)
    sha = hashlib.sha256(data).hexdigest()
    if not _upload_lock.acquire(timeout=120):
        raise IndexBusy("En annan uppladdning pågår; försök igen / another upload is running; try again.")
    try:
        uploads = _uploads_dir(settings)
        target = uploads / name
        previous: bytes | None = None
        if target.exists():
            previous = target.read_bytes()
            if hashlib.sha256(previous).hexdigest() != sha and not replace:
                raise Conflict(
                    f"Det finns redan ett annat dokument med namnet {name}; skicka replace=true för att "
                    f"ersätta det / a different document named {name} exists; send replace=true to replace it."
                )
        # Written under a staging name, read into the index as `target` and renamed once the
        # catalog holds it (ingest/staging.py): a crash or an unreadable file replaces nothing.
        report = staged_ingest(svc, target, data)
        doc_path = next(iter(report.kinds), None)
        skipped = dict(report.skipped)
        if skipped:
            reason = next(iter(skipped.values()))
            raise UnreadableFile(f"Dokumentet lästes inte in / the document was not indexed: {reason}")
        if doc_path is None:  # unchanged content: already in the catalog
            from kvalitet.ingest.pipeline import display_path

            doc_path = display_path(target, settings.corpus_dir)
        row, passages = _document_summary(svc, doc_path)
    finally:
        _upload_lock.release()
    sections = Counter(p.section_kind for p in passages)
    return UploadOut(
        status="unchanged" if report.unchanged_files else "indexed",
        path=doc_path,
        filename=name,
        renamed=name != (raw_name or ""),
        media_type=media_type,
        size=len(data),
        sha256=sha,
        doc_kind=row.doc_kind,
        year=row.year,
        title=row.title,
        records=row.records,
        passages=len(passages),
        activities=sections.get("aktivitet", 0),
        sections=dict(sorted(sections.items())),
        warnings=list(row.warnings or []),
        pii=sorted({k for p in passages for k in (p.pii or [])}),
        pii_findings=personal_data_findings(passages),
    )


def _restore(uploads: Path, name: str, previous: bytes | None) -> None:
    """Put back what stood at `name` before the upload (or remove the new file)."""
    if previous is None:
        (uploads / name).unlink(missing_ok=True)
    else:
        _write_atomically(uploads, name, previous)


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
    out = await run_in_threadpool(_store_and_ingest, svc, data, file.filename, replace)
    if unit and unit.strip():  # the roll-up's unit of this document, set by hand (issue 20)
        from kvalitet.rollup.service import get_rollup

        await run_in_threadpool(get_rollup(svc).set_document_unit, out.path, unit.strip(), _user)
    if out.status == "unchanged":
        response.status_code = 200
    return out


# --------------------------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were stored in UTC (RFC 3339 wants the offset)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


_findings_cache: dict[tuple[str, str], int] = {}
_findings_lock = threading.Lock()


def document_findings(svc: Services, docs: list[DocumentRow]) -> dict[str, int]:
    """Personal-data findings per document path (counted on the passages flagged at ingest,
    cached per document version)."""
    out: dict[str, int] = {}
    todo = []
    with _findings_lock:
        for d in docs:
            key = (d.path, d.sha256)
            if key in _findings_cache:
                out[d.path] = _findings_cache[key]
            else:
                todo.append(d)
    if todo:
        paths = [d.path for d in todo]
        with svc.db.session() as s:
            rows = s.execute(select(PassageRow.doc_path, PassageRow.text, PassageRow.pii, PassageRow.activity)
                             .where(PassageRow.doc_path.in_(paths))).all()
        by_doc: dict[str, list] = {p: [] for p in paths}
        for doc_path, text, pii, activity in rows:
            by_doc[doc_path].append(SimpleNamespace(text=text, pii=pii, activity=activity))
        with _findings_lock:
            for d in todo:
                n = personal_data_findings(by_doc[d.path])
                _findings_cache[(d.path, d.sha256)] = out[d.path] = n
                if len(_findings_cache) > 4096:
                    _findings_cache.clear()
    return out


@router.get("/documents", response_model=DocumentsOut)
def list_documents(svc: Services = Depends(get_services), _user: User = Depends(current_user)):
    """De inlästa dokumenten med typ, år, antal poster, varningar och antal personuppgifter."""
    with svc.db.session() as s:
        counts = dict(
            s.execute(select(PassageRow.doc_path, func.count()).group_by(PassageRow.doc_path)).all()
        )
        rows = s.scalars(select(DocumentRow).order_by(DocumentRow.path)).all()
        findings = document_findings(svc, list(rows))
        docs = [
            DocumentOut(
                path=r.path, doc_kind=r.doc_kind, year=r.year, title=r.title, media_type=r.media_type,
                records=r.records, passages=counts.get(r.path, 0), warnings=list(r.warnings or []),
                ingested_at=_utc(r.ingested_at), pii_findings=findings.get(r.path, 0),
            )
            for r in rows
        ]
    return DocumentsOut(documents=docs)


# --------------------------------------------------------------------------------------------
# A passage in its document
# --------------------------------------------------------------------------------------------

_text_cache: "OrderedDict[tuple[str, str], list]" = OrderedDict()
_text_cache_lock = threading.Lock()
_TEXT_CACHE_SIZE = 16
MAX_CONTEXT_LINES = 400


def _document_lines(svc: Services, doc: DocumentRow) -> tuple[list, bool]:
    """The numbered lines of the document as indexed, and whether the file changed since."""
    from kvalitet.ingest.readers import read_document

    settings = svc.settings
    path = Path(doc.path)
    if not path.is_absolute():
        corpus = settings.corpus_dir.resolve()
        path = (settings.corpus_dir / doc.path).resolve()
        if corpus not in path.parents:
            raise NotFound(f"Dokumentet ligger utanför korpusmappen / outside the corpus folder: {doc.path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(
            f"Filen finns inte längre / the file is gone: {doc.path}. Läs in korpusen igen / re-ingest."
        ) from exc
    sha = hashlib.sha256(data).hexdigest()
    key = (doc.path, sha)
    with _text_cache_lock:
        lines = _text_cache.get(key)
        if lines is not None:
            _text_cache.move_to_end(key)
    if lines is None:
        lines = read_document(path, settings=settings, display_path=doc.path).lines
        with _text_cache_lock:
            _text_cache[key] = lines
            while len(_text_cache) > _TEXT_CACHE_SIZE:
                _text_cache.popitem(last=False)
    return lines, sha != doc.sha256


def _passage_context(svc: Services, doc_path: str, passage: str | None, line: int | None, context: int) -> PassageContextOut:
    with svc.db.session() as s:
        doc = s.get(DocumentRow, doc_path)
        if doc is None:
            raise NotFound(f"Inget dokument {doc_path!r} i katalogen / no such document")
        if passage is not None:
            prow = s.get(PassageRow, passage)
            if prow is None or prow.doc_path != doc_path:
                raise NotFound(f"Ingen passage {passage!r} i {doc_path} / no such passage in the document")
            start, end = prow.line_start, prow.line_end
        else:
            start = end = line or 1
    lines, changed = _document_lines(svc, doc)
    total = len(lines)
    lo = max(1, start - context)
    hi = min(total, end + context, lo + MAX_CONTEXT_LINES - 1)
    from kvalitet.pii import shown

    out = shown([
        LineOut(number=ln.number, page=ln.page, text=ln.text, in_passage=start <= ln.number <= end)
        for ln in lines
        if lo <= ln.number <= hi
    ], svc.settings.mask_personal_data)
    return PassageContextOut(
        path=doc_path, passage_id=passage, line_start=start, line_end=end, total_lines=total,
        changed_since_ingest=changed, lines=out, pii_findings=document_findings(svc, [doc]).get(doc_path, 0),
    )


def render_passage_html(ctx: PassageContextOut) -> str:
    """The passage as an HTML page: every piece of document text escaped, no inline script or
    style (the CSP forbids both)."""
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
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
    ctx = _passage_context(svc, doc_path, passage, line, context)
    if format == "html":
        return HTMLResponse(render_passage_html(ctx))
    return ctx
