"""Rendering: the three report kinds follow the sample documents' headings and table header
cells (read from corpus/ here, not restated); only reviewed text goes in; citations are
numbered with a source list; Markdown and HTML escape document text; municipal templates
(Jinja2 and a DOCX base document) override ours; the Word file has real headings and tables."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from kvalitet.errors import ConfigError
from kvalitet.domain.types import PERSPECTIVES
from kvalitet.workspace.render import PENDING_LABEL
from tests.helpers.paths import CORPUS
from tests.helpers.workspace import World, make_settings, pid, suggestion

VP_2022 = CORPUS / "2022-uppfoljning-verksamhetsplan-linkoping.txt"
VP_2019 = CORPUS / "2019-uppfoljning-verksamhetsplan.txt"
FJOL_2019 = CORPUS / "2019-uppfoljning-fjolarets-aktiviteter.txt"
KR_2020 = CORPUS / "2020-kvalitetsrapport-utvecklingsomraden.txt"


def sample_lines(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip() for line in path.read_text(encoding="utf-8").splitlines()]


def sample_table_header(path: Path) -> list[str]:
    """The header cells of the sample's activity tables (a tab-separated row)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("Nämndmål\t"):
            return [c.strip() for c in line.split("\t")]
    raise AssertionError("no table header in the sample")


def docx_of(content: bytes):
    return Document(io.BytesIO(content))


def headings(doc) -> list[tuple[int, str]]:
    out = []
    for p in doc.paragraphs:
        m = re.match(r"Heading (\d)", p.style.name or "")
        if m:
            out.append((int(m.group(1)), p.text))
    return out


def title_of(doc) -> str:
    """The report's title as the title page shows it (Title style)."""
    return next(p.text for p in doc.paragraphs if p.style.name == "Title")


def docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


@pytest.fixture
def world(tmp_path):
    w = World(make_settings(tmp_path))
    yield w
    w.close()


def reviewed_report(world, kind: str):
    """Two items; per item an accepted, an edited, a rejected and a pending suggestion."""
    ws, r, g = world.ws, world.rektor, world.granskare
    rep = world.report(kind=kind, title="Rapport 2024 för Åbyskolan")
    texts = {}
    for n, (activity, perspective, area) in enumerate(
        [("Utveckla samarbete med högskolan", "Medborgare", "IT"), ("Minska frånvaron i åk 7–9", "Samhälle", "Frånvaro")], 1
    ):
        it = ws.add_item(rep.id, {
            "activity": activity, "goal": f"Nämndmål {n}", "status": "Pågående", "perspective": perspective,
            "area": area, "committee": "BoU", "deadline": "December", "comment": f"Kommentar {n}",
            "responsible": "Rektor",
        }, r)
        acc, ed, rej, pend = ws.add_suggestions(rep.id, it.id, [
            suggestion("uppfoljning", f"Godkänd uppföljning {n} [{pid(10 * n)}].", [10 * n]),
            suggestion("analys", f"Analysförslag {n}.", [10 * n + 1]),
            suggestion("risker", f"Avvisad risktext {n}."),
            suggestion("kostnader", f"Väntande kostnadstext {n}."),
        ], r)
        ws.accept(acc.id, g, expected_version=acc.version)
        ws.edit(ed.id, f"Redigerad analys {n} [{pid(10 * n + 1)}].", 1, g)
        ws.reject(rej.id, g, expected_version=rej.version)
        texts[n] = {"accepted": f"Godkänd uppföljning {n}", "edited": f"Redigerad analys {n}",
                    "original": f"Analysförslag {n}", "rejected": f"Avvisad risktext {n}",
                    "pending": f"Väntande kostnadstext {n}"}
    return rep, texts


def check_review_rules(text: str, texts: dict) -> None:
    for t in texts.values():
        assert t["accepted"] in text and t["edited"] in text
        assert t["rejected"] not in text and t["original"] not in text and t["pending"] not in text
    assert PENDING_LABEL in text
    assert "p_" not in text  # every passage id became a number
    assert "[1]" in text and "[2]" in text


