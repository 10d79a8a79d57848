"""The extractive generator: deterministic, no model. Suggestions are composed from the evidence.

Every sentence that rests on a passage quotes it verbatim (»…«) and ends with its citation
[p_…]; the sentence frame around the quote is fixed Swedish text whose only facts come from the
passage's own metadata (year, activity, status, deadline, comment). The principal's own input is
placed once, in the section it belongs to (notes.py), labelled and uncited. Counts of similar
activities cite their rows (aggregate.py); differences of the principal's numbers are computed
(the grounding check lists them as derived). Nothing else is summed or estimated.

The analysis reasons in three parts, in fixed Swedish wording of our own around the facts:
Resultat (what happened, the principal's numbers compared, indicators against target), Orsaker
(the principal's judgement, why similar activities went as they did, their analyses quoted) and
Inför nästa år (what the facts mean for next year). A section with nothing relevant in the
evidence and nothing of the principal's for it gets no suggestion but a notice (`Section.notice`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvalitet.pii import find as find_pii
from kvalitet.domain.types import Citation, DraftRequest, Passage
from kvalitet.drafting.aggregate import Aggregate, aggregate, causes_of
from kvalitet.drafting.evidence import DELAY, Evidence, Matcher, SectionEvidence, Vocabulary, has_delay, said
from kvalitet.drafting.grounding import norm
from kvalitet.drafting.notes import NotesPlan, intended_direction, place, verdict
from kvalitet.drafting.series import DraftSeries, value_quote
from kvalitet.results.model import KOLADA_LABEL

MAX_QUOTE = 260  # _cut's default (kept for callers that shorten display text, never a quote)
MAX_ACTIVITY = 240  # an activity's name is quoted whole up to this length


@dataclass
class Proposal:
    """A suggestion before its grounding check: text, citations, whether it may be uncited (it
    only says that there is no evidence), and register facts it states that stand in no passage
    (Kolada's values, with their source named in the text; the check accepts them as input)."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    allow_uncited: bool = False
    support: list[str] = field(default_factory=list)


# -- text helpers ---------------------------------------------------------------------------
_BULLETS = re.compile(r"[\uf0b7\uf0a7\uf0d8•▪●◦■]|(?:^|\s)[-–]\s(?=[A-ZÅÄÖ])")
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9»\"(])")


def sentences(text: str) -> list[str]:
    """Sentences of a passage, whitespace-normalised (each is a substring of norm(text))."""
    out = []
    for part in _BULLETS.split(norm(text)):
        for s in _SENT_END.split(part.strip()):
            s = s.strip()
            if len(s) >= 3 and re.search(r"\w", s):
                out.append(s)
    return out


def _cut(s: str, limit: int = MAX_QUOTE) -> tuple[str, bool]:
    """A verbatim prefix of `s` of at most `limit` characters, ending at a word boundary."""
    if len(s) <= limit:
        return s, False
    cut = s[:limit]
    i = cut.rfind(". ")
    if i > limit // 3:  # a whole first sentence (or more)
        return cut[:i], True
    for sep in (", ", "; ", " – ", " "):
        i = cut.rfind(sep)
        if i > limit // 2:
            return cut[:i].rstrip(" ,;–"), True
    return cut.rstrip(), True


def _has_id_number(s: str) -> bool:
    return any(f.kind != "namn" for f in find_pii(s))


def short(text: str, limit: int = MAX_ACTIVITY) -> str:
    t = norm(text)
    if len(t) <= limit:
        return t
    cut, _ = _cut(t, limit)
    return cut + " …"


def quoted(s: str, cut: bool = False) -> str:
    """»s« inside a sentence: a final full stop is dropped (the sentence supplies its own)."""
    s = s.rstrip()
    if s.endswith(".") and not cut:
        s = s[:-1]
    return f"»{s}{' …' if cut else ''}«"


# How a sentence names the document a passage stands in, by its kind ({y}: " 2023", or nothing).
_DOC_PHRASES = {
    "verksamhetsplan_uppfoljning": "uppföljningen av verksamhetsplanen{y}",
    "aktivitetsuppfoljning": "uppföljningen{y} av fjolårets aktiviteter",
    "kvalitetsrapport": "kvalitetsrapporten{y}", "arshjul": "årshjulet{y}", "rapport": "rapporten{y}",
}


def doc_phrase(p: Passage) -> str:
    """"kvalitetsrapporten 2020", or "dokumentet <path>" for a kind without a phrase."""
    phrase = _DOC_PHRASES.get(p.doc_kind)
    return phrase.format(y=f" {p.year}" if p.year else "") if phrase else f"dokumentet {p.doc_path}"


