"""The chat without an LLM: what can be served from search and the extractive drafter.

* A question is answered from search: the best passages, each quoted and cited, in a short
  Swedish answer ("Det här hittade jag i tidigare uppföljningar: …").
* "utkast …", "skriv analys/uppföljning/risker/kostnader för …" runs the extractive drafter (for
  the activity named after "för"/"om", or the item open in the panel).
* "lägg in" / "placera" puts the latest draft of the conversation (or the one just made) into the
  open report item as a PENDING suggestion, with the caller's rights.
* A question on results ("Hur har behörigheten utvecklats sedan 2019?") is answered with the
  indicator series on its topic: the change in numbers against the target, and the figure's page.
* A wish that needs a language model (rewrite, shorten, "mer om …", "vi-form") is answered
  plainly with what to configure: needs_llm true, an answer and not an error.

Also used when an LLM is configured but cannot be reached and KVALITET_LLM_FALLBACK=extractive
(`llm_problem` then says why, and the answer carries a note).
"""

from __future__ import annotations

import re
from typing import Iterator

from kvalitet.drafting.extractive import sentences
from kvalitet.drafting.grounding import norm
from kvalitet.domain.types import DRAFT_SECTIONS
from kvalitet.chat.tools import SECTION_LABELS, Tools
from kvalitet.chat.turn import Turn

# Wishes that need a language model. "skriv om" is "rewrite" unless a section follows
# ("skriv om risker för …" = write about risks).
_REWRITE_STRONG = re.compile(
    r"\b(kortare|längre|förkorta\w*|korta\s+(?:ner|av|ned)|omformulera\w*|formulera\s+om|vi-form\w*|vi\s+form|"
    r"sammanfatta\w*|förenkla\w*|översätt\w*|ändra\s+tonen|mer\s+formell|mindre\s+formell|punktform|"
    r"skriv(?:a)?\s+om\b(?!\s+(?:en\s+|ett\s+)?(?:risk|analys|uppf|kostnad)))",
    re.IGNORECASE,
)
_REWRITE_WEAK = re.compile(r"\b(mer|mindre)\s+om\b|\b(enklare|tydligare|kortfattat)\b", re.IGNORECASE)
_PLACE = re.compile(r"\b(lägg\s+in|lägga\s+in|placera\w*|för\s+in|infoga\w*|spara\s+som\s+förslag)\b", re.IGNORECASE)
# "utkast" asks for a new draft; "utkastet"/"utkasten" (definite) refer to one already made.
_DRAFT_WORD = re.compile(r"\butkast\b", re.IGNORECASE)
_DRAFT_VERB = re.compile(r"\b(skriv|skriva|gör|göra|ta\s+fram|föreslå|formulera)\b", re.IGNORECASE)
_SECTIONS = (
    ("risker", re.compile(r"\brisk\w*", re.IGNORECASE)),
    ("kostnader", re.compile(r"\bkostnad\w*", re.IGNORECASE)),
    ("uppfoljning", re.compile(r"\buppf[öo]ljning\w*", re.IGNORECASE)),
    ("analys", re.compile(r"(?<!risk)analys\w*", re.IGNORECASE)),
)
_ABOUT = re.compile(r"\b(?:för|om|kring|gällande|angående)\s+(.+)$", re.IGNORECASE | re.DOTALL)
_SECTION_WORD = re.compile(
    r"^(?:(?:en|ett|de|den|det)\s+)?(?:risk\w*|kostnad\w*|uppf[öo]ljning\w*|analys\w*|utkast\w*)(?:\s+och\s+|\s*,\s*|\s+)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d{2})\b")
# A question about results over the years (not about activities or documents).
_RESULTS_QUESTION = re.compile(
    r"\b(utvecklats|utvecklingen|utvecklat|resultat\w*|nyckeltal\w*|andel(?:en)?|utfall\w*|ökat|minskat|"
    r"förbättrats|försämrats|trend\w*|över\s+åren|mått(?:et)?|indikator\w*)\b", re.IGNORECASE)
DOC_LABELS = {
    "verksamhetsplan_uppfoljning": "uppföljning av verksamhetsplanen",
    "aktivitetsuppfoljning": "uppföljning av fjolårets aktiviteter",
    "kvalitetsrapport": "kvalitetsrapport",
    "arshjul": "årshjulet",
    "rapport": "rapport",
}
ANSWER_HITS = 3
SHOW_QUOTE = 280

