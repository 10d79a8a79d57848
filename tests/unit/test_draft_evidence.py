"""The evidence judgement's pure parts (kvalitet/drafting/evidence.py): meaning beside words, short
abbreviations as subject words, a cost table's row judged by its item."""

from __future__ import annotations

from types import SimpleNamespace

from kvalitet.domain.types import DraftRequest, Passage
from kvalitet.drafting.evidence import (
    SEMANTIC_GATE, SEMANTIC_RESCUE, SEMANTIC_RESCUE_ALONE, Matcher, Vocabulary, abbreviations, judged_relevant,
    semantic_lift, table_item, topic_text,
)
from kvalitet.search.analysis import Decompounder


def passage(text: str, kind: str = "text", pid: str = "p_1", **kw) -> Passage:
    return Passage(id=pid, text=text, doc_path="d.txt", doc_kind="rapport", section_kind=kind, **kw)


def evidence(m: Matcher, text: str, kind: str = "text", lift: float | None = None, **kw):
    """The Evidence a section search would give for `text` as a passage of `kind`, judged by `m`."""
    from kvalitet.drafting.evidence import Evidence

    p = passage(text, kind=kind, **kw)
    rel, matched = m.relevance(p)
    return Evidence(p, 0.0, rel, "sok", matched, lift=lift)


def matcher(texts: list[str], activity: str) -> Matcher:
    """A Matcher for a new activity over a vocabulary of `texts`."""
    return Matcher(vocabulary(texts), DraftRequest(activity=activity))


def vocabulary(texts: list[str]) -> Vocabulary:
    snap = SimpleNamespace(bm25=SimpleNamespace(decompounder=Decompounder(set())),
                           ordered=[passage(t, pid=f"p_{i}") for i, t in enumerate(texts)])
    return Vocabulary(snap)


# -- meaning beside words ----------------------------------------------------------------------
def test_semantic_lift_is_the_cosine_above_the_median_of_the_candidates():
    cosines = {f"p_{i}": 0.80 + i / 1000 for i in range(21)}  # median 0.810
    lift = semantic_lift(cosines)
    assert round(lift["p_10"], 6) == 0.0
    assert round(lift["p_20"], 6) == 0.010
    assert round(lift["p_0"], 6) == -0.010
    assert semantic_lift({"p_1": 0.9, "p_2": 0.8}) == {}  # too few candidates for a median


def test_without_a_language_model_the_words_alone_decide():
    assert judged_relevant(True, 5.0, None, False, 500) is True
    assert judged_relevant(False, 2.0, None, True, 500) is False


def test_shared_words_without_nearer_meaning_are_not_evidence_in_a_long_text():
    below = SEMANTIC_GATE - 0.01
    assert judged_relevant(True, 6.0, below, False, 500) is False
    assert judged_relevant(True, 6.0, SEMANTIC_GATE + 0.001, False, 500) is True
    # a short line or a row keeps the words' judgement: its vector says little
    assert judged_relevant(True, 6.0, below, False, 40) is True
    assert judged_relevant(True, 6.0, below, False, 500, row=True) is True


def test_the_same_thing_in_other_words_is_evidence_unless_for_another_group():
    assert judged_relevant(False, 1.5, SEMANTIC_RESCUE + 0.001, False, 300) is True
    assert judged_relevant(False, 1.5, SEMANTIC_RESCUE - 0.001, False, 300) is False
    assert judged_relevant(False, 1.5, SEMANTIC_RESCUE + 0.01, False, 300, mismatch=lambda: True) is False
    # sharing no word at all: only among the nearest, and further above the median
    assert judged_relevant(False, 0.0, SEMANTIC_RESCUE_ALONE + 0.001, True, 300) is True
    assert judged_relevant(False, 0.0, SEMANTIC_RESCUE_ALONE + 0.001, False, 300) is False
    assert judged_relevant(False, 0.0, SEMANTIC_RESCUE_ALONE - 0.002, True, 300) is False


def test_the_topic_is_the_activity_and_goal_not_the_notes():
    req = DraftRequest(activity="Minska matsvinnet", goal="Hållbar verksamhet", notes="Vi vägde svinnet.")
    assert topic_text(req) == "Minska matsvinnet Hållbar verksamhet"


