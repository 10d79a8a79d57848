"""A publish killed with SIGKILL leaves nothing the next ingest would index as an orphan, and
publishing again writes one file, not a second copy (issue 17, item 8).

The publish runs in a child process that is made to stop at one of two points (after the file
is written but before the catalog has it; after the catalog has it but before the report is
marked published) and is then killed with SIGKILL. The next `kvalitet ingest` (which runs the
start-up recovery first) and a second publish are then checked. Real SQLite, real Chroma."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from kvalitet.storage.db import DocumentRow
from tests.helpers.paths import REPO
from tests.helpers.workspace import World, make_settings, review_all, reviewed


CHILD = r"""
import sys, time
from kvalitet.container import Services
from kvalitet.settings import Settings
from kvalitet.workspace.auth import User
import kvalitet.ingest.pipeline as pl

point, marker, report_id = sys.argv[1], sys.argv[2], int(sys.argv[3])

def stop():
    open(marker, "w").close()
    time.sleep(600)

if point == "before_catalog":
    real_store = pl._store_document
    def store(*a, **k):
        stop()
        return real_store(*a, **k)
    pl._store_document = store
else:
    real_ingest = pl.ingest  # what the publish's staged ingest (kvalitet.ingest.staging) calls
    def ingest(*a, **k):
        report = real_ingest(*a, **k)
        stop()
        return report
    pl.ingest = ingest

svc = Services(Settings())
svc.workspace.publish(report_id, User.system())
"""


def env_for(settings) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "KVALITET_INDEX_DIR": str(settings.index_dir),
            "KVALITET_CORPUS_DIR": str(settings.corpus_dir), "KVALITET_EMBEDDER": "hash", "KVALITET_LOG_JSON": "true"}


def catalogued_reports(world) -> list[str]:
    with world.svc.db.session() as s:
        return sorted(p for (p,) in s.execute(select(DocumentRow.path)) if p.startswith("rapporter/"))


@pytest.mark.parametrize("point", ["before_catalog", "after_catalog"])
def test_a_publish_killed_midway_leaves_no_orphan_and_no_second_copy(tmp_path, point):
    settings = make_settings(tmp_path)
    world = World(settings)
    try:
        rep, sgs = reviewed(world)
        review_all(world, sgs)
        marker = tmp_path / "stopped"
        child = subprocess.Popen([sys.executable, "-c", CHILD, point, str(marker), str(rep.id)], env=env_for(settings),
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never reached the crash point"
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        assert world.ws.get_report(rep.id, world.granskare).state == "draft"  # it never got that far

        # The next ingest (a restart would do the same) finds the corpus and the catalog clean.
        res = subprocess.run([sys.executable, "-m", "kvalitet.cli", "ingest", "--json"], env=env_for(settings),
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        assert res.returncode in (0, 2), res.stderr
        world.svc.index.invalidate()
        assert catalogued_reports(world) == []
        visible = sorted(p.name for p in (settings.corpus_dir / "rapporter").glob("*") if not p.name.startswith("."))
        assert visible == []
        assert not list((settings.corpus_dir / "rapporter").glob(".*"))  # no staging leftovers either

        # Publishing again writes one file under the report's own name, and the index has one copy.
        out = world.ws.publish(rep.id, world.granskare)
        assert out.path == "rapporter/2024-uppfoljning-av-fjolarets-aktiviteter.md"
        files = sorted(p.name for p in (settings.corpus_dir / "rapporter").glob("*"))
        assert files == ["2024-uppfoljning-av-fjolarets-aktiviteter.md"]
        assert catalogued_reports(world) == [out.path]
    finally:
        world.close()
