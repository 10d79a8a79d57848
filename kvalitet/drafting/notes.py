"""The principal's own notes: each sentence placed in the one section where it belongs, numbers read.

A principal writes notes as they come ("Andelen elever med mer än 10 % frånvaro har minskat från
14 % till 11 %. Närvarotrappan fungerar bra men mentorerna hinner inte ringa hem i tid."). Each
sentence goes to exactly one section of the draft:

    cost       amounts, budget, funding                     -> kostnader
    risk       a risk, a worry, something that may stop it  -> risker
    judgement  why, how well, what is needed (a valuation)  -> analys
    fact       what was done and what happened, numbers    -> uppfoljning

When the section a sentence belongs to is not asked for, it goes to the nearest one that is
(FALLBACK), never to risks or costs unless it is one. Numbers are read: "från 14 % till 11 %" is a change of 3 procentenheter, down; "18
av 24" is 75 %. The grounding check accepts such derived numbers and says how each was computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvalitet.drafting.grounding import norm

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9»\"(])")
_COST = re.compile(r"\b\d[\d \u00a0]*(?:[.,]\d+)?\s?(?:tkr|mnkr|mkr|kr|kronor)\b|\bkostna\w*|\bbudget\w*|"
                   r"\bfinansier\w*|\bstatsbidrag\w*|\bmedel\b|\bbekostas\b", re.IGNORECASE)
_RISK = re.compile(r"\brisk\w*|\boro\b|\boroli\w*|\bosäker\w*|kan (?:komma att )?(?:försvåra|hindra|försena|stoppa)|"
                   r"\bhot\w*\b|\bsårbar\w*|\bom inte\b", re.IGNORECASE)
_JUDGEMENT = re.compile(
    r"\bfungera\w*|\bbra\b|\bdålig\w*|\bbättre\b|\bsämre\b|\btyder\b|\bvisar att\b|\bberor\b|\beftersom\b|"
    r"\bdärför\b|\bbehöv\w*|\bbör\b|\bborde\b|\bhinner inte\b|\bsvår\w*|\bupplev\w*|\btror\b|\bbedöm\w*|"
    r"\bvi ser\b|\blyckat?s?\b|\brä[c]ker inte\b|\binte räcker\b|\bsaknas\b|\bmen\b|\btydlig\w*|\bviktig\w*|"
    r"\beffekt\w*|\bförklar\w*|\borsak\w*|\bframgång\w*|\butmaning\w*|\bsvårighet\w*",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
_REASONING = re.compile(r"\beftersom\b|\bberor\b|\bdärför\b|\btyder\b|\bmen\b|\bfungera\w*|\bbehöv\w*|\bbör\b",
                        re.IGNORECASE)
# A fact or a judgement is never a risk or a cost: when neither follow-up nor analysis is asked
# for, such a sentence is left out of the draft rather than shown as "Rektorns anteckningar om
# risker" (it stays in the notes the principal wrote).
FALLBACK = {
    "uppfoljning": ("uppfoljning", "analys"),
    "analys": ("analys", "uppfoljning"),
    "risker": ("risker", "analys"),
    "kostnader": ("kostnader", "uppfoljning", "analys"),
}
ROLE_SECTION = {"fact": "uppfoljning", "judgement": "analys", "risk": "risker", "cost": "kostnader"}

# "har minskat från 14 % till 11 %", "ökade från 40 till 52 procent", "gick från 18 till 12"
_CHANGE_VERBS = ("minskat", "minskade", "sjunkit", "sjönk", r"gått\s+ner", "ökat", "ökade", "stigit", "steg", r"gått\s+upp",
                 "förbättrats", "försämrats", "gått", "gick")
_DECIMAL = r"\d+(?:[.,]\d+)?"
_FROM_TO = re.compile(rf"(?P<verb>\b(?:har\s+|hade\s+)?(?:{'|'.join(_CHANGE_VERBS)})\s+)?från\s+(?P<a>{_DECIMAL})\s?"
                      rf"(?P<ua>%|procent)?\s+till\s+(?P<b>{_DECIMAL})\s?(?P<ub>%|procent)?", re.IGNORECASE)
_OF = re.compile(r"\b(?P<a>\d+)\s+av\s+(?P<b>\d+)\b(?!\s?%)(?P<noun>\s+(?!(?:har|hade|är|var|blev|kom|gick|deltog|fick|kan|ska|svarade)\b)[a-zåäö]+)?")
_DOWN = re.compile(r"minsk|sjunk|sjönk|ner\b|försämr", re.IGNORECASE)


@dataclass
class Change:
    """A change read from a note: from `before` to `after` (percent or a plain number)."""

    before: float
    after: float
    percent: bool
    sentence: str

    @property
    def difference(self) -> float:
        return round(abs(self.after - self.before), 2)

    @property
    def direction(self) -> str:
        return "ned" if self.after < self.before else ("upp" if self.after > self.before else "oförändrad")

    def amount(self) -> str:
        """"3 procentenheter" / "6" (the size of the change, in the notes' own unit)."""
        d = f"{self.difference:g}".replace(".", ",")
        return f"{d} procentenheter" if self.percent else d

    def phrase(self) -> str:
        """"en minskning med 3 procentenheter, från 14 % till 11 %"."""
        noun = {"ned": "en minskning", "upp": "en ökning", "oförändrad": "ingen förändring"}[self.direction]
        unit = " %" if self.percent else ""
        a, b = (f"{x:g}".replace(".", ",") for x in (self.before, self.after))
        if self.direction == "oförändrad":
            return f"ingen förändring ({a}{unit})"
        return f"{noun} med {self.amount()}, från {a}{unit} till {b}{unit}"


@dataclass
class NoteSentence:
    text: str  # the principal's sentence, whitespace-normalised
    role: str  # fact | judgement | risk | cost
    section: str  # where it is placed
    changes: list[Change] = field(default_factory=list)

    def written(self) -> str:
        """The sentence with its numbers compared: "har minskat från 14 % till 11 %" becomes
        "har minskat med 3 procentenheter, från 14 % till 11 %"; "18 av 24" gets "(75 %)"."""
        out = self.text

        def from_to(m: re.Match) -> str:
            a, b = (float(m.group(x).replace(",", ".")) for x in ("a", "b"))
            pct = bool(m.group("ua") or m.group("ub"))
            ch = Change(a, b, pct, self.text)
            if a == b:
                return m.group(0)
            verb = m.group("verb") or ""
            whole = m.group(0)
            tail = whole[len(whole.rstrip()):]  # a space the pattern took after the number
            if verb and not re.search(r"\bgått\s*$|\bgick\s*$", verb.strip(), re.IGNORECASE):
                return f"{verb}med {ch.amount()}, {whole[len(verb):].rstrip()}{tail}"
            return f"{whole.rstrip()} ({ch.phrase().split(',')[0]}){tail}"

        out = _FROM_TO.sub(from_to, out)

        def share(m: re.Match) -> str:
            a, b = int(m.group("a")), int(m.group("b"))
            if b == 0 or a > b:
                return m.group(0)
            return f"{m.group(0)} ({round(100 * a / b)} %)"  # after its noun: "18 av 24 medarbetare (75 %)"

        out = _OF.sub(share, out)
        return out


def changes_in(text: str) -> list[Change]:
    out = []
    for m in _FROM_TO.finditer(text):
        a, b = (float(m.group(x).replace(",", ".")) for x in ("a", "b"))
        out.append(Change(a, b, bool(m.group("ua") or m.group("ub")), text))
    return out


def role_of(sentence: str) -> str:
    """fact, judgement, risk or cost (see the module doc); the first that applies in that order:
    cost, risk, then a sentence with a number and no valuation is a fact, a valuation a judgement."""
    if _COST.search(sentence):
        return "cost"
    if _RISK.search(sentence):
        return "risk"
    if _NUMBER.search(sentence) and not _REASONING.search(sentence):
        return "fact"  # a measured result ("som upplever studiero har ökat från 58 % till 63 %")
    if _JUDGEMENT.search(sentence):
        return "judgement"
    return "fact"


def sentences_of(notes: str | None) -> list[str]:
    out = []
    for line in re.split(r"\n+|(?:^|\s)[-•]\s", notes or ""):
        for s in SENTENCE.split(norm(line)):
            s = s.strip()
            if len(s) >= 3 and re.search(r"\w", s):
                out.append(s if s.endswith((".", "!", "?")) else s + ".")
    return out


@dataclass
class NotesPlan:
    """The principal's note sentences, each placed in one of the requested sections."""

    sentences: list[NoteSentence]
    status: str | None = None
    status_section: str | None = None
    sections_asked: list[str] = field(default_factory=list)

    def for_section(self, kind: str, role: str | None = None) -> list[NoteSentence]:
        return [s for s in self.sentences if s.section == kind and (role is None or s.role == role)]

    @property
    def changes(self) -> list[Change]:
        return [c for s in self.sentences for c in s.changes]


def place(notes: str | None, status: str | None, sections: list[str]) -> NotesPlan:
    """Each note sentence into the one requested section it belongs to (FALLBACK when its own
    section is not requested; left out when no section of its FALLBACK is). The status goes with
    the facts, and is left out the same way."""
    plan = NotesPlan([], status=(norm(status) or None) if status else None, sections_asked=list(sections))
    if not sections:
        return plan
    for s in sentences_of(notes):
        role = role_of(s)
        target = next((k for k in FALLBACK[ROLE_SECTION[role]] if k in sections), None)
        if target is not None:
            plan.sentences.append(NoteSentence(s, role, target, changes_in(s)))
    if plan.status:
        plan.status_section = next((k for k in FALLBACK["uppfoljning"] if k in sections), None)
    return plan


# Only verbs that name a direction: "Förbättra arbetet mot kränkande behandling" does not say
# whether fewer reports is better (better processes may mean more reports).
_MINSKA = re.compile(r"\b(minska\w*|sänka|reducera\w*|färre)\b", re.IGNORECASE)
_OKA = re.compile(r"\b(öka\w*|höja|fler)\b", re.IGNORECASE)


# Words that name no measure of their own ("andelen elever", "antalet barn").
_NOT_A_MEASURE = frozenset({"andel", "andelen", "antal", "antalet", "procent", "elev", "elever", "eleverna",
                            "elevernas", "barn", "barnen", "barnens", "personal", "personalen", "medarbetare",
                            "medarbetarna", "skola", "skolan", "skolor", "skolorna", "år", "året", "läsår",
                            "läsåret", "förra", "mer", "lärare", "lärarna", "lärarnas", "rektor", "rektorer", "rektorerna",
                            "förskollärare", "vårdnadshavare", "unga", "ungdomar", "än", "minst", "över", "under", "den", "det", "de", "vår",
                            "våra", "vi", "oss", "hos", "bland", "i", "på", "med", "för", "och", "åk", "årskurs"})
# Pairs where more of one is less of the other.
_INVERSE = (("närvaro", "frånvaro"), ("frisknärvaro", "sjukfrånvaro"), ("behörig", "obehörig"),
            ("trygg", "otrygg"), ("godkänd", "underkänd"), ("nöjd", "missnöjd"))


def _measure_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-zåäöé]+", (text or "").lower()) if len(w) > 2 and w not in _NOT_A_MEASURE}


