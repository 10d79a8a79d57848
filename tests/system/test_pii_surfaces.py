"""Masking holds on every surface that shows text (issue 21): API (search hits, every field,
activities, drafts, documents, chat), web pages, the command line (search, activities, draft,
ingest summary) and exports, all through kvalitet.pii.shown; and the document view and the
ingest summary say how many personal-data findings a document has."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from types import SimpleNamespace

import httpx
import pytest
from pydantic import BaseModel

from kvalitet.app import create_app
from kvalitet.container import Services
from kvalitet.domain.types import Hit, Passage
from kvalitet.pii import shown
from kvalitet.settings import Settings
from tests.helpers.paths import REPO
from tests.helpers.server import running_server


# A follow-up whose activity title, text and comment name people (and one personnummer).
NAMED_DOC = """Uppföljning av planerade aktiviteter

1. Uppdrag/Aktivitet

Läxhjälp tillsammans med Karin Lindberg och Ola Svensson

Uppföljning

Specialpedagog Karin Lindberg och rektor Ola Svensson har följt upp läxhjälpen. Eleven
Hodan Ali (850412-1230) deltar varje vecka. Frågor till ola.svensson@example.se.

Analys

Läxhjälpen har gett fler godkända betyg enligt Karin Lindbergs sammanställning.
"""
NAMES = ("Karin", "Lindberg", "Svensson", "Hodan", "850412-1230", "ola.svensson@example.se")


def assert_masked(text: str) -> None:
    for part in NAMES:
        assert part not in text, (part, text[:2000])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("pii-surfaces")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(REPO / "corpus" / "2019-uppfoljning-fjolarets-aktiviteter.txt", corpus)
    (corpus / "2021-uppfoljning-laxhjalp.txt").write_text(NAMED_DOC, encoding="utf-8")
    plan = (REPO / "corpus" / "2019-uppfoljning-verksamhetsplan.txt").read_text(encoding="utf-8")
    (corpus / "2019-uppfoljning-verksamhetsplan.txt").write_text(  # an activity row that names a person
        plan.replace("Utveckla samarbete med universitet/högskola", "Utveckla samarbete med Karin Lindberg på universitetet"),
        encoding="utf-8")
    plain = Settings(index_dir=root / "index", corpus_dir=corpus, embedder="hash")
    svc = Services(plain)
    report = svc.ingest()
    assert not report.skipped
    token = svc.workspace.add_user("Test admin", "admin").token
    svc.close()
    settings = plain.model_copy(update={"mask_personal_data": True})
    masked = Services(settings)
    with running_server(create_app(settings, services=masked)) as base:
        yield SimpleNamespace(base=base, svc=masked, settings=settings, token=token, root=root, corpus=corpus,
                              report=report, headers={"Authorization": f"Bearer {token}"})
    masked.close()


def named_passage(world) -> Passage:
    return next(p for p in world.svc.db.all_passages()
                if p.doc_path == "2021-uppfoljning-laxhjalp.txt" and "Karin Lindberg" in p.text and p.activity)


# --- the one function ----------------------------------------------------------------------


def test_shown_masks_every_text_field_and_keeps_ids_paths_and_kinds():
    p = Passage(id="p_1", text="Rektor Martin Eriksson ansvarar.", doc_path="a/b.txt", doc_kind="x",
                section_kind="analys", activity="Möte med Karin Lindberg", comment="Enligt Lena Holm klart",
                status="Pågående")
    h = Hit(passage=p, score=1.0, snippet="Rektor <mark>Martin</mark> Eriksson")
    out = shown(h, True)
    assert isinstance(out, Hit) and out.passage.id == "p_1" and out.passage.doc_path == "a/b.txt"
    assert out.passage.text == "Rektor [namn] ansvarar."
    assert out.passage.activity == "Möte med [namn]" and out.passage.comment == "Enligt [namn] klart"
    assert out.snippet == "Rektor <mark>[namn]</mark>" and out.passage.status == "Pågående"
    assert shown(h, False) is h  # off: nothing changes, nothing is copied

    class Later(BaseModel):  # a field added later is masked without being listed anywhere
        understood: str
        id: str

    assert shown([{"x": Later(understood="frågan gällde Karin Lindberg", id="Karin")}], True) == [
        {"x": Later(understood="frågan gällde [namn]", id="Karin")}
    ]
    assert shown(("Hodan Ali", 3), True) == ("[namn]", 3)


# --- API -----------------------------------------------------------------------------------


def test_api_search_masks_every_field_of_every_hit(world):
    r = httpx.get(f"{world.base}/api/search", params={"q": "läxhjälp Karin Lindberg", "k": 5}, headers=world.headers)
    assert r.status_code == 200
    hits = r.json()["hits"]
    named = [h for h in hits if h["activity"] and "[namn]" in h["activity"]]
    assert named, hits  # the activity field is masked, not only text and snippet
    assert_masked(json.dumps(hits, ensure_ascii=False))
    assert any("[personnummer]" in h["text"] for h in hits)


def test_api_activities_and_history_are_masked(world):
    r = httpx.get(f"{world.base}/api/activities", headers=world.headers)
    assert r.status_code == 200
    acts = r.json()["activities"]
    assert any("[namn]" in a["activity"] for a in acts)
    assert_masked(json.dumps(acts, ensure_ascii=False))
    pid = named_passage(world).id
    h = httpx.get(f"{world.base}/api/activities/{pid}/history", headers=world.headers)
    assert h.status_code == 200 and h.json()["history"]
    assert_masked(h.text)


def test_api_drafts_json_and_stream_are_masked(world):
    body = {"activity": "Läxhjälp tillsammans med Karin Lindberg", "sections": ["uppfoljning", "analys"]}
    r = httpx.post(f"{world.base}/api/drafts", json=body, headers=world.headers, timeout=60)
    assert r.status_code == 200
    d = r.json()
    assert "[namn]" in d["activity"]
    assert any(s["suggestions"] for s in d["sections"])
    assert_masked(r.text)
    s = httpx.post(f"{world.base}/api/drafts", json={**body, "stream": True}, headers=world.headers, timeout=60)
    assert s.status_code == 200 and "event:" in s.text
    assert_masked(s.text)


def test_api_document_view_and_list_count_personal_data_and_mask_lines(world):
    p = named_passage(world)
    docs = httpx.get(f"{world.base}/api/documents", headers=world.headers).json()["documents"]
    counts = {d["path"]: d["pii_findings"] for d in docs}
    # Karin Lindberg ×2, Ola Svensson ×2 (title and text), Hodan Ali, the personnummer, the
    # e-mail address, the genitive "Karin Lindbergs": each a finding
    assert counts[p.doc_path] >= 8
    assert counts["2019-uppfoljning-fjolarets-aktiviteter.txt"] >= 4
    view = httpx.get(f"{world.base}/api/documents/{p.doc_path}/passages", params={"passage": p.id},
                     headers=world.headers).json()
    assert view["pii_findings"] == counts[p.doc_path]
    text = "\n".join(ln["text"] for ln in view["lines"])
    assert "[namn]" in text
    assert_masked(text)


def test_ingest_summary_counts_personal_data_per_document(world):
    counts = world.report.pii_findings
    assert counts["2021-uppfoljning-laxhjalp.txt"] >= 8
    assert counts["2019-uppfoljning-fjolarets-aktiviteter.txt"] >= 4


def test_api_upload_says_how_many_findings(world):
    doc = NAMED_DOC.replace("Läxhjälp", "Läsfrämjande").replace("850412-1230", "850472-1237")
    r = httpx.post(f"{world.base}/api/documents", files={"file": ("2022-uppfoljning-lasframjande.txt", doc.encode())},
                   headers=world.headers, timeout=120)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["pii_findings"] >= 8 and "namn" in out["pii"] and "samordningsnummer" in out["pii"]


def test_chat_events_and_stored_conversation_are_masked(world):
    r = httpx.post(f"{world.base}/api/chat", json={"message": "Vad har gjorts med läxhjälpen av Karin Lindberg?"},
                   headers={**world.headers, "Accept": "text/event-stream"}, timeout=120)
    assert r.status_code == 200
    assert "event: hits" in r.text or "event: done" in r.text
    events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]
    hits = [p for e in events if e["event"] == "hits" for p in e["passages"]]
    assert hits and any(h["activity"] and "[namn]" in h["activity"] for h in hits)
    # the user's own message is echoed as written only in the stored history of their own turn
    assert_masked(json.dumps([e for e in events if e["event"] != "meta"], ensure_ascii=False))
    conv = next(e["conversation_id"] for e in events if e.get("conversation_id"))
    view = httpx.get(f"{world.base}/api/chat/{conv}", headers=world.headers)
    assert view.status_code == 200
    assert_masked(view.text)


# --- web -----------------------------------------------------------------------------------


def web_client(world) -> httpx.Client:
    c = httpx.Client(base_url=world.base, timeout=60, follow_redirects=False)
    form = c.get("/logga-in")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', form.text).group(1)
    r = c.post("/logga-in", data={"name": "Test admin", "token": world.token, "nasta": "/sok", "csrf_token": csrf})
    assert r.status_code == 303
    return c


def test_web_search_history_passage_and_documents_are_masked(world):
    p = named_passage(world)
    c = web_client(world)
    try:
        page = c.get("/sok", params={"q": "läxhjälp Karin Lindberg"})
        assert page.status_code == 200 and "[namn]" in page.text
        # The query box, and the links that undo a reading of the question, hold what was typed.
        typed = ("läxhjälp Karin Lindberg", "l%C3%A4xhj%C3%A4lp+Karin+Lindberg")
        assert_masked(functools.reduce(lambda t, q: t.replace(q, ""), typed, page.text))
        hist = c.get(f"/historik/{p.id}")
        assert hist.status_code == 200 and "[namn]" in hist.text
        assert_masked(hist.text)
        view = c.get("/dokument/visa", params={"path": p.doc_path, "passage": p.id})
        assert view.status_code == 200
        assert_masked(view.text)
        n = re.search(r'data-personuppgifter="(\d+)"', view.text)
        assert n and int(n.group(1)) >= 8 and "personuppgifter" in view.text
        docs = c.get("/dokument")
        assert docs.status_code == 200
        counts = [int(x) for x in re.findall(r'data-personuppgifter="(\d+)"', docs.text)]
        assert counts and max(counts) >= 8
    finally:
        c.close()


# --- exports -------------------------------------------------------------------------------


def test_report_export_is_masked(world):
    from kvalitet.workspace.auth import User
    from kvalitet.workspace.views import ItemIn

    ws = world.svc.workspace
    admin = ws.authenticate(world.token)
    report = ws.create_report("Uppföljning 2024", "aktivitetsuppfoljning", 2024, "Almåsskolan", admin)
    ws.add_item(report.id, ItemIn(activity="Samtal med Karin Lindberg", responsible="Ola Svensson"), admin)
    for fmt in ("md", "html"):
        out = ws.export(report.id, fmt, admin).content.decode("utf-8")
        assert re.search(r"\\?\[namn\\?\]", out), out[:500]  # Markdown writes "\\[namn\\]"
        assert_masked(out)
    assert isinstance(admin, User)


# --- command line --------------------------------------------------------------------------


CLI = "import sys; sys.argv[0] = 'kvalitet'; from kvalitet.cli import app; app()"


def cli(world, *args: str, mask: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KVALITET_INDEX_DIR": str(world.root / "index"),
           "KVALITET_CORPUS_DIR": str(world.corpus), "KVALITET_EMBEDDER": "hash",
           "KVALITET_MASK_PERSONAL_DATA": "true" if mask else "false"}
    return subprocess.run([sys.executable, "-c", CLI, *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=world.root)


def test_cli_search_prints_masked_text_with_the_setting(world):
    plain = cli(world, "search", "läxhjälp Karin Lindberg", mask=False)
    assert plain.returncode == 0, plain.stderr
    assert "Karin Lindberg" in plain.stdout  # precondition: without the setting names show
    out = cli(world, "search", "läxhjälp Karin Lindberg")
    assert out.returncode == 0, out.stderr
    assert "[namn]" in out.stdout
    assert_masked(out.stdout)
    js = cli(world, "search", "läxhjälp Karin Lindberg", "--json")
    hits = json.loads(js.stdout)["hits"]
    assert any(h["activity"] and "[namn]" in h["activity"] for h in hits)
    assert_masked(js.stdout)


def test_cli_activities_and_draft_are_masked(world):
    acts = cli(world, "activities")
    assert acts.returncode == 0, acts.stderr
    assert "[namn]" in acts.stdout
    assert_masked(acts.stdout)
    draft = cli(world, "draft", "--activity", "Läxhjälp tillsammans med Karin Lindberg", "--sections", "uppfoljning",
                "--json")
    assert draft.returncode == 0, draft.stderr
    assert_masked(draft.stdout)
    assert "[namn]" in draft.stdout


def test_cli_ingest_summary_says_how_many_findings(world, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "2021-uppfoljning-laxhjalp.txt").write_text(NAMED_DOC, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "KVALITET_INDEX_DIR": str(tmp_path / "i"),
           "KVALITET_CORPUS_DIR": str(corpus), "KVALITET_EMBEDDER": "hash"}
    out = subprocess.run([sys.executable, "-c", CLI, "ingest"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    m = re.search(r"2021-uppfoljning-laxhjalp\.txt: \S+ · (\d+) personuppgifter", out.stdout)
    assert m and int(m.group(1)) >= 8, out.stdout


def test_a_stored_suggestion_is_masked_in_every_field(world):
    """What the web report page shows of a suggestion (text, quotes, the names the check could
    not find in the sources) is masked when the drafter makes it."""
    from kvalitet.drafting.extractive import Proposal
    from kvalitet.domain.types import Citation, DraftRequest

    p = named_passage(world)
    proposal = Proposal(text=f"Enligt Karin Lindberg och Sven Gustafsson fungerar läxhjälpen [{p.id}].",
                        citations=[Citation(passage_id=p.id, quote=p.text[:120], source=p.source)])
    sg = world.svc.drafter.suggestion("uppfoljning", proposal, "llm", DraftRequest(activity="Läxhjälp"))
    assert "Sven Gustafsson" not in " ".join(sg.grounding.unsupported) and sg.grounding.unsupported
    assert not sg.grounding.supported  # the check ran on the real text: a name not in the sources
    assert_masked(sg.model_dump_json())
    assert "Gustafsson" not in sg.model_dump_json()


def test_the_rollup_is_masked_as_its_surfaces_show_it_and_keeps_unit_names():
    """API /api/rollup, its export, the web page and `kvalitet rollup show` pass the roll-up
    through shown: quotes and summaries masked, unit names (the keys of its matrix) kept."""
    from kvalitet.rollup.engine import UnitDocument, roll_up
    from kvalitet.rollup.model import UnitInfo

    def p(i, unit, text):
        return Passage(id=f"p_{i:016x}", text=text, doc_path=f"{unit}.md", doc_kind="kvalitetsrapport",
                       year=2023, section_kind="text", title="Utvecklingsområden", line_start=i, line_end=i)

    units = [UnitInfo(name=n, kind="grundskola") for n in ("Lena Holms skola", "B-skolan", "C-skolan")]
    docs = [
        UnitDocument("Lena Holms skola", "a.md", [p(1, "a", "Läsförståelsen har förbättrats enligt Karin Lindberg.")]),
        UnitDocument("B-skolan", "b.md", [p(2, "b", "Vi arbetar med läsning i alla ämnen, säger Ola Svensson.")]),
    ]
    r = roll_up(units, docs, year=2023)
    raw = r.model_dump_json()
    assert "Karin Lindberg" in raw  # precondition: the roll-up quotes the sentences
    m = shown(r, True)
    out = m.model_dump_json()
    assert_masked(out)
    assert "[namn]" in out
    assert m.missing == r.missing == ["C-skolan"]
    assert [u.name for u in m.units] == [u.name for u in r.units]
    assert {ut.unit for t in m.themes for ut in t.units} == {ut.unit for t in r.themes for ut in t.units}


def test_cli_inspect_is_masked(world):
    path = world.corpus / "2021-uppfoljning-laxhjalp.txt"
    plain = cli(world, "inspect", str(path), "--json", mask=False)
    assert plain.returncode == 0, plain.stderr
    assert "Karin Lindberg" in plain.stdout  # precondition: the records hold the names
    for args in (("--json",), ()):
        out = cli(world, "inspect", str(path), *args)
        assert out.returncode == 0, out.stderr
        assert "[namn]" in out.stdout
        assert_masked(out.stdout)
    assert json.loads(cli(world, "inspect", str(path), "--json").stdout)["path"] == str(path)
