"""Uploads as background jobs over real HTTP: POST /api/uploads answers 202 at once with a job,
GET /api/uploads/{id} shows its stage and then the result (or the error); only admins; a job
left behind by a stopped process is read on the next start. Migration 0006 matches the models."""

from __future__ import annotations

import time

import httpx
import pytest

from kvalitet.app import create_app
from kvalitet.container import Services
from kvalitet.settings import Settings
from tests.helpers.paths import REPO
from tests.helpers.server import running_server

SAMPLE = (REPO / "corpus" / "2019-uppfoljning-fjolarets-aktiviteter.txt").read_bytes()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("uploads")
    (root / "corpus").mkdir()
    settings = Settings(index_dir=root / "index", corpus_dir=root / "corpus", embedder="hash")
    svc = Services(settings)
    tokens = {role: svc.workspace.add_user(role, role, "Åbyskolan" if role == "rektor" else None).token
              for role in ("admin", "rektor", "granskare")}
    with running_server(create_app(settings, services=svc)) as base:
        yield type("W", (), {"base": base, "svc": svc, "tokens": tokens, "root": root})
    svc.close()


def auth(world, role="admin"):
    return {"Authorization": f"Bearer {world.tokens[role]}"}


def wait_done(world, url: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        view = httpx.get(world.base + url, headers=auth(world)).json()
        if view["state"] in ("done", "failed") or time.monotonic() > deadline:
            return view
        time.sleep(0.2)


def test_an_upload_is_accepted_at_once_and_read_in_the_background(world):
    r = httpx.post(f"{world.base}/api/uploads", files={"file": ("Fjolåret 2019.txt", SAMPLE, "text/plain")},
                   headers=auth(world))
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == f"/api/uploads/{job['id']}"
    assert job["state"] in ("queued", "running", "done") and job["steps"] == 3 and job["filename"] == "Fjolåret 2019.txt"
    view = wait_done(world, r.headers["location"])
    assert view["state"] == "done" and view["progress"] == 1.0 and view["stage_label"] == "Klart"
    assert view["result"]["doc_kind"] == "aktivitetsuppfoljning" and view["result"]["passages"] > 0
    assert view["result"]["path"] == "uploads/Fjolåret 2019.txt"
    assert not list((world.root / "index" / "upload-staging").iterdir())  # the waiting bytes are gone
    # the same again: read, and found unchanged
    again = httpx.post(f"{world.base}/api/uploads", files={"file": ("Fjolåret 2019.txt", SAMPLE)}, headers=auth(world))
    assert wait_done(world, again.headers["location"])["result"]["status"] == "unchanged"


def test_what_cannot_be_read_fails_with_its_reason_and_what_is_no_document_is_refused_at_once(world):
    r = httpx.post(f"{world.base}/api/uploads", files={"file": ("trasig.pdf", b"%PDF-1.7\n\x00\x01 trasig")},
                   headers=auth(world))
    assert r.status_code == 202
    view = wait_done(world, r.headers["location"])
    assert view["state"] == "failed" and view["status_code"] in (415, 422) and view["message"]
    assert view["result"] is None
    empty = httpx.post(f"{world.base}/api/uploads", files={"file": ("tom.txt", b"")}, headers=auth(world))
    assert empty.status_code == 422 and "tom" in empty.json()["error"]["message"]


def test_only_admins_upload_and_see_uploads(world):
    r = httpx.post(f"{world.base}/api/uploads", files={"file": ("a.txt", SAMPLE)}, headers=auth(world))
    for role in ("rektor", "granskare"):
        assert httpx.post(f"{world.base}/api/uploads", files={"file": ("a.txt", SAMPLE)},
                          headers=auth(world, role)).status_code == 403
        assert httpx.get(world.base + r.headers["location"], headers=auth(world, role)).status_code == 403
    assert httpx.get(f"{world.base}/api/uploads/{'0' * 16}", headers=auth(world)).status_code == 404
    assert httpx.get(f"{world.base}/api/uploads/..%2Fx", headers=auth(world)).status_code in (404, 422)
    wait_done(world, r.headers["location"])


def test_an_upload_left_by_a_stopped_process_is_read_on_the_next_start(tmp_path):
    (tmp_path / "corpus").mkdir()
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embedder="hash")
    svc = Services(settings)
    try:
        admin_token = svc.workspace.add_user("admin", "admin").token
        admin = svc.workspace.authenticate(admin_token)
        job = svc.uploads.create(SAMPLE, "kvar.txt", False, admin)  # stored, never handed to a worker
        assert svc.uploads.get(job.id, admin).state == "queued"
        assert svc.uploads.resume() == [job.id]
        deadline = time.monotonic() + 60
        while svc.uploads.get(job.id, admin).state == "queued" or svc.uploads.get(job.id, admin).state == "running":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert svc.uploads.get(job.id, admin).result["path"] == "uploads/kvar.txt"
    finally:
        svc.close()


def test_migration_0006_matches_the_models(tmp_path):
    import kvalitet.workspace.uploads  # noqa: F401 - upload_jobs on Base.metadata
    from kvalitet.storage.db import Database
    from tests.helpers.migrations import schema_diffs

    db = Database(Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path, embedder="hash"))
    db.create_all()
    try:
        diffs = schema_diffs(db)

        def concerns(d) -> bool:
            text = repr(d)
            return "upload_jobs" in text or "'area'" in text or "Column('area'" in text

        assert [d for d in diffs if concerns(d)] == []
    finally:
        db.dispose()
