"""Background jobs: "draft all" drafts every activity of a report, resumably.

A job is a row of `jobs` (migration 0004) with its state (queued, running, done, failed,
cancelled), counters and errors, and one row of `job_steps` per (item, section) it has dealt with.
The plan (the report's item ids and the sections) is fixed when the job is made.

The work is done by a JobRunner: one daemon thread per process that runs queued jobs one after
another (drafting is CPU-bound and the machine is small). Each item is drafted with
Workspace.draft_item, with the rights of the job's owner, for the sections that are neither
recorded as dealt with by this job nor already drafted: a section that has any suggestion, or
that a draft since the job was made asked for (its "item.draft" audit row), is never drafted
again; so a crash between storing a draft and recording its step costs nothing on resume. After each section the step, the counters and a heartbeat are written in one transaction.

Claiming: a runner takes a job by compare-and-swap on `runner` ("host:pid:token"). A job left
"running" (or "queued") is resumed on app start and by `kvalitet jobs resume` when its runner is
gone: a process of this host that no longer lives, a runner of this process that was stopped, or
no heartbeat for STALE_SECONDS (another host). A graceful stop (shutdown, Ctrl-C, a test hook
raising Interrupted) leaves the job "running" without a runner, ready to be resumed.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict, deque
import secrets
import socket
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Callable, overload

from pydantic import BaseModel, Field
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, object_session

from kvalitet.storage.db import Base, UTCDateTime, utcnow
from kvalitet.errors import Conflict, Forbidden, InvalidInput, KvalitetError, NotFound, Unauthorized
from kvalitet.workspace import models as _workspace_models  # noqa: F401 - reports/items/users on Base.metadata
from kvalitet.workspace.auth import User, can_write, require_read, require_write
from kvalitet.workspace.models import AuditRow, ItemRow, ReportRow, SectionRow, SuggestionRow
from kvalitet.workspace.uow import draft_sections, ensure_open, record_audit
from kvalitet.storage.db import table_args

if TYPE_CHECKING:
    from kvalitet.storage.db import Database
    from kvalitet.workspace.service import Workspace

log = logging.getLogger(__name__)

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_STATES = ("queued", "running")
STEP_STATES = ("drafted", "skipped", "failed")
JOB_KINDS = ("draft_all",)
STALE_SECONDS = 600
MAX_ERRORS = 200




class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = table_args("jobs", {"state": JOB_STATES, "kind": JOB_KINDS}, indexes=("report_id", "state"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex: not enumerable
    kind: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)  # None: the CLI
    actor: Mapped[str] = mapped_column(String(200))  # the owner's name then (or "cli:<login>")
    state: Mapped[str] = mapped_column(String(16))
    sections: Mapped[list] = mapped_column(JSON)
    generator: Mapped[str | None] = mapped_column(String(32), nullable=True)
    plan: Mapped[list] = mapped_column(JSON)  # the report's item ids when the job was made
    total: Mapped[int] = mapped_column(Integer)  # len(plan) * len(sections)
    done: Mapped[int] = mapped_column(Integer)  # sections drafted or found drafted already
    skipped: Mapped[int] = mapped_column(Integer)  # of done: found drafted already
    failed: Mapped[int] = mapped_column(Integer)
    suggestions: Mapped[int] = mapped_column(Integer)  # suggestions stored by this job
    errors: Mapped[list] = mapped_column(JSON)  # [{item_id, section, message}]
    message: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it failed or stopped
    attempts: Mapped[int] = mapped_column(Integer)  # how many times a runner took it up
    runner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class JobStepRow(Base):
    """One (item, section) a job has dealt with: drafted, skipped (had a suggestion) or failed."""

    __tablename__ = "job_steps"
    __table_args__ = table_args("job_steps", {"state": STEP_STATES},
                                unique={"uq_job_steps_job_item_section": ("job_id", "item_id", "section")})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    section: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    suggestions: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


JOB_TABLES = ("jobs", "job_steps")


# ---- views -----------------------------------------------------------------------------------
class JobError(BaseModel):
    item_id: int | None = None
    section: str | None = None
    message: str


class JobView(BaseModel):
    id: str
    kind: str
    report_id: int
    owner: str
    state: str
    sections: list[str]
    generator: str | None = None
    total: int
    done: int = Field(description="sections dealt with: drafted + no_draft + skipped")
    drafted: int = Field(description="sections that got at least one suggestion (a draft) from this job")
    no_draft: int = Field(0, description="sections the job drafted that got no suggestion, only a notice "
                                          "(nothing relevant in the sources): not a draft")
    skipped: int
    failed: int
    suggestions: int
    progress: float = Field(description="(done + failed) / total")
    errors: list[JobError] = Field(default_factory=list)
    message: str | None = None
    attempts: int
    created_at: datetime
    started_at: datetime | None = None
    updated_at: datetime
    finished_at: datetime | None = None


def _no_draft(row: JobRow) -> int:
    """How many of the job's "drafted" steps stored no suggestion (the drafter gave a notice)."""
    s = object_session(row)
    if s is None or not row.done:
        return 0
    return s.scalar(select(func.count()).select_from(JobStepRow).where(
        JobStepRow.job_id == row.id, JobStepRow.state == "drafted", JobStepRow.suggestions == 0)) or 0


