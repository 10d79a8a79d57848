"""The workspace service: reports, items, suggestions, review, audit, locking, atomic saves,
roles, users and the CLI. Real SQLite under tmp_path; suggestions enter through the
workspace's own add_suggestions (the drafter path is tested in test_workspace_drafting.py)."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select

from kvalitet.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from kvalitet.workspace.models import AuditRow, ItemRow, ReportRow, SectionRow, SuggestionRow, UserRow
from tests.helpers.workspace import World, at_once, make_settings, pid, suggestion


@pytest.fixture
def world(tmp_path):
    w = World(make_settings(tmp_path))
    yield w
    w.close()


def counts(world) -> dict[str, int]:
    with world.svc.db.session() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (ReportRow, ItemRow, SectionRow, SuggestionRow, AuditRow)
        }


def report_with_item(world, **item):
    rep = world.report()
    it = world.ws.add_item(rep.id, {"activity": "Utveckla samarbete med högskolan", "goal": "Likvärdiga möjligheter",
                                    "status": "Pågående", "perspective": "Samhälle", **item}, world.rektor)
    return rep, it


# ---- reports and items -----------------------------------------------------------------
def test_create_report_defaults_to_own_unit_and_is_audited(world):
    rep = world.report()
    assert rep.unit == "Åbyskolan" and rep.owner == "rektor" and rep.state == "draft" and rep.version == 1
    log = world.ws.audit(rep.id, world.rektor)
    assert [e.action for e in log] == ["report.create"]
    assert log[0].actor == "rektor" and log[0].after["title"] == "Uppföljning av verksamhetsplan 2024"


def test_add_item_and_get_report(world):
    rep, it = report_with_item(world, committee="BoU", deadline="Q4", history_ids=[pid(1)], carried_from=2023)
    it2 = world.ws.add_item(rep.id, {"activity": "Andra aktiviteten"}, world.rektor)
    assert (it.position, it2.position) == (1, 2)
    view = world.ws.get_report(rep.id, world.granskare)
    assert [i.activity for i in view.items] == ["Utveckla samarbete med högskolan", "Andra aktiviteten"]
    assert view.items[0].history_ids == [pid(1)] and view.items[0].carried_from == 2023
    assert [e.action for e in world.ws.audit(rep.id, world.rektor)] == ["report.create", "item.create", "item.create"]


@pytest.mark.parametrize("bad", [{"activity": ""}, {"activity": "   "}, {"activity": "x" * 2001}, {"activity": "a", "nope": 1}])
def test_add_item_validates(world, bad):
    rep = world.report()
    with pytest.raises(InvalidInput):
        world.ws.add_item(rep.id, bad, world.rektor)


def test_create_report_validates(world):
    with pytest.raises(InvalidInput):
        world.ws.create_report("T", "arshjul", 2024, None, world.rektor)
    with pytest.raises(InvalidInput):
        world.ws.create_report("", "kvalitetsrapport", 2024, None, world.rektor)
    with pytest.raises(InvalidInput):  # an admin has no unit of their own
        world.ws.create_report("T", "kvalitetsrapport", 2024, None, world.admin)


# ---- suggestions and review ----------------------------------------------------------------
def test_review_states_text_and_audit(world):
    rep, it = report_with_item(world)
    a, b, c = world.ws.add_suggestions(rep.id, it.id, [
        suggestion("uppfoljning", "Arbetet pågår enligt plan [%s]." % pid(1), [1]),
        suggestion("analys", "Samarbetet har gett resultat.", [2]),
        suggestion("risker", "Risken är att resurser saknas."),
    ], world.rektor)
    assert {x.state for x in (a, b, c)} == {"pending"} and a.version == 1 and a.citations[0].passage_id == pid(1)

    acc = world.ws.accept(a.id, world.granskare, expected_version=a.version)
    assert acc.state == "accepted" and acc.version == 2 and acc.reviewed_by == "granskare"
    ed = world.ws.edit(b.id, "Samarbetet har gett tydliga resultat.", 1, world.granskare)
    assert ed.state == "edited" and ed.text == "Samarbetet har gett tydliga resultat."
    assert ed.original_text == "Samarbetet har gett resultat." and ed.version == 2
    ed2 = world.ws.edit(b.id, "Tredje versionen.", 2, world.granskare)
    assert ed2.original_text == "Samarbetet har gett resultat." and ed2.version == 3  # the drafter's text stays
    rej = world.ws.reject(c.id, world.granskare, expected_version=c.version)
    assert rej.state == "rejected" and rej.text == "Risken är att resurser saknas."  # the row stays

    view = world.ws.get_report(rep.id, world.rektor)
    states = {s.kind: s.state for s in view.items[0].sections}
    assert states == {"uppfoljning": "reviewed", "analys": "reviewed", "risker": "rejected"}
    # kostnader has no section at all: it is counted, as empty (a section with no text is not reviewed)
    assert view.progress.sections == {"reviewed": 2, "rejected": 1, "empty": 1} and view.progress.total == 4
    assert view.progress.suggestions == {"accepted": 1, "edited": 1, "rejected": 1}
    assert view.progress.ready_to_publish and not view.progress.all_reviewed

    log = world.ws.audit(rep.id, world.kvalitet)
    actions = [e.action for e in log]
    assert actions == ["report.create", "item.create", "suggestion.create", "suggestion.create",
                       "suggestion.create", "item.add_suggestions", "suggestion.accept", "suggestion.edit",
                       "suggestion.edit", "suggestion.reject"]
    edit = log[7]
    assert edit.before["text"] == "Samarbetet har gett resultat." and edit.before["state"] == "pending"
    assert edit.after["text"] == "Samarbetet har gett tydliga resultat." and edit.after["state"] == "edited"
    assert edit.actor == "granskare" and edit.object_id == str(b.id)
    assert log[9].before["state"] == "pending" and log[9].after["state"] == "rejected"


def test_accept_twice_is_a_no_op_without_audit(world):
    rep, it = report_with_item(world)
    (a,) = world.ws.add_suggestions(rep.id, it.id, [suggestion("analys", "Text.")], world.rektor)
    world.ws.accept(a.id, world.granskare, expected_version=a.version)
    again = world.ws.accept(a.id, world.granskare, expected_version=2)
    assert again.version == 2
    assert [e.action for e in world.ws.audit(rep.id, world.granskare)].count("suggestion.accept") == 1


def test_edit_needs_version_and_text(world):
    rep, it = report_with_item(world)
    (a,) = world.ws.add_suggestions(rep.id, it.id, [suggestion("analys", "Text.")], world.rektor)
    with pytest.raises(InvalidInput):
        world.ws.edit(a.id, "Ny text", None, world.granskare)
    with pytest.raises(InvalidInput):
        world.ws.edit(a.id, "   ", 1, world.granskare)
    with pytest.raises(NotFound):
        world.ws.edit(a.id + 100, "Ny text", 1, world.granskare)


def test_stale_version_is_a_conflict(world):
    rep, it = report_with_item(world)
    (a,) = world.ws.add_suggestions(rep.id, it.id, [suggestion("analys", "Original.")], world.rektor)
    world.ws.edit(a.id, "Först.", 1, world.granskare)
    with pytest.raises(Conflict) as info:
        world.ws.edit(a.id, "Sen, utan att ha sett den första.", 1, world.admin)
    assert info.value.detail == {"current_version": 2}
    with pytest.raises(Conflict):
        world.ws.reject(a.id, world.admin, expected_version=1)
    assert world.ws.get_suggestion(a.id, world.granskare).text == "Först."


def test_concurrent_edits_lose_no_update(world):
    """Eight reviewers edit the same version at once: exactly one wins, the rest get Conflict,
    and the stored text is the winner's."""
    rep, it = report_with_item(world)
    (a,) = world.ws.add_suggestions(rep.id, it.id, [suggestion("analys", "Original.")], world.rektor)
    n = 8
    results = at_once(n, lambda i: world.ws.edit(a.id, f"Version från granskare {i}.", 1, world.granskare))
    winners = [i for i, r in results.items() if not isinstance(r, Exception)]
    losers = [r for r in results.values() if isinstance(r, Exception)]
    assert len(results) == n
    assert len(winners) == 1, results
    assert all(isinstance(r, Conflict) for r in losers), losers
    final = world.ws.get_suggestion(a.id, world.granskare)
    assert final.text == f"Version från granskare {winners[0]}." and final.version == 2
    assert [e.action for e in world.ws.audit(rep.id, world.granskare)].count("suggestion.edit") == 1


