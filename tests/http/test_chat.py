"""The chat without an LLM, over real HTTP (uvicorn on loopback) with the real services: the
sample corpus indexed with the deterministic hash embedder, a real SQLite workspace.

Search questions are answered with cited passages, draft requests run the extractive drafter,
"lägg in" places the draft as pending with the caller's rights, a rewrite request is answered
with needs_llm, and a conversation can be read only by its owner (and admins)."""

from __future__ import annotations


import httpx
import pytest

from kvalitet.chat.simple import activity_in, intent, sections_in
from kvalitet.drafting.grounding import norm
from tests.helpers.chat import ACTIVITY, Client, counts, make_world, named, report_version



# ---- fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("chat"))
    assert not w.settings.llm_enabled
    yield w
    w.close()


@pytest.fixture
def as_(url, world):
    return lambda name: Client(url, world.tokens[name] if name else None)


# ---- the schema ---------------------------------------------------------------------------
def test_migration_0003_matches_the_chat_models(world):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from kvalitet.chat.store import CHAT_TABLES
    from tests.helpers.migrations import schema_diffs

    assert schema_diffs(world.svc.db, CHAT_TABLES) == []
    with pytest.raises(IntegrityError):  # the database itself refuses an unknown role
        with world.svc.db.engine.begin() as conn:
            conn.execute(text("INSERT INTO conversations (id, owner_id, title, created_at, updated_at) "
                              "VALUES ('c0ffee00c0ffee00c0ffee00c0ffee00', 1, 't', '2024-01-01', '2024-01-01')"))
            conn.execute(text("INSERT INTO messages (conversation_id, position, role, content, data, created_at) "
                              "VALUES ('c0ffee00c0ffee00c0ffee00c0ffee00', 1, 'system', 'x', '{}', '2024-01-01')"))


# ---- intents (pure functions) ---------------------------------------------------------------
@pytest.mark.parametrize("message,expected", [
    ("Vad gjorde vi mot frånvaro 2019?", "search"),
    ("Vet du mer om frånvaroarbetet?", "search"),
    ("Skriv ett utkast till analys för Minska frånvaron", "draft"),
    ("skriv analys för processhandledning", "draft"),
    ("Skriv om risker för processhandledning", "draft"),
    ("utkast risker och lägg in", "draft+place"),
    ("Lägg in den", "place"),
    ("Lägg in utkastet till analys som förslag.", "place"),  # the web panel's wording
    ("placera analysen", "place"),
    ("Gör den kortare", "rewrite"),
    ("skriv om texten", "rewrite"),
    ("Mer om risker, tack", "rewrite"),
    ("Skriv i vi-form", "rewrite"),
])
def test_intent(message, expected):
    assert intent(message) == expected


def test_activity_and_sections_named_in_a_request():
    assert activity_in("Skriv ett utkast till analys för Minska frånvaron i åk 7–9") == "Minska frånvaron i åk 7–9"
    assert activity_in("Skriv om risker för aktiviteten ”Processhandledning” och lägg in") == "Processhandledning"
    assert activity_in("utkast analys") is None
    assert sections_in("utkast till riskanalys och kostnader") == ["risker", "kostnader"]
    assert sections_in("utkast") == []


