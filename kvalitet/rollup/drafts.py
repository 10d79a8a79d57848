"""Drafts of the huvudman's sections from a roll-up: samlad bild, analys, prioriterade
utvecklingsområden, risker.

Extractive by default: sentences in our own Swedish built from the roll-up's counts, each ending
with the passages it stands on ([p_…], rendered as numbered sources). Through the LLM when asked
and configured (prompt `huvudman`), falling back to the extractive text as unit drafts do. Every
suggestion passes the same grounding check as a unit draft (kvalitet.drafting.grounding): the
counts and unit names of the roll-up are its input (as a principal's notes are for a unit
draft), every other number, name or quote must stand in a cited passage.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Callable

from kvalitet.domain.types import Citation, Grounding, Passage, Suggestion
from kvalitet.drafting.grounding import check, cited_ids
from kvalitet.errors import LLMUnavailable
from kvalitet.rollup.model import Count, RollupResult, ThemeResult

log = logging.getLogger(__name__)

SECTION_HINTS = {
    "samlad_bild": "Ge en samlad bild: hur många enheter som lämnat underlag, vilka som saknas och vilka teman som återkommer hos flest enheter.",
    "analys": "Analysera vad enheterna rapporterar om resultat: var det går bättre, var det går sämre och var enheterna skiljer sig åt.",
    "prioriteringar": "Föreslå vilka utvecklingsområden huvudmannen bör prioritera, utifrån hur många enheter som lyfter dem och hur resultaten utvecklats.",
    "risker": "Beskriv de risker som enheterna själva lyfter, och hur många enheter som ser dem.",
}
MAX_THEMES = 6


def _sid(kind: str, generator: str, text: str) -> str:
    return "s_" + hashlib.sha1(f"huvudman\x1f{kind}\x1f{generator}\x1f{text}".encode()).hexdigest()[:12]


def _refs(cits: list[Citation]) -> str:
    ids = list(dict.fromkeys(c.passage_id for c in cits))
    return " " + "".join(f"[{i}]" for i in ids) if ids else ""


def _names(units: list[str]) -> str:
    if len(units) <= 1:
        return "".join(units)
    return ", ".join(units[:-1]) + " och " + units[-1]


def _first_upper(s: str) -> str:
    return s[:1].upper() + s[1:]


def facts(result: RollupResult) -> list[str]:
    """The roll-up's own statements (counts and unit names): the input a draft may state
    without a passage, as a principal's notes are for a unit draft."""
    out = [f"År: {result.year}", f"Enheter i sammanställningen: {result.n_units}",
           f"Enheter som lämnat underlag: {result.n_reported}: {_names(result.reported)}"]
    if result.missing:
        out.append(f"Enheter som inte lämnat underlag: {result.n_missing}: {_names(result.missing)}")
    for t in result.themes:
        out.append(t.summary)
        for c in t.counts:
            out.append(f"{_first_upper(c.text)}: {_names(c.units)}")
    return out


def _count(t: ThemeResult, measure: str) -> list[Count]:
    return [c for c in t.counts if c.measure == measure]


def _extractive(kind: str, r: RollupResult) -> tuple[str, list[Citation]]:
    cits: list[Citation] = []
    lines: list[str] = []

    def say(sentence: str, cs: list[Citation]) -> None:
        lines.append(sentence + _refs(cs))
        cits.extend(cs)

    top = r.themes[:MAX_THEMES]
    if kind == "samlad_bild":
        lines.append(f"Sammanställningen för {r.year} omfattar {r.n_units} enheter, varav {r.n_reported} har lämnat underlag.")
        if r.missing:
            lines.append(f"Underlag saknas från {_names(r.missing)}.")
        for t in top:
            for c in _count(t, "tar_upp"):
                say(f"{_first_upper(c.text)}: {_names(c.units)}.", c.citations)
    elif kind == "analys":
        for t in r.themes:
            better, worse = _count(t, "forbattrat"), _count(t, "forsamrat")
            for c in better:
                say(f"Inom {t.label.lower()} rapporterar {c.n} av {c.of} {_kind_words(c)} förbättrade resultat "
                    f"({_names(c.units)}).", c.citations)
            for c in worse:
                say(f"Inom {t.label.lower()} rapporterar {c.n} av {c.of} {_kind_words(c)} försämrade resultat "
                    f"({_names(c.units)}).", c.citations)
            if better and worse:
                lines.append(f"Resultaten för {t.label.lower()} går alltså isär mellan enheterna.")
        if not lines:
            lines.append("Underlaget är tunt: enheterna redovisar inga resultat som går att jämföra.")
    elif kind == "prioriteringar":
        scored: list[tuple[int, ThemeResult]] = []
        for t in r.themes:
            n_dev = sum(c.n for c in _count(t, "utvecklingsomrade"))
            n_worse = sum(c.n for c in _count(t, "forsamrat"))
            if n_dev:
                scored.append((n_dev + 2 * n_worse, t))
        scored.sort(key=lambda x: (-x[0], x[1].label))
        for _, t in scored[:4]:
            for c in _count(t, "utvecklingsomrade"):
                say(f"{t.label}: {c.n} av {c.of} {_kind_words(c)} lyfter området som utvecklingsområde eller insats "
                    f"({_names(c.units)}).", c.citations)
            for c in _count(t, "forsamrat"):
                say(f"{c.n} av {c.of} {_kind_words(c)} rapporterar försämrade resultat ({_names(c.units)}).",
                    c.citations)
        if not lines:
            lines.append("Underlaget är tunt: enheterna lyfter inga gemensamma utvecklingsområden.")
    elif kind == "risker":
        for t in r.themes:
            for c in _count(t, "risk"):
                ut = next((u for u in t.units if u.unit == c.units[0]), None)
                example = next((m for m in (ut.mentions if ut else []) if m.aspect == "risk"), None)
                s = f"{c.n} av {c.of} {_kind_words(c)} ser risker kopplade till {t.label.lower()} ({_names(c.units)})"
                if example is not None and len(example.quote) <= 220:
                    s += f", till exempel »{example.quote.rstrip('.')}«"
                say(s + ".", c.citations)
        if not lines:
            lines.append("Underlaget är tunt: enheterna redovisar inga risker.")
    return "\n\n".join(_group(lines)), cits