def test_stale_flush_is_refused_by_the_database_guard(world):
    """The version check is in the UPDATE itself, not only in Python: a row read before a
    concurrent commit cannot be written over it."""
    from sqlalchemy.orm.exc import StaleDataError

    rep, it = report_with_item(world)
    (a,) = world.ws.add_suggestions(rep.id, it.id, [suggestion("analys", "Original.")], world.rektor)
    s = world.svc.db.sessions()
    try:
        row = s.get(SuggestionRow, a.id)
        assert row.version == 1
        world.ws.edit(a.id, "Någon annan hann före.", 1, world.granskare)  # commits version 2
        row.text = "Skulle skriva över."
        with pytest.raises(StaleDataError):
            s.flush()
        s.rollback()
    finally:
        s.close()
    assert world.ws.get_suggestion(a.id, world.granskare).text == "Någon annan hann före."


# ---- atomic saves ------------------------------------------------------------------------
def test_failure_while_saving_leaves_nothing(world):
    """An exception after the first suggestion was written (a crash between two rows) rolls
    back every suggestion, section and audit row of the batch."""
    rep, it = report_with_item(world)
    before = counts(world)
    seen: list[int] = []

    def crash_after_first(suggestion_id: int) -> None:
        seen.append(suggestion_id)
        if len(seen) == 2:
            raise RuntimeError("the process died here")

    with pytest.raises(RuntimeError, match="died"):
        world.ws.add_suggestions(rep.id, it.id, [
            suggestion("uppfoljning", "Första."), suggestion("analys", "Andra."), suggestion("risker", "Tredje."),
        ], world.rektor, on_stored=crash_after_first)
    assert len(seen) == 2  # two rows had been written inside the transaction
    assert counts(world) == before
    view = world.ws.get_report(rep.id, world.rektor)
    assert view.items[0].sections == []