# -- abbreviations -------------------------------------------------------------------------------
def test_short_abbreviations_in_capitals_are_found():
    assert abbreviations("Samverka med socialtjänsten genom SIP och EHT") == {"sip", "eht"}
    assert abbreviations("SIP-möten, SVA, NPF och IUP") == {"sip", "sva", "npf", "iup"}
    assert abbreviations("Öka läsningen i åk 3") == set()


def test_an_abbreviation_is_a_subject_word_of_the_activity():
    texts = ["Implementera och utbilda i SIP (samordnad individuell plan).", "Budget och prognos för året.",
             "Samverkan med socialtjänsten kring barn i riskzonen.", "Läsning i förskolan."]
    vocab = vocabulary(texts)
    m = Matcher(vocab, DraftRequest(activity="Samverka med socialtjänsten kring elever i riskzonen genom SIP"))
    assert "sip" in m.core
    rel, matched = m.relevance(passage(texts[0], kind="aktivitet", activity=texts[0]))
    assert "sip" in matched and rel > 0
    # lower-case three-letter words stay out ("för", "nya")
    assert "nya" not in Matcher(vocab, DraftRequest(activity="Stärka de nya rektorernas budget")).core


# -- a cost table's row is about its item --------------------------------------------------------
def test_a_cost_table_row_is_judged_by_its_item_not_its_column_or_heading():
    row = passage("Skolskjutsar: 19 600 (Prognos helår).", kind="kostnad", title="Ekonomiskt utfall och prognos")
    assert table_item(row) == "Skolskjutsar"
    assert table_item(passage("Särskild undervisning och stöd: -1 600 (Avvikelse (tkr)).", kind="kostnad")) \
        == "Särskild undervisning och stöd"
    assert table_item(passage("Kostnadsberäkning: Elevhälsopersonal 2 400 tkr", kind="kostnad")) is None
    assert table_item(passage("Skolskjutsar: 19 600 (Prognos helår).", kind="text")) is None
    vocab = vocabulary([row.text, "Prognosarbete för nya budgetansvariga.", "Skolskjutsar och linjer."])
    forecasts = Matcher(vocab, DraftRequest(activity="Utveckla prognosarbetet i förvaltningen"))
    assert forecasts.relevance(row)[0] == 0.0  # the column says "Prognos", the row is about school transport
    transport = Matcher(vocab, DraftRequest(activity="Se över skolskjutsarna"))
    assert transport.relevance(row)[0] > 0


# -- words that look like adjectives, the supply of teachers ---------------------------------------
def test_a_noun_ending_like_an_adjective_is_the_head_noun():
    vocab = vocabulary(["Ny resursfördelningsmodell med socioekonomisk viktning.", "Budget för året."])
    m = Matcher(vocab, DraftRequest(activity="Ta fram en resursfördelningsmodell med socioekonomisk viktning"))
    assert m.head == "resursfördelningsmodell"
    assert "resursfördelningsmodell" not in m.adjectives and "socioekonomisk" in m.adjectives
    assert not Matcher._is_adjective("åtgärdslista") and Matcher._is_adjective("yngsta")


def test_the_share_of_teachers_is_about_staff_even_beside_the_children():
    from kvalitet.drafting.evidence import audience

    assert audience("Öka andelen förskollärare i förskolan") == "personal"
    assert audience("Andelen legitimerade lärare var 81 procent.") == "personal"
    # the children the preschool has and the share of its teachers: both groups, no mismatch
    assert audience("Förskolan hade 1 120 inskrivna barn. Andelen förskollärare ökade till 41 procent.") is None
    assert audience("Andelen elever med hög frånvaro minskade.") == "elever"


