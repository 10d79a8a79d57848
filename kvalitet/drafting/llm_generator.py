"""The LLM generator: a prompt per section kind (prompts/<kind>.md), evidence as delimited data.

The prompt carries the same structure as the extractive draft: the principal's notes placed in
this section only (so the model cannot repeat them across sections), the aggregate of similar
activities with its row ids, reasons for delays, indicator series and the principal's numbers
compared (section_facts), then the relevant passages. The model is asked to cite passage ids as
[p_…]. From its reply we take the citations; each
citation's quote is the sentence of the cited passage that overlaps most with the suggestion
sentences citing it (its first sentence when none does), verbatim from the passage. What the
model wrote is then checked like any other suggestion (grounding.py).
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from kvalitet.errors import LLMUnavailable
from kvalitet.drafting.prompts import Prompt, Prompts
from kvalitet.domain.types import Citation, DraftRequest, Passage
from kvalitet.drafting.evidence import SectionEvidence, Vocabulary
from kvalitet.drafting.extractive import Proposal, sentences
from kvalitet.drafting.grounding import CITE_GROUP, cited_ids, norm
from kvalitet.drafting.notes import verdict

# Up to this many passages go into a prompt (the most relevant first), within the token budget.
MAX_PASSAGES = 12
MIN_SHOWN = 3
_SPLIT = re.compile(r"^\s*-{3,}\s*$", re.MULTILINE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def prompt_passages(ev: SectionEvidence, budget_chars: int) -> list[Passage]:
    """The passages the model sees: the relevant ones (history first); only when none is relevant
    the MIN_SHOWN best of the rest, for the model to judge (and, as told, to call thin)."""
    relevant = sorted((e for e in ev.items if e.relevant), key=lambda e: e.origin != "historik")
    rest: list = []  # passages judged not about this activity never reach the model
    out: list[Passage] = []
    used = 0
    for e in relevant + rest:
        if len(out) >= MAX_PASSAGES:
            break
        size = len(e.passage.text) + 300
        if out and used + size > budget_chars:
            break
        out.append(e.passage)
        used += size
    return out


def passage_context(p: Passage) -> dict:
    return {
        "id": p.id, "year": p.year, "section_kind": p.section_kind, "doc_path": p.doc_path,
        "activity": p.activity, "status": p.status, "deadline": p.deadline, "comment": p.comment,
        "text": p.text,
    }


def section_facts(kind: str, req: DraftRequest, ctx) -> dict:
    """What the extractive drafter knows for this section, for the prompt: the principal's notes
    placed here (numbers compared), the status when it belongs here, the aggregate of similar
    activities with its row ids, the reasons they were delayed, indicator series, and the changes
    in the principal's numbers against what the activity means to do."""
    from kvalitet.drafting.extractive import DraftContext
    from kvalitet.results.model import KOLADA_LABEL

    if ctx is None:
        ctx = DraftContext.build(req, {}, [kind])
    notes = [n.written() for n in ctx.notes.for_section(kind)]
    status = ctx.notes.status if ctx.notes.status_section == kind else None
    facts: list[str] = []
    agg = ctx.aggregate.sentence()
    if agg and (kind == "uppfoljning" or (kind == "analys" and "uppfoljning" not in ctx.notes.sections_asked)):
        facts.append(agg)
    if kind in ("analys", "risker"):
        reasons = ctx.aggregate.reasons_sentence()
        if reasons:
            facts.append(reasons)
    if kind == "analys":
        for ch in ctx.notes.changes[:2]:
            line = f"Rektorns siffror visar {ch.phrase()}."
            way = verdict(req.activity, ch, ctx.direction)
            if way is not None:
                line += (" Det går i den riktning som aktiviteten syftar till." if way
                         else " Det går i motsatt riktning mot vad aktiviteten syftar till.")
            facts.append(line)
    if kind in ("uppfoljning", "analys"):
        for series in ctx.series[:2]:
            pts = ", ".join(f"{v.shown} ({v.period})" + (f" [{v.passage.id}]" if v.passage else "")
                            for v in series.values)
            target = f"; målvärde {series.values[-1].target_shown}" if series.values[-1].target_shown else ""
            source = f" {KOLADA_LABEL}." if series.kolada else ""
            facts.append(f"Indikatorn {series.name}: utfall {pts}{target}.{source}")
    return {"section_notes": notes, "section_status": status, "facts": facts}


def build_prompt(prompts: Prompts, kind: str, req: DraftRequest, passages: list[Passage], ctx=None) -> Prompt:
    return prompts.render(
        kind, activity=req.activity, goal=req.goal, status=req.status, notes=req.notes,
        passages=[passage_context(p) for p in passages], **section_facts(kind, req, ctx),
    )


def quote_for(p: Passage, suggestion: str, vocab: Vocabulary) -> str:
    """The sentence of `p` overlapping most with the suggestion's sentences that cite `p`
    (all of the suggestion when none names it), else the passage's first sentence."""
    cited = [s for s in _SENTENCE.findall(suggestion) if p.id in s] or [suggestion]
    target = vocab.terms(CITE_GROUP.sub(" ", " ".join(cited)))
    sents = sentences(p.text) or [norm(p.text)]
    best, best_score = sents[0], 0.0
    for s in sents:
        score = sum(vocab.idf.get(t, 0.0) for t in target & vocab.terms(s))
        if score > best_score:
            best, best_score = s, score
    return best


def parse_reply(reply: str, lookup: Callable[[str], Passage | None], vocab: Vocabulary) -> list[Proposal]:
    """One or two suggestions (separated by a line '---'), each with the citations it names.
    Ids that resolve to no passage stay in the text for the grounding check to report."""
    out = []
    for part in _SPLIT.split(reply.strip())[:2]:
        text = part.strip()
        if not text:
            continue
        cits = []
        for pid in cited_ids(text):
            p = lookup(pid)
            if p is not None:
                cits.append(Citation(passage_id=pid, quote=quote_for(p, text, vocab), source=p.source))
        out.append(Proposal(text, cits))
    return out


class LLMGenerator:
    name = "llm"

    def __init__(self, client, prompts: Prompts, vocab: Vocabulary, lookup, context_tokens: int):
        self.client = client
        self.prompts = prompts
        self.vocab = vocab
        self.lookup = lookup
        # ~4 characters a token; keep about half of the context for the evidence.
        self.budget_chars = max(2000, int(context_tokens * 4 * 0.5))

    def prompt(self, kind: str, req: DraftRequest, ev: SectionEvidence, ctx=None) -> Prompt:
        return build_prompt(self.prompts, kind, req, prompt_passages(ev, self.budget_chars), ctx)

    def generate(self, kind: str, req: DraftRequest, ev: SectionEvidence) -> tuple[list[Proposal], Prompt]:
        prompt = self.prompt(kind, req, ev)
        reply = self.client.complete(prompt.messages())
        return self._finish(reply), prompt

    def stream(self, kind: str, req: DraftRequest, ev: SectionEvidence, prompt: Prompt) -> Iterator[str]:
        """The reply piece by piece (the caller joins them and calls `finish`)."""
        return self.client.stream(prompt.messages())

    def _finish(self, reply: str) -> list[Proposal]:
        proposals = parse_reply(reply or "", self.lookup, self.vocab)
        if not proposals:
            raise LLMUnavailable("Språkmodellen gav ett tomt svar. / The LLM returned an empty reply.")
        return proposals

    finish = _finish
