"""kvalitet.ingest.recognise on Documents of other layouts than the cases: constructed blocks as a
DOCX, PDF or HTML reader gives them (headings with levels, tables with header rows, list items,
pages), and the vocabulary underneath."""

from __future__ import annotations

import pytest

from kvalitet.domain.types import DocumentText, Line
from kvalitet.domain.vocabulary import (
    header_field,
    is_committee,
    normalise_committee,
    normalise_status,
    status_in_text,
)
from kvalitet.ingest.model import Block, Document, number_blocks
from kvalitet.ingest.recognise import inspect_dict, recognise
from kvalitet.ingest.recognise.amounts import find_amounts, parse_amount
from kvalitet.ingest.recognise.meta import find_dates


def H(text, level=1, page=1):
    return Block(kind="heading", text=text, level=level, page=page)


def P(text, page=1):
    return Block(kind="paragraph", text=text, page=page)


def L(text, number=None, page=1):
    return Block(kind="list_item", text=text, level=0, number=number, page=page)


def T(rows, header_rows=1, page=1):
    return Block(kind="table", text="\n".join("\t".join(r) for r in rows), rows=rows, header_rows=header_rows, page=page)


def doc(*blocks, path="x.docx", metadata=None, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
    blocks = list(blocks)
    lines = number_blocks(blocks)
    return Document(path=path, media_type=media_type, blocks=blocks, lines=lines, metadata=metadata or {})


def kinds(p, kind):
    return [r for r in p.records if r.section_kind == kind]


# ------------------------------------------------------------------------------ tables by header


def test_activity_table_with_synonym_headers_and_merged_goal_cells():
    d = doc(
        H("Verksamhetsplan 2024 för Solbackens skola"),
        H("Trygghet och studiero", level=2),
        T([["Strategiskt mål", "Åtgärd", "Ansvarig", "Tidplan", "Bedömning", "Kommentarer"],
           ["Alla elever känner sig trygga", "Rastvärdar på alla raster", "Rektor", "HT 2024", "Påbörjad", ""],
           ["Alla elever känner sig trygga", "Trygghetsvandring med elevrådet", "Kurator", "VT 2024", "Klar",
            "Gjordes i mars."],
           ["", "Ny ordningsregel", "Lärarlaget", "2024-06", "Skjuts upp", ""]]),
    )
    p = recognise(d)
    acts = kinds(p, "aktivitet")
    assert [(a.goal, a.activity, a.responsible, a.deadline, a.status, a.status_raw) for a in acts] == [
        ("Alla elever känner sig trygga", "Rastvärdar på alla raster", "Rektor", "HT 2024", "Pågående", "Påbörjad"),
        ("Alla elever känner sig trygga", "Trygghetsvandring med elevrådet", "Kurator", "VT 2024", "Genomfört", "Klar"),
        ("Alla elever känner sig trygga", "Ny ordningsregel", "Lärarlaget", "2024-06", "Uppskjuten", "Skjuts upp"),
    ]
    assert (p.doc_kind, p.year, p.year_source) == ("verksamhetsplan", 2024, "text")
    # Each row cites its own line of the table.
    assert [a.source.line_start for a in acts] == [4, 5, 6]


def test_indicator_table_with_outcome_year_in_header():
    d = doc(
        H("Tertialrapport 2 2023"),
        T([["Nämndmål", "Nyckeltal", "Utfall 2023", "Målvärde", "Trend"],
           ["Ökad måluppfyllelse", "Andel behöriga till gymnasiet", "86,5 %", "90 %", "Gul"]]),
    )
    p = recognise(d)
    (ind,) = kinds(p, "indikator")
    assert (ind.goal, ind.indicator, ind.outcome, ind.target, ind.assessment, ind.period) == (
        "Ökad måluppfyllelse", "Andel behöriga till gymnasiet", "86,5 %", "90 %", "Gul", "2023")
    assert (p.doc_kind, p.period, p.year) == ("delarsrapport", "T2 2023", 2023)


def test_table_without_known_header_keeps_header_beside_each_row():
    d = doc(H("Elevhälsan"), T([["Skola", "Kurator (tim/v)", "Skolsköterska (tim/v)"],
                                ["Norrskolan", "20", "16"], ["Söderskolan", "12", "8"]]))
    p = recognise(d)
    texts = [r.text for r in p.records]
    assert texts == ["Skola: Norrskolan. Kurator (tim/v): 20. Skolsköterska (tim/v): 16.",
                     "Skola: Söderskolan. Kurator (tim/v): 12. Skolsköterska (tim/v): 8."]
    assert not kinds(p, "aktivitet")


def test_cost_table_in_a_budget_section_gives_costs_never_risks():
    d = doc(H("Budget och ekonomi"), T([["Post", "Belopp (tkr)"], ["Fortbildning", "450"], ["Läromedel", "1 250"]]))
    p = recognise(d)
    assert [(r.item, r.amount_tkr) for r in kinds(p, "kostnad")] == [("Fortbildning", 450.0), ("Läromedel", 1250.0)]
    assert not kinds(p, "risk")


def test_arshjul_table_with_nar_vad_vem():
    d = doc(H("Kvalitetsårets gång"), T([["När", "Vad", "Vem"], ["Januari", "Enkät till vårdnadshavare", "Rektor"]]))
    (step,) = kinds(recognise(d), "process")
    assert (step.month, step.activity, step.responsible) == ("Januari", "Enkät till vårdnadshavare", "Rektor")


# ------------------------------------------------------------------------------ sections and blocks


def test_sections_by_heading_level_and_kind_from_heading():
    d = doc(
        H("Kvalitetsredovisning förskolan Solrosen läsåret 2016–2017"),
        H("Resultat och måluppfyllelse", level=2), P("Barnen har utvecklat sitt språk."),
        H("Analys och bedömning", level=2), P("Arbetet med högläsning har gett effekt."),
        H("Hinder", level=3), P("Personalbrist under hösten."),
        H("Styrkor och svagheter", level=2), P("En styrka är samarbetet."),
    )
    p = recognise(d)
    assert [(r.section_kind, r.title) for r in p.records] == [
        ("uppfoljning", "Resultat och måluppfyllelse"), ("analys", "Analys och bedömning"),
        ("risk", "Hinder"), ("styrkor_svagheter", "Styrkor och svagheter"),
    ]
    assert (p.doc_kind, p.school_year, p.year) == ("kvalitetsrapport", "2016/17", 2017)
    assert [(o.level, o.title) for o in p.outline][:2] == [
        (1, "Kvalitetsredovisning förskolan Solrosen läsåret 2016–2017"), (2, "Resultat och måluppfyllelse")]


def test_passage_that_runs_over_a_page_cites_the_pages_its_text_is_on():
    d = doc(H("Uppföljning", page=3), P("Första stycket om läsning.", page=3), P("Fortsätter på nästa sida.", page=4))
    (r,) = recognise(d).records
    assert (r.source.page, r.source.page_end) == (3, 4)


def test_labelled_insats_block_in_list_items():
    d = doc(
        H("Utvecklingsområden 2025"),
        H("1. Matematik", level=2),
        P("Insats: Kollegialt lärande i matematikdidaktik."), P("Ansvarig: Förstelärare i matematik"),
        P("Kostnad: 1,5 miljoner kronor"), P("Status: Pågår"),
        H("Uppföljning", level=3), P("Halva kollegiet har gått modulen."),
    )
    p = recognise(d)
    (ins,) = kinds(p, "insats")
    assert (ins.activity, ins.responsible, ins.amount_tkr) == ("Matematik", "Förstelärare i matematik", 1500.0)
    (act,) = kinds(p, "aktivitet")
    assert (act.activity, act.responsible, act.status, act.status_raw) == (
        "Matematik", "Förstelärare i matematik", "Pågående", "Pågår")
    (cost,) = kinds(p, "kostnad")
    assert cost.amount_tkr == 1500.0
    (upp,) = kinds(p, "uppfoljning")
    assert upp.text == "Halva kollegiet har gått modulen."


def test_planning_rows_committee_first_or_last():
    d = doc(
        H("Uppdrag T1 2024"),
        P("Utreda skolskjutsarna (Kommunstyrelsen)"), P("Arbetet pågår."),
        P("(BiN & BoU) . Ta fram en plan för lokalförsörjning."), P("Uppdraget är klart."),
    )
    acts = kinds(recognise(d), "aktivitet")
    assert [(a.activity, a.committee, a.status) for a in acts] == [
        ("Utreda skolskjutsarna", "Kommunstyrelsen", "Pågående"),
        ("Ta fram en plan för lokalförsörjning.", "BiN, BoU", "Genomfört"),
    ]


def test_okand_document_still_gets_sections():
    p = recognise(doc(H("Anteckningar"), P("Vi träffades och pratade om läsning."), path="anteckningar.docx"))
    assert p.doc_kind == "okand" and [r.section_kind for r in p.records] == ["text"]
    assert p.year is None and p.year_source is None


# ------------------------------------------------------------------------------ amounts, years, statuses


@pytest.mark.parametrize(
    ("text", "item", "amount"),
    [
        ("Läxhjälp 350 tkr", "Läxhjälp", 350.0),
        ("Lärarlyftet 1,2 mnkr", "Lärarlyftet", 1200.0),
        ("Kostnaden för fortbildningen beräknas till 2,5 miljoner kronor.", "Kostnaden för fortbildningen", 2500.0),
        ("Licenser 250 000 kr", "Licenser", 250.0),
        ("Totalt 1 550 tkr", "Totalt", 1550.0),
    ],
)
def test_amounts_in_prose(text, item, amount):
    assert [(i, a) for i, a, _ in find_amounts(text)] == [(item, amount)]


def test_amount_cells():
    assert parse_amount("1 200") == 1200.0
    assert parse_amount("1,2 mnkr") == 1200.0
    assert parse_amount("Rektor") is None


@pytest.mark.parametrize(
    ("texts", "metadata", "path", "want"),
    [
        (["Kvalitetsrapport läsåret 2016–2017"], {}, "a.docx", (2017, "text", "2016/17", None)),
        (["Kvalitetsrapport 2016/17"], {}, "a.docx", (2017, "text", "2016/17", None)),
        (["Uppföljning T3 2022"], {}, "a.docx", (2022, "text", None, "T3 2022")),
        (["Delårsrapport augusti 2021"], {}, "a.pdf", (2021, "text", None, "delår augusti 2021")),
        (["Inget årtal här"], {"created": "2019-03-01T10:00:00"}, "a.docx", (2019, "metadata", None, None)),
        (["Inget årtal här"], {}, "rapport-2020.pdf", (2020, "filename", None, None)),
        (["Inget årtal här"], {}, "kvalitet_2018-19.pdf", (2019, "filename", "2018/19", None)),
        (["Inget årtal här"], {}, "rapport.pdf", (None, None, None, None)),
    ],
)
def test_years_and_periods(texts, metadata, path, want):
    d = find_dates(texts, metadata, path)
    assert (d["year"], d["year_source"], d["school_year"], d["period"]) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("Genomförd", ("Genomfört", None)), ("Klart", ("Genomfört", None)), ("Uppnått", ("Genomfört", None)),
        ("Slutförd", ("Genomfört", None)), ("Pågår", ("Pågående", None)), ("Påbörjad", ("Pågående", None)),
        ("Delvis genomförd", ("Delvis genomfört", None)), ("Ej startad", ("Ej påbörjad", None)),
        ("Skjuts upp", ("Uppskjuten", None)), ("Kvarstår", ("Kvarstår", None)), ("Pausad", ("Pausad", None)),
        ("Avslutad", ("Avslutad", None)), ("Ej genomfört", ("Ej genomfört", None)),
        ("Grön", (None, "Grön")), ("RÖD", (None, "Röd")), ("Något annat", (None, None)),
    ],
)
def test_status_normalisation(raw, want):
    assert normalise_status(raw) == want