# -- a risk is about the activity's subject --------------------------------------------------------
def test_a_risk_names_the_activity_subject_not_only_its_setting_or_a_part():
    texts = ["Ta fram en enkät om fritidshemmet. Enkäten är framtagen men inte utskickad.",
             "Planeringstiden för lärarna i fritidshemmet har skjutits upp.", "Pausad i väntan på befolkningsprognosen.",
             "Prognosarbete för nya budgetansvariga.", "Läsning i förskolan."]
    planning = matcher(texts, "Säkerställa planeringstid för lärarna i fritidshemmet")

    def ev(m: Matcher, text: str):
        return evidence(m, text, kind="aktivitet", activity=text)

    assert ev(planning, texts[1]).names_subject(planning) is True
    assert ev(planning, texts[0]).names_subject(planning) is False  # the same fritidshem, another matter
    forecasts = matcher(texts, "Stärka de nya rektorernas budget- och prognosarbete")
    assert ev(forecasts, texts[3]).names_subject(forecasts) is True
    assert ev(forecasts, texts[2]).names_subject(forecasts) is False  # "prognos" only as a part of another word


# -- a verb before a preposition -----------------------------------------------------------------
def test_a_verb_before_a_preposition_is_still_the_activity_verb():
    from kvalitet.drafting.evidence import leading_verb

    assert leading_verb("Samverka med socialtjänsten kring elever i riskzonen") == "samverka"
    assert leading_verb("Analysera och minska skillnaden i resultat") == "analysera"
    assert leading_verb("Samordna sommarlovsaktiviteter") == "samordna"
    # a noun before a preposition is no verb
    assert leading_verb("Lovskola i matematik") is None
    assert leading_verb("Sommarskola för elever i åk 8") is None
    vocab = vocabulary(["Samverkan med de fackliga organisationerna.", "Socialtjänsten och skolan samverkar kring SIP."])
    m = Matcher(vocab, DraftRequest(activity="Samverka med socialtjänsten kring elever i riskzonen"))
    union = passage("Rapporten har samverkats med de fackliga organisationerna.")
    assert m.relevance(union)[0] < m.min_relevance  # the same verb about another matter


# -- the activity's own search as the main signal ------------------------------------------------
def test_the_activity_search_ranks_hits_and_their_folded_duplicates():
    from kvalitet.drafting.evidence import TOPIC_K, TOPIC_TOP, topic_ranks

    asked = {}

    class FakeRetriever:
        def run(self, query, k=10, **kw):
            asked.update(query=query, k=k, **kw)
            hits = [SimpleNamespace(passage=passage("a", pid="p_a"), duplicates=["p_a2"]),
                    SimpleNamespace(passage=passage("b", pid="p_b"), duplicates=[]),
                    SimpleNamespace(passage=passage("c", pid="p_c"), duplicates=[])]
            return SimpleNamespace(hits=hits, lists={"bm25": ["p_x", "p_b", "p_a"], "dense": ["p_a", "p_y"]})

    req = DraftRequest(activity="Utbilda personalen i TMO", goal="Tryggare elever", notes="Två dagar i maj.")
    ranks = topic_ranks(FakeRetriever(), req, "fråga")  # type: ignore[arg-type]
    # BM25's and the embedder's own lists, and their first entries the fused ranking left out
    assert ranks.bm25 == {"p_x": 0, "p_b": 1, "p_a": 2} and ranks.dense == {"p_a": 0, "p_y": 1}
    assert ranks.alone == ["p_x", "p_y"]
    assert asked["query"] == "Utbilda personalen i TMO Tryggare elever"  # not the notes
    assert asked["k"] == TOPIC_K and asked.get("floor", True) is True  # the search's relevance floor applies
    assert ranks.rank == {"p_a": 0, "p_a2": 0, "p_b": 1, "p_c": 2}
    assert TOPIC_TOP == 2
    assert [ranks.bucket(p) for p in ("p_a2", "p_b", "p_c", "p_x")] == [0, 0, 1, 2]