# ---- structure against the samples ---------------------------------------------------------
def test_verksamhetsplan_follows_the_sample_tables(world):
    rep, texts = reviewed_report(world, "verksamhetsplan_uppfoljning")
    header_2022 = sample_table_header(VP_2022)
    assert header_2022 == ["Nämndmål", "Aktivitet", "Nämnd", "Slutfört", "Status", "Kommentar"]
    lines_2022 = set(sample_lines(VP_2022))

    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    hs = headings(doc)
    # the perspectives are headings as in the sample, in the sample's order
    persp = [t for lvl, t in hs if t in PERSPECTIVES]
    assert persp == ["Samhälle", "Medborgare"]
    assert all(p in lines_2022 for p in persp)
    assert "Uppföljning av förvaltningens verksamhet och utveckling" in [t for _, t in hs]
    assert "Uppföljning av förvaltningens verksamhet och utveckling" in lines_2022
    # one real table per perspective, its header row exactly the sample's
    assert len(doc.tables) == 2
    for table in doc.tables:
        assert [c.text for c in table.rows[0].cells] == header_2022
        assert all(r.bold for c in table.rows[0].cells for p in c.paragraphs for r in p.runs)
        row = [c.text for c in table.rows[1].cells]
        assert row[2] == "BoU" and row[3] == "December" and row[4] == "Pågående"
    samhalle = [c.text for c in doc.tables[0].rows[1].cells]
    assert samhalle[0] == "Nämndmål 2" and samhalle[1] == "Minska frånvaron i åk 7–9"
    assert "Kommentar 2" in samhalle[5] and "Godkänd uppföljning 2" in samhalle[5]
    check_review_rules(docx_text(doc), texts)

    md = world.ws.render(rep.id, "md", world.rektor)
    assert "| " + " | ".join(header_2022) + " |" in md
    assert "### Samhälle" in md and md.index("### Samhälle") < md.index("### Medborgare")
    check_review_rules(md, texts)
    html = world.ws.render(rep.id, "html", world.rektor)
    assert "<tr>" + "".join(f"<th>{c}</th>" for c in header_2022) + "</tr>" in html
    check_review_rules(html, texts)


def test_sample_2019_header_is_the_same_columns_without_namnd():
    """The 2019 sample's header ("Nämndmål Aktivitet Slutfört Status Ev kommentar") is a
    subset of ours: we follow the newer 2022 layout, which adds Nämnd."""
    lines = sample_lines(VP_2019)
    assert any(line.startswith("Nämndmål Aktivitet Slutfört Status") for line in lines)


def test_aktivitetsuppfoljning_follows_the_sample_blocks(world):
    rep, texts = reviewed_report(world, "aktivitetsuppfoljning")
    lines = sample_lines(FJOL_2019)
    assert lines[0] == "Uppföljning av fjolårets planerade aktiviteter"
    block = [lines[i] for i in (2, 6, 10)]
    assert block == ["1. Uppdrag/Aktivitet", "Uppföljning", "Analys"]

    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    hs = [t for _, t in headings(doc)]
    assert lines[0] in hs
    i = hs.index("1. Uppdrag/Aktivitet")
    assert hs[i:i + 3] == block
    j = hs.index("2. Uppdrag/Aktivitet")
    assert hs[j:j + 3] == ["2. Uppdrag/Aktivitet", "Uppföljning", "Analys"]
    # the activity text follows its numbered heading, as in the sample
    paras = [p.text for p in doc.paragraphs]
    assert paras[paras.index("1. Uppdrag/Aktivitet") + 1] == "Utveckla samarbete med högskolan"
    check_review_rules(docx_text(doc), texts)
    md = world.ws.render(rep.id, "md", world.rektor)
    assert "### 1. Uppdrag/Aktivitet" in md and "#### Uppföljning" in md and "#### Analys" in md
    check_review_rules(md, texts)


def test_kvalitetsrapport_follows_the_sample_sections(world):
    rep, texts = reviewed_report(world, "kvalitetsrapport")
    lines = set(sample_lines(KR_2020))
    per_insats = ["Planerad insats och koppling till utvecklingsområdet", "Mål och förväntade effekter", "Ansvar",
                  "Uppföljning, utvärdering och delaktighet"]
    closing = ["Risker", "Tidplan och kostnader"]
    for h in per_insats + closing:
        assert h in lines, h  # the headings are the sample's own
    assert "1. Insatser inom ramen för utvecklingsområdet IT" in lines

    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    hs = [t for _, t in headings(doc)]
    # the heading names the development area, never the plan's perspective
    first = hs.index("1. Insatser inom ramen för utvecklingsområdet IT")
    assert hs[first + 1:first + 5] == per_insats
    second = hs.index("2. Insatser inom ramen för utvecklingsområdet Frånvaro")
    assert not any("Medborgare" in h or "Samhälle" in h for h in hs)
    assert hs[second + 1:second + 5] == per_insats
    assert hs.index("Risker") > second and hs.index("Tidplan och kostnader") > hs.index("Risker")
    text = docx_text(doc)
    check_review_rules(text, texts)
    assert "Tidplan: December" in text
    paras = [p.text for p in doc.paragraphs]
    assert paras[paras.index("Ansvar") + 1] == "Rektor"  # the responsible, not the committee
    assert "Status: Pågående · Slutfört: December · Nämnd: BoU" in paras