def test_status_in_a_comment_and_committees_and_headers():
    assert status_in_text("Uppdraget är genomfört under året.")[0] == "Genomfört"
    assert status_in_text("Uppdraget pågår.")[0] == "Pågående"
    assert status_in_text("Vi har pratat om det.") == (None, None)
    assert normalise_committee("bin & BoU") == "BiN, BoU"
    assert normalise_committee("Tekniska nämnden") == "Tekniska nämnden"
    assert is_committee("BUN") and is_committee("Kommunstyrelsen") and not is_committee("Rektor")
    assert header_field("Utfall 2023") == ("outcome", "2023")
    assert header_field("Kostnad (tkr)") == ("amount", None)
    assert header_field("Målvärde")[0] == "target" and header_field("Klart")[0] == "deadline"
    assert header_field("Skola") == (None, None)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Verksamhetsberättelse 2022 Barn- och utbildningsnämnden", "verksamhetsberattelse"),
        ("Årsredovisning 2021", "verksamhetsberattelse"),
        ("Månadsrapport oktober 2022", "delarsrapport"),
        ("Kvalitetsredovisning för huvudmannen 2020", "kvalitetsrapport"),
        ("Protokoll Barn- och utbildningsnämnden 2023-03-14", "protokoll"),
        ("Kallelse till sammanträde", "protokoll"),
        ("Arbetsplan för Ekskolan 2023/24", "verksamhetsplan"),
        ("Årshjul för det systematiska kvalitetsarbetet", "arshjul"),
    ],
)
def test_doc_kinds_from_the_title(title, kind):
    assert recognise(doc(H(title), P("Text om verksamheten."))).doc_kind == kind


