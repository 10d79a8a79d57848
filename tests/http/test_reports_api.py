"""The reports API over real HTTP (uvicorn on 127.0.0.1, httpx): authentication and roles,
optimistic locking of concurrent edits, exports; and the end-to-end flow through the real
Drafter on the sample corpus (test_end_to_end_with_the_drafter)."""

from __future__ import annotations

import io
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest
from docx import Document

from kvalitet.app import create_app
from tests.helpers.server import running_server
from tests.helpers.workspace import World, make_settings, pid, suggestion

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def world(tmp_path):
    w = World(make_settings(tmp_path))
    yield w
    w.close()


@pytest.fixture
def api(world):
    """(base_url, clients by role) with the world's services behind a real server."""
    app = create_app(world.settings, services=world.svc)
    with running_server(app) as base:
        clients = {
            name: httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tok}"}, timeout=60)
            for name, tok in world.tokens.items()
        }
        clients["anon"] = httpx.Client(base_url=base, timeout=60)
        try:
            yield base, clients
        finally:
            for c in clients.values():
                c.close()


def seeded(world):
    """A report of Åbyskolan with one item and three pending suggestions."""
    rep = world.report(kind="aktivitetsuppfoljning", title="Fjolårets aktiviteter 2024")
    it = world.ws.add_item(rep.id, {"activity": "Minska frånvaron"}, world.rektor)
    sgs = world.ws.add_suggestions(rep.id, it.id, [
        suggestion("uppfoljning", f"Uppföljningstext [{pid(1)}].", [1]),
        suggestion("analys", "Analystext."),
        suggestion("risker", "Risktext."),
    ], world.rektor)
    return rep, it, sgs


# ---- authentication and roles --------------------------------------------------------------
def test_no_or_bad_token_is_401_with_www_authenticate(world, api):
    base, c = api
    rep, it, sgs = seeded(world)
    for method, path in [("GET", "/api/me"), ("GET", "/api/reports"), ("GET", f"/api/reports/{rep.id}"),
                         ("POST", f"/api/suggestions/{sgs[0].id}/accept"), ("GET", f"/api/reports/{rep.id}/export")]:
        r = c["anon"].request(method, path)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["error"]["code"] == "unauthorized"
    for header in ("Bearer kv_000000000000_" + "x" * 43, "Basic dXNlcjpwYXNz", "Bearer", world.tokens["rektor"]):
        r = httpx.get(f"{base}/api/me", headers={"Authorization": header})
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer"), header
    me = c["rektor"].get("/api/me").json()
    assert me == {"id": me["id"], "name": "rektor", "role": "rektor", "unit": "Åbyskolan", "active": True}


def test_rektor_of_another_unit_gets_403_on_read_and_write(world, api):
    _, c = api
    rep, it, sgs = seeded(world)
    other = c["rektor2"]
    calls = [
        other.get(f"/api/reports/{rep.id}"),
        other.get(f"/api/reports/{rep.id}/audit"),
        other.get(f"/api/reports/{rep.id}/export", params={"format": "md"}),
        other.post(f"/api/reports/{rep.id}/items", json={"activity": "Intrång"}),
        other.post(f"/api/reports/{rep.id}/items/{it.id}/draft", json={"sections": ["analys"]}),
        other.post("/api/reports", json={"title": "T", "kind": "kvalitetsrapport", "year": 2024, "unit": "Åbyskolan"}),
        other.post(f"/api/suggestions/{sgs[0].id}/accept", json={"version": 1}),
        other.patch(f"/api/suggestions/{sgs[0].id}", json={"text": "x", "version": 1}),
    ]
    assert [r.status_code for r in calls] == [403] * len(calls), [r.text for r in calls]
    assert all(r.json()["error"]["code"] == "forbidden" for r in calls)
    assert other.get("/api/reports").json() == {"reports": []}
    # nothing changed
    assert c["rektor"].get(f"/api/reports/{rep.id}").json()["items"][0]["activity"] == "Minska frånvaron"
    assert len(c["rektor"].get(f"/api/reports/{rep.id}").json()["items"]) == 1