# ---- review rules, citations, escaping ---------------------------------------------------
def test_pending_sections_are_marked_and_citations_numbered(world):
    rep, _ = reviewed_report(world, "aktivitetsuppfoljning")
    md = world.ws.render(rep.id, "md", world.rektor)
    # numbering follows first appearance; the list under "Källor" carries the same numbers
    assert "Godkänd uppföljning 1 [1]." in md and "Redigerad analys 1 [2]." in md
    assert "Godkänd uppföljning 2 [3]." in md and "Redigerad analys 2 [4]." in md
    kallor = md[md.index("## Källor"):]
    assert re.findall(r"^(\d+)\. ", kallor, re.M) == ["1", "2", "3", "4"]
    # not a bare file name: a readable name (the catalog's title when there is one), lines, quote
    assert "2019 uppfoljning verksamhetsplan, rad 20–21: ”Q4 Pågående”" in kallor
    assert ".txt" not in kallor
    # the kostnader sections wait: visibly marked, twice
    assert md.count(f"*{PENDING_LABEL}*") == 2
    assert "avsnitt väntar på granskning" in md
    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    paras = [p.text for p in doc.paragraphs]
    assert "Källor" in [t for _, t in headings(doc)]
    assert [p for p in paras if p.startswith("[")][:4] == [
        p for p in paras if re.match(r"\[\d\]\t2019 uppfoljning verksamhetsplan, rad \d+–\d+: ”Q4 Pågående”", p)
    ][:4]
    assert sum(1 for p in paras if p.startswith("[")) == 4


def test_one_passage_quoted_twice_has_one_number_and_both_quotes_in_the_sources(world):
    """Two suggestions quote different sentences of one passage: the passage keeps one number,
    and its source line shows both quotes, so [1] never stands for words the list leaves out."""
    from tests.helpers.workspace import citation

    rep = world.report(kind="aktivitetsuppfoljning")
    it = world.ws.add_item(rep.id, {"activity": "Hälsofrämjande arbete"}, world.rektor)
    first = suggestion("uppfoljning", f"Frånvaron minskade [{pid(7)}].", [])
    first.citations = [citation(7, quote="Frånvaron minskade under våren")]
    second = suggestion("analys", f"Det förebyggande arbetet bär [{pid(7)}].", [])
    second.citations = [citation(7, quote="Förebyggande och hälsofrämjande arbete")]
    for sg in world.ws.add_suggestions(rep.id, it.id, [first, second], world.rektor):
        world.ws.accept(sg.id, world.granskare, expected_version=sg.version)
    md = world.ws.render(rep.id, "md", world.rektor)
    assert "Frånvaron minskade [1]." in md and "Det förebyggande arbetet bär [1]." in md
    kallor = md[md.index("## Källor"):]
    assert re.findall(r"^(\d+)\. ", kallor, re.M) == ["1"]
    assert "”Frånvaron minskade under våren” … ”Förebyggande och hälsofrämjande arbete”" in kallor
    paras = [p.text for p in docx_of(world.ws.export(rep.id, "docx", world.rektor).content).paragraphs]
    (line,) = [p for p in paras if p.startswith("[1]")]
    assert "Frånvaron minskade under våren" in line and "Förebyggande och hälsofrämjande arbete" in line


def test_uncited_citation_is_appended_and_unknown_ids_left_alone(world):
    rep = world.report(kind="aktivitetsuppfoljning")
    it = world.ws.add_item(rep.id, {"activity": "A"}, world.rektor)
    a, = world.ws.add_suggestions(rep.id, it.id, [
        suggestion("analys", f"Text utan hänvisning i löptexten. Okänd [{pid(999)}].", [5]),
    ], world.rektor)
    world.ws.accept(a.id, world.granskare, expected_version=a.version)
    md = world.ws.render(rep.id, "md", world.rektor)
    assert "Text utan hänvisning i löptexten." in md and "[1]" in md
    assert pid(999) in md.replace("\\_", "_")  # an id without a citation stays visible for the reviewer


