"""What similar activities' records say taken together, each count citing its rows.

    "Av sex liknande aktiviteter 2019–2022 genomfördes fyra [p_a, p_b, p_c, p_d]; två sköts upp
     [p_e, p_f], i båda fallen med hänvisning till ekonomin."

Rows are activity records (section kind "aktivitet") judged relevant to the new activity. Their
status is read into done / ongoing / postponed (a postponed flag, "Förskjuts", Kvarstår, Pausad,
Ej påbörjad count as postponed); the reason for a postponement is read from its comment into a
few named causes (the pandemic, the economy, staffing, time and priorities, technology). Counts
are written as Swedish number words; the grounding check accepts a count that equals the number
of passages in its citation group (grounding.py). Nothing is counted that has no cited row.

Indicator series are not read here: drafting takes them from kvalitet.results (drafting/series.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvalitet.domain.types import Passage

WORDS = {1: "en", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio",
         11: "elva", 12: "tolv"}
DONE = ("genomfört", "genomförd", "klart", "klar", "avslutad", "avslutat", "slutfört", "slutförd", "uppnått")
ONGOING = ("pågående", "pågår", "påbörjad", "påbörjat", "delvis genomfört", "delvis genomförd")
POSTPONED = ("kvarstår", "pausad", "pausat", "ej påbörjad", "ej påbörjat", "uppskjuten", "ej genomfört",
             "ej genomförd", "inte påbörjad", "avbruten", "förskjuten")
CAUSES: list[tuple[str, re.Pattern]] = [
    ("pandemin", re.compile(r"corona\w*|pandemi\w*|covid\w*", re.IGNORECASE)),
    ("ekonomin", re.compile(r"ekonomi\w*|budget\w*|besparing\w*|medel\b|kostnad\w*|finansier\w*", re.IGNORECASE)),
    ("personalsituationen", re.compile(r"rekryter\w*|personal\w*|bemanning\w*|vakan\w*|har slutat|"
                                       r"sjukskriv\w*|kompetensförsörjning\w*|föräldraledig\w*", re.IGNORECASE)),
    ("tid och prioriteringar", re.compile(r"prioriter\w*|tidsbrist|hinn\w*|arbetsbelastning\w*|omprioriter\w*",
                                          re.IGNORECASE)),
    ("tekniken", re.compile(r"teknisk\w*|\bsystem\w*|\bit-\w*|plattform\w*|upphandling\w*", re.IGNORECASE)),
    ("organisationsförändringar", re.compile(r"omorganis\w*|organisationsförändring\w*|ny organisation",
                                            re.IGNORECASE)),
]


def number_word(n: int) -> str:
    return WORDS.get(n, str(n))


def state_of(p: Passage) -> str | None:
    """done | ongoing | postponed | None (no status)."""
    status = (p.status or "").strip().lower()
    if p.postponed or "förskj" in (p.deadline or "").lower():
        return "postponed" if status not in DONE else "done"
    if status in DONE:
        return "done"
    if status in POSTPONED:
        return "postponed"
    if status in ONGOING:
        return "ongoing"
    return None


def causes_of(p: Passage) -> list[str]:
    text = " ".join(x for x in (p.comment, p.status) if x)
    return [name for name, rx in CAUSES if rx.search(text)]


def cite_group(ps: list[Passage]) -> str:
    return "[" + ", ".join(p.id for p in ps) + "]"


@dataclass
class Aggregate:
    rows: list[Passage]
    done: list[Passage] = field(default_factory=list)
    ongoing: list[Passage] = field(default_factory=list)
    postponed: list[Passage] = field(default_factory=list)

    @property
    def cited(self) -> list[Passage]:
        return self.done + self.ongoing + self.postponed

    def years(self) -> str:
        ys = sorted({p.year for p in self.cited if p.year})
        if not ys:
            return ""
        return f" {ys[0]}" if len(ys) == 1 else f" {ys[0]}–{ys[-1]}"

    def cause_counts(self) -> list[tuple[str, list[Passage]]]:
        by: dict[str, list[Passage]] = {}
        for p in self.postponed:
            for c in causes_of(p):
                by.setdefault(c, []).append(p)
        return sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def sentence(self) -> str | None:
        """The aggregate as one Swedish sentence with a citation group after each count; None when
        fewer than two rows have a status."""
        n = len(self.cited)
        if n < 2:
            return None
        # Swedish word order: the verb second after "Av sex liknande aktiviteter …", then subject first
        forms = {"done": ("genomfördes {n}", "{n} genomfördes"),
                 "ongoing": ("pågick {n} fortfarande", "{n} pågick fortfarande"),
                 "postponed": ("sköts {n} upp eller kvarstod", "{n} sköts upp eller kvarstod")}
        head = f"Av {number_word(n)} liknande aktiviteter i tidigare uppföljningar{self.years()}"
        groups = [(name, getattr(self, name)) for name in ("done", "ongoing", "postponed") if getattr(self, name)]
        if len(groups) == 1:
            name, group = groups[0]
            first = forms[name][0].replace("{n}", "alla " + number_word(n) if n > 2 else "båda")
            text = f"{head} {first} {cite_group(group)}"
        else:
            parts = []
            for i, (name, group) in enumerate(groups):
                parts.append(forms[name][0 if i == 0 else 1].replace("{n}", number_word(len(group)))
                             + f" {cite_group(group)}")
            text = f"{head} " + "; ".join(parts)
        causes = self.cause_counts()
        k = len(self.postponed)
        if causes and k:
            name, ps = causes[0]
            if len(ps) == k and k == 2:
                text += f", i båda fallen med hänvisning till {name}"
            elif len(ps) == k and k > 2:
                text += f", i alla {number_word(k)} fallen med hänvisning till {name}"
            elif len(ps) == k:
                text += f", med hänvisning till {name}"
            else:
                named = ", ".join(f"{c} {cite_group(g)}" for c, g in causes[:2])
                text += f"; som skäl angavs bland annat {named}"
        return text + "."

    def reasons_sentence(self) -> str | None:
        """Why similar activities were delayed, for the analysis: the causes named, with rows."""
        causes = self.cause_counts()
        if not causes:
            return None
        named = [f"{c} {cite_group(g)}" for c, g in causes[:3]]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " och " + named[-1]
        return f"När liknande aktiviteter försenades angavs som skäl {listed}."


def aggregate(rows: list[Passage]) -> Aggregate:
    """Similar activities' rows (one per activity and year) sorted into done, ongoing, postponed."""
    agg = Aggregate(rows=list(rows))
    seen: set[tuple[str, int | None]] = set()
    for p in rows:
        key = ((p.activity or p.text).strip().lower(), p.year)
        if key in seen:
            continue
        seen.add(key)
        st = state_of(p)
        if st is not None:
            getattr(agg, st).append(p)
    return agg