def test_a_bad_suggestion_in_a_batch_stores_none(world):
    rep, it = report_with_item(world)
    before = counts(world)
    with pytest.raises(InvalidInput):
        world.ws.add_suggestions(rep.id, it.id, [
            suggestion("analys", "Bra."), {"id": "x", "kind": "slutsats", "text": "Fel typ", "generator": "x",
                                           "grounding": {"supported": True}},
        ], world.rektor)
    assert counts(world) == before


# ---- roles --------------------------------------------------------------------------------
def test_roles(world):
    rep, it = report_with_item(world)
    (a,) = world.ws.add_suggestions(rep.id, it.id, [suggestion("analys", "Text.")], world.rektor)
    ws = world.ws
    # another unit's rektor: neither read nor write
    for call in (
        lambda: ws.get_report(rep.id, world.rektor2),
        lambda: ws.audit(rep.id, world.rektor2),
        lambda: ws.export(rep.id, "md", world.rektor2),
        lambda: ws.add_item(rep.id, {"activity": "x"}, world.rektor2),
        lambda: ws.add_suggestions(rep.id, it.id, [suggestion("analys", "x")], world.rektor2),
        lambda: ws.create_report("T", "kvalitetsrapport", 2024, "Åbyskolan", world.rektor2),
    ):
        with pytest.raises(Forbidden):
            call()
    # rektors do not review, not even their own unit's suggestions
    for call in (lambda: ws.accept(a.id, world.rektor, expected_version=a.version), lambda: ws.edit(a.id, "x", 1, world.rektor),
                 lambda: ws.reject(a.id, world.rektor, expected_version=a.version)):
        with pytest.raises(Forbidden):
            call()
    # kvalitetsutvecklare read everything, change nothing
    assert ws.get_report(rep.id, world.kvalitet).id == rep.id
    for call in (lambda: ws.add_item(rep.id, {"activity": "x"}, world.kvalitet),
                 lambda: ws.accept(a.id, world.kvalitet, expected_version=a.version),
                 lambda: ws.create_report("T", "kvalitetsrapport", 2024, "Åbyskolan", world.kvalitet)):
        with pytest.raises(Forbidden):
            call()
    # granskare review in any unit but do not write reports
    assert ws.accept(a.id, world.granskare, expected_version=a.version).state == "accepted"
    with pytest.raises(Forbidden):
        ws.add_item(rep.id, {"activity": "x"}, world.granskare)
    # admin does everything
    assert ws.add_item(rep.id, {"activity": "Admin lägger till"}, world.admin).position == 2
    assert ws.create_report("T", "kvalitetsrapport", 2024, "Byskolan", world.admin).unit == "Byskolan"
    # listings follow the same rules
    ws.create_report("Bys rapport", "kvalitetsrapport", 2024, None, world.rektor2)
    assert {r.unit for r in ws.list_reports(world.rektor)} == {"Åbyskolan"}
    assert {r.unit for r in ws.list_reports(world.rektor2)} == {"Byskolan"}
    assert {r.unit for r in ws.list_reports(world.kvalitet)} == {"Åbyskolan", "Byskolan"}
    # nothing was written by the refused calls
    actions = [e.action for e in ws.audit(rep.id, world.admin)]
    assert actions == ["report.create", "item.create", "suggestion.create", "item.add_suggestions",
                       "suggestion.accept", "item.create"]


