"""Evidence per section: what earlier years' documents say that serves each part of a draft.

For each section kind we ask the retriever, with a section-kind filter, for the passages that
serve it (analyses for "analys", follow-ups and activity rows for "uppfoljning", risks and delay
comments for "risker", cost lines and time plans for "kostnader"), with the new activity, its goal
and the principal's notes as the query. The activity's own history (the same activity in earlier
follow-ups: req.history_ids, or found by its wording) comes first where there is one.

Every candidate gets a relevance: the IDF-weighted overlap of its words (Swedish stems and
compound parts, as BM25 sees them) with the request, judged on the activity's meaning: a
passage about another target group (staff rather than pupils, preschool rather than school) counts
for a fifth of its overlap however many words it shares. Fusion ranks are relative; relevance is
what tells a generator that the evidence is thin. Passages are deduplicated by id and by text.

With a language model as embedder (e5), meaning counts beside words (judged_relevant): each
candidate's cosine with the activity and goal, less the median of the draft's candidates, lets a
passage saying the same thing in other words in, and keeps out a long text that shares a word but
is no nearer in meaning than the rest.

The activity as a person would search for it (activity and goal, the search layer's hybrid
ranking with its relevance floor: topic_ranks) is the first signal: its first hits are evidence
for every section they serve unless for another target group, school form or stage (or a row or
an indicator, judged by its words), they come first, and a passage it does not find among its
TOPIC_K is not evidence by shared words alone. Risks keep the words' judgement.

Besides the typed searches, one search without a kind filter lets every passage, typed or not
(records of other municipalities' documents are often only "text"), serve every section it suits
(`serves`): at equal relevance a typed record comes first.
"""

from __future__ import annotations

import math
import re
from functools import partial
from dataclasses import dataclass, field
from typing import Callable, TypeGuard, cast

from kvalitet.search.analysis import analyze, stem, swedish_lemma, words
from kvalitet.search.history import ActivityHistory
from kvalitet.search.index import KnowledgeIndex
from kvalitet.search.retriever import Retriever
from kvalitet.domain.types import DraftRequest, Hit, Passage, SearchFilters, Source
from kvalitet.drafting.relevance import RelevanceModel, Signals, default_model, features

# The query: activity and goal in full; the notes after them, cut so the whole fits the retriever.
MAX_QUERY = 1800
# A passage is about the same thing as the request when it shares at least this much IDF
# weight with it, and that weight is a fair part of what the activity is about (or is large).
MIN_RELEVANCE = 2.5
MIN_COVERAGE = 0.2
STRONG_RELEVANCE = 6.0
# The goal and the notes count for less than the activity's own wording.
SECONDARY_WEIGHT = 0.5
# A compound part of a request word ("matematik" of "matematikundervisningen") counts less; its
# last part alone (the compound's head, "system" of "journalsystem") much less.
PART_WEIGHT = 0.75
HEAD_PART_WEIGHT = 0.3
# An insats whose cost line is taken on its name must be clearly about the same thing.
LINK_RELEVANCE = 4.0
LINK_COVERAGE = 0.34
# Meaning beside words (judged_relevant): a candidate's cosine with the activity and goal, less
# the median of the draft's candidates (semantic_lift). With e5, passages a careful principal
# cites lie about 0.04 above the median, those wrong or unlabelled about 0.0.
SEMANTIC_MIN_POOL = 20
# Records whose vector says little of their subject: an activity row's vector reads its goal column
# (shared by every row under it) and its metadata; a time-plan line is a label and a date.
ROW_KINDS = frozenset({"aktivitet", "tidplan"})
SEMANTIC_GATE = 0.005  # words shared, meaning no nearer than the median: another subject
SEMANTIC_SHORT = 80  # characters: a shorter text's vector says too little to overrule its words
SEMANTIC_RESCUE = 0.04  # some words shared and clearly nearer in meaning: the same subject
SEMANTIC_RESCUE_ALONE = 0.045  # no word shared: among the RESCUE_TOP nearest and this far above
RESCUE_TOP = 3
# Within a section, a match far weaker than the best one is noise.
RELATIVE_TO_BEST = 0.4
# The activity as a person searches for it (activity and goal, hybrid BM25 + e5 ranking with the
# search's relevance floor, one search per draft: topic_ranks): its first TOPIC_TOP hits are
# evidence for every section they serve unless they are for another target group, school form or
# stage; a passage the search does not rank among its TOPIC_K for the activity is not evidence by
# shared words alone (the words' judgement decides between the two).
TOPIC_K = 20
TOPIC_TOP = 2
# With the relevance model (drafting/relevance.py): the first TOPIC_ALONE of BM25's and of the
# embedder's own lists for the activity are candidates too, when the fused ranking left them out.
TOPIC_ALONE = 10
# ...and what the activity's own search ranks first is evidence from this probability (a small
# corpus gives even the right passage a modest one).
RESCUE_PROBABILITY = 0.3
# ...and the draft's BEST_K most probable candidates are evidence from BEST_PROBABILITY: on a
# topic written in other words every candidate's probability is lower, but the best one is still
# the best. Chosen by cross-validation over topics on the tune cases (README, "Drafting quality"):
# K=1 at 0.5, when the search keeps it, added 2.2 points of recall for 0.9 of precision.
BEST_K = 1
BEST_PROBABILITY = 0.5
# Words of the request that say nothing about its subject (the verbs and frames of plans).
_GENERIC = frozenset(
    analyze(
        "utveckla utveckling utvecklingen arbete arbeta arbetet arbetssätt aktivitet aktiviteter "
        "genomföra genomförande insats insatser följa upp uppföljning öka ökad ökade minska minskad "
        "förbättra förbättrad skolan skola skolor verksamhet verksamheten verksamheter elever elev "
        "eleverna barn rektor rektorer mål ta fram stärka stärkt säkerställa införa införande "
        "implementera identifiera fortsatt fortsätta tydliggöra skapa nytt nya gemensam gemensamt "
        "gemensamma syfte syftet behov kommun kommunen förvaltning förvaltningen enhet enheter "
        "enheterna huvudman huvudmannen samtliga alla olika bättre god goda tidig tidigt tidiga "
        "motverka hantera upprätta bygga hitta använda stödja stötta delta erbjuda fungera fungerande "
        "väl bra ökning arbetar vidare utbildning utbildningen undervisning undervisningen lärande "
        "lång långa längre kort korta kortare stor stora större liten små mindre hög höga högre låg låga "
        "lägre mer flera många nationell nationella utbilda utbildas utbildade förbereda förberedelse "
        "förberedelser planera planering ta fram införa upphandla implementera se över översyn översyna "
        "arbeta arbetar erbjuda erbjudas genomföra genomförs minska minskar öka ökar"
    )
)
# Where rather than what: school forms and roles count at half weight.
_SETTING = frozenset(
    analyze(
        "grundskola grundskolan grundskolor gymnasieskola gymnasieskolan gymnasiet förskola förskolan "
        "förskolor förskoleklass förskoleklassen vuxenutbildning vuxenutbildningen högstadiet "
        "mellanstadiet lågstadiet årskurs lärare lärarna personal personalen medarbetare chefer "
        "vårdnadshavare skolledare"
    )
)
SETTING_WEIGHT = 0.5
# Rows of the "Medarbetare" perspective are about staff (sick leave, recruitment, work
# environment): they count at half unless the request itself is about staff.
_STAFF = frozenset(
    analyze(
        "medarbetare medarbetarna personal personalen anställda chef chefer chefers sjukfrånvaro "
        "arbetsmiljö arbetsmiljön rekrytering rekrytera kompetensförsörjning lön lönebildning "
        "bemanning arbetsgivare introduktion"
    )
)
STAFF_WEIGHT = 0.5
# A small thesaurus of the field: words that name the same subject. A request word also
# matches through its synonyms (counted once, at its own weight).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "frånvaro": ("närvaro",),
    "närvaro": ("frånvaro",),
    "yrkesvägledning": ("syv",),
    "syv": ("yrkesvägledning",),
    "digitalisering": ("digital", "it"),
    "digital": ("digitalisering", "it"),
    "nyanlända": ("nyanländas", "nyanländ"),
    "sjukfrånvaro": ("korttidsfrånvaro", "långtidsfrånvaro", "långtidssjukfrånvaro", "frisknärvaro"),
    "korttidsfrånvaro": ("sjukfrånvaro",),
    "långtidsfrånvaro": ("sjukfrånvaro",),
    "läsning": ("läsförståelse", "läsutveckling", "läsa"),
    "läsförståelse": ("läsning", "läsutveckling"),
    "trygghet": ("trygg", "kränkande", "studiero"),
    "kränkande": ("kränkningar", "trygghet"),
}
# Who an activity is for. A passage about the other group is not about the same activity,
# whatever words it shares ("frånvaro": pupils' absence vs staff's sick leave).
_STAFF_MARK = frozenset(
    analyze(
        "medarbetare medarbetarna medarbetarnas personal personalen personalens anställda anställd "
        "sjukfrånvaro sjukfrånvaron korttidsfrånvaro långtidsfrånvaro långtidssjukfrånvaro "
        "personalomsättning arbetsmiljö arbetsmiljön arbetsmiljöarbete företagshälsovård företagshälsovården "
        "rekrytering rekrytera kompetensförsörjning lönebildning bemanning arbetsgivare chefer chefers "
        "nyanställda medarbetarenkät frisknärvaro"
    )
)
_PUPIL_MARK = frozenset(
    analyze(
        "elev elever eleverna elevernas elevers barn barnen barnens vårdnadshavare närvaro närvaron "
        "skolfrånvaro elevfrånvaro betyg behörighet studiero kunskapsresultat kunskapsresultaten "
        "meritvärde elevhälsa elevhälsan"
    )
)
# School forms: preschool vs the school forms (förskoleklass belongs to school).
_PRESCHOOL_MARK = frozenset(analyze("förskola förskolan förskolor förskolans förskolornas pedagogisk omsorg"))
_SCHOOL_MARK = frozenset(
    analyze(
        "grundskola grundskolan grundskolor grundskolans gymnasieskola gymnasieskolan gymnasiet gymnasie "
        "högstadiet mellanstadiet lågstadiet årskurs åk förskoleklass skolan skola elever eleverna"
    )
)
_ADULT_MARK = frozenset(analyze("vuxenutbildning vuxenutbildningen vuxenutbildningens sfi komvux"))
_FORM_MARKS = (("forskola", _PRESCHOOL_MARK), ("skola", _SCHOOL_MARK), ("vuxen", _ADULT_MARK))
# Activities about leaders or teachers as such are for no one group by default (words, not stems:
# "lärande" is not "lärare").
_LEADERS = re.compile(r"\b(?:rektor\w*|ledarskap\w*|ledning\w*|chef\w*|huvudman\w*|organisation\w*|"
                      r"förvaltning\w*|nämnd\w*|lärare|lärarna|lärares|lärarnas|pedagog\w*)\b", re.IGNORECASE)
