"""Uploads as background jobs: the request stores the file and answers at once; a worker thread
reads it into the index, and a result page (or GET /api/uploads/{id}) follows its progress.

A job is a row of `upload_jobs` (migration 0006): who, which file, its stage ("mottagen",
"läses in", "klar", "misslyckades"), step and steps for a progress bar, and when done the
UploadOut the synchronous upload returns (what was recognised, what was skipped), or the error
(Swedish and English, with its HTTP status). The bytes wait in <index_dir>/upload-staging/<id>
(written with fsync, then renamed) until the worker has read them; the work itself is
kvalitet.ingest.documents.store_upload, the same as a synchronous upload. A job left
queued or running by a stopped process is taken up again on the next start (reading a document
twice is harmless: the second time it is "unchanged").
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol

from pydantic import BaseModel
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from kvalitet.errors import Forbidden, InvalidInput, KvalitetError, NotFound
from kvalitet.storage.db import Base, UTCDateTime, utcnow
from kvalitet.workspace import models as _workspace_models  # noqa: F401 - users on Base.metadata
from kvalitet.workspace.auth import User
from kvalitet.storage.db import table_args
from kvalitet.ingest.documents import AsyncReadable

if TYPE_CHECKING:
    from kvalitet.search.index import KnowledgeIndex
    from kvalitet.settings import Settings
    from kvalitet.storage.db import Database

log = logging.getLogger(__name__)


class AsyncUpload(AsyncReadable, Protocol):
    """An uploaded file (Starlette's UploadFile is one): its bytes and the name it came with."""

    filename: str | None

UPLOAD_STATES = ("queued", "running", "done", "failed")
STAGES = {
    "mottagen": "Filen är mottagen och väntar på att läsas in",
    "lases_in": "Dokumentet läses, tolkas och läggs in i sökningen",
    "klar": "Klart",
    "misslyckades": "Dokumentet kunde inte läsas in",
}
STEPS = 3  # received, read and indexed, done
STAGING = "upload-staging"




class UploadJobRow(Base):
    __tablename__ = "upload_jobs"
    __table_args__ = table_args("upload_jobs", {"state": UPLOAD_STATES}, indexes=("state",))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex: not enumerable
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(400))  # as uploaded
    replace: Mapped[bool] = mapped_column(Boolean)
    size: Mapped[int] = mapped_column(Integer)
    staged: Mapped[str | None] = mapped_column(String(1024), nullable=True)  # the waiting bytes
    state: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32))
    step: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # UploadOut when done
    message: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it failed
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class UploadJobView(BaseModel):
    """An upload being read: `progress` is step / steps (0–1); `result` is the UploadOut once done."""

    id: str
    filename: str
    size: int
    owner: str
    state: str
    stage: str
    stage_label: str
    step: int
    steps: int
    progress: float
    result: dict | None = None
    message: str | None = None
    status_code: int | None = None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