def _view(row: JobRow) -> JobView:
    no_draft = _no_draft(row)
    return JobView(
        id=row.id, kind=row.kind, report_id=row.report_id, owner=row.actor, state=row.state,
        sections=list(row.sections), generator=row.generator, total=row.total, done=row.done,
        drafted=row.done - row.skipped - no_draft, no_draft=no_draft, skipped=row.skipped, failed=row.failed,
        suggestions=row.suggestions,
        progress=round((row.done + row.failed) / row.total, 4) if row.total else 1.0,
        errors=[JobError.model_validate(e) for e in (row.errors or [])], message=row.message,
        attempts=row.attempts, created_at=row.created_at, started_at=row.started_at,
        updated_at=row.updated_at, finished_at=row.finished_at,
    )


# ---- interruption ----------------------------------------------------------------------------
class Interrupted(BaseException):
    """Stop working on the job now and leave it "running" for a resume: the process is shutting
    down, the user pressed Ctrl-C, or a test hook simulates a crash. A BaseException so that no
    `except Exception` on the way swallows it."""


# ---- runner identity and orphans --------------------------------------------------------------
_HOST = socket.gethostname()
_LIVE: set[str] = set()  # tokens of this process's runners that are working
_LIVE_LOCK = threading.Lock()


def new_runner_id() -> str:
    return f"{_HOST}:{os.getpid()}:{secrets.token_hex(6)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    except OSError:
        return False
    return True


@overload
def _aware(dt: datetime) -> datetime: ...


@overload
def _aware(dt: None) -> None: ...


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:  # SQLite gives naive datetimes back
        return dt.replace(tzinfo=timezone.utc)
    return dt


def is_orphaned(runner: str | None, heartbeat_at: datetime | None, now: datetime | None = None) -> bool:
    """True when nobody works on a job held by `runner`."""
    if runner is None:
        return True
    now = now or utcnow()
    hb = _aware(heartbeat_at)
    if hb is None or now - hb > timedelta(seconds=STALE_SECONDS):
        return True
    host, _, rest = runner.partition(":")
    pid_s, _, _token = rest.partition(":")
    if host != _HOST or not pid_s.isdigit():
        return False  # another machine: trust its heartbeat
    pid = int(pid_s)
    if pid == os.getpid():
        with _LIVE_LOCK:
            return runner not in _LIVE
    return not _pid_alive(pid)


# ---- creating, reading, cancelling ----------------------------------------------------------------
def _owner_of(ws, row: JobRow) -> User:
    if row.user_id is None:
        return User.system(row.actor)
    return ws.get_user(row.user_id)  # Unauthorized if the owner was deactivated


