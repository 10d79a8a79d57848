"""Retrieval evaluation on a gold set: success@1/@5, MRR@10, nDCG@10 and no-answer precision.

A gold item is {"query", "relevant": [substrings]}; an item with "relevant": [] has no answer in
the corpus (the right answer is "Inga träffar"). A hit is relevant when its text contains one of
the substrings (whitespace and case ignored).

`cross_validate` chooses every weight and threshold of the search (RankParams: dense weight,
boosts, relevance floor) on k-1 folds and scores the held-out fold, so the reported figures are
never those of the data the settings were tuned on. `today` scores the ranking as it was before
(the current settings: dense weight 1.5, no reading of the question, no accent expansion, no
floor); `baseline` the naive 1,000-character-chunk BM25 + e5 (kvalitet/ops/baseline.py).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any, Sequence

from kvalitet.search.retriever import Candidates, Mode, RankParams

MODES = ("bm25", "dense", "hybrid")
K = 10

# The grid cross-validation searches. Ranking first (on the answerable questions), then the floor.
GRID_RANKING = {
    "dense_weight": (1.0, 1.5, 2.0, 3.0),
    "kind_boost": (0.0, 0.5, 1.0, 2.0),
    "year_boost": (0.0, 1.0, 3.0),
    "meta_boost": (0.0, 1.0),
    "doc_boost": (0.0, 1.0),
}
GRID_FLOOR = [(None, None)] + [
    (c, d) for c in (None, 0.3, 0.5, 0.7) for d in (0.80, 0.82, 0.84, 0.86)
]
TODAY = RankParams(dense_weight=1.5)  # the settings before question understanding and the floor


def load_gold(data) -> list[dict]:
    """Gold items from either format: a list of {query, relevant, tags?, split?}, or the
    kommuner corpus's {"questions": [{question, answers: [{file, contains}], no_answer, split}]}."""
    if isinstance(data, dict) and "questions" in data:
        return [
            {"query": q["question"], "relevant": [] if q.get("no_answer") else [a["contains"] for a in q["answers"]],
             "tags": ["no-answer"] if q.get("no_answer") else [], "split": q.get("split", "tune"), "id": q.get("id")}
            for q in data["questions"]
        ]
    return list(data)


def _relevant(text: str, needles: list[str]) -> bool:
    t = " ".join(text.lower().split())
    return any(" ".join(n.lower().split()) in t for n in needles)


def scores(rel: list[bool] | None, k: int = K) -> dict[str, float]:
    """Per-question figures from the relevance of the hits in rank order (None or []: no hits)."""
    rel = list(rel or [])[:k]
    first = next((i for i, r in enumerate(rel) if r), None)
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(rel) if r)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(max(1, min(k, sum(rel)))))
    return {
        "success@1": float(bool(rel[:1] and rel[0])), "success@5": float(any(rel[:5])),
        "mrr@10": 1.0 / (first + 1) if first is not None else 0.0, "ndcg@10": dcg / idcg if idcg else 0.0,
    }


def summarise(gold: list[dict], results: Sequence[list[bool] | None]) -> dict:
    """Mean figures over the answerable questions; no-answer precision and recall: of the
    questions answered with no hits, how many had no answer; of those with no answer, how many
    were answered with no hits (None when the system never answers "no hits")."""
    answerable = [(g, r) for g, r in zip(gold, results, strict=True) if g["relevant"]]
    sums = {m: 0.0 for m in ("success@1", "success@5", "mrr@10", "ndcg@10")}
    misses = []
    for g, r in answerable:
        s = scores(r)
        for m in sums:
            sums[m] += s[m]
        if not s["success@5"]:
            misses.append(g["query"])
    n = max(1, len(answerable))
    out: dict[str, Any] = {m: v / n for m, v in sums.items()}
    empty = [g for g, r in zip(gold, results, strict=True) if not r]
    no_answer = [g for g in gold if not g["relevant"]]
    right = sum(1 for g in empty if not g["relevant"])
    out["no_answer_precision"] = right / len(empty) if empty else None
    out["no_answer_recall"] = right / len(no_answer) if no_answer else None
    out["answerable"] = len(answerable)
    out["no_answer"] = len(no_answer)
    out["misses@5"] = misses
    return out


def evaluate(retriever, gold: list[dict], k: int = K, modes=MODES) -> dict:
    """Per mode, the ranking without reading the question and without floor (Retriever.search)
    over the answerable questions."""
    gold = [g for g in gold if g["relevant"]]
    out: dict[str, dict] = {}
    for mode in modes:
        res = [[_relevant(h.passage.text, g["relevant"]) for h in retriever.search(g["query"], k=k, mode=mode)]
               for g in gold]
        out[mode] = summarise(gold, res)
        out[mode]["queries"] = len(gold)
    return out


@dataclass
class Prepared:
    """One question's candidates, computed once and ranked under many settings."""

    item: dict
    candidates: Candidates
    literal: Candidates  # the candidates as today's search makes them


def prepare(retriever, gold: list[dict], mode: Mode = "hybrid") -> list[Prepared]:
    snap = retriever.index.snapshot()
    out = []
    for g in gold:
        q = g["query"]
        u = retriever.understand(q, snap)
        from kvalitet.search.understanding import Understood

        c = retriever.candidates(q, None, mode, u)
        lit = retriever.candidates(q, None, mode, Understood(), expand=False, strip=False)
        out.append(Prepared(g, c, lit))
    return out


