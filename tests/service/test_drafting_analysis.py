"""Drafts that help a principal write the analysis (issue 16), each example of the issue a test.

A small corpus written here (a follow-up table typed by the parser, a narrative report the parser
does not type), indexed with the hash embedder: the evidence judgements are lexical and by
target group, so they do not depend on the embedder. The LLM path runs against the fake server.
"""

from __future__ import annotations

import re

import pytest

from tests.fakes import FakeOpenAI
from kvalitet.domain.types import Citation, DraftRequest, Passage
from kvalitet.drafting.aggregate import aggregate
from kvalitet.drafting.evidence import Evidence, SectionEvidence, Vocabulary, audience, school_form
from kvalitet.drafting.extractive import DraftContext, ExtractiveGenerator
from kvalitet.drafting.grounding import check, norm
from kvalitet.drafting.notes import place, role_of
from kvalitet.drafting.series import with_values
from kvalitet.results.model import KOLADA_LABEL, Point, Series, ValueSource
from kvalitet.results.series import document_series
from tests.helpers.site import make_corpus, services_on

FOLLOW_UP = (
    "\n\nUppföljning av Utbildningsförvaltningens verksamhetsplan 2021\n\nBarn- och ungdomsnämnden\n\n"
    "Kommunövergripande mål: Attraktiv arbetsgivare\n\n"
    "Nämndmål\tAktivitet\tNämnd\tSlutfört\tStatus\tKommentar\n"
    "Goda arbetsplatser <i>Varje medarbetare känner arbetsglädje.</i>\tTa fram en rutin för kartläggning och "
    "åtgärder kopplat till medarbetarnas korttidsfrånvaro.\tBoU\tFörskjuts till 2022*\tKvarstår\tRutinen för "
    "korttidsfrånvaro har skjutits fram på grund av ekonomin.\n"
    "\tSe över rutiner för att förebygga och följa upp långtidssjukfrånvaro bland personalen.\tBoU\tDecember\t"
    "Genomfört\tRutinen är beslutad och används av alla chefer.\n\n"
    "Kommunövergripande mål: Stark och hållbar kunskapsutveckling\n\n"
    "Nämndmål\tAktivitet\tNämnd\tSlutfört\tStatus\tKommentar\n"
    "Trygghet <i>Alla elever känner sig trygga.</i>\tUtveckla närvaroarbetet för elever i grundskolan.\tBoU\t"
    "Juni\tGenomfört\tNärvaron följs upp varje månad i elevhälsoteamet.\n"
    "\tInföra en närvarotrappa för elever med upprepad frånvaro.\tBoU\tFörskjuts till 2022*\tKvarstår\t"
    "Införandet sköts upp på grund av ekonomin och kommer i stället att ske under våren.\n"
    "\tFölja upp elevernas frånvaro varje månad på skolorna.\tBoU\tDecember\tPågående\tUppföljningen har "
    "börjat på fyra skolor.\n"
    "\tUtveckla undervisningen i matematik i förskoleklass.\tBoU\tFörskjuts till 2022*\tKvarstår\t"
    "Aktiviteten har skjutits fram på grund av personalbrist bland lärarna.\n"
    "\tUtveckla språkutvecklande arbetssätt i förskolan.\tBoU\tDecember\tPågående\tPedagogerna har gått en "
    "kurs om högläsning.\n"
    "\tInföra digitala nationella prov i årskurs 9.\tBoU\tDecember\tPågående\tFörberedelser gällande teknik "
    "och kompetensutveckling inför införandet av digitala nationella prov pågår på alla skolor, och den "
    "avgörande frågan om elevdatorer räcker till alla klasser samtidigt är ännu inte löst.\n"
)
NARRATIVE = (
    "Verksamhetsberättelse 2022 för barn- och utbildningsnämnden\n\nEkonomi\n\n"
    "Matematiksatsningen i grundskolan kostade 100 tkr under året och finansierades med statsbidrag.\n\n"
    "Lokaler\n\nLokalförsörjningsplanen för förskolorna togs fram under hösten och arbetet med planen kostade "
    "250 tkr. Bristen på förskoleplatser i centrum är den största risken för planen, eftersom nya lokaler tar "
    "flera år att bygga.\n"
)
PUPILS = DraftRequest(
    activity="Minska den upprepade frånvaron bland eleverna i åk 7–9", status="Pågående",
    notes="Andelen elever med mer än 10 % frånvaro har minskat från 14 % till 11 %. Närvarotrappan fungerar "
          "bra men mentorerna hinner inte ringa hem i tid.",
)
STAFF = DraftRequest(
    activity="Minska sjukfrånvaron bland medarbetarna",
    notes="18 av 24 medarbetare har deltagit i friskvårdssatsningen.",
)


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    s = services_on(make_corpus(tmp_path_factory.mktemp("analysis"), texts={
        "2021-uppfoljning-verksamhetsplan-mini.txt": FOLLOW_UP, "2022-verksamhetsberattelse-mini.txt": NARRATIVE}))
    yield s
    s.close()