MISMATCH_WEIGHT = 0.2
# The supply of staff, said of teachers ("brist på behöriga lärare"): about staff, not pupils.
_STAFF_SUPPLY = re.compile(r"\b(?:behöriga|legitimerade|utbildade)\s+\w*lärare|\blärarbrist|\bbrist på \w*lärare|"
                           r"\bandel(?:en)?\s+(?:\w+\s+)?\w*lärare\b|"
                           r"\bpersonalomsättning|\bvakans\w*", re.IGNORECASE)
_ADJECTIVES = frozenset("digital digitala digitalt social sociala socialt central centrala lokal lokala kommunal "
                        "kommunala regional regionala formell formella individuell individuella".split())
_ADJECTIVE = re.compile(r"(?:isk|iska|iskt|ig|iga|igt|lig|liga|ligt|ande|ende|ade|erad|erade|ell|ella|ellt)$")
_QUALIFIER = re.compile(r"(?:isk|iska|iskt|ig|iga|igt|lig|liga|ligt|erad|erade|ell|ella|ellt|sta)$")
# Nouns that end like an adjective or a superlative ("resursfördelningsmodell", "åtgärdslista").
_NOT_ADJECTIVE = re.compile(r"(?:modell|tabell|novell|lista|listan|modellen|tabellen)$")
# Stems shared by words of different meaning: the request's stem counts only when the passage has
# the word in the request's sense.
HOMOGRAPHS: dict[str, re.Pattern] = {
    "prov": re.compile(r"\bprov(?:et|en|er|erna|ens|s)?\b|\w{3,}prov(?:et|en|er|erna)?\b|\bprov\w{4,}", re.IGNORECASE),
    "plan": re.compile(r"\bplan(?:en|er|erna|ens)?\b|\w{3,}plan(?:en|er|erna)?\b", re.IGNORECASE),
}
_DANGLING = re.compile(r"\b\w+-\s+(?=(?:och|eller|samt)\s)")
# An activity is written verb first ("Samordna sommarlovsaktiviteter"); a noun first is followed by
# a preposition or a conjunction ("Lovskola i matematik", "Läxhjälp i samarbete med biblioteken").
_AFTER_NOUN = frozenset("i på för till med av och inom om kring vid under efter mot eller samt från hos genom utan "
                        "per via enligt".split())
# The forms of a verb that say the action (samordna, samordnas, samordnade, samordning), not the
# agent noun (samordnare, närvarosamordnaren) nor another word that begins alike.
_VERB_FORMS = ("a", "ar", "as", "ade", "ades", "ad", "at", "ats", "ande", "ning", "ningen", "ningar", "ningarna")
# What the activity is for: a purpose clause names the goal, not the thing done ("Se över
# skolskjutsorganisationen för att minska kostnaderna": the subject is the organisation).
_PURPOSE = re.compile(r"\s(?:för att|i syfte att|med syfte att|med målet att|så att)\s", re.IGNORECASE)


_ABBREVIATION = re.compile(r"(?<![\w-])[A-ZÅÄÖ]{2,5}(?![\w])")


def abbreviations(text: str) -> set[str]:
    """The short abbreviations a text writes in capitals ("SIP", "EHT", "SVA", "NPF", "IUP"),
    lower-cased: subject words however short (a three-letter word is otherwise no subject)."""
    return {m.group(0).lower() for m in _ABBREVIATION.finditer(text or "")}


def leading_verb(activity: str) -> str | None:
    """The activity's first word when it is a verb in the infinitive ("Samordna", "Analysera"),
    lower-cased; None when the activity starts with a noun or is a single word."""
    toks = re.findall(r"[^\W\d_]+", activity or "")
    if len(toks) < 2:
        return None
    first, second = toks[0].lower(), toks[1].lower()
    if len(first) < 4 or not first.endswith("a"):
        return None
    if second in _AFTER_NOUN and swedish_lemma(first + "de") != first:
        return None  # a noun before a preposition ("Lovskola i matematik"), not a verb ("Samverka med")
    return first


def verb_used(verb: str, text: str) -> bool:
    """Whether `text` uses `verb` (an infinitive) as a verb or its action noun, not as an agent."""
    base = verb[:-1]
    return any(w.startswith(base) and w[len(base):] in _VERB_FORMS for w in re.findall(r"[^\W\d_]+", text.lower()))


