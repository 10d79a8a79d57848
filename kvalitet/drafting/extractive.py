"""The extractive generator: deterministic, no model. Suggestions are composed from the evidence.

Every sentence that rests on a passage quotes it verbatim (»…«) and ends with its citation
[p_…]; the sentence frame around the quote is fixed Swedish text whose only facts come from the
passage's own metadata (year, activity, status, deadline, comment). The principal's own input is
given last, labelled ("Rektorns anteckningar: …") and uncited. Nothing is summed, counted or
estimated. When the evidence is thin the suggestion says so instead of padding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvalitet.pii import find as find_pii
from kvalitet.domain.types import Citation, DraftRequest, Passage
from kvalitet.drafting.evidence import REASON, Evidence, Matcher, SectionEvidence, Vocabulary
from kvalitet.drafting.grounding import norm

MAX_QUOTE = 260
MAX_COMMENT = 170
MAX_ACTIVITY = 90


@dataclass
class Proposal:
    """A suggestion before its grounding check: text, citations, and whether it may be uncited
    (it only says that there is no evidence)."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    allow_uncited: bool = False


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


def doc_phrase(p: Passage) -> str:
    y = f" {p.year}" if p.year else ""
    kind = p.doc_kind
    if kind == "verksamhetsplan_uppfoljning":
        return f"uppföljningen av verksamhetsplanen{y}"
    if kind == "aktivitetsuppfoljning":
        return f"uppföljningen{y} av fjolårets aktiviteter"
    if kind == "kvalitetsrapport":
        return f"kvalitetsrapporten{y}"
    if kind == "arshjul":
        return f"årshjulet{y}"
    if kind == "rapport":
        return f"rapporten{y}"
    return f"dokumentet {p.doc_path}"


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
    """Chooses the sentence of a passage that serves the request best (by the request's subject
    words, as evidence relevance is judged)."""

    def __init__(self, vocab: Vocabulary, req: DraftRequest):
        self.vocab = vocab
        self.matcher = Matcher(vocab, req)

    def best(self, p: Passage) -> tuple[str, bool] | None:
        """(verbatim span, was it cut) — the most relevant sentence, earliest on ties; None when the
        passage has nothing quotable (e.g. only a personnummer). A sentence that only repeats the
        passage's heading or activity is taken only when there is nothing else."""
        heads = [norm(x).lower().rstrip(".") for x in (p.activity, p.title) if x]
        best, best_score = None, -1.0
        for s in sentences(p.text):
            s = unlabelled(p, s)
            if _has_id_number(s):
                continue
            bare = norm(s).lower().rstrip(".")
            if any(h.endswith(bare) or bare == h for h in heads):
                if best is None:
                    best, best_score = s, -0.5
                continue
            terms = self.vocab.terms(s)
            core, _ = self.matcher._score(self.matcher.core, terms)
            extra, _ = self.matcher._score(self.matcher.secondary, terms)
            score = core + 0.5 * extra
            # a little weight to substance: very short fragments ("-") say little
            score += min(len(s), 200) / 1000.0
            if score > best_score:
                best, best_score = s, score
        if best is None:
            return None
        return _cut(best)


def cite(p: Passage, quote: str) -> Citation:
    return Citation(passage_id=p.id, quote=quote, source=p.source)


def _in_text(p: Passage, span: str | None) -> bool:
    return bool(span) and norm(span) in norm(p.text)


def row_quote(p: Passage, quoter: Quoter) -> str | None:
    """The verbatim span an activity row is cited by: its comment, its wording, or a sentence."""
    for span in (p.comment, p.activity):
        if span and _in_text(p, span) and not _has_id_number(span):
            return _cut(norm(span))[0]
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
    if p.comment and not _has_id_number(p.comment):
        c, cut = _cut(norm(p.comment), MAX_COMMENT)
        parts.append(f", med kommentaren {quoted(c, cut)}")
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
    first, later, count = [], [], {}
    for e in items:
        n = count.get(e.passage.doc_path, 0)
        (first if n < per_doc else later).append(e)
        count[e.passage.doc_path] = n + 1
    return first + later


