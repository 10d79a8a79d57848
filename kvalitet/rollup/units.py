"""Which unit a document belongs to, recognised from its own text (title and first headings):
"Kvalitetsrapport för Björkskolan 2023", "Förskolan Solrosen", "EKBACKESKOLAN",
"Blåklintens förskola", "Ekdala gymnasium".

A name of the register that appears in the head of the document wins (the longest, then the
earliest); otherwise a unit name is read from the words themselves and its kind guessed from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CAP = r"[A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ]?[a-zåäöéü]+)?"
_PATTERNS = (
    # Förskolan Solrosen, Fritidshemmet Kotten, Skolan Pärlan
    re.compile(rf"\b((?:Förskolan|Fritidshemmet|Fritids|Skolan|Gymnasiet|Grundskolan)\s+{_CAP})\b"),
    # Blåklintens förskola, Granhöjdens skola, Ekdala gymnasium, Ekdala grundsärskola
    re.compile(rf"\b({_CAP}\s+(?:förskola|skola|gymnasium|grundsärskola|gymnasiesärskola|fritidshem))\b"),
    # Björkskolan, Solrosförskolan, Forsgymnasiet
    re.compile(r"\b([A-ZÅÄÖ][a-zåäöéü]+(?:skolan|skola|gymnasiet|förskolan|fritidshemmet))\b"),
)
_NOT_UNITS = {"skolan", "förskolan", "gymnasiet", "grundskolan", "fritidshemmet", "grundsärskolan", "skola",
              "förskola", "gymnasieskolan", "skolans", "huvudmannen"}
_NOT_FIRST = {"Kvalitetsrapport", "Kvalitetsredovisning", "Rapport", "Om", "För", "Hela", "Varje", "Vår", "Vi",
              "Den", "Det", "Alla"}


@dataclass(frozen=True)
class RecognisedUnit:
    name: str
    kind: str | None
    known: bool  # a name of the register


def kind_of(name: str) -> str | None:
    """The unit kind a name suggests: förskola, fritidshem, gymnasium, grundsärskola, grundskola."""
    n = name.lower()
    if "förskol" in n:
        return "förskola"
    if "fritids" in n:
        return "fritidshem"
    if "gymnasiesärskol" in n:
        return "gymnasiesärskola"
    if "gymnas" in n:
        return "gymnasium"
    if "särskol" in n:
        return "grundsärskola"
    if "skol" in n or "skola" in n:
        return "grundskola"
    return None


def recognise_unit(head: str, known: list[str] | None = None) -> RecognisedUnit | None:
    """The unit a document's head (title and first lines) names, or None. `known`: the
    register's unit names, matched case-insensitively as whole words."""
    if not head or not head.strip():
        return None
    low = head.lower()
    best: tuple[int, int, str] | None = None
    for name in known or []:
        m = re.search(r"(?<![\wåäö])" + re.escape(name.lower()) + r"(?![\wåäö])", low)
        if m and (best is None or (m.start(), -len(name)) < (best[0], best[1])):
            best = (m.start(), -len(name), name)
    if best is not None:
        return RecognisedUnit(best[2], kind_of(best[2]), True)
    # Upper-case titles ("EKBACKESKOLAN"): read them as capitalised words.
    text = re.sub(r"\b[A-ZÅÄÖ]{4,}\b", lambda m: m.group(0).capitalize(), head)
    found: list[tuple[int, str]] = []
    for rx in _PATTERNS:
        for m in rx.finditer(text):
            name = m.group(1).strip()
            first = name.split()[0]
            if name.lower() in _NOT_UNITS or first in _NOT_FIRST or first.lower().endswith("rapport"):
                continue
            found.append((m.start(), name))
    if not found:
        return None
    found.sort(key=lambda x: (x[0], -len(x[1])))
    name = found[0][1]
    return RecognisedUnit(name, kind_of(name), False)


def head_text(title: str | None, passages, lines: int = 8) -> str:
    """The head of a document as recognition reads it: its title and its first passages'
    headings and text (about `lines` of them)."""
    parts = [title or ""]
    for p in sorted(passages, key=lambda x: (x.ordinal, x.line_start))[:3]:
        if p.title:
            parts.append(p.title)
        parts.append("\n".join(p.text.split("\n")[:lines])[:400])
    return "\n".join(x for x in parts if x)


_SCHOOL_YEAR = re.compile(r"\b(20\d\d)\s*[/–-]\s*(20\d\d|\d\d)\b")


def school_years(head: str) -> set[int]:
    """Years a report's head says it covers through a school year: "läsåret 2022/2023" and
    "2022/23" cover 2023 (the spring the school year ends)."""
    out: set[int] = set()
    for m in _SCHOOL_YEAR.finditer(head or ""):
        first, second = int(m.group(1)), m.group(2)
        end = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if end == first + 1:
            out.add(end)
    return out
