"""Writes into the corpus that a crash cannot leave half-done (issue 17, item 8).

A published report or an uploaded document is written under a hidden staging name beside its
final name (``.<stem>.<32 hex>.staging<suffix>``; hidden files are never ingested from a folder)
and read into the index *as* its final document path. Only once the catalog has committed it,
inside the ingest lock, is the staging file renamed to the final name: the database says so
first. A file the index cannot read never replaces anything.

After a crash (kill -9) at any point, `recover(index, claimed)` at start-up (the app's
lifespan and `kvalitet ingest`, through `Services.recover`) finds:

* a staging file whose content the catalog holds under its final path: renamed into place;
* any other staging file: removed (its write never counted);
* a published-report file (``rapporter/``) that no report claims (``claimed()``: the workspace's
  ``reports.published_path``, read inside the lock):
  a publish that stopped before the report was marked published. It is taken out of the catalog
  and moved to ``<index>/quarantine/orphans/`` (kept, not deleted), so the next ingest does not
  index it as an orphan duplicate and publishing again writes one file, not a second copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from kvalitet.domain.types import IngestReport
    from kvalitet.search.index import KnowledgeIndex

log = logging.getLogger(__name__)

_STAGED = re.compile(r"^\.(?P<stem>.+)\.(?P<token>[0-9a-f]{32})\.staging(?P<suffix>\.[^.]+)?$")
REPORTS_SUBDIR = "rapporter"


def staging_name(target: Path) -> Path:
    return target.with_name(f".{target.stem}.{uuid.uuid4().hex}.staging{target.suffix}")


def final_name(staging: Path) -> Path | None:
    m = _STAGED.match(staging.name)
    if not m:
        return None
    return staging.with_name(m.group("stem") + (m.group("suffix") or ""))


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # pragma: no cover - not every file system syncs directories
        pass


def write_staged(target: Path, data: bytes) -> Path:
    """Write `data` under a staging name beside `target` (fsynced); returns the staging path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_name(target)
    with open(staging, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return staging


def commit(staging: Path, target: Path) -> None:
    os.replace(staging, target)
    _fsync_dir(target.parent)


def staged_ingest(index: KnowledgeIndex, target: Path, data: bytes) -> IngestReport:
    """Write `data` as `target` through a staging file and ingest it into `index` (under its
    settings' corpus folder; see module doc). Returns
    the IngestReport; when the file was skipped (unreadable) `target` is untouched. Raises what
    ingest raises (IndexBusy …), leaving `target` untouched."""
    from kvalitet.ingest.pipeline import display_path, ingest

    doc_path = display_path(target, index.settings.corpus_dir)
    staging = write_staged(target, data)
    try:
        report = ingest(index, [staging], as_paths={staging: doc_path},
                        after_file=lambda stored: commit(staging, target) if stored == doc_path else None)
        if staging.exists() and not report.skipped:  # unchanged content: the catalog already has it
            commit(staging, target)
        return report
    finally:
        staging.unlink(missing_ok=True)


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def recover(index: KnowledgeIndex, claimed: Callable[[], set[str]]) -> dict:
    """Finish or undo what a crash left in the corpus of `index` (its settings' corpus folder, its
    catalog database; see module doc); `claimed()` gives the corpus paths of the published reports. Returns counts {"renamed", "removed", "orphans"};
    never raises for one bad file (it logs it)."""
    from sqlalchemy import select

    from kvalitet.ingest.pipeline import remove_document, display_path, ingest_lock
    from kvalitet.storage.index_lock import exclusive_index
    from kvalitet.storage.db import DocumentRow

    settings = index.settings
    corpus = Path(settings.corpus_dir)
    out = {"renamed": 0, "removed": 0, "orphans": 0}
    if not corpus.is_dir():
        return out
    with exclusive_index(settings, "kvalitet (städning efter avbrott)"), ingest_lock(settings.index_dir):
        with index.db.session() as s:
            catalog = {d.path: d.sha256 for d in s.scalars(select(DocumentRow))}
        for staging in list(corpus.rglob(".*.staging*")):
            target = final_name(staging)
            if target is None or not staging.is_file():
                continue
            try:
                if catalog.get(display_path(target, corpus)) == _sha(staging):
                    commit(staging, target)
                    out["renamed"] += 1
                else:
                    staging.unlink()
                    out["removed"] += 1
            except OSError as exc:  # pragma: no cover - disk trouble
                log.warning("could not recover %s: %s", staging, exc)
        for part in list(corpus.rglob(".upload-*.part")):  # an upload cut off while being written
            part.unlink(missing_ok=True)
            out["removed"] += 1
        claimed_paths = claimed()
        reports_dir = corpus / REPORTS_SUBDIR
        orphans: set[str] = {p for p in catalog if p.startswith(REPORTS_SUBDIR + "/") and p not in claimed_paths}
        if reports_dir.is_dir():
            orphans |= {display_path(f, corpus) for f in reports_dir.rglob("*")
                        if f.is_file() and not f.name.startswith(".") and display_path(f, corpus) not in claimed_paths}
        if orphans:
            qdir = Path(settings.quarantine_dir) / "orphans"
            for doc_path in sorted(orphans):
                try:
                    if doc_path in catalog:
                        remove_document(index, doc_path)
                    f = corpus / doc_path
                    if f.is_file():
                        qdir.mkdir(parents=True, exist_ok=True)
                        shutil.move(str(f), str(qdir / f"{uuid.uuid4().hex[:8]}-{f.name}"))
                    out["orphans"] += 1
                    log.warning("orphan published report %s (no report claims it) moved to %s", doc_path, qdir)
                except OSError as exc:  # pragma: no cover
                    log.warning("could not move the orphan %s: %s", doc_path, exc)
            index.invalidate()
    return out

