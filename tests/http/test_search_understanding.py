"""Issue 15: search that understands a quality developer's question. Each example of the issue
is a test here (the sample corpus, e5 where the ranking matters; the hash embedder otherwise)."""

import functools
import json
import shutil
from pathlib import Path

import httpx
import pytest

from kvalitet.domain.types import Passage, SearchFilters
from kvalitet.domain.vocabulary import status_group
from kvalitet.errors import InvalidInput
from kvalitet.search.analysis import BM25Index
from kvalitet.search.index import Snapshot
from kvalitet.search.understanding import committee_set, understand
from tests.helpers.paths import CORPUS
from tests.helpers.server import running_server
from tests.helpers.cli import ingested_cli

CASES = Path("/work/shared/cases/inputs")
ANDE = """Uppföljning av fjolårets aktiviteter 2024

1. Uppdrag/Aktivitet

Motverka kränkningar på fritidshemmet

Uppföljning

Personalen har utrett varje anmälan om kränkande behandling inom två veckor.

Analys

Snabbare utredningar har gjort att eleverna litar mer på de vuxna.

2. Uppdrag/Aktivitet

Stärka elevhälsans arbete

Uppföljning

Det förebyggande och hälsofrämjande arbetet har fått en gemensam plan gällande hela skolan.

Analys

Ett fungerande samarbete och ett växande intresse bland lärarna gör planen bärande.
"""


# ---- the examples of the issue, on the sample corpus with e5 ------------------------------
def test_what_does_elevhalsan_cost_puts_the_cost_line_first(corpus_services):
    res = corpus_services.retriever.run("Vad kostar elevhälsan?", k=5)
    assert "Elevhälsopersonal 2 400 tkr" in res.hits[0].passage.text
    assert res.understood.kinds == ["kostnad"]
    assert res.as_json()["understood"]["kind"] == {"values": ["kostnad"], "applied": "boost"}


def test_risks_of_the_quality_report_come_first(corpus_services):
    res = corpus_services.retriever.run("Vilka risker nämndes för insatserna i kvalitetsrapporten?", k=5)
    assert res.hits[0].passage.section_kind == "risk"
    top4 = " ".join(h.passage.text for h in res.hits[:4])
    assert "många insatser planerade" in top4


def test_how_did_absence_go_2019_reads_the_year_and_finds_absence(corpus_services):
    r = corpus_services.retriever
    res = r.run("Hur gick arbetet med frånvaron 2019?", k=5)
    assert res.understood.years == [2019]
    assert res.as_json()["understood"]["year"]["values"] == [2019]
    top = res.hits[0].passage
    assert top.year == 2019 and "närvaron" in top.text
    undone = r.run("Hur gick arbetet med frånvaron 2019?", k=5, ignore={"year"})
    assert undone.understood.years == [] and "year" in undone.understood.ignored


@pytest.mark.parametrize("question,year", [
    ("Vilka beslut togs om frånvaron 2019?", [2019]), ("Vilka beslut togs om frånvaron?", []),
])
def test_a_question_finds_what_its_content_words_find(corpus_services, question, year):
    # "togs" frames the question, and a passage rarely writes its own year: neither may push
    # the 2019 activity on attendance below the relevance floor (both were "Inga träffar").
    r = corpus_services.retriever
    res = r.run(question, k=10)
    assert res.understood.years == year and not res.understood.documents
    texts = [h.passage.text for h in res.hits]
    assert any("Identifiera aktiviteter för att öka närvaron i skolan" in t for t in texts), texts
    if year:
        assert "Identifiera aktiviteter för att öka närvaron" in texts[0] and res.hits[0].passage.year == 2019
    content = {h.passage.id for h in r.run("frånvaron 2019" if year else "frånvaron", k=10).hits}
    assert {h.passage.id for h in res.hits[:1]} <= content


def test_a_word_every_document_writes_does_not_name_a_document(corpus_services):
    r = corpus_services.retriever
    # "förvaltningen" is in one document's title but in the text of all: the question's topic
    q = "vad gjorde förvaltningen mot kränkningar och för trygghet"
    res = r.run(q, k=10)
    assert not res.understood.documents and "document" not in res.as_json()["understood"]
    assert [h.passage.id for h in res.hits] == [h.passage.id for h in r.run(q, k=10, ignore={"document"}).hits]
    assert any("kränkningar" in h.passage.text for h in res.hits)
    # a word only a document's name has still names it
    named = r.run("kränkningar i Linköping", k=10)
    assert named.understood.best_documents() == ["2022-uppfoljning-verksamhetsplan-linkoping.txt"]


