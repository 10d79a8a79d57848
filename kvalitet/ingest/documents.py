"""Document operations shared by the API routers, the web pages and the upload jobs (none of
them imports another; all import this): reading an upload within the size limit, storing and
ingesting it, the list of catalogued documents, and "open the passage in its document".

An upload is typed from its content (magic bytes), never from its name; its name is reduced to a
safe base name inside ``corpus_dir/uploads/``; it is written under a staging name and renamed
once the catalog holds it (kvalitet.ingest.staging), so a bad upload never costs what is already
indexed.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import unicodedata
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Literal, Protocol

from pydantic import BaseModel
from sqlalchemy import func, select

from kvalitet.domain.types import Line
from kvalitet.errors import ConfigError, Conflict, FileTooLarge, IndexBusy, NotFound, UnreadableFile
from kvalitet.ingest.pipeline import display_path, personal_data_findings
from kvalitet.search.index import KnowledgeIndex
from kvalitet.ingest.readers import (
    MEDIA_CSV, MEDIA_DOCX, MEDIA_HTML, MEDIA_MARKDOWN, MEDIA_PDF, MEDIA_XLSX, sniff_media_type,
)
from kvalitet.settings import Settings
from kvalitet.storage.db import Database, DocumentRow, PassageRow


class AsyncReadable(Protocol):
    """What an upload offers (Starlette's UploadFile does): ``await read(n)`` -> up to n bytes."""

    async def read(self, size: int = -1) -> bytes: ...


def human_size(n: int) -> str:
    """A byte count as Swedish readers expect it: "25 MB" from 1 MiB up, else "12 kB" (at least 1)."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, round(n / 1024))} kB"


async def read_limited(file: AsyncReadable, limit: int) -> bytes:
    """An uploaded file's bytes, read in 1 MiB chunks; FileTooLarge (413) past `limit` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = await file.read(1024 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise FileTooLarge(
                f"Filen är för stor: högst {human_size(limit)} / the file is too large: at most "
                f"{human_size(limit)} (KVALITET_MAX_UPLOAD_BYTES)."
            )
        chunks.append(chunk)
    return b"".join(chunks)


UPLOAD_SUBDIR = "uploads"
MAX_NAME_BYTES = 120  # of the stem, UTF-8; far below every file system's 255
MAX_CONTEXT_LINES = 400  # a passage in its document: at most this many lines are shown
_SUFFIX = {
    MEDIA_PDF: ".pdf", MEDIA_DOCX: ".docx", MEDIA_XLSX: ".xlsx", MEDIA_CSV: ".csv", MEDIA_HTML: ".html",
    MEDIA_MARKDOWN: ".md",
}
_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])$", re.I)
_UNSAFE_CHARS = re.compile(r"[^\w .()\-]", re.UNICODE)
# One upload at a time in this process (ingest itself holds a file lock across processes).
_upload_lock = threading.Lock()


# --------------------------------------------------------------------------------------------
# Shapes (the API returns them as they are; the web pages render them)
# --------------------------------------------------------------------------------------------


class UploadOut(BaseModel):
    """What an upload stored and what was recognised in it."""

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
    """One catalogued document: what the list of documents shows."""

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
    sections: dict[str, int] = {}  # passages per section kind


class LineOut(BaseModel):
    number: int
    page: int | None
    text: str
    in_passage: bool


class PassageContextOut(BaseModel):
    """A passage (or a line range) in its document: the numbered lines around it."""

    path: str
    passage_id: str | None
    line_start: int
    line_end: int
    total_lines: int
    changed_since_ingest: bool  # the file on disk is not the one that was indexed
    lines: list[LineOut]
    pii_findings: int = 0  # personal-data findings in the whole document, as indexed


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


def _uploads_dir(settings: Settings) -> Path:
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


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------


def _document_summary(db: Database, doc_path: str) -> tuple[DocumentRow, list[PassageRow]]:
    with db.session() as s:
        row = s.get(DocumentRow, doc_path)
        passages = list(s.scalars(select(PassageRow).where(PassageRow.doc_path == doc_path)).all())
    if row is None:  # pragma: no cover - ingest said it went in
        raise NotFound(f"Dokumentet finns inte i katalogen / not in the catalog: {doc_path}")
    return row, passages


def store_upload(index: KnowledgeIndex, data: bytes, raw_name: str | None, replace: bool) -> UploadOut:
    """Store an uploaded file in ``corpus_dir/uploads/`` (of the index's settings) and ingest it into
    `index` (see the module doc).

    Raises UnsupportedMediaType/UnreadableFile (415/422) for what cannot be read, Conflict (409)
    for another document of the same name without `replace`, IndexBusy when another upload holds
    the lock for two minutes, ConfigError for an uploads folder outside the corpus."""
    from kvalitet.ingest.staging import staged_ingest

    settings = index.settings
    media_type = sniff_media_type(data, raw_name or "")  # 415/422 for anything we cannot read
    name = safe_filename(raw_name, media_type)
    sha = hashlib.sha256(data).hexdigest()
    if not _upload_lock.acquire(timeout=120):
        raise IndexBusy("En annan uppladdning pågår; försök igen / another upload is running; try again.")
    try:
        uploads = _uploads_dir(settings)
        target = uploads / name
        if target.exists():
            if hashlib.sha256(target.read_bytes()).hexdigest() != sha and not replace:
                raise Conflict(
                    f"Det finns redan ett annat dokument med namnet {name}; skicka replace=true för att "
                    f"ersätta det / a different document named {name} exists; send replace=true to replace it."
                )
        # Written under a staging name, read into the index as `target` and renamed once the
        # catalog holds it (ingest/staging.py): a crash or an unreadable file replaces nothing.
        report = staged_ingest(index, target, data)
        doc_path = next(iter(report.kinds), None)
        skipped = dict(report.skipped)
        if skipped:
            reason = next(iter(skipped.values()))
            raise UnreadableFile(f"Dokumentet lästes inte in / the document was not indexed: {reason}")
        if doc_path is None:  # unchanged content: already in the catalog
            doc_path = display_path(target, settings.corpus_dir)
        row, passages = _document_summary(index.db, doc_path)
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