def split_purpose(activity: str) -> tuple[str, str]:
    """(what is done, what for): the purpose clause apart when the part before it names a
    subject of its own (else the whole activity is what is done)."""
    m = _PURPOSE.search(activity or "")
    if not m:
        return activity or "", ""
    head, purpose = activity[: m.start()], activity[m.end():]
    own = [w for w in words(_DANGLING.sub(" ", head)) if not w.isdigit() and len(stem(w)) >= 4
           and stem(w) not in _GENERIC and stem(w) not in _SETTING]
    verb = leading_verb(head)
    if not [w for w in own if w != verb]:
        return activity, ""
    return head, purpose
_ENDINGS = ("arna", "erna", "orna", "ande", "ende", "ens", "ans", "ets", "ns", "an", "en", "et", "ar", "er", "or", "na", "a", "s", "n")


def root(term: str) -> str:
    """A stem with a common inflection ending cut off, for prefix matches into compounds
    ("elevhälsan" → "elevhäls" matches "elevhälsopersonal")."""
    for e in _ENDINGS:
        if term.endswith(e) and len(term) - len(e) >= 5:
            return term[: -len(e)]
    return term


# Delays, pauses and their reasons: in activity comments, and in follow-up/analysis blocks.
DELAY = re.compile(
    r"skjut\w* fram|framskjut\w*|förskj\w*|framflytt\w*|senarelag\w*|\bpga\b|på grund av|oklart|"
    r"(?:ej|inte) (?:påbörja\w*|genomför\w*|slutför\w*)|pausad|ekonomiska förutsättningar|har slutat|avbrut\w*",
    re.IGNORECASE,
)
DONE = ("genomfört", "klart", "avslutad")
# A stated reason (general enough to be a risk for other activities too).
REASON = re.compile(r"\bpga\b|på grund av|oklart|ekonomiska förutsättningar|har slutat|saknas|brist", re.IGNORECASE)
UNFINISHED = ("kvarstår", "pausad", "ej påbörjad")


@dataclass
class Evidence:
    passage: Passage
    score: float  # fused retrieval score (0 for history)
    relevance: float  # IDF-weighted overlap with the request
    origin: str  # "sok" | "historik"
    matched: list[str] = field(default_factory=list)  # request stems found in the passage
    relevant: bool = False  # set by EvidenceFinder.gather
    via: Passage | None = None  # a cost or time-plan line found through this similar insats
    lift: float | None = None  # semantic_lift: nearness in meaning to the activity (None: not judged)
    features: dict[str, float] | None = None  # the relevance model's inputs (None: no model, the words' rules)
    probability: float | None = None  # the relevance model's P(on topic) (None: not judged by the model)

    @property
    def id(self) -> str:
        return self.passage.id

    def names_subject(self, matcher: "Matcher") -> bool:
        """Whether the passage names the activity's head noun or its most specific word itself
        (not only a part of it, its setting or its qualifier)."""
        subject = [q for q in matcher.core if q not in _SETTING]
        hits = [q for q in self.matched if q in subject]
        key = {root(q) for q in (matcher.head, max(subject, key=matcher._idf) if subject else None) if q}
        return not key or bool(key & {root(q) for q in hits})

    def relevant_link(self, matcher: "Matcher") -> bool:
        """An insats whose cost line may be taken on its name: it shares at least two of the
        activity's subject words, or its one shared word is most of the activity's subject."""
        if not self.names_subject(matcher):
            return False  # neither the activity's head noun nor its most specific word
        subject = [q for q in matcher.core if q not in _SETTING]
        hits = [q for q in self.matched if q in subject]
        return len(hits) >= 2 or matcher.coverage(self.passage) >= 0.5


@dataclass
class SectionEvidence:
    kind: str
    items: list[Evidence]

    def of_kind(self, *section_kinds: str) -> list[Evidence]:
        return [e for e in self.items if e.passage.section_kind in section_kinds]

    @property
    def relevant(self) -> list[Evidence]:
        return [e for e in self.items if e.relevant]


# Which passages serve which section: (section_kind, how many to ask for).
PLAN: dict[str, list[tuple[str, int]]] = {
    "uppfoljning": [("uppfoljning", 15), ("aktivitet", 40), ("indikator", 12)],
    "analys": [("analys", 10), ("kommentar", 6), ("nulagesanalys", 3), ("insats", 6), ("text", 8)],
    "risker": [("risk", 6), ("styrkor_svagheter", 2), ("aktivitet", 40), ("uppfoljning", 8), ("analys", 6)],
    "kostnader": [("kostnad", 10), ("tidplan", 5)],
}
# One search without a kind filter: every passage may serve every section it suits.
OPEN_SEARCH = 30
# Kinds a recogniser gives to records with a known role; anything else is "untyped" text.
TYPED = frozenset({"aktivitet", "uppfoljning", "analys", "kommentar", "insats", "mal", "ansvar", "risk",
                   "styrkor_svagheter", "kostnad", "tidplan", "nulagesanalys", "indikator", "process"})
_FOLLOWUP_CUE = re.compile(r"genomför\w*|följ\w* upp|uppföljning|resultat|utfall|andel|deltog|deltagit|"
                           r"har (?:införts|startat|påbörjats|minskat|ökat)|status|klar\b", re.IGNORECASE)
_RISK_CUE = re.compile(r"\brisk(?!era)\w*|hinder|hindra\w*|svårighet\w*|utmaning\w*|sårbar\w*|osäker\w*", re.IGNORECASE)
AMOUNT = re.compile(r"\d[\d \u00a0]*(?:[.,]\d+)?\s?(?:tkr|mnkr|mkr|kr\b|kronor|miljoner)", re.IGNORECASE)


def serves(section: str, p: Passage) -> bool:
    """Whether a passage found without a kind filter can serve `section`: typed records by their
    kind, untyped text by what it says (a follow-up cue, a risk or delay, an amount)."""
    k = p.section_kind
    untyped = k not in TYPED
    if section == "uppfoljning":
        if k == "aktivitet":
            return bool(p.status or said(p.comment))
        return k in ("uppfoljning", "indikator", "kommentar") or (untyped and bool(_FOLLOWUP_CUE.search(p.text)))
    if section == "analys":
        return k in ("analys", "kommentar", "nulagesanalys", "insats", "styrkor_svagheter", "erfarenhetsspridning") \
            or untyped
    if section == "risker":
        return k in ("risk", "styrkor_svagheter") or has_delay(p) or (untyped and bool(_RISK_CUE.search(p.text)))
    if section == "kostnader":
        return k in ("kostnad", "tidplan") or (untyped and bool(AMOUNT.search(p.text)))
    return False


def said(text: str | None) -> TypeGuard[str]:
    """Whether a field says anything: a comment of "-" or "–" (an empty cell) says nothing."""
    return bool(re.search(r"[^\W\d_]", text or ""))


def has_delay(p: Passage) -> bool:
    """An activity row or follow-up that records a delay, a pause or why something was not done."""
    if p.section_kind == "aktivitet":
        status = (p.status or "").lower()
        if status in DONE:
            return False
        return p.postponed or bool(DELAY.search(p.comment or "")) or (status in UNFINISHED and said(p.comment))
    if p.section_kind in ("uppfoljning", "analys", "kommentar") or p.section_kind not in TYPED:
        return bool(DELAY.search(p.text))
    return False


def topic_text(req: DraftRequest) -> str:
    """What the draft is about, as the semantic judgement reads it: the activity and its goal
    (not the notes: they tell what happened, and name other things on the way)."""
    return " ".join(x.strip() for x in (req.activity, req.goal or "") if x and x.strip())


def semantic_lift(cosines: dict[str, float], reference: set[str] | None = None) -> dict[str, float]:
    """{passage id: cosine minus the median cosine of all the candidates}: how much nearer in
    meaning a passage is to the activity than what the searches bring in general. The cosines of
    a language model are not comparable across queries (e5 puts almost every Swedish school text
    between 0.80 and 0.90); their spread within one draft's candidates is. {} for fewer than
    SEMANTIC_MIN_POOL candidates (no median to speak of). `reference`: the ids whose median
    counts (default: all)."""
    base = [c for pid, c in cosines.items() if reference is None or pid in reference]
    if len(base) < SEMANTIC_MIN_POOL:
        return {}
    xs = sorted(base)
    n = len(xs)
    median = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    return {pid: c - median for pid, c in cosines.items()}