# ---- answers ------------------------------------------------------------------------------
def test_search_question_streams_a_cited_answer(as_, world):
    status, events, raw = as_("rektor").stream("Vad gjorde vi mot frånvaro?")
    assert status == 200, raw
    names = [n for n, _ in events]
    assert names[0] == "meta" and names[-1] == "done"
    assert "hits" in names and "token" in names and "error" not in names
    meta = events[0][1]
    assert meta["mode"] == "simple" and len(meta["conversation_id"]) == 32
    hits = named(events, "hits")[0]["passages"]
    assert hits and all(h["id"].startswith("p_") and h["source"]["path"].endswith(".txt") for h in hits)
    msg = named(events, "done")[0]["message"]
    assert msg["text"].startswith("Det här hittade jag i tidigare uppföljningar:")
    assert "".join(d["text"] for d in named(events, "token")) == msg["text"]
    assert msg["needs_llm"] is False and msg["placed"] == []
    assert len(msg["citations"]) >= 2
    for c in msg["citations"]:
        p = world.svc.retriever.passage(c["passage_id"])
        assert p is not None, c  # a real passage
        assert norm(c["quote"]) in norm(p.text)  # quoted verbatim
        assert f"[{c['passage_id']}]" in msg["text"]
        assert c["source"]["path"] == p.doc_path
    assert any("frånvaro" in c["quote"].lower() for c in msg["citations"])
    tool = named(events, "tool")[0]
    assert tool["name"] == "search" and tool["status"] == 200


def test_draft_request_runs_the_extractive_drafter(as_, world):
    before = counts(world)
    status, events, raw = as_("rektor").stream(f"Skriv ett utkast till analys för {ACTIVITY}")
    assert status == 200, raw
    drafts = named(events, "draft")
    assert drafts and {d["kind"] for d in drafts} == {"analys"}
    first = drafts[0]
    assert first["ref"].startswith("s_") and first["generator"] == "extractive"
    assert first["citations"] and first["grounding"]["supported"] is True
    for c in first["citations"]:
        assert world.svc.retriever.passage(c["passage_id"]) is not None
    tool = named(events, "tool")[0]
    assert tool["name"] == "draft_section" and tool["args"] == {"section": "analys", "activity": ACTIVITY}
    msg = named(events, "done")[0]["message"]
    assert first["text"] in msg["text"] and "utan språkmodell" in msg["text"]
    assert msg["drafts"][0]["ref"] == first["ref"] and msg["placed"] == []
    assert counts(world) == before  # a draft is not placed until asked


def test_rewrite_request_is_answered_with_needs_llm(as_):
    status, events, raw = as_("rektor").stream("Gör den kortare och skriv i vi-form")
    assert status == 200, raw
    names = [n for n, _ in events]
    assert names[0] == "meta" and names[-1] == "done" and "tool" not in names and "error" not in names
    msg = named(events, "done")[0]["message"]
    assert msg["needs_llm"] is True
    assert "KVALITET_LLM_BASE_URL" in msg["text"] and "språkmodell" in msg["text"]
    # the same as JSON: an answer (200), not an error
    r = as_("rektor").ask("skriv om texten")
    assert r.status_code == 200 and r.json()["reply"]["needs_llm"] is True


def test_draft_then_place_puts_a_pending_suggestion_in_the_open_item(as_, world):
    c = as_("rektor")
    ctx = {"report_id": world.report_a.id, "item_id": world.item_a.id}
    r1 = c.ask("utkast analys", **ctx)  # the open item's activity
    assert r1.status_code == 200, r1.text
    cid = r1.json()["conversation_id"]
    draft = r1.json()["reply"]["drafts"][0]
    assert draft["kind"] == "analys"
    r2 = c.ask("Lägg in utkastet till analys som förslag.", conversation_id=cid, **ctx)
    assert r2.status_code == 200, r2.text
    reply = r2.json()["reply"]
    assert [t["name"] for t in reply["tools"]] == ["place_suggestion"]  # the draft made, not a new one
    assert [p["state"] for p in reply["placed"]] == ["pending"]
    placed = reply["placed"][0]
    assert placed["draft_ref"] == draft["ref"] and placed["report_id"] == world.report_a.id
    view = world.ws.get_report(world.report_a.id, world.granskare)
    item = next(i for i in view.items if i.id == world.item_a.id)
    sec = next(s for s in item.sections if s.kind == "analys")
    stored = next(s for s in sec.suggestions if s.id == placed["id"])
    assert stored.state == "pending" and stored.text == draft["text"] and stored.created_by == "rektor"
    assert stored.grounding.supported is True and stored.grounding.model_dump() == placed["grounding"]
    assert [x.passage_id for x in stored.citations] == [x["passage_id"] for x in draft["citations"]]
    assert any(e.action == "item.add_suggestions" and e.actor == "rektor"
               for e in world.ws.audit(world.report_a.id, world.granskare))
    # without an open item nothing can be placed: said plainly, nothing changed
    before = counts(world)
    r3 = c.ask("lägg in", conversation_id=cid)
    assert r3.status_code == 200
    tools = r3.json()["reply"]["tools"]
    assert tools[0]["name"] == "place_suggestion" and tools[0]["status"] == 409
    assert counts(world) == before


