"""The project's one vocabulary: document kinds, section and record kinds, statuses,
assessments, perspectives, committees and the header synonyms tables are read through.

Everything that recognises, filters or shows these words imports them from here
(kvalitet.domain.types re-exports the kinds and lists). Open vocabularies: a status, committee
or perspective that is not listed is kept as written; the lists only give known words a
normalised form.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

# ---- document kinds ---------------------------------------------------------------------
DocKind = Literal[
    "verksamhetsberattelse",  # verksamhetsberättelse, årsredovisning of a nämnd
    "delarsrapport",  # delårs-, tertial- and månadsrapport
    "verksamhetsplan",  # a plan (school, unit, nämnd), handlingsplan
    "kvalitetsrapport",  # quality report of a unit or huvudman, kvalitetsredovisning
    "verksamhetsplan_uppfoljning",  # follow-up of the activity plan (tables per perspective)
    "aktivitetsuppfoljning",  # follow-up of last year's activities (numbered blocks)
    "arshjul",  # the yearly process: when, who, what
    "protokoll",  # protokoll, handling, kallelse of a committee
    "rapport",  # a report published from the workspace
    "okand",  # not recognised: still gets sections and records
]
DOC_KINDS: tuple[DocKind, ...] = get_args(DocKind)

DOC_KIND_LABELS: dict[str, str] = {
    "verksamhetsberattelse": "Verksamhetsberättelse",
    "delarsrapport": "Delårsrapport",
    "verksamhetsplan": "Verksamhetsplan",
    "kvalitetsrapport": "Kvalitetsrapport",
    "verksamhetsplan_uppfoljning": "Uppföljning av verksamhetsplan",
    "aktivitetsuppfoljning": "Aktivitetsuppföljning",
    "arshjul": "Årshjul",
    "protokoll": "Protokoll",
    "rapport": "Rapport",
    "okand": "Okänd",
}

# Title words that name a document kind, most specific first (matched on folded text).
DOC_KIND_WORDS: list[tuple[str, str]] = [
    (r"arshjul", "arshjul"),
    (r"kvalitetsrapport|kvalitetsredovisning|kvalitetsberattelse|systematiskt kvalitetsarbete", "kvalitetsrapport"),
    (r"delarsrapport|delarsbokslut|delar\b|tertialrapport|tertialuppfoljning|manadsrapport|manadsuppfoljning|"
     r"\bt[123]\b|uppfoljning (?:per|efter) (?:tertial|april|augusti)", "delarsrapport"),
    (r"verksamhetsberattelse|arsredovisning|arsberattelse|bokslut", "verksamhetsberattelse"),
    (r"uppfoljning av (?:verksamhetsplan|aktivitetsplan|handlingsplan)|uppfoljning verksamhetsplan|"
     r"uppfoljning namndmal|uppfoljning av namndmal|malrapport", "verksamhetsplan_uppfoljning"),
    (r"uppfoljning av (?:fjolarets|forra arets|forega?ende ars) (?:aktiviteter|utvecklingsomraden|insatser)",
     "aktivitetsuppfoljning"),
    (r"verksamhetsplan|handlingsplan|aktivitetsplan|arbetsplan|utvecklingsplan", "verksamhetsplan"),
    (r"protokoll|kallelse|tjansteskrivelse|handling|sammantradesprotokoll|forslag till beslut", "protokoll"),
]

# ---- section and record kinds -------------------------------------------------------------
SectionKind = Literal[
    "aktivitet",  # an activity row or block
    "indikator",  # a goal–indicator–outcome row
    "uppfoljning",
    "analys",
    "kommentar",
    "insats",  # planned action, development area
    "mal",  # goals and expected effects
    "ansvar",
    "risk",
    "styrkor_svagheter",
    "kostnad",  # an amount, in tkr
    "tidplan",
    "bakgrund",
    "nulagesanalys",
    "nulage",
    "erfarenhetsspridning",
    "process",  # a step of the yearly process (årshjul)
    "text",  # anything else
]
SECTION_KINDS: tuple[SectionKind, ...] = get_args(SectionKind)
RECORD_KINDS = SECTION_KINDS

SECTION_KIND_LABELS: dict[str, str] = {
    "aktivitet": "Aktiviteter",
    "indikator": "Indikatorer",
    "uppfoljning": "Uppföljning",
    "analys": "Analys",
    "kommentar": "Kommentarer",
    "insats": "Insatser",
    "mal": "Mål",
    "ansvar": "Ansvar",
    "risk": "Risker",
    "styrkor_svagheter": "Styrkor och svagheter",
    "kostnad": "Kostnader",
    "tidplan": "Tidplan",
    "bakgrund": "Bakgrund",
    "nulagesanalys": "Nulägesanalys",
    "nulage": "Nuläge",
    "erfarenhetsspridning": "Erfarenhetsspridning",
    "process": "Process (årshjul)",
    "text": "Övrig text",
}

# A heading's kind from its words (folded: lower case, å/ä/ö kept). First match wins, so the
# more specific patterns come first. "Budget/Ekonomi" marks costs, never risks.
SECTION_HEADING_WORDS: list[tuple[str, str]] = [
    (r"styrkor och svagheter|styrkor|svagheter|framgångsfaktorer", "styrkor_svagheter"),
    (r"tidplan|tidsplan", "tidplan"),
    (r"risk|hinder|utmaning", "risk"),
    (r"analys|bedömning|slutsats|framtid|reflektion|lärdomar|kommentar(?:er)? till", "analys"),
    (r"uppföljning|resultat|måluppfyllelse|utvärdering|utfall", "uppfoljning"),
    # The läroplan's goal areas that quality reports follow up.
    (r"^trygghet och studiero|^normer och värden|^utveckling och lärande|^kunskaper\b|^elevernas inflytande|"
     r"^barns? inflytande|^betyg\b|^omsorg, utveckling och lärande", "uppfoljning"),
    (r"insats|åtgärd|utvecklingsområde|prioriterade (?:områden|utvecklingsområden)|utvecklingsarbete", "insats"),
    (r"^mål\b|\bmål för\b|nämndens mål|målsättning|förväntade effekter|^nämndmål|strategiska mål", "mal"),
    (r"bakgrund|inledning|förutsättningar|uppdrag|utgångsläge|vision|delaktighet|ansvarsområde|om verksamheten|syfte",
     "bakgrund"),
    (r"kostnad|budget|ekonomi|ekonomisk|finansiering|driftredovisning|investering|prognos", "kostnad"),
]

# ---- statuses and assessments -------------------------------------------------------------
STATUS_NORMAL: dict[str, str] = {
    "genomförd": "Genomfört", "genomfört": "Genomfört", "genomförts": "Genomfört",
    "klar": "Genomfört", "klart": "Genomfört", "uppnått": "Genomfört", "uppnådd": "Genomfört",
    "slutförd": "Genomfört", "slutfört": "Genomfört", "färdig": "Genomfört", "färdigt": "Genomfört",
    "pågår": "Pågående", "pågående": "Pågående", "påbörjad": "Pågående", "påbörjat": "Pågående",
    "startad": "Pågående", "startat": "Pågående",
    "delvis genomförd": "Delvis genomfört", "delvis genomfört": "Delvis genomfört",
    "delvis uppnått": "Delvis genomfört", "delvis klar": "Delvis genomfört", "delvis klart": "Delvis genomfört",
    "ej påbörjad": "Ej påbörjad", "ej påbörjat": "Ej påbörjad", "ej startad": "Ej påbörjad",
    "ej startat": "Ej påbörjad", "inte påbörjad": "Ej påbörjad", "inte påbörjat": "Ej påbörjad",
    "inte startad": "Ej påbörjad",
    "skjuts upp": "Uppskjuten", "uppskjuten": "Uppskjuten", "uppskjutet": "Uppskjuten",
    "flyttas till nästa år": "Uppskjuten", "senarelagd": "Uppskjuten", "framflyttad": "Uppskjuten",
    "kvarstår": "Kvarstår",
    "pausad": "Pausad", "pausat": "Pausad", "vilande": "Pausad",
    "avslutad": "Avslutad", "avslutat": "Avslutad", "avbruten": "Avslutad", "avbrutet": "Avslutad",
    "utgår": "Avslutad",
    "ej genomförd": "Ej genomfört", "ej genomfört": "Ej genomfört", "inte genomförd": "Ej genomfört",
    "inte genomfört": "Ej genomfört", "ej uppnått": "Ej genomfört", "inte uppnått": "Ej genomfört",
}
# The normalised statuses, in the order filters show them; then written forms the sample
# layouts keep (their hand-checked figures use them).
NORMAL_STATUSES = (
    "Pågående", "Genomfört", "Delvis genomfört", "Ej påbörjad", "Uppskjuten", "Kvarstår",
    "Pausad", "Avslutad", "Ej genomfört",
)
STATUSES = NORMAL_STATUSES + ("Pågår", "Klart")
# One status, written many ways (Swedish follow-up practice): the wordings that mean the same,
# by the status filters and facets group them under (search, the search page, /api/activities).
# The documents' own wording is kept and shown; only comparing goes through the group.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "Pågående": ("pågående", "pågår", "påbörjad", "påbörjat", "påbörjade", "startad", "startat"),
    "Genomfört": ("genomfört", "genomförd", "genomförts", "klart", "klar", "avslutad", "avslutat", "slutförd",
                  "slutfört", "färdig", "färdigt"),
    "Ej påbörjad": ("ej påbörjad", "ej påbörjat", "ej startad", "ej startat", "inte påbörjad", "inte påbörjat",
                    "inte startad", "inte startat"),
    "Uppskjuten": ("uppskjuten", "uppskjutet", "skjuten", "skjutet", "förskjuten", "förskjutet", "förskjuts",
                   "skjuts upp", "kvarstår", "pausad", "pausat", "vilande", "senarelagd", "framflyttad"),
}
_STATUS_GROUP_OF = {w: g for g, ws in STATUS_GROUPS.items() for w in ws}


def status_group(value: str | None) -> str | None:
    """The status group a written status belongs to ("Pågår" -> "Pågående", "Klart" ->
    "Genomfört", "Kvarstår" -> "Uppskjuten"), or None for a status of no group ("Delvis
    genomfört", "Ej genomfört", an unknown word) and for no status. Case and a trailing "." do
    not matter."""
    if not value:
        return None
    return _STATUS_GROUP_OF.get(fold(value).strip(" .*:;!"))


# Statuses that mean the activity is not finished and carries forward.
UNFINISHED_STATUSES = ("Pågående", "Pågår", "Kvarstår", "Pausad", "Ej påbörjad", "Delvis genomfört", "Uppskjuten")
ASSESSMENTS: dict[str, str] = {
    "grön": "Grön", "gul": "Gul", "röd": "Röd", "grönt": "Grön", "gult": "Gul", "rött": "Röd",
    "uppfyllt": "Uppfyllt", "delvis uppfyllt": "Delvis uppfyllt", "ej uppfyllt": "Ej uppfyllt",
}

# Status sentences in a comment: "Uppdraget är genomfört", "Arbetet pågår", "Aktiviteten är klar".
_STATUS_SENTENCE_RE = re.compile(
    r"\b(?:uppdraget|arbetet|aktiviteten|insatsen|åtgärden|projektet|det|\w+(?:en|et|na))\s+(?:är\s+|har\s+)?(?:nu\s+)?"
    r"(delvis genomfört|delvis genomförd|genomfört|genomförd|klart|klar|avslutat|avslutad|pågår|påbörjat|påbörjad|fortsätter"
    r"|inte påbörjat|ej påbörjat|inte påbörjats|inte startat|inte genomfört|ej genomfört|pausat|pausad|uppskjutet"
    r"|skjutits upp|skjuts upp|kvarstår|införd|infört)\b",
    re.I,
)
_SENTENCE_STATUS = {"fortsätter": "Pågående", "inte påbörjats": "Ej påbörjad", "inte startat": "Ej påbörjad",
                    "skjutits upp": "Uppskjuten", "införd": "Genomfört", "infört": "Genomfört"}


def fold(text: str) -> str:
    """Lower case, NFC, whitespace collapsed: the form words are compared in."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip().lower()


def normalise_status(raw: str | None) -> tuple[str | None, str | None]:
    """(status, assessment) for a status as written; unknown words give (None, None).

    "Genomförd" -> ("Genomfört", None); "Grön" -> (None, "Grön"); "Pågår." -> ("Pågående", None).
    """
    if not raw:
        return None, None
    key = fold(raw).strip(" .*:;!")
    if key in STATUS_NORMAL:
        return STATUS_NORMAL[key], None
    if key in ASSESSMENTS:
        return None, ASSESSMENTS[key]
    return None, None


def is_status_word(text: str | None) -> bool:
    """True for a known status or assessment word as a whole cell ("Delvis genomförd", "Grön")."""
    s, a = normalise_status(text)
    return bool(s or a)


def status_in_text(text: str | None) -> tuple[str | None, str | None]:
    """(status, phrase) from a sentence such as "Uppdraget är genomfört under året." -> Genomfört."""
    if not text:
        return None, None
    m = _STATUS_SENTENCE_RE.search(text)
    if not m:
        return None, None
    word = fold(m.group(1))
    return STATUS_NORMAL.get(word) or _SENTENCE_STATUS.get(word), m.group(0)


# ---- perspectives --------------------------------------------------------------------------
PERSPECTIVES = ("Samhälle", "Medborgare", "Ekonomi", "Verksamhet", "Medarbetare")
# Headings that are perspectives in balanced-scorecard plans, besides PERSPECTIVES.
MORE_PERSPECTIVES = ("Brukare", "Elev", "Barn och elever", "Kund", "Process", "Utveckling", "Lärande",
                     "Invånare", "Organisation", "Verksamhet och kvalitet", "Kvalitet")

# ---- committees ---------------------------------------------------------------------------
COMMITTEES: dict[str, str] = {
    "bin": "BiN", "bou": "BoU", "bun": "BUN", "un": "UN", "ks": "KS", "kf": "KF",
    "gvn": "GVN", "gymn": "GYN", "utbn": "UTBN", "bn": "BN", "ukn": "UKN", "fn": "FN",
    "kommunstyrelsen": "Kommunstyrelsen", "kommunfullmäktige": "Kommunfullmäktige",
    "barn- och utbildningsnämnden": "BUN", "barn- och ungdomsnämnden": "BoU",
    "bildningsnämnden": "BiN", "utbildningsnämnden": "UN",
}
_COMMITTEE_WORD_RE = re.compile(r"nämnd|styrelse|fullmäktige", re.I)
_ABBREV_RE = re.compile(r"^[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{1,4}$")


def is_committee(text: str | None) -> bool:
    """A committee as written: a known abbreviation (BUN, BiN), "... nämnden", "Kommunstyrelsen",
    or several of them joined by ",", "&", "/" or "och"."""
    if not text:
        return False
    parts = [p.strip(" .") for p in re.split(r"\s*(?:,|&|/|\+|\boch\b)\s*", text.strip()) if p.strip(" .")]
    if not parts:
        return False
    for p in parts:
        if fold(p) in COMMITTEES or (_ABBREV_RE.match(p) and sum(c.isupper() for c in p) >= 2):
            continue
        if _COMMITTEE_WORD_RE.search(p) and len(p.split()) <= 5:
            continue
        return False
    return True


def normalise_committee(text: str | None) -> str | None:
    """"bin & BoU" -> "BiN, BoU"; "Tekniska nämnden" kept as written; order of writing kept."""
    if not text:
        return None
    out: list[str] = []
    for tok in re.split(r"\s*(?:,|&|/|\+|\boch\b)\s*", text.strip()):
        tok = tok.strip(" .")
        if not tok:
            continue
        value = COMMITTEES.get(fold(tok))
        if value is None:
            value = tok.upper() if len(tok) <= 4 and _ABBREV_RE.match(tok) else tok
        if value not in out:
            out.append(value)
    return ", ".join(out) or None


# ---- months and periods --------------------------------------------------------------------
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)
MONTH_ABBREV = {"jan": "januari", "feb": "februari", "mar": "mars", "apr": "april", "jun": "juni",
                "jul": "juli", "aug": "augusti", "sep": "september", "sept": "september",
                "okt": "oktober", "nov": "november", "dec": "december"}