def texts_of(draft) -> dict[str, str]:
    return {sec.kind: "\n".join(s.text for s in sec.suggestions) for sec in draft.sections}


def cited(draft, kind=None) -> list[Passage]:
    return [c for sec in draft.sections if kind in (None, sec.kind) for s in sec.suggestions for c in s.citations]


def passages(svc, draft, kind=None) -> list[Passage]:
    return [svc.retriever.passage(c.passage_id) for c in cited(draft, kind)]


# -- the principal's notes: placed once, numbers compared ----------------------------------------
def test_notes_go_to_one_section_each_and_numbers_are_compared(svc):
    d = svc.drafter.draft(PUPILS)
    t = texts_of(d)
    first, second = ("Andelen elever med mer än 10 % frånvaro har minskat",
                     "Närvarotrappan fungerar bra men mentorerna hinner inte ringa hem i tid")
    assert [k for k in t if first in t[k]] == ["uppfoljning"]
    assert [k for k in t if second in t[k]] == ["analys"]
    assert "har minskat med 3 procentenheter, från 14 % till 11 %" in t["uppfoljning"]
    # the analysis uses the change (not the note) and says what it means against the activity's aim
    assert "en minskning med 3 procentenheter, från 14 % till 11 %, vilket går i den riktning som aktiviteten " \
           "syftar till" in t["analys"]
    assert first not in t["analys"]
    for s in (s for sec in d.sections for s in sec.suggestions):
        assert s.grounding.supported, (s.kind, s.grounding.unsupported)
    (upp,) = [sec for sec in d.sections if sec.kind == "uppfoljning"]
    assert "3 procentenheter = 14 % − 11 %" in upp.suggestions[0].grounding.derived


def test_a_change_is_judged_only_against_the_measure_it_is_about(svc):
    """"Öka elevernas närvaro" with "Den ogiltiga frånvaron har minskat från 14 % till 11 %": less
    absence is more presence, so the change goes the way the activity means (found by a new-user
    trial that got "motsatt riktning"); a change of another measure gets no verdict at all."""
    from kvalitet.drafting.notes import Change, measure_relation, verdict

    presence = DraftRequest(activity="Öka elevernas närvaro på högstadiet", sections=["analys"],
                            notes="Den ogiltiga frånvaron har minskat från 14 % till 11 %.")
    t = texts_of(svc.drafter.draft(presence))["analys"]
    assert "en minskning med 3 procentenheter, från 14 % till 11 %, vilket går i den riktning som aktiviteten " \
           "syftar till" in t
    assert "motsatt riktning" not in t and "fel håll" not in t
    change = lambda note, a, b: Change(a, b, True, note)  # noqa: E731
    assert measure_relation("Öka andelen behöriga lärare", change("Andelen obehöriga lärare har minskat från 20 % "
                                                                  "till 15 %.", 20, 15)) == "inverse"
    assert verdict("Öka andelen behöriga lärare", change("Andelen obehöriga lärare har minskat från 20 % till 15 %.",
                                                         20, 15), "upp") is True
    other = change("Kostnaderna har ökat från 10 till 12 mnkr.", 10, 12)
    assert measure_relation("Minska sjukfrånvaron bland medarbetarna", other) is None
    assert verdict("Minska sjukfrånvaron bland medarbetarna", other, "ned") is None
    fewer = change("Andelen elever som tar examen inom fyra år har minskat från 78 % till 74 %.", 78, 74)
    assert verdict("Fler unga ska ta en gymnasieexamen", fewer, "upp") is False
    costs = DraftRequest(activity="Minska sjukfrånvaron bland medarbetarna", sections=["analys"],
                         notes="Kostnaderna för vikarier har ökat från 10 till 12 mnkr.")
    t = texts_of(svc.drafter.draft(costs))["analys"]
    assert "riktning" not in t and "fel håll" not in t


def test_eighteen_of_twentyfour_appears_once(svc):
    d = svc.drafter.draft(STAFF)
    t = texts_of(d)
    assert sum(v.count("18 av 24 medarbetare") for v in t.values()) == 1
    assert "18 av 24 medarbetare (75 %)" in t["uppfoljning"]