def _view(row: UploadJobRow) -> UploadJobView:
    return UploadJobView(
        id=row.id, filename=row.filename, size=row.size, owner=row.actor, state=row.state, stage=row.stage,
        stage_label=STAGES.get(row.stage, row.stage), step=row.step, steps=row.steps,
        progress=round(row.step / row.steps, 4) if row.steps else 1.0, result=row.result, message=row.message,
        status_code=row.status_code, created_at=row.created_at, updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


def _require_admin(user: User) -> None:
    if user.role != "admin":
        raise Forbidden("Bara administratörer laddar upp dokument / admins only")


def _staging_dir(settings: Settings) -> Path:
    d = Path(settings.index_dir) / STAGING
    d.mkdir(parents=True, exist_ok=True)
    return d


class UploadRunner:
    """This process's uploads (built once by kvalitet.container.Services): one worker thread that
    reads submitted uploads one after another into `index` (kvalitet.ingest.documents.store_upload),
    the jobs kept in `db`; `settings` gives the staging folder (under KVALITET_INDEX_DIR) and
    KVALITET_MAX_UPLOAD_BYTES."""

    def __init__(self, settings: Settings, db: Database, index: KnowledgeIndex):
        self.settings = settings
        self.db = db
        self.index = index
        self.queue: queue.Queue[str] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.before_run: Callable[[str], None] | None = None  # a hook for tests: called with the job id before it is read

    # -- the jobs ---------------------------------------------------------------------------
    def create(self, data: bytes, filename: str | None, replace: bool, user: User) -> UploadJobView:
        """Store the bytes (fsync, rename) and a queued job for them; nothing is read yet.
        Forbidden (403) unless `user` is an admin."""
        _require_admin(user)
        job_id = secrets.token_hex(8)
        staging = _staging_dir(self.settings)
        target = staging / job_id
        tmp = staging / f".{job_id}.part"
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        now = utcnow()
        try:
            with self.db.session() as s:
                row = UploadJobRow(
                    id=job_id, user_id=user.id, actor=user.name, filename=(filename or "dokument")[:400],
                    replace=bool(replace), size=len(data), staged=str(target), state="queued", stage="mottagen",
                    step=1, steps=STEPS, result=None, message=None, status_code=None, created_at=now,
                    updated_at=now, finished_at=None,
                )
                s.add(row)
                s.flush()
                return _view(row)
        except BaseException:
            target.unlink(missing_ok=True)
            raise

    def get(self, job_id: str, user: User) -> UploadJobView:
        """The job `job_id`; Forbidden (403) unless `user` is an admin, NotFound (404)."""
        _require_admin(user)
        with self.db.session() as s:
            row = s.get(UploadJobRow, job_id)
            if row is None:
                raise NotFound(f"Ingen uppladdning med id {job_id} / no such upload")
            return _view(row)

    def _set(self, job_id: str, **values) -> None:
        with self.db.session() as s:
            row = s.get(UploadJobRow, job_id)
            if row is None:
                return
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = utcnow()

    def run(self, job_id: str) -> UploadJobView | None:
        """Read the staged file of job `job_id` into the index (here and now); None when the job is
        gone or already finished."""
        from kvalitet.ingest.documents import store_upload

        with self.db.session() as s:
            row = s.get(UploadJobRow, job_id)
            if row is None or row.state not in ("queued", "running"):
                return None
            staged, filename, replace = row.staged, row.filename, row.replace
        self._set(job_id, state="running", stage="lases_in", step=2)
        try:
            data = Path(staged).read_bytes() if staged else None
            if data is None:
                raise NotFound("Den uppladdade filen finns inte kvar; ladda upp den igen / the uploaded file is gone")
            out = store_upload(self.index, data, filename, replace)
        except KvalitetError as exc:
            self._set(job_id, state="failed", stage="misslyckades", step=STEPS, message=exc.message,
                      status_code=exc.status_code, finished_at=utcnow(), staged=None)
        except Exception as exc:  # a bug must not kill the worker; the job says what happened
            log.exception("upload %s failed", job_id)
            self._set(job_id, state="failed", stage="misslyckades", step=STEPS, status_code=500,
                      message=f"Internt fel / internal error: {type(exc).__name__}", finished_at=utcnow(), staged=None)
        else:
            self._set(job_id, state="done", stage="klar", step=STEPS, result=out.model_dump(mode="json"),
                      finished_at=utcnow(), staged=None)
        if staged:
            Path(staged).unlink(missing_ok=True)
        with self.db.session() as s:
            done = s.get(UploadJobRow, job_id)
            return _view(done) if done is not None else None

    # -- the worker thread --------------------------------------------------------------------
    def submit(self, job_id: str) -> None:
        """Hand job `job_id` to the worker thread (started on first use)."""
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="kvalitet-uploads", daemon=True)
                self.thread.start()
        self.queue.put(job_id)

    def _loop(self) -> None:
        while True:
            job_id = self.queue.get()
            try:
                if self.before_run is not None:
                    self.before_run(job_id)
                self.run(job_id)
            except Exception:  # never let the thread die
                log.exception("upload %s crashed the worker", job_id)
            finally:
                self.queue.task_done()

    def enqueue(self, data: bytes, filename: str | None, replace: bool, user: User) -> UploadJobView:
        """Store the upload and hand it to the worker; returns the queued job."""
        view = self.create(data, filename, replace, user)
        self.submit(view.id)
        return view

    async def accept(self, file: AsyncUpload, replace: bool, user: User) -> UploadJobView:
        """Read the request's file (within KVALITET_MAX_UPLOAD_BYTES: FileTooLarge, 413), refuse
        what cannot be a document at all (empty: InvalidInput; an unknown type: 415/422) at once,
        store it and queue the job (POST /api/uploads and the web's upload form)."""
        from anyio import to_thread

        from kvalitet.ingest.documents import read_limited
        from kvalitet.ingest.readers import sniff_media_type

        data = await read_limited(file, self.settings.max_upload_bytes)
        if not data:
            raise InvalidInput("Filen är tom. / empty file")
        sniff_media_type(data, file.filename or "")
        return await to_thread.run_sync(self.enqueue, data, file.filename, replace, user)

    def resume(self) -> list[str]:
        """Hand the uploads left queued or running (by a stopped process) to the worker again;
        their ids, oldest first."""
        with self.db.session() as s:
            ids = list(s.scalars(select(UploadJobRow.id).where(UploadJobRow.state.in_(("queued", "running")))
                                 .order_by(UploadJobRow.created_at)))
        for job_id in ids:
            self.submit(job_id)
        if ids:
            log.info("resuming %d upload(s)", len(ids))
        return ids