def test_markdown_and_html_escape_document_text(world):
    rep = world.report(kind="aktivitetsuppfoljning", title="Rapport <b>fet</b> & *stjärnor*")
    it = world.ws.add_item(rep.id, {"activity": "# Inte en rubrik | med pipe"}, world.rektor)
    evil = "<script>alert('x')</script> *fet* _kursiv_ [länk](http://ex.se) `kod`\n- inte en lista"
    a, = world.ws.add_suggestions(rep.id, it.id, [suggestion("analys", evil)], world.rektor)
    world.ws.accept(a.id, world.granskare, expected_version=a.version)

    html = world.ws.render(rep.id, "html", world.rektor)
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>fet</b>" not in html and "Rapport &lt;b&gt;fet&lt;/b&gt; &amp; *stjärnor*" in html

    md = world.ws.render(rep.id, "md", world.rektor)
    assert "\\<script\\>" in md and "<script>" not in md
    assert "\\*fet\\*" in md and "\\_kursiv\\_" in md and "\\[länk\\](http://ex.se)" in md and "\\`kod\\`" in md
    assert "\n\\- inte en lista" in md
    assert "\n\\# Inte en rubrik \\| med pipe" in md
    assert "# Rapport \\<b\\>fet\\</b\\> & \\*stjärnor\\*" in md

    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    text = docx_text(doc)
    assert "<script>alert('x')</script> *fet* _kursiv_" in text  # Word shows the text as written
    assert title_of(doc) == "Rapport <b>fet</b> & *stjärnor*"


def test_markdown_table_cells_keep_their_row(world):
    rep = world.report()
    it = world.ws.add_item(rep.id, {"activity": "A | B", "perspective": "Ekonomi"}, world.rektor)
    a, = world.ws.add_suggestions(rep.id, it.id, [suggestion("uppfoljning", "Rad ett\nrad två\n\nNytt stycke")],
                                  world.rektor)
    world.ws.accept(a.id, world.granskare, expected_version=a.version)
    md = world.ws.render(rep.id, "md", world.rektor)
    row = [line for line in md.splitlines() if line.startswith("| ") and "A \\| B" in line]
    assert len(row) == 1 and "Rad ett<br>rad två<br><br>Nytt stycke" in row[0]
    assert len(re.findall(r"(?<!\\)\|", row[0])) == 7  # six cells, no stray separators


# ---- municipal templates -------------------------------------------------------------------
def test_templates_dir_overrides_by_name_and_falls_back(tmp_path):
    custom = tmp_path / "kommunmallar"
    custom.mkdir()
    (custom / "aktivitetsuppfoljning.md.j2").write_text(
        "# Kommunens egen mall: {{ report.title|inline }}\n{% for it in items %}\n## {{ it.n }}. {{ it.activity|inline }}\n{% endfor %}\n",
        encoding="utf-8",
    )
    w = World(make_settings(tmp_path, templates_dir=custom))
    try:
        rep = w.report(kind="aktivitetsuppfoljning", title="T")
        w.ws.add_item(rep.id, {"activity": "Aktivitet ett"}, w.rektor)
        md = w.ws.render(rep.id, "md", w.rektor)
        assert md.startswith("# Kommunens egen mall: T") and "## 1. Aktivitet ett" in md
        assert "Uppdrag/Aktivitet" not in md
        # templates the municipality did not supply come from ours
        html = w.ws.render(rep.id, "html", w.rektor)
        assert "<h3>1. Uppdrag/Aktivitet</h3>" in html
    finally:
        w.close()


def test_broken_municipal_template_is_a_clear_error(tmp_path):
    custom = tmp_path / "kommunmallar"
    custom.mkdir()
    (custom / "kvalitetsrapport.md.j2").write_text("# {{ report.titel }}\n", encoding="utf-8")  # typo: StrictUndefined
    w = World(make_settings(tmp_path, templates_dir=custom))
    try:
        rep = w.report(kind="kvalitetsrapport")
        with pytest.raises(ConfigError, match="kvalitetsrapport.md.j2"):
            w.ws.render(rep.id, "md", w.rektor)
    finally:
        w.close()