def create_draft_all(ws, report_id: int, user: User, *, sections: list[str] | None = None,
                     generator: str | None = None) -> JobView:
    """A queued draft-all job for report `report_id` (not started: see JobRunner.submit)."""
    wanted = draft_sections(sections)
    if generator is not None and generator not in ("extractive", "llm"):
        raise InvalidInput(f"Okänd generator {generator!r}; välj extractive eller llm / unknown generator")
    try:
        with ws.db.session() as s:
            report = s.get(ReportRow, report_id)
            if report is None:
                raise NotFound(f"Ingen rapport med id {report_id} / no such report")
            require_write(user, report.unit)
            ensure_open(report)
            active = s.scalar(select(JobRow).where(JobRow.report_id == report_id, JobRow.state.in_(ACTIVE_STATES)))
            if active is not None:
                raise Conflict(
                    f"Ett utkastjobb för rapporten pågår redan ({active.id}) / a draft-all job is already "
                    "running for this report", detail={"job_id": active.id},
                )
            plan = list(s.scalars(
                select(ItemRow.id).where(ItemRow.report_id == report_id).order_by(ItemRow.position, ItemRow.id)
            ))
            if not plan:
                raise InvalidInput("Rapporten har inga aktiviteter att skriva utkast för / the report has no activities")
            now = utcnow()
            row = JobRow(
                id=secrets.token_hex(8), kind="draft_all", report_id=report_id, user_id=user.id, actor=user.name,
                state="queued", sections=wanted, generator=generator, plan=plan, total=len(plan) * len(wanted),
                done=0, skipped=0, failed=0, suggestions=0, errors=[], message=None, attempts=0, runner=None,
                heartbeat_at=None, created_at=now, started_at=None, updated_at=now, finished_at=None,
            )
            s.add(row)
            s.flush()
            record_audit(s, user, "job.create", "job", row.id, report_id, None,
                      {"kind": row.kind, "sections": wanted, "items": len(plan), "total": row.total})
            return _view(row)
    except IntegrityError as exc:  # pragma: no cover - a random id collision
        raise Conflict("Försök igen / try again") from exc


def _check_read(ws, s, row: JobRow, user: User) -> None:
    if row.user_id is not None and row.user_id == user.id:
        return
    report = s.get(ReportRow, row.report_id)
    require_read(user, report.unit)


def get_job(ws, job_id: str, user: User) -> JobView:
    with ws.db.session() as s:
        row = s.get(JobRow, job_id)
        if row is None:
            raise NotFound(f"Inget jobb med id {job_id} / no such job")
        _check_read(ws, s, row, user)
        return _view(row)


def list_jobs(ws, user: User, *, report_id: int | None = None, states: tuple[str, ...] | None = None) -> list[JobView]:
    q = select(JobRow).order_by(JobRow.created_at.desc())
    if report_id is not None:
        q = q.where(JobRow.report_id == report_id)
    if states:
        q = q.where(JobRow.state.in_(states))
    out = []
    with ws.db.session() as s:
        if report_id is not None:
            report = s.get(ReportRow, report_id)
            if report is None:
                raise NotFound(f"Ingen rapport med id {report_id} / no such report")
            require_read(user, report.unit)
        for row in s.scalars(q):
            try:
                _check_read(ws, s, row, user)
            except Forbidden:
                continue
            out.append(_view(row))
    return out


def cancel_job(ws, job_id: str, user: User) -> JobView:
    """Stop a queued or running job (the section being drafted is still stored)."""
    with ws.db.session() as s:
        row = s.get(JobRow, job_id)
        if row is None:
            raise NotFound(f"Inget jobb med id {job_id} / no such job")
        report = s.get(ReportRow, row.report_id)
        if not (row.user_id is not None and row.user_id == user.id) and not can_write(user, report.unit):
            _check_read(ws, s, row, user)  # 403 for who may not even read it, with that message
            raise Forbidden(f"{user.name} får inte avbryta jobbet / not allowed to cancel the job")
        if row.state not in ACTIVE_STATES:
            raise Conflict(f"Jobbet är redan {row.state} / the job already ended", detail={"state": row.state})
        now = utcnow()
        before = row.state
        row.state, row.finished_at, row.updated_at = "cancelled", now, now
        row.message = f"Avbrutet av {user.name} / cancelled"
        record_audit(s, user, "job.cancel", "job", row.id, row.report_id, {"state": before},
                  {"state": "cancelled", "done": row.done, "total": row.total})
        return _view(row)


# ---- running ---------------------------------------------------------------------------------
def _claim(ws, job_id: str, runner: str) -> JobRow | None:
    """Take the job for `runner` if it is free (queued/running without a live runner)."""
    with ws.db.session() as s:
        row = s.get(JobRow, job_id)
        if row is None or row.state not in ACTIVE_STATES:
            return None
        seen = row.runner
        if seen != runner and not is_orphaned(seen, row.heartbeat_at):
            return None
        now = utcnow()
        cond = JobRow.runner.is_(None) if seen is None else JobRow.runner == seen
        res = s.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.state.in_(ACTIVE_STATES), cond).values(
                runner=runner, state="running", heartbeat_at=now, updated_at=now,
                started_at=row.started_at or now, attempts=row.attempts + 1,
            ).execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            return None
    with ws.db.session() as s:
        return s.get(JobRow, job_id)