NEEDS_LLM_UNCONFIGURED = (
    "Att skriva om, korta eller ändra en text kräver en språkmodell, och ingen är ansluten här. "
    "En administratör kan ansluta en OpenAI-kompatibel server (till exempel vLLM, Ollama eller llama.cpp) "
    "med KVALITET_LLM_BASE_URL, och vid behov KVALITET_LLM_MODEL och KVALITET_LLM_API_KEY. "
    "Utan språkmodell kan jag söka i tidigare års dokument, göra utkast direkt ur källorna "
    "(skriv till exempel ”utkast analys för …”) och lägga in dem som förslag (”lägg in”)."
)
NEEDS_LLM_UNAVAILABLE = (
    "Att skriva om, korta eller ändra en text kräver språkmodellen, och den {problem} just nu. "
    "Försök igen om en stund, eller be en administratör kontrollera KVALITET_LLM_BASE_URL. "
    "Under tiden kan jag söka i tidigare års dokument, göra utkast direkt ur källorna och lägga in dem som förslag."
)


def intent(message: str) -> str:
    """"rewrite", "draft", "place", "draft+place" or "search"."""
    text = message.strip()
    if _REWRITE_STRONG.search(text) or (_REWRITE_WEAK.search(text) and not text.endswith("?")):
        return "rewrite"
    has_section = any(rx.search(text) for _, rx in _SECTIONS)
    draft = bool(_DRAFT_WORD.search(text)) or (bool(_DRAFT_VERB.search(text)) and has_section)
    place = bool(_PLACE.search(text))
    if draft and place:
        return "draft+place"
    if place:
        return "place"
    if draft:
        return "draft"
    return "search"


def asks_to_place(message: str) -> bool:
    """Whether the user's own message asks to place text in the open activity ("lägg in",
    "placera", "för in", …): the server's decision whether a write tool may run this turn."""
    return bool(_PLACE.search(message))


def sections_in(message: str) -> list[str]:
    found = [kind for kind, rx in _SECTIONS if rx.search(message)]
    return [k for k in DRAFT_SECTIONS if k in found]


def activity_in(message: str) -> str | None:
    """The activity named in "utkast till analys för <aktivitet>" (None when none is named)."""
    text = _PLACE.sub(" ", message)
    text = re.sub(r"\s+och\s*$", "", text.strip())
    for _ in range(4):
        m = _ABOUT.search(text)
        if not m:
            return None
        rest = m.group(1).strip()
        stripped = _SECTION_WORD.sub("", rest, count=1).strip()
        if stripped != rest:  # "om risker för X": a section word, the activity comes later
            text = stripped
            if not _ABOUT.search(text):
                return _clean_activity(text)
            continue
        return _clean_activity(rest)
    return None


def _clean_activity(text: str) -> str | None:
    t = re.sub(r"^(?:aktiviteten|insatsen|uppdraget)\s*[:]?\s*", "", text.strip(), flags=re.IGNORECASE)
    t = t.strip(" \t\n\"'”“»«.:!?")
    t = re.sub(r"\s+(?:och|,)\s*$", "", t)
    return t if len(t) >= 3 else None


