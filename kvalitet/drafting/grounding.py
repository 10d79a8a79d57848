"""The grounding check, run on every suggestion whatever generator made it.

A suggestion is supported when
* every citation resolves to a real passage and its quote is verbatim in that passage's text
  (whitespace-normalised: PDF text breaks lines inside sentences);
* every [p_…] marker in the text resolves to a real passage;
* every number (amounts like "2 400 tkr", percentages, years, counts in words like "tre"), every
  date and every personal name (kvalitet.pii.find) in the text appears in a cited passage or in the
  principal's own input (activity, goal, status, notes: supported input by definition);
* every quoted span »…« is verbatim in a cited passage or in the principal's input;
* a decision ("beslutade", "fattat beslut", "antogs", …) is only stated when a cited passage or
  the principal's input speaks of one;
* it cites something at all (unless the generator says it only states that evidence is missing).

Two kinds of number stand in no source and are still supported, because they are computed from
what does (each is listed in `derived`, with how):
* a difference: "3 procentenheter" when two percentages of one source differ by 3 ("14 %" and
  "11 %" in the principal's notes); "med 6" when two numbers of one source with the same unit
  differ by 6;
* a count: a number (or number word) in a sentence that equals the number of passages cited in
  one citation group of that sentence, or in the whole sentence ("Av sex liknande aktiviteter
  genomfördes fyra [p_a, p_b, p_c, p_d]; två sköts upp [p_e, p_f].").

Otherwise `supported` is False and `unsupported` lists each offender in Swedish:
"siffra: 5 000 tkr", "datum: 30 aug", "namn: Eva Ek", "källa saknas: p_xyz",
"citat stämmer inte: p_xyz", "citat: »…«", "beslut: …".
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from kvalitet.pii import find as find_pii
from kvalitet.domain.types import Citation, Grounding, Passage

Lookup = Callable[[str], Passage | None]

CITE_GROUP = re.compile(r"\[\s*(p_[A-Za-z0-9]+(?:\s*[,;]\s*p_[A-Za-z0-9]+)*)\s*\]")
PID = re.compile(r"p_[A-Za-z0-9]+")
_WS = re.compile(r"\s+")

_MONTHS = (
    r"jan(?:uari)?|feb(?:ruari)?|mars?|apr(?:il)?|maj|juni?|juli?|aug(?:usti)?|sep(?:t(?:ember)?)?"
    r"|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:[-/]\d{2,4})?\b|\b\d{1,2}\.?[ \u00a0](?:%s)\b\.?" % _MONTHS,
    re.IGNORECASE,
)
_UNIT = r"%|procentenheter|procentenhet|procent|tkr|mnkr|mkr|mdkr|kr|kronor|miljoner|miljarder"
NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)((?:[.,]\d+)?)(?:[ \u00a0]?(%s))?(?![\w])" % _UNIT,
    re.IGNORECASE,
)
NUMBER_WORDS = {
    "två": "2", "tre": "3", "fyra": "4", "fem": "5", "sex": "6", "sju": "7", "åtta": "8", "nio": "9",
    "tio": "10", "elva": "11", "tolv": "12", "tretton": "13", "fjorton": "14", "femton": "15",
    "tjugo": "20", "trettio": "30", "fyrtio": "40", "femtio": "50", "hundra": "100", "tusen": "1000",
    "dubbelt": "dubbelt", "hälften": "hälften", "halverats": "hälften", "fördubblats": "dubbelt",
}
_NUMBER_WORD = re.compile(r"\b(%s)\b" % "|".join(NUMBER_WORDS), re.IGNORECASE)
QUOTE = re.compile(r"»([^»«]{3,}?)«")
DECISION = re.compile(
    r"\b(beslut\w*|beslöt|beslutade|fattat?\s+beslut|antogs|antagits|fastställ\w*)\b", re.IGNORECASE
)
_DECISION_SUPPORT = re.compile(r"beslu|beslö|antog|antag|fastställ", re.IGNORECASE)


def norm(text: str) -> str:
    """Whitespace-normalised text for verbatim comparison (NBSP and line breaks count as space)."""
    return _WS.sub(" ", (text or "").replace("\u00a0", " ").replace("\u202f", " ")).strip()


def cited_ids(text: str) -> list[str]:
    """The passage ids cited in `text` as [p_…] or [p_a, p_b], in order, without repeats."""
    out: list[str] = []
    for m in CITE_GROUP.finditer(text):
        for pid in PID.findall(m.group(1)):
            if pid not in out:
                out.append(pid)
    return out


def strip_citations(text: str) -> str:
    return CITE_GROUP.sub("", text)


def _unit_class(unit: str | None) -> str:
    u = (unit or "").lower()
    if u in ("%", "procent"):
        return "%"
    if u.startswith("procentenhet"):
        return "pe"
    if u in ("mnkr", "mkr", "miljoner"):
        return "mkr"
    if u in ("kr", "kronor"):
        return "kr"
    return u  # "", "tkr", "mdkr", "miljarder"


def numbers(text: str) -> list[tuple[str, str, str]]:
    """(surface, value, unit class) of each number in `text`, dates excluded."""
    text = DATE.sub(" ", text)
    out = []
    for m in NUMBER.finditer(text):
        value = re.sub(r"[ \u00a0\u202f]", "", m.group(1)) + m.group(2).replace(",", ".")
        value = value.lstrip("0") or "0"
        out.append((m.group(0).strip(), value, _unit_class(m.group(3))))
    for m in _NUMBER_WORD.finditer(text):
        out.append((m.group(0), NUMBER_WORDS[m.group(1).lower()], ""))
    return out


def _number_support(texts: Iterable[str]) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    values: set[str] = set()
    with_unit: set[tuple[str, str]] = set()
    words: set[str] = set()
    for t in texts:
        for _surface, value, unit in numbers(t):
            values.add(value)
            with_unit.add((value, unit))
        words.update(w.lower() for w in _NUMBER_WORD.findall(t))
    return values, with_unit, words


def _date_key(surface: str) -> str:
    s = norm(surface).lower().rstrip(".")
    m = re.match(r"(\d{1,2})\.?\s+([a-zåäö]+)", s)
    if m:
        return f"{int(m.group(1))} {m.group(2)[:3]}"
    return s


_RECORD_FIELDS = ("indicator", "outcome", "target", "assessment", "period", "responsible", "status_raw", "unit")


def support_text(p: Passage) -> str:
    """What a citation of `p` vouches for: its text and its metadata (year, activity, status …)."""
    parts = [p.text]
    for v in (p.year, p.doc_path, p.title, p.activity, p.goal, p.status, p.deadline, p.comment, p.committee, p.perspective):
        if v:
            parts.append(str(v))
    if p.carried_from:
        parts.append(f"Kvarstår från {p.carried_from}")
    for name in _RECORD_FIELDS:  # fields a recogniser may give (indicator rows, amounts, periods)
        v = getattr(p, name, None)
        if v not in (None, ""):
            parts.append(str(v))
    return "\n".join(parts)


def check(
    text: str,
    citations: list[Citation],
    lookup: Lookup,
    user_input: Iterable[str | None] = (),
    *,
    allow_uncited: bool = False,
) -> Grounding:
    """Check one suggestion. `lookup` resolves a passage id; `user_input` is the principal's own
    text (activity, goal, status, notes), which supports whatever it contains."""
    bad: list[str] = []

    def flag(item: str) -> None:
        if item not in bad:
            bad.append(item)

    own = [u for u in user_input if u]
    passages: dict[str, Passage] = {}
    for c in citations:
        p = lookup(c.passage_id)
        if p is None:
            flag(f"källa saknas: {c.passage_id}")
            continue
        passages[p.id] = p
        if not c.quote.strip() or norm(c.quote) not in norm(p.text):
            flag(f"citat stämmer inte: {c.passage_id}")
    for pid in cited_ids(text):
        if pid in passages:
            continue
        p = lookup(pid)
        if p is None:
            flag(f"källa saknas: {pid}")
        else:
            passages[pid] = p
    if not passages and not allow_uncited:
        flag("källa saknas: förslaget hänvisar inte till något underlag")

    sources = [support_text(p) for p in passages.values()] + own
    src_norm = norm("\n".join(sources))
    body = strip_citations(text)

    # Dates first (so that their day numbers are not also reported as numbers).
    src_dates = {_date_key(m.group(0)) for s in sources for m in DATE.finditer(s)}
    for m in DATE.finditer(body):
        if _date_key(m.group(0)) not in src_dates and norm(m.group(0)) not in src_norm:
            flag(f"datum: {norm(m.group(0))}")

    values, with_unit, words = _number_support(sources)
    differences = _differences(sources)
    derived: list[str] = []
    for surface, value, unit, counted in _numbers_by_sentence(text):
        if surface.lower() in words:
            continue
        if value in ("dubbelt", "hälften"):
            flag(f"siffra: {surface}")
            continue
        ok = (value, unit) in with_unit if unit else value in values
        if ok and unit != "pe":
            continue
        how = differences.get((value, "%" if unit == "pe" else unit))
        if how:
            derived.append(f"{norm(surface)} = {how}")
            continue
        if not unit and value in counted:
            derived.append(f"{norm(surface)} = {counted[value]}")
            continue
        if not ok:
            flag(f"siffra: {norm(surface)}")

    for f in find_pii(body):
        if f.kind == "namn" and norm(f.text) not in src_norm:
            flag(f"namn: {f.text}")
        elif f.kind != "namn" and re.sub(r"\D", "", f.text) not in re.sub(r"\D", "", src_norm):
            flag(f"{f.kind}: {f.text}")

    for m in QUOTE.finditer(body):
        q = norm(m.group(1)).rstrip("…").strip()
        if q and q not in src_norm:
            short = q if len(q) <= 60 else q[:57] + "…"
            flag(f"citat: »{short}«")

    decision = DECISION.search(body)
    if decision and not _DECISION_SUPPORT.search(src_norm):
        start = max(0, body.rfind(".", 0, decision.start()) + 1)
        end = body.find(".", decision.end())
        sentence = norm(body[start : end if end != -1 else len(body)])
        flag(f"beslut: {sentence[:80]}")

    kinds = sorted({f.kind for f in find_pii(body)})
    return Grounding(supported=not bad, unsupported=bad, pii=kinds, derived=list(dict.fromkeys(derived)))


def _fmt(value: str) -> str:
    return value.replace(".", ",")


def _differences(sources: list[str]) -> dict[tuple[str, str], str]:
    """(difference, unit class) -> "a − b" for every two numbers with a unit in one source text."""
    out: dict[tuple[str, str], str] = {}
    for t in sources:
        found = [(float(v), v, u) for _s, v, u in numbers(t) if u]
        for i, (a, av, au) in enumerate(found):
            for b, bv, bu in found[i + 1:]:
                if au != bu or a == b:
                    continue
                hi, lo = (av, bv) if a > b else (bv, av)
                d = round(abs(a - b), 2)
                key = f"{d:g}"
                sym = "%" if au == "%" else au
                out.setdefault((key, au), f"{_fmt(hi)} {sym} − {_fmt(lo)} {sym}")
        # "från 40 till 32" (no unit): the difference of the pair; "18 av 24": the share in percent
        for m in _FROM_TO_PLAIN.finditer(t):
            a, b = float(m.group(1).replace(",", ".")), float(m.group(2).replace(",", "."))
            if a != b:
                out.setdefault((f"{round(abs(a - b), 2):g}", ""), f"{_fmt(m.group(1))} − {_fmt(m.group(2))}"
                               if a > b else f"{_fmt(m.group(2))} − {_fmt(m.group(1))}")
        for m in _SHARE.finditer(t):
            a, b = int(m.group(1)), int(m.group(2))
            if 0 < b and a <= b:
                out.setdefault((f"{round(100 * a / b)}", "%"), f"{a} av {b}")
    return out


_FROM_TO_PLAIN = re.compile(r"\bfrån\s+(\d+(?:[.,]\d+)?)\s+till\s+(\d+(?:[.,]\d+)?)\b(?!\s?(?:%|procent|tkr|kr))",
                            re.IGNORECASE)
_SHARE = re.compile(r"\b(\d+)\s+av\s+(\d+)\b")


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def _numbers_by_sentence(text: str):
    """(surface, value, unit, counts of that sentence) for every number of the text."""
    for sentence in _SENTENCE_SPLIT.split(text):
        counted = _counts(sentence)
        for surface, value, unit in numbers(strip_citations(sentence)):
            yield surface, value, unit, counted


def _counts(text: str) -> dict[str, str]:
    """value -> how, for counts of cited passages: a citation group of that many passages in the
    same sentence, or that many passages cited in the sentence as a whole."""
    out: dict[str, str] = {}
    for sentence in _SENTENCE_SPLIT.split(text):
        groups = [PID.findall(m.group(1)) for m in CITE_GROUP.finditer(sentence)]
        if not groups:
            continue
        sizes = {len(set(g)) for g in groups}
        total = len({pid for g in groups for pid in g})
        sizes.add(total)
        for n in sizes:
            out.setdefault(str(n), f"{n} citerade rader")
    return out