def _related(a: str, b: str) -> bool:
    """Two words name the same thing: one is the other's form or compound ("frånvaron",
    "frånvaro", "sjukfrånvaron") by a shared stem of at least five letters."""
    short, long_ = sorted((a, b), key=len)
    root = short[:max(5, len(short) - 2)]
    return len(short) >= 5 and root in long_


def measure_relation(activity: str, change: "Change") -> str | None:
    """How a change the principal wrote relates to what the activity means to move: "same" when
    the words before the change ("Andelen elever med mer än 10 % frånvaro har minskat …") name the
    activity's measure ("Minska frånvaron"), "inverse" when they name its opposite ("Den ogiltiga
    frånvaron har minskat" for "Öka närvaron": less absence is more presence), None when they name
    something else, or nothing (then no verdict on the direction is given)."""
    m = _FROM_TO.search(change.sentence)
    subject = _measure_words(change.sentence[:m.start()] if m else change.sentence)
    goal = _measure_words(re.sub(r"^\W*\w+", "", activity or ""))  # the words after the verb
    if not subject or not goal:
        return None
    for x, y in _INVERSE:  # first: "obehöriga" shares "behörig" but means its opposite
        for u, v in ((x, y), (y, x)):
            if any(u in a and v not in a for a in goal) and any(v in b for b in subject):
                return "inverse"
    if any(_related(a, b) for a in goal for b in subject):
        return "same"
    return None


def verdict(activity: str, change: "Change", intended: str | None) -> bool | None:
    """Whether `change` goes the way the activity means (True), the other way (False), or says
    nothing about it (None: no intended direction, no change, or another measure)."""
    if not intended or change.direction == "oförändrad":
        return None
    relation = measure_relation(activity, change)
    if relation is None:
        return None
    wanted = intended if relation == "same" else {"upp": "ned", "ned": "upp"}[intended]
    return change.direction == wanted


def intended_direction(activity: str) -> str | None:
    """"ned" when the activity means to lower something ("Minska frånvaron"), "upp" when it means
    to raise it ("Öka andelen behöriga"), None when it does not say."""
    if _MINSKA.search(activity or ""):
        return "ned"
    if _OKA.search(activity or ""):
        return "upp"
    return None