def _release(ws, job_id: str, runner: str, message: str | None = None) -> None:
    """Leave the job "running" without a runner (to be resumed)."""
    with ws.db.session() as s:
        s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.runner == runner).values(
            runner=None, updated_at=utcnow(), message=message,
        ).execution_options(synchronize_session=False))


def _finish(ws, job_id: str, runner: str, state: str, message: str | None = None) -> None:
    now = utcnow()
    with ws.db.session() as s:
        s.execute(update(JobRow).where(
            JobRow.id == job_id, JobRow.runner == runner, JobRow.state == "running",
        ).values(state=state, runner=None, finished_at=now, updated_at=now, heartbeat_at=now, message=message)
            .execution_options(synchronize_session=False))


def _record(ws, job_id: str, runner: str, item_id: int, section: str, state: str, n: int = 0,
            error: str | None = None) -> bool:
    """Write one step and the job's counters in one transaction; False if the job was cancelled
    or taken over meanwhile (then nothing is written)."""
    now = utcnow()
    with ws.db.session() as s:
        row = s.get(JobRow, job_id)
        if row is None or row.state != "running" or row.runner != runner:
            return False
        s.add(JobStepRow(job_id=job_id, item_id=item_id, section=section, state=state, suggestions=n,
                         error=error, at=now))
        if state in ("drafted", "skipped"):
            row.done += 1
        if state == "skipped":
            row.skipped += 1
        if state == "failed":
            row.failed += 1
            if len(row.errors or []) < MAX_ERRORS:
                row.errors = [*(row.errors or []), {"item_id": item_id, "section": section, "message": error}]
        row.suggestions += n
        row.heartbeat_at = row.updated_at = now
        return True


def _steps_done(ws, job_id: str) -> set[tuple[int, str]]:
    with ws.db.session() as s:
        return {(i, k) for i, k in s.execute(select(JobStepRow.item_id, JobStepRow.section).where(JobStepRow.job_id == job_id))}


def _drafted_sections(ws, item_id: int, since: datetime) -> set[str]:
    """Sections of the item that must not be drafted again: those with at least one suggestion
    (any state), and those a draft since `since` asked for (its "item.draft" audit row is
    written in the transaction that stores the draft, so a draft that found nothing to say
    counts too)."""
    since = _aware(since)
    with ws.db.session() as s:
        kinds = set(s.scalars(
            select(SectionRow.kind).join(SuggestionRow, SuggestionRow.section_id == SectionRow.id)
            .where(SectionRow.item_id == item_id).distinct()
        ))
        for at, after in s.execute(select(AuditRow.at, AuditRow.after).where(
            AuditRow.object_type == "item", AuditRow.object_id == str(item_id), AuditRow.action == "item.draft",
        )):
            if _aware(at) >= since:
                kinds.update((after or {}).get("sections") or [])
    return kinds


def _state(ws, job_id: str) -> tuple[str | None, str | None]:
    with ws.db.session() as s:
        row = s.get(JobRow, job_id)
        return (row.state, row.runner) if row is not None else (None, None)


SectionHook = Callable[[str, int, str, str], None]  # (job_id, item_id, section, step state)
_FATAL = (Forbidden, Unauthorized)