def test_docx_base_document_supplies_styles_and_front_matter(tmp_path):
    from docx.shared import RGBColor

    custom = tmp_path / "kommunmallar"
    custom.mkdir()
    base = Document()
    base.add_paragraph("Åby kommun – Barn- och utbildningsförvaltningen")
    base.styles["Heading 1"].font.color.rgb = RGBColor(0x12, 0x34, 0x56)
    base.sections[0].header.paragraphs[0].text = "Kommunens sidhuvud"
    base.save(custom / "kvalitetsrapport.docx")

    w = World(make_settings(tmp_path, templates_dir=custom))
    try:
        rep = w.report(kind="kvalitetsrapport", title="Kvalitetsrapport 2024")
        w.ws.add_item(rep.id, {"activity": "Insats ett"}, w.rektor)
        doc = docx_of(w.ws.export(rep.id, "docx", w.rektor).content)
        assert doc.paragraphs[0].text == "Åby kommun – Barn- och utbildningsförvaltningen"
        assert doc.sections[0].header.paragraphs[0].text == "Kommunens sidhuvud"
        assert doc.styles["Heading 1"].font.color.rgb == RGBColor(0x12, 0x34, 0x56)
        assert title_of(doc) == "Kvalitetsrapport 2024"
        # another kind has no base document: our own title page
        rep2 = w.report(kind="aktivitetsuppfoljning", title="Fjolåret")
        doc2 = docx_of(w.ws.export(rep2.id, "docx", w.rektor).content)
        assert title_of(doc2) == "Fjolåret" and doc2.paragraphs[0].text == ""
    finally:
        w.close()


def test_export_metadata_and_audit(world):
    rep, _ = reviewed_report(world, "kvalitetsrapport")
    f = world.ws.export(rep.id, "docx", world.kvalitet)
    assert f.filename == "2024-rapport-2024-for-abyskolan.docx"
    assert f.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    doc = docx_of(f.content)
    assert doc.core_properties.title == "Rapport 2024 för Åbyskolan"
    last = world.ws.audit(rep.id, world.kvalitet)[-1]
    assert last.action == "report.export" and last.actor == "kvalitet" and last.after["format"] == "docx"


# ---- the Word file a committee receives --------------------------------------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def field_instructions(element) -> list[str]:
    """The field codes (PAGE, NUMPAGES, TOC …) in a part of the document, complex or simple."""
    out = ["".join(t.text or "" for t in [i]).strip() for i in element.iter(f"{W}instrText")]
    out += [(e.get(f"{W}instr") or "").strip() for e in element.iter(f"{W}fldSimple")]
    return out


def add_catalog_document(world, path: str, title: str, year: int) -> None:
    """A document in the catalog, so that citations of `path` have a title and a year."""
    from kvalitet.storage.db import DocumentRow

    with world.svc.db.session() as s:
        s.add(DocumentRow(path=path, sha256="0" * 64, doc_kind="verksamhetsplan_uppfoljning", year=year,
                          title=title, media_type="text/plain", records=1, warnings=[]))