_LABEL = re.compile(r"^([^:\n]{1,80}):\s+")


def unlabelled(p: Passage, s: str) -> str:
    """A sentence without the parser's leading label ("Kostnadsberäkning: ", "Elevhälsa: ") when
    the label is the passage's title or activity (the rest is still verbatim in the passage)."""
    m = _LABEL.match(s)
    if m and norm(m.group(1)).lower() in {norm(x).lower() for x in (p.title, p.activity) if x}:
        rest = s[m.end():]
        if len(rest) >= 3:
            return rest
    return s


class Quoter:
    """Chooses the sentence (or two adjacent sentences) of a passage that serve the request best:
    by the activity's own subject words first, the goal's and notes' words only between sentences
    that say as much about the activity (as evidence relevance is judged)."""

    def __init__(self, vocab: Vocabulary, req: DraftRequest):
        self.vocab = vocab
        self.matcher = Matcher(vocab, req)

    def _judge(self, p: Passage, s: str) -> tuple[float, float, bool]:
        """(subject weight, other weight, about another group) of one sentence; a sentence about
        another group ("Sjukfrånvaron" among pupils' figures) counts a fifth."""
        terms = self.vocab.terms(s)
        core, _ = self.matcher.score(self.matcher.core, terms, s)
        extra, _ = self.matcher.score(self.matcher.secondary, terms, s)
        if (core or extra) and self.matcher.mismatch(p.model_copy(update={"text": s, "activity": None, "comment": None})):
            return 0.2 * core, 0.1 * extra, True
        return core, 0.5 * extra, False

    def best(self, p: Passage, require: re.Pattern | None = None) -> tuple[str, bool] | None:
        """(verbatim span, was it cut) — the most relevant sentence, earliest on ties, with the
        sentence beside it when that one is about the activity too (the figure after "the absence
        has decreased"); None when the passage has nothing quotable (e.g. only a personnummer). A
        sentence that only repeats the passage's heading or activity is taken only when there is
        nothing else. With `require` (a risk, an amount): one sentence of that kind about the
        activity itself, or None."""
        heads = [norm(x).lower().rstrip(".") for x in (p.activity, p.title) if x]
        best: tuple[int, int, str] | None = None
        best_key: tuple[float, float] = (-2.0, -1.0)
        judged: dict[tuple[int, int], tuple[float, float, bool]] = {}
        groups = sentence_groups(p.text)
        for gi, group in enumerate(groups):
            for si, whole in enumerate(group):
                s = unlabelled(p, whole)
                if _has_id_number(s) or (require is not None and (not require.search(s) or len(s.split()) < 4)):
                    continue
                bare = norm(s).lower().rstrip(".")
                if any(h.endswith(bare) or bare == h for h in heads):
                    if best is None:
                        best, best_key = (gi, si, s), (-1.5, -0.5)
                    continue
                core, other, elsewhere = judged[(gi, si)] = self._judge(p, s)
                if require is not None and (core <= 0 or elsewhere):
                    continue  # a required kind of sentence (a risk, an amount) about the activity itself
                # a little weight to substance: very short fragments ("-") say little
                key = (round(core, 3), other + min(len(s), 200) / 1000.0)
                if key > best_key:
                    best, best_key = (gi, si, s), key
        if best is None:
            return None
        gi, si, s = best
        if require is not None or best_key[0] <= 0:
            return s, False  # the whole sentence: never a clause cut before its deciding word
        group = groups[gi]
        beside = []
        for sj in (si + 1, si - 1):
            if 0 <= sj < len(group) and not _has_id_number(group[sj]):
                core, _other, elsewhere = judged.get((gi, sj)) or self._judge(p, group[sj])
                if core > 0 and not elsewhere:
                    beside.append((core, sj))
        if beside:
            _core, sj = max(beside)
            span = f"{s} {group[sj]}" if sj > si else f"{group[sj]} {group[si]}"
            if len(span) <= MAX_SPAN and norm(span) in norm(p.text):
                return span, False
        return s, False


MAX_SPAN = 450  # characters: two sentences quoted together, at most


def sentence_groups(text: str) -> list[list[str]]:
    """The sentences of a passage in runs that are verbatim together: split at bullets, then at
    sentence ends (two adjacent sentences of one run joined by a space are verbatim in norm(text))."""
    out = []
    for part in _BULLETS.split(norm(text)):
        run = [s.strip() for s in _SENT_END.split(part.strip())]
        run = [s for s in run if len(s) >= 3 and re.search(r"\w", s)]
        if run:
            out.append(run)
    return out


