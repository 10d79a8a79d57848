"""The workspace on PostgreSQL: migration 0002 and the models agree, the CHECK constraints hold,
concurrent edits lose no update and a failed save leaves nothing. A throw-away cluster
(the session fixture pg_cluster in conftest; CI installs PostgreSQL) provides a fresh database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from kvalitet.errors import Conflict
from tests.helpers.workspace import World, make_settings, suggestion, workspace_diffs


@pytest.fixture
def world(tmp_path, pg_url):
    w = World(make_settings(tmp_path, database_url=pg_url))
    assert w.svc.db.engine.dialect.name == "postgresql"
    yield w
    w.close()
    w.svc.db.dispose()


def test_models_and_migration_agree_on_postgres(world):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kvalitet.storage.db import Base

    with world.svc.db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert workspace_diffs(diffs) == []


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
    barrier = threading.Barrier(n)
    results: dict[int, object] = {}

    def edit(i: int) -> None:
        barrier.wait()
        try:
            results[i] = ws.edit(a.id, f"Text {i}.", 1, world.granskare)
        except Exception as exc:  # noqa: BLE001 - checked below
            results[i] = exc

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
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
