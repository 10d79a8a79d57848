"""What a search as asked adds to its dense search, in CPU time, on the 100k index of bench_100k.py.

    nice python benchmarks/search_overhead.py --work DIR [--rounds 2] [--out FILE]

DIR is the --work directory of `bench_100k.py --build bulk` (its index is reused, not rebuilt).
Each gold question's e5 query vector is computed once and reused, so the e5 embedding (the
larger and, on a loaded machine, the noisiest part of the floor) is left out of both sides. Per
question: the process CPU time of `Retriever.run` minus that of the dense search alone
(`VectorStore.query` of the same number of candidates), timed one after the other. CPU time
is far less at the mercy of other processes than wall time on the shared 2 cores; the ratio of
issue 15 is bench_100k.py's. Reported for all questions and for those whose year the search
reads (a second, year-filtered ranking).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import E5QueryEmbedder, pct  # noqa: E402


def stats(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"p50": round(xs[len(xs) // 2], 1), "p95": round(pct(xs, 95), 1), "n": len(xs)} if xs else {"n": 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True, help="bench_100k.py's --work directory")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    from kvalitet.adapters.embedders import E5Embedder
    from kvalitet.container import Services
    from kvalitet.settings import Settings

    settings = Settings(index_dir=args.work / "index", corpus_dir=args.work / "corpus", embedder="hash",
                        collection="bench_100k")
    e5 = E5Embedder(threads=settings.embed_threads, batch_size=settings.embed_batch_size)
    svc = Services(settings)
    embedder = E5QueryEmbedder(svc.index.embedder, e5)
    vectors: dict[str, object] = {}
    embed = embedder.embed_query

    def cached(text: str):
        if text not in vectors:
            vectors[text] = embed(text)
        return vectors[text]

    embedder.embed_query = cached  # type: ignore[method-assign]
    svc.index._embedder = embedder
    retriever, store, n = svc.retriever, svc.index.vectors, settings.candidates
    gold = json.loads((REPO / "tests/data/gold_retrieval.json").read_text(encoding="utf-8"))
    queries = [g["query"] for g in gold]
    for q in queries:  # warm: the snapshot, the query vectors, per-year blocks, caches
        retriever.run(q, k=10)
    extra, extra_year, extra_other = [], [], []
    for _ in range(args.rounds):
        for q in queries:
            t = time.process_time()
            store.query(cached(q), n, None)
            floor = time.process_time() - t
            t = time.process_time()
            res = retriever.run(q, k=10)
            ms = (time.process_time() - t - floor) * 1000
            extra.append(ms)
            (extra_year if res.understood.years else extra_other).append(ms)
    out = {"what": "CPU ms of Retriever.run minus the dense search alone, e5 query vectors reused",
           "questions": len(queries), "rounds": args.rounds, "load": [round(x, 2) for x in os.getloadavg()],
           "all": stats(extra), "with_a_year": stats(extra_year), "others": stats(extra_other)}
    svc.close()
    text = json.dumps(out, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
