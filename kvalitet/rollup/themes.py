"""Themes: what unit reports talk about, recognised under different wordings.

A theme is matched in a sentence by its *terms*: word beginnings ("trygg" finds trygghet,
tryggare, trygghetsvandringar), compound parts ("-frånvaro" also finds frånvarouppföljning and
långtidsfrånvaro), whole phrases matched as regular expressions ("kollegialt lärande") and
exclusions ("sjukfrånvaro" is the staff's, not the pupils' absence). The lexicon below is the
curated fallback; themes that recur in the units' own headings and are not in it are
discovered from the data (`discover_themes`).

Everything here is pure text work: no index, no database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"»–-])|\n+")


@dataclass(frozen=True)
class Theme:
    """One theme. `terms`: word beginnings; a leading "-" lets the term stand inside a compound
    too; `patterns`: regular expressions over the lower-cased sentence; `exclude`: word
    beginnings or patterns that cancel a match in the same sentence. `negative`: a quantity
    that is better when it falls (frånvaro, kränkningar): "minskat" is then an improvement."""

    key: str
    label: str
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    negative_terms: tuple[str, ...] = ()
    discovered: bool = False

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self)


@lru_cache(maxsize=256)
def _compile(theme: Theme) -> re.Pattern[str]:
    alts = []
    for t in theme.terms:
        if t.startswith("-"):
            alts.append(r"[0-9a-zà-öø-ÿ]*" + re.escape(t[1:]) + r"[0-9a-zà-öø-ÿ]*")
        else:
            alts.append(r"(?<![0-9a-zà-öø-ÿ])" + re.escape(t) + r"[0-9a-zà-öø-ÿ]*")
    alts.extend(f"(?:{p})" for p in theme.patterns)
    return re.compile("|".join(alts) or r"(?!x)x")


@lru_cache(maxsize=256)
def _exclude_re(theme: Theme) -> re.Pattern[str] | None:
    if not theme.exclude:
        return None
    alts = [
        (r"(?<![0-9a-zà-öø-ÿ])" + re.escape(t) + r"[0-9a-zà-öø-ÿ]*") if re.fullmatch(r"[\wåäö]+", t) else f"(?:{t})"
        for t in theme.exclude
    ]
    return re.compile("|".join(alts))


_STAFF = r"(?:personal\w*|lärar\w*|lärare|pedagog\w*|mentor\w*|fritidspedagog\w*|rektor\w*|förskollärar\w*|medarbetar\w*)"

LEXICON: tuple[Theme, ...] = (
    Theme(
        "lasforstaelse", "Läsförståelse och läsning",
        terms=("läsförståel", "-läsförståel", "läsning", "läsa", "läser", "läsutveckl", "läsinlärn", "läsfärdig",
               "läsförmåg", "läsnivå", "läsgrupp", "läsprojekt", "läskod", "läsflyt", "läslyft", "läsfrämj",
               "lästid", "läsfix", "läsintresse", "litteracitet", "-litteracitet", "skönlitteratur"),
        patterns=(r"\bläs- och skriv\w*",),
    ),
    Theme(
        "trygghet", "Trygghet, studiero och kränkningar",
        terms=("trygg", "otrygg", "studiero", "-studiero", "arbetsro", "kränk", "mobbning", "ordningsregl",
               "trivsel"),
        negative_terms=("otrygg", "kränk", "mobbning"),
    ),
    Theme(
        "narvaro", "Närvaro och frånvaro",
        terms=("närvaro", "-närvaro", "frånvaro", "-frånvaro", "skolk", "hemmasitt", "skolfrånvaro"),
        exclude=("sjukfrånvaro", r"frånvaro\w* (?:bland|hos) (?:personal|medarbetar|pedagog|lärar)\w*"),
        negative_terms=("frånvaro", "-frånvaro", "skolk", "hemmasitt"),
    ),
    Theme(
        "matematik", "Matematik",
        terms=("matematik", "-matematik", "matte", "taluppfattning", "problemlösning"),
    ),
    Theme(
        "sprakutveckling", "Språkutveckling och flerspråkighet",
        terms=("språkutveckl", "-språkutveckl", "språk", "ordförråd", "modersmål", "-modersmål", "flerspråk",
               "andraspråk", "-andraspråk", "studiehandledning", "skolspråk", "språklig"),
        exclude=(r"språkval", r"moderna språk"),
    ),
    Theme(
        "likabehandling", "Likabehandling, värdegrund och normer",
        terms=("likabehandl", "-likabehandl", "värdegrund", "-värdegrund", "normkrit", "jämställd", "diskrimin",
               "likvärdig bemötande"),
        patterns=(r"behandlas lika", r"lika oavsett", r"bemötas lika"),
    ),
    Theme(
        "elevhalsa", "Elevhälsa och hälsa",
        terms=("elevhäls", "-elevhäls", "skolsköterska", "hälsosamtal", "hälsofrämj", "psykisk ohälsa",
               "ohälsa", "-ohälsa", "skolläkare", "skolpsykolog"),
    ),
    Theme(
        "kompetensutveckling", "Kompetensutveckling för personalen",
        terms=("kompetensutveckl", "-kompetensutveckl", "fortbildning", "-fortbildning", "vidareutbildning",
               "kollegialt lärande", "kollegiala", "-lyftet", "handledning av"),
        patterns=(
            rf"\b{_STAFF}\b[^.]{{0,60}}\b(?:utbildning|utbildningar|kurs|kurser|studiedag\w*)\b",
            rf"\butbildning\w* (?:för|av) {_STAFF}",
        ),
    ),
    Theme(
        "digitalisering", "Digitalisering och digitala verktyg",
        terms=("digital", "-digital", "lärplattform", "dator", "-dator", "surfplatt", "lärplatt", "programmering",
               "it-stöd", "chromebook"),
    ),
    Theme(
        "maluppfyllelse", "Måluppfyllelse, betyg och behörighet",
        terms=("måluppfyll", "-måluppfyll", "betyg", "-betyg", "meritvärde", "behörig", "kunskapskrav",
               "kunskapsresultat", "examen", "-examen", "nationella prov"),
        patterns=(r"\bminst (?:betyget )?e\b", r"\bbetyget e\b", r"godkänd\w* (?:betyg|i alla ämnen)"),
        exclude=(r"behörig\w* (?:lärare|förskollärare|personal|pedagog)\w*",),
    ),
    Theme(
        "personalforsorjning", "Personal, bemanning och kompetensförsörjning",
        terms=("personalbrist", "-personalbrist", "personalomsättn", "-omsättning", "vikarie", "rekryter",
               "lärarbrist", "bemanning", "-bemanning", "kompetensförsörjn", "arbetsbelastning", "sjukfrånvaro"),
        patterns=(
            rf"brist\w* på (?:\w+ )?{_STAFF}",
            r"brist\w* på (?:\w+ och )?\w*(?:lärare|handledare|pedagog\w*|personal)",
            r"saknar (?:en )?(?:\w+ )?(?:specialpedagog|speciallärare|lärare|kurator|skolsköterska|personal|rektor)\w*",
            rf"få (?:utbildade|behöriga) {_STAFF}",
            rf"behöriga {_STAFF}",
            rf"frånvaro\w* (?:bland|hos) {_STAFF}",
        ),
        negative_terms=("personalbrist", "-personalbrist", "personalomsättn", "lärarbrist", "arbetsbelastning",
                        "sjukfrånvaro"),
    ),
)
LEXICON_KEYS = tuple(t.key for t in LEXICON)


# ---- text helpers -----------------------------------------------------------------------
def fold(text: str) -> str:
    """ASCII key: "Utomhuspedagogik" -> "utomhuspedagogik", "Läsförståelse" -> "lasforstaelse"."""
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text` (after . ! ? or a line break)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def theme_hits(theme: Theme, sentence: str) -> list[str]:
    """The words of `sentence` (any case) that make it speak of `theme`; [] when none, or when an
    exclusion covers every hit."""
    low = sentence.lower()
    hits = [(m.start(), m.end()) for m in theme.regex.finditer(low) if m.group(0).strip()]
    if not hits:
        return []
    ex = _exclude_re(theme)
    if ex is not None:
        covered = [(m.start(), m.end()) for m in ex.finditer(low)]
        hits = [h for h in hits if not any(a <= h[0] < b for a, b in covered)]
    return [sentence[a:b] for a, b in hits]


# ---- outcome of a sentence ----------------------------------------------------------------
_UNCHANGED = re.compile(
    r"oförändra\w*|samma nivå|ligger kvar|ingen (?:förbättring|förändring|skillnad)|inte (?:har )?förbättrat|"
    r"ännu inte\b[^.]*förbättrat|för tidigt att se", re.I)
_BETTER = re.compile(
    r"förbättra\w*|bättre|gett resultat|har utvecklats|positiv utveckling|lyckats|fungerar väl", re.I)
_WORSE = re.compile(r"försämra\w*|sämre|fortsatt låg\w*|negativ utveckling", re.I)
_UP = re.compile(r"\b(?:ökat|ökade|ökar|ökning|ökande|ökat|steg|stigit|högre|fler|större)\b", re.I)
_DOWN = re.compile(r"\b(?:minskat|minskade|minskar|minskning|sjönk|sjunkit|sjunkande|lägre|färre|mindre)\b", re.I)


def outcome_of(theme: Theme, sentence: str) -> str | None:
    """"forbattrat", "forsamrat", "oforandrat" or None, as the sentence reports it for `theme`.
    A rise of a negative quantity (frånvaro, kränkningar) is a worsening: the theme word
    nearest to the first word of direction decides which quantity rose or fell."""
    if _UNCHANGED.search(sentence):
        return "oforandrat"
    better, worse = bool(_BETTER.search(sentence)), bool(_WORSE.search(sentence))
    if better != worse:
        return "forbattrat" if better else "forsamrat"
    ups, downs = list(_UP.finditer(sentence)), list(_DOWN.finditer(sentence))
    if bool(ups) == bool(downs):
        return None
    where = (ups or downs)[0].start()
    low = sentence.lower()
    hits = [(m.start(), m.group(0)) for m in theme.regex.finditer(low) if m.group(0).strip()]
    if not hits:
        return None
    # The rise or fall belongs to the theme word nearest to it ("den sjunkande behörigheten
    # hänger samman med hög frånvaro": behörighet fell, not frånvaro).
    pos, word = min(hits, key=lambda h: abs(h[0] - where))
    for other in LEXICON:
        if other.key != theme.key and any(abs(m.start() - where) < abs(pos - where)
                                          for m in other.regex.finditer(low) if m.group(0).strip()):
            return None
    negative = False
    if theme.negative_terms:
        negative = any((t[1:] in word) if t.startswith("-") else word.startswith(t) for t in theme.negative_terms)
    rising_good = not negative
    return "forbattrat" if bool(ups) == rising_good else "forsamrat"


_STATUS = (
    ("Genomförd", re.compile(r"\b(?:genomförd|genomfört|genomförts|klar|klart|avslutad|slutförd)\b", re.I)),
    ("Pågår", re.compile(r"\b(?:pågår|pågående|påbörjad|påbörjat|startade|har startat|fortsätter)\b", re.I)),
    ("Ej påbörjad", re.compile(r"\b(?:ej påbörjad|inte påbörjad|inte startat)\b", re.I)),
)


def status_of(text: str | None) -> str | None:
    """A status named in `text` ("Status: pågående", "Insatsen är genomförd"), normalised."""
    if not text:
        return None
    for label, rx in reversed(_STATUS):
        if label == "Ej påbörjad" and rx.search(text):
            return label
    for label, rx in _STATUS[:2]:
        if rx.search(text):
            return label
    return None


def normalise_status(status: str | None) -> str | None:
    """A recorded status ("Genomfört", "Pågående") in the roll-up's words."""
    return status_of(status) or (status.strip() if status and status.strip() else None)


@dataclass
class Lexicon:
    """The themes in use: the curated lexicon plus any discovered ones."""

    themes: list[Theme] = field(default_factory=lambda: list(LEXICON))

    def by_key(self) -> dict[str, Theme]:
        return {t.key: t for t in self.themes}