def test_word_is_a4_swedish_with_title_page_contents_header_and_page_numbers(world):
    from docx.shared import Cm

    add_catalog_document(world, "2019-uppfoljning-verksamhetsplan.txt",
                         "Uppföljning av verksamhetsplan Barn- och ungdomsnämnden", 2019)
    rep, _ = reviewed_report(world, "verksamhetsplan_uppfoljning")
    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)

    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.05) and abs(section.page_height - Cm(29.7)) < Cm(0.05)
    assert abs(section.left_margin - Cm(2.5)) < Cm(0.01) and abs(section.top_margin - Cm(2.0)) < Cm(0.01)
    # Swedish everywhere: document defaults, every paragraph and character style, the theme
    styles = doc.styles.element
    default_lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default_lang.get(f"{W}val") == "sv-SE"
    for st in styles.findall(f"{W}style"):
        if st.get(f"{W}type") in ("paragraph", "character"):
            assert st.find(f"{W}rPr/{W}lang").get(f"{W}val") == "sv-SE", st.get(f"{W}styleId")
    assert doc.settings.element.find(f"{W}themeFontLang").get(f"{W}val") == "sv-SE"
    assert doc.core_properties.language == "sv-SE"
    # header: unit, report, year; footer: "Sida N av M" with PAGE and NUMPAGES; not on the title page
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == "Åbyskolan · Rapport 2024 för Åbyskolan"  # the year is in the title
    footer = section.footer
    assert footer.paragraphs[0].text.startswith("Sida ") and " av " in footer.paragraphs[0].text
    assert {"PAGE", "NUMPAGES"} <= set(field_instructions(footer._element))
    # the title page: report, kind, unit, year, date, status (a section still waits)
    paras = [p.text for p in doc.paragraphs]
    assert title_of(doc) == "Rapport 2024 för Åbyskolan"
    assert "Enhet: Åbyskolan" in paras and "År: 2024" in paras and "Status: Ej färdiggranskad" in paras
    assert any(re.fullmatch(r"Datum: \d{1,2} [a-zé]+ \d{4}", p) for p in paras)
    # a table of contents: a TOC field with the headings written out, each pointing at a bookmark
    body = doc.element.body
    toc = [i for i in field_instructions(body) if i.startswith("TOC")]
    assert toc and '\\o "2-3"' in toc[0]
    entries = [p for p in doc.paragraphs if re.fullmatch(r"toc \d", p.style.name.lower())]
    assert [p.text.split("\t")[0] for p in entries][:2] == [
        "Uppföljning av förvaltningens verksamhet och utveckling", "Förvaltningens verksamhet och utveckling"]
    marks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    refs = [i.split()[1] for i in field_instructions(body) if i.startswith("PAGEREF")]
    assert refs and set(refs) <= marks
    assert doc.settings.element.find(f"{W}updateFields").get(f"{W}val") == "true"
    assert any("Uppdatera fält" in p for p in paras)
    # tables repeat their header row on every page
    for table in doc.tables:
        assert table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None
        assert table.rows[1]._tr.find(f"{W}trPr/{W}tblHeader") is None
    # sources: numbered, with the document's title, year, where and the quoted words
    sources = [p for p in paras if re.match(r"\[\d+\]\t", p)]
    assert len(sources) == 4
    assert sources[0] == ("[1]\tUppföljning av verksamhetsplan Barn- och ungdomsnämnden (2019), rad 30–31: "
                          "”Q4 Pågående”")


def test_status_is_granskad_when_every_section_is_reviewed(world):
    rep = world.report(kind="aktivitetsuppfoljning", title="Allt granskat")
    it = world.ws.add_item(rep.id, {"activity": "A"}, world.rektor)
    a, b, c, d = world.ws.add_suggestions(rep.id, it.id, [
        suggestion("uppfoljning", "Klart."), suggestion("analys", "Avvisas."),
        suggestion("risker", "Inga risker."), suggestion("kostnader", "Inga kostnader.")], world.rektor)
    for x in (a, c, d):
        world.ws.accept(x.id, world.granskare, expected_version=x.version)
    world.ws.reject(b.id, world.granskare, expected_version=b.version)
    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    paras = [p.text for p in doc.paragraphs]
    assert "Status: Granskad" in paras and "Status: Ej färdiggranskad" not in paras
    assert doc.sections[0].header.paragraphs[0].text == "Åbyskolan · Allt granskat · 2024"
    md = world.ws.render(rep.id, "md", world.rektor)
    assert "Status: Granskad" in md and "inte färdiggranskad" not in md
    assert world.ws.get_report(rep.id, world.rektor).progress.all_reviewed


def test_a_section_without_text_is_not_reviewed_in_any_format(world):
    """Two approved sections, the other two never got text (nothing drafted, or a draft that
    left only a notice): the export says "Ej färdiggranskad" and how many sections have no
    text, as the page and the API (progress) count them."""
    rep = world.report(kind="aktivitetsuppfoljning", title="Två avsnitt saknar text")
    it = world.ws.add_item(rep.id, {"activity": "A"}, world.rektor)
    for x in world.ws.add_suggestions(rep.id, it.id, [suggestion("uppfoljning", "Klart."),
                                                      suggestion("analys", "Bra.")], world.rektor):
        world.ws.accept(x.id, world.granskare, expected_version=x.version)
    progress = world.ws.get_report(rep.id, world.rektor).progress
    assert progress.total == 4 and progress.sections == {"reviewed": 2, "empty": 2}
    assert progress.ready_to_publish and not progress.all_reviewed  # publishing is allowed, but not "all reviewed"
    md = world.ws.render(rep.id, "md", world.rektor)
    html = world.ws.render(rep.id, "html", world.rektor)
    paras = [p.text for p in docx_of(world.ws.export(rep.id, "docx", world.rektor).content).paragraphs]
    assert "Status: Ej färdiggranskad" in md and "2 avsnitt saknar text" in md
    assert "Status: Ej färdiggranskad" in html and "2 avsnitt saknar text" in html
    assert "Status: Ej färdiggranskad" in paras and "2 avsnitt saknar text. Endast godkänd text ingår." in paras


