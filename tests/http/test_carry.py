"""Carry forward: next year's report from last year's report, and from an ingested follow-up (the
2022 follow-up of the sample corpus), through the workspace-level functions, the API over real
HTTP and the CLI. The sample corpus is ingested once per module (hash embedder) and copied for
each test; real SQLite, real history, real Drafter."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kvalitet.app import create_app
from kvalitet.workspace.carry_forward import carry_forward, seed_from_document
from kvalitet.settings import Settings
from kvalitet.errors import Conflict, Forbidden, InvalidInput, NotFound
from kvalitet.search.history import normalize
from kvalitet.container import Services
from kvalitet.domain.types import UNFINISHED_STATUSES
from tests.helpers.paths import REPO
from tests.helpers.server import running_server
from tests.helpers.workspace import World

CORPUS = REPO / "corpus"
DOC = "2022-uppfoljning-verksamhetsplan-linkoping.txt"
MATH = "Följa upp varje barns utveckling utifrån kartläggningsmaterial i matematik"
TIMECARE = "Implementera schemasystem (Timecare) i förskolan."
LEJON = "Utveckla dialogen med Lejonfastigheter och MOS"  # listed under three goals
AKTIV = "Genomföra aktiviteter i enlighet med det idrottspolitiska programmet"  # Kvarstår and Genomfört


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("carry-template")
    shutil.copytree(CORPUS, root / "corpus")
    svc = Services(Settings(index_dir=root / "index", corpus_dir=root / "corpus", embedder="hash"))
    report = svc.ingest()
    assert not report.skipped and report.passages > 100
    svc.close()
    return root


@pytest.fixture
def world(template, tmp_path):
    shutil.copytree(template / "corpus", tmp_path / "corpus")
    shutil.copytree(template / "index", tmp_path / "index")
    w = World(Settings(index_dir=tmp_path / "index", corpus_dir=tmp_path / "corpus", embedder="hash"))
    yield w
    w.close()


def row_of(world, text: str, year: int = 2022):
    rows = [a for a in world.svc.history().activities(year=year) if a.activity.startswith(text)]
    assert rows, text
    return rows


def last_year(world):
    """A 2023 report of Åbyskolan with finished, unfinished, postponed and unknown activities."""
    rep = world.ws.create_report("Uppföljning av verksamhetsplan 2023", "verksamhetsplan_uppfoljning", 2023,
                                 None, world.rektor)
    add = lambda **kw: world.ws.add_item(rep.id, kw, world.rektor)  # noqa: E731
    items = {
        "math": add(activity=MATH + " (Kvarstår från 2022)", status="Kvarstår", deadline="Förskjuts till 2024*",
                    goal="Maximalt lärande", comment="Skjuts fram igen."),
        "franvaro": add(activity="Minska frånvaron i åk 7–9", status="Pausad", deadline="December",
                        history_ids=["p_00000000000abcde"], notes="Ny rutin för frånvaroanmälan."),
        "skolskjuts": add(activity="Se över skolskjutsens rutiner", status="Pågående", deadline="Q4"),
        "sip": add(activity="Utbilda personalen i SIP", status=None, deadline="Juni*"),
        "start": add(activity="Starta läxhjälp på fritids", status="ej påbörjad", deadline="Q2"),
        "pagar": add(activity="Revidera likabehandlingsplanen", status="Pågår"),
        "klar": add(activity="Införa digitala närvarolistor", status="Klart", deadline="Q1"),
        "done_late": add(activity="Ny lärplattform i åk 4–6", status="Genomfört", deadline="December*"),
        "avslutad": add(activity="Avveckla gamla elevregistret", status="Avslutad"),
        "twice": add(activity="minska frånvaron i åk 7-9.", status="Kvarstår", goal="Trygghet"),
    }
    return rep, items


# ---- from a report -------------------------------------------------------------------------------
def test_carry_forward_brings_the_unfinished_activities_with_their_history(world):
    rep, items = last_year(world)
    res = carry_forward(world.ws, rep.id, None, world.rektor)
    new = res.report
    assert new.id != rep.id and new.year == 2024 and new.unit == "Åbyskolan" and new.kind == rep.kind
    assert new.title == "Uppföljning av verksamhetsplan 2024" and new.state == "draft"
    by = {it.activity: it for it in new.items}
    assert set(by) == {MATH, "Minska frånvaron i åk 7–9", "Se över skolskjutsens rutiner", "Utbilda personalen i SIP",
                       "Starta läxhjälp på fritids", "Revidera likabehandlingsplanen"}
    assert all(it.carried_from == 2023 for it in new.items)
    # finished ones stay, even when they were late; each with its reason
    left = {x.source: x for x in res.skipped}
    assert set(left) == {f"item:{items[k].id}" for k in ("klar", "done_late", "avslutad")}
    assert all("finished" in x.reason for x in left.values())
    # statuses as they were (canonical spelling), postponed without a status comes too
    assert by["Starta läxhjälp på fritids"].status == "Ej påbörjad"
    assert by["Utbilda personalen i SIP"].status is None and by["Utbilda personalen i SIP"].deadline == "Juni*"
    assert {it.status for it in new.items} - {None} <= set(UNFINISHED_STATUSES)
    # found in the index: history_ids = the passage ids of its history (kvalitet.search.history)
    math_row = row_of(world, MATH)[0]
    expected = [v.id for v in world.svc.history().history(math_row.id)]
    assert by[MATH].history_ids[: len(expected)] == expected and math_row.id in by[MATH].history_ids
    carried = {c.activity: c for c in res.carried}
    assert carried[MATH].found_in_index and carried[MATH].sources == [f"item:{items['math'].id}"]
    # not in the index: the item's own chain
    assert by["Minska frånvaron i åk 7–9"].history_ids == ["p_00000000000abcde"]
    assert not carried["Minska frånvaron i åk 7–9"].found_in_index
    # the same activity twice in the old report comes across once, both goals kept
    assert res.merged == 1
    assert carried["Minska frånvaron i åk 7–9"].sources == [f"item:{items['franvaro'].id}", f"item:{items['twice'].id}"]
    assert "Trygghet" in (by["Minska frånvaron i åk 7–9"].notes or "")
    # last year's facts go to the notes the drafter reads; the comment field is left for this year
    notes = by[MATH].notes
    assert "Kvarstår från 2023" in notes and "Status 2023: Kvarstår" in notes and "Skjuts fram igen." in notes
    assert by[MATH].comment is None and by[MATH].deadline == "Förskjuts till 2024*"
    # rendered with the marker; audited with where each item came from
    md = world.ws.render(new.id, "md", world.rektor)
    assert "Kvarstår från 2023" in md
    log = world.ws.audit(new.id, world.granskare)
    cf = [e for e in log if e.action == "report.carry_forward"]
    assert len(cf) == 1 and cf[0].after["from_report"] == rep.id and cf[0].after["year"] == 2024
    sources = [e.after["source"] for e in log if e.action == "item.create"]
    assert {"report_id": rep.id, "item_id": items["math"].id, "year": 2023} in sources
    # the old report is untouched
    assert len(world.ws.get_report(rep.id, world.rektor).items) == len(items)
    # and the carried activity's draft cites what happened last time
    out = world.ws.draft_item(new.id, by[MATH].id, ["uppfoljning"], world.rektor)
    cited = {c.passage_id for s in out for c in s.citations}
    assert cited & set(by[MATH].history_ids)


def test_carry_forward_refusals_change_nothing(world):
    rep, _ = last_year(world)
    before = len(world.ws.list_reports(world.admin))
    with pytest.raises(Forbidden):
        carry_forward(world.ws, rep.id, 2024, world.rektor2)  # another unit: may not read it
    with pytest.raises(Forbidden):
        carry_forward(world.ws, rep.id, 2024, world.kvalitet)  # may read, may not write
    with pytest.raises(InvalidInput):
        carry_forward(world.ws, rep.id, 2023, world.rektor)  # not a later year
    with pytest.raises(NotFound):
        carry_forward(world.ws, 9999, 2024, world.rektor)
    assert len(world.ws.list_reports(world.admin)) == before
    first = carry_forward(world.ws, rep.id, 2024, world.rektor)
    with pytest.raises(Conflict) as exc:  # a double click does not make two reports
        carry_forward(world.ws, rep.id, 2024, world.rektor)
    assert exc.value.detail == {"report_id": first.report.id}
    # another year is another report; the carried report carries on in turn
    assert carry_forward(world.ws, rep.id, 2025, world.rektor).report.year == 2025
    again = carry_forward(world.ws, first.report.id, None, world.rektor)
    assert again.report.year == 2025 and all(it.carried_from == 2024 for it in again.report.items)
    assert len(again.report.items) == len(first.report.items)


# ---- from the ingested 2022 follow-up ---------------------------------------------------------------
def expected_from_catalog(world) -> set[str]:
    """Independently of kvalitet.workspace.carry_forward: activity rows of the document whose status is one of
    UNFINISHED_STATUSES or that were postponed and not finished, one per wording."""
    out = set()
    for a in world.svc.history().activities(year=2022):
        if a.source.path != DOC:
            continue
        postponed = a.postponed or "*" in (a.deadline or "") or "Förskjuts" in (a.deadline or "")
        if a.status in UNFINISHED_STATUSES or (postponed and a.status not in ("Genomfört", "Klart", "Avslutad")):
            out.add(normalize(a.activity))
    return out


def test_seed_from_the_2022_follow_up(world):
    res = seed_from_document(world.ws, f"corpus/{DOC}", None, "Linköpings förvaltning", world.admin)
    new = res.report
    assert new.year == 2023 and new.unit == "Linköpings förvaltning" and new.kind == "verksamhetsplan_uppfoljning"
    assert res.source == DOC and res.from_year == 2022 and "2023" in new.title
    names = [normalize(it.activity) for it in new.items]
    assert len(names) == len(set(names))  # one item per activity
    assert set(names) == expected_from_catalog(world)
    by = {it.activity: it for it in new.items}
    # Kvarstår and postponed, with its history
    math = by[MATH]
    assert math.status == "Kvarstår" and math.deadline == "Förskjuts till 2023*" and math.carried_from == 2022
    row = row_of(world, MATH)[0]
    assert row.id in math.history_ids
    assert math.history_ids == [v.id for v in world.svc.history().history(row.id)]
    assert "Kvarstår från 2022" in math.notes and "coronapandemin" in math.notes and "2021" in math.notes
    # finished ones do not come across, and are listed as left behind
    assert TIMECARE not in by
    assert any(x.activity == TIMECARE and x.status == "Genomfört" for x in res.skipped)
    # Pausad and postponed to autumn 2023
    paused = [it for it in new.items if it.activity.startswith("Upphandla och implementera ett nytt verksamhetssystem för ansökan")]
    assert len(paused) == 1 and paused[0].status == "Pausad" and "2023*" in paused[0].deadline
    # listed under three goals in the source: once, with every goal in the notes and every row in its history
    lejon = [it for it in new.items if it.activity.startswith(LEJON)]
    assert len(lejon) == 1
    rows = row_of(world, LEJON)
    assert len(rows) == 3 and len({r.goal for r in rows}) == 3
    assert {r.id for r in rows} <= set(lejon[0].history_ids)
    assert all(r.goal in lejon[0].notes for r in rows)
    carried = next(c for c in res.carried if c.activity.startswith(LEJON))
    assert len(carried.goals) == 3 and sorted(carried.sources) == sorted(r.id for r in rows)
    assert res.merged >= 2
    # under two goals, Kvarstår under one and Genomfört under the other: comes, unfinished
    aktiv = [it for it in new.items if it.activity.startswith(AKTIV)]
    assert len(aktiv) == 1 and aktiv[0].status == "Kvarstår" and "Genomfört" in aktiv[0].notes
    # heading rows of strategic assignments (no status) are not activities
    assert not [it for it in new.items if it.activity.startswith("Samtliga nämnder ska")]
    assert any(x.activity.startswith("Samtliga nämnder ska") and "heading" in x.reason for x in res.skipped)
    # the draft of a seeded activity cites the document
    out = world.ws.draft_item(new.id, math.id, ["uppfoljning"], world.admin)
    assert {c.passage_id for s in out for c in s.citations} & set(math.history_ids)
    # once per (document, unit, year)
    with pytest.raises(Conflict):
        seed_from_document(world.ws, DOC, 2023, "Linköpings förvaltning", world.admin)


def test_seed_refusals(world):
    with pytest.raises(NotFound) as exc:
        seed_from_document(world.ws, "2031-finns-inte.txt", None, "X", world.admin)
    assert DOC in exc.value.message  # says which documents there are
    with pytest.raises(InvalidInput):  # the årshjul has no activity rows
        seed_from_document(world.ws, "2015-plan-mal-och-resultatuppfoljning.txt", 2016, "X", world.admin)
    with pytest.raises(InvalidInput):
        seed_from_document(world.ws, DOC, 2022, "X", world.admin)
    with pytest.raises(Forbidden):  # a rektor seeds reports for their own unit only
        seed_from_document(world.ws, DOC, None, "Byskolan", world.rektor)
    res = seed_from_document(world.ws, str(Path(world.settings.corpus_dir) / DOC), None, None, world.rektor)
    assert res.report.unit == "Åbyskolan"  # default: the user's unit; an absolute path in the corpus works


# ---- API and CLI ------------------------------------------------------------------------------------
def test_carry_and_seed_over_http(world):
    rep, _ = last_year(world)
    app = create_app(world.settings, services=world.svc)
    with running_server(app) as base:
        h = lambda name: {"Authorization": f"Bearer {world.tokens[name]}"}  # noqa: E731
        with httpx.Client(base_url=base, timeout=60) as c:
            r = c.post(f"/api/reports/{rep.id}/carry-forward", json={"year": 2024}, headers=h("rektor2"))
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
            assert c.post(f"/api/reports/{rep.id}/carry-forward", json={}).status_code == 401
            r = c.post(f"/api/reports/{rep.id}/carry-forward", json={"year": 2023}, headers=h("rektor"))
            assert r.status_code == 422
            r = c.post(f"/api/reports/{rep.id}/carry-forward", json={"year": 2024, "title": "VP-uppföljning 2024"},
                       headers=h("rektor"))
            assert r.status_code == 201, r.text
            body = r.json()
            assert body["report"]["title"] == "VP-uppföljning 2024" and len(body["carried"]) == 6
            assert {x["status"] for x in body["skipped"]} == {"Klart", "Genomfört", "Avslutad"}
            r = c.post(f"/api/reports/{rep.id}/carry-forward", json={"year": 2024}, headers=h("rektor"))
            assert r.status_code == 409 and r.json()["error"]["detail"] == {"report_id": body["report"]["id"]}
            r = c.post("/api/reports/from-document", json={"path": DOC, "unit": "Åbyskolan"}, headers=h("rektor"))
            assert r.status_code == 201, r.text
            seeded = r.json()
            assert seeded["report"]["year"] == 2023
            assert MATH in [it["activity"] for it in seeded["report"]["items"]]
            assert TIMECARE not in [it["activity"] for it in seeded["report"]["items"]]
            got = c.get(f"/api/reports/{seeded['report']['id']}", headers=h("granskare")).json()
            assert len(got["items"]) == len(seeded["carried"])
            r = c.post("/api/reports/from-document", json={"path": "nope.txt", "unit": "Åbyskolan"}, headers=h("rektor"))
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_cli_carry_forward_and_from_document(world, monkeypatch):
    from kvalitet.cli import app

    for k, v in {"INDEX_DIR": world.settings.index_dir, "CORPUS_DIR": world.settings.corpus_dir, "EMBEDDER": "hash"}.items():
        monkeypatch.setenv(f"KVALITET_{k}", str(v))
    rep, _ = last_year(world)
    runner = CliRunner()
    r = runner.invoke(app, ["reports", "carry-forward", str(rep.id), "--year", "2024", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["report"]["year"] == 2024 and len(out["carried"]) == 6
    r = runner.invoke(app, ["reports", "carry-forward", str(rep.id), "--year", "2024"])
    assert r.exit_code == Conflict.exit_code and "redan" in r.output
    r = runner.invoke(app, ["reports", "from-document", f"corpus/{DOC}", "--unit", "Linköping"])
    assert r.exit_code == 0, r.output
    assert "förda vidare" in r.stdout and MATH[:60] in r.stdout
    r = runner.invoke(app, ["reports", "from-document", "saknas.txt", "--unit", "Linköping"])
    assert r.exit_code == NotFound.exit_code