def run_job(ws: Workspace, job_id: str, *, runner: str | None = None, should_stop: Callable[[], bool] | None = None,
            on_section: SectionHook | None = None, yielding: Callable[[], bool] | None = None) -> JobView | None:
    """Run (or resume) job `job_id` here and now, drafting with `ws`; None if another runner holds it.

    Raises Interrupted (after releasing the job) when `should_stop()` turns true or a hook
    raises it; the job then stays "running" for a resume."""
    runner = runner or new_runner_id()
    with _LIVE_LOCK:
        _LIVE.add(runner)
    try:
        job = _claim(ws, job_id, runner)
        if job is None:
            return None
        try:
            _work(ws, job, runner, should_stop, on_section)
        except Interrupted:
            turn = yielding is not None and yielding()  # stopped to let another unit's job have a turn
            _release(ws, job_id, runner, "Väntar på sin tur i kön / waiting for its turn" if turn else
                     "Avbrutet; återupptas vid nästa start / interrupted, will be resumed")
            raise
        except (Forbidden, Unauthorized, Conflict, NotFound) as exc:
            _finish(ws, job_id, runner, "failed", exc.message)
        except Exception as exc:  # a bug or the database gone: the job fails, the runner lives
            if should_stop is not None and should_stop():  # torn down while stopping: resume later
                _release(ws, job_id, runner, "Avbrutet; återupptas vid nästa start / interrupted, will be resumed")
                raise Interrupted() from exc
            log.exception("job %s failed", job_id)
            _finish(ws, job_id, runner, "failed", f"Internt fel / internal error: {type(exc).__name__}: {exc}")
        with ws.db.session() as s:
            row = s.get(JobRow, job_id)
            return _view(row) if row is not None else None
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(runner)


def _work(ws, job: JobRow, runner: str, should_stop, on_section) -> None:
    user = _owner_of(ws, job)
    with ws.db.session() as s:
        report = s.get(ReportRow, job.report_id)
        if report is None:
            raise NotFound(f"Rapporten {job.report_id} finns inte längre / the report is gone")
        require_write(user, report.unit)
        ensure_open(report)
        existing = set(s.scalars(select(ItemRow.id).where(ItemRow.id.in_(job.plan))))
    recorded = _steps_done(ws, job.id)

    def step(item_id: int, section: str, state: str, n: int = 0, error: str | None = None) -> None:
        if not _record(ws, job.id, runner, item_id, section, state, n, error):
            raise _Stopped()
        if on_section is not None:
            on_section(job.id, item_id, section, state)

    try:
        for item_id in job.plan:
            if should_stop is not None and should_stop():
                raise Interrupted()
            state, holder = _state(ws, job.id)
            if state != "running" or holder != runner:
                return  # cancelled, or taken over
            todo = [k for k in job.sections if (item_id, k) not in recorded]
            if not todo:
                continue
            if item_id not in existing:
                for k in todo:
                    step(item_id, k, "failed", error="Aktiviteten finns inte längre / the item is gone")
                continue
            have = _drafted_sections(ws, item_id, job.created_at)
            for k in [k for k in todo if k in have]:
                step(item_id, k, "skipped")
            missing = [k for k in todo if k not in have]
            if not missing:
                continue
            try:
                out = ws.draft_item(job.report_id, item_id, missing, user, generator=job.generator)
            except _FATAL:
                raise
            except Conflict as exc:  # published meanwhile (fatal) or a concurrent edit (this item)
                with ws.db.session() as s:
                    report = s.get(ReportRow, job.report_id)
                    if report is None or report.state == "published":
                        raise
                for k in missing:
                    step(item_id, k, "failed", error=exc.message)
                continue
            except KvalitetError as exc:
                for k in missing:
                    step(item_id, k, "failed", error=exc.message)
                continue
            except Exception as exc:
                log.exception("job %s: drafting item %s failed", job.id, item_id)
                for k in missing:
                    step(item_id, k, "failed", error=f"{type(exc).__name__}: {exc}")
                continue
            made = Counter(sv.kind for sv in out)
            for k in missing:
                step(item_id, k, "drafted", made.get(k, 0))
    except _Stopped:
        return
    with ws.db.session() as s:
        row = s.get(JobRow, job.id)
        failed_all = row.failed > 0 and row.done == 0
        message = (f"{row.failed} avsnitt kunde inte skrivas / {row.failed} sections failed" if row.failed else None)
    _finish(ws, job.id, runner, "failed" if failed_all else "done", message)


class _Stopped(Exception):
    """The job was cancelled or taken over while we worked on it."""


