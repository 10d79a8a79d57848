"""Fair use (issue 17, item 6): one unit's huge draft-all does not hold back another unit's small
one (the job runner serves units in turn, activity by activity), and a report holds at most
KVALITET_MAX_ITEMS_PER_REPORT activities (added one by one or imported) and exports at most as
many. Real SQLite, the real drafter (hash embedder), the real runner thread."""

from __future__ import annotations

import shutil
import time

import pytest

from kvalitet.errors import InvalidInput
from kvalitet.workspace.importer import import_activities
from kvalitet.workspace.jobs import get_job, start_draft_all
from tests.helpers.paths import CORPUS
from tests.helpers.workspace import World, make_settings



@pytest.fixture
def world(tmp_path):
    settings = make_settings(tmp_path, max_items_per_report=40)
    shutil.copy(CORPUS / "2019-uppfoljning-fjolarets-aktiviteter.txt", settings.corpus_dir)
    w = World(settings)
    w.svc.ingest()
    yield w
    w.svc.jobs.stop(10)
    w.close()


def test_a_small_job_of_another_unit_does_not_wait_behind_a_big_one(world):
    ws = world.ws
    big = ws.create_report("Stor rapport", "aktivitetsuppfoljning", 2024, None, world.rektor)
    for n in range(30):
        ws.add_item(big.id, {"activity": f"Utveckla samarbete med högskolan, del {n}"}, world.rektor)
    small = ws.create_report("Liten rapport", "aktivitetsuppfoljning", 2024, None, world.rektor2)
    ws.add_item(small.id, {"activity": "Minska frånvaron i åk 7–9"}, world.rektor2)

    first = start_draft_all(world.svc.jobs, big.id, world.rektor)  # Åbyskolan: 120 sections
    deadline = time.monotonic() + 120
    while get_job(ws, first.id, world.admin).done < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = start_draft_all(world.svc.jobs, small.id, world.rektor2)  # Byskolan: 4 sections, later
    while get_job(ws, second.id, world.admin).state != "done":
        assert time.monotonic() < deadline, get_job(ws, second.id, world.admin)
        time.sleep(0.05)
    big_then = get_job(ws, first.id, world.admin)
    assert big_then.done < big_then.total, "the small job waited until the big one had finished"
    while get_job(ws, first.id, world.admin).state != "done":  # and the big one still completes
        assert time.monotonic() < deadline + 240
        time.sleep(0.2)
    done = get_job(ws, first.id, world.admin)
    assert done.done == done.total == 120 and done.failed == 0
    per_section = {}
    for it in ws.get_report(big.id, world.rektor).items:
        for sec in it.sections:
            per_section[(it.id, sec.kind)] = len(sec.suggestions)
    assert len(per_section) <= 120  # nothing drafted twice across its turns


def test_activities_per_report_and_per_export_are_limited(world):
    ws = world.ws
    rep = ws.create_report("Gräns", "aktivitetsuppfoljning", 2024, None, world.rektor)
    for n in range(40):
        ws.add_item(rep.id, {"activity": f"Aktivitet {n}"}, world.rektor)
    with pytest.raises(InvalidInput, match="högst 40"):
        ws.add_item(rep.id, {"activity": "En för mycket"}, world.rektor)
    other = ws.create_report("Import", "aktivitetsuppfoljning", 2024, None, world.rektor)
    rows = "Aktivitet;Status\n" + "".join(f"Insats nummer {n};Pågående\n" for n in range(41))
    with pytest.raises(InvalidInput, match="högst 40"):
        import_activities(ws, other.id, rows.encode("utf-8"), world.rektor, filename="lista.csv")
    assert ws.get_report(other.id, world.rektor).items == []  # nothing half-imported
    assert ws.export(rep.id, "md", world.rektor).content  # at the limit: exported


def test_a_word_export_stops_at_its_time_limit(tmp_path):
    settings = make_settings(tmp_path, export_timeout_seconds=0.001, max_items_per_report=400)
    w = World(settings)
    try:
        from kvalitet.errors import ServiceUnavailable

        rep = w.ws.create_report("Lång rapport", "aktivitetsuppfoljning", 2024, None, w.rektor)
        for n in range(300):
            w.ws.add_item(rep.id, {"activity": f"Aktivitet nummer {n} " + "med en lång beskrivning " * 20}, w.rektor)
        with pytest.raises(ServiceUnavailable, match="för lång tid"):
            w.ws.export(rep.id, "docx", w.rektor)
        assert w.ws.export(rep.id, "md", w.rektor).content  # Markdown is cheap and not limited
    finally:
        w.close()
