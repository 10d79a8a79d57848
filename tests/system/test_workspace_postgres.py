"""The workspace on PostgreSQL: migration 0002 and the models agree, the CHECK constraints hold,
concurrent edits lose no update and a failed save leaves nothing. A throw-away cluster
(the session fixture pg_cluster in conftest; CI installs PostgreSQL) provides a fresh database."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select, text

from kvalitet.errors import Conflict
from tests.helpers.migrations import schema_diffs
from tests.helpers.workspace import World, at_once, make_settings, suggestion


@pytest.fixture
def world(tmp_path, pg_url):
    w = World(make_settings(tmp_path, database_url=pg_url))
    assert w.svc.db.engine.dialect.name == "postgresql"
    yield w
    w.close()
    w.svc.db.dispose()


def test_models_and_migration_agree_on_postgres(world):
    from kvalitet.workspace.models import WORKSPACE_TABLES

    assert schema_diffs(world.svc.db, WORKSPACE_TABLES) == []


def test_check_constraint_on_postgres(world):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with world.svc.db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO suggestions (section_id, text, generator, citations, grounding, state, version, created_at) "
                "VALUES (1, 't', 'g', '[]', '{}', 'halvklar', 1, now())"
            ))


def test_review_flow_and_concurrent_edits_on_postgres(world):
    ws = world.ws
    rep = world.report()
    it = ws.add_item(rep.id, {"activity": "Aktivitet", "perspective": "Samhälle"}, world.rektor)
    a, b = ws.add_suggestions(rep.id, it.id, [suggestion("analys", "Original."), suggestion("risker", "Risk.")],
                              world.rektor)
    ws.reject(b.id, world.granskare, expected_version=b.version)
    n = 6
    results = at_once(n, lambda i: ws.edit(a.id, f"Text {i}.", 1, world.granskare))
    winners = [i for i, r in results.items() if not isinstance(r, Exception)]
    assert len(winners) == 1 and all(isinstance(r, Conflict) for i, r in results.items() if i not in winners), results
    final = ws.get_suggestion(a.id, world.kvalitet)
    assert final.text == f"Text {winners[0]}." and final.version == 2 and final.original_text == "Original."
    md = ws.render(rep.id, "md", world.rektor)
    assert f"Text {winners[0]}." in md and "Risk." not in md
    assert [e.action for e in ws.audit(rep.id, world.kvalitet)].count("suggestion.edit") == 1


def test_failed_save_leaves_nothing_on_postgres(world):
    from kvalitet.workspace.models import AuditRow, SectionRow, SuggestionRow

    rep = world.report()
    it = world.ws.add_item(rep.id, {"activity": "Aktivitet"}, world.rektor)

    def count():
        with world.svc.db.session() as s:
            return [s.scalar(select(func.count()).select_from(m)) for m in (SectionRow, SuggestionRow, AuditRow)]

    before = count()
    calls = []

    def crash(sid: int) -> None:
        calls.append(sid)
        if len(calls) == 2:
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        world.ws.add_suggestions(rep.id, it.id, [suggestion("uppfoljning", "A."), suggestion("analys", "B.")],
                                 world.rektor, on_stored=crash)
    assert len(calls) == 2 and count() == before