def test_note_roles():
    assert role_of("Andelen elever med mer än 10 % frånvaro har minskat från 14 % till 11 %.") == "fact"
    assert role_of("Närvarotrappan fungerar bra men mentorerna hinner inte ringa hem i tid.") == "judgement"
    assert role_of("Vi är oroliga att bidraget försvinner.") == "risk"
    assert role_of("Mentorsutbildningen kostade 40 tkr.") == "cost"
    # a section not asked for: the sentence goes to the nearest one that is
    plan = place("Mentorsutbildningen kostade 40 tkr.", None, ["analys"])
    assert [s.section for s in plan.sentences] == ["analys"]


# -- similar means the same meaning and target group ---------------------------------------------
def test_pupils_absence_never_cites_staff_sick_leave(svc):
    d = svc.drafter.draft(PUPILS)
    ps = passages(svc, d)
    assert ps and not any("korttidsfrånvaro" in p.text or "sjukfrånvaro" in p.text for p in ps)
    assert any("närvarotrappa" in (p.activity or "") for p in ps)


def test_staff_sick_leave_finds_its_two_similar_activities(svc):
    d = svc.drafter.draft(STAFF)
    upp = {p.activity for p in passages(svc, d, "uppfoljning")}
    assert any("korttidsfrånvaro" in (a or "") for a in upp)
    assert any("långtidssjukfrånvaro" in (a or "") for a in upp)
    assert not any("elever" in (a or "") for a in upp)
    (sec,) = [s for s in d.sections if s.kind == "uppfoljning"]
    assert sec.notice is None
    assert texts_of(d)["uppfoljning"].startswith("Av två liknande aktiviteter i tidigare uppföljningar 2021")


def test_target_group_and_school_form():
    assert audience("Minska sjukfrånvaron bland medarbetarna") == "personal"
    assert audience("Minska frånvaron bland eleverna") == "elever"
    assert school_form("Språkutveckling i förskolan") == "forskola"
    assert school_form("Matematik i förskoleklass") == "skola"


# -- aggregates: each count cites its rows --------------------------------------------------------
def _row(i: int, year: int, status: str, comment: str | None = None, postponed: bool = False) -> Passage:
    name = f"Närvaroarbete på skola {'ABCDEF'[i - 1]}"  # no digits: the counts must come from the citations
    return Passage(id=f"p_row{i}", text=f"Aktivitet: {name}. Status: {status}.", doc_path="u.txt",
                   doc_kind="verksamhetsplan_uppfoljning", year=year, section_kind="aktivitet",
                   activity=name, status=status, comment=comment, postponed=postponed)


def test_the_aggregate_of_the_issue_cites_each_count():
    rows = [_row(1, 2019, "Genomfört"), _row(2, 2020, "Genomfört"), _row(3, 2021, "Klart"), _row(4, 2022, "Genomfört"),
            _row(5, 2020, "Kvarstår", "Sköts upp av ekonomiska skäl."),
            _row(6, 2021, "Pausad", "Pausad i väntan på budget.")]
    text = aggregate(rows).sentence()
    assert text == ("Av sex liknande aktiviteter i tidigare uppföljningar 2019–2022 genomfördes fyra "
                    "[p_row1, p_row2, p_row3, p_row4]; två sköts upp eller kvarstod [p_row5, p_row6], "
                    "i båda fallen med hänvisning till ekonomin.")
    by_id = {p.id: p for p in rows}
    g = check(text, [Citation(passage_id=p.id, quote=p.text, source=p.source) for p in rows], by_id.get)
    assert g.supported, g.unsupported
    assert {"sex = 6 citerade rader", "fyra = 4 citerade rader", "två = 2 citerade rader"} <= set(g.derived)
    # a count that its citations do not carry is flagged
    g = check(text.replace("fyra", "fem"), [], by_id.get)
    assert "siffra: fem" in g.unsupported