def cite(p: Passage, quote: str) -> Citation:
    return Citation(passage_id=p.id, quote=quote, source=p.source)


def _in_text(p: Passage, span: str | None) -> bool:
    return bool(span and norm(span) in norm(p.text))


def row_quote(p: Passage, quoter: Quoter) -> str | None:
    """The verbatim span an activity row is cited by: its comment, its wording, or a sentence."""
    for span in (p.comment, p.activity):
        if said(span) and _in_text(p, span) and not _has_id_number(span):
            return norm(span)
    b = quoter.best(p)
    return b[0] if b else None


# -- the principal's own input ---------------------------------------------------------------
def own_input(req: DraftRequest, with_status: bool = True) -> str:
    parts = []
    if with_status and req.status and req.status.strip():
        parts.append(f"Status enligt rektorn: {norm(req.status)}.")
    if req.notes and req.notes.strip():
        notes = norm(req.notes)
        parts.append(f"Rektorns anteckningar: {notes}{'' if notes.endswith(('.', '!', '?')) else '.'}")
    return " ".join(parts)


def _join(intro: str, lines: list[str], req: DraftRequest, with_status: bool = True) -> str:
    body = " ".join([intro, *lines]).strip()
    own = own_input(req, with_status)
    return body + ("\n\n" + own if own else "")


# -- sentence frames per passage kind --------------------------------------------------------
def _deadline(p: Passage) -> str:
    if not p.deadline:
        return ""
    if p.postponed and "förskj" not in p.deadline.lower():
        return f" (slutdatum: {p.deadline}, framflyttat)"
    return f" (slutdatum: {p.deadline})"


def row_sentence(p: Passage, quoter: Quoter, same_doc: bool = False) -> tuple[str, Citation] | None:
    """An activity row: its status, planned completion and comment as recorded."""
    q = row_quote(p, quoter)
    if q is None:
        return None
    where = "I samma uppföljning" if same_doc else f"I {doc_phrase(p)}"
    parts = [f"{where} hade aktiviteten {quoted(short(p.activity or q))}"]
    if p.status:
        parts.append(f" status {p.status}{_deadline(p)}")
    else:
        parts.append(" ingen angiven status")
    if said(p.comment) and not _has_id_number(p.comment):
        parts.append(f", med kommentaren {quoted(norm(p.comment))}")
    return "".join(parts) + f" [{p.id}].", cite(p, q)


def _frame(p: Passage) -> str:
    """The words before the quote: where the passage stands and what it is."""
    doc = doc_phrase(p)
    act = quoted(short(p.activity)) if p.activity else None
    k = p.section_kind
    if p.doc_kind == "kvalitetsrapport" and act:
        if k == "uppfoljning":
            return f"I {doc} planerades uppföljningen av insatsen {act} så här:"
        if k == "insats":
            return f"I {doc} beskrevs insatsen {act} så här:"
        if k == "mal":
            return f"I {doc} angavs som mål för insatsen {act}:"
        if k == "tidplan":
            return f"Tidplanen för insatsen {act} i {doc}:"
    if k == "nulagesanalys":
        return f"I nulägesanalysen i {doc} står det:"
    if act and k == "uppfoljning":
        return f"I {doc} konstaterades om aktiviteten {act}:"
    if act and k == "analys":
        return f"I {doc} analyserades aktiviteten {act} så här:"
    if act and k == "kommentar":
        return f"I {doc} kommenterades aktiviteten {act}:"
    if k == "analys":
        return f"I en analys i {doc} står det:"
    where = f" under rubriken {quoted(short(p.title, 70))}" if p.title else ""
    return f"I {doc}{where} står det:"


def block_sentence(p: Passage, quoter: Quoter) -> tuple[str, Citation] | None:
    """A follow-up, analysis or narrative passage: its most relevant sentence, quoted."""
    b = quoter.best(p)
    if b is None:
        return None
    q, cut = b
    return f"{_frame(p)} {quoted(q, cut)} [{p.id}].", cite(p, q)


def evidence_sentence(p: Passage, quoter: Quoter, previous: Passage | None = None) -> tuple[str, Citation] | None:
    if p.section_kind == "aktivitet":
        same = previous is not None and previous.section_kind == "aktivitet" and previous.doc_path == p.doc_path
        return row_sentence(p, quoter, same_doc=same)
    return block_sentence(p, quoter)


def diversify(items: list[Evidence], per_doc: int = 2) -> list[Evidence]:
    """The same order, except that a document's items beyond `per_doc` wait until the other
    documents have had their turn (a draft quoting one document four times reads poorly)."""
    first: list[Evidence] = []
    later: list[Evidence] = []
    count: dict[str, int] = {}
    for e in items:
        n = count.get(e.passage.doc_path, 0)
        (first if n < per_doc else later).append(e)
        count[e.passage.doc_path] = n + 1
    return first + later


