"""Ingest: file -> Document (blocks with pages and lines) -> recognise -> records -> passages
-> catalog, vectors, BM25.

Safe to re-run: a file whose content hash is unchanged is skipped; a changed file replaces its
passages; a removed file's passages go. One ingest at a time (a lock file). A killed ingest
leaves the catalog consistent (each document is one transaction) and the next run reconciles
Chroma and BM25 against it.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import delete, select

from kvalitet.storage.db import DocumentRow, PassageRow, utcnow
from kvalitet.adapters.embedders import embed_with_cache
from kvalitet.errors import IndexBusy, KvalitetError, UnreadableFile
from kvalitet.search.index import KnowledgeIndex
from kvalitet.adapters.chroma import drop_collection
from kvalitet.domain.types import IngestReport, ParsedDocument, Passage, Record, passage_id
from kvalitet.ingest.model import ReadWarning
from kvalitet.ingest.warnings import warning_text

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (path, done, total)


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    fh = open(index_dir / "ingest.lock", "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexBusy(
                    "En annan inläsning pågår redan; försök igen när den är klar. / "
                    "Another ingest is running; try again when it has finished."
                ) from exc
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        try:
            fcntl.flock(fh, fcntl.LOCK_UN)
        finally:
            fh.close()


def display_path(path: Path, corpus_dir: Path) -> str:
    try:
        return path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def collect_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest, and the directories that were scanned (for removals).

    In a scanned directory only files that may be documents are taken: a supported suffix
    (PDF, DOCX, HTML, Markdown, text, XLSX, CSV), none at all, or a document format Kvalitet
    cannot read (images, .doc, .odt, …: these come back as skipped, with the error saying what
    to save them as). Data and program files lying beside the documents (JSON label files,
    scripts) are not documents and are left out. A file named on the command line is always
    read (and typed from its content)."""
    from kvalitet.ingest.readers import DOCUMENT_LIKE_SUFFIXES, SUPPORTED_SUFFIXES

    taken = SUPPORTED_SUFFIXES | DOCUMENT_LIKE_SUFFIXES

    files: list[Path] = []
    dirs: list[Path] = []
    for p in paths:
        if p.is_dir():
            dirs.append(p)
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if (f.is_file() and not any(part.startswith(".") for part in rel.parts) and f.name != "README.md"
                        and (f.suffix.lower() in taken or not f.suffix)):
                    files.append(f)
        else:
            files.append(p)
    return files, dirs


# What a passage copies from its record as it is: every field the two share but the period, for
# which the document's stands in.
_FROM_RECORD = tuple(name for name in Passage.model_fields if name in Record.model_fields and name != "period")


def to_passages(doc_path: str, parsed: ParsedDocument, settings=None) -> list[Passage]:
    """Passages from a document's records, one per record with text, in record order.

    Caps (settings.max_passages_per_document, settings.max_identical_passages): a document
    gives at most that many passages, and at most that many with the same text (a DOCX of
    250,000 identical paragraphs gives a handful, not 250,000). A passage cites the pages its
    text is on (`page`..`page_end`).
    """
    from kvalitet.pii import find_personal_data

    max_passages = getattr(settings, "max_passages_per_document", 20_000) if settings else 20_000
    max_same = getattr(settings, "max_identical_passages", 3) if settings else 3
    out: list[Passage] = []
    seen: set[str] = set()
    same: dict[str, int] = {}
    dropped = 0
    for i, r in enumerate(parsed.records):
        if not r.text.strip():
            continue
        pid = passage_id(doc_path, r)
        if pid in seen:  # an identical record twice at the same line: keep one
            continue
        key = " ".join(r.text.split()).lower()
        if same.get(key, 0) >= max_same:
            dropped += 1
            continue
        same[key] = same.get(key, 0) + 1
        seen.add(pid)
        out.append(
            Passage(
                id=pid,
                doc_path=doc_path,
                doc_kind=parsed.doc_kind,
                year=parsed.year,
                **{name: getattr(r, name) for name in _FROM_RECORD},
                period=r.period or parsed.period,
                school_year=parsed.school_year,
                year_source=parsed.year_source,
                page=r.source.page,
                page_end=r.source.page_end,
                line_start=r.source.line_start,
                line_end=r.source.line_end,
                ordinal=i,
                pii=find_personal_data(r.text),
            )
        )
        if len(out) >= max_passages:
            parsed.warnings.append(warning_text(ReadWarning("passage_cap", {"limit": max_passages})))
            break
    if dropped:
        parsed.warnings.append(
            warning_text(ReadWarning("repeated_passages", {"count": dropped, "limit": max_same}))
        )
    return out