def test_indicator_records_are_used_when_present(svc):
    """Indicator rows (outcome against target over years) as a recogniser would give them."""

    class Indicator(Passage):
        indicator: str | None = None
        outcome: str | None = None
        target: str | None = None
        period: str | None = None

    pts = [Indicator(id=f"p_ind{y}", text=f"Andel elever med hög närvaro. Utfall {y}: {o} %. Målvärde: 90 %.",
                     doc_path=f"{y}-mal.xlsx", doc_kind="okand", year=y, section_kind="indikator",
                     indicator="Andel elever med hög närvaro", outcome=f"{o} %", target="90 %", period=str(y))
           for y, o in ((2021, 81), (2022, 84))]
    series = document_series(pts)  # the one series model (kvalitet.results)
    assert [pt.value_raw for pt in series[0].points] == ["81 %", "84 %"]
    by_id = {p.id: p for p in pts}
    vocab = Vocabulary.of(svc.index)
    req = DraftRequest(activity="Öka närvaron bland eleverna", sections=["uppfoljning", "analys"])
    ev = {k: SectionEvidence(k, [Evidence(p, 1.0, 5.0, "sok", [], True) for p in pts]) for k in req.sections}
    ctx = DraftContext.build(req, ev, list(req.sections), [with_values(series[0], by_id.get)])
    gen = ExtractiveGenerator(vocab)
    (upp,) = gen.generate("uppfoljning", req, ev["uppfoljning"], ctx)
    assert ("Indikatorn »Andel elever med hög närvaro« hade utfallet 81 % (2021) och 84 % (2022) "
            "[p_ind2021, p_ind2022], mot målvärdet 90 %.") in upp.text
    (ana,) = gen.generate("analys", req, ev["analys"], ctx)
    assert "ligger under målvärdet [p_ind2022]" in ana.text and "Målvärdet är ännu inte nått" in ana.text
    for prop in (upp, ana):
        g = check(prop.text, prop.citations, by_id.get, [req.activity])
        assert g.supported, g.unsupported


def test_kolada_values_are_written_with_their_source_and_pass_the_check(svc):
    """A Kolada series stands in no passage: its values name Kolada and are register facts the
    grounding check accepts; without them the same text is flagged."""
    kpi = "Elever i åk 9 som är behöriga till ett yrkesprogram, andel (%)"
    series = Series(id="k1", source_kind="kolada", title=kpi, unit="%", kpi_id="N15419", entity="Ekby",
                    points=[Point(year=y, period=str(y), value=v, source=ValueSource(kind="kolada", label=KOLADA_LABEL))
                            for y, v in ((2019, 78.0), (2023, 83.2))])
    drafted = with_values(series, lambda _pid: None)
    req = DraftRequest(activity="Öka behörigheten till gymnasiet", sections=["uppfoljning"])
    ev = SectionEvidence("uppfoljning", [])
    ctx = DraftContext.build(req, {"uppfoljning": ev}, ["uppfoljning"], [drafted])
    (upp,) = ExtractiveGenerator(Vocabulary.of(svc.index)).generate("uppfoljning", req, ev, ctx)
    assert (f"Enligt Kolada var »{kpi}« i Ekby 78\u00a0% 2019 och 83,2\u00a0% 2023. {KOLADA_LABEL}.") in upp.text
    assert check(upp.text, upp.citations, lambda _pid: None, [req.activity] + upp.support,
                 allow_uncited=upp.allow_uncited).supported
    flagged = check(upp.text, upp.citations, lambda _pid: None, [req.activity], allow_uncited=True)
    assert "siffra: 83,2 %" in flagged.unsupported


# -- risks specific to the activity ----------------------------------------------------------------
def test_risks_come_from_similar_activities_and_are_never_shared(svc):
    reqs = [PUPILS, STAFF, DraftRequest(activity="Utveckla matematikundervisningen i förskoleklass"),
            DraftRequest(activity="Ta fram en lokalförsörjningsplan för förskolorna"),
            DraftRequest(activity="Utveckla samarbetet med universitet kring verksamhetsförlagd utbildning")]
    risk_ids = []
    for r in reqs:
        d = svc.drafter.draft(r.model_copy(update={"sections": ["risker"]}))
        risk_ids.append({c.passage_id for c in cited(d)})
    for i in range(len(risk_ids)):
        for j in range(i + 1, len(risk_ids)):
            assert not (risk_ids[i] & risk_ids[j]), (reqs[i].activity, reqs[j].activity)
    pupils = [svc.retriever.passage(pid) for pid in risk_ids[0]]
    assert any("närvarotrappa" in (p.activity or "") and "ekonomin" in (p.comment or "") for p in pupils)
    maths = [svc.retriever.passage(pid) for pid in risk_ids[2]]
    assert any("personalbrist" in (p.comment or "") for p in maths)
    premises = [svc.retriever.passage(pid) for pid in risk_ids[3]]
    assert any("Bristen på förskoleplatser" in p.text for p in premises)  # untyped text with a risk
    assert not risk_ids[4]  # nothing specific: a notice, not the general list


# -- whole sentences --------------------------------------------------------------------------------
def test_quotes_keep_the_deciding_words(svc):
    d = svc.drafter.draft(DraftRequest(activity="Förbereda digitala nationella prov i åk 9", sections=["uppfoljning"]))
    text = texts_of(d)["uppfoljning"]
    assert "inför införandet av digitala nationella prov pågår på alla skolor" in text
    assert "är ännu inte löst" in text and "…«" not in text
    for c in cited(d):
        p = svc.retriever.passage(c.passage_id)
        assert norm(c.quote) in norm(p.text)