def test_empty_fields_left_out_and_open_sections_stated_in_every_format(world):
    """No "–" for a missing field; a rejected section and an undrafted core section say
    "Inget godkänt underlag" in Markdown, HTML and Word alike."""
    for kind in ("kvalitetsrapport", "aktivitetsuppfoljning", "verksamhetsplan_uppfoljning"):
        rep = world.report(kind=kind, title=f"Öppna avsnitt {kind}")
        it = world.ws.add_item(rep.id, {"activity": "Läsfrämjande insats", "perspective": "Medborgare"}, world.rektor)
        rej, = world.ws.add_suggestions(rep.id, it.id, [suggestion("risker", "Avvisad risk.")], world.rektor)
        world.ws.reject(rej.id, world.granskare, expected_version=rej.version)
        md = world.ws.render(rep.id, "md", world.rektor)
        html = world.ws.render(rep.id, "html", world.rektor)
        text = docx_text(docx_of(world.ws.export(rep.id, "docx", world.rektor).content))
        for out in (md, html, text):
            assert "Inget godkänt underlag" in out, kind
            assert "–" not in out.replace("Ej granskat – förslag", ""), kind
            assert "Avvisad risk" not in out
            assert "Status:" not in out.replace("Status: Ej färdiggranskad", "").replace("Status: Granskad", "")
        if kind == "kvalitetsrapport":
            # no development area: the insats names its heading, the perspective does not
            assert "## 1. Läsfrämjande insats" in md and "Medborgare" not in md
            assert "### Ansvar" not in md and "### Mål och förväntade effekter" not in md
            assert "### Risker" not in md and "## Risker" in md