# ---- users and tokens ---------------------------------------------------------------------
def test_tokens_are_hashed_and_checked_by_id(world):
    tok = world.tokens["rektor"]
    with world.svc.db.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.name == "rektor"))
        assert tok not in (row.token_hash or "") and row.token_hash.startswith("hmac-sha256$")
        assert tok.split("_", 2)[2] not in row.token_hash  # the secret is not stored in any form
        assert tok.startswith(f"kv_{row.token_id}_")
    assert world.ws.authenticate(tok).name == "rektor"
    for bad in ("", "nonsense", tok[:-1] + ("A" if tok[-1] != "A" else "B"), world.tokens["admin"][:16] + tok[16:]):
        with pytest.raises(Unauthorized):
            world.ws.authenticate(bad)


def test_rotate_and_deactivate(world):
    old = world.tokens["rektor2"]
    new = world.ws.rotate_token("rektor2").token
    with pytest.raises(Unauthorized):
        world.ws.authenticate(old)
    assert world.ws.authenticate(new).name == "rektor2"
    world.ws.set_active("rektor2", False)
    with pytest.raises(Unauthorized):
        world.ws.authenticate(new)
    with pytest.raises(Forbidden):
        world.ws.add_user("x", "admin", actor=world.granskare)
    with pytest.raises(Conflict):
        world.ws.add_user("rektor", "granskare")
    with pytest.raises(InvalidInput):
        world.ws.add_user("ny", "rektor")  # a rektor needs a unit


def test_cli_users_add_and_list(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kvalitet.cli import app

    monkeypatch.setenv("KVALITET_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("KVALITET_EMBEDDER", "hash")
    runner = CliRunner()
    res = runner.invoke(app, ["users", "add", "Rita Rektor", "--role", "rektor", "--unit", "Åbyskolan"])
    assert res.exit_code == 0, res.output
    token = res.output.strip().splitlines()[-1]
    assert token.startswith("kv_")
    res = runner.invoke(app, ["users", "add", "Rita Rektor", "--role", "rektor", "--unit", "Åbyskolan"])
    assert res.exit_code == Conflict.exit_code
    res = runner.invoke(app, ["users", "add", "X", "--role", "chef"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["users", "list"])
    assert res.exit_code == 0 and "Rita Rektor" in res.output and "rektor" in res.output
    assert token not in res.output
    from kvalitet.container import Services
    from kvalitet.settings import Settings

    svc = Services(Settings())
    try:
        assert svc.workspace.authenticate(token).unit == "Åbyskolan"
        assert [u.name for u in svc.workspace.list_users()] == ["Rita Rektor"]
    finally:
        svc.close()