def document_findings(db: Database, docs: list[DocumentRow]) -> dict[str, int]:
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
        with db.session() as s:
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


def list_documents(db: Database, *, newest_first: bool = False) -> list[DocumentOut]:
    """Every catalogued document with its passages (in all and per section kind) and its
    personal-data findings; by path, or with `newest_first` by year (newest first), then path."""
    order = (DocumentRow.year.desc(), DocumentRow.path) if newest_first else (DocumentRow.path,)
    with db.session() as s:
        counts: dict[str, Counter] = defaultdict(Counter)
        for path, kind, n in s.execute(
            select(PassageRow.doc_path, PassageRow.section_kind, func.count())
            .group_by(PassageRow.doc_path, PassageRow.section_kind)
        ).all():
            counts[path][kind] = n
        rows = list(s.scalars(select(DocumentRow).order_by(*order)).all())
        findings = document_findings(db, rows)
        return [
            DocumentOut(
                path=r.path, doc_kind=r.doc_kind, year=r.year, title=r.title, media_type=r.media_type,
                records=r.records, passages=sum(counts[r.path].values()), warnings=list(r.warnings or []),
                ingested_at=_utc(r.ingested_at), pii_findings=findings.get(r.path, 0),
                sections=dict(sorted(counts[r.path].items())),
            )
            for r in rows
        ]


# --------------------------------------------------------------------------------------------
# A passage in its document
# --------------------------------------------------------------------------------------------

_text_cache: "OrderedDict[tuple[str, str], list[Line]]" = OrderedDict()
_text_cache_lock = threading.Lock()
_TEXT_CACHE_SIZE = 16


def document_lines(settings: Settings, doc: DocumentRow) -> tuple[list[Line], bool]:
    """The numbered lines of the document as indexed, and whether the file changed since.
    NotFound when the file is gone or lies outside the corpus folder."""
    from kvalitet.ingest.readers import read_document

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


@dataclass
class PassageWindow:
    """The lines `first`..`last` of a document around lines `start`..`end` (the passage's, or
    the range asked for when the passage is gone: `moved`). Texts are as stored: mask them with
    kvalitet.pii.shown before showing them."""

    path: str
    doc_kind: str
    year: int | None
    title: str | None
    passage_id: str | None  # the passage found, else None
    moved: bool  # a passage was asked for but is no longer in the document: the range was used
    start: int
    end: int
    first: int
    last: int
    total: int
    changed: bool  # the file on disk is not the one that was indexed
    lines: list[Line]
    pii_findings: int

    def context_out(self, mask_pii: bool) -> PassageContextOut:
        """The API's shape, personal data masked with `mask_pii`."""
        from kvalitet.pii import shown

        lines = shown([LineOut(number=ln.number, page=ln.page, text=ln.text, in_passage=self.start <= ln.number <= self.end)
                       for ln in self.lines], mask_pii)
        return PassageContextOut(path=self.path, passage_id=self.passage_id, line_start=self.start,
                                 line_end=self.end, total_lines=self.total, changed_since_ingest=self.changed,
                                 lines=lines, pii_findings=self.pii_findings)


def passage_window(settings: Settings, db: Database, doc_path: str, passage: str | None, start: int | None,
                   end: int | None, context: int) -> PassageWindow:
    """Passage `passage` of `doc_path` with `context` lines before and after (at most
    MAX_CONTEXT_LINES lines in all); when `passage` is None or no longer in the document, the
    lines `start`..`end` (`end` defaults to `start`). NotFound when the document is not in the
    catalog, or the passage is gone and no range was given."""
    with db.session() as s:
        doc = s.get(DocumentRow, doc_path)
        if doc is None:
            raise NotFound(f"Dokumentet {doc_path} finns inte i indexet / no such document")
        found = False
        if passage:
            prow = s.get(PassageRow, passage)
            if prow is not None and prow.doc_path == doc_path:
                start, end, found = prow.line_start, prow.line_end, True
        if not found and not start:
            raise NotFound("Stycket finns inte längre i dokumentet; det kan ha lästs in på nytt. / no such passage")
        assert start is not None
        doc_kind, year, title = doc.doc_kind, doc.year, doc.title
    end = max(end or start, start)
    lines, changed = document_lines(settings, doc)
    total = len(lines)
    lo = max(1, start - context)
    hi = min(total, end + context, lo + MAX_CONTEXT_LINES - 1)
    return PassageWindow(
        path=doc_path, doc_kind=doc_kind, year=year, title=title, passage_id=passage if found else None,
        moved=bool(passage) and not found, start=start, end=end, first=lo, last=hi, total=total, changed=changed,
        lines=[ln for ln in lines if lo <= ln.number <= hi],
        pii_findings=document_findings(db, [doc]).get(doc_path, 0),
    )
