"""One configuration of the scale benchmark, run in its own process so that its peak memory
is its own. Prints one JSON object.

    python benchmarks/scale_bench.py --system kvalitet|baseline --mode embedded|server --size N

- kvalitet: our pipeline (parse into records, SQL catalog, Chroma, BM25, hybrid RRF search,
  extractive drafts of four sections).
- baseline: what a LangChain tutorial does: the documents cut into fixed-size 1,000-character
  chunks with 200 characters overlap, Chroma similarity search alone; its "draft" is the four
  similarity searches that would fill an LLM prompt (no LLM here).
Vectors come from the deterministic hash embedder (384 dimensions) in both, so both pay the
same for embeddings; e5's real throughput is measured separately on a sample by run_all.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from benchmarks.common import peak_mb, pct  # noqa: E402

QUERIES = [
    "minska frånvaron i grundskolan", "digital plattform för lärare", "elevhälsans förebyggande arbete",
    "kostnad för matematiksatsning", "risker med kompetensförsörjning", "samverkan med socialtjänsten",
    "nyanlända elevers mottagande", "lokalförsörjning och nya skolor", "arbetsmiljö för chefer",
    "uppföljning av kvalitetsarbetet", "trygghet och studiero", "rekrytering av lärare",
]
ACTIVITIES = [
    "Minska den upprepade frånvaron i grundskolan", "Införa en gemensam digital lärplattform",
    "Stärka elevhälsans förebyggande arbete", "Utveckla mottagandet av nyanlända elever",
    "Förbättra arbetsmiljön för rektorer", "Öka måluppfyllelsen i matematik",
]
# The principal's notes as they write them (numbers read and compared, judgements placed): a draft
# with notes runs the whole path of issue 16.
NOTES = [
    "Andelen elever med mer än 10 % frånvaro har minskat från 14 % till 11 %. Närvarotrappan fungerar bra men "
    "mentorerna hinner inte ringa hem i tid.",
    "Alla lärare har gått grundutbildningen. Vi är oroliga att elevdatorerna inte räcker.",
    None,
    "Sju nyanlända elever kom mitt i terminen.",
    "18 av 24 rektorer har deltagit i handledningen.",
    "Andelen elever med godkänt i matematik har ökat från 78 % till 83 %.",
]


def stats(ms: list[float]) -> dict:
    return {"p50": round(pct(ms, 50), 1), "p95": round(pct(ms, 95), 1), "n": len(ms)}


def chunks(text: str, size: int = 1000, overlap: int = 200) -> list[str]:
    out, i = [], 0
    while i < len(text):
        out.append(text[i : i + size])
        i += size - overlap
    return out


def run_kvalitet(args, corpus: Path, work: Path) -> dict:
    from kvalitet.settings import Settings
    from kvalitet.container import Services
    from kvalitet.domain.types import DraftRequest

    kw = {}
    if args.mode == "server":
        kw = {"chroma_host": args.chroma_host, "chroma_port": args.chroma_port}
    svc = Services(Settings(index_dir=work / "idx", corpus_dir=corpus, embedder="hash",
                            collection=f"bench_k_{args.size}", **kw))
    t = time.perf_counter()
    r = svc.ingest()
    ingest_s = time.perf_counter() - t
    for q in QUERIES[:3]:
        svc.retriever.search(q, k=10)
    lat = []
    for _ in range(5):
        for q in QUERIES:
            t = time.perf_counter()
            svc.retriever.search(q, k=10)
            lat.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    svc.drafter.draft(DraftRequest(activity="Uppvärmning"))  # builds the per-version vocabulary
    first_draft_ms = (time.perf_counter() - t) * 1000
    drafts = []
    for _ in range(3):
        for a, n in zip(ACTIVITIES, NOTES, strict=True):
            t = time.perf_counter()
            svc.drafter.draft(DraftRequest(activity=a, notes=n))
            drafts.append((time.perf_counter() - t) * 1000)
    svc.close()
    return {"passages": r.passages, "ingest_s": round(ingest_s, 1),
            "ingest_per_s": round(r.passages / ingest_s, 1), "search_ms": stats(lat), "draft_ms": stats(drafts),
            "first_draft_ms": round(first_draft_ms)}


def run_baseline(args, corpus: Path, work: Path) -> dict:
    import chromadb
    from chromadb.config import Settings as CS

    from kvalitet.adapters.embedders import HashEmbedder

    emb = HashEmbedder()
    cs = CS(anonymized_telemetry=False)
    client = (chromadb.HttpClient(host=args.chroma_host, port=args.chroma_port, settings=cs) if args.mode == "server"
              else chromadb.PersistentClient(path=str(work / "chroma"), settings=cs))
    name = f"bench_b_{args.size}"
    try:
        client.delete_collection(name)
    except Exception:
        pass
    col = client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
    t = time.perf_counter()
    texts, ids = [], []
    for f in sorted(corpus.glob("*.txt")):
        for i, c in enumerate(chunks(f.read_text(encoding="utf-8"))):
            texts.append(c)
            ids.append(f"{f.name}:{i}")
    for i in range(0, len(texts), 2000):
        col.add(ids=ids[i : i + 2000], documents=texts[i : i + 2000],
                embeddings=emb.embed_passages(texts[i : i + 2000]).tolist())
    ingest_s = time.perf_counter() - t
    lat = []
    for _ in range(5):
        for q in QUERIES:
            t = time.perf_counter()
            col.query(query_embeddings=[emb.embed_query(q).tolist()], n_results=10)
            lat.append((time.perf_counter() - t) * 1000)
    drafts = []
    for _ in range(3):
        for a in ACTIVITIES:
            t = time.perf_counter()
            for section in ("uppföljning", "analys", "risker", "kostnader"):
                col.query(query_embeddings=[emb.embed_query(f"{a} {section}").tolist()], n_results=4)
            drafts.append((time.perf_counter() - t) * 1000)
    return {"passages": len(texts), "ingest_s": round(ingest_s, 1), "ingest_per_s": round(len(texts) / ingest_s, 1),
            "search_ms": stats(lat), "draft_ms": stats(drafts)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", choices=["kvalitet", "baseline"], required=True)
    ap.add_argument("--mode", choices=["embedded", "server"], default="embedded")
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--chroma-host", default="127.0.0.1")
    ap.add_argument("--chroma-port", type=int, default=0)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    run = run_kvalitet if args.system == "kvalitet" else run_baseline
    out = run(args, args.corpus, args.work)
    out.update({"system": args.system, "mode": args.mode, "size": args.size, "peak_rss_mb": round(peak_mb())})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
