"""Drafting evaluation: `kvalitet eval drafting CASES.json` over the current index.

A case is a new activity as a principal writes it, with what a careful principal would cite:

    {"name": "franvaro_ak79", "split": "tune" | "heldout", "corpus": "sample" | "kommuner",
     "topic": "franvaro",                      # cases of different topics are unrelated
     "activity": "...", "goal": "...", "status": "...", "notes": "...", "sections": [...],
     "expected": ["substring", ...],           # passages that should be cited (recall)
     "acceptable": ["substring", ...],         # passages fine to cite (on topic)
     "wrong": ["substring", ...],              # passages wrong to cite (off topic)
     "note": "...", "label_note": "..."}       # optional: why a case moved split, why a label was widened

The cases run over one index of the sample corpus and both parts of tests/data/kommuner (the
split is of the cases, not of the documents): tune cases were read while building, heldout cases
were written before the code they measure and are run once, to report.

A substring labels a citation when it occurs in what the reader sees of it: the quoted sentences
(a page of another municipality's report speaks of many things; only the quote is cited), the
passage's activity, comment or title (case-insensitive, whitespace-normalised). Measured per case and in total:

* citation precision: on-topic citations / all citations, a citation being on topic when its
  passage matches `expected` or `acceptable` and not `wrong` (unlabelled citations count against);
* expected-evidence recall: `expected` substrings matched by some cited passage / all expected;
* notes placed once: note sentences found in exactly one section / all note sentences (a sentence
  in more than one section is a violation, counted);
* shared risk texts: risk texts (the quoted sentences) cited in the risk sections of two cases
  with different topics;
* grounding failures: suggestions whose grounding check failed;
* results cited: of the cases whose topic (activity and goal) has an indicator series with values
  in kvalitet.results (documents or Kolada; drafting/series.py chooses them the same way), how many
  drafts write a value of such a series: a document's value with its indicator row cited, or a
  Kolada value with "Källa: Kolada (RKA)";
* latency: wall time of each draft, p50 and p95 in ms.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kvalitet.domain.types import DraftRequest, Passage
from kvalitet.drafting.grounding import norm
from kvalitet.drafting.notes import place
from kvalitet.drafting.series import DraftSeries
from kvalitet.results.model import KOLADA_LABEL

if TYPE_CHECKING:
    from kvalitet.drafting import Drafter
    from kvalitet.search.retriever import Retriever


def _hay(p: Passage, quote: str | None = None) -> str:
    """What a reader sees of a citation: the quoted sentence (the whole text when no quote is
    given), with the passage's activity, comment and title."""
    return norm(" ".join(x for x in (quote or p.text, p.activity, p.comment, p.title) if x)).lower()


def _matches(p: Passage, needles: list[str], quote: str | None = None) -> list[str]:
    h = _hay(p, quote)
    return [n for n in needles if norm(n).lower() in h]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    xs = sorted(values)
    i = min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))
    return xs[i]


def _cites_a_value(series: DraftSeries, text: str, cited: set[str]) -> bool:
    """Whether `text` writes a value of the series with its source (see the module doc)."""
    hay = norm(text)
    for v in series.values:
        if norm(v.shown) not in hay:
            continue
        if v.passage is None and KOLADA_LABEL in hay:
            return True
        if v.passage is not None and v.passage.id in cited:
            return True
    return False


