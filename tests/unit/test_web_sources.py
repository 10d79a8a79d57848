"""The citation viewer's text and the history count, without a browser: a source line's layout
markup becomes structure (cells, lists, emphasis) while any other tag stays visible text; a
history counts documents, not rows; the change log says what changed in Swedish."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from lxml import html as lhtml

from kvalitet.web import views
from kvalitet.web.pages import history_label
from tests.helpers.paths import CORPUS

LINE_2022 = CORPUS / "2022-uppfoljning-verksamhetsplan-linkoping.txt"


def test_a_source_line_with_list_markup_reads_as_a_list():
    line = LINE_2022.read_text(encoding="utf-8").splitlines()[35]
    assert "<ul style=" in line and "○" in line  # the raw line: tags and bullets in a table cell
    markup = str(views.clean_line(line))
    tree = lhtml.fragment_fromstring(markup, create_parent="div")
    cells = tree.xpath("./span[@class='radcell']")
    assert [c.text_content() for c in cells[1:]] == ["BiN", "December", "Pågående"]
    top = cells[0].xpath("./ul/li")
    assert len(top) == 1 and top[0].text.startswith("Tydliggöra genomströmning")
    nested = top[0].xpath("./ul/li/text()")
    assert nested == ["Inom gymnasieskolan implementera mått kopplat till genomströmning i skolornas "
                      "verksamhetsplaner och kvalitetsrapporter", "Inom vuxenutbildningen (svenska för invandrare)"]
    assert "<ul style" not in tree.text_content() and "○" not in tree.text_content()


def test_other_tags_stay_visible_text_and_italics_become_emphasis():
    markup = str(views.clean_line("Goda <i>Varje medarbetare</i> <script>alert(1)</script> <img src=x onerror=y>"))
    tree = lhtml.fragment_fromstring(markup, create_parent="div")
    assert tree.xpath("//em/text()") == ["Varje medarbetare"]
    assert not tree.xpath("//script|//img")
    assert "<script>alert(1)</script>" in tree.text_content() and "onerror=y" in tree.text_content()
    assert str(views.clean_line("")) == "&nbsp;"
    assert "·" in str(views.clean_line("Status · Pågående")) and "<li>" not in str(views.clean_line("a · b"))


def row(path: str, year: int | None):
    return SimpleNamespace(year=year, source=SimpleNamespace(path=path))


def test_history_counts_documents_not_rows():
    one_file = [row("2022-vp.txt", 2022), row("2022-vp.txt", 2022)]
    assert history_label(one_file) == "2 poster i samma dokument från 2022"
    assert history_label([row("a.txt", 2022), row("b.txt", 2022)]) == "2 dokument från 2022"
    html = views.render("_history_body.html", rows=[
        SimpleNamespace(year=2022, source=SimpleNamespace(path="2022-vp.txt", page=None, line_start=n, line_end=n),
                        section_kind="aktivitet", doc_kind="verksamhetsplan_uppfoljning", status=None, deadline=None,
                        carried_from=None, committee=None, goal=None, comment=None, postponed=False, id=f"p_{n:016x}")
        for n in (3, 9)], years=[2022], documents=1)
    assert "finns bara i ett dokument (2022), där den står 2 gånger" in html
    assert "2 dokument" not in html


def test_the_change_log_row_says_what_changed_in_swedish():
    entry = SimpleNamespace(
        at=datetime(2026, 5, 3, 12, 5, tzinfo=timezone.utc), actor="Greta", action="suggestion.edit",
        object_type="suggestion", object_id="12",
        before={"state": "pending", "text": "Gammal text", "version": 1, "reviewed_by": None},
        after={"state": "edited", "text": "Ny text", "version": 2, "reviewed_by": 3})
    out = views.audit_row(entry)
    assert out["action"] == "Redigerade ett förslag" and out["object"] == "Förslag 12"
    assert out["changes"] == [
        {"field": "Läge", "before": "Väntar på granskning", "after": "Redigerat"},
        {"field": "Text", "before": "Gammal text", "after": "Ny text"},
    ]
    created = views.audit_row(SimpleNamespace(
        at=entry.at, actor="Rut", action="item.create", object_type="item", object_id="4", before=None,
        after={"activity": "Läsa mer", "goal": None, "area": "Läsning", "position": 1}))
    assert created["changes"] == [{"field": "Aktivitet", "before": None, "after": "Läsa mer"},
                                  {"field": "Utvecklingsområde", "before": None, "after": "Läsning"}]


def test_the_change_log_cites_sources_by_their_numbers_not_passage_ids():
    """A reviewer reads [1] in the change log as on the report page, never [p_3d6f2acb9dd80e7b]."""
    cites = [SimpleNamespace(passage_id="p_00000000000000aa"), SimpleNamespace(passage_id="p_00000000000000bb")]
    entry = SimpleNamespace(
        at=datetime(2026, 5, 3, 12, 5, tzinfo=timezone.utc), actor="Greta", action="suggestion.edit",
        object_type="suggestion", object_id="12",
        before={"state": "pending", "text": "Förut [p_00000000000000aa] och [p_00000000000000bb]."},
        after={"state": "edited", "text": "Nu [p_00000000000000bb] och [p_00000000000000ff].",
               "original_text": "Förut [p_00000000000000aa, p_00000000000000bb]."})
    changes = {c["field"]: c for c in views.audit_row(entry, cites)["changes"]}
    assert changes["Text"]["before"] == "Förut [1] och [2]."
    assert changes["Text"]["after"] == "Nu [2] och [p_00000000000000ff]."  # an unknown source stays as written
    assert changes["Ursprunglig text"]["after"] == "Förut [1, 2]."
    # Without the suggestion's sources the text is shown as stored.
    assert "[p_00000000000000aa]" in {c["field"]: c for c in views.audit_row(entry)["changes"]}["Text"]["before"]