def test_a_question_that_names_nothing_keeps_todays_ranking(corpus_services):
    r = corpus_services.retriever
    q = "digital medarbetare i skolan"
    res = r.run(q, k=5)
    assert not res.understood
    assert [h.passage.id for h in res.hits][:3] == [h.passage.id for h in r.search(q, k=5)][:3]


@pytest.mark.parametrize("plain,accented", [
    ("forskolan", "förskolan"), ("maluppfyllelse", "måluppfyllelse"), ("vardnadshavare", "vårdnadshavare"),
])
def test_queries_without_accents_find_what_the_spelled_out_words_find(corpus_services, plain, accented):
    r = corpus_services.retriever
    lexical = r.run(plain, k=5, mode="bm25")
    assert lexical.hits, plain
    assert lexical.understood.accents == {plain: accented}
    want = {h.passage.id for h in r.run(accented, k=5, mode="bm25").hits}
    assert len(want & {h.passage.id for h in lexical.hits}) >= 3


def test_krankande_matches_only_krankande_not_every_ande_word(corpus_services):
    res = corpus_services.retriever.run("kränkande", k=10, mode="bm25")
    assert res.hits
    for h in res.hits:
        assert "kränk" in h.passage.text.lower(), h.passage.text[:120]
        assert "<mark>åtgärdande</mark>" not in h.snippet.lower() and "<mark>nuvarande</mark>" not in h.snippet.lower()


def test_a_nonsense_query_gets_no_hits_and_a_suggestion(corpus_services):
    res = corpus_services.retriever.run("xyzzy blorpfnurk kvackel", k=10)
    assert res.hits == [] and "Inga träffar" in res.suggestion
    assert corpus_services.retriever.run("Hur många hundar finns på Mars?", k=10).hits == []


# ---- duplicates, filters, errors (hash embedder) -------------------------------------------
@pytest.fixture
def twin_services(tmp_path):
    from kvalitet.container import Services
    from kvalitet.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "2024-uppfoljning.txt").write_text(ANDE, encoding="utf-8")
    (corpus / "2024-uppfoljning-kopia.txt").write_text(ANDE, encoding="utf-8")
    shutil.copy(CORPUS / "2019-uppfoljning-verksamhetsplan.txt", corpus)
    svc = Services(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, embedder="hash"))
    assert not svc.ingest().skipped
    yield svc
    svc.close()


def test_identical_files_collapse_into_one_hit_listing_every_source(twin_services):
    res = twin_services.retriever.run("utredning av kränkande behandling", k=5, mode="bm25")
    texts = [h.passage.text for h in res.hits]
    assert len(texts) == len(set(texts)), "no duplicate pairs"
    top = res.hits[0]
    assert "kränkande behandling" in top.passage.text
    assert {s.path for s in top.sources} == {"2024-uppfoljning.txt", "2024-uppfoljning-kopia.txt"}
    assert len(top.duplicates) == 1


def test_the_ande_case_file_finds_only_krankande(twin_services):
    res = twin_services.retriever.run("kränkande", k=10, mode="bm25")
    assert [h.passage.text for h in res.hits] == [
        "Personalen har utrett varje anmälan om kränkande behandling inom två veckor."]


REPORT = """Delårsrapport augusti 2022

Ekonomi

Prognosen efter augusti visar ett underskott på {amount} mnkr, främst inom skolskjutsar och tilläggsbelopp.

Personal

Sjukfrånvaron bland medarbetarna har ökat under våren.
"""


@pytest.fixture
def named_services(tmp_path):
    """Two municipalities' interim reports, alike but for the amount: only the file name says
    whose report it is."""
    from kvalitet.container import Services
    from kvalitet.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "norrsjo-delarsrapport-augusti-2022-bun.txt").write_text(REPORT.format(amount="4,6"), encoding="utf-8")
    (corpus / "tallmo-delarsrapport-augusti-2022-bun.txt").write_text(REPORT.format(amount="1,2"), encoding="utf-8")
    svc = Services(Settings(index_dir=tmp_path / "idx", corpus_dir=corpus, embedder="hash", doc_boost=1.0))
    assert not svc.ingest().skipped
    yield svc
    svc.close()