# -- untyped passages serve every section; nothing relevant is a notice -----------------------------
def test_untyped_text_serves_costs_and_a_wrong_cost_is_never_taken(svc):
    d = svc.drafter.draft(DraftRequest(activity="Ta fram en lokalförsörjningsplan för förskolorna",
                                       sections=["kostnader", "risker"]))
    t = texts_of(d)
    assert "250 tkr" in t["kostnader"] and "100 tkr" not in t["kostnader"]
    assert "Matematiksatsning" not in t["kostnader"]
    for s in (s for sec in d.sections for s in sec.suggestions):
        assert s.grounding.supported, s.grounding.unsupported


def test_a_section_with_nothing_relevant_has_a_notice_and_no_suggestion(svc):
    d = svc.drafter.draft(DraftRequest(activity="Utveckla samarbetet med universitet kring verksamhetsförlagd utbildning"))
    for sec in d.sections:
        assert sec.suggestions == [] and sec.notice and sec.notice.startswith("Inget förslag:")
    data = d.model_dump(mode="json")
    assert all(s["notice"] for s in data["sections"])


def test_notes_only_in_a_section_say_so_and_never_carry_facts_or_costs_into_risks(svc):
    """Only Risker asked for, nothing relevant in the index: the suggestion is the principal's own
    risk sentence, not their facts or costs relabelled as risks, and the notice says the suggestion
    rests on the notes alone instead of "Inget förslag" beside a suggestion."""
    notes = ("Av 40 studenter fick 31 en handledare i tid. Handledarutbildningen kostade 60 tkr. "
             "Vi är oroliga att högskolan drar ner på antalet platser.")
    d = svc.drafter.draft(DraftRequest(activity="Utveckla samarbetet med universitet kring verksamhetsförlagd utbildning",
                                       notes=notes, sections=["risker"]))
    (sec,) = d.sections
    (sg,) = sec.suggestions
    assert "drar ner på antalet platser" in sg.text
    assert "31" not in sg.text and "60 tkr" not in sg.text
    assert sec.notice and not sec.notice.startswith("Inget förslag")
    assert "bygger bara på dina egna anteckningar" in sec.notice
    from kvalitet.cli.draft import format_draft  # the CLI does not claim sources it does not have

    shown = format_draft(d)
    assert "bygger bara på rektorns anteckningar" in shown and "källorna bär texten" not in shown
    plan = place(notes, "Pågående", ["risker"])
    assert [(x.role, x.section) for x in plan.sentences] == [("risk", "risker")]
    assert plan.status_section is None


def university_item(svc, admin_name: str):
    """(workspace, an admin named `admin_name`, a 2023 quality report of Skola A, its one item: an
    activity the corpus has no evidence for, so drafting it gives notices)."""
    from kvalitet.workspace.auth import User

    ws = svc.workspace
    admin = ws.add_user(admin_name, "admin").user
    user = User(id=admin.id, name=admin.name, role="admin", unit=None)
    report = ws.create_report("Kvalitetsrapport", "kvalitetsrapport", 2023, "Skola A", user)
    item = ws.add_item(report.id, {"activity": "Utveckla samarbetet med universitet kring verksamhetsförlagd utbildning"},
                       user)
    return ws, user, report, item


def test_a_notice_can_never_be_accepted_into_a_report(svc):
    ws, user, report, item = university_item(svc, "rektor_notice")
    stored = ws.draft_item(report.id, item.id, None, user)
    assert stored == []  # nothing stored, so nothing can be accepted


def test_draft_notices_are_kept_with_the_item_until_a_suggestion_arrives(svc):
    """A notice (why a section got no suggestion) is stored with the item: the report read again
    says it; drafting the section again replaces it, a suggestion placed in the section drops it."""
    from kvalitet.domain.types import Citation, Grounding, Suggestion

    ws, user, report, item = university_item(svc, "rektor_notices")
    assert ws.draft_item(report.id, item.id, ["kostnader", "risker"], user) == []
    (read,) = ws.get_report(report.id, user).items
    assert set(read.draft_notices) == {"kostnader", "risker"}
    assert read.draft_notices["kostnader"].startswith("Inget förslag:")
    # another section drafted later leaves these notices standing
    ws.draft_item(report.id, item.id, ["analys"], user)
    (read,) = ws.get_report(report.id, user).items
    assert {"kostnader", "risker"} <= set(read.draft_notices)
    # a suggestion placed in a section (e.g. from the chat) ends that section's notice
    pid = svc.retriever.search("risker", k=1)[0].passage.id
    quote = svc.retriever.passage(pid).text.split(".")[0]
    placed = Suggestion(id="s_placed", kind="risker", text=f"Egen risk [{pid}].", generator="chat",
                        citations=[Citation(passage_id=pid, quote=quote, source=svc.retriever.passage(pid).source)],
                        grounding=Grounding(supported=True))
    ws.add_suggestions(report.id, item.id, [placed], user)
    (read,) = ws.get_report(report.id, user).items
    assert "risker" not in read.draft_notices and "kostnader" in read.draft_notices