# ---- table headers -------------------------------------------------------------------------
# Record field -> header words (folded, without trailing year or unit). A header cell maps to
# the first field whose synonym it equals or starts with.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "month": ("månad", "när", "tidpunkt", "period", "tid", "datum", "vecka"),
    "indicator": ("indikator", "indikatorer", "nyckeltal", "mått", "mätetal", "resultatmått", "kpi"),
    "activity": ("aktivitet", "aktiviteter", "åtgärd", "åtgärder", "insats", "insatser", "uppdrag",
                 "utvecklingsområde", "utvecklingsområden", "vad", "beskrivning av aktivitet", "uppgift",
                 "arbetsmoment", "moment"),
    "goal": ("nämndmål", "mål", "strategiskt mål", "strategiska mål", "verksamhetsmål", "delmål",
             "målområde", "inriktningsmål", "effektmål", "prioriterat mål"),
    "municipal_goal": ("kommunövergripande mål", "kommunmål", "kf-mål", "fullmäktigemål"),
    "committee": ("nämnd", "nämnder", "berörd nämnd", "ansvarig nämnd", "beslutande nämnd", "nämnd/styrelse",
                  "utförare"),
    "responsible": ("ansvarig", "ansvar", "vem", "ansvarig funktion", "ansvarig chef", "huvudansvarig", "roll"),
    "deadline": ("klart", "slutfört", "slutförd", "tidplan", "klart när", "klar", "deadline", "tidsplan",
                 "klart senast", "slutdatum", "färdigt"),
    "status": ("status", "läge", "statusbedömning"),
    "assessment": ("bedömning", "måluppfyllelse", "bedömd måluppfyllelse", "trend", "färg", "värdering"),
    "comment": ("kommentar", "kommentarer", "ev. kommentar", "ev kommentar", "analys", "beskrivning",
                "kommentar till status", "uppföljning", "notering"),
    "outcome": ("utfall", "resultat", "värde", "senaste utfall", "utfall hittills", "uppnått värde"),
    "target": ("målnivå", "målvärde", "mål värde", "målvärde 2023", "förväntat värde", "mål nivå", "målsatt nivå"),
    "amount": ("belopp", "kostnad", "kostnader", "budget", "tkr", "kronor", "summa", "utgift", "netto",
               "nettokostnad", "intäkter", "avvikelse", "prognos", "årsbudget", "budgetavvikelse", "helårsprognos",
               "prognos helår", "budget helår", "utfall helår"),
    "item": ("post", "kostnadspost", "verksamhet", "område", "konto", "benämning", "budgetpost"),
    "perspective": ("perspektiv",),
}