def test_placing_without_the_right_is_403_and_changes_nothing(as_, world):
    before, version = counts(world), report_version(world, world.report_a.id)
    ctx = {"report_id": world.report_a.id, "item_id": world.item_a.id}
    # a granskare may read the report (the draft works) but not add suggestions to it
    status, events, raw = as_("granskare").stream("utkast analys och lägg in", **ctx)
    assert status == 200, raw
    tools = named(events, "tool")
    assert [(t["name"], t["status"]) for t in tools] == [("draft_section", 200), ("place_suggestion", 403)]
    assert tools[1]["error"]["code"] == "forbidden"
    assert named(events, "suggestion") == []
    assert "behörighet" in named(events, "done")[0]["message"]["text"]
    # a rektor of another unit may not even read it
    status, events, raw = as_("rektor2").stream("utkast analys och lägg in", **ctx)
    assert [(t["name"], t["status"]) for t in named(events, "tool")] == [("draft_section", 403)]
    assert counts(world) == before and report_version(world, world.report_a.id) == version


# ---- conversations ------------------------------------------------------------------------
def test_conversation_history_and_ownership(as_, world):
    owner = as_("rektor")
    r = owner.ask("Vilka risker lyftes i kvalitetsrapporten?")
    assert r.status_code == 200
    cid = r.json()["conversation_id"]
    assert owner.ask("Gör den kortare", conversation_id=cid).status_code == 200

    mine = owner.get(f"/api/chat/{cid}")
    assert mine.status_code == 200
    body = mine.json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user", "assistant"]
    assert body["messages"][0]["text"] == "Vilka risker lyftes i kvalitetsrapporten?"
    assert body["messages"][1]["citations"] and body["messages"][3]["needs_llm"] is True
    assert body["title"].startswith("Vilka risker")
    assert cid in [c["id"] for c in owner.get("/api/chat").json()["conversations"]]

    other = as_("rektor2")
    denied = other.get(f"/api/chat/{cid}")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    assert "Vilka risker" not in denied.text
    assert cid not in [c["id"] for c in other.get("/api/chat").json()["conversations"]]
    # nor can anyone else continue it: refused before anything is stored
    assert other.ask("Och frånvaron?", conversation_id=cid).status_code == 403
    assert as_("admin").ask("Och frånvaro?", conversation_id=cid).status_code == 403
    assert as_("admin").get(f"/api/chat/{cid}").status_code == 200  # admins may read it
    assert len(owner.get(f"/api/chat/{cid}").json()["messages"]) == 4
    assert other.get("/api/chat/" + "0" * 32).status_code == 404

    anon = as_(None)
    r = anon.get(f"/api/chat/{cid}")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert anon.ask("hej").status_code == 401