def test_a_top_search_hit_is_evidence_unless_it_is_for_another_group_or_shares_only_the_verb():
    from kvalitet.drafting.evidence import topic_backed

    texts = ["Utbildning i traumamedveten omsorg på skolorna.",
             "Minska kostnaderna för skolskjuts.", "Fortbildning om traumamedveten omsorg i förskolan för barnen.",
             "Aktivitet: Utbildning i traumamedveten omsorg.", "Elevernas sjukskrivningar."]
    m = matcher(texts, "Minska traumamedveten omsorg brister i grundskolan")

    def ev(text: str, kind: str = "text", lift: float | None = None):
        return evidence(m, text, kind=kind, lift=lift)

    assert topic_backed(ev(texts[0]), m, "analys") is True  # a subject word shared
    assert topic_backed(ev(texts[1]), m, "analys") is False  # only the verb "minska" shared
    assert topic_backed(ev(texts[1], lift=SEMANTIC_RESCUE + 0.01), m, "analys") is True  # clearly nearer in meaning
    assert topic_backed(ev(texts[3], kind="aktivitet"), m, "uppfoljning") is False  # a row: its words decide
    assert topic_backed(ev(texts[0], kind="indikator"), m, "uppfoljning") is False  # an indicator: by its name
    other = ev(texts[2])
    assert topic_backed(other, m, "analys") is True
    m.mismatch = lambda p: True  # type: ignore[method-assign]  # another target group or school form
    assert topic_backed(other, m, "analys") is False


def test_the_median_of_the_lift_can_be_that_of_a_reference_set():
    cosines = {f"p_{i}": 0.80 + i / 1000 for i in range(21)}  # median 0.810
    cosines["near"] = 0.95
    lift = semantic_lift(cosines, reference={f"p_{i}" for i in range(21)})
    assert round(lift["p_10"], 6) == 0.0 and round(lift["near"], 6) == 0.14
    assert semantic_lift(cosines, reference={"p_1"}) == {}  # too few for a median


def test_only_a_target_group_the_request_names_vetoes_evidence():
    """"Teckna ett samverkansavtal med facken" names no target group: the guess that a school's
    activity is for its pupils must not throw out a row about staff (guessed=False, as the
    learned judgement asks); an activity that names its pupils still never takes staff rows."""
    texts = ["Arbeta för ett samverkansavtal med de fackliga organisationerna för medarbetarna.",
             "Minska sjukfrånvaron bland personalen."]
    staff_row = passage(texts[0], kind="aktivitet", perspective="Medarbetare")
    unions = matcher(texts, "Teckna ett nytt samverkansavtal med facken")
    assert unions.group == "elever" and not unions.group_said  # a guess
    assert unions.mismatch(staff_row) and not unions.mismatch(staff_row, guessed=False)
    pupils = matcher(texts, "Minska frånvaron bland eleverna i åk 7–9")
    assert pupils.group_said and pupils.mismatch(staff_row, guessed=False)


def test_the_drafts_best_candidate_and_the_first_search_hit_are_preferred():
    """Below the model's threshold: the activity's own first search hit from RESCUE_PROBABILITY
    and the draft's BEST_K most probable candidates from BEST_PROBABILITY."""
    from kvalitet.drafting.evidence import BEST_K, BEST_PROBABILITY, RESCUE_PROBABILITY, TopicRanks, _preferred

    assert (BEST_K, BEST_PROBABILITY, RESCUE_PROBABILITY) == (1, 0.5, 0.3)
    probs = {"p_best": 0.62, "p_next": 0.58, "p_first": 0.31, "p_low": 0.2}
    learned = {pid: ({}, pr) for pid, pr in probs.items()}
    hit = lambda pid: SimpleNamespace(passage=passage("x", pid=pid), score=1.0)  # noqa: E731
    pool = {"analys": [hit(pid) for pid in probs]}
    judge = lambda p, score, origin: None  # noqa: E731  (learned is filled already)
    topic = TopicRanks(hits=[hit("p_first")], rank={"p_first": 0, "p_best": 3, "p_next": 4})
    assert _preferred(pool, topic, learned, judge) == {"p_best", "p_first"}
    # the best candidate that the activity's own search drops below its floor is not preferred
    assert _preferred(pool, TopicRanks(hits=[hit("p_first")], rank={"p_first": 0}), learned, judge) == {"p_first"}
    learned["p_best"] = ({}, 0.45)  # under BEST_PROBABILITY: the best is not good enough
    learned["p_next"] = ({}, 0.44)
    learned["p_first"] = ({}, 0.29)  # under RESCUE_PROBABILITY
    assert _preferred(pool, topic, learned, judge) == set()