def personal_data_findings(passages) -> int:
    """How many personal-data findings a document's passages hold: in their texts (only those
    flagged at ingest are read) and in each distinct activity title they carry. `passages`:
    anything with .text, .pii and .activity (Passage, PassageRow)."""
    from kvalitet.pii import count_personal_data

    titles = {p.activity for p in passages if getattr(p, "activity", None)}
    return sum(count_personal_data(p.text) for p in passages if p.pii) + sum(count_personal_data(t) for t in titles)


def read_document_model(path: Path, doc_path: str, settings):
    """The Document the readers make of the file (blocks with pages and lines), shown as
    `doc_path`. Raises the readers' KvalitetError (UnreadableFile, UnsupportedFile, NotFound)."""
    from kvalitet.ingest.readers import read_document_model as read_model

    return read_model(path, doc_path, settings=settings)


def read_and_parse(path: Path, doc_path: str, settings) -> tuple[ParsedDocument, str]:
    """Read and recognise one file: (ParsedDocument, media type). Raises UnreadableFile when
    nothing could be recognised, and the readers' KvalitetError for unreadable files."""
    from kvalitet.ingest.recognise import recognise

    doc = read_document_model(path, doc_path, settings)
    parsed = recognise(doc)
    if not parsed.records:
        raise UnreadableFile(
            "Inga avsnitt kunde kännas igen i dokumentet / no records could be recognised in the document"
        )
    return parsed, doc.media_type


def quarantine(path: Path, reason: str, settings) -> None:
    qdir = settings.quarantine_dir
    try:
        qdir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        target = qdir / f"{digest}-{path.name}"
        shutil.copyfile(path, target)
        target.with_suffix(target.suffix + ".reason.txt").write_text(reason, encoding="utf-8")
    except OSError as exc:  # pragma: no cover - disk trouble
        log.warning("could not quarantine %s: %s", path, exc)


