"""Warm latency of extractive drafts (all four sections) on the sample corpus with e5.

    .venv/bin/python benchmarks/draft_latency.py            # 40 drafts, temporary index
    .venv/bin/python benchmarks/draft_latency.py --n 60 --index-dir /tmp/kvalitet-bench
    .venv/bin/python benchmarks/draft_latency.py --spin --embed-threads 2   # library defaults

Builds (or reuses) an index of corpus/ with the real e5 embedder, warms the drafter up (model,
BM25, vocabulary), then times `Drafter.draft` for varied activities, cycling through the list.
Prints p50 / p95 / max in milliseconds against the target (warm p95 < 500 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# OpenMP worker threads spin after their work by default; on a small shared machine that stalls
# the embedder's own threads (measured: query embedding 30 ms alone, 300+ ms right after BM25).
# --spin keeps the library default, to measure it.
if "--spin" not in sys.argv:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kvalitet.settings import Settings  # noqa: E402
from kvalitet.container import Services  # noqa: E402
from kvalitet.domain.types import DraftRequest  # noqa: E402

TARGET_MS = 500.0

ACTIVITIES = [
    ("Minska den upprepade och långa frånvaron i årskurs 7–9", "Vi har infört en närvarotrappa."),
    ("Införa en gemensam digital plattform för lärare och elever", "Upphandlingen är klar."),
    ("Stärka elevhälsans förebyggande och hälsofrämjande arbete", None),
    ("Utveckla matematikundervisningen i förskoleklass och lågstadiet", "Kollegialt lärande varje månad."),
    ("Förbättra arbetet med att anmäla och motverka kränkande behandling", None),
    ("Utveckla studie- och yrkesvägledningen och PRAO i grundskolan", None),
    ("Följa upp och utveckla mottagandet av nyanlända elever", "Fler elever kommer mitt i terminen."),
    ("Utveckla introduktionen för nyanställda lärare", "Mentorer saknas."),
    ("Öka tryggheten och studieron i klassrummen", None),
    ("Förbättra strukturen för uppföljning av vuxenutbildningen", None),
    ("Utveckla arbetet med extra anpassningar och särskilt stöd", "Elevhälsoteamet har nya rutiner."),
    ("Ta fram en strategi för likvärdig tillgång till digitala verktyg", None),
    ("Stärka rektors pedagogiska ledarskap genom professionsnätverk", None),
    ("Öka andelen elever som är behöriga till gymnasieskolans nationella program", None),
    ("Utveckla samarbetet med socialtjänsten kring barn i riskzonen", None),
    ("Förbättra pojkarnas kunskapsresultat i matematik på högstadiet", "Resultaten sjönk förra året."),
    ("Säkerställa planeringstid för lärare i fritidshemmet", None),
    ("Utveckla undervisningen i svenska som andraspråk", None),
    ("Införa ett nytt verksamhetssystem för elevhälsans dokumentation", None),
    ("Minska sjukfrånvaron bland medarbetarna", None),
    ("Utveckla övergången mellan förskola och förskoleklass", None),
    ("Förbättra kommunikationen med vårdnadshavare", "Många vårdnadshavare når inte informationen."),
    ("Utveckla arbetet med hållbar utveckling och klimatsmart undervisning", None),
    ("Följa upp effekterna av lågstadiesatsningen och garantin för tidiga stödinsatser", None),
    ("Utveckla uppföljningen av ekonomi för nya budgetansvariga", None),
    ("Stärka arbetet mot segregation och utanförskap", None),
    ("Förbättra genomströmningen på SFI", None),
    ("Utveckla bemanningsstödet i förskolan", None),
    ("Införa digitala nationella prov", "Tekniken behöver testas i alla skolor."),
    ("Utveckla processbeskrivningar i verktyget 2c8", None),
    ("Öka elevernas närvaro genom bättre mellanrumssituationer", None),
    ("Utveckla samverkan med universitet och högskola", None),
]


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="timed drafts (at least 30)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--index-dir", type=Path, default=None, help="reuse or build the index here")
    ap.add_argument("--embed-threads", type=int, default=None, help="KVALITET_EMBED_THREADS for this run")
    ap.add_argument("--spin", action="store_true", help="keep OpenMP's default (spinning) wait policy")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    n = max(30, args.n)

    tmp = None
    index_dir = args.index_dir
    if index_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="kvalitet-bench-")
        index_dir = Path(tmp.name) / "index"
    overrides = {"embed_threads": args.embed_threads} if args.embed_threads else {}
    settings = Settings(index_dir=index_dir, corpus_dir=REPO / "corpus", embedder="e5", **overrides)
    svc = Services(settings)
    t0 = time.perf_counter()
    svc.ingest()
    ingest_s = time.perf_counter() - t0

    def request(i: int) -> DraftRequest:
        activity, notes = ACTIVITIES[i % len(ACTIVITIES)]
        return DraftRequest(activity=activity, notes=notes, status="Pågående")

    t0 = time.perf_counter()
    svc.drafter.draft(request(0))
    cold_ms = (time.perf_counter() - t0) * 1000
    for i in range(1, args.warmup):
        svc.drafter.draft(request(i))
    times, suggestions, unsupported = [], 0, 0
    for i in range(n):
        req = request(i)
        t0 = time.perf_counter()
        d = svc.drafter.draft(req)
        times.append((time.perf_counter() - t0) * 1000)
        for sec in d.sections:
            suggestions += len(sec.suggestions)
            unsupported += sum(1 for s in sec.suggestions if not s.grounding.supported)
    n_passages = len(svc.index.snapshot().ordered)
    svc.close()
    if tmp is not None:
        tmp.cleanup()

    result = {
        "drafts": n, "sections": 4, "passages": n_passages, "ingest_s": round(ingest_s, 1),
        "cold_ms": round(cold_ms, 1), "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(max(times), 1),
        "mean_ms": round(statistics.fmean(times), 1), "suggestions": suggestions,
        "unsupported": unsupported, "target_p95_ms": TARGET_MS, "embed_threads": settings.embed_threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(default)"), "load_avg": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Extractive drafts, 4 sections, sample corpus ({result['passages']} passages, e5), "
              f"{n} warm drafts of {len(ACTIVITIES)} activities")
        print(f"  cold first draft {result['cold_ms']} ms (index built in {result['ingest_s']} s)")
        print(f"  warm p50 {result['p50_ms']} ms   p95 {result['p95_ms']} ms   max {result['max_ms']} ms   "
              f"mean {result['mean_ms']} ms")
        print(f"  {suggestions} suggestions, {unsupported} failing the grounding check")
        print(f"  embed_threads={result['embed_threads']} OMP_WAIT_POLICY={result['omp_wait_policy']} "
              f"load average at the end {result['load_avg']:.1f} on {os.cpu_count()} cores")
        print(f"  target warm p95 < {TARGET_MS:.0f} ms: {'OK' if result['p95_ms'] < TARGET_MS else 'MISSED'}")
    return 0 if result["p95_ms"] < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
