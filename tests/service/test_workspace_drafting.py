"""Drafting into the workspace through the real Drafter (the sample corpus indexed with the
deterministic hash embedder, so this runs without a model): suggestions are stored pending with
their citations and grounding, and a crash between the draft and the save leaves nothing."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from kvalitet.errors import Forbidden, InvalidInput
from kvalitet.workspace.models import AuditRow, SectionRow, SuggestionRow
from tests.helpers.paths import CORPUS
from tests.helpers.workspace import World, make_settings



@pytest.fixture
def world(tmp_path):
    settings = make_settings(tmp_path)
    for p in CORPUS.glob("*.txt"):
        shutil.copyfile(p, settings.corpus_dir / p.name)
    w = World(settings)
    report = w.svc.ingest()
    assert not report.skipped and report.passages > 0
    yield w
    w.close()


def counts(world):
    with world.svc.db.session() as s:
        return [s.scalar(select(func.count()).select_from(m)) for m in (SectionRow, SuggestionRow, AuditRow)]


def item(world):
    rep = world.report(kind="aktivitetsuppfoljning", title="Fjolårets aktiviteter 2024")
    it = world.ws.add_item(rep.id, {
        "activity": "Processhandledning för arbetet med att anmäla och motverka kränkande behandling",
        "status": "Pågående", "notes": "Nytt IT-system, fler anmälningar.",
    }, world.rektor)
    return rep, it


def test_draft_item_stores_the_drafters_suggestions_as_pending(world):
    rep, it = item(world)
    out = world.ws.draft_item(rep.id, it.id, ["uppfoljning", "analys"], world.rektor)
    assert out and {s.kind for s in out} <= {"uppfoljning", "analys"}
    assert all(s.state == "pending" and s.version == 1 and s.created_by == "rektor" for s in out)
    assert any(s.citations for s in out)
    cited = next(s for s in out if s.citations)
    assert all(c.source.path.endswith(".txt") for c in cited.citations)
    assert cited.generator == "extractive" and cited.draft_ref.startswith("s_")
    view = world.ws.get_report(rep.id, world.granskare)
    assert {s.kind: s.state for s in view.items[0].sections} == {"uppfoljning": "pending", "analys": "pending"}
    log = world.ws.audit(rep.id, world.granskare)
    draft = [e for e in log if e.action == "item.draft"]
    assert len(draft) == 1 and draft[0].after["sections"] == ["uppfoljning", "analys"]
    assert draft[0].after["suggestions"] == [s.id for s in out]
    # the accepted draft renders with its sources numbered
    world.ws.accept(cited.id, world.granskare, expected_version=cited.version)
    md = world.ws.render(rep.id, "md", world.rektor)
    assert "## Källor" in md and "\n1. " in md and "p_" not in md.replace("\\_", "_").split("## Källor")[0]


def test_crash_between_draft_and_save_leaves_nothing(world):
    rep, it = item(world)
    before = counts(world)
    stored: list[int] = []

    def crash(suggestion_id: int) -> None:
        stored.append(suggestion_id)
        raise RuntimeError("the server was killed while saving the draft")

    with pytest.raises(RuntimeError, match="killed"):
        world.ws.draft_item(rep.id, it.id, ["uppfoljning", "analys"], world.rektor, on_stored=crash)
    assert len(stored) == 1  # the drafter delivered and one row had been written in the transaction
    assert counts(world) == before
    assert world.ws.get_report(rep.id, world.rektor).items[0].sections == []
    # and a later draft works normally
    assert world.ws.draft_item(rep.id, it.id, ["analys"], world.rektor)


def test_draft_refusals_store_nothing(world):
    rep, it = item(world)
    before = counts(world)
    with pytest.raises(Forbidden):
        world.ws.draft_item(rep.id, it.id, ["analys"], world.rektor2)
    with pytest.raises(Forbidden):
        world.ws.draft_item(rep.id, it.id, ["analys"], world.granskare)
    with pytest.raises(InvalidInput):
        world.ws.draft_item(rep.id, it.id, ["slutsats"], world.rektor)
    with pytest.raises(InvalidInput):  # the drafter's own refusal passes through
        world.ws.draft_item(rep.id, it.id, ["analys"], world.rektor, generator="gissning")
    assert counts(world) == before