# -- the LLM path carries the same structure ---------------------------------------------------------
def test_llm_prompt_carries_facts_and_only_this_sections_notes(svc):
    seen = []

    def reply(body):
        user = body["messages"][-1]["content"]
        seen.append(user)
        ids = re.findall(r"p_[0-9a-f]{16}", user)  # evidence blocks and the aggregate's rows
        if "Resultat:" in body["messages"][0]["content"] and ids:
            return (f"Resultat: Frånvaron har minskat med 3 procentenheter. Orsaker: Närvarotrappan hjälper [{ids[0]}]. "
                    "Inför nästa år: arbetet fortsätter, och 40 % av mentorerna ska ringa hem.")
        return f"Liknande arbete har följts upp [{ids[0]}]." if ids else "Underlaget är tunt."

    with FakeOpenAI(handler=reply) as srv:
        view = svc.with_settings(llm_base_url=srv.base_url, llm_timeout=60.0)
        d = view.drafter.draft(PUPILS.model_copy(update={"sections": ["uppfoljning", "analys"]}), generator="llm")
    upp_prompt, ana_prompt = seen
    assert "Andelen elever med mer än 10 % frånvaro har minskat med 3 procentenheter" in upp_prompt
    assert "Närvarotrappan fungerar bra" not in upp_prompt
    assert "Närvarotrappan fungerar bra" in ana_prompt and "Andelen elever med mer än 10 %" not in ana_prompt
    assert "Rektorns siffror visar en minskning med 3 procentenheter, från 14 % till 11 %" in ana_prompt
    assert "Sammanställt ur underlaget" in upp_prompt and "liknande aktiviteter" in upp_prompt
    (ana,) = [s for sec in d.sections if sec.kind == "analys" for s in sec.suggestions]
    assert ana.generator == "llm" and not ana.grounding.supported
    assert ana.grounding.unsupported == ["siffra: 40 %"]  # 3 procentenheter is derived from the notes


def test_llm_citing_a_passage_it_was_not_shown_is_flagged(svc):
    other = next(p for p in svc.index.snapshot().ordered if "korttidsfrånvaro" in p.text)

    def reply(body):
        ids = re.findall(r'<<<UNDERLAG id="(p_[0-9a-f]+)"', body["messages"][-1]["content"])
        return f"Närvaroarbetet har följts upp [{ids[0]}]. Personalens frånvaro kartlades också [{other.id}]."

    with FakeOpenAI(handler=reply) as srv:
        view = svc.with_settings(llm_base_url=srv.base_url, llm_timeout=60.0)
        d = view.drafter.draft(PUPILS.model_copy(update={"sections": ["uppfoljning"]}), generator="llm")
    (s,) = d.sections[0].suggestions
    assert not s.grounding.supported
    assert s.grounding.unsupported == [f"källa utanför underlaget: {other.id}"]


