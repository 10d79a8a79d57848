"""Drafting: grounded suggestions for uppföljning, analys, risker and kostnader.

    drafter = services.drafter
    draft = drafter.draft(DraftRequest(activity="Minska frånvaron i åk 7–9", notes="…"))
    for event in drafter.stream(req, generator="llm"): ...

Per requested section: evidence (evidence.py) → one or two proposals from a generator
(extractive.py by default; llm_generator.py when asked and configured) → the grounding check
(grounding.py) on every suggestion → optional masking of personal data. `draft` and `stream` run
the same steps; `stream` yields them as events:

    {"event": "section", "kind": k}
    {"event": "token", "kind": k, "text": piece}                   # LLM, streaming
    {"event": "suggestion", "kind": k, "suggestion": {...}}         # a Suggestion as JSON
    {"event": "notice", "kind": k, "text": ...}                     # nothing relevant: no suggestion
    {"event": "done", "activity": ..., "sections": [k, ...], "suggestions": n}
    {"event": "error", "code": ..., "message": ...}                # after the stream has begun

An error before the first event is raised (so the API can answer with a proper status code).
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import TYPE_CHECKING, Callable, Iterator

from kvalitet.errors import InvalidInput, KvalitetError, LLMUnavailable
from kvalitet.pii import mask as mask_pii
from kvalitet.pii import shown
from kvalitet.domain.types import Draft, DraftRequest, SectionDraft, Suggestion
from kvalitet.drafting.evidence import EvidenceFinder, Matcher, SectionEvidence, Vocabulary
from kvalitet.drafting.extractive import DraftContext, ExtractiveGenerator, Proposal, notice_text, quoted, short
from kvalitet.drafting.grounding import check, cited_ids
from kvalitet.drafting.series import DraftSeries, SeriesSource, draft_series
from kvalitet.search.history import ActivityHistory
from kvalitet.search.index import KnowledgeIndex
from kvalitet.search.retriever import Retriever
from kvalitet.settings import Settings

if TYPE_CHECKING:  # the adapter is imported where the model is built (kvalitet.container)
    from kvalitet.adapters.llm import LLMClient

log = logging.getLogger(__name__)

GENERATORS = ("extractive", "llm")
# {reason}: LLMUnavailable.reason_sv ("svarade inte i tid"); the note is part of a checked text
FALLBACK_NOTE = "Obs: språkmodellen {reason}, så detta förslag är sammanställt direkt ur källorna."
_SENTENCE_END = re.compile(r"[.!?\n]\s")


def _suggestion_id(kind: str, generator: str, text: str) -> str:
    return "s_" + hashlib.sha1(f"{kind}\x1f{generator}\x1f{text}".encode("utf-8")).hexdigest()[:12]


class Drafter:
    """Drafts from the index's evidence (`index`, `retriever`, the activity `history()`), the
    results over the years (`results`) and, for the llm generator, the model `llm()` gives (None
    when none is configured)."""

    def __init__(self, settings: Settings, index: KnowledgeIndex, retriever: Retriever, results: SeriesSource,
                 history: Callable[[], ActivityHistory], llm: Callable[[], LLMClient | None]):
        self.settings = settings
        self.index = index
        self.retriever = retriever
        self.results = results
        self.llm = llm
        self.finder = EvidenceFinder(index, retriever, history)

    # -- public ---------------------------------------------------------------------------
    def draft(self, req: DraftRequest, generator: str | None = None) -> Draft:
        by_kind: dict[str, list[Suggestion]] = {}
        notices: dict[str, str] = {}
        for ev in self._events(req, generator, streaming=False):
            if ev["event"] == "suggestion":
                by_kind.setdefault(ev["kind"], []).append(ev["_suggestion"])
            elif ev["event"] == "notice":
                notices[ev["kind"]] = ev["text"]
        kinds = self._kinds(req)
        return Draft(
            activity=req.activity,
            sections=[SectionDraft(kind=k, suggestions=by_kind.get(k, []), notice=notices.get(k))
                      for k in kinds],
        )

    def stream(self, req: DraftRequest, generator: str | None = None) -> Iterator[dict]:
        started = False
        try:
            for ev in self._events(req, generator, streaming=True):
                started = True
                yield _public(ev)
        except KvalitetError as exc:
            if not started:
                raise
            yield {"event": "error", "code": exc.code, "message": exc.message}
        except Exception:
            if not started:
                raise
            log.exception("draft stream failed")
            yield {"event": "error", "code": "internal_error",
                   "message": "Utkastet kunde inte göras klart / the draft could not be completed."}

    # -- the steps ------------------------------------------------------------------------
    @staticmethod
    def _kinds(req: DraftRequest) -> list[str]:
        return list(dict.fromkeys(req.sections))

    def _lookup(self, pid: str):
        return self.retriever.passage(pid)

    def _user_input(self, req: DraftRequest) -> list[str]:
        return [x for x in (req.activity, req.goal, req.status, req.notes) if x]

    def series_for(self, req: DraftRequest, evidence: dict[str, SectionEvidence] | None = None) -> list[DraftSeries]:
        """The results over the years the draft of `req` writes about (kvalitet.results,
        drafting/series.py): the series of the indicator rows the evidence found relevant, then
        those whose indicator is about the activity and its goal."""
        found = [e.passage.id for ev in (evidence or {}).values() for e in ev.items
                 if e.relevant and e.passage.section_kind == "indikator"]
        topic = " ".join(x for x in (req.activity, req.goal) if x)
        matcher = Matcher(Vocabulary.of(self.index), req)
        return draft_series(self.results, self._lookup, topic, matcher.speaks_about, found)

    def _events(self, req: DraftRequest, generator: str | None, streaming: bool) -> Iterator[dict]:
        gen = generator or self.settings.generator
        if gen not in GENERATORS:
            raise InvalidInput(f"Okänd generator {gen!r}; välj extractive eller llm. / unknown generator")
        kinds = self._kinds(req)
        if not kinds:
            raise InvalidInput("Ange minst ett avsnitt. / Ask for at least one section.")
        # the follow-up evidence is gathered even when not asked: its rows make the aggregate
        evidence = self.finder.gather(req, list(dict.fromkeys(kinds + ["uppfoljning"])))
        vocab = Vocabulary.of(self.index)
        extractive = ExtractiveGenerator(vocab)
        ctx = DraftContext.build(req, evidence, kinds, self.series_for(req, evidence))
        llm = None
        broken: LLMUnavailable | None = None  # once the LLM failed, the rest of the draft falls back
        if gen == "llm":
            llm, broken = self._llm_generator(vocab)
        total = 0
        for kind in kinds:
            ev = evidence[kind]
            if gen == "extractive":
                yield {"event": "section", "kind": kind}
                proposals = extractive.generate(kind, req, ev, ctx)
                for p in proposals:
                    total += 1
                    yield self._emit(kind, p, "extractive", req)
                notice = self._notice(kind, req, ev, proposals)
                if notice:
                    yield {"event": "notice", "kind": kind, "text": notice}
                continue
            if not _has_substance(kind, ev, ctx):
                # nothing relevant and nothing of the principal's: no model call, a notice
                yield {"event": "section", "kind": kind}
                yield {"event": "notice", "kind": kind, "text": notice_text(kind, quoted(short(req.activity)))}
                continue
            if broken is None:
                try:
                    produced = yield from self._llm_section(llm, kind, req, ev, streaming, ctx)
                    total += produced
                    continue
                except LLMUnavailable as exc:
                    if self.settings.llm_fallback != "extractive":
                        raise
                    log.warning("llm unavailable, falling back to extractive: %s", exc.message)
                    broken = exc
                    # the section event may not have been sent (the failure came first)
            yield {"event": "section", "kind": kind, "fallback": True}
            note = FALLBACK_NOTE.format(reason=broken.reason_sv)
            proposals = extractive.generate(kind, req, ev, ctx)
            for p in proposals:
                total += 1
                yield self._emit(kind, p, "extractive", req, note=note)
            notice = self._notice(kind, req, ev, proposals)
            if notice:
                yield {"event": "notice", "kind": kind, "text": notice}
        yield {"event": "done", "activity": req.activity, "sections": kinds, "suggestions": total}

    def _llm_generator(self, vocab: Vocabulary):
        from kvalitet.drafting.prompts import get_prompts
        from kvalitet.drafting.llm_generator import LLMGenerator

        client = self.llm()
        if client is None:
            exc = LLMUnavailable(
                "Ingen språkmodell är konfigurerad: sätt KVALITET_LLM_BASE_URL, eller använd generatorn "
                "extractive. / No LLM is configured (KVALITET_LLM_BASE_URL).", reason="not_configured",
            )
            if self.settings.llm_fallback != "extractive":
                raise exc
            return None, exc
        gen = LLMGenerator(client, get_prompts(self.settings), vocab, self._lookup, self.settings.llm_context_tokens)
        return gen, None

    @staticmethod
    def _notice(kind: str, req: DraftRequest, ev: SectionEvidence, proposals: list[Proposal]) -> str | None:
        """A notice when the section has no suggestion, or one built only from the principal's own
        notes (nothing in the evidence is about this activity)."""
        if proposals and any(p.citations for p in proposals):
            return None
        return notice_text(kind, quoted(short(req.activity)), notes_only=bool(proposals))

    def _llm_section(self, llm, kind: str, req: DraftRequest, ev: SectionEvidence, streaming: bool, ctx=None):
        """Yields the section's events; returns the number of suggestions. Raises LLMUnavailable
        before yielding anything when the model cannot be reached."""
        prompt = llm.prompt(kind, req, ev, ctx)
        if not streaming:
            proposals = _with_support(llm.finish(llm.client.complete(prompt.messages())), ctx)
            yield {"event": "section", "kind": kind}
            for p in proposals:
                yield self._emit(kind, p, "llm", req, prompt_version=prompt.version, given=_given_ids(prompt))
            return len(proposals)
        pieces = iter(llm.stream(kind, req, ev, prompt))
        first = next(pieces, "")  # connection errors surface here, before any event
        yield {"event": "section", "kind": kind}
        reply = [first]
        masked = self.settings.mask_personal_data
        buffer = first
        try:
            for piece in pieces:
                reply.append(piece)
                if not masked:
                    if buffer:
                        yield {"event": "token", "kind": kind, "text": buffer}
                        buffer = ""
                    buffer = piece
                    continue
                buffer += piece
                # masking needs whole sentences (a name may span pieces)
                cut = max((m.end() for m in _SENTENCE_END.finditer(buffer)), default=0)
                if cut:
                    yield {"event": "token", "kind": kind, "text": mask_pii(buffer[:cut])}
                    buffer = buffer[cut:]
        except LLMUnavailable:
            raise  # the caller falls back (or reports); tokens so far are superseded
        if buffer:
            yield {"event": "token", "kind": kind, "text": mask_pii(buffer) if masked else buffer}
        proposals = _with_support(llm.finish("".join(reply)), ctx)
        for p in proposals:
            yield self._emit(kind, p, "llm", req, prompt_version=prompt.version, given=_given_ids(prompt))
        return len(proposals)

    def _emit(self, kind: str, proposal: Proposal, generator: str, req: DraftRequest,
              note: str | None = None, prompt_version: str | None = None, given: set[str] | None = None) -> dict:
        s = self.suggestion(kind, proposal, generator, req, note=note, prompt_version=prompt_version, given=given)
        return {"event": "suggestion", "kind": kind, "_suggestion": s}

    def suggestion(self, kind: str, proposal: Proposal, generator: str, req: DraftRequest,
                   note: str | None = None, prompt_version: str | None = None,
                   given: set[str] | None = None) -> Suggestion:
        """A proposal checked (grounding), masked when configured, with a stable id. `given`: the
        passage ids the model was given; a citation of any other passage is flagged ("källa
        utanför underlaget: p_…"), even when the passage exists: the model cannot have read it."""
        text = proposal.text + (f"\n\n{note}" if note else "")
        grounding = check(text, proposal.citations, self._lookup, self._user_input(req) + proposal.support,
                          allow_uncited=proposal.allow_uncited)
        if given is not None:
            outside = [pid for pid in cited_ids(text) if pid not in given and self._lookup(pid) is not None]
            if outside:
                grounding = grounding.model_copy(update={
                    "supported": False,
                    "unsupported": grounding.unsupported + [f"källa utanför underlaget: {pid}" for pid in outside]})
        citations = proposal.citations
        if self.settings.mask_personal_data:  # every field: text, quotes, the unsupported names
            text, citations, grounding = shown((text, list(citations), grounding), True)
        return Suggestion(
            id=_suggestion_id(kind, generator, text), kind=kind, text=text, generator=generator,
            prompt_version=prompt_version, citations=citations, grounding=grounding,
        )


def _with_support(proposals: list[Proposal], ctx: DraftContext | None) -> list[Proposal]:
    """The model was given the series' register facts (Kolada's values): its proposals may state
    them, as the extractive ones do."""
    facts = [f for s in (ctx.series if ctx else []) for f in s.facts()]
    for p in proposals:
        p.support = list(dict.fromkeys(p.support + facts))
    return proposals


def _given_ids(prompt) -> set[str]:
    """The passage ids a prompt gave the model (evidence blocks and the aggregate's rows)."""
    return set(re.findall(r"p_[0-9a-f]{16}", prompt.user))


def _has_substance(kind: str, ev: SectionEvidence, ctx: DraftContext) -> bool:
    """Whether a section has anything to write from: relevant evidence or the principal's notes."""
    if ev.relevant or ctx.notes.for_section(kind):
        return True
    if kind == "analys" and (ctx.notes.changes or ctx.aggregate.sentence()):
        return True
    return ctx.notes.status_section == kind and bool(ctx.notes.status)


def _public(ev: dict) -> dict:
    """An internal event as JSON-ready data (the Suggestion object becomes a dict)."""
    s = ev.get("_suggestion")
    if s is None:
        return ev
    out = {k: v for k, v in ev.items() if k != "_suggestion"}
    out["suggestion"] = s.model_dump(mode="json")
    return out


__all__ = ["Drafter", "GENERATORS"]