def test_inspect_shape():
    d = recognise(DocumentText(path="a.txt", lines=[Line(1, "Risker"), Line(2, "Hög sjukfrånvaro.")]))
    out = inspect_dict(d)
    assert set(out) == {"path", "media_type", "doc_kind", "title", "year", "year_source", "school_year", "period",
                        "outline", "records", "warnings"}
    (rec,) = out["records"]
    assert set(rec) == {"kind", "title", "text", "fields", "source"}
    assert rec["kind"] == "risk" and set(rec["source"]) == {"path", "page", "line_start", "line_end"}
    assert out["outline"] == [{"level": 1, "title": "Risker", "page": None, "line": 1}]


# ------------------------------------------------------------------------------ passages, inspect, eval


def test_identical_passages_are_capped_per_document():
    from kvalitet.domain.types import ParsedDocument, Record, Source
    from kvalitet.ingest.pipeline import to_passages
    from kvalitet.settings import Settings

    recs = [Record(section_kind="text", text="Samma stycke om och om igen.",
                   source=Source(path="x.docx", line_start=i + 1, line_end=i + 1)) for i in range(2000)]
    parsed = ParsedDocument(path="x.docx", doc_kind="okand", year=None, records=recs)
    passages = to_passages("x.docx", parsed, Settings(max_identical_passages=3, embedder="hash"))
    assert len(passages) == 3
    assert any("repeating the same text" in w for w in parsed.warnings)
    assert any(w.startswith("1997 stycken med samma text") for w in parsed.warnings)  # Swedish first
    parsed2 = ParsedDocument(path="y.docx", doc_kind="okand", year=None, records=[
        r.model_copy(update={"text": f"Stycke {i}."}) for i, r in enumerate(recs)])
    assert len(to_passages("y.docx", parsed2, Settings(max_passages_per_document=100, embedder="hash"))) == 100