def ingest(
    index: KnowledgeIndex,
    paths: list[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    after_file: Callable[[str], None] | None = None,
    as_paths: dict[Path, str] | None = None,
) -> IngestReport:
    """Read `paths` (default: the corpus dir) into the index. `as_paths` maps a file to the
    document path it is catalogued under (a staged file read as its final name: ingest/staging.py);
    `after_file(doc_path)` runs after each stored document, inside the lock."""
    settings = index.settings
    report = IngestReport()
    from kvalitet.storage.index_lock import exclusive_index

    purpose = "kvalitet ingest --rebuild" if rebuild else "en inläsning (kvalitet ingest)"
    with exclusive_index(settings, purpose), ingest_lock(settings.index_dir):
        if rebuild:
            _clear(index)
        if not rebuild:
            index.check_embedder()
        files, dirs = collect_files(paths or [settings.corpus_dir])
        with index.db.session() as s:
            known = {d.path: d.sha256 for d in s.scalars(select(DocumentRow)).all()}
        total = len(files)
        present: set[str] = set()
        for n, path in enumerate(files, 1):
            doc_path = (as_paths or {}).get(path) or display_path(path, settings.corpus_dir)
            present.add(doc_path)
            if progress:
                progress(doc_path, n - 1, total)
            try:
                data = path.read_bytes()
            except OSError as exc:
                report.skipped.append((doc_path, f"kunde inte läsas / unreadable: {exc.strerror or exc}"))
                continue
            report.files += 1
            sha = hashlib.sha256(data).hexdigest()
            if known.get(doc_path) == sha:
                report.unchanged_files += 1
                continue
            try:
                parsed, media_type = read_and_parse(path, doc_path, settings)
            except KvalitetError as exc:
                report.skipped.append((doc_path, exc.message))
                if isinstance(exc, UnreadableFile):
                    quarantine(path, exc.message, settings)
                continue
            except Exception as exc:  # a parser bug must not stop the rest of the ingest
                log.exception("failed to parse %s", doc_path)
                report.skipped.append((doc_path, f"oväntat fel vid tolkning / unexpected parse error: {exc}"))
                continue
            passages = to_passages(doc_path, parsed, settings)
            report.kinds[doc_path] = parsed.doc_kind
            report.pii_findings[doc_path] = personal_data_findings(passages)
            if parsed.warnings:
                report.warnings[doc_path] = list(parsed.warnings)
            report.records += len(parsed.records)
            report.passages += len(passages)
            _store_document(index, doc_path, sha, media_type, parsed, passages, report)
            if after_file:
                after_file(doc_path)
        # Files gone from a scanned directory: their passages go.
        for d in dirs:
            prefix = display_path(d, settings.corpus_dir)
            for doc_path in list(known):
                under = prefix in ("", ".") or doc_path == prefix or doc_path.startswith(prefix.rstrip("/") + "/")
                if under and doc_path not in present:
                    report.removed += remove_document(index, doc_path)
        if progress:
            progress("", total, total)
        _reconcile(index, report)
    index.invalidate()
    return report


def _bump_version(index: KnowledgeIndex, s) -> None:
    from kvalitet.storage.db import MetaRow

    row = s.get(MetaRow, "index_version")
    if row is None:
        s.add(MetaRow(key="index_version", value="1"))
    else:
        row.value = str(int(row.value) + 1)


def _store_document(index, doc_path, sha, media_type, parsed, passages, report) -> None:
    vectors, embedded = embed_with_cache(index.embedder, index.cache, [p.index_text for p in passages])
    report.embedded += embedded
    with index.db.session() as s:
        old_ids = set(s.scalars(select(PassageRow.id).where(PassageRow.doc_path == doc_path)).all())
    new_ids = {p.id for p in passages}
    # Vectors first: a crash after this leaves extra vectors, which reconcile removes.
    index.vectors.upsert(passages, vectors)
    with index.db.session() as s:
        s.execute(delete(PassageRow).where(PassageRow.doc_path == doc_path))
        row = s.get(DocumentRow, doc_path)
        if row is None:
            row = DocumentRow(path=doc_path)
            s.add(row)
        row.sha256 = sha
        row.doc_kind = parsed.doc_kind
        row.year = parsed.year
        row.title = parsed.title
        row.media_type = media_type
        row.records = len(parsed.records)
        row.warnings = list(parsed.warnings)
        row.school_year = parsed.school_year
        row.period = parsed.period
        row.year_source = parsed.year_source
        row.outline = [o.model_dump() for o in parsed.outline]
        row.layout = parsed.layout
        row.ingested_at = utcnow()
        s.flush()
        s.add_all(PassageRow.from_passage(p) for p in passages)
        index.db.set_meta("embedder_id", index.embedder.id, s)
        _bump_version(index, s)
    stale = sorted(old_ids - new_ids)
    if stale:
        index.vectors.delete(stale)


def remove_document(index, doc_path: str) -> int:
    """Remove one document (its passages, vectors and catalog row) from the index; the number of passages removed."""
    with index.db.session() as s:
        ids = list(s.scalars(select(PassageRow.id).where(PassageRow.doc_path == doc_path)).all())
        s.execute(delete(PassageRow).where(PassageRow.doc_path == doc_path))
        s.execute(delete(DocumentRow).where(DocumentRow.path == doc_path))
        _bump_version(index, s)
    if ids:
        index.vectors.delete(ids)
    return len(ids)


def _reconcile(index: KnowledgeIndex, report: IngestReport) -> None:
    """Make Chroma hold exactly the catalog's passages (after a crash, or a removed file)."""
    passages = {p.id: p for p in index.db.all_passages()}
    in_chroma = index.vectors.all_ids()
    extra = sorted(in_chroma - passages.keys())
    if extra:
        index.vectors.delete(extra)
    missing = [passages[i] for i in passages.keys() - in_chroma]
    if missing:
        vecs, embedded = embed_with_cache(index.embedder, index.cache, [p.index_text for p in missing])
        report.embedded += embedded
        index.vectors.upsert(missing, vecs)
    # Make sure the BM25 on disk matches the catalog's version.
    index.invalidate()
    index.snapshot(max_age=0)


def _clear(index: KnowledgeIndex) -> None:
    with index.db.session() as s:
        s.execute(delete(PassageRow))
        s.execute(delete(DocumentRow))
        index.db.set_meta("embedder_id", index.embedder.id, s)
        _bump_version(index, s)
    index.reset_vectors()
    drop_collection(index.settings)