# -- the generator ---------------------------------------------------------------------------
# -- what a whole draft knows beyond one section's evidence --------------------------------------
@dataclass
class DraftContext:
    """Facts shared by the sections of one draft: where each note sentence goes, the aggregate of
    similar activities' rows, the results over the years about the activity (kvalitet.results,
    drafting/series.py), and what the activity means to change."""

    notes: NotesPlan
    aggregate: Aggregate
    series: list[DraftSeries]
    direction: str | None  # "ned" | "upp" | None: what the activity means to do to its measure

    @classmethod
    def build(cls, req: DraftRequest, evidence: dict[str, SectionEvidence], kinds: list[str],
              series: list[DraftSeries] | None = None) -> "DraftContext":
        rows, seen = [], set()
        for ev in evidence.values():
            for e in ev.items:
                p = e.passage
                if not e.relevant or e.origin != "sok" or p.id in seen:
                    continue
                seen.add(p.id)
                if p.section_kind == "aktivitet":
                    rows.append(p)
        return cls(place(req.notes, req.status, kinds), aggregate(rows[:12]), list(series or []),
                   intended_direction(req.activity))


_OBSTACLE = re.compile(r"\bmen\b|\binte\b|\bsaknas\b|\bhinner\b|\bräcker\b|\bsvår\w*|\bbrist\w*", re.IGNORECASE)
_UNFINISHED = ("pågående", "pågår", "kvarstår", "pausad", "ej påbörjad", "påbörjad")


def _num(v: str | None) -> float | None:
    m = re.search(r"\d+(?:[.,]\d+)?", v or "")
    return float(m.group(0).replace(",", ".")) if m else None


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def _own(label: str, sentences: list[str]) -> str:
    return f"{label}: " + " ".join(sentences) if sentences else ""


def notice_text(kind: str, act: str, notes_only: bool = False) -> str:
    """The notice of a section that has nothing relevant (shown, never accepted into a report).

    `notes_only`: the section has a suggestion made only of the principal's own notes, so the
    notice says that instead of "Inget förslag" (which would contradict the suggestion shown)."""
    what = {"uppfoljning": "ingen tidigare uppföljning av en aktivitet som tydligt liknar",
            "analys": "ingen tidigare analys av en aktivitet som tydligt liknar",
            "risker": "inga risker eller förseningar som tydligt gäller",
            "kostnader": "ingen kostnadspost för en insats som tydligt liknar"}[kind]
    # the judgement is a model's (drafting/relevance.py): it can miss what the documents say in
    # other words, so the principal is told to search, not that nothing exists
    if notes_only:
        return (f"Kvalitet hittade {what} {act} i underlaget: förslaget bygger bara på dina egna anteckningar. "
                "Sök gärna själv i underlaget med andra ord, och komplettera med årets eget underlag.")
    return (f"Inget förslag: Kvalitet hittade {what} {act} i underlaget. Sök gärna själv i underlaget med "
            "andra ord; skriv annars avsnittet utifrån årets eget underlag.")