def test_inspect_command_prints_the_documented_json(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from kvalitet.cli import app

    monkeypatch.setenv("KVALITET_INDEX_DIR", str(tmp_path / "idx"))
    a = tmp_path / "arshjul.txt"
    a.write_text("Årshjul 2024\n\nMånad\tAktivitet\tAnsvarig\nAugusti\tAnalys av resultat\tRektor\n", encoding="utf-8")
    b = tmp_path / "risker.txt"
    b.write_text("Risker\n\nHög sjukfrånvaro bland personalen.\n", encoding="utf-8")
    one = CliRunner().invoke(app, ["inspect", str(a), "--json"])
    assert one.exit_code == 0, one.output
    d = json.loads(one.output)
    assert (d["doc_kind"], d["year"], d["year_source"]) == ("arshjul", 2024, "text")
    (step,) = d["records"]
    assert step["kind"] == "process" and step["fields"] == {"activity": "Analys av resultat", "responsible": "Rektor",
                                                            "month": "Augusti"}
    assert step["source"] == {"path": str(a), "page": None, "line_start": 4, "line_end": 4}
    both = CliRunner().invoke(app, ["inspect", str(a), str(b), "--json"])
    assert both.exit_code == 0 and [x["records"][0]["kind"] for x in json.loads(both.output)] == ["process", "risk"]
    missing = CliRunner().invoke(app, ["inspect", str(tmp_path / "finns-inte.txt")])
    assert missing.exit_code == 2


def test_eval_extraction_counts_matches_misses_and_fields(tmp_path):
    import json

    from kvalitet.ops.extraction_eval import evaluate_dir
    from kvalitet.settings import Settings

    (tmp_path / "plan.txt").write_text(
        "Handlingsplan 2023\n\nMål\tAktivitet\tAnsvarig\tStatus\n"
        "Trygghet\tKartlägga otrygga platser\tEHT\tPågår\nNärvaro\tNy frånvarorutin\tRektor\tKlar\n\n"
        "Risker\n\nHög sjukfrånvaro.\n", encoding="utf-8")
    labels = {"file": "plan.txt", "doc_kind": "verksamhetsplan", "year": 2023, "records": [
        {"kind": "aktivitet", "fields": {"activity": "Kartlägga otrygga platser", "responsible": "EHT",
                                         "status": "Pågående", "status_raw": "Pågår"}},
        {"kind": "aktivitet", "fields": {"activity": "Ny frånvarorutin", "responsible": "Skolchef"}},
        {"kind": "aktivitet", "fields": {"activity": "Något som inte står där"}},
        {"kind": "risk", "title": "Risker", "text_contains": "Hög sjukfrånvaro", "fields": {}},
    ]}
    (tmp_path / "plan.txt.labels.json").write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    r = evaluate_dir(tmp_path, Settings(index_dir=tmp_path / "idx", embedder="hash"))
    assert r["documents"] == 1
    assert r["records"]["per_kind"]["aktivitet"] == {"labelled": 3, "predicted": 2, "matched": 2,
                                                     "recall": 0.6667, "precision": 1.0}
    assert r["records"]["per_kind"]["risk"]["recall"] == 1.0
    assert r["fields"]["per_field"]["responsible"] == {"right": 1, "total": 2, "accuracy": 0.5}
    assert r["doc_kind"]["accuracy"] == 1.0 and r["year"]["accuracy"] == 1.0
    assert [m["fields"]["activity"] for m in r["misses"]] == ["Något som inte står där"]