def test_a_municipality_word_template_supplies_page_logo_header_and_styles(tmp_path):
    """kvalitetsrapport.docx in the templates dir: its page set-up, its logo and header, its
    styles and its opening text are used; the content, a page-numbered footer and Swedish come
    from us."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, RGBColor
    from PIL import Image

    custom = tmp_path / "kommunmallar"
    custom.mkdir()
    logo = tmp_path / "logga.png"
    Image.new("RGB", (120, 40), (0, 90, 160)).save(logo)
    base = Document()
    sec = base.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(3)
    header = sec.header.paragraphs[0]
    header.add_run().add_picture(str(logo), width=Cm(3))
    header.add_run(" Åby kommun")
    base.styles["Heading 2"].font.color.rgb = RGBColor(0x00, 0x5A, 0xA0)
    base.styles["Normal"].font.name = "Arial"
    base.add_paragraph("Barn- och utbildningsförvaltningen")
    base.save(custom / "kvalitetsrapport.docx")

    w = World(make_settings(tmp_path, templates_dir=custom))
    try:
        rep = w.report(kind="kvalitetsrapport", title="Kvalitetsrapport 2024")
        w.ws.add_item(rep.id, {"activity": "Insats ett", "area": "IT"}, w.rektor)
        doc = docx_of(w.ws.export(rep.id, "docx", w.rektor).content)
        section = doc.sections[0]
        assert abs(section.left_margin - Cm(3)) < Cm(0.01)  # the municipality's page set-up, not ours
        assert section.header.paragraphs[0].text.strip() == "Åby kommun"
        assert section.header._element.find(f".//{W}drawing") is not None  # the logo
        assert len(section.header.part.package.image_parts) >= 1
        assert doc.styles["Heading 2"].font.color.rgb == RGBColor(0x00, 0x5A, 0xA0)
        assert doc.styles["Normal"].font.name == "Arial"
        assert doc.paragraphs[0].text == "Barn- och utbildningsförvaltningen"
        assert title_of(doc) == "Kvalitetsrapport 2024"
        assert ("2", "1. Insatser inom ramen för utvecklingsområdet IT") in [
            (str(lvl), t) for lvl, t in headings(doc)]
        assert {"PAGE", "NUMPAGES"} <= set(field_instructions(section.footer._element))
        lang = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert lang.get(f"{W}val") == "sv-SE"
    finally:
        w.close()


def test_contents_name_numbered_generic_headings_by_the_activity(world):
    rep = world.report(kind="aktivitetsuppfoljning", title="Fjolåret 2024")
    for a in ("Minska frånvaron i årskurs 7–9", "Införa digitala läromedel"):
        world.ws.add_item(rep.id, {"activity": a}, world.rektor)
    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    entries = [p.text.split("\t")[0] for p in doc.paragraphs if re.fullmatch(r"toc \d", p.style.name.lower())]
    assert entries == ["Uppföljning av fjolårets planerade aktiviteter", "1. Minska frånvaron i årskurs 7–9",
                       "2. Införa digitala läromedel"]


def test_an_edit_without_markers_exports_what_the_reviewer_wrote_and_no_removed_source(world):
    """A reviewer rewrites a drafted analysis without any [n] marker: Markdown, HTML and Word show
    their text without a number and list none of the drafter's sources for it; an edit that keeps
    one of two markers keeps that source only. The drafter's text and sources stay on the row."""
    from tests.helpers.workspace import citation

    rep = world.report(kind="aktivitetsuppfoljning")
    it = world.ws.add_item(rep.id, {"activity": "Minska frånvaron"}, world.rektor)
    drafted = suggestion("analys", f"Närvaron följs upp per årskurs [{pid(5)}].", [])
    drafted.citations = [citation(5, quote="Borttagen källa om årskurser", path="2021-kvalitetsrapport.txt")]
    kept = suggestion("uppfoljning", f"Frånvaron minskade [{pid(6)}] och mentorerna ringer [{pid(7)}].", [])
    kept.citations = [citation(6, quote="Frånvaron minskade under våren"),
                      citation(7, quote="Bortvald källa om mentorer", path="2020-kvalitetsrapport.txt")]
    a, b = world.ws.add_suggestions(rep.id, it.id, [drafted, kept], world.rektor)
    edited = world.ws.edit(a.id, "Granskarens egen analys utan hänvisning.", a.version, world.granskare)
    partly = world.ws.edit(b.id, f"Frånvaron minskade enligt enkäten [{pid(6)}].", b.version, world.granskare)

    # the API: the edited text's sources only, not grounded when it cites none; the draft kept
    assert edited.citations == [] and edited.grounding.supported is False
    assert edited.original_text == f"Närvaron följs upp per årskurs [{pid(5)}]."
    assert [c.passage_id for c in edited.original_citations] == [pid(5)]
    again = world.ws.get_suggestion(a.id, world.rektor)
    assert again.citations == [] and again.grounding.supported is False
    assert [c.passage_id for c in partly.citations] == [pid(6)]
    assert [c.passage_id for c in partly.original_citations] == [pid(6), pid(7)]

    md = world.ws.render(rep.id, "md", world.rektor)
    assert "Granskarens egen analys utan hänvisning.\n" in md  # no [n] appended
    assert "Frånvaron minskade enligt enkäten [1]." in md
    kallor = md[md.index("## Källor"):]
    assert re.findall(r"^(\d+)\. ", kallor, re.M) == ["1"]
    assert "Frånvaron minskade under våren" in kallor
    for removed in ("Borttagen källa", "Bortvald källa", "följs upp per årskurs"):
        assert removed not in md
    page = world.ws.render(rep.id, "html", world.rektor)
    assert "<p>Granskarens egen analys utan hänvisning.</p>" in page
    assert "Borttagen källa" not in page and "Bortvald källa" not in page
    assert 'href="#kalla-2"' not in page

    doc = docx_of(world.ws.export(rep.id, "docx", world.rektor).content)
    paras = [p.text for p in doc.paragraphs]
    assert "Granskarens egen analys utan hänvisning." in paras
    assert "Frånvaron minskade enligt enkäten [1]." in paras
    text = docx_text(doc)
    assert "Borttagen källa" not in text and "Bortvald källa" not in text and "per årskurs" not in text
    assert [p for p in paras if re.match(r"\[\d+\]\t", p)] == [
        next(p for p in paras if p.startswith("[1]\t"))
    ]
