"""Draft-all jobs: migration 0004 against the models; a job interrupted by a test hook and
resumed when the app starts again (progress read over real HTTP); a job whose process is killed
(SIGKILL) and resumed by `kvalitet jobs resume`; every section drafted exactly once; rights,
cancellation, one active job per report.

The sample corpus is ingested once per module with the deterministic hash embedder (no model
needed) and its index copied for each test; real SQLite, real Drafter, no mocks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kvalitet.app import create_app
from kvalitet.settings import Settings
from kvalitet.storage.db import Database
from kvalitet.errors import Conflict, Forbidden, InvalidInput
from kvalitet.workspace.jobs import (
    JOB_TABLES,
    Interrupted,
    JobStepRow,
    cancel_job,
    create_draft_all,
    get_job,
    run_job,
)
from kvalitet.container import Services
from tests.helpers.paths import REPO
from tests.helpers.server import running_server
from tests.helpers.workspace import World

CORPUS = REPO / "corpus"
ACTIVITIES = [
    "Följa upp varje barns utveckling utifrån kartläggningsmaterial i matematik",
    "Genomföra insatser för att stärka matematik och SvA på 7-9 skolor",
    "Delta i SKR:s utvecklingsprogram för fullföljd utbildning",
    "Upphandla och implementera ett nytt verksamhetssystem för elevhälsan",
    "Minska frånvaron i åk 7–9",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """An index of the sample corpus (hash embedder), built once and copied by each test."""
    root = tmp_path_factory.mktemp("jobs-template")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    svc = Services(Settings(index_dir=root / "index", corpus_dir=corpus, embedder="hash"))
    report = svc.ingest()
    assert not report.skipped and report.passages > 100
    svc.close()
    return root


def settings_from(template: Path, tmp_path: Path) -> Settings:
    shutil.copytree(template / "corpus", tmp_path / "corpus")
    shutil.copytree(template / "index", tmp_path / "index")
    return Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embedder="hash")


@pytest.fixture
def world(template, tmp_path):
    w = World(settings_from(template, tmp_path))
    yield w
    w.svc.jobs.stop(10)
    w.close()


def seeded_report(world, activities=ACTIVITIES):
    rep = world.report(title="Uppföljning av verksamhetsplan 2024")
    items = [world.ws.add_item(rep.id, {"activity": a, "status": "Pågående"}, world.rektor) for a in activities]
    return rep, items


def audit_drafts(world, report_id: int) -> Counter:
    seen: Counter = Counter()
    for e in world.ws.audit(report_id, world.admin):
        if e.action == "item.draft":
            for k in e.after["sections"]:
                seen[(int(e.object_id), k)] += 1
    return seen


def _admin(svc):
    from kvalitet.workspace.auth import User

    return User.system("test")


def wait_for(predicate, timeout: float = 120, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# ---- migration ---------------------------------------------------------------------------------
def test_migration_0004_matches_the_models_and_downgrades(tmp_path):
    from sqlalchemy import inspect

    import kvalitet.workspace.jobs  # noqa: F401 - the job tables on Base.metadata
    from kvalitet.storage.migrations import alembic_config, current_revision
    from tests.helpers.migrations import schema_diffs
    from tests.helpers.workspace import make_settings

    db = Database(make_settings(tmp_path))
    db.create_all()
    try:
        from kvalitet.storage.migrations import head_revision

        assert current_revision(db) == head_revision()
        assert set(JOB_TABLES) <= set(inspect(db.engine).get_table_names())
        assert schema_diffs(db, JOB_TABLES) == []
        from alembic import command

        command.downgrade(alembic_config(db), "0003")
        assert not set(JOB_TABLES) & set(inspect(db.engine).get_table_names())
        command.upgrade(alembic_config(db), "head")
        assert set(JOB_TABLES) <= set(inspect(db.engine).get_table_names())
        # the database refuses an unknown state
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO jobs (id, kind, report_id, actor, state, sections, plan, total, done, skipped, "
                    "failed, suggestions, errors, attempts, created_at, updated_at) VALUES ('x', 'draft_all', 1, "
                    "'a', 'sleeping', '[]', '[]', 0, 0, 0, 0, 0, '[]', 0, '2024-01-01', '2024-01-01')"
                )
    finally:
        db.dispose()


# ---- interrupted by a hook, resumed when the app starts again, progress over HTTP -----------------
def test_job_interrupted_after_n_sections_resumes_on_app_start_and_drafts_each_section_once(template, tmp_path):
    settings = settings_from(template, tmp_path)
    w1 = World(settings)
    rep, items = seeded_report(w1)
    # One section drafted by hand before the job: the job must not draft it again.
    manual = w1.ws.draft_item(rep.id, items[0].id, ["analys"], w1.rektor)
    assert manual
    N = 6
    calls: list[tuple[int, str, str]] = []

    def stop_after_n(job_id, item_id, section, state):
        calls.append((item_id, section, state))
        if len(calls) == N:
            raise Interrupted()

    runner = w1.svc.jobs
    runner.on_section = stop_after_n
    app = create_app(settings, services=w1.svc)
    with running_server(app) as base:
        c = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {w1.tokens['rektor']}"}, timeout=60)
        r = c.post(f"/api/reports/{rep.id}/draft-all", json={})
        assert r.status_code == 202, r.text
        job = r.json()
        assert r.headers["location"] == f"/api/jobs/{job['id']}"
        assert job["state"] in ("queued", "running") and job["total"] == len(items) * 4
        wait_for(lambda: len(calls) >= N and runner.idle(), what="the hook to stop the worker")
        mid = c.get(f"/api/jobs/{job['id']}").json()
        assert mid["state"] == "running" and mid["done"] == N and mid["attempts"] == 1, mid
        assert 0 < mid["progress"] < 1
        c.close()
    w1.close()  # the "process" is gone; the job is left running

    # A restart: new Services over the same database; the app's start resumes the job.
    svc2 = Services(settings)
    try:
        app2 = create_app(settings, services=svc2)
        with running_server(app2) as base:
            c = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {w1.tokens['rektor']}"}, timeout=60)
            seen_states = []

            def finished():
                v = c.get(f"/api/jobs/{job['id']}")
                assert v.status_code == 200 and v.headers["cache-control"] == "no-store"
                seen_states.append(v.json()["state"])
                return v.json() if v.json()["state"] not in ("queued", "running") else None

            final = wait_for(finished, what="the resumed job to finish")
            c.close()
        assert final["state"] == "done", final
        assert final["attempts"] == 2
        assert final["done"] == final["total"] == len(items) * 4 and final["failed"] == 0
        # the section drafted by hand, and the sections stored just before the interruption but
        # not yet recorded, were found drafted and skipped
        assert final["skipped"] >= 1
        with svc2.db.session() as s:
            steps = s.execute(select(JobStepRow.item_id, JobStepRow.section, JobStepRow.state)
                              .where(JobStepRow.job_id == job["id"])).all()
        assert len(steps) == final["total"] == len({(i, k) for i, k, _ in steps})
        assert (items[0].id, "analys", "skipped") in steps
        # exactly one draft per (item, section), the manual one included
        drafts = Counter()
        for e in svc2.workspace.audit(rep.id, _admin(svc2)):
            if e.action == "item.draft":
                for k in e.after["sections"]:
                    drafts[(int(e.object_id), k)] += 1
        assert set(drafts) == {(it.id, k) for it in items for k in ("uppfoljning", "analys", "risker", "kostnader")}
        assert max(drafts.values()) == 1, [k for k, v in drafts.items() if v > 1]
        # the manual section kept its own suggestions only
        view = svc2.workspace.get_report(rep.id, _admin(svc2))
        sec = next(x for x in view.items[0].sections if x.kind == "analys")
        assert sorted(sg.id for sg in sec.suggestions) == sorted(sg.id for sg in manual)
        # every suggestion of the report was stored by the job's runs or by hand, none twice
        refs = [(it.id, x.kind, sg.draft_ref) for it in view.items for x in it.sections for sg in x.suggestions]
        assert len(refs) == len(set(refs))
    finally:
        svc2.jobs.stop(10)
        svc2.close()


def test_a_second_job_skips_every_drafted_section(world):
    rep, items = seeded_report(world, ACTIVITIES[:2])
    first = create_draft_all(world.ws, rep.id, world.rektor, sections=["uppfoljning", "analys"])
    done = run_job(world.ws, first.id)
    assert done.state == "done" and done.done == 4 and done.skipped == 0 and done.suggestions > 0
    before = {(it.id, s.kind): len(s.suggestions) for it in world.ws.get_report(rep.id, world.rektor).items
              for s in it.sections}
    # A section "has been drafted" when it has a suggestion (jobs skip those); one that got only a
    # notice (nothing relevant in the index) stays open, so a later job looks again.
    with_suggestion = {k for k, n in before.items() if n > 0}
    asked_first = {(it.id, k) for it in items for k in ("uppfoljning", "analys")}
    assert with_suggestion <= asked_first and len(with_suggestion) >= 2
    # a notice is not a draft: "drafted" counts the sections that got a suggestion, no_draft the others
    assert done.drafted == len(with_suggestion) and done.no_draft == 4 - len(with_suggestion)
    second = run_job(world.ws, create_draft_all(world.ws, rep.id, world.rektor).id)
    assert second.state == "done" and second.total == 8 and second.done == 8
    after = {(it.id, s.kind): len(s.suggestions) for it in world.ws.get_report(rep.id, world.rektor).items
             for s in it.sections}
    made = {k for k, n in after.items() if n > 0} - with_suggestion
    assert second.skipped == len(with_suggestion) and second.drafted == len(made)
    assert second.no_draft == 8 - len(with_suggestion) - len(made) > 0  # risker/kostnader: notices here
    assert second.drafted + second.no_draft + second.skipped == second.done
    assert {k: after[k] for k in with_suggestion} == {k: before[k] for k in with_suggestion}  # nothing drafted twice
    drafts = audit_drafts(world, rep.id)
    assert all(drafts[k] == 1 for k in with_suggestion)
    assert all(drafts[k] <= 2 for k in asked_first - with_suggestion)  # a notice only: looked at again once


# ---- killed for real, resumed by the CLI -----------------------------------------------------------
def _cli(settings: Settings, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "KVALITET_INDEX_DIR": str(settings.index_dir), "KVALITET_CORPUS_DIR": str(settings.corpus_dir),
           "KVALITET_EMBEDDER": "hash", "KVALITET_LOG_JSON": "false"}
    return subprocess.Popen([sys.executable, "-c", "from kvalitet.cli import app; app()", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_killed_job_is_resumed_by_kvalitet_jobs_resume(template, tmp_path):
    settings = settings_from(template, tmp_path)
    w = World(settings)
    try:
        from kvalitet.workspace.carry_forward import seed_from_document

        seeded = seed_from_document(w.ws, "2019-uppfoljning-verksamhetsplan.txt", None, "Linköping", w.admin)
        rep = seeded.report
        n_items = len(seeded.carried)
        assert n_items >= 20
        proc = _cli(settings, "reports", "draft-all", str(rep.id), "--quiet")
        db = sqlite3.connect(settings.index_dir / "kvalitet.db")

        def progressed():
            if proc.poll() is not None:
                raise AssertionError(f"the CLI ended early ({proc.returncode}): {proc.communicate()}")
            row = db.execute("SELECT id, done, state FROM jobs WHERE report_id = ?", (rep.id,)).fetchone()
            return row if row and row[1] >= 8 else None

        try:
            job_id, done, state = wait_for(progressed, timeout=120, what="the CLI job to progress")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        row = db.execute("SELECT state, runner, done, total FROM jobs WHERE id = ?", (job_id,)).fetchone()
        db.close()
        assert row[0] == "running" and row[1] and row[1].split(":")[1] == str(proc.pid), row
        assert row[2] < row[3], "the job finished before it was killed"

        res = _cli(settings, "jobs", "resume", "--json")
        out, err = res.communicate(timeout=300)
        assert res.returncode == 0, err
        resumed = json.loads(out)["resumed"]
        assert [j["id"] for j in resumed] == [job_id]
        final = get_job(w.ws, job_id, w.admin)
        assert final.state == "done" and final.attempts == 2, final
        assert final.done == final.total == n_items * 4
        drafts = audit_drafts(w, rep.id)
        assert len(drafts) == n_items * 4
        assert max(drafts.values()) == 1
        # a second resume finds nothing to do
        again = _cli(settings, "jobs", "resume", "--json")
        out, _ = again.communicate(timeout=120)
        assert json.loads(out)["resumed"] == []
    finally:
        w.close()


# ---- rights, conflicts, cancellation --------------------------------------------------------------
def test_job_rights_conflicts_and_cancel(world):
    rep, items = seeded_report(world, ACTIVITIES[:3])
    with pytest.raises(Forbidden):
        create_draft_all(world.ws, rep.id, world.rektor2)
    with pytest.raises(Forbidden):
        create_draft_all(world.ws, rep.id, world.kvalitet)
    with pytest.raises(InvalidInput):
        create_draft_all(world.ws, rep.id, world.rektor, sections=["slutsats"])
    empty = world.ws.create_report("Tom", "kvalitetsrapport", 2024, None, world.rektor)
    with pytest.raises(InvalidInput):
        create_draft_all(world.ws, empty.id, world.rektor)
    job = create_draft_all(world.ws, rep.id, world.rektor, sections=["analys"])
    with pytest.raises(Conflict) as exc:
        create_draft_all(world.ws, rep.id, world.admin)
    assert exc.value.detail == {"job_id": job.id}
    with pytest.raises(Forbidden):
        get_job(world.ws, job.id, world.rektor2)
    assert get_job(world.ws, job.id, world.granskare).id == job.id  # readers of the report may follow it
    with pytest.raises(Forbidden):
        cancel_job(world.ws, job.id, world.granskare)

    # cancel while running: the worker stops after the current item
    runner = world.svc.jobs
    stopped: list = []

    def cancel_after_first(job_id, item_id, section, state):
        if not stopped:
            stopped.append(cancel_job(world.ws, job_id, world.rektor))

    runner.on_section = cancel_after_first
    runner.submit(job.id)
    wait_for(lambda: stopped and runner.idle(), what="the cancelled job to stop")
    final = get_job(world.ws, job.id, world.rektor)
    assert final.state == "cancelled" and final.done == 1 and final.finished_at is not None
    assert len(audit_drafts(world, rep.id)) == 1
    with pytest.raises(Conflict):
        cancel_job(world.ws, job.id, world.rektor)
    # a new job may start once the old one ended, and drafts only what is left
    runner.on_section = None
    nxt = run_job(world.ws, create_draft_all(world.ws, rep.id, world.rektor, sections=["analys"]).id)
    assert nxt.state == "done" and nxt.skipped == 1 and nxt.done == 3
    assert max(audit_drafts(world, rep.id).values()) == 1


def test_jobs_api_over_http(world):
    rep, items = seeded_report(world, ACTIVITIES[:2])
    app = create_app(world.settings, services=world.svc)
    with running_server(app) as base:
        def client(name):
            return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {world.tokens[name]}"}, timeout=60)

        with client("rektor") as c, client("rektor2") as other, client("kvalitet") as kv, \
                httpx.Client(base_url=base, timeout=60) as anon:
            assert anon.post(f"/api/reports/{rep.id}/draft-all").status_code == 401
            assert other.post(f"/api/reports/{rep.id}/draft-all").status_code == 403
            assert kv.post(f"/api/reports/{rep.id}/draft-all").status_code == 403
            r = c.post(f"/api/reports/{rep.id}/draft-all", json={"sections": ["nonsense"]})
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
            r = c.post(f"/api/reports/{rep.id}/draft-all", json={"sections": ["uppfoljning", "risker"]})
            assert r.status_code == 202
            job = r.json()
            assert job["sections"] == ["uppfoljning", "risker"] and job["total"] == 4
            assert anon.get(f"/api/jobs/{job['id']}").status_code == 401
            r = other.get(f"/api/jobs/{job['id']}")
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
            assert c.get("/api/jobs/doesnotexist").status_code == 404

            def done():
                v = c.get(f"/api/jobs/{job['id']}").json()
                return v if v["state"] == "done" else None

            final = wait_for(done, what="the job over HTTP")
            assert final["done"] == 4 and final["progress"] == 1.0 and final["finished_at"]
            listed = c.get(f"/api/reports/{rep.id}/jobs").json()["jobs"]
            assert [j["id"] for j in listed] == [job["id"]]
            r = c.post(f"/api/jobs/{job['id']}/cancel")
            assert r.status_code == 409
            view = c.get(f"/api/reports/{rep.id}").json()
            kinds = {(it["id"], s["kind"]) for it in view["items"] for s in it["sections"]}
            assert kinds <= {(it.id, k) for it in items for k in ("uppfoljning", "risker")}
            assert all(s["state"] == "pending" for it in view["items"] for s in it["sections"])