# -- the generator ---------------------------------------------------------------------------
class ExtractiveGenerator:
    """Composes each section from its evidence and the draft's context (see the module doc).
    `generate` returns proposals; an empty list means the section gets a notice instead."""

    name = "extractive"

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    def generate(self, kind: str, req: DraftRequest, ev: SectionEvidence,
                 ctx: DraftContext | None = None) -> list[Proposal]:
        quoter = Quoter(self.vocab, req)
        ctx = ctx or DraftContext.build(req, {kind: ev}, [kind])
        return getattr(self, f"_{kind}")(req, ev, quoter, ctx)

    # shared: compose from a list of evidence with sentence frames
    def _compose(self, items: list[Evidence], quoter: Quoter, limit: int,
                 spread: bool = True) -> tuple[list[str], list[Citation]]:
        chosen = diversify(items)[:limit] if spread else items[:limit]
        order = {e.passage.doc_path: i for i, e in reversed(list(enumerate(chosen)))}
        chosen.sort(key=lambda e: order[e.passage.doc_path])
        lines, cits, previous = [], [], None
        for e in chosen:
            made = evidence_sentence(e.passage, quoter, previous)
            if made:
                lines.append(made[0])
                cits.append(made[1])
                previous = e.passage
        return lines, cits

    @staticmethod
    def _proposal(paragraphs: list[str], cits: list[Citation], own: list[str],
                  support: list[str] | None = None) -> Proposal | None:
        body = [p for p in paragraphs if p]
        own = [o for o in own if o]
        if not body and not own:
            return None
        text = "\n\n".join(body + ([" ".join(own)] if own else []))
        return Proposal(text, cits, allow_uncited=not cits, support=list(support or []))

    def _history(self, ev: SectionEvidence, quoter: Quoter, intro: str) -> tuple[str, list[Citation]]:
        items = [e for e in ev.items if e.origin == "historik"]
        if not items:
            return "", []
        lines, cits = self._compose(items[-4:], quoter, 4, spread=False)
        return (" ".join([intro, *lines]), cits) if lines else ("", [])

    def _notes(self, ctx: DraftContext, kind: str, label: str = "Rektorns anteckningar") -> list[str]:
        out = []
        if ctx.notes.status and ctx.notes.status_section == kind:
            out.append(f"Status enligt rektorn: {ctx.notes.status}.")
        sent = [n.written() for n in ctx.notes.for_section(kind)]
        if sent:
            out.append(_own(label, sent))
        return out

    # -- Uppföljning: what was done and what happened ------------------------------------------
    def _uppfoljning(self, req, ev: SectionEvidence, quoter: Quoter, ctx: DraftContext) -> list[Proposal]:
        act = quoted(short(req.activity))
        hist, hcits = self._history(ev, quoter, f"Aktiviteten {act} har följts upp tidigare:")
        lines: list[str] = []
        cits: list[Citation] = []
        agg = ctx.aggregate.sentence()
        if agg:
            lines.append(agg)
            for p in ctx.aggregate.cited:
                q = row_quote(p, quoter)
                if q:
                    cits.append(cite(p, q))
        support: list[str] = []
        for series in ctx.series[:2]:
            lines.append(self._series_sentence(series))
            cits.extend(series.citations())
            support.extend(series.facts())
        found = [e for e in ev.items if e.origin == "sok" and e.relevant]
        # what happened, in the rows' and follow-ups' own words: rows with a comment, then texts
        commented = [e for e in found if e.passage.section_kind == "aktivitet" and said(e.passage.comment)]
        texts = [e for e in found if e.passage.section_kind != "aktivitet" and e.passage.section_kind != "indikator"]
        if not agg:
            commented = [e for e in found if e.passage.section_kind == "aktivitet"]
        more, mcits = self._compose(commented[:2] + texts[:2], quoter, 4)
        if more:
            lines.append("Vad som hände i liknande aktiviteter, med deras egna ord: " + " ".join(more)
                         if agg else "Så här har liknande aktiviteter följts upp tidigare: " + " ".join(more))
            cits.extend(mcits)
        own = self._notes(ctx, "uppfoljning")
        body = [hist, " ".join(lines)]
        prop = self._proposal(body, _unique(hcits + cits), own, support)
        return [prop] if prop else []

    @staticmethod
    def _series_sentence(series: DraftSeries) -> str:
        """The series' first and latest values (and the latest target): a document's as its rows
        write them, with the rows cited; Kolada's with its source named."""
        first, last = series.values[0], series.values[-1]
        name = quoted(short(series.written_name))
        if series.kolada:
            where = f" i {series.series.entity}" if series.series.entity else ""
            values = (f"{first.shown} {first.year} och {last.shown} {last.year}" if first is not last
                      else f"{last.shown} {last.year}")
            target = f", mot målnivån {last.target_shown}" if last.target_shown else ""
            return f"Enligt Kolada var {name}{where} {values}{target}. {KOLADA_LABEL}."
        when = lambda v: f" ({v.period})"  # noqa: E731
        ids = ", ".join(p.id for p in series.passages)
        if first is not last:
            text = f"Indikatorn {name} hade utfallet {first.shown}{when(first)} och {last.shown}{when(last)} [{ids}]"
        else:
            text = f"Indikatorn {name} hade utfallet {last.shown}{when(last)} [{ids}]"
        if last.target_shown:
            text += f", mot målvärdet {last.target_shown}"
        return text + "."

    # -- Analys: why, and what it means for next year -------------------------------------------
    def _analys(self, req, ev: SectionEvidence, quoter: Quoter, ctx: DraftContext) -> list[Proposal]:
        act = quoted(short(req.activity))
        result: list[str] = []
        why: list[str] = []
        ahead: list[str] = []
        cits: list[Citation] = []
        # Resultat: the principal's numbers compared, indicators against their target
        for ch in ctx.notes.changes[:2]:
            way = verdict(req.activity, ch, ctx.direction)  # None: another measure, or no aim
            if way is not None:
                said_ = ("går i den riktning som aktiviteten syftar till" if way
                         else "går i motsatt riktning mot vad aktiviteten syftar till")
                result.append(f"Rektorns siffror visar {ch.phrase()}, vilket {said_}.")
            else:
                result.append(f"Rektorns siffror visar {ch.phrase()}.")
        below = False
        support: list[str] = []
        for series in ctx.series[:1]:
            against = series.latest_against_target()
            if against is None:
                continue
            last, target = against
            side = "under" if last.value < target else "över"
            if last.passage is not None:
                result.append(f"Det senaste utfallet för {quoted(short(series.written_name))} ligger {side} målvärdet "
                              f"[{last.passage.id}].")
                cits.append(Citation(passage_id=last.passage.id, quote=value_quote(last.passage, last.shown),
                                     source=last.passage.source))
            else:
                result.append(f"Det senaste värdet för {quoted(short(series.name))} i Kolada ligger {side} "
                              f"målnivån. {KOLADA_LABEL}.")
                support.extend(series.facts())
            below = (last.value < target) if ctx.direction != "ned" else (last.value > target)
        if not ctx.notes.changes and (summary := ctx.aggregate.sentence()) and "uppfoljning" not in ctx.notes.sections_asked:
            result.append(summary)
            for p in ctx.aggregate.cited:
                q = row_quote(p, quoter)
                if q:
                    cits.append(cite(p, q))
        # Orsaker: the principal's judgement, why similar activities went as they did
        judged = [n.written() for n in ctx.notes.for_section("analys")]
        if judged:
            why.append(_own("Rektorns bedömning", judged))
        reasons = ctx.aggregate.reasons_sentence()
        if reasons:
            why.append(reasons)
            for _c, group in ctx.aggregate.cause_counts()[:3]:
                for p in group:
                    q = row_quote(p, quoter)
                    if q:
                        cits.append(cite(p, q))
        hist = ""
        hcits: list[Citation] = []
        if "uppfoljning" not in ctx.notes.sections_asked:  # else its rows are told there already
            hist, hcits = self._history(ev, quoter, f"Om aktiviteten {act} har tidigare skrivits:")
        else:
            own_analyses = [e for e in ev.items if e.origin == "historik" and e.passage.section_kind in ("analys", "kommentar")]
            if own_analyses:
                lines_h, hcits = self._compose(own_analyses[-2:], quoter, 2, spread=False)
                hist = " ".join([f"Om aktiviteten {act} har tidigare skrivits:", *lines_h]) if lines_h else ""
        if hist:
            why.append(hist)
            cits.extend(hcits)
        found = [e for e in ev.items if e.origin == "sok" and e.relevant and e.passage.section_kind != "aktivitet"]
        found.sort(key=lambda e: e.passage.section_kind not in ("analys", "kommentar"))
        lines, lcits = self._compose(found, quoter, 3)
        if lines:
            why.append("Tidigare analyser av liknande arbete: " + " ".join(lines))
            cits.extend(lcits)
        # Inför nästa år
        for ch in ctx.notes.changes[:1]:
            way = verdict(req.activity, ch, ctx.direction)
            if way is True:
                ahead.append("Arbetssättet bör behållas och följas upp med samma mått nästa år, så att det går att "
                             "se om förändringen håller i sig.")
            elif way is False:
                ahead.append("Eftersom förändringen går åt fel håll behöver arbetssättet ses över inför nästa år.")
        if any(_OBSTACLE.search(n.text) for n in ctx.notes.for_section("analys")):
            ahead.append("Det som rektorn pekar på som hinder behöver få en lösning i planeringen inför nästa år.")
        # what to plan for next year: not the pandemic (it delayed earlier years, it is no plan)
        causes = [c for c, _g in ctx.aggregate.cause_counts() if c != "pandemin"][:2]
        if causes:
            ahead.append(f"Erfarenheterna från liknande aktiviteter talar för att planera med marginal för det som "
                         f"tidigare försenade arbetet ({_listing(causes)}), så att det inte skjuts upp.")
        if below:
            ahead.append("Målvärdet är ännu inte nått, så arbetet behöver fortsätta nästa år.")
        if not ahead and (req.status or "").strip().lower() in _UNFINISHED and (result or why):
            ahead.append("Aktiviteten pågår fortfarande och bör följas upp igen nästa år.")
        if not (result or why):
            return []  # nothing of substance: the section gets a notice
        paragraphs = []
        if result:
            paragraphs.append("Resultat: " + " ".join(result))
        if why:
            paragraphs.append("Orsaker: " + " ".join(why))
        if ahead:
            paragraphs.append("Inför nästa år: " + " ".join(ahead))
        own = [o for o in self._notes(ctx, "analys") if o.startswith("Status")]
        prop = self._proposal(paragraphs, _unique(cits), own, support)
        return [prop] if prop else []

    # -- Risker: what delayed or stopped similar activities -------------------------------------
    def _risker(self, req, ev: SectionEvidence, quoter: Quoter, ctx: DraftContext) -> list[Proposal]:
        act = quoted(short(req.activity))
        lines: list[str] = []
        cits: list[Citation] = []
        # a delay whose only stated reason was the pandemic is history, not a risk for next year
        delays = [e for e in ev.items if e.relevant and e.passage.section_kind not in ("risk", "styrkor_svagheter")
                  and has_delay(e.passage) and causes_of(e.passage) != ["pandemin"]]
        for i, e in enumerate(delays[:3]):
            made = self._delay_sentence(e.passage, quoter, first=(i == 0))
            if made:
                lines.append(made[0])
                cits.append(made[1])
        stated = [e for e in ev.items if e.relevant and e.passage.section_kind == "risk"][:3]
        if not lines and not stated:  # strengths and weaknesses only as a last resort
            stated = [e for e in ev.items if e.relevant and e.passage.section_kind == "styrkor_svagheter"][:1]
        stated += [e for e in ev.items if e.relevant and e.passage.section_kind not in TYPED_RISKLESS
                   and e not in delays and e not in stated and _RISK_WORD.search(e.passage.text)][:1]
        for e in stated:
            b = quoter.best(e.passage, None if e.passage.section_kind == "risk" else RISKY)
            if b:
                what = "som risk" if e.passage.section_kind == "risk" else "om svårigheter"
                lines.append(f"I {doc_phrase(e.passage)} skrevs {what}: {quoted(*b)} [{e.id}].")
                cits.append(cite(e.passage, b[0]))
        own = self._notes(ctx, "risker", "Rektorns anteckningar om risker")
        if not lines and not own:
            return []
        intro = f"Det här kan hindra {act}, utifrån vad som hindrade liknande arbete tidigare:" if lines else ""
        prop = self._proposal([" ".join([intro, *lines]).strip()], _unique(cits), own)
        return [prop] if prop else []

    def _delay_sentence(self, p: Passage, quoter: Quoter, first: bool):
        if p.section_kind != "aktivitet":
            b = quoter.best(p, RISKY)  # the sentence that says what delayed it, not any sentence
            if b is None:
                return None
            return f"{_frame(p)} {quoted(*b)} [{p.id}].", cite(p, b[0])
        if p.section_kind == "aktivitet":
            q = row_quote(p, quoter)
            if q is None:
                return None
            act = quoted(short(p.activity or q))
            reason = ""
            if said(p.comment) and not _has_id_number(p.comment):
                reason = f" med kommentaren {quoted(norm(p.comment))}"
            status = f" status {p.status}{_deadline(p)}" if p.status else " ingen status"
            lead = "En liknande aktivitet, " if first else "Även "
            tail = "," if first else ""
            return f"{lead}{act}{tail} fick i {doc_phrase(p)}{status}{reason} [{p.id}].", cite(p, q)
        return block_sentence(p, quoter)

    # -- Kostnader -----------------------------------------------------------------------------
    def _kostnader(self, req, ev: SectionEvidence, quoter: Quoter, ctx: DraftContext) -> list[Proposal]:
        act = quoted(short(req.activity))
        costs = [e for e in ev.items if e.passage.section_kind == "kostnad" and e.relevant and e.via is None][:4]
        amounts = [e for e in ev.items if e.relevant and e.via is None and e.passage.section_kind not in TYPED_COST
                   and AMOUNT_RX.search(e.passage.text)][:2]
        plans = [e for e in ev.items if e.passage.section_kind == "tidplan" and e.relevant and e.via is None][:2]
        linked = [(e, e.via) for e in ev.items if e.via is not None]  # (line, the insats it belongs to)
        lines: list[str] = []
        cits: list[Citation] = []
        by_doc: dict[str, list[Passage]] = {}
        chosen: dict[str, str] = {}
        for e in costs:
            line = cost_line(e.passage, quoter)
            if line is None:
                continue  # a paragraph whose amounts are about something else
            chosen[e.id] = line
            by_doc.setdefault(e.passage.doc_path, []).append(e.passage)
        for group in by_doc.values():
            quotes = []
            for p in group:
                quotes.append(f"»{chosen[p.id]}« [{p.id}]")
                cits.append(cite(p, chosen[p.id]))
            lines.append(f"I {doc_phrase(group[0])} anges {_listing(quotes)}.")
        n_amounts = 0
        used = {norm(q).lower() for q in chosen.values()}
        for e in amounts:  # untyped text: the sentence that carries the amount
            b = quoter.best(e.passage, AMOUNT_RX)
            if b and norm(b[0]).lower() not in used:  # the same paragraph read as two records
                used.add(norm(b[0]).lower())
                n_amounts += 1
                lines.append(f"{_frame(e.passage)} {quoted(*b)} [{e.id}].")
                cits.append(cite(e.passage, b[0]))
        for e in plans:
            made = block_sentence(e.passage, quoter)
            if made:
                lines.append(made[0])
                cits.append(made[1])
        by_insats: dict[str, tuple[Passage, list[Evidence]]] = {}  # insats id -> (insats, its lines)
        for e, via in linked:
            by_insats.setdefault(via.id, (via, []))[1].append(e)
        n_linked = 0
        for ins, members in by_insats.values():
            b = quoter.best(ins)
            if b is None:
                continue
            name = quoted(short(ins.activity or ins.title or ""))
            lines.append(f"I {doc_phrase(ins)} fanns en liknande insats, {name}: {quoted(*b)} [{ins.id}].")
            cits.append(cite(ins, b[0]))
            for e in members:
                p = e.passage
                if p.section_kind == "kostnad":
                    line = cost_line(p) or norm(p.text)
                    n_linked += 1
                    lines.append(f"I rapportens kostnadsberäkning står posten »{line}« [{p.id}], som av namnet att "
                                 "döma hör till den insatsen.")
                    cits.append(cite(p, line))
                else:
                    tb = quoter.best(p)
                    if tb:
                        lines.append(f"Rapportens tidplan för {quoted(short(p.activity or ''))}: {quoted(*tb)} [{p.id}].")
                        cits.append(cite(p, tb[0]))
        own = self._notes(ctx, "kostnader")
        if not (chosen or n_amounts or n_linked):
            lines, cits = [], []  # a time plan alone is no cost
        if not lines and not own:
            return []
        body = ""
        if lines:
            body = " ".join(["Jämförbara kostnader i tidigare underlag:", *lines,
                             f"Beloppen gäller tidigare insatser och återges som de står i källan; kostnaden för {act} "
                             "behöver beräknas för sig."])
        prop = self._proposal([body], _unique(cits), own)
        return [prop] if prop else []