class Runs:
    """Per-question results of the prepared questions under one RankParams, computed once
    and shared by every fold (a question's hits do not depend on the fold)."""

    def __init__(self, retriever, prepared: list[Prepared], mode: Mode = "hybrid"):
        self.retriever = retriever
        self.prepared = prepared
        self.mode = mode
        self.snap = retriever.index.snapshot()
        self._cache: dict[tuple, list[list[bool]]] = {}

    def results(self, p: RankParams, literal: bool = False) -> list[list[bool]]:
        key = (tuple(sorted(p.__dict__.items())), literal)
        if key not in self._cache:
            from kvalitet.search.retriever import select

            out = []
            for pr in self.prepared:
                c = pr.literal if literal else pr.candidates
                chosen, _ = select(c, p, self.mode, K, self.snap, dedupe=not literal)
                out.append([_relevant(self.snap.passages[pid].text, pr.item["relevant"]) for pid, *_ in chosen])
            self._cache[key] = out
        return self._cache[key]

    def objective(self, p: RankParams, rows: list[int]) -> float:
        """What tuning maximises over `rows`: reciprocal rank on answerable questions, 1 for a
        no-answer question answered with no hits (each question counts once)."""
        res = self.results(p)
        total = 0.0
        for i in rows:
            g = self.prepared[i].item
            total += scores(res[i])["mrr@10"] if g["relevant"] else float(not res[i])
        return total / max(1, len(rows))


def tune(runs: Runs, rows: list[int]) -> RankParams:
    """The RankParams that maximise the objective on the questions `rows`: the ranking grid
    on the answerable ones without a floor, then the floor grid with that ranking. Ties keep
    the first (smaller weights, no floor)."""
    answerable = [i for i in rows if runs.prepared[i].item["relevant"]]
    best, best_v = None, -1.0
    keys = list(GRID_RANKING)
    for values in itertools.product(*(GRID_RANKING[k] for k in keys)):
        grid_point: dict[str, Any] = dict(zip(keys, values, strict=True))
        p = RankParams(**grid_point)
        v = runs.objective(p, answerable)
        if v > best_v + 1e-9:
            best, best_v = p, v
    assert best is not None
    chosen, chosen_v = best, -1.0
    for cov, dense in GRID_FLOOR:
        p = RankParams(**{**best.__dict__, "floor_coverage": cov, "floor_dense": dense})
        v = runs.objective(p, rows)
        if v > chosen_v + 1e-9:
            chosen, chosen_v = p, v
    return chosen


def folds_of(gold: list[dict], k: int = 5, seed: int = 7) -> list[int]:
    """The fold of each question: a seeded shuffle dealt round-robin (no-answer questions
    spread over the folds like the rest)."""
    order = list(range(len(gold)))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda i: bool(gold[i]["relevant"]))  # stable: no-answer first, then dealt
    fold = [0] * len(gold)
    for j, i in enumerate(order):
        fold[i] = j % k
    return fold


def cross_validate(retriever, gold: list[dict], k: int = 5, seed: int = 7, mode: Mode = "hybrid") -> dict:
    """k-fold cross-validation over the questions that may be tuned on: settings tuned on k-1
    folds, figures from the held-out fold (each question scored once, by settings that never
    saw it). Questions marked "split": "heldout" are never tuned on: they are scored once, by
    the settings tuned on all the others ("heldout"). Also the settings tuned on all tunable
    questions (what the service should ship), today's ranking and the per-fold choices."""
    runs = Runs(retriever, prepare(retriever, gold, mode), mode)
    tunable = [i for i, g in enumerate(gold) if g.get("split", "tune") != "heldout"]
    heldout = [i for i, g in enumerate(gold) if g.get("split", "tune") == "heldout"]
    fold = folds_of([gold[i] for i in tunable], k, seed)
    held: list[list[bool] | None] = [None] * len(tunable)
    chosen = []
    for f in range(k):
        p = tune(runs, [i for i, x in zip(tunable, fold, strict=True) if x != f])
        chosen.append({kk: v for kk, v in p.__dict__.items() if kk != "rrf_k"})
        res = runs.results(p)
        for j, (i, x) in enumerate(zip(tunable, fold, strict=True)):
            if x == f:
                held[j] = res[i]
    final = tune(runs, tunable)
    today = runs.results(TODAY, literal=True)
    out = {
        "cross_validated": summarise([gold[i] for i in tunable], held),
        "today": summarise([gold[i] for i in tunable], [today[i] for i in tunable]),
        "chosen_per_fold": chosen,
        "tuned_on_all": {kk: v for kk, v in final.__dict__.items() if kk != "rrf_k"},
        "folds": k,
    }
    if heldout:
        res = runs.results(final)
        out["heldout"] = summarise([gold[i] for i in heldout], [res[i] for i in heldout])
        out["heldout_today"] = summarise([gold[i] for i in heldout], [today[i] for i in heldout])
    return out


def evaluate_baseline(baseline, gold: list[dict]) -> dict:
    """The naive chunk baseline's figures (it never answers "no hits")."""
    return summarise(gold, [[_relevant(c.text, g["relevant"]) for c in baseline.search(g["query"], K)] for g in gold])


def split(gold: list[dict], which: str) -> list[dict]:
    """The items of one split ("tune" or "heldout"; items without one are "tune")."""
    return [g for g in gold if g.get("split", "tune") == which]


def format_table(results: dict) -> str:
    """Markdown table of {name: figures}."""
    def f(v):
        return "—" if v is None else f"{v:.3f}"

    lines = ["| ranking | success@1 | success@5 | MRR@10 | nDCG@10 | no-answer precision | no-answer recall |",
             "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(
            f"| {name} | {f(r['success@1'])} | {f(r['success@5'])} | {f(r['mrr@10'])} | {f(r['ndcg@10'])} | "
            f"{f(r.get('no_answer_precision'))} | {f(r.get('no_answer_recall'))} |"
        )
    return "\n".join(lines)