def run_case(drafter: Drafter, retriever: Retriever, case: dict) -> dict:
    """Draft one case with `drafter` and measure it, looking its citations up with `retriever`
    (see the module doc)."""
    fields = {k: case[k] for k in ("activity", "goal", "status", "notes", "sections") if case.get(k)}
    req = DraftRequest(**fields)
    t0 = time.perf_counter()
    draft = drafter.draft(req, generator="extractive")
    ms = (time.perf_counter() - t0) * 1000
    lookup = retriever.passage
    cited: dict[str, Passage] = {}
    quotes: dict[str, list[str]] = {}
    risk_ids: set[str] = set()
    texts: dict[str, str] = {}
    failures = []
    notices = {}
    for sec in draft.sections:
        texts[sec.kind] = "\n".join(s.text for s in sec.suggestions)
        if sec.notice:
            notices[sec.kind] = sec.notice
        for s in sec.suggestions:
            if not s.grounding.supported:
                failures.append({"section": sec.kind, "unsupported": s.grounding.unsupported})
            for c in s.citations:
                p = lookup(c.passage_id)
                if p is None:
                    continue
                cited[p.id] = p
                quotes.setdefault(p.id, []).append(c.quote)
                if sec.kind == "risker":
                    risk_ids.add(norm(c.quote).lower())
    expected, acceptable, wrong = case.get("expected", []), case.get("acceptable", []), case.get("wrong", [])
    on, off = [], []
    for p in cited.values():
        q = " ".join(quotes[p.id])
        if _matches(p, wrong, q):
            off.append({"id": p.id, "why": "wrong", "text": _hay(p, q)[:120]})
        elif _matches(p, expected, q) or _matches(p, acceptable, q):
            on.append(p.id)
        else:
            off.append({"id": p.id, "why": "unlabelled", "text": _hay(p, q)[:120]})
    found = {n for p in cited.values() for n in _matches(p, expected, " ".join(quotes[p.id]))}
    about = drafter.series_for(req)  # the series about the case's activity and goal
    everything = "\n".join(texts.values())
    series_cited = [s.name for s in about if _cites_a_value(s, everything, set(cited))]
    plan = place(case.get("notes"), None, list(req.sections))
    notes = [n.text for n in plan.sentences]
    placements = []
    for n in plan.sentences:
        keys = {norm(x).rstrip(".").lower()[:60] for x in (n.text, n.written())}
        where = [k for k, t in texts.items() if any(key in norm(t).lower() for key in keys)]
        placements.append({"note": n.text, "sections": where})
    return {
        "name": case["name"], "split": case.get("split", "tune"), "corpus": case.get("corpus", "sample"),
        "topic": case.get("topic", case["name"]), "ms": round(ms, 1),
        "citations": len(cited), "on_topic": len(on), "off_topic": off,
        "expected": len(expected), "expected_found": len(found), "missed": sorted(set(expected) - found),
        "notes": len(notes), "notes_once": sum(1 for x in placements if len(x["sections"]) == 1),
        "notes_repeated": [x for x in placements if len(x["sections"]) > 1],
        "notes_missing": [x["note"] for x in placements if not x["sections"]],
        "grounding_failures": failures, "risk_texts": sorted(risk_ids), "notices": notices,
        "series": [s.name for s in about], "series_cited": series_cited,
    }


def summarise(results: list[dict]) -> dict:
    cits = sum(r["citations"] for r in results)
    on = sum(r["on_topic"] for r in results)
    exp = sum(r["expected"] for r in results)
    found = sum(r["expected_found"] for r in results)
    notes = sum(r["notes"] for r in results)
    once = sum(r["notes_once"] for r in results)
    shared = []
    for i, a in enumerate(results):
        for b in results[i + 1:]:
            if a["topic"] == b["topic"]:
                continue
            common = sorted(set(a["risk_texts"]) & set(b["risk_texts"]))
            if common:
                shared.append({"cases": [a["name"], b["name"]], "texts": common})
    ms = [r["ms"] for r in results]
    return {
        "cases": len(results),
        "citation_precision": round(on / cits, 3) if cits else 1.0,
        "expected_recall": round(found / exp, 3) if exp else 1.0,
        "notes_placed_once": round(once / notes, 3) if notes else 1.0,
        "notes_in_more_than_one_section": sum(len(r["notes_repeated"]) for r in results),
        "shared_risk_texts": len(shared), "shared_risk_pairs": shared,
        "grounding_failures": sum(len(r["grounding_failures"]) for r in results),
        "cases_with_series": sum(1 for r in results if r["series"]),
        "cases_citing_series": sum(1 for r in results if r["series"] and r["series_cited"]),
        "p50_ms": round(statistics.median(ms), 1) if ms else 0.0, "p95_ms": round(_pct(ms, 0.95), 1),
    }