def test_roles_over_http(world, api):
    _, c = api
    rep, it, sgs = seeded(world)
    # rektor: own unit, write but not review
    assert c["rektor"].post(f"/api/reports/{rep.id}/items", json={"activity": "Ny"}).status_code == 201
    assert c["rektor"].post(f"/api/suggestions/{sgs[0].id}/accept", json={"version": 1}).status_code == 403
    # kvalitetsutvecklare: reads all, writes nothing
    assert c["kvalitet"].get(f"/api/reports/{rep.id}").status_code == 200
    assert c["kvalitet"].get(f"/api/reports/{rep.id}/audit").status_code == 200
    assert c["kvalitet"].post(f"/api/reports/{rep.id}/items", json={"activity": "x"}).status_code == 403
    assert c["kvalitet"].post(f"/api/suggestions/{sgs[0].id}/reject", json={"version": 1}).status_code == 403
    # granskare: reviews in any unit; without the version read it is a 422 (no last-writer-wins)
    for action in ("accept", "reject"):
        r = c["granskare"].post(f"/api/suggestions/{sgs[0].id}/{action}")
        assert r.status_code == 422 and "version" in r.json()["error"]["message"], r.text
    assert c["granskare"].post(f"/api/suggestions/{sgs[0].id}/accept", json={"version": 9}).status_code == 409
    r = c["granskare"].post(f"/api/suggestions/{sgs[0].id}/accept", headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["state"] == "accepted" and r.headers["etag"] == '"2"'
    assert c["granskare"].post(f"/api/reports/{rep.id}/items", json={"activity": "x"}).status_code == 403
    # users: admin only
    assert c["rektor"].get("/api/users").status_code == 403
    r = c["admin"].post("/api/users", json={"name": "ny granskare", "role": "granskare"})
    assert r.status_code == 201 and r.json()["token"].startswith("kv_")
    new = httpx.Client(base_url=str(c["admin"].base_url), headers={"Authorization": "Bearer " + r.json()["token"]})
    with new:
        assert new.get("/api/me").json()["role"] == "granskare"
    assert "ny granskare" in [u["name"] for u in c["admin"].get("/api/users").json()["users"]]
    assert all("token" not in u for u in c["admin"].get("/api/users").json()["users"])


def test_validation_and_not_found(world, api):
    _, c = api
    rep, it, sgs = seeded(world)
    r = c["rektor"].post("/api/reports", json={"title": "T", "kind": "roman", "year": 2024})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    # the Swedish half says what to fix too, not only "Ogiltig begäran"
    sv = r.json()["error"]["message_sv"]
    assert sv.startswith("Ogiltig begäran: fältet kind ska vara ett av: 'verksamhetsplan_uppfoljning'"), sv
    assert "body.kind" in r.json()["error"]["message_en"]
    r = c["rektor"].post("/api/reports", content=b'{"title": "T", "kind": ',
                         headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["message_sv"].startswith("Ogiltig begäran: JSON-texten går inte att läsa (fel vid tecken")
    r = c["kvalitet"].get("/api/search", params={"q": "frånvaro", "year": "tjugo"})
    assert r.status_code == 422 and r.json()["error"]["message_sv"] == "Ogiltig begäran: parametern year ska vara ett heltal"
    assert c["rektor"].get("/api/reports/99999").status_code == 404
    assert c["granskare"].post("/api/suggestions/99999/accept", json={"version": 1}).status_code == 404
    r = c["granskare"].patch(f"/api/suggestions/{sgs[1].id}", json={"text": "utan version"})
    assert r.status_code == 422
    r = c["granskare"].patch(f"/api/suggestions/{sgs[1].id}", json={"text": "x", "version": 1},
                             headers={"If-Match": '"2"'})
    assert r.status_code == 422  # body and header disagree
    r = c["rektor"].post(f"/api/reports/{rep.id}/items/{it.id}/draft", json={"sections": ["slutsats"]})
    assert r.status_code == 422
    r = c["rektor"].get(f"/api/reports/{rep.id}/export", params={"format": "pdf"})
    assert r.status_code == 422


# ---- optimistic locking ------------------------------------------------------------------
def test_concurrent_patches_one_wins_the_other_conflicts(world, api):
    base, c = api
    rep, it, sgs = seeded(world)
    sid = sgs[1].id
    etag = c["granskare"].get(f"/api/suggestions/{sid}").headers["etag"]
    assert etag == '"1"'
    barrier = threading.Barrier(2)
    results: dict[str, httpx.Response] = {}

    def patch(who: str) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {world.tokens[who]}"}, timeout=60) as cl:
            barrier.wait()
            results[who] = cl.patch(f"/api/suggestions/{sid}", json={"text": f"Text av {who}."},
                                    headers={"If-Match": etag})

    threads = [threading.Thread(target=patch, args=(w,)) for w in ("granskare", "admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], {k: (v.status_code, v.text) for k, v in results.items()}
    winner = next(k for k, v in results.items() if v.status_code == 200)
    loser = next(v for v in results.values() if v.status_code == 409)
    assert loser.json()["error"]["code"] == "conflict"
    now = c["kvalitet"].get(f"/api/suggestions/{sid}")
    assert now.json()["text"] == f"Text av {winner}." and now.json()["version"] == 2 and now.headers["etag"] == '"2"'
    assert now.json()["original_text"] == "Analystext."
    # the loser re-reads and edits on top of the winner: nothing is lost
    r = c["granskare"].patch(f"/api/suggestions/{sid}", json={"text": "Sammanslagen text.", "version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3
    edits = [e for e in c["kvalitet"].get(f"/api/reports/{rep.id}/audit").json()["entries"]
             if e["action"] == "suggestion.edit"]
    assert [e["after"]["text"] for e in edits] == [f"Text av {winner}.", "Sammanslagen text."]
    assert edits[1]["before"]["text"] == f"Text av {winner}."


# ---- exports ------------------------------------------------------------------------------
def test_export_content_types_and_filenames(world, api):
    _, c = api
    rep, it, sgs = seeded(world)
    c["granskare"].post(f"/api/suggestions/{sgs[0].id}/accept", json={"version": sgs[0].version})
    for fmt, ctype in (("md", "text/markdown; charset=utf-8"), ("html", "text/html; charset=utf-8"), ("docx", DOCX)):
        r = c["rektor"].get(f"/api/reports/{rep.id}/export", params={"format": fmt})
        assert r.status_code == 200
        assert r.headers["content-type"] == ctype
        assert r.headers["content-disposition"].startswith(
            f'attachment; filename="2024-fjolarets-aktiviteter-2024.{fmt}"')
        if fmt == "docx":
            doc = Document(io.BytesIO(r.content))
            assert any("Uppföljningstext [1]." == p.text for p in doc.paragraphs)
        elif fmt == "md":
            assert "Uppföljningstext [1]." in r.text and "Analystext" not in r.text
        else:
            assert 'Uppföljningstext <a class="ref" href="#kalla-1">[1]</a>.' in r.text
            assert "Analystext" not in r.text


# ---- end to end through the real drafter ---------------------------------------------------
@pytest.fixture(scope="module")
def drafting_settings(corpus_services, tmp_path_factory):
    """A private index of the sample corpus for this module: the session's e5 vectors are
    copied from its cache (sqlite backup), so re-ingesting embeds nothing; the workspace
    writes into this copy's database, never into the shared read-only one."""
    from kvalitet.settings import Settings

    root = tmp_path_factory.mktemp("e2e")
    corpus = root / "corpus"
    corpus.mkdir()
    src_corpus = Path(corpus_services.settings.corpus_dir)
    for p in src_corpus.glob("*.txt"):
        (corpus / p.name).write_bytes(p.read_bytes())
    index = root / "index"
    index.mkdir()
    src = sqlite3.connect(str(Path(corpus_services.settings.index_dir) / "embcache.sqlite"))
    dst = sqlite3.connect(str(index / "embcache.sqlite"))
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return Settings(index_dir=index, corpus_dir=corpus, embedder="e5")


@pytest.mark.slow
def test_end_to_end_with_the_drafter(drafting_settings, corpus_services):
    from kvalitet.container import Services

    svc = Services(drafting_settings, embedder=corpus_services.index.embedder)
    try:
        ingest = svc.ingest()
        assert not ingest.skipped and ingest.embedded == 0  # all vectors came from the cache
        tokens = {
            "rektor": svc.workspace.add_user("Rita Rektor", "rektor", "Åbyskolan").token,
            "granskare": svc.workspace.add_user("Göran Granskare", "granskare").token,
            "kvalitet": svc.workspace.add_user("Kim Kvalitet", "kvalitetsutvecklare").token,
        }
        app = create_app(drafting_settings, services=svc)
        with running_server(app) as base:
            def client(who):
                return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[who]}"}, timeout=300)

            with client("rektor") as rektor, client("granskare") as granskare, client("kvalitet") as kvalitet:
                r = rektor.post("/api/reports", json={
                    "title": "Uppföljning av fjolårets aktiviteter 2024", "kind": "aktivitetsuppfoljning", "year": 2024})
                assert r.status_code == 201, r.text
                rid = r.json()["id"]
                items = []
                for body in (
                    {"activity": "Processhandledning för arbetet med att anmäla och motverka kränkande behandling",
                     "status": "Pågående", "notes": "Nytt IT-system infört, fler anmälningar."},
                    {"activity": "Stödja skolledare i etablering av plattform för ledning och styrning",
                     "status": "Genomfört"},
                ):
                    r = rektor.post(f"/api/reports/{rid}/items", json=body)
                    assert r.status_code == 201, r.text
                    items.append(r.json()["id"])
                drafted = []
                for iid in items:
                    r = rektor.post(f"/api/reports/{rid}/items/{iid}/draft", json={"sections": ["uppfoljning", "analys"]})
                    assert r.status_code == 201, r.text
                    sgs = r.json()["suggestions"]
                    assert sgs and all(s["state"] == "pending" for s in sgs)
                    assert {s["kind"] for s in sgs} <= {"uppfoljning", "analys"}
                    drafted.extend(sgs)
                assert any(s["citations"] for s in drafted)  # grounded in the corpus
                cited = next(s for s in drafted if s["citations"])
                others = [s for s in drafted if s["id"] != cited["id"]]
                to_edit, to_reject = others[0], others[1]

                r = granskare.post(f"/api/suggestions/{cited['id']}/accept", json={"version": cited["version"]})
                assert r.status_code == 200 and r.json()["state"] == "accepted"
                edited_text = "Redigerad av granskaren: arbetet fortsätter under året."
                r = granskare.patch(f"/api/suggestions/{to_edit['id']}", json={"text": edited_text},
                                    headers={"If-Match": f'"{to_edit["version"]}"'})
                assert r.status_code == 200 and r.json()["state"] == "edited", r.text
                assert r.json()["original_text"] == to_edit["text"]
                r = granskare.post(f"/api/suggestions/{to_reject['id']}/reject", json={"version": to_reject["version"]})
                assert r.status_code == 200 and r.json()["state"] == "rejected"

                report = kvalitet.get(f"/api/reports/{rid}").json()
                assert report["progress"]["suggestions"]["accepted"] == 1
                assert report["progress"]["suggestions"]["edited"] == 1
                assert report["progress"]["suggestions"]["rejected"] == 1

                r = rektor.get(f"/api/reports/{rid}/export", params={"format": "docx"})
                assert r.status_code == 200 and r.headers["content-type"] == DOCX
                doc = Document(io.BytesIO(r.content))
                text = "\n".join(p.text for p in doc.paragraphs)
                accepted_first = cited["text"].split("[p_")[0].strip()[:60]
                assert accepted_first and accepted_first in text
                assert edited_text in text
                assert to_reject["text"].split("[p_")[0].strip()[:60] not in text
                assert "Källor" in text and "[1]" in text and "p_" not in text
                headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
                assert "1. Uppdrag/Aktivitet" in headings and "2. Uppdrag/Aktivitet" in headings

                audit = kvalitet.get(f"/api/reports/{rid}/audit").json()["entries"]
                actions = [e["action"] for e in audit]
                assert actions[:3] == ["report.create", "item.create", "item.create"]
                assert actions.count("item.draft") == 2
                assert actions.count("suggestion.create") == len(drafted)
                for act, sid in (("suggestion.accept", cited["id"]), ("suggestion.edit", to_edit["id"]),
                                 ("suggestion.reject", to_reject["id"])):
                    entry = next(e for e in audit if e["action"] == act)
                    assert entry["object_id"] == str(sid) and entry["actor"] == "Göran Granskare"
                assert actions[-1] == "report.export"
                assert [e["id"] for e in audit] == sorted(e["id"] for e in audit)
    finally:
        svc.close()