# ---- the runner thread ----------------------------------------------------------------------------
class JobRunner:
    """One worker thread per process (built once by kvalitet.container.Services, with the workspace
    it drafts with) that runs submitted jobs, fairly: jobs wait
    in one line per unit (the report's unit), the units take turns (round-robin), and a job
    gives up its turn after each activity while another unit's job waits. So a 20,000-activity
    draft-all of one unit no longer holds back another unit's four sections: they interleave,
    activity by activity (a job that yields stays "running", is released and taken up again at
    its next turn; nothing is drafted twice, see run_job). Within a unit, jobs run in the order
    they came."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.id = new_runner_id()
        self.waiting: "OrderedDict[str, deque[str]]" = OrderedDict()  # unit -> job ids, in turn order
        self.cond = threading.Condition()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.current: str | None = None
        self.current_unit: str | None = None
        self.on_section: SectionHook | None = None  # a hook for tests: may raise Interrupted

    def _unit_of(self, job_id: str) -> str:
        with self.workspace.db.session() as s:
            row = s.get(JobRow, job_id)
            report = s.get(ReportRow, row.report_id) if row is not None else None
            return report.unit if report is not None else ""

    def submit(self, job_id: str) -> None:
        self.start()
        unit = self._unit_of(job_id)
        with self.cond:
            self.waiting.setdefault(unit, deque()).append(job_id)
            self.cond.notify_all()

    def start(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.stopping.clear()
            self.thread = threading.Thread(target=self._loop, name=f"kvalitet-jobs-{self.id}", daemon=True)
            self.thread.start()

    def _take(self) -> tuple[str, str] | None:
        """The next (unit, job id): the first unit in turn order, which then goes last."""
        with self.cond:
            if not self.waiting:
                self.cond.wait(0.2)
            if not self.waiting:
                return None
            unit, line = next(iter(self.waiting.items()))
            job_id = line.popleft()
            del self.waiting[unit]
            if line:
                self.waiting[unit] = line  # its next job goes to the back of the turn order
            self.current, self.current_unit = job_id, unit
            return unit, job_id

    def others_waiting(self) -> bool:
        """Whether a job of another unit than the running one waits for its turn."""
        with self.cond:
            return any(u != self.current_unit and line for u, line in self.waiting.items())

    def _loop(self) -> None:
        while not self.stopping.is_set():
            taken = self._take()
            if taken is None:
                continue
            unit, job_id = taken
            progressed = [False]  # a turn drafts at least one section before it may yield

            def on_section(jid, item_id, section, state, _p=progressed):
                _p[0] = True
                if self.on_section is not None:
                    self.on_section(jid, item_id, section, state)

            def turn_over(_p=progressed) -> bool:
                return _p[0] and self.others_waiting()

            try:
                run_job(self.workspace, job_id, runner=self.id,
                        should_stop=lambda: self.stopping.is_set() or turn_over(),
                        on_section=on_section,
                        yielding=lambda: not self.stopping.is_set() and turn_over())
            except Interrupted:
                if not self.stopping.is_set() and turn_over():
                    with self.cond:  # its turn is over: back in line, behind the others
                        self.waiting.setdefault(unit, deque()).appendleft(job_id)
                        self.waiting.move_to_end(unit)
                else:
                    log.info("job %s interrupted; it stays running and will be resumed", job_id)
            except Exception:  # never let the thread die
                log.exception("job %s crashed the runner", job_id)
            finally:
                with self.cond:
                    self.current = self.current_unit = None

    def idle(self) -> bool:
        with self.cond:
            return self.current is None and not any(self.waiting.values())

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the section being drafted; the job stays running for the next start."""
        self.stopping.set()
        t = self.thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout)
        with self.cond:  # queued jobs stay queued in the database
            self.waiting.clear()


def start_draft_all(runner: JobRunner, report_id: int, user: User, *, sections: list[str] | None = None,
                    generator: str | None = None) -> JobView:
    """Make a draft-all job and hand it to `runner` (this process's runner thread,
    kvalitet.container.Services.jobs)."""
    view = create_draft_all(runner.workspace, report_id, user, sections=sections, generator=generator)
    runner.submit(view.id)
    return view


def resumable(db: Database) -> list[str]:
    """Ids of the jobs left queued or running with nobody working on them, oldest first."""
    with db.session() as s:
        rows = list(s.scalars(select(JobRow).where(JobRow.state.in_(ACTIVE_STATES)).order_by(JobRow.created_at)))
        return [r.id for r in rows if is_orphaned(r.runner, r.heartbeat_at)]


def resume_jobs(runner: JobRunner) -> list[str]:
    """Hand every orphaned job to the runner thread (on app start)."""
    ids = resumable(runner.workspace.db)
    for job_id in ids:
        runner.submit(job_id)
    if ids:
        log.info("resuming %d job(s): %s", len(ids), ", ".join(ids))
    return ids