# -- the generator ---------------------------------------------------------------------------
class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    def generate(self, kind: str, req: DraftRequest, ev: SectionEvidence) -> list[Proposal]:
        quoter = Quoter(self.vocab, req)
        return getattr(self, f"_{kind}")(req, ev, quoter)

    # shared: compose from a list of evidence with sentence frames
    def _compose(self, items: list[Evidence], quoter: Quoter, limit: int,
                 spread: bool = True) -> tuple[list[str], list[Citation]]:
        chosen = diversify(items)[:limit] if spread else items[:limit]
        # rows of one document together, so that "I samma uppföljning" can follow
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

    def _history(self, req: DraftRequest, ev: SectionEvidence, quoter: Quoter, intro: str,
                 with_status: bool = True) -> Proposal | None:
        items = [e for e in ev.items if e.origin == "historik"]
        if not items:
            return None
        lines, cits = self._compose(items[-4:], quoter, 4, spread=False)
        if not lines:
            return None
        return Proposal(_join(intro, lines, req, with_status), cits)

    def _uppfoljning(self, req: DraftRequest, ev: SectionEvidence, quoter: Quoter) -> list[Proposal]:
        act = quoted(short(req.activity))
        found = [e for e in ev.items if e.origin == "sok" and e.relevant]
        out: list[Proposal] = []
        if found:
            lines, cits = self._compose(found, quoter, 4)
            intro = ("Liknande aktiviteter har tidigare följts upp så här:" if len(lines) > 1 else
                     f"Underlaget är tunt: bara ett tidigare exempel liknar {act}.")
            out.append(Proposal(_join(intro, lines, req), cits))
        hist = self._history(req, ev, quoter, f"Aktiviteten {act} har följts upp tidigare:")
        if hist:
            out.insert(0, hist)  # the activity's own history serves best
        if not out:
            out.append(Proposal(_join(
                f"Underlaget är tunt: de tidigare uppföljningarna innehåller ingen aktivitet som liknar {act}, "
                "så uppföljningen behöver skrivas utifrån årets eget underlag.", [], req), allow_uncited=True))
        return out

    def _analys(self, req: DraftRequest, ev: SectionEvidence, quoter: Quoter) -> list[Proposal]:
        act = quoted(short(req.activity))
        found = [e for e in ev.items if e.origin == "sok" and e.relevant]
        # analyses and comments first, narrative after
        found.sort(key=lambda e: e.passage.section_kind not in ("analys", "kommentar"))
        out: list[Proposal] = []
        if found:
            lines, cits = self._compose(found, quoter, 4)
            intro = ("Tidigare analyser av liknande aktiviteter kan ge stöd för analysen:" if len(lines) > 1 else
                     f"Underlaget är tunt: bara ett tidigare resonemang liknar {act}.")
            out.append(Proposal(_join(intro, lines, req, with_status=False), cits))
        hist = self._history(req, ev, quoter, f"Om aktiviteten {act} har tidigare skrivits:", with_status=False)
        if hist:
            out.insert(0, hist)
        if not out:
            out.append(Proposal(_join(
                f"Underlaget är tunt: de tidigare dokumenten innehåller ingen analys av en aktivitet som liknar {act}, "
                "så analysen behöver bygga på årets eget underlag.", [], req, with_status=False), allow_uncited=True))
        return out

    def _risker(self, req: DraftRequest, ev: SectionEvidence, quoter: Quoter) -> list[Proposal]:
        act = quoted(short(req.activity))
        lines: list[str] = []
        cits: list[Citation] = []
        # 1. Risk statements and strengths/weaknesses of earlier plans, grouped per document.
        stated = [e for e in ev.items if e.passage.section_kind == "risk"][:3]
        by_doc: dict[str, list[tuple[Passage, str, bool]]] = {}
        for e in stated:
            b = quoter.best(e.passage)
            if b:
                by_doc.setdefault(e.passage.doc_path, []).append((e.passage, *b))
        for group in by_doc.values():
            p0 = group[0][0]
            quotes = [f"{quoted(q, cut)} [{p.id}]" for p, q, cut in group]
            listed = quotes[0] if len(quotes) == 1 else ", ".join(quotes[:-1]) + " och " + quotes[-1]
            noun = "risk" if len(quotes) == 1 else "risker"
            lines.append(f"I {doc_phrase(p0)} angavs som {noun} för de planerade insatserna: {listed}.")
            cits.extend(cite(p, q) for p, q, _ in group)
        for e in [e for e in ev.items if e.passage.section_kind == "styrkor_svagheter" and e.relevant][:1]:
            b = quoter.best(e.passage)
            if b:
                lines.append(f"Om styrkor och svagheter skrevs i {doc_phrase(e.passage)}: {quoted(*b)} [{e.id}].")
                cits.append(cite(e.passage, b[0]))
        # 2. Delays of similar activities (the activity's own history first).
        delays = [e for e in ev.items if e.passage.section_kind not in ("risk", "styrkor_svagheter")]
        similar = [e for e in delays if e.relevant][:3]
        for i, e in enumerate(similar):
            made = self._delay_sentence(e.passage, quoter, first=(i == 0))
            if made:
                lines.append(made[0])
                cits.append(made[1])
        if not similar:
            # No similar activity was delayed: general reasons others were (pandemic, economy,
            # staff), from activity rows that state one.
            general = [e for e in delays if e.passage.section_kind == "aktivitet" and REASON.search(e.passage.comment or "")]
            for i, e in enumerate(general[:2]):
                made = self._delay_sentence(e.passage, quoter, first=(i == 0), similar=False)
                if made:
                    lines.append(made[0])
                    cits.append(made[1])
        if not lines:
            return [Proposal(_join(
                f"Underlaget är tunt: de tidigare dokumenten beskriver inga risker eller förseningar som gäller {act}.",
                [], req, with_status=False), allow_uncited=True)]
        intro = f"Följande risker har lyfts i tidigare underlag och kan gälla även {act}:"
        if len(lines) == 1:
            intro = f"Underlaget är tunt: bara en tidigare riskbedömning kan gälla {act}."
        return [Proposal(_join(intro, lines, req, with_status=False), cits)]

    def _delay_sentence(self, p: Passage, quoter: Quoter, first: bool, similar: bool = True):
        if p.section_kind == "aktivitet":
            q = row_quote(p, quoter)
            if q is None:
                return None
            act = quoted(short(p.activity or q))
            reason = ""
            if p.comment and not _has_id_number(p.comment):
                c, cut = _cut(norm(p.comment), MAX_COMMENT)
                reason = f" med kommentaren {quoted(c, cut)}"
            status = f" status {p.status}{_deadline(p)}" if p.status else " ingen status"
            if similar:
                lead = "En liknande aktivitet har försenats: " if first else "Även "
                return f"{lead}{act} fick i {doc_phrase(p)}{status}{reason} [{p.id}].", cite(p, q)
            if first:
                lead = "Andra aktiviteter har tidigare försenats av skäl som kan gälla även här: "
                return f"{lead}{act} fick i {doc_phrase(p)}{status}{reason} [{p.id}].", cite(p, q)
            return f"Likaså fick {act} i {doc_phrase(p)}{status}{reason} [{p.id}].", cite(p, q)
        return block_sentence(p, quoter)

    def _kostnader(self, req: DraftRequest, ev: SectionEvidence, quoter: Quoter) -> list[Proposal]:
        act = quoted(short(req.activity))
        costs = [e for e in ev.items if e.passage.section_kind == "kostnad" and e.relevant and e.via is None][:4]
        plans = [e for e in ev.items if e.passage.section_kind == "tidplan" and e.relevant and e.via is None][:2]
        linked = [e for e in ev.items if e.via is not None]
        lines: list[str] = []
        cits: list[Citation] = []
        by_doc: dict[str, list[Passage]] = {}
        for e in costs:
            by_doc.setdefault(e.passage.doc_path, []).append(e.passage)
        for group in by_doc.values():
            quotes = []
            for p in group:
                line = cost_line(p)
                quotes.append(f"»{line}« [{p.id}]")
                cits.append(cite(p, line))
            listed = quotes[0] if len(quotes) == 1 else ", ".join(quotes[:-1]) + " och " + quotes[-1]
            lines.append(f"I {doc_phrase(group[0])} anges {listed}.")
        for e in plans:
            made = block_sentence(e.passage, quoter)
            if made:
                lines.append(made[0])
                cits.append(made[1])
        # Lines found through a similar insats: say what the insats was, and that the line is
        # linked to it by its name only.
        by_insats: dict[str, list[Evidence]] = {}
        for e in linked:
            by_insats.setdefault(e.via.id, []).append(e)  # type: ignore[union-attr]
        for group in by_insats.values():
            ins = group[0].via
            b = quoter.best(ins)  # type: ignore[arg-type]
            if b is None:
                continue
            name = quoted(short(ins.activity or ins.title or ""))  # type: ignore[union-attr]
            lines.append(f"I {doc_phrase(ins)} fanns en liknande insats, {name}: {quoted(*b)} [{ins.id}].")  # type: ignore[arg-type]
            cits.append(cite(ins, b[0]))  # type: ignore[arg-type]
            for e in group:
                p = e.passage
                if p.section_kind == "kostnad":
                    line = cost_line(p)
                    lines.append(f"I rapportens kostnadsberäkning står posten »{line}« [{p.id}], som av namnet att "
                                 "döma hör till den insatsen.")
                    cits.append(cite(p, line))
                else:
                    tb = quoter.best(p)
                    if tb:
                        lines.append(f"Rapportens tidplan för {quoted(short(p.activity or ''))}: {quoted(*tb)} [{p.id}].")
                        cits.append(cite(p, tb[0]))
        n_costs = len(costs) + sum(1 for e in linked if e.passage.section_kind == "kostnad")
        closing = (f"Beloppen gäller tidigare insatser och återges som de står i källan; kostnaden för {act} "
                   "behöver beräknas för sig.")
        if n_costs:
            intro = "Jämförbara kostnadsposter i tidigare underlag:"
            if n_costs == 1:
                intro = "Underlaget är tunt: bara en tidigare kostnadspost är jämförbar."
            return [Proposal(_join(" ".join([intro, *lines, closing]), [], req, with_status=False), cits)]
        thin = (f"Underlaget är tunt: de tidigare dokumenten innehåller ingen kostnadspost för en insats som liknar "
                f"{act}, så kostnaden behöver beräknas för sig.")
        return [Proposal(_join(thin, lines, req, with_status=False), cits, allow_uncited=not cits)]


def cost_line(p: Passage) -> str:
    """A cost line as written in the source, without the parser's label."""
    first = sentences(p.text)
    return unlabelled(p, first[0] if first else norm(p.text))