class SimpleResponder:
    def __init__(self, turn: Turn, *, llm_problem: str | None = None, note: str | None = None):
        self.turn = turn
        self.tools = Tools(turn, generator="extractive")
        self.llm_problem = llm_problem
        self.note = note

    def run(self) -> Iterator[dict]:
        what = intent(self.turn.message)
        if what == "rewrite":
            yield from self._needs_llm()
        elif what in ("draft", "draft+place"):
            yield from self._draft(place=what == "draft+place")
        elif what == "place":
            yield from self._place_latest()
        else:
            yield from self._search()

    # -- answers ---------------------------------------------------------------------------
    def _finish(self, text: str, citations: list[dict], **kw):
        yield from self.turn.finish(text, citations=citations, note=self.note, **kw)

    def _needs_llm(self):
        text = (NEEDS_LLM_UNAVAILABLE.format(problem=self.llm_problem) if self.llm_problem
                else NEEDS_LLM_UNCONFIGURED)
        yield from self._finish(text, [], needs_llm=True)

    def _results(self) -> Iterator[dict] | None:
        """An answer from the results over the years when the message asks about results and a
        series is about its topic; None otherwise (search answers instead)."""
        q = self.turn.message
        if not _RESULTS_QUESTION.search(q):
            return None
        outcome = self.tools.run("results", {"query": q, "k": 2})
        if not outcome.ok or not outcome.events[0]["series"]:
            return None
        series = outcome.events[0]["series"]
        _, citations = self.tools.results_answer(q, k=2)
        lines = [f"- {s['sentence']} Diagram och värden: {s['chart']}" for s in series]
        text = "Så här har resultaten utvecklats:\n\n" + "\n".join(lines)
        refs = sorted({c["passage_id"] for c in citations})
        if refs:
            text += "\n\nKällor: " + " ".join(f"[{r}]" for r in refs)

        def answer():
            yield from self.turn.record(outcome)
            yield from self._finish(text, citations)
        return answer()

    def _search(self):
        results = self._results()
        if results is not None:
            yield from results
            return
        q = self.turn.message
        years = sorted(set(_YEAR.findall(q)))
        outcome = None
        if len(years) == 1:  # "… 2019": try that year first
            outcome = self.tools.run("search", {"query": q, "k": 5, "year": int(years[0])})
            if outcome.ok and not outcome.events[0]["passages"]:
                outcome = None
        if outcome is None:
            outcome = self.tools.run("search", {"query": q, "k": 5})
        yield from self.turn.record(outcome)
        passages = outcome.events[0]["passages"] if outcome.ok else []
        if not outcome.ok:
            why = outcome.error["message"] if outcome.error else ""  # a refused tool always says why
            yield from self._finish(f"Sökningen gick inte: {why}", [])
            return
        if not passages:
            yield from self._finish(
                "Jag hittade inget om det i tidigare uppföljningar och rapporter. Pröva med andra ord, "
                "eller ange ett år, en nämnd eller en status.", [])
            return
        lines, citations = [], []
        for hit in passages[:ANSWER_HITS]:
            p = self.tools.lookup(hit["id"])
            if p is None:
                continue
            quote = self.tools.quote(p, q) if sentences(p.text) else norm(p.text)
            shown = quote if len(quote) <= SHOW_QUOTE else quote[:SHOW_QUOTE].rsplit(" ", 1)[0] + " …"
            label = DOC_LABELS.get(p.doc_kind, p.doc_path)
            about = f", {p.activity}" if p.activity and p.activity not in quote else ""
            status = f" (status: {p.status})" if p.status else ""
            lines.append(f"- {p.year or 'Okänt år'}, {label}{about}{status}: »{shown}« [{p.id}]")
            citations.append({"passage_id": p.id, "quote": quote, "source": p.source.model_dump()})
        text = ("Det här hittade jag i tidigare uppföljningar:\n\n" + "\n".join(lines) +
                "\n\nVill du ha ett utkast? Skriv till exempel ”utkast analys för …”.")
        yield from self._finish(text, citations)

    def _draft(self, place: bool):
        msg = self.turn.message
        kinds = sections_in(msg) or list(DRAFT_SECTIONS)
        activity = activity_in(msg)
        has_item = bool(self.turn.report_id and self.turn.item_id)
        if not activity and not has_item:
            yield from self._finish(
                "Vilken aktivitet gäller det? Skriv till exempel ”utkast analys för Minska frånvaron i åk 7–9”, "
                "eller öppna aktiviteten i en rapport så skriver jag utkastet för den.", [])
            return
        made: list[dict] = []
        notices: list[str] = []
        for kind in kinds:
            args = {"section": kind, **({"activity": activity} if activity else {})}
            outcome = self.tools.run("draft_section", args)
            yield from self.turn.record(outcome)
            if not outcome.ok:
                yield from self._finish(self._refusal("göra utkastet", outcome), [])
                return
            made.extend(outcome.candidates)
            notices.extend(f"{SECTION_LABELS[kind].capitalize()}: {ev['text']}" for ev in outcome.events
                           if ev.get("event") == "notice")
        if not activity:  # the item open in the panel: answers name it, never »aktiviteten«
            item = self.tools.context_item()
            activity = item.activity if item else None
        if place:
            if not made:
                yield from self._finish(f"Det finns inget förslag att lägga in för »{activity}«. " + " ".join(notices), [])
                return
            yield from self._place([c["suggestion"]["id"] for c in self._first_per_kind(made)], drafted=made)
            return
        parts: list[str] = []
        citations: dict[str, dict] = {}  # passage id -> citation, first one kept
        for c in self._first_per_kind(made):
            sg = c["suggestion"]
            flag = "" if sg["grounding"]["supported"] else (
                "\n(Granskningen mot källorna flaggade: " + "; ".join(sg["grounding"]["unsupported"]) + ")")
            parts.append(f"{SECTION_LABELS[sg['kind']].capitalize()}:\n{sg['text']}{flag}")
            for cit in sg["citations"]:
                citations.setdefault(cit["passage_id"], cit)
        name = f"»{activity}«" if activity else "aktiviteten"
        tail = (f"Säg ”lägg in” så lägger jag in det som förslag i {name}." if has_item else
                f"Öppna {name} i en rapport och säg ”lägg in” för att lägga in det som förslag.")
        if not parts:
            tail = "Det finns alltså inget att lägga in."
        text = (f"Utkast för {name}, sammanställt direkt ur källorna (utan språkmodell):\n\n" +
                "\n\n".join(parts + notices or ["Jag hittade inget underlag att bygga ett utkast på."]) + "\n\n" + tail)
        yield from self._finish(text, list(citations.values()))

    @staticmethod
    def _first_per_kind(cands: list[dict]) -> list[dict]:
        seen, out = set(), []
        for c in cands:
            k = c["suggestion"]["kind"]
            if k not in seen:
                seen.add(k)
                out.append(c)
        return out

    def _place_latest(self):
        kinds = sections_in(self.turn.message)
        batches: list[list[dict]] = []
        for m in self.turn.store.messages(self.turn.conversation_id):
            if m.role == "tool" and m.data.get("candidates"):
                batches.append(m.data["candidates"])
        chosen: list[dict] = []
        if kinds:
            for kind in kinds:
                for batch in reversed(batches):
                    hit = next((c for c in batch if c["suggestion"]["kind"] == kind), None)
                    if hit:
                        chosen.append(hit)
                        break
        else:
            # the latest draft (all its sections when it was made in one message)
            last_turn: list[dict] = []
            for m in reversed(self.turn.store.messages(self.turn.conversation_id)):
                if m.role == "user":
                    if last_turn:
                        break
                    continue
                if m.role == "tool" and m.data.get("candidates"):
                    last_turn = m.data["candidates"] + last_turn
            chosen = self._first_per_kind(last_turn)
        if not chosen:
            yield from self._finish(
                "Det finns inget utkast i samtalet att lägga in ännu. Be först om ett utkast, till exempel "
                "”utkast analys”.", [])
            return
        yield from self._place([c["suggestion"]["id"] for c in chosen], drafted=chosen)

    def _place(self, refs: list[str], drafted: list[dict]):
        placed: list[dict] = []
        flags: list[str] = []
        for ref in refs:
            outcome = self.tools.run("place_suggestion", {"suggestion_ref": ref})
            yield from self.turn.record(outcome)
            if not outcome.ok:
                done = f" ({len(placed)} förslag hann läggas in före felet.)" if placed else ""
                yield from self._finish(self._refusal("lägga in förslaget", outcome) + done, [])
                return
            for p in outcome.placed:
                placed.append(p)
                if not p["grounding"]["supported"]:
                    flags.append(f"förslag {p['id']}: " + "; ".join(p["grounding"]["unsupported"]))
        item = self.tools.context_item()
        where = f"»{item.activity}«" if item else f"rapport {self.turn.report_id}, aktivitet {self.turn.item_id}"
        listing = ", ".join(f"{SECTION_LABELS[p['kind']]} (förslag {p['id']})" for p in placed)
        text = (f"Jag lade in {len(placed)} förslag som väntande i {where}: {listing}. "
                "En granskare godkänner, ändrar eller avvisar dem.")
        if flags:
            text += " Obs, granskningen mot källorna flaggade: " + " | ".join(flags) + "."
        cits: dict[str, dict] = {}
        for c in drafted:
            for cit in c["suggestion"]["citations"]:
                cits.setdefault(cit["passage_id"], cit)
        yield from self._finish(text, list(cits.values()))

    @staticmethod
    def _refusal(what: str, outcome) -> str:
        err = outcome.error or {}
        if outcome.status == 403:
            return f"Det gick inte att {what}: du har inte behörighet till den rapporten. Ingenting ändrades."
        return f"Det gick inte att {what}: {err.get('message', 'okänt fel')}"