@pytest.mark.parametrize("body", [
    {"message": "   "},
    {"message": "x" * 4001},
    {"message": "hej", "item_id": 1},
    {"message": "hej", "conversation_id": "../../etc"},
    {"message": "hej", "role": "admin"},
])
def test_bad_requests_are_422(url, world, body):
    r = httpx.post(f"{url}/api/chat", json=body, headers={"Authorization": f"Bearer {world.tokens['rektor']}"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"


# ---- issue 16: the activity's name, placing twice, an approved section ------------------------
def test_answers_name_the_open_activity(as_, world):
    ctx = {"report_id": world.report_a.id, "item_id": world.item_a.id}
    r = as_("rektor").ask("utkast analys", **ctx)
    assert r.status_code == 200, r.text
    text = r.json()["reply"]["text"]
    assert f"»{ACTIVITY}«" in text and "för aktiviteten," not in text
    assert all(d["activity"] == ACTIVITY for d in r.json()["reply"]["drafts"])


def test_placing_the_same_text_twice_is_refused(as_, world):
    item = world.ws.add_item(world.report_a.id, {"activity": ACTIVITY, "notes": "Ny rutin."}, world.rektor)
    c = as_("rektor")
    ctx = {"report_id": world.report_a.id, "item_id": item.id}
    cid = c.ask("utkast uppföljning", **ctx).json()["conversation_id"]
    first = c.ask("lägg in", conversation_id=cid, **ctx).json()["reply"]
    assert [p["state"] for p in first["placed"]] == ["pending"]
    before = counts(world)
    again = c.ask("lägg in", conversation_id=cid, **ctx).json()["reply"]
    assert again["placed"] == []
    (tool,) = again["tools"]
    assert tool["name"] == "place_suggestion" and tool["status"] == 409
    assert "finns redan" in again["text"]
    assert counts(world) == before  # nothing stored, no audit row


def test_placing_never_reopens_an_approved_section(as_, world):
    item = world.ws.add_item(world.report_a.id, {"activity": ACTIVITY, "notes": "Ny rutin."}, world.rektor)
    c = as_("rektor")
    ctx = {"report_id": world.report_a.id, "item_id": item.id}
    cid = c.ask("utkast uppföljning och lägg in", **ctx).json()["conversation_id"]
    view = world.ws.get_report(world.report_a.id, world.granskare)
    sec = next(s for i in view.items if i.id == item.id for s in i.sections if s.kind == "uppfoljning")
    world.ws.accept(sec.suggestions[0].id, world.granskare, expected_version=sec.suggestions[0].version)
    before = counts(world)
    r = c.ask("utkast uppföljning för Minska frånvaron i grundskolan och lägg in", conversation_id=cid, **ctx)
    reply = r.json()["reply"]
    assert reply["placed"] == [] and any(t["status"] == 409 for t in reply["tools"])
    assert "godkänt" in reply["text"]
    view = world.ws.get_report(world.report_a.id, world.granskare)
    sec = next(s for i in view.items if i.id == item.id for s in i.sections if s.kind == "uppfoljning")
    assert sec.state == "reviewed" and counts(world)[1] == before[1]
    # a reviewer may say so: then it is placed and the section waits again
    from kvalitet.domain.types import Grounding, Suggestion

    sg = Suggestion(id="s_reopen", kind="uppfoljning", text="En ny text.", generator="extractive",
                    grounding=Grounding(supported=True))
    with pytest.raises(Exception) as err:
        world.ws.add_suggestions(world.report_a.id, item.id, [sg], world.rektor, reopen=True)
    assert getattr(err.value, "status_code", None) == 403
    world.ws.add_suggestions(world.report_a.id, item.id, [sg], world.admin, reopen=True)
    view = world.ws.get_report(world.report_a.id, world.granskare)
    sec = next(s for i in view.items if i.id == item.id for s in i.sections if s.kind == "uppfoljning")
    assert sec.state == "pending"


def test_the_conversation_is_there_after_a_reload(as_, world):
    """The web page keeps the conversation id and reads the conversation back (GET /api/chat/{id})
    with its drafts, so a reload shows the answers and what can still be placed."""
    ctx = {"report_id": world.report_a.id, "item_id": world.item_a.id}
    c = as_("rektor")
    r = c.ask("utkast analys", **ctx)
    cid = r.json()["conversation_id"]
    body = c.get(f"/api/chat/{cid}").json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    assert body["messages"][1]["drafts"] and body["messages"][1]["drafts"][0]["kind"] == "analys"
    assert f"»{ACTIVITY}«" in body["messages"][1]["text"]