def test_a_question_naming_a_document_by_its_name_finds_that_document(named_services):
    r = named_services.retriever
    res = r.run("Vilket underskott visar prognosen i Norrsjö?", k=3, mode="bm25")
    # "Norrsjö" is in no passage, only in the file name: it names the document, and the
    # relevance floor counts it as matched there (without it, half the question is unmatched).
    assert res.understood.best_documents() == ["norrsjo-delarsrapport-augusti-2022-bun.txt"]
    assert res.as_json()["understood"]["document"]["words"] == ["norrsjö"]
    assert res.hits and "4,6 mnkr" in res.hits[0].passage.text
    undone = r.run("Vilket underskott visar prognosen i Norrsjö?", k=3, mode="bm25", ignore={"document"})
    assert not undone.understood.documents and "document" in undone.understood.ignored
    # a word in every document's name ("delårsrapport") names none
    assert not r.run("underskott i delårsrapporten", k=3, mode="bm25").understood.documents


def _snapshot(committees: list[str]) -> Snapshot:
    ps = [Passage(id=f"p{i}", text=f"text {i}", doc_path="a.txt", doc_kind="verksamhetsplan_uppfoljning",
                  section_kind="aktivitet", committee=c, status="Pågående", year=2022) for i, c in enumerate(committees)]
    return Snapshot.build(1, BM25Index.build([p.id for p in ps], [p.text for p in ps]), ps)


def test_committee_filter_is_exact_and_a_set():
    snap = _snapshot(["BUN", "UN", "BoU, BiN", "BiN", "Tekniska nämnden"])
    admitted = lambda v: [p.committee for p, m in zip(snap.ordered, snap.mask(SearchFilters(committee=v)), strict=True) if m]  # noqa: E731
    assert admitted("UN") == ["UN"]
    assert admitted("un") == ["UN"]
    assert admitted("BiN och BoU") == admitted("BoU, BiN") == admitted("BiN & BoU") == ["BoU, BiN"]
    assert admitted("BiN") == ["BoU, BiN", "BiN"]
    assert admitted("tekniska Nämnden") == ["Tekniska nämnden"]
    assert committee_set("BiN och BoU") == committee_set("BoU, BiN") == committee_set("BiN & BoU") == {"bin", "bou"}


def test_status_and_kind_filters_ignore_case_and_accents():
    snap = _snapshot(["BUN"])
    for v in ("pågående", "PÅGÅENDE", "pagaende"):
        assert snap.mask(SearchFilters(status=v)).all()


def test_one_status_written_many_ways_is_one_filter_value_and_one_facet():
    """"Pågår"/"Pågående"/"Påbörjad", "Klart"/"Genomförd"/"Avslutad", "Ej startad"/"Ej påbörjad"
    and "Kvarstår"/"Förskjuten"/"Pausad" are one status each for the filter and the facet;
    each passage keeps (and shows) its own wording."""
    from collections import Counter

    from kvalitet.domain.vocabulary import status_group
    from kvalitet.search.understanding import status_key
    from kvalitet.web.pages import status_options

    groups = {"Pågående": ("Pågående", "Pågår", "Påbörjad", "pågår."),
              "Genomfört": ("Genomförd", "Genomfört", "Klar", "Klart", "Avslutad"),
              "Ej påbörjad": ("Ej påbörjad", "Ej startad"),
              "Uppskjuten": ("Kvarstår", "Skjuten", "Förskjuten", "Pausad", "Uppskjuten")}
    for group, written in groups.items():
        assert {status_group(w) for w in written} == {group}, group
        assert len({status_key(w) for w in written}) == 1
    assert status_group("Delvis genomfört") is None and status_group("Ej genomfört") is None
    assert status_key("Delvis genomfört") != status_key("Genomfört")

    statuses = ["Pågår", "Pågår", "Pågående", "Klart", "Genomförd", "Delvis genomfört", "Kvarstår", "Pausad"]
    ps = [Passage(id=f"p{i}", text=f"text {i}", doc_path="a.txt", doc_kind="verksamhetsplan_uppfoljning",
                  section_kind="aktivitet", status=st, year=2022) for i, st in enumerate(statuses)]
    snap = Snapshot.build(1, BM25Index.build([p.id for p in ps], [p.text for p in ps]), ps)
    admitted = lambda v: [p.status for p, m in zip(snap.ordered, snap.mask(SearchFilters(status=v)), strict=True) if m]  # noqa: E731
    assert admitted("Pågående") == admitted("pågår") == admitted("Påbörjad") == ["Pågår", "Pågår", "Pågående"]
    assert admitted("Genomfört") == admitted("klar") == ["Klart", "Genomförd"]
    assert admitted("Delvis genomfört") == ["Delvis genomfört"]
    assert admitted("Uppskjuten") == ["Kvarstår", "Pausad"]
    # one facet value per status, written as the index writes it most often
    assert sorted(snap.values("status").values()) == ["Delvis genomfört", "Klart", "Kvarstår", "Pågår"]
    # the search page's status choices: one per status, labelled with every wording used
    options = status_options(Counter(statuses), status_key)
    assert options[:2] == [("Pågår", "Pågår / Pågående"), ("Klart", "Klart / Genomförd")]
    assert ("Delvis genomfört", "Delvis genomfört") in options and len(options) == 4


