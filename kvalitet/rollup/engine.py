"""The roll-up itself: units' documents in, themes with counts and citations out.

Pure and deterministic: the service feeds it passages from the catalog, the evaluation feeds
it passages parsed straight from files. Steps:

1. every passage gets an aspect from its heading, its section kind or its words (background
   sections, "Om enheten", say nothing about themes and are skipped);
2. every sentence is matched against the themes (lexicon plus themes discovered from the
   units' own headings); a match is a Mention with the sentence as the quote;
3. per theme and unit: aspects, status, outcome, what they did; per theme: counts per unit kind,
   each with the units and citations it stands on; a matrix of units × themes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from kvalitet.domain.types import Citation, Passage
from kvalitet.rollup.model import (
    ASPECT_LABELS,
    KIND_PLURAL,
    KIND_SINGULAR,
    Cell,
    Count,
    MatrixRow,
    Mention,
    RollupResult,
    ThemeResult,
    UnitInfo,
    UnitTheme,
)
from kvalitet.rollup.themes import LEXICON, Theme, fold, normalise_status, outcome_of, sentences, status_of, theme_hits


@dataclass
class UnitDocument:
    """One document of a unit: a published report or an ingested unit document."""

    unit: str
    doc_path: str
    passages: list[Passage]
    title: str | None = None
    origin: str = "dokument"  # "rapport" (published from the workspace) or "dokument"
    report_id: int | None = None


# ---- aspects ------------------------------------------------------------------------------
_HEADING_ASPECTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (a, re.compile(rx, re.I)) for a, rx in (
        ("bakgrund", r"\bom (?:enheten|skolan|förskolan|verksamheten|fritidshemmet|oss)\b|förutsättning|bakgrund|"
                     r"inledning|organisation|nulägesbeskrivning|presentation|kontaktuppgift|innehåll"),
        ("risk", r"\brisk|hinder|utmaning"),
        ("utvecklingsomrade", r"utvecklingsområd|förbättringsområd|prioriter|fokusområd|framåt|fortsatt arbete|"
                              r"inför nästa|\bmål\b|\bmålen\b|nästa läsår"),
        ("insats", r"insats|åtgärd|aktivitet|vad vi (?:har )?gjort|genomfört|genomförda|utveckling under|"
                   r"utvecklingsarbete|arbetet med|arbete\b"),
        ("resultat", r"resultat|måluppfyllelse|uppföljning|utfall|hur det gick|betyg|enkät|närvaro|frånvaro"),
        ("analys", r"analys|bedömning|slutsats|sammanfatt|reflektion"),
    )
)
_KIND_ASPECTS = {
    "insats": "insats", "aktivitet": "insats", "risk": "risk", "uppfoljning": "resultat", "analys": "analys",
    "styrkor_svagheter": "analys", "nulagesanalys": "analys", "mal": "utvecklingsomrade", "bakgrund": "bakgrund",
    "nulage": "bakgrund", "ansvar": "ovrigt", "tidplan": "ovrigt", "kostnad": "ovrigt", "indikator": "resultat",
    "resultat": "resultat", "utvecklingsomrade": "utvecklingsomrade",
}
_SENTENCE_ASPECTS = (
    ("risk", re.compile(r"\brisk\w*|riskerar", re.I)),
    ("utvecklingsomrade", re.compile(r"utvecklingsområd|prioriterat|fokusområd", re.I)),
)
# Only for a sentence whose section says nothing (a heading that names a theme).
_ACTION = re.compile(
    r"\b(?:vi|skolan|förskolan|personalen|lärarna|pedagogerna|elevhälsan|elevhälsoteamet|fritidshemmet)\b"
    r"[^.]{0,40}\b(?:har|ska)\s+(?:\w+\s+)?(?:infört|inför|tagit fram|arbetat|startat|genomfört|utvecklat|"
    r"byggt|anställt|utökat|påbörjat|arbeta|införa)\b|\binsats\w*", re.I)
_RESULT = re.compile(r"\b(?:visar|andelen|procent|resultat\w*|enkät\w*|uppger|upplever)\b", re.I)


def passage_aspect(p: Passage) -> str:
    """The aspect of a whole passage: from its heading first, then its section kind."""
    title = (p.title or "").strip()
    if title:
        for aspect, rx in _HEADING_ASPECTS:
            if rx.search(title):
                return aspect
    return _KIND_ASPECTS.get(p.section_kind, "ovrigt")


def sentence_aspect(base: str, sentence: str) -> str:
    """A sentence may say more than its section: "… är en risk för …" in a results section."""
    for aspect, rx in _SENTENCE_ASPECTS:
        if rx.search(sentence):
            return aspect
    if base == "ovrigt":
        if _ACTION.search(sentence):
            return "insats"
        if _RESULT.search(sentence):
            return "resultat"
    return base


# ---- discovery ---------------------------------------------------------------------------
_STRUCTURAL = set("""
kvalitetsrapport kvalitetsredovisning kvalitetsarbete systematiskt verksamheten verksamhet förutsättningar
undervisning undervisningen utveckling utvecklingen sammanfattning sammanfattande nulägesbeskrivning
utvecklingsområde utvecklingsområden uppföljning prioriterade genomförda aktiviteter fortsatt bedömning
kunskaper lärande förskolan skolan eleverna barnen elevernas barnens läsåret arbetet organisation
""".split())


_OUTCOME_WORD = re.compile(r"^(?:förbättr|försämr|ökning|minskning|genomför|påbörja|oförändr)", re.I)


def _candidates(doc: UnitDocument, unit_words: set[str], known: list[Theme]) -> set[str]:
    """Content words of a unit's own headings and one-line labels ("Utomhuspedagogik." as a
    sentence, "Utvecklingsområde: X") that might name a theme."""
    phrases: list[str] = []
    for p in doc.passages:
        if p.title and p.title != doc.title:
            phrases.append(p.title)
        if p.activity:
            phrases.append(p.activity)
        for a, b in sentences(p.text):
            s = p.text[a:b].strip()
            if len(s.split()) <= 3 and s.endswith(".") and s[:1].isupper():
                phrases.append(s.split()[0])  # "Utomhuspedagogik." / "Trygghet och lek."
    out: set[str] = set()
    for ph in phrases:
        for part in re.split(r"[:–-]", ph):
            if any(theme_hits(t, part) for t in known):  # a heading of a known theme is about it
                continue
            for w in re.findall(r"[A-Za-zÅÄÖåäöéü]+", part):
                lw = w.lower()
                if len(lw) < 9 or lw in _STRUCTURAL or lw in unit_words:
                    continue
                if any(rx.search(lw) for _, rx in _HEADING_ASPECTS) or status_of(lw) or _OUTCOME_WORD.search(lw):
                    continue
                out.add(lw)
    return out


def discover_themes(docs: list[UnitDocument], known: list[Theme], min_units: int = 2) -> list[Theme]:
    """Themes named in the units' own headings that no known theme covers and that at least
    `min_units` units speak of. Key: the heading word folded ("utomhuspedagogik")."""
    from kvalitet.search.analysis import stem

    unit_words = {w.lower() for d in docs for w in re.findall(r"\w+", d.unit)}
    cands: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for w in _candidates(d, unit_words, known):
            cands[w].add(d.unit)
    found: list[Theme] = []
    taken: set[str] = set()
    texts: dict[str, str] = defaultdict(str)
    for d in docs:
        texts[d.unit] += "\n" + "\n".join(p.text.lower() for p in d.passages if passage_aspect(p) != "bakgrund")
    for w in sorted(cands):
        root = stem(w)
        if len(root) < 7 or root in taken:
            continue
        rx = re.compile(r"[a-zåäöéü]*" + re.escape(root))
        units = [u for u, t in texts.items() if rx.search(t)]
        if len(units) >= min_units and len(units) <= max(min_units, int(0.6 * len(texts))):
            taken.add(root)
            found.append(Theme(fold(w), w.capitalize(), terms=(root, "-" + root), discovered=True))
    return found


# ---- the roll-up -------------------------------------------------------------------------
def _merge_outcomes(outcomes: list[str | None]) -> str | None:
    s = set(o for o in outcomes if o)
    if not s:
        return None
    if "forbattrat" in s and "forsamrat" in s:
        return "blandat"
    for o in ("forbattrat", "forsamrat", "oforandrat"):
        if o in s:
            return o
    return None


def _unit_mentions(doc: UnitDocument, themes: list[Theme]) -> dict[str, list[Mention]]:
    out: dict[str, list[Mention]] = defaultdict(list)
    for p in sorted(doc.passages, key=lambda x: (x.ordinal, x.line_start)):
        base = passage_aspect(p)
        if base == "bakgrund":
            continue
        text = p.text
        extra = " ".join(x for x in (p.activity, p.goal, p.comment) if x and x not in text)
        spans = sentences(text)
        for theme in themes:
            seen_quotes: set[str] = set()
            for a, b in spans:
                sent = text[a:b].strip()
                if not theme_hits(theme, sent):
                    continue
                if sent in seen_quotes:
                    continue
                seen_quotes.add(sent)
                out[theme.key].append(Mention(
                    passage_id=p.id, quote=sent, source=p.source, title=p.title,
                    aspect=sentence_aspect(base, sent), outcome=outcome_of(theme, sent),
                    status=normalise_status(p.status) or status_of(sent),
                ))
            if extra and not seen_quotes and theme_hits(theme, extra):
                quote = text[spans[0][0]:spans[0][1]].strip() if spans else text.strip()
                out[theme.key].append(Mention(
                    passage_id=p.id, quote=quote, source=p.source, title=p.title,
                    aspect=sentence_aspect(base, extra), outcome=outcome_of(theme, extra),
                    status=normalise_status(p.status) or status_of(extra),
                ))
    return out


def _plural(kind: str | None, n: int = 2) -> str:
    if n == 1:
        return KIND_SINGULAR.get(kind, "enhet")
    return KIND_PLURAL.get(kind, "enheter")


def _cites(uts: list[UnitTheme], pick) -> list[Citation]:
    out: list[Citation] = []
    for ut in uts:
        ms = [m for m in ut.mentions if pick(m)] or ut.mentions
        m = ms[0]
        out.append(Citation(passage_id=m.passage_id, quote=m.quote, source=m.source))
    return out


_MEASURES = (
    ("tar_upp", "tar upp {label}", lambda ut: True, lambda m: True),
    ("utvecklingsomrade", "lyfter {label} som utvecklingsområde eller insats",
     lambda ut: bool({"utvecklingsomrade", "insats"} & set(ut.aspects)),
     lambda m: m.aspect in ("utvecklingsomrade", "insats")),
    ("forbattrat", "rapporterar förbättrade resultat för {label}",
     lambda ut: ut.outcome in ("forbattrat", "blandat"), lambda m: m.outcome == "forbattrat"),
    ("forsamrat", "rapporterar försämrade resultat för {label}",
     lambda ut: ut.outcome in ("forsamrat", "blandat"), lambda m: m.outcome == "forsamrat"),
    ("risk", "ser risker kopplade till {label}", lambda ut: "risk" in ut.aspects, lambda m: m.aspect == "risk"),
)


def roll_up(
    units: list[UnitInfo],
    docs: list[UnitDocument],
    *,
    year: int | None,
    huvudman: str | None = None,
    discover: bool = True,
    max_representative: int = 6,
) -> RollupResult:
    """Roll `docs` (each belonging to one of `units`) up into themes. Units without a document
    are listed as missing. Raises nothing on odd text: a passage without themes is skipped."""
    themes: list[Theme] = list(LEXICON)
    if discover:
        themes += discover_themes(docs, themes)
    info = {u.name: u for u in units}
    for d in docs:
        if d.unit not in info:
            info[d.unit] = UnitInfo(name=d.unit)
    per_unit: dict[str, dict[str, list[Mention]]] = defaultdict(lambda: defaultdict(list))
    docs_of: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        docs_of[d.unit].append(d.doc_path)
        for key, ms in _unit_mentions(d, themes).items():
            per_unit[d.unit][key].extend(ms)
    reported = sorted(docs_of, key=str.casefold)
    missing = sorted((u for u in info if u not in docs_of), key=str.casefold)
    reported_by_kind = Counter(info[u].kind for u in reported)

    results: list[ThemeResult] = []
    for theme in themes:
        uts: list[UnitTheme] = []
        for unit in reported:
            ms = per_unit[unit].get(theme.key) or []
            if not ms:
                continue
            aspects = [a for a in ("utvecklingsomrade", "insats", "resultat", "analys", "risk", "ovrigt")
                       if any(m.aspect == a for m in ms)]
            statuses = [m.status for m in ms if m.status and m.aspect in ("insats", "utvecklingsomrade", "ovrigt")]
            uts.append(UnitTheme(
                unit=unit, kind=info[unit].kind, aspects=aspects,
                status=statuses[0] if statuses else None,
                outcome=_merge_outcomes([m.outcome for m in ms if m.aspect != "risk"]),
                did=list(dict.fromkeys(m.quote for m in ms if m.aspect == "insats"))[:3],
                mentions=ms,
            ))
        if not uts:
            continue
        label = theme.label
        counts: list[Count] = []
        for measure, phrase, has, pick in _MEASURES:
            for kind in sorted({ut.kind for ut in uts}, key=lambda k: (k is None, k or "")):
                of = reported_by_kind[kind]
                chosen = [ut for ut in uts if ut.kind == kind and has(ut)]
                if not chosen or (measure != "tar_upp" and not chosen):
                    continue
                text = f"{len(chosen)} av {of} {_plural(kind, of)} som rapporterat {phrase.format(label=label.lower())}"
                counts.append(Count(
                    measure=measure, kind=kind, n=len(chosen), of=of, text=text,
                    units=[ut.unit for ut in chosen], citations=_cites(chosen, pick),
                ))
        rep: list[Mention] = []
        order = {"utvecklingsomrade": 0, "insats": 1, "resultat": 2, "analys": 3, "risk": 4, "ovrigt": 5}
        for ut in uts:
            best = sorted(ut.mentions, key=lambda m: (m.outcome is None, order.get(m.aspect, 9)))[0]
            rep.append(best)
        results.append(ThemeResult(
            key=theme.key, label=label, discovered=theme.discovered, units=uts, counts=counts,
            summary=_summary(label, uts, reported_by_kind), representative=rep[:max_representative],
            n_units=len(uts),
        ))
    results.sort(key=lambda t: (-t.n_units, t.label))

    matrix: list[MatrixRow] = []
    for unit in sorted(info, key=str.casefold):
        cells: dict[str, Cell] = {}
        for t in results:
            found = next((x for x in t.units if x.unit == unit), None)
            if found is not None:
                ut = found
                cells[t.key] = Cell(aspects=ut.aspects, outcome=ut.outcome, mentions=len(ut.mentions),
                                    passage_id=ut.mentions[0].passage_id)
        matrix.append(MatrixRow(unit=unit, kind=info[unit].kind, reported=unit in docs_of,
                                documents=docs_of.get(unit, []), cells=cells))
    return RollupResult(
        year=year, huvudman=huvudman, units=[info[u] for u in sorted(info, key=str.casefold)],
        reported=reported, missing=missing, n_units=len(info), n_reported=len(reported), n_missing=len(missing),
        themes=results, matrix=matrix, documents=len(docs), passages=sum(len(d.passages) for d in docs),
    )


def _summary(label: str, uts: list[UnitTheme], reported_by_kind: Counter) -> str:
    """"7 av 9 grundskolor som rapporterat tar upp läsförståelse; 4 av dem rapporterar
    förbättrade resultat." (one clause per unit kind)"""
    parts = []
    by_kind: dict[str | None, list[UnitTheme]] = defaultdict(list)
    for ut in uts:
        by_kind[ut.kind].append(ut)
    for kind in sorted(by_kind, key=lambda k: (k is None, k or "")):
        group = by_kind[kind]
        s = f"{len(group)} av {reported_by_kind[kind]} {_plural(kind, reported_by_kind[kind])}"
        better = sum(1 for ut in group if ut.outcome in ("forbattrat", "blandat"))
        if better:
            s += f" ({better} av dem rapporterar förbättrade resultat)"
        parts.append(s)
    return f"{label}: " + ", ".join(parts) + "."


def aspect_label(aspect: str) -> str:
    return ASPECT_LABELS.get(aspect, aspect)
