"""Publishing: a fully reviewed report goes into the corpus (rapporter/<year>-<slug>.md) and the
index, so next year's drafts can find and cite it. Real ingest, hash embedder, tmp corpus."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kvalitet.errors import Conflict, Forbidden, UnreadableFile
from tests.helpers.workspace import ACCEPTED, World, make_settings, review_all, reviewed

@pytest.fixture
def world(tmp_path):
    w = World(make_settings(tmp_path))
    yield w
    w.close()


def test_publish_needs_a_reviewer_and_a_fully_reviewed_report(world):
    rep, sgs = reviewed(world)
    with pytest.raises(Forbidden):
        world.ws.publish(rep.id, world.rektor)
    with pytest.raises(Conflict, match="väntar på granskning"):
        world.ws.publish(rep.id, world.granskare)
    for up, an in sgs.values():
        world.ws.reject(up.id, world.granskare, expected_version=up.version)
        world.ws.reject(an.id, world.granskare, expected_version=an.version)
    with pytest.raises(Conflict, match="ingen godkänd text"):
        world.ws.publish(rep.id, world.granskare)
    assert not (world.settings.corpus_dir / "rapporter").exists()


def test_publish_writes_the_markdown_and_ingests_it(world):
    rep, sgs = reviewed(world)
    review_all(world, sgs)
    res = world.ws.publish(rep.id, world.granskare)
    assert res.path == "rapporter/2024-uppfoljning-av-fjolarets-aktiviteter.md"
    path = world.settings.corpus_dir / res.path
    text = path.read_text(encoding="utf-8")
    assert text == world.ws.render(rep.id, "md", world.granskare)
    assert ACCEPTED in text and "Avvisad analys" not in text
    assert res.passages > 0 and res.report.state == "published"
    # the index has it: a search finds the accepted text in the published file
    hits = world.svc.retriever.search("samverkan högskolan gemensamma kurser lärarna", k=5, mode="bm25")
    assert any(h.passage.doc_path == res.path and "gemensamma kurser" in h.passage.text for h in hits)
    # a published report is closed until reopened
    with pytest.raises(Conflict):
        world.ws.edit(sgs[1][0].id, "Ändrad efteråt.", 2, world.granskare)
    with pytest.raises(Conflict):
        world.ws.add_item(rep.id, {"activity": "Sent tillägg"}, world.rektor)
    log = world.ws.audit(rep.id, world.granskare)
    assert log[-1].action == "report.publish" and log[-1].after["published_path"] == res.path
    assert log[-1].before["state"] == "draft" and log[-1].after["state"] == "published"

    # reopen, change, publish again: the same file is replaced and re-indexed
    world.ws.reopen(rep.id, world.granskare)
    world.ws.edit(sgs[1][0].id, "Samverkan med högskolan fortsätter med nya kurser hösten 2025.", 2, world.granskare)
    res2 = world.ws.publish(rep.id, world.granskare)
    assert res2.path == res.path
    assert "nya kurser hösten 2025" in path.read_text(encoding="utf-8")
    assert ACCEPTED not in path.read_text(encoding="utf-8")
    hits = world.svc.retriever.search("gemensamma kurser för lärarna", k=10, mode="bm25")
    assert not any(h.passage.doc_path == res.path and "gemensamma kurser" in h.passage.text for h in hits)


def test_second_report_with_the_same_title_gets_its_own_file(world):
    paths = []
    for _ in range(2):
        rep, sgs = reviewed(world)
        review_all(world, sgs)
        paths.append(world.ws.publish(rep.id, world.granskare).path)
    assert paths[0] != paths[1] and all(p.startswith("rapporter/2024-") for p in paths)
    assert all((world.settings.corpus_dir / p).exists() for p in paths)


def test_a_publication_the_index_cannot_read_is_undone(tmp_path):
    custom = tmp_path / "mallar"
    custom.mkdir()
    (custom / "aktivitetsuppfoljning.md.j2").write_text("{# renders nothing #}\n", encoding="utf-8")
    w = World(make_settings(tmp_path, templates_dir=custom))
    try:
        rep, sgs = reviewed(w)
        review_all(w, sgs)
        with pytest.raises(UnreadableFile):
            w.ws.publish(rep.id, w.granskare)
        assert not list((w.settings.corpus_dir / "rapporter").glob("*.md"))
        assert w.ws.get_report(rep.id, w.granskare).state == "draft"
        assert "report.publish" not in [e.action for e in w.ws.audit(rep.id, w.granskare)]
    finally:
        w.close()


@pytest.mark.parametrize("kind", ["verksamhetsplan_uppfoljning", "aktivitetsuppfoljning", "kvalitetsrapport"])
def test_published_report_is_recognised_as_its_kind(world, kind):
    """The parser reads the published Markdown as the kind of report it is, so next year's
    drafts find its activity rows, Uppföljning/Analys blocks or insatser."""
    rep, sgs = reviewed(world, kind=kind, title=f"Rapport {kind} 2024")
    review_all(world, sgs)
    res = world.ws.publish(rep.id, world.granskare)
    assert res.doc_kind == kind
    with world.svc.db.session() as s:
        from kvalitet.storage.db import PassageRow

        rows = s.scalars(select(PassageRow).where(PassageRow.doc_path == res.path)).all()
    assert {r.year for r in rows} == {2024}
    assert any("gemensamma kurser" in r.text for r in rows)
    assert not any("Avvisad analys" in r.text for r in rows)