def _kind_words(c: Count) -> str:
    from kvalitet.rollup.model import KIND_PLURAL, KIND_SINGULAR

    return KIND_SINGULAR.get(c.kind, "enhet") if c.of == 1 else KIND_PLURAL.get(c.kind, "enheter")


def _group(lines: list[str], per: int = 3) -> list[str]:
    return [" ".join(lines[i:i + per]) for i in range(0, len(lines), per)]


def _dedupe(cits: list[Citation]) -> list[Citation]:
    seen: dict[str, Citation] = {}
    for c in cits:
        seen.setdefault(c.passage_id, c)
    return list(seen.values())


def draft_section(
    kind: str,
    result: RollupResult,
    lookup: Callable[[str], Passage | None],
    *,
    generator: str = "extractive",
    llm=None,
    prompts=None,
    fallback: str = "extractive",
) -> Suggestion:
    """One suggestion for huvudman section `kind` (samlad_bild, analys, prioriteringar, risker).
    Raises LLMUnavailable when the LLM fails and `fallback` is "error"."""
    own = facts(result)
    note = None
    if generator == "llm":
        try:
            text, cits, version = _llm(kind, result, lookup, llm, prompts)
            grounding = check(text, cits, lookup, own)
            return Suggestion(id=_sid(kind, "llm", text), kind="analys", text=text, generator="llm",
                              prompt_version=version, citations=cits, grounding=grounding)
        except LLMUnavailable as exc:
            if fallback != "extractive":
                raise
            log.warning("huvudman draft: llm unavailable, extractive instead: %s", exc.message)
            note = "Obs: språkmodellen kunde inte användas, så detta förslag är sammanställt direkt ur källorna."
    text, cits = _extractive(kind, result)
    cits = _dedupe(cits)
    if note:
        text = note + "\n\n" + text
    grounding = check(text, cits, lookup, own, allow_uncited=not cits)
    return Suggestion(id=_sid(kind, "extractive", text), kind="analys", text=text, generator="extractive",
                      prompt_version=None, citations=cits, grounding=grounding)


def _llm(kind: str, r: RollupResult, lookup, llm, prompts) -> tuple[str, list[Citation], str]:
    if llm is None:
        raise LLMUnavailable("Ingen språkmodell är konfigurerad (KVALITET_LLM_BASE_URL)", "no LLM is configured: set KVALITET_LLM_BASE_URL", reason="not_configured")
    from kvalitet.rollup.service import HUVUDMAN_SECTIONS

    quotes: dict[str, Citation] = {}
    passages = []
    for t in r.themes[:MAX_THEMES]:
        for ut in t.units:
            m = ut.mentions[0]
            if m.passage_id in quotes:
                continue
            quotes[m.passage_id] = Citation(passage_id=m.passage_id, quote=m.quote, source=m.source)
            p = lookup(m.passage_id)
            passages.append({"id": m.passage_id, "unit": ut.unit, "theme": t.label, "text": p.text if p else m.quote})
    label = dict(HUVUDMAN_SECTIONS)[kind]
    prompt = prompts.render("huvudman", section_label=label, section_hint=SECTION_HINTS[kind], facts=facts(r),
                            passages=passages[:40], year=r.year)
    reply = (llm.complete(prompt.messages()) or "").strip()
    if not reply:
        raise LLMUnavailable("Språkmodellen gav ett tomt svar", "the LLM returned an empty reply", reason="empty")
    cits: list[Citation] = []
    for pid in cited_ids(reply):
        c = quotes.get(pid)
        if c is None:
            p = lookup(pid)
            if p is not None:
                c = Citation(passage_id=pid, quote=p.text.split(". ")[0], source=p.source)
        if c is not None and all(x.passage_id != pid for x in cits):
            cits.append(c)
    return reply, cits, prompt.version


def empty_grounding() -> Grounding:
    return Grounding(supported=False, unsupported=["källa saknas"])