def judged_relevant(by_words: bool, lexical: float, lift: float | None, among_nearest: bool, length: int,
                    row: bool = False, mismatch: Callable[[], bool] = lambda: False) -> bool:
    """Whether a candidate is evidence, from the words it shares (`by_words`: Matcher's relevance
    `lexical` passed the section's threshold) and its semantic lift (None: no language model):

    * a passage that shares the words but is no nearer in meaning to the activity than the
      searches' median (lift below SEMANTIC_GATE) is about something else that uses the same
      word (a page of a report naming it in passing); short texts (under SEMANTIC_SHORT
      characters) and records whose vector says little of their subject (`row`: ROW_KINDS)
      keep the words' judgement;
    * a passage well above the median (SEMANTIC_RESCUE) that shares some of the activity's
      words is the same thing said otherwise; one that shares none must be among the
      RESCUE_TOP nearest and further above (SEMANTIC_RESCUE_ALONE);
    * never for another target group, school form or stage (`mismatch()`, asked only then)."""
    if lift is None:
        return by_words
    if by_words:
        return row or lift >= SEMANTIC_GATE or length < SEMANTIC_SHORT
    if lift < SEMANTIC_RESCUE or (lexical <= 0 and not (among_nearest and lift >= SEMANTIC_RESCUE_ALONE)):
        return False
    return not mismatch()


def build_query(req: DraftRequest) -> str:
    head = " ".join(x.strip() for x in (req.activity, req.goal or "") if x and x.strip())
    q = head
    if req.notes and req.notes.strip() and len(q) < MAX_QUERY:
        q = (q + " " + req.notes.strip())[:MAX_QUERY]
    return q[:MAX_QUERY]


class _QueryVectors:
    """The embedder as the retriever sees it during one draft: each query embedded once."""

    def __init__(self, embedder):
        self._embedder = embedder
        self._cache: dict[str, object] = {}
        self.id = embedder.id
        self.dim = embedder.dim
        self.semantic = bool(getattr(embedder, "semantic", False))

    def embed_query(self, text: str):
        v = self._cache.get(text)
        if v is None:
            v = self._cache[text] = self._embedder.embed_query(text)
        return v

    def embed_passages(self, texts):  # pragma: no cover - not used by search
        return self._embedder.embed_passages(texts)


class _DraftIndex:
    """The knowledge index with the query vector memoised (a draft asks ~15 filtered searches
    with one query: embedding it once saves most of the latency)."""

    def __init__(self, index):
        self._index = index
        self.embedder = _QueryVectors(index.embedder)

    def __getattr__(self, name):
        return getattr(self._index, name)


class Vocabulary:
    """IDF of index terms over the current snapshot (built once per index version)."""

    def __init__(self, snap):
        self.decompounder = snap.bm25.decompounder
        df: dict[str, int] = {}
        forms: dict[str, dict[str, int]] = {}
        for p in snap.ordered:
            terms = set(analyze(_passage_words(p), self.decompounder))
            for t in terms:
                df[t] = df.get(t, 0) + 1
            named = forms.setdefault(p.doc_path, {})
            for name, marks in _FORM_MARKS:
                if terms & marks:
                    named[name] = named.get(name, 0) + 1
        # A document about one school form only (a preschool's report): its passages that name
        # no form of their own are about that one ("Alla fem avdelningar har haft högläsning").
        self.doc_form = {doc: next(iter(named)) for doc, named in forms.items() if len(named) == 1}
        self.n = max(1, len(snap.ordered))
        self.idf = {t: math.log((self.n + 1) / (c + 1)) + 0.1 for t, c in df.items()}
        self.max_idf = math.log(self.n + 1) + 0.1

    def terms(self, text: str) -> set[str]:
        return set(analyze(text, self.decompounder))

    @classmethod
    def of(cls, index) -> "Vocabulary":
        snap = index.snapshot()
        return snap.memo("draft_vocabulary", lambda: cls(snap))