# -- kvalitet eval drafting ---------------------------------------------------------------------------
def test_eval_drafting_command(svc, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from kvalitet.cli import app

    cases = [
        {"name": "elever", "split": "tune", "topic": "franvaro", "activity": PUPILS.activity, "notes": PUPILS.notes,
         "expected": ["närvarotrappa"], "acceptable": ["närvaro", "frånvaro"], "wrong": ["korttidsfrånvaro"]},
        {"name": "personal", "split": "heldout", "topic": "sjukfranvaro", "activity": STAFF.activity,
         "notes": STAFF.notes, "expected": ["korttidsfrånvaro", "långtidssjukfrånvaro"], "acceptable": [],
         "wrong": ["närvarotrappa"]},
    ]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    s = svc.settings
    monkeypatch.setenv("KVALITET_INDEX_DIR", str(s.index_dir))
    monkeypatch.setenv("KVALITET_CORPUS_DIR", str(s.corpus_dir))
    monkeypatch.setenv("KVALITET_EMBEDDER", s.embedder)
    r = CliRunner().invoke(app, ["eval", "drafting", str(path), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    total = out["total"]
    assert total["cases"] == 2 and out["tune"]["cases"] == 1 and out["heldout"]["cases"] == 1
    assert total["citation_precision"] == 1.0 and total["expected_recall"] == 1.0
    assert total["notes_placed_once"] == 1.0 and total["notes_in_more_than_one_section"] == 0
    assert total["grounding_failures"] == 0 and total["shared_risk_texts"] == 0
    assert total["p95_ms"] >= total["p50_ms"] > 0
    # results over the years: this corpus has no indicator rows, so no case has a series to cite
    assert (total["cases_with_series"], total["cases_citing_series"]) == (0, 0)
    assert all(c["series"] == [] and c["series_cited"] == [] for c in out["cases"])
    r = CliRunner().invoke(app, ["eval", "drafting", str(path), "--split", "tune"])
    assert r.exit_code == 0 and "| tune | 1 | 1.000 | 1.000 |" in r.output and "| results cited |" in r.output
    # the relevance model is fitted over a language model's index only; the hash index says so
    out_file = tmp_path / "model.json"
    r = CliRunner().invoke(app, ["eval", "fit-relevance", str(path), "--out", str(out_file)])
    assert r.exit_code == 2 and "e5" in r.output and "kunde inte anpassas" in r.output and not out_file.exists()
    r = CliRunner().invoke(app, ["eval", "fit-relevance", str(path), "--split", "heldout9"])
    assert r.exit_code == 2 and "inga fall" in r.output


# -- meaning beside words (a language model's vectors) -------------------------------------------
ROWS = [  # (activity, status, comment) of one follow-up table, many subjects
    ("Se över rutinerna för långtidssjukfrånvaro bland personalen.", "Genomfört", "Rutinen är beslutad."),
    ("Kartlägga hur eleverna tar sig till och från skolan varje dag.", "Genomfört", "Hälften skjutsas med bil."),
    ("Införa en närvarotrappa för elever med upprepad frånvaro.", "Pågående", "Trappan används på två skolor."),
    ("Utveckla undervisningen i matematik i förskoleklass.", "Kvarstår", "Skjuts upp till våren."),
    ("Införa digitala nationella prov i årskurs 9.", "Pågående", "Förberedelser pågår."),
    ("Ta fram en lokalförsörjningsplan för förskolorna.", "Genomfört", "Planen antogs i maj."),
    ("Stärka elevhälsans förebyggande arbete.", "Pågående", "Elevhälsoteamet träffas varje vecka."),
    ("Utbilda barnskötare i förskolan.", "Genomfört", "Tolv barnskötare har gått kursen."),
    ("Öka andelen legitimerade lärare.", "Pågående", "Andelen är 81 procent."),
    ("Upphandla ett nytt journalsystem för elevhälsan.", "Kvarstår", "Upphandlingen är överklagad."),
    ("Införa läsombud på förskolorna.", "Genomfört", "Alla förskolor har ett läsombud."),
    ("Utveckla studie- och yrkesvägledningen i åk 8.", "Pågående", "PRAO genomförs i vår."),
    ("Minska kostnaderna för skolskjuts.", "Kvarstår", "Nytt avtal börjar gälla i januari."),
    ("Förbättra mottagandet av nyanlända elever.", "Genomfört", "Mottagningsenheten har öppnat."),
    ("Stärka rektorernas pedagogiska ledarskap.", "Pågående", "Nätverket träffas varje månad."),
    ("Öka tryggheten i korridorerna på högstadiet.", "Pågående", "Rastvärdar finns i alla korridorer."),
    ("Erbjuda lovskola i matematik.", "Genomfört", "Trettio elever deltog."),
    ("Utveckla fritidshemmets undervisning.", "Pågående", "Planeringstid har schemalagts."),
    ("Införa en digital plattform för dokumentation i förskolan.", "Kvarstår", "Upphandlingen är försenad."),
    ("Öka elevernas inflytande i klassråden.", "Genomfört", "Klassråden hålls varje månad."),
    ("Minska matsvinnet i skolrestaurangerna.", "Pågående", "Svinnet vägs varje vecka."),
    ("Utveckla samverkan med socialtjänsten kring elever i riskzonen.", "Pågående", "Möten hålls varje månad."),
    ("Införa tecken som stöd i förskolan.", "Genomfört", "Personalen har utbildats."),
    ("Korta kön till kulturskolan.", "Kvarstår", "Kön är oförändrad."),
]


def _rows_corpus(root, embedder: str):
    from kvalitet.container import Services
    from kvalitet.settings import Settings

    corpus = root / "corpus"
    corpus.mkdir()
    table = "".join(f"{a}\t{s}\t{c}\n" for a, s, c in ROWS)
    (corpus / "2022-uppfoljning-verksamhetsplan-rader.txt").write_text(
        "\n\nUppföljning av verksamhetsplan 2022\n\nBarn- och utbildningsnämnden\n\nAktivitet\tStatus\tKommentar\n"
        + table, encoding="utf-8")
    s = Services(Settings(index_dir=root / "index", corpus_dir=corpus, embedder=embedder))
    report = s.ingest()
    assert not report.skipped and report.passages >= len(ROWS), report
    return s


@pytest.fixture(scope="module")
def rows_e5(tmp_path_factory):
    s = _rows_corpus(tmp_path_factory.mktemp("rows_e5"), "e5")  # a language model: needed for meaning
    yield s
    s.close()


@pytest.fixture(scope="module")
def rows_hash(tmp_path_factory):
    s = _rows_corpus(tmp_path_factory.mktemp("rows_hash"), "hash")
    yield s
    s.close()


SICK = DraftRequest(activity="Minska personalens sjukskrivningar", sections=["uppfoljning"])


def _judged(svc, req) -> dict[str, bool]:
    ev = svc.drafter.finder.gather(req, ["uppfoljning"])["uppfoljning"]
    return {e.passage.activity.rstrip("."): e.relevant for e in ev.items if e.passage.activity}


def test_similarities_come_from_the_index_vectors(rows_hash):
    snap = rows_hash.index.snapshot()
    rows = [p for p in snap.ordered if p.section_kind == "aktivitet"]
    cos = rows_hash.retriever.similarities("Minska matsvinnet i skolrestaurangerna", rows)
    assert set(cos) == {p.id for p in rows}
    best = max(cos, key=cos.__getitem__)
    assert snap.passages[best].activity.startswith("Minska matsvinnet")
    assert rows_hash.retriever.similarities("  ", rows) == {}
    assert rows_hash.retriever.semantic is False  # hash vectors share words, not meaning


def test_the_same_thing_in_other_words_is_found_by_meaning(rows_e5, rows_hash):
    """"sjukskrivningar" for "långtidssjukfrånvaro": no subject word in common. With e5 the row is
    evidence; with the hash embedder (words only) it is not; unrelated rows stay out either way."""
    assert rows_e5.retriever.semantic is True
    by_meaning = _judged(rows_e5, SICK)
    row = ROWS[0][0].rstrip(".")
    assert by_meaning[row] is True
    assert by_meaning["Minska matsvinnet i skolrestaurangerna"] is False
    assert sum(by_meaning.values()) == 1, by_meaning
    assert _judged(rows_hash, SICK).get(row) is not True
    draft = rows_e5.drafter.draft(SICK)
    quotes = [c.quote for c in cited(draft)]
    assert any("långtidssjukfrånvaro" in q or "Rutinen är beslutad" in q for q in quotes), quotes
    assert all(s.grounding.supported for sec in draft.sections for s in sec.suggestions)


def test_an_indicator_is_quoted_as_its_cited_row_names_it():
    """A series' title may be another document's wording ("… till yrkesprogram"); the draft quotes
    the indicator as the cited row writes it, so the quote stands in its source."""
    from kvalitet.domain.types import Source
    from kvalitet.drafting.series import DraftSeries, SeriesValue
    from kvalitet.results.model import Series

    row = Passage(id="p_row", text="Indikator: Andel elever i åk 9 behöriga till gymnasiets yrkesprogram. Utfall 2023: 86,5 %.",
                  doc_path="malrapport.xlsx", doc_kind="malrapport", section_kind="indikator", year=2023,
                  source=Source(path="malrapport.xlsx", line_start=7, line_end=7))
    series = Series(id="s1", source_kind="dokument", title="Andel elever i åk 9 behöriga till yrkesprogram")
    value = SeriesValue(year=2023, period="2023", value=86.5, shown="86,5 %", target=None, target_shown=None, passage=row)
    drafted = DraftSeries(series, [value])
    assert drafted.written_name == "Andel elever i åk 9 behöriga till gymnasiets yrkesprogram"
    text = ExtractiveGenerator._series_sentence(drafted)
    assert "»Andel elever i åk 9 behöriga till gymnasiets yrkesprogram«" in text
    assert check(text, [Citation(passage_id=row.id, quote=row.text, source=row.source)], {row.id: row}.get).supported
    same = DraftSeries(series.model_copy(update={"title": "Andel elever i åk 9 behöriga till gymnasiets yrkesprogram"}), [value])
    assert same.written_name == same.name