def evaluate(drafter: Drafter, retriever: Retriever, cases: list[dict], split: str | None = None,
             corpus: str | None = None) -> dict:
    """Run every case (of a split and corpus when given) after one warm-up draft; the summary
    per split and in total, and the per-case results."""
    chosen = [c for c in cases if (split is None or c.get("split", "tune") == split)
              and (corpus is None or c.get("corpus", "sample") == corpus)]
    if chosen:  # warm up: the vocabulary and the query embedder load once, not in the first case
        drafter.draft(DraftRequest(activity=chosen[0]["activity"], sections=["uppfoljning"]))
    results = [run_case(drafter, retriever, c) for c in chosen]
    out = {"total": summarise(results), "cases": results}
    for name in sorted({r["split"] for r in results}):
        out[name] = summarise([r for r in results if r["split"] == name])
    return out


def format_summary(out: dict) -> str:
    lines = ["| part | cases | precision | recall | notes once | notes >1 section | shared risks | "
             "grounding failures | results cited | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for part in [k for k in out if k not in ("cases",)]:
        s = out[part]
        lines.append(f"| {part} | {s['cases']} | {s['citation_precision']:.3f} | {s['expected_recall']:.3f} | "
                     f"{s['notes_placed_once']:.3f} | {s['notes_in_more_than_one_section']} | {s['shared_risk_texts']} | "
                     f"{s['grounding_failures']} | {s['cases_citing_series']}/{s['cases_with_series']} | "
                     f"{s['p50_ms']:.0f} | {s['p95_ms']:.0f} |")
    return "\n".join(lines)


def load_cases(path: Path) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    cases = data["cases"] if isinstance(data, dict) else data
    for c in cases:
        if "name" not in c or "activity" not in c:
            raise ValueError(f"a case needs name and activity: {c!r}"[:200])
    return cases


def relevance_examples(drafter: Drafter, cases: list[dict]) -> tuple[list, dict[str, int]]:
    """The labelled candidates of every case, for fitting the relevance model
    (drafting/relevance.py): the evidence the drafter gathers for all four sections, each
    passage once per case with the features the drafter computed, on topic when it matches the
    case's `expected` or `acceptable` labels and not `wrong` (matched on the whole passage, since
    no quote is chosen yet). Returns (examples, {case: number of expected labels}). Raises
    ValueError when the index's embedder is not a language model (no features to fit on)."""
    from kvalitet.drafting.relevance import Example

    if not drafter.finder.retriever.semantic:
        raise ValueError("the relevance model is fitted on an index built with a language-model embedder (e5)")
    examples: list[Example] = []
    expected_per_case: dict[str, int] = {}
    for case in cases:
        fields = {k: case[k] for k in ("activity", "goal", "status", "notes") if case.get(k)}
        req = DraftRequest(**fields)
        expected, good, wrong = case.get("expected", []), case.get("expected", []) + case.get("acceptable", []), case.get("wrong", [])
        expected_per_case[case["name"]] = len(expected)
        seen: set[str] = set()
        for ev in drafter.finder.gather(req, ["uppfoljning", "analys", "risker", "kostnader"]).values():
            for e in ev.items:
                if e.features is None or e.id in seen:
                    continue
                seen.add(e.id)
                on = bool(_matches(e.passage, good)) and not _matches(e.passage, wrong)
                examples.append(Example(x=dict(e.features), on_topic=on, case=case["name"],
                                        topic=case.get("topic", case["name"]),
                                        expected=frozenset(_matches(e.passage, expected))))
    return examples, expected_per_case