class Matcher:
    """How much of the request a passage speaks about.

    Word by word: a subject word of the request (not generic, not a digit) counts with its IDF
    when its stem is in the passage (exactly, or as the head of a compound: "elevhälsan" →
    "elevhälsopersonal"); failing that, a compound part of it counts at half its IDF
    ("frånvarouppföljning" → "frånvaro"). The activity's own wording counts in full, the goal and
    notes at SECONDARY_WEIGHT. A passage covering under MIN_COVERAGE of the activity's weight gets
    relevance below the threshold unless it is STRONG through many words."""

    def __init__(self, vocab: Vocabulary, req: DraftRequest):
        self.vocab = vocab
        # IDF is in units of log(passages): in a small index even the rarest word weighs little,
        # so the floor is at most 60 % of the largest weight a word can have there
        self.min_relevance = min(MIN_RELEVANCE, 0.6 * vocab.max_idf)
        self._all_parts: dict[str, list[str]] = {}  # a compound's parts, generic ones included
        self._last_part: dict[str, str] = {}  # a compound's last part (its head: "system" of "journalsystem")
        self.adjectives: set[str] = set()  # activity words that only qualify ("digitala", "yngsta")
        done, purpose = split_purpose(req.activity)
        verb = leading_verb(done)
        self.verb = (verb, stem(verb)) if verb else None  # (infinitive, stem)
        self.core = self._subject(done)
        secondary = self._subject(" ".join(x for x in (purpose, req.goal, req.notes) if x))
        self.secondary = {k: v for k, v in secondary.items() if k not in self.core}
        self.core_weight = sum(self._idf(s) for s in self.core) or 1.0
        request = " ".join(x for x in (req.activity, req.goal, req.notes) if x)
        self.about_staff = bool(set(analyze(request, vocab.decompounder)) & _STAFF)
        # the target group and school form, from the activity first (the goal may be generic)
        self.group = audience(req.activity) or audience(" ".join(x for x in (req.activity, req.notes) if x))
        self.group_said = self.group is not None  # False: "elever" below is a guess
        if self.group is None and not (set(analyze(request)) & _STAFF_MARK) and not _LEADERS.search(request):
            self.group = "elever"  # a school's activity is for its pupils unless it says otherwise
        self.form = school_form(req.activity) or school_form(" ".join(x for x in (req.activity, req.goal, req.notes) if x))
        self.stage = school_stage(req.activity)
        self.head = self._head(req.activity)

    def _subject(self, text: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        # "studie- och yrkesvägledning": the dangling first part is not a word of its own
        text = _DANGLING.sub(" ", text or "")
        short = abbreviations(text)
        for w in words(text):
            if w.isdigit():
                continue
            s = stem(w)
            if (len(s) < 4 and w not in short) or s in _GENERIC or s in out:
                continue
            parts = [] if s in _SETTING else [stem(p) for p in self.vocab.decompounder.split(w)]
            out[s] = [p for p in parts if len(p) >= 5 and p not in _GENERIC and p != s]
            if len(parts) >= 2 and parts[-1] in out[s]:
                self._last_part[s] = parts[-1]  # Swedish compounds are head-final: "journal|system"
            if self._is_adjective(w):
                self.adjectives.add(s)
            whole = [p for p in parts if len(p) >= 4 and p != s]
            if len(whole) >= 2:
                self._all_parts[s] = whole
        return out

    def _idf(self, t: str) -> float:
        w = self.vocab.idf.get(t, self.vocab.max_idf)
        return w * SETTING_WEIGHT if t in _SETTING else w

    @staticmethod
    def _hit(q: str, terms: set[str]) -> bool:
        if q in terms:
            return True
        r = root(q)
        if len(r) < 5:
            return False
        if len(r) >= 6:
            return any(r in t for t in terms if len(t) >= len(r))
        return any(t.startswith(r) for t in terms if len(t) > len(r))

    def _synonyms(self, s: str) -> list[str]:
        r = root(s)
        out: list[str] = []
        for key, alts in SYNONYMS.items():
            k = stem(key)
            if s == k or r == root(k):
                out.extend(stem(a) for a in alts)
        return out

    def score(self, subject: dict[str, list[str]], terms: set[str], text: str | None = None,
               direct: set[str] | None = None) -> tuple[float, list[str]]:
        """(weight, matched stems) of `subject` in a passage's `terms`; `direct` collects the stems
        matched by the word itself or a derivation of it (not through a synonym of other stem)."""
        total, matched = 0.0, []
        for s, parts in subject.items():
            homograph = HOMOGRAPHS.get(s)
            if homograph is not None and text is not None and not homograph.search(text):
                continue  # "prov" (a test) is not "prova" (to try)
            if self.verb is not None and s == self.verb[1] and subject is self.core:
                # the activity's verb: the action itself ("samordnas", "samordning"), never an
                # agent noun ("samordnare") or a longer word that begins alike
                if text is not None and verb_used(self.verb[0], text):
                    total += self._idf(s)
                    matched.append(s)
                    if direct is not None:
                        direct.add(s)
                continue
            synonyms = [] if self._hit(s, terms) else [a for a in self._synonyms(s) if self._hit(a, terms)]
            if self._hit(s, terms) or synonyms:
                total += self._idf(s)
                matched.append(s)
                if direct is not None and (not synonyms or any(a[:4] == s[:4] for a in synonyms)):
                    direct.add(s)  # "trygg" for "trygghet" is the same word; "studiero" is not
                continue
            whole = self._all_parts.get(s)
            if whole and parts and all(self._hit(p, terms) for p in whole):
                # every part of the compound is there ("undervisningen i matematik" for
                # "matematikundervisningen"): the same thing, said in two words
                total += self._idf(s)
                matched.append(s)
                if direct is not None:
                    direct.add(s)
                continue
            hits = [p for p in parts if self._hit(p, terms)]
            if hits:
                # only the compound's head part ("system" of "journalsystem" in "e-handelssystem",
                # "organisation" of "skolskjutsorganisationen"): another kind of the same thing
                weight = HEAD_PART_WEIGHT if hits == [self._last_part.get(s)] and subject is self.core else PART_WEIGHT
                total += weight * max(self._idf(p) for p in hits)
                matched.extend(hits)
        return total, matched

    def coverage(self, p: Passage) -> float:
        """The share of the activity's own subject weight that the passage speaks about."""
        words_ = _passage_words(p)
        core_w, core = self.score(self.core, self.vocab.terms(words_), words_)
        if core and all(q in _SETTING for q in core):
            return 0.0
        return core_w / self.core_weight

    def speaks_about(self, text: str, section_kind: str = "indikator") -> bool:
        """Whether a bare text (an indicator's name) is about the request, by the judgement a
        passage gets: relevance at least `min_relevance`."""
        p = Passage(id="p_text", text=text, doc_path="", doc_kind="okand", section_kind=section_kind,
                    source=Source(path="", line_start=1, line_end=1))
        return self.relevance(p)[0] >= self.min_relevance

    def mismatch(self, p: Passage, guessed: bool = True) -> bool:
        """The passage is for another target group, school form or stage than the request (a
        passage naming no school form has its document's, when the document is about one).
        `guessed=False`: the target group counts only when the request names it (not the guess
        that a school's activity is for its pupils)."""
        words_ = _passage_words(p)
        group = "personal" if p.perspective == "Medarbetare" else audience(words_)
        if self.group and group and group != self.group and (guessed or self.group_said):
            return True
        form = school_form(words_) or self.vocab.doc_form.get(p.doc_path)
        if self.form and form and form != self.form:
            return True
        stage = school_stage(words_)
        return bool(self.stage and stage and not (stage & self.stage))

    def relevance(self, p: Passage) -> tuple[float, list[str]]:
        """(relevance, matched request stems). A long untyped passage (a page of a report, many
        subjects) is judged by its best window of two sentences: it is about the activity when
        some part of it is, and only that part counts."""
        if (p.section_kind not in TYPED and len(p.text) > WINDOW_FROM) or (
                p.section_kind in LISTS and len(_SENT.split(p.text.strip())) > 1):
            best: tuple[float, list[str]] = (0.0, [])
            for window in windows(p.text):
                part = p.model_copy(update={"text": window})
                got = self._relevance(part, _passage_words(part))
                if got[0] > best[0]:
                    best = got
            return best
        return self._relevance(p, _passage_words(p))

    def _relevance(self, p: Passage, text: str) -> tuple[float, list[str]]:
        terms = self.vocab.terms(text)
        direct: set[str] = set()
        core_w, core = self.score(self.core, terms, text, direct)
        extra_w, extra = self.score(self.secondary, terms, text)
        rel = core_w + SECONDARY_WEIGHT * extra_w
        if self.mismatch(p):
            rel, core_w = rel * MISMATCH_WEIGHT, core_w * MISMATCH_WEIGHT
        elif p.perspective == "Medarbetare" and not self.about_staff:
            rel, core_w = rel * STAFF_WEIGHT, core_w * STAFF_WEIGHT
        if core and all(q in _SETTING for q in core):
            core_w = 0.0  # only the setting ("förskoleklass", "grundskolan") is shared: not the subject
        if core_w / self.core_weight < MIN_COVERAGE and rel < STRONG_RELEVANCE:
            rel = min(rel, self.min_relevance - 0.01) if rel else 0.0
        elif self.verb_only(core) or self.qualifier_only(core) or self._one_side_word(core, direct):
            # one shared word of an activity named by three or more is a shared word, not the
            # same meaning ("hållbart ledarskap" for "ekologisk hållbarhet"), unless it is the
            # activity's most specific word
            rel = min(rel, self.min_relevance - 0.01)
        return round(rel, 4), sorted(core) + sorted(extra)

    def _head(self, activity: str) -> str | None:
        """The activity's head noun, as a stem: its first subject word that is not an adjective or
        a participle ("Stärka rektorernas pedagogiska ledarskap" → "ledarskap")."""
        for w in words(_DANGLING.sub(" ", activity or "")):
            s = stem(w)
            if s not in self.core or s in _SETTING or (self.verb is not None and s == self.verb[1]):
                continue
            if (_ADJECTIVE.search(w) and not _NOT_ADJECTIVE.search(w)) or w.lower() in _ADJECTIVES \
                    or (w.endswith("s") and not w.endswith("ss")):
                continue
            return s
        return None

    @staticmethod
    def _is_adjective(w: str) -> bool:
        """An adjective or superlative that qualifies the activity's noun ("digitala", "sociala",
        "yngsta"); -ande words are left out (nouns as often: "inflytande", "lärande")."""
        w = w.lower()
        if w in _ADJECTIVES:
            return True
        return bool(_QUALIFIER.search(w)) and len(w) >= 5 and not _NOT_ADJECTIVE.search(w)

    def qualifier_only(self, core: list[str]) -> bool:
        """Only a word that qualifies the activity's noun is shared ("digital medarbetare" for
        "digitala nationella prov", "de yngsta barnen" for "de yngsta barnens inflytande")."""
        hit = {q for q in core if q in self.core and q not in _SETTING}
        return bool(hit) and hit <= self.adjectives and not (set(self.core) - _SETTING) <= self.adjectives

    def verb_only(self, core: list[str]) -> bool:
        """Only the activity's verb is shared ("Samordna sommarlovsaktiviteter" and "samordnade
        rutiner kring mottagning"): the same action on another thing is another activity."""
        hit = {q for q in core if q in self.core and q not in _SETTING}
        return self.verb is not None and hit == {self.verb[1]}

    def _one_side_word(self, core: list[str], direct: set[str] | None = None) -> bool:
        subject = [q for q in self.core if q not in _SETTING]
        if len(subject) < 3:
            return False
        hit = {root(q) for q in core if q in self.core and q not in _SETTING}
        if len(hit) != 1:
            return False
        top = max(subject, key=self._idf)
        # the head noun named by a synonym only ("studiero" for "trygghet") is not the head itself
        head = self.head if self.head is not None and (direct is None or self.head in direct) else None
        return root(top) not in hit and (head is None or root(head) not in hit)


WINDOW_FROM = 400  # characters: longer untyped passages are judged window by window
LISTS = frozenset({"risk", "styrkor_svagheter"})  # several separate statements in one passage
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")


def windows(text: str) -> list[str]:
    """Two-sentence windows of a text (each sentence alone when it is long)."""
    sents = [x.strip() for x in _SENT.split(" ".join((text or "").split())) if x.strip()]
    if len(sents) <= 2:
        return [" ".join(sents)]
    out = []
    for i in range(len(sents)):
        out.append(sents[i] if len(sents[i]) > 300 else " ".join(sents[i:i + 2]))
    return out


def audience(text: str) -> str | None:
    """"personal" (staff), "elever" (pupils and children) or None, from marker words. The supply
    of teachers ("andelen förskollärare", "brist på behöriga lärare") marks staff: beside pupils'
    words (the children the preschool has) the text speaks of both."""
    supply = bool(_STAFF_SUPPLY.search(text or ""))
    if supply and not re.search(r"\belev|\bbarn", text or "", re.IGNORECASE):
        return "personal"
    t = set(analyze(text or ""))
    staff, pupils = bool(t & _STAFF_MARK) or supply, bool(t & _PUPIL_MARK)
    if staff and not pupils:
        return "personal"
    if pupils and not staff:
        return "elever"
    return None


def school_form(text: str) -> str | None:
    """"forskola", "skola", "vuxen" or None (both or neither named)."""
    t = set(analyze(text or ""))
    found = [name for name, marks in (("forskola", _PRESCHOOL_MARK), ("skola", _SCHOOL_MARK), ("vuxen", _ADULT_MARK))
             if t & marks]
    return found[0] if len(found) == 1 else None


_STAGES = (
    ("lag", re.compile(r"förskoleklass|lågstadi\w*|\b(?:åk|årskurs)\s*[1-3](?:\s*[-–]\s*[1-3])?\b|\bF\s*[-–]\s*3\b",
                       re.IGNORECASE)),
    ("mellan", re.compile(r"mellanstadi\w*|\b(?:åk|årskurs)\s*[4-6](?:\s*[-–]\s*[4-6])?\b", re.IGNORECASE)),
    ("hog", re.compile(r"högstadi\w*|\b(?:åk|årskurs)\s*[7-9](?:\s*[-–]\s*[7-9])?\b|\b7\s*[-–]\s*9\b", re.IGNORECASE)),
    ("gy", re.compile(r"gymnasie\w*|\bgymnasiet\b", re.IGNORECASE)),
)


def school_stage(text: str) -> frozenset[str] | None:
    """The school stages a text names (low, middle, upper grades, upper secondary), or None."""
    found = frozenset(name for name, rx in _STAGES if rx.search(text or ""))
    return found or None


def _passage_words(p: Passage) -> str:
    """What a passage is about. An activity row is about its activity and comment (its text also
    carries the committee goal, which would make every row of a goal look alike)."""
    if p.section_kind == "aktivitet":
        return " ".join(x for x in (p.activity, p.comment) if x)
    if p.section_kind == "indikator":
        return " ".join(str(x) for x in (getattr(p, "indicator", None), p.activity, p.text) if x)
    item = table_item(p)
    if item is not None:
        return " ".join(x for x in (item, p.activity) if x)
    return " ".join(x for x in (p.text, p.activity, p.title) if x)


# A row of a cost table as the parser writes it: "Skolskjutsar: 19 600 (Prognos helår)."
_TABLE_ROW = re.compile(r"^\s*([^:\n]{2,80}):\s*[-−–]?\s*\d[\d\s\u00a0.,]*(?:\s*(?:tkr|mnkr|mkr|kr))?\s*(?:\([^\n]*\))?\.?\s*$",
                        re.IGNORECASE)


def table_item(p: Passage) -> str | None:
    """The item of a cost table's row ("Skolskjutsar" of "Skolskjutsar: 19 600 (Prognos helår).");
    None for any other passage. A row is about its item: the column ("Prognos helår") and the
    table's heading ("Ekonomiskt utfall och prognos") are the same for every row."""
    if p.section_kind != "kostnad":
        return None
    m = _TABLE_ROW.match(p.text or "")
    return m.group(1).strip() if m else None


def _dedup_key(p: Passage) -> str:
    """Passages a reader would see as the same: identical text, or the same activity repeated in
    one document (under several goals or strategic assignments; the first, best-ranked, stays)."""
    if p.section_kind == "aktivitet":
        key = f"row {p.doc_path} {p.activity}"
    else:
        key = f"{p.section_kind} {p.activity or ''} {p.text}"
    return re.sub(r"\W+", " ", key.lower()).strip()


class EvidenceFinder:
    """Evidence per section: the activity's own history (`history()`) and what the retriever
    finds in the index, judged for relevance."""

    def __init__(self, index: KnowledgeIndex, retriever: Retriever, history: Callable[[], ActivityHistory]):
        self.index = index
        self.retriever = retriever
        self.activity_history = history

    def history(self, req: DraftRequest) -> list[Passage]:
        """The activity's own earlier records, oldest first: from req.history_ids, or the activity
        whose wording is (nearly) the same as the new one."""
        hist = self.activity_history()
        ids: list[str] = list(req.history_ids)
        if not ids:
            best = hist.most_similar(req.activity, threshold=0.6)
            if best is not None:
                ids = [best.id]
        out: list[Passage] = []
        seen: set[str] = set()
        for pid in ids:
            for view in hist.history(pid):
                p = hist.by_id.get(view.id)
                if p is not None and p.id not in seen:
                    seen.add(p.id)
                    out.append(p)
        return out

    def gather(self, req: DraftRequest, sections: list[str] | None = None) -> dict[str, SectionEvidence]:
        """Evidence for each of `sections` (default: the request's), judged: {section: SectionEvidence},
        relevant items first. Raises InvalidInput for a request the retriever cannot search."""
        sections = list(sections or req.sections)
        index = self.index
        draft_index = _DraftIndex(index)
        retriever = type(self.retriever)(cast(KnowledgeIndex, draft_index))  # the index, with the query's vector
        vocab = Vocabulary.of(index)
        query = build_query(req)
        # Embed the query first, before any BM25 scoring: numerical libraries leave worker
        # threads spinning after their work, which slows a multi-threaded embedder right after.
        draft_index.embedder.embed_query(query.strip())
        if retriever.semantic:
            draft_index.embedder.embed_query(topic_text(req))
        matcher = Matcher(vocab, req)
        history = self.history(req)

        cache: dict[tuple[str, int], list] = {}

        def search(kind: str | None, k: int):
            key = (kind or "", k)
            if key not in cache:
                cache[key] = retriever.search(query, k=k, filters=SearchFilters(section_kind=kind))
            return cache[key]

        topic = topic_ranks(retriever, req, query)
        # the learned judgement (drafting/relevance.py) where the embedder reads meaning; the
        # words' rules where it does not (its signals would be noise)
        learn = retriever.semantic  # candidates get the model's features (to be judged, or to fit it)
        model: RelevanceModel | None = default_model(index.settings.relevance_model) if learn else None
        snap = index.snapshot()
        alone = [Hit(passage=snap.passages[pid], score=0.0, snippet="") for pid in topic.alone
                 if pid in snap.passages] if learn else []

        def candidates(section: str) -> list:
            """The hits that may serve `section`, in retrieval order (not yet judged)."""
            out_: list = []
            taken: set[str] = set()
            lists = [(kind, search(kind, k)) for kind, k in list(PLAN[section]) + [(None, OPEN_SEARCH)]]
            if section != "risker":  # risks keep the words' judgement (topic_backed)
                lists.append((None, topic.hits))
                lists.append((None, alone))
            for kind, hits in lists:
                for hit in hits:
                    p = hit.passage
                    if p.id in taken:
                        continue
                    if kind is None and not serves(section, p):
                        continue
                    taken.add(p.id)
                    pk = p.section_kind
                    if pk == "aktivitet" and not p.status and not said(p.comment):
                        continue  # a heading row (strategic assignment): nothing was followed up
                    if section == "risker" and pk in ("aktivitet", "uppfoljning", "analys") and not has_delay(p):
                        continue
                    if section == "kostnader" and pk == "kostnad" and _is_total(p):
                        continue
                    out_.append(hit)
            return out_

        pool = {s: candidates(s) for s in sections}
        # How near in meaning each candidate is to the activity and its goal, beside the words
        # they share (semantic_lift): read from the passages' vectors when the embedder is a
        # language model.
        everyone = {h.passage.id: h.passage for hits in pool.values() for h in hits}
        everyone.update({p.id: p for p in history})
        if "kostnader" in sections:
            everyone.update({h.passage.id: h.passage for h in search("insats", 6)})
        # the median is that of the section searches' candidates: the activity's own search adds
        # near passages and would lower it
        reference = set(everyone) - ((set(topic.rank) | set(topic.alone)) - {h.passage.id for k in cache.values() for h in k})
        cosines = retriever.similarities(topic_text(req), list(everyone.values())) if retriever.semantic else {}
        lifts = semantic_lift(cosines, reference)
        base = [c for pid, c in cosines.items() if pid in reference]
        median = float(sorted(base)[len(base) // 2]) if base else 0.0
        nearest = max(cosines.values(), default=0.0)
        opened = {h.passage.id: (i, h.ranks) for i, h in enumerate(search(None, OPEN_SEARCH))} if learn else {}
        own_kind: dict[str, int] = {}
        for (kind_, _), hits_ in cache.items():
            for i, h in enumerate(hits_):
                if kind_ and h.passage.section_kind == kind_:
                    own_kind[h.passage.id] = min(i, own_kind.get(h.passage.id, i))

        judged: dict[str, tuple[float, list[str]]] = {}

        learned: dict[str, tuple[dict[str, float], float | None]] = {}

        def judge(p: Passage, score: float, origin: str) -> Evidence:
            if p.id not in judged:  # the same passage serves several sections: judged once
                judged[p.id] = matcher.relevance(p)
            rel, matched = judged[p.id]
            e = Evidence(p, score, rel, origin, list(matched), lift=lifts.get(p.id))
            if learn:
                if p.id not in learned:
                    signals = Signals(
                        topic=topic.rank.get(p.id), topic_bm25=topic.bm25.get(p.id), topic_dense=topic.dense.get(p.id),
                        open=opened[p.id][0] if p.id in opened else None,
                        open_bm25=_rank0(opened[p.id][1].get("bm25")) if p.id in opened else None,
                        open_dense=_rank0(opened[p.id][1].get("dense")) if p.id in opened else None,
                        own_kind=own_kind.get(p.id), cosine=cosines.get(p.id), median=median, nearest=nearest,
                        words=rel, coverage=matcher.coverage(p), shared=len(matched), mismatch=matcher.mismatch(p))
                    x = features(p, signals, TYPED)
                    learned[p.id] = (x, model.probability(x) if model is not None else None)
                e.features, e.probability = learned[p.id]
            return e

        def add(items: list[Evidence], seen: set[str], e: Evidence) -> None:
            key = _dedup_key(e.passage)
            if e.passage.id in seen or key in seen:
                return
            seen.update((e.passage.id, key))
            items.append(e)

        preferred = _preferred(pool, topic, learned, judge) if model is not None else set()
        out: dict[str, SectionEvidence] = {}
        for section in sections:
            items: list[Evidence] = []
            seen: set[str] = set()

            for p in history:
                if _history_serves(section, p):
                    e = judge(p, 0.0, "historik")
                    e.relevant = True
                    add(items, seen, e)
            found: list[Evidence] = [judge(hit.passage, hit.score, "sok") for hit in pool[section]]
            # Relevant: above the threshold and not far below the best match of this section.
            best = max((e.relevance for e in found), default=0.0)
            ranked = sorted({e.relevance for e in found}, reverse=True)
            top3 = ranked[min(2, len(ranked) - 1)] if ranked else 0.0
            rescue = sorted((e.lift for e in found if e.lift is not None), reverse=True)[:RESCUE_TOP]
            for e in found:
                # far weaker than the best is noise, but the three best above the floor stay
                floor = min(RELATIVE_TO_BEST * best, top3)
                by_words = e.relevance >= max(matcher.min_relevance, floor)
                # a row's vector reads its goal column too, which the rows under one goal share:
                # such a row is not near in meaning by its vector alone
                p = e.passage
                nearest = e.lift is not None and e.lift in rescue and not (p.section_kind == "aktivitet" and p.goal)
                e.relevant = judged_relevant(by_words, e.relevance, e.lift, nearest, len(p.text),
                                             p.section_kind in ROW_KINDS, mismatch=partial(matcher.mismatch, p))
                rank = topic.rank.get(p.id) if section != "risker" else None  # risks: see topic_backed
                if rank is not None and rank < TOPIC_TOP and topic_backed(e, matcher, section):
                    e.relevant = True  # what search ranks first for the activity is about it
                elif e.relevant and rank is None and topic.hits and section != "risker" \
                        and p.section_kind not in ROW_KINDS:
                    e.relevant = False  # it shares words, but search does not find it for the activity
                if model is not None and section != "risker":
                    # the learned judgement decides (drafting/relevance.py); never for another
                    # target group, school form or stage
                    e.relevant = ((e.probability or 0.0) >= model.threshold or e.id in preferred) \
                        and not matcher.mismatch(p, guessed=False)  # the request's own group, not a guess
                if model is not None and section == "risker" and e.relevant and e.probability is not None \
                        and e.probability < model.threshold and e.id not in preferred:
                    # a risk keeps the words' judgement and must be about the activity by the
                    # learned one too: else two unrelated activities carry the same delay
                    e.relevant = False
                if section == "risker" and e.relevant and by_words and not e.names_subject(matcher):
                    # a risk is told for this activity only when it is about its subject, not
                    # about its setting or a word that contains a part of it (a survey of the
                    # same fritidshem, a population forecast for "prognosarbete"): else two
                    # unrelated activities would carry the same risk
                    e.relevant = False
            # Relevant first (by relevance, then fused score), then the rest in retrieval order.
            # at equal relevance (to a tenth) a typed record before untyped text
            if model is not None and section != "risker":
                # the most probable first; at equal probability (to a twentieth) a typed record
                found.sort(key=lambda e: (not e.relevant, -round((e.probability or 0.0) * 20) if e.relevant else 0,
                                          e.passage.section_kind not in TYPED, -(e.probability or 0.0), -e.score, e.id))
            else:
                found.sort(key=lambda e: (not e.relevant, topic.bucket(e.id) if e.relevant and section != "risker"
                                          and e.passage.section_kind not in ROW_KINDS else 0,
                                          -round(e.relevance, 1) if e.relevant else 0.0,
                                          e.passage.section_kind not in TYPED, -e.score, e.id))
            for e in found:
                add(items, seen, e)
            if section == "kostnader":
                # Cost lines rarely name what they pay for; the insats they belong to does. For a
                # similar insats, its own cost and time-plan lines (matched by name) count too.
                direct = {e.id for e in items if e.relevant}
                insatser = sorted((judge(h.passage, h.score, "sok") for h in search("insats", 6)),
                                  key=lambda e: (-e.relevance, e.id))
                top = insatser[0].relevance if insatser else 0.0
                for ins in insatser[:2]:
                    if ins.relevance < max(LINK_RELEVANCE, 0.6 * top) or matcher.coverage(ins.passage) < LINK_COVERAGE \
                            or matcher.mismatch(ins.passage) or matcher._one_side_word(
                                [q for q in matcher.core if q in ins.matched]) or not ins.relevant_link(matcher):
                        continue
                    for kind in ("kostnad", "tidplan"):
                        line = line_of(ins.passage, kind, index.snapshot().passages_of(ins.passage.doc_path), vocab)
                        if line is None or line.id in direct:
                            continue
                        e = judge(line, 0.0, "insats")
                        e.relevant, e.via = True, ins.passage
                        items = [x for x in items if x.id != line.id]
                        items.append(e)
            out[section] = SectionEvidence(section, items)
        return out


def _preferred(pool: dict[str, list], topic: TopicRanks, learned: dict, judge) -> set[str]:
    """Candidates that are evidence below the model's threshold: the activity's own first search
    hit from RESCUE_PROBABILITY, and the draft's BEST_K most probable candidates from
    BEST_PROBABILITY when that search finds them too (above its relevance floor)."""
    for hits in pool.values():
        for h in hits:
            judge(h.passage, h.score, "sok")  # fills `learned`
    out: set[str] = set()
    if topic.hits:
        first = topic.hits[0].passage
        judge(first, topic.hits[0].score, "sok")
        pr = learned.get(first.id, (None, None))[1]
        if pr is not None and pr >= RESCUE_PROBABILITY:
            out.add(first.id)
    probs = sorted(((pr, pid) for pid, (_, pr) in learned.items() if pr is not None), reverse=True)
    # the best only when the activity's own search keeps it above its relevance floor: in a
    # corpus without the subject the best candidate is merely the least bad
    out.update(pid for pr, pid in probs[:BEST_K] if pr >= BEST_PROBABILITY and pid in topic.rank)
    return out


def _rank0(rank: int | None) -> int | None:
    """A hit's 1-based rank per retriever (Hit.ranks) as a 0-based one."""
    return None if rank is None else max(0, rank - 1)


def topic_backed(e: Evidence, matcher: "Matcher", section: str) -> bool:
    """Whether one of the activity's first search hits is evidence: not for another target group,
    school form or stage, and sharing a subject word of the activity (not only its verb or
    setting) or clearly nearer in meaning than the draft's other candidates (SEMANTIC_RESCUE), so
    that a corpus with nothing on the activity still gives a notice. Risks keep the words'
    judgement (gather does not ask here): what search ranks first for an activity is often a
    general risk, and two unrelated activities must not carry the same one."""
    if matcher.mismatch(e.passage) or e.passage.section_kind in ROW_KINDS or e.passage.section_kind == "indikator":
        # a row's vector reads its goal column, shared by the rows under it; an indicator makes
        # a series of the draft, which is told only for an indicator its name is about
        return False
    verb = matcher.verb[1] if matcher.verb else None
    subject = {q for q in e.matched if q in matcher.core and q not in _SETTING and q != verb}
    return bool(subject) or (e.lift is not None and e.lift >= SEMANTIC_RESCUE)


@dataclass
class TopicRanks:
    """The activity's own search: its hits in order and each passage's 0-based rank (a folded
    duplicate has the rank of the hit it was folded into); `bm25` and `dense`: each passage's
    0-based rank in BM25's and the embedder's own candidate lists for the same text (what the
    hybrid ranking fused), and `alone` the first TOPIC_ALONE of each that the fused ranking left
    out (a paraphrase first for meaning and absent for words, an exact word the reverse)."""

    hits: list = field(default_factory=list)
    rank: dict[str, int] = field(default_factory=dict)
    bm25: dict[str, int] = field(default_factory=dict)
    dense: dict[str, int] = field(default_factory=dict)
    alone: list[str] = field(default_factory=list)

    def bucket(self, pid: str) -> int:
        """For ordering evidence: 0 for the first TOPIC_TOP hits, 1 further down, 2 not found
        (the words' relevance and a typed record first order within a bucket)."""
        r = self.rank.get(pid)
        return 2 if r is None else (0 if r < TOPIC_TOP else 1)


def topic_ranks(retriever: Retriever, req: DraftRequest, query: str) -> TopicRanks:
    """Search the activity and its goal as a person would (hybrid ranking, relevance floor,
    TOPIC_K hits) and rank what it finds, keeping BM25's and the embedder's own lists."""
    text = topic_text(req) or query
    result = retriever.run(text[:MAX_QUERY], k=TOPIC_K, understand_query=False)
    rank: dict[str, int] = {}
    for i, h in enumerate(result.hits):
        for pid in (h.passage.id, *h.duplicates):
            rank.setdefault(pid, i)
    bm25_list, dense_list = result.lists.get("bm25", []), result.lists.get("dense", [])
    alone = [pid for pid in dict.fromkeys(bm25_list[:TOPIC_ALONE] + dense_list[:TOPIC_ALONE]) if pid not in rank]
    return TopicRanks(list(result.hits), rank, {pid: i for i, pid in enumerate(bm25_list)},
                      {pid: i for i, pid in enumerate(dense_list)}, alone)


def _name_terms(text: str, vocab: Vocabulary) -> set[str]:
    out = set()
    for w in words(text or ""):
        if w.isdigit():
            continue
        out.add(stem(w))
        out.update(stem(p) for p in vocab.decompounder.split(w))
    return {t for t in out if len(t) >= 2}


def _same_name(a: str, b: str) -> bool:
    if a == b:
        return True
    ra, rb = root(a), root(b)
    return (len(ra) >= 4 and b.startswith(ra)) or (len(rb) >= 4 and a.startswith(rb))


def line_of(insats: Passage, kind: str, passages: list[Passage], vocab: Vocabulary) -> Passage | None:
    """The cost line (or time-plan paragraph) of the same document whose name matches the insats'
    name ("Elevhälsan" → "Elevhälsopersonal 2 400 tkr"); None when no line matches clearly."""
    name = _name_terms(insats.activity or insats.title or "", vocab)
    if not name:
        return None
    scored = []
    for p in passages:
        if p.doc_path != insats.doc_path or p.section_kind != kind or _is_total(p):
            continue
        other = _name_terms(p.activity or "", vocab)
        if not other:
            continue
        hits = sum(1 for a in other if any(_same_name(a, b) for b in name))
        scored.append((hits / len(other), p))
    scored.sort(key=lambda x: (-x[0], x[1].ordinal))
    if not scored or scored[0][0] < 0.5 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


def _is_total(p: Passage) -> bool:
    """The total of a cost table: not a comparable cost (and we never sum)."""
    pattern = re.compile(r"\s*(?:[^:\n]{1,40}:\s*)?(totalt|summa|total)\b", re.IGNORECASE)
    return bool(pattern.match(p.activity or "") or pattern.match(p.text))


def _history_serves(section: str, p: Passage) -> bool:
    if section == "uppfoljning":
        return p.section_kind in ("aktivitet", "uppfoljning")
    if section == "analys":
        return p.section_kind == "analys" or (p.section_kind == "aktivitet" and bool(p.comment))
    if section == "risker":
        return has_delay(p)
    return False
