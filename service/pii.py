"""Personal data in Swedish documents: personnummer, samordningsnummer and personal names.

Names are found from context: a role or title before a capitalised first and last name
("Rektor Martin Eriksson", "verksamhetsutvecklare Susanne Wadell"), or a known first name
followed by a capitalised word. Numbers are validated with their check digit (python-stdnum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.se import personnummer

# Roles that precede a name in follow-ups and quality reports.
ROLES = (
    "rektor", "rektorn", "biträdande rektor", "förskolechef", "förvaltningschef", "utbildningschef",
    "verksamhetsutvecklare", "verksamhetutvecklare", "kvalitetsutvecklare", "controller",
    "verksamhetscontroller", "handledare", "skolledare", "lärare", "läraren", "specialpedagog",
    "kurator", "skolsköterska", "skolpsykolog", "studie- och yrkesvägledare", "samordnare",
    "enhetschef", "ordförande", "konsult", "eleven", "elev", "barnet", "utvecklingsledare",
    "projektledare", "nämndsekreterare", "handläggare",
)

# Common Swedish first names (a short list: enough to catch a name without a role before it).
FIRST_NAMES = frozenset(
    """Anna Eva Maria Karin Sara Lena Kerstin Emma Ingrid Marie Malin Jenny Annika Hanna Linda
    Susanne Elisabeth Birgitta Sofia Johanna Carina Elin Ulla Katarina Monica Helena Åsa Camilla
    Lars Mikael Anders Johan Per Erik Karl Peter Thomas Jan Daniel Fredrik Hans Stefan Mats Bengt
    Magnus Martin Andreas Niklas Jonas Björn Henrik Ulf Patrik Mattias Christer Göran Leif Ola
    Oskar Lisa Ida Alice Maja Elsa Hugo Lucas William Liam Noah Ella Astrid Wilma Olivia Ebba
    Gunnar Sven Nils Ingemar Jörgen Torbjörn Kristina Margareta Agneta Gunilla Pia Therese""".split()
)

_NAME = r"[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?"
_ROLE_RE = re.compile(
    r"\b(?:%s)\s+(%s(?:\s+%s)?)" % ("|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True)), _NAME, _NAME),
    re.IGNORECASE,
)
_FIRST_RE = re.compile(r"\b(%s)\s+(%s)\b" % ("|".join(sorted(FIRST_NAMES)), _NAME))
_LONE_FIRST_RE = re.compile(r"\b(%s)\b" % "|".join(sorted(FIRST_NAMES)))
_PNR_RE = re.compile(r"\b(?:19|20)?\d{6}[-+ ]?\d{4}\b")

# Capitalised words that follow a role but are not names.
NOT_NAMES = frozenset(
    """Skolverket Stratsys Google Lejonfastigheter Kontakt Linköping Linköpings Böle Qlik SKR SKRs
    Ansvarar Har Och Samt Tillsammans Deltar Ska Kommer Bör""".split()
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "personnummer" | "samordningsnummer" | "namn"
    text: str
    start: int
    end: int


def _valid_pnr(candidate: str) -> str | None:
    digits = re.sub(r"\D", "", candidate)
    try:
        if not personnummer.is_valid(digits):
            return None
    except Exception:  # pragma: no cover - stdnum edge cases
        return None
    day = int(digits[-6:-4])
    return "samordningsnummer" if day > 60 else "personnummer"


def find(text: str) -> list[Finding]:
    out: list[Finding] = []
    for m in _PNR_RE.finditer(text):
        kind = _valid_pnr(m.group(0))
        if kind:
            out.append(Finding(kind, m.group(0), m.start(), m.end()))
    spans: list[tuple[int, int]] = []
    for m in _ROLE_RE.finditer(text):
        name = m.group(1)
        first = name.split()[0]
        if first in NOT_NAMES or not first[0].isupper():
            continue
        # A lone capitalised word after a role is a name only if it is a known first name.
        if " " not in name and first not in FIRST_NAMES:
            continue
        spans.append((m.start(1), m.end(1)))
    for m in _FIRST_RE.finditer(text):
        if m.group(2) not in NOT_NAMES:
            spans.append((m.start(), m.end()))
    full_firsts = {text[s:e].split()[0] for s, e in spans if " " in text[s:e]}
    for m in _LONE_FIRST_RE.finditer(text):
        # "Lars har mångårig erfarenhet": a known first name used alone, either mid-sentence or
        # after the same person was named in full.
        at_sentence_start = m.start() == 0 or text[max(0, m.start() - 2) : m.start()].strip() in (".", "")
        if not at_sentence_start or m.group(1) in full_firsts:
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    out.extend(Finding("namn", text[s:e], s, e) for s, e in merged)
    return sorted(out, key=lambda f: f.start)


def find_personal_data(text: str) -> list[str]:
    """The kinds of personal data in `text`, sorted, for passage metadata."""
    return sorted({f.kind for f in find(text)})


def mask(text: str) -> str:
    """Replace personal data with placeholders: [namn], [personnummer], [samordningsnummer]."""
    findings = find(text)
    if not findings:
        return text
    out, pos = [], 0
    for f in findings:
        if f.start < pos:
            continue
        out.append(text[pos : f.start])
        out.append(f"[{f.kind}]")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