def header_field(cell: str) -> tuple[str | None, str | None]:
    """(field, period) a header cell maps to: "Utfall 2023" -> ("outcome", "2023"),
    "Målvärde" -> ("target", None), "Kostnad (tkr)" -> ("amount", None); (None, None) if none."""
    s = fold(cell).strip(" :.*")
    s = re.sub(r"\s*\((?:tkr|mnkr|mkr|kr|%|st|antal|procent)\)$", "", s).strip()
    s = re.sub(r"\s*,\s*(?:tkr|mnkr|mkr|kr)$", "", s).strip()
    period = None
    m = re.search(r"\s*((?:t[123]|q[1-4]|ht|vt|delår|helår)?\s*-?\s*(?:19|20)\d\d(?:\s*[/–-]\s*\d{2,4})?)$", s)
    if m and m.start() > 0:
        period = m.group(1).strip() or None
        s = s[: m.start()].strip()
        month = re.search(r"\s+(?:" + "|".join(MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec)"
                          r"(?:\s*[–-]\s*\w+)?$", s)
        if month:  # "Utfall aug 2022": the document's own period
            s, period = s[: month.start()].strip(), None
        elif period and re.match(r"^(?:t[123]|q[1-4])", period):
            period = period.upper()
    s = re.sub(r"\s*\((?:tkr|mnkr|kr|%|st|antal)\)$", "", s).strip()
    s = re.sub(r"\s*,?\s*(?:tkr|mnkr)$", "", s).strip() or s
    if not s:
        return None, None
    for field, words in HEADER_SYNONYMS.items():
        if s in words:
            return field, period
    for field, words in HEADER_SYNONYMS.items():
        for w in words:
            if len(w) >= 3 and (s.startswith(w + " ") or s.startswith(w + "/") or s.startswith(w + ",")):
                return field, period
    return None, None