def test_unknown_kind_or_status_is_invalid_input_listing_the_valid_values(twin_services):
    r = twin_services.retriever
    with pytest.raises(InvalidInput) as e:
        r.run("frånvaro", filters=SearchFilters(section_kind="kostnader"))
    assert "kostnad" in e.value.message and "analys" in e.value.message and "kostnader" in e.value.message
    with pytest.raises(InvalidInput) as e:
        r.run("frånvaro", filters=SearchFilters(status="Halvklar"))
    assert "Pågående" in e.value.message
    hits = r.run("aktiviteter", filters=SearchFilters(status="pågående"), mode="bm25").hits
    assert hits and all(h.passage.status == "Pågående" for h in hits)


def test_an_unknown_committee_is_invalid_input_as_an_unknown_status_is(corpus_services):
    """committee=XYZ found nothing and said nothing (200, no hits) while status=XYZ was a 422:
    every filter field now refuses a value that is neither in the index nor a known one."""
    r = corpus_services.retriever
    have = sorted(corpus_services.index.snapshot().committees())
    assert have
    for f in ("committee", "status", "perspective", "section_kind", "doc_kind"):
        with pytest.raises(InvalidInput) as e:
            r.run("frånvaro", filters=SearchFilters(**{f: "XYZ"}))
        assert "»XYZ«" in e.value.message and "Giltiga värden:" in e.value.message and "valid values:" in e.value.message
    with pytest.raises(InvalidInput) as e:
        r.run("frånvaro", filters=SearchFilters(committee=f"{have[0]} och XYZ"))  # each committee named counts
    assert all(c in e.value.message for c in have)
    # case, a list of committees and a known full name still work
    hits = r.run("frånvaro", filters=SearchFilters(committee=have[0].lower()), mode="bm25").hits
    assert hits and all(have[0] in (h.passage.committee or "") for h in hits)
    assert r.run("frånvaro", filters=SearchFilters(committee="Kommunstyrelsen"), mode="bm25").hits == []


def test_understanding_reads_years_lasar_periods_committees_and_perspectives():
    years = {2019, 2020, 2021, 2022}
    assert understand("Hur gick arbetet med frånvaron 2019?", years=years).years == [2019]
    assert understand("digitala nationella prov 2024", years=years).years == []  # no such year: a word
    u = understand("resultat läsåret 20/21", years=years)
    assert u.years == [2020, 2021] and u.school_year == "2020/21" and "uppfoljning" in u.kinds
    u = understand("måluppfyllelse T2 2022", years=years)
    assert u.years == [2022] and u.period == "T2 2022"
    assert understand("vad gjorde BoU", committees={"BoU", "BUN", "UN"}).committees == ["BoU"]
    assert understand("aktiviteter i medarbetarperspektivet").perspective == "Medarbetare"
    assert understand("Vilka aktiviteter kvarstår?").statuses == ["Kvarstår"]
    assert understand("Vilka hinder fanns?").kinds == ["risk"]
    assert understand("andel behöriga lärare").kinds == ["indikator"]
    assert not understand("digital medarbetare i skolan", years=years)
    assert understand("Varför 2019?", years=years, ignore={"year"}).years == []


