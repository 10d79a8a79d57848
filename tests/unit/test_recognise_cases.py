"""The failing layouts of ../shared/cases/documents, each read as its README row says.

Each file stands for a kind of fault (other municipalities' layouts); these tests pin the right
reading through kvalitet.ingest.recognise, the path ingest and `kvalitet inspect` use."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvalitet.domain.types import DocumentText, ParsedDocument
from kvalitet.ingest.recognise import recognise
from tests.helpers.paths import REPO



def _cases() -> Path:
    """../shared/cases beside the checkout (`REPO.parent`), or
    beside a parent of it when the checkout is a worktree one level deeper."""
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent / "shared" / "cases").is_dir():
            return parent / "shared" / "cases"
    return REPO.parent / "shared" / "cases"


CASES = _cases() / "documents"


def read(name: str) -> ParsedDocument:
    path = CASES / name
    return recognise(DocumentText.from_text(name, path.read_text(encoding="utf-8")))


def of_kind(p: ParsedDocument, kind: str):
    return [r for r in p.records if r.section_kind == kind]


def test_the_cases_are_there():
    assert len(list(CASES.glob("*.txt"))) == 11


def test_stratsys_uppdrag_rows_with_committee_and_comment():
    p = read("stratsys-uppdrag.txt")
    acts = of_kind(p, "aktivitet")
    assert [(a.activity, a.committee, a.comment, a.status) for a in acts] == [
        ("Ta fram en långsiktig plan för kommunens förskole- och grundskolstruktur", "BUN",
         "Uppdraget är genomfört under året.", "Genomfört"),
        ("Utveckla en metodik så att barnkonventionen beaktas i alla politiska beslut.", "Tekniska nämnden",
         "Uppdraget pågår.", "Pågående"),
    ]
    assert (p.period, p.year, p.year_source) == ("T3 2022", 2022, "text")
    # Each row cites its own lines: the uppdrag and its comment.
    assert [(a.source.line_start, a.source.line_end) for a in acts] == [(2, 4), (6, 9)]


def test_nammdmal_indikator_table():
    p = read("nammdmal-indikator.txt")
    inds = of_kind(p, "indikator")
    assert [(r.goal, r.indicator, r.outcome, r.target, r.assessment, r.comment) for r in inds] == [
        ("Verksamheterna ska främja trygghet", "Andel elever som känner sig trygga", "84", ">80", "Grön",
         "Enkäten genomfördes i mars."),
        ("Fler legitimerade förskollärare", "Andel förskollärare med legitimation", "29,1 %", "33 %", "Röd",
         "Rekrytering pågår."),
    ]
    assert all(r.status is None for r in inds)  # Grön/Röd are assessments, not statuses
    assert not of_kind(p, "aktivitet")


def test_aktivitet_ansvarig_klart_table():
    p = read("aktivitet-ansvarig-klart.txt")
    acts = of_kind(p, "aktivitet")
    assert [(a.goal, a.activity, a.responsible, a.deadline, a.status, a.status_raw, a.comment) for a in acts] == [
        ("Ökad måluppfyllelse", "Införa läsfrämjande lektioner i åk 1-3", "Rektor", "Juni", "Genomfört", "Genomförd",
         "Alla klasser läser dagligen."),
        ("Trygghet", "Kartlägga otrygga platser", "EHT", "Oktober", "Pågående", "Pågår", "Enkät genomförd."),
        ("Närvaro", "Rutin för frånvarouppföljning", "Rektor", "December", "Ej påbörjad", "Ej påbörjad",
         "Skjuts till vt 2024."),
    ]
    assert all(a.committee is None for a in acts)  # "EHT" is a role, not a committee
    assert p.year == 2023


def test_okanda_statusord_kept_and_normalised():
    p = read("okanda-statusord.txt")
    acts = of_kind(p, "aktivitet")
    assert [(a.status_raw, a.status, a.assessment) for a in acts] == [
        ("Delvis genomförd", "Delvis genomfört", None),
        ("Uppnått", "Genomfört", None),
        ("Grön", None, "Grön"),
    ]
    assert [a.comment for a in acts] == [
        "Rutinen är beslutad men inte införd.", "Alla har gått utbildningen.", "Två är anställda.",
    ]
    assert {(a.perspective, a.committee) for a in acts} == {("Medborgare", "BUN")}


@pytest.mark.parametrize(
    ("name", "activities", "follow_ups", "analyses"),
    [
        ("utvecklingsomrade-block.txt", ["Språkutveckling", "Likabehandling"],
         ["Alla pedagoger har gått TAKK-utbildning.", "Planen har reviderats."],
         ["Barnen använder fler tecken i vardagen.", "Arbetet behöver fortsätta nästa år."]),
        ("aktivitet-utan-uppdrag.txt", ["Utbildning för barnskötare.", "Ny rutin för frånvaro."],
         ["Utbildningen är genomförd.", "Rutinen är beslutad."],
         ["Fler barnskötare har nu rätt kompetens.", "Frånvaron har minskat något."]),
    ],
)
def test_numbered_blocks_link_their_follow_up_and_analysis(name, activities, follow_ups, analyses):
    p = read(name)
    assert [a.activity for a in of_kind(p, "aktivitet")] == activities
    assert [(r.activity, r.text) for r in of_kind(p, "uppfoljning")] == list(zip(activities, follow_ups, strict=True))
    assert [(r.activity, r.text) for r in of_kind(p, "analys")] == list(zip(activities, analyses, strict=True))
    # No heading glued onto the previous analysis.
    assert not any("Aktivitet" in r.text or "Utvecklingsområde" in r.text for r in of_kind(p, "analys"))


def test_kvalitetsrapport_with_labelled_insatser():
    p = read("kr-utvecklingsomraden.txt")
    assert (p.doc_kind, p.year) == ("kvalitetsrapport", 2021)
    insatser = of_kind(p, "insats")
    assert [(r.activity, r.responsible, r.amount_tkr) for r in insatser] == [
        ("Ökad närvaro", "Rektor", 200.0), ("Läsförståelse", "Förstelärare", 150.0),
    ]
    assert "Insats: Rutin för frånvarouppföljning införs." in insatser[0].text
    # Each development area is also an activity with its responsible.
    assert [(r.activity, r.responsible) for r in of_kind(p, "aktivitet")] == [
        ("Ökad närvaro", "Rektor"), ("Läsförståelse", "Förstelärare")]
    assert [(r.item, r.amount_tkr) for r in of_kind(p, "kostnad")] == [("Ökad närvaro", 200.0), ("Läsförståelse", 150.0)]
    assert [r.text for r in of_kind(p, "risk")] == ["Hög personalomsättning."]


def test_costs_in_an_interim_report():
    p = read("kostnader-i-delarsrapport.txt")
    costs = of_kind(p, "kostnad")
    assert [(r.item, r.amount_tkr) for r in costs] == [("Läxhjälp", 350.0), ("Lärarlyftet", 1200.0), ("Totalt", 1550.0)]
    assert [r.text for r in of_kind(p, "risk")] == ["Svårt att rekrytera behöriga lärare."]
    assert not any(r.section_kind == "risk" for r in costs)
    assert (p.doc_kind, p.year, p.period) == ("delarsrapport", 2021, "delår augusti 2021")


def test_arshjul_table_gives_process_steps():
    p = read("arshjul-tabell.txt")
    steps = of_kind(p, "process")
    assert [(r.month, r.activity, r.responsible) for r in steps] == [
        ("Augusti", "Analys av vårens resultat", "Rektor"),
        ("September", "Verksamhetsplan upprättas", "Rektor"),
        ("Oktober", "Kvalitetsrapport sammanställs", "Skolchef"),
        ("November", "Beslut om kvalitetsrapport", "Nämnden"),
    ]
    assert p.doc_kind == "arshjul"


def test_headings_never_wrapped_lines_or_case_numbers():
    p = read("rubriker.txt")
    titles = [o.title for o in p.outline]
    assert titles == ["Resultat", "1 Revidering av driftbudget 2018", "Nämndens förslag till beslut"]
    assert not any("Trivselkväll" in t or t.startswith("Dnr") for t in titles)
    # The wrapped line stays one paragraph under Resultat.
    (res,) = [r for r in p.records if r.title == "Resultat"]
    assert res.text.startswith("Trivselkväll – där vårdnadshavare (vårdnadshavare) och vi tagit")


def test_a_page_on_one_line_is_split_into_its_sections():
    p = read("en-rad.txt")
    assert [o.title for o in p.outline] == ["Nämndens uppdrag", "Periodens händelser", "Ekonomi", "Mål och måluppfyllelse"]
    by_title = {r.title: r for r in p.records if r.title}
    assert by_title["Nämndens uppdrag"].text == "Nämnden ansvarar för förskola och grundskola."
    assert by_title["Mål och måluppfyllelse"].text == "Barn och unga har en trygg uppväxt."
    assert by_title["Ekonomi"].text == "Utfall (tkr) Intäkter Kostnader Nettokostnad"
    assert p.year == 2018
