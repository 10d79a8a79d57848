"""What a question names, read without a language model: section kinds, a year, a läsår or a
period, committees, a perspective, a status.

"Vad kostar elevhälsan?" names the kind kostnad; "Hur gick arbetet med frånvaron 2019?" names
uppföljning and the year 2019. The retriever boosts what was understood (never filters on it:
an explicit filter is the user's), and the answer lists it with a key the user can undo it by
(`ignore`). A question that names nothing is ranked as before.

Also here: how filter values are compared (case- and accent-insensitively; committees as a set,
so "BiN och BoU" = "BoU, BiN" = "BiN & BoU") and the check that a kind or status exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvalitet.domain.vocabulary import status_group
from kvalitet.search.analysis import fold

# Phrases that name a section kind (matched on the lower-cased, accent-folded question).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "risk": (r"risk\w*", r"hinder\w*", r"hindren"),
    "kostnad": (r"kosta\w*", r"kostnad\w*", r"budget\w*", r"tkr", r"mnkr", r"kronor", r"pengar"),
    "analys": (r"analys\w*", r"varfor", r"orsak\w*"),
    "uppfoljning": (r"uppfoljning\w*", r"hur gick", r"gick det", r"resultat\w*", r"blev det av"),
    "indikator": (r"indikator\w*", r"andel\w*", r"utfall\w*", r"nyckeltal\w*"),
}
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "Kvarstår": (r"kvarstar\w*",),
    "Pågående": (r"pagaende", r"pagar"),
    "Genomfört": (r"genomfort\w*", r"genomford\w*"),
    "Pausad": (r"pausad\w*", r"pausat\w*"),
    "Ej påbörjad": (r"ej paborja\w*", r"inte paborja\w*"),
    "Avslutad": (r"avslutad\w*",),
}
PERSPECTIVE_WORDS = {
    "Samhälle": "samhalle", "Medborgare": "medborgar", "Ekonomi": "ekonomi", "Verksamhet": "verksamhet",
    "Medarbetare": "medarbetar",
}
# Keys the answer names and the user can pass back in `ignore` to undo one reading.
KEYS = ("kind", "status", "year", "committee", "perspective", "accents", "document")

# Each reading's phrases as one pattern: "\b(?:p1|p2)\b" matches where one of "\bp\b" does.
_KIND_RES = {k: re.compile(r"\b(?:" + "|".join(pats) + r")\b") for k, pats in KIND_WORDS.items()}
_STATUS_RES = {k: re.compile(r"\b(?:" + "|".join(pats) + r")\b") for k, pats in STATUS_WORDS.items()}
_PERSPECTIVE_RES = {
    name: re.compile(rf"\b{stem_}\w*perspektiv|\bperspektiv(?:et)?\s+{stem_}") for name, stem_ in PERSPECTIVE_WORDS.items()
}
_YEAR = re.compile(r"(?<![\d/])(?:19|20)\d{2}(?![\d/])")
_LASAR = re.compile(r"lasar(?:et)?\s*(?:(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4}))")
_PERIOD = re.compile(r"\b(?:t|tertial\s*)([123])[\s,]*((?:19|20)\d{2})\b")


def _full(y: str, base: int | None = None) -> int:
    v = int(y)
    if v >= 100:
        return v
    return (base // 100 * 100 + v) if base else 2000 + v


@dataclass
class Understood:
    """What was read from a question, as boosts. Every field is undone by its key in KEYS."""

    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    school_year: str | None = None  # "2020/21"
    period: str | None = None  # "T2 2022"
    committees: list[str] = field(default_factory=list)
    perspective: str | None = None
    accents: dict[str, str] = field(default_factory=dict)  # typed word -> the corpus word it matched
    ignored: list[str] = field(default_factory=list)
    # Documents the question names by their name (file path, title): "i Norrsjö", "årshjulet".
    documents: dict[str, float] = field(default_factory=dict)  # path -> 0..1 (the best: 1)
    naming_words: dict[str, frozenset[str]] = field(default_factory=dict)  # word -> paths

    def __bool__(self) -> bool:
        return bool(self.kinds or self.statuses or self.years or self.committees or self.perspective or self.accents
                    or self.documents)

    def best_documents(self, limit: int = 5) -> list[str]:
        """The documents named best (score 1), at most `limit`, by path."""
        return sorted(d for d, v in self.documents.items() if v >= 1.0)[:limit]

    def as_json(self) -> dict:
        """The `"understood"` object of the API and `--json`: what was applied, as boosts, with
        the key that undoes each (`ignore`)."""
        out: dict = {}
        if self.kinds:
            out["kind"] = {"values": self.kinds, "applied": "boost"}
        if self.statuses:
            out["status"] = {"values": self.statuses, "applied": "boost"}
        if self.years:
            out["year"] = {"values": self.years, "applied": "boost"}
            if self.school_year:
                out["year"]["school_year"] = self.school_year
            if self.period:
                out["year"]["period"] = self.period
        if self.committees:
            out["committee"] = {"values": self.committees, "applied": "boost"}
        if self.perspective:
            out["perspective"] = {"values": [self.perspective], "applied": "boost"}
        if self.accents:
            out["accents"] = {"values": self.accents, "applied": "expansion"}
        if self.documents:
            out["document"] = {"values": self.best_documents(), "words": sorted(self.naming_words),
                               "applied": "boost"}
        if self.ignored:
            out["ignored"] = self.ignored
        return out

    def labels(self, kind_labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """(key, Swedish label) per reading, for "Tolkade: år 2019 (ta bort)"."""
        kl = kind_labels or {}
        out = []
        if self.kinds:
            out.append(("kind", "avsnitt: " + ", ".join(kl.get(k, k).lower() for k in self.kinds)))
        if self.statuses:
            out.append(("status", "status: " + ", ".join(self.statuses)))
        if self.years:
            if self.period:
                what = f"period {self.period}"
            elif self.school_year:
                what = f"läsår {self.school_year}"
            else:
                what = "år " + ", ".join(map(str, self.years))
            out.append(("year", what))
        if self.committees:
            out.append(("committee", "nämnd: " + ", ".join(self.committees)))
        if self.perspective:
            out.append(("perspective", f"perspektiv: {self.perspective}"))
        if self.accents:
            out.append(("accents", ", ".join(f"{a} → {b}" for a, b in self.accents.items())))
        if self.documents:
            out.append(("document", "dokument: " + ", ".join(self.best_documents(3))))
        return out


def understand(
    query: str, *, years: set[int] | frozenset[int] = frozenset(), committees: set[str] | frozenset[str] = frozenset(),
    ignore: set[str] | frozenset[str] = frozenset(),
) -> Understood:
    """Read kinds, statuses, a year / läsår / period, committees and a perspective from `query`.

    `years`: the years that occur in the index (a year nobody wrote about stays a search word);
    `committees`: the committee names of the index (matched as whole words, any case);
    `ignore`: keys of KEYS not to apply."""
    u = Understood(ignored=sorted(set(ignore) & set(KEYS)))
    q = fold(query.lower())
    if "kind" not in ignore:
        u.kinds = [kind for kind, pattern in _KIND_RES.items() if pattern.search(q)]
    if "status" not in ignore:
        u.statuses = [status for status, pattern in _STATUS_RES.items() if pattern.search(q)]
    if "year" not in ignore:
        found: list[int] = []
        m = _LASAR.search(q)
        if m:
            y1 = _full(m.group(1))
            y2 = _full(m.group(2), y1)
            found = [y1, y2]
            u.school_year = f"{y1}/{str(y2)[-2:]}"
        else:
            p = _PERIOD.search(q)
            if p:
                found = [int(p.group(2))]
                u.period = f"T{p.group(1)} {p.group(2)}"
            else:
                found = [int(y) for y in _YEAR.findall(q)]
        kept = [y for y in dict.fromkeys(found) if y in years]
        if kept:
            u.years = kept
        else:
            u.school_year = u.period = None
    if "committee" not in ignore and committees:
        tokens = set(re.findall(r"[\w-]+", fold(query.casefold())))
        u.committees = sorted(c for c in committees if fold(c.casefold()) in tokens)
    if "perspective" not in ignore:
        u.perspective = next((name for name, pattern in _PERSPECTIVE_RES.items() if pattern.search(q)), None)
    return u


# ---- filter values ----------------------------------------------------------------------
_COMMITTEE_SEP = re.compile(r"\s*(?:,|&|/|;|\+|\boch\b)\s*", re.IGNORECASE)


def value_key(value: str | None) -> str:
    """A filter value as compared: case- and accent-insensitive, spaces collapsed."""
    return " ".join(fold((value or "").casefold()).split())


def status_key(value: str | None) -> str:
    """A status as compared: its group's key when it has one, so that "Pågår", "Pågående" and
    "påbörjad" are one status and "Klart", "Genomförd" and "Avslutad" another (STATUS_GROUPS);
    otherwise value_key."""
    return value_key(status_group(value) or value)


def field_key(f: str, value: str | None) -> str:
    """The value of filter field `f` as compared: status_key for "status", else value_key."""
    return status_key(value) if f == "status" else value_key(value)


def committee_set(value: str | None) -> frozenset[str]:
    """The committees a value names, as a set of keys: "BiN och BoU", "BoU, BiN" and
    "BiN & BoU" are all {"bin", "bou"}."""
    return frozenset(k for k in (value_key(x) for x in _COMMITTEE_SEP.split(value or "")) if k)