# ---- the same through the API, the CLI and the web ----------------------------------------
def test_api_says_what_it_understood_and_refuses_unknown_values(corpus_services, corpus_auth):
    from kvalitet.app import create_app

    app = create_app(corpus_services.settings, services=corpus_services)
    with running_server(app) as base:
        get = functools.partial(httpx.get, headers=corpus_auth, timeout=60)
        body = get(f"{base}/api/search", params={"q": "Hur gick arbetet med frånvaron 2019?"}).json()
        assert body["understood"]["year"] == {"values": [2019], "applied": "boost"}
        body = get(f"{base}/api/search", params={"q": "Hur gick arbetet med frånvaron 2019?", "ignore": "year"}).json()
        assert "year" not in body["understood"] and body["understood"]["ignored"] == ["year"]
        r = get(f"{base}/api/search", params={"q": "frånvaro", "kind": "kostnader"})
        assert r.status_code == 422 and "kostnad" in r.json()["error"]["message"]
        for field in ("committee", "perspective", "status", "doc_kind"):
            r = get(f"{base}/api/search", params={"q": "frånvaro", field: "XYZ"})
            assert r.status_code == 422, (field, r.text)
            err = r.json()["error"]
            assert "Okänt värde" in err["message_sv"] and "Giltiga värden" in err["message_sv"], err
            assert "Unknown" in err["message"] and "valid values" in err["message"], err
        r = get(f"{base}/api/search", params={"q": "xyzzy blorpfnurk kvackel"})
        assert r.status_code == 200 and r.json()["hits"] == [] and "Inga träffar" in r.json()["suggestion"]
        r = get(f"{base}/api/search", params={"q": "frånvaro", "status": "kvarstår", "k": 3})
        # Kvarstår, Pausad, Uppskjuten … are one status (postponed); each hit keeps its own wording
        assert r.status_code == 200 and r.json()["hits"]
        assert all(status_group(h["status"]) == "Uppskjuten" for h in r.json()["hits"]), r.json()["hits"]


def test_cli_understood_in_json_exit_2_for_unknown_kind_and_inga_traffar(tmp_path, corpus_dir, monkeypatch):
    run = ingested_cli(monkeypatch, tmp_path / "idx", corpus_dir)
    res = run(["search", "Vad kostar elevhälsan?", "--json", "--mode", "bm25"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["understood"]["kind"]["values"] == ["kostnad"]
    assert "2 400 tkr" in body["hits"][0]["text"]
    res = run(["search", "frånvaro", "--kind", "kostnader"])
    assert res.exit_code == 2 and "kostnad" in res.output and "analys" in res.output
    res = run(["search", "frånvaro", "--status", "pågående", "--json", "--mode", "bm25"])
    assert res.exit_code == 0 and json.loads(res.output)["hits"]
    assert all(h["status"] in ("Pågående", "Pågår") for h in json.loads(res.output)["hits"])  # one status
    res = run(["search", "xyzzy blorpfnurk kvackel", "--mode", "bm25"])
    assert res.exit_code == 0 and "Inga träffar" in res.output
    res = run(["search", "frånvaron 2019", "--mode", "bm25"])
    assert "Tolkade: år 2019 (ta bort: --ignore year)" in res.output


def test_web_shows_the_reading_with_an_undo_link_and_says_inga_traffar(twin_services):
    import re

    from kvalitet.app import create_app

    user = twin_services.workspace.add_user("Kim Kvalitet", "kvalitetsutvecklare")
    app = create_app(twin_services.settings, services=twin_services)
    with running_server(app) as base:
        c = httpx.Client(base_url=base, timeout=60)
        page = c.get("/logga-in")
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)
        r = c.post("/logga-in", data={"name": "Kim Kvalitet", "token": user.token, "nasta": "/sok", "csrf_token": csrf})
        assert r.status_code == 303
        r = c.get("/sok", params={"q": "Hur gick arbetet med kränkningar 2024?"})
        assert "Tolkade:" in r.text and "år 2024" in r.text
        undo = re.search(r'år 2024 \(<a href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
        assert "utan=year" in undo
        assert "år 2024" not in c.get(undo).text.split("traffar-rubrik")[1].split("</h2>")[0]
        assert "Tolkade: avsnitt" in c.get(undo).text or "år 2024 (" not in c.get(undo).text
        r = c.get("/sok", params={"q": "kränkande behandling"})
        assert "Samma text finns också i" in r.text
        r = c.get("/sok", params={"q": "xyzzy blorpfnurk kvackel"})
        assert "Inga träffar" in r.text and "traff-rubrik" not in r.text
        # an unknown filter value: a message on the page that lists the values, not a raw error
        r = c.get("/sok", params={"q": "frånvaro", "namnd": "XYZ"})
        assert r.status_code == 200 and "Okänt värde för nämnd: »XYZ«. Giltiga värden:" in r.text
        assert "Unknown committee" not in r.text and '"error"' not in r.text
