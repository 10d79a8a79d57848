"""Retrieval evaluation on a gold set: success@1/@5, MRR@10, nDCG@10 per mode."""

from __future__ import annotations

import math

MODES = ("bm25", "dense", "hybrid")


def _relevant(text: str, needles: list[str]) -> bool:
    t = " ".join(text.lower().split())
    return any(" ".join(n.lower().split()) in t for n in needles)


def evaluate(retriever, gold: list[dict], k: int = 10, modes=MODES) -> dict:
    out: dict[str, dict] = {}
    for mode in modes:
        s1 = s5 = mrr = ndcg = 0.0
        misses = []
        for item in gold:
            hits = retriever.search(item["query"], k=k, mode=mode)
            rel = [_relevant(h.passage.text, item["relevant"]) for h in hits]
            if rel[:1] and rel[0]:
                s1 += 1
            if any(rel[:5]):
                s5 += 1
            else:
                misses.append(item["query"])
            first = next((i for i, r in enumerate(rel) if r), None)
            if first is not None:
                mrr += 1.0 / (first + 1)
            dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(rel) if r)
            n_rel = max(1, min(k, sum(rel)))
            idcg = sum(1.0 / math.log2(i + 2) for i in range(n_rel))
            ndcg += dcg / idcg if idcg else 0.0
        n = max(1, len(gold))
        out[mode] = {
            "success@1": s1 / n, "success@5": s5 / n, "mrr@10": mrr / n, "ndcg@10": ndcg / n,
            "queries": len(gold), "misses@5": misses,
        }
    return out


def format_table(results: dict) -> str:
    lines = ["| mode | success@1 | success@5 | MRR@10 | nDCG@10 |", "|---|---|---|---|---|"]
    for mode, r in results.items():
        lines.append(
            f"| {mode} | {r['success@1']:.3f} | {r['success@5']:.3f} | {r['mrr@10']:.3f} | {r['ndcg@10']:.3f} |"
        )
    return "\n".join(lines)