TYPED_RISKLESS = frozenset({"risk", "styrkor_svagheter", "aktivitet", "kostnad", "tidplan", "indikator"})
TYPED_COST = frozenset({"kostnad", "tidplan", "aktivitet", "indikator"})
_RISK_WORD = re.compile(r"\brisk(?!era)\w*|\bhinder\b|\bhindra\w*|\bsvårighet\w*|\bsårbar\w*", re.IGNORECASE)
RISKY = re.compile(_RISK_WORD.pattern + "|" + DELAY.pattern + r"|\bsvag\w*|\bbrist\w*", re.IGNORECASE)
AMOUNT_RX = re.compile(r"\d[\d \u00a0]*(?:[.,]\d+)?\s?(?:tkr|mnkr|mkr|kr\b|kronor|miljoner)", re.IGNORECASE)


def _unique(cits: list[Citation]) -> list[Citation]:
    seen, out = set(), []
    for c in cits:
        if c.passage_id not in seen:
            seen.add(c.passage_id)
            out.append(c)
    return out


def cost_line(p: Passage, quoter: Quoter | None = None) -> str | None:
    """A cost line as written in the source, without the parser's label. A cost record of several
    sentences (a paragraph with an amount in it) is quoted by its sentence that carries an amount
    and is about the activity, as `quoter` judges it; None when it has no such sentence."""
    sents = sentences(p.text)
    if quoter is not None and len(sents) > 1:
        if AMOUNT_RX.search(unlabelled(p, sents[0])) and len(sents[0]) <= 120:
            return unlabelled(p, sents[0])  # "Matematiksatsning 100 tkr" with a line below it
        whole = norm(p.text)
        if all(_LABEL.match(s) for s in sents) and len(whole) <= MAX_SPAN:
            return whole  # a record of labelled fields ("Insats: … Ansvarig: … Kostnad: 60 tkr."): what it pays for
        for s in sents:  # a labelled field of a longer record
            if _LABEL.match(s) and AMOUNT_RX.search(s) and len(s) <= 120:
                return s
        b = quoter.best(p, AMOUNT_RX)  # prose: the amount must be about the activity
        return b[0] if b else None
    return unlabelled(p, sents[0] if sents else norm(p.text))
