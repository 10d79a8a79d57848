"""`make bench`: one table for the README.

For 10k and 100k synthetic passages, embedded Chroma and a Chroma server, our pipeline beside a
plain baseline (fixed-size chunks + Chroma similarity search, as a LangChain tutorial does it),
all measured in this one run. Each configuration runs in its own process (its own peak memory;
the Chroma server's memory is reported separately). Vectors for the large indexes come from the
deterministic hash embedder; e5's real throughput and our ingest rate with e5 are measured on a
2,000-passage sample (benchmarks/retrieval_bench.py measures more of it).

    python benchmarks/run_all.py [--sizes 10000,100000] [--out bench-results/scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from benchmarks.synthetic import generate  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def start_chroma(work: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    proc = subprocess.Popen([exe, "run", "--path", str(work / "chroma-server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("chroma run did not start")


def e5_sample(work: Path, n: int = 2000) -> dict:
    code = f"""
import json, time, sys
sys.path.insert(0, {str(REPO)!r})
from benchmarks.synthetic import generate
from kvalitet.settings import Settings
from kvalitet.container import Services
from kvalitet.adapters.embedders import E5Embedder
from kvalitet.ingest.pipeline import collect_files, read_and_parse, to_passages
from pathlib import Path
d = Path({str(work / 'e5-sample')!r}); generate(d, {n}, seed=5)
s = Settings(index_dir=d.parent / 'e5-idx', corpus_dir=d, embedder='e5')
texts = []
for f in collect_files([d])[0]:
    parsed, _ = read_and_parse(f, f.name, s); texts += [p.index_text for p in to_passages(f.name, parsed)]
e = E5Embedder(threads=s.embed_threads); e.embed_passages(texts[:32])
t = time.perf_counter(); e.embed_passages(texts); emb = len(texts) / (time.perf_counter() - t)
svc = Services(s); t = time.perf_counter(); r = svc.ingest(); ing = r.passages / (time.perf_counter() - t)
print(json.dumps({{"e5_embed_per_s": round(emb, 1), "e5_ingest_per_s": round(ing, 1), "ratio": round(ing / emb, 3)}}))
"""
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--out", type=Path, default=REPO / "bench-results" / "scale.json")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kvalitet-scale-"))
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "KVALITET_LOG_LEVEL": "WARNING"}
    rows = []
    chroma, port = start_chroma(work)
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            corpus = work / f"corpus-{size}"
            generate(corpus, size, seed=23)
            for system in ("baseline", "kvalitet"):
                for mode in ("embedded", "server"):
                    cmd = [sys.executable, str(REPO / "benchmarks/scale_bench.py"), "--system", system, "--mode", mode,
                           "--size", str(size), "--corpus", str(corpus), "--work", str(work / f"{system}-{mode}-{size}"),
                           "--chroma-port", str(port)]
                    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
                    if res.returncode != 0:
                        raise RuntimeError(res.stderr[-3000:])
                    row = json.loads(res.stdout.strip().splitlines()[-1])
                    if mode == "server":
                        row["chroma_server_peak_mb"] = round(rss_mb(chroma.pid))
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr)
        sample = e5_sample(work)
    finally:
        chroma.terminate()
    table = ["| system | Chroma | passages | ingest passages/s | search p50 / p95 ms | draft p50 / p95 ms | peak memory MB |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        mem = f"{r['peak_rss_mb']}" + (f" (+ server {r['chroma_server_peak_mb']})" if "chroma_server_peak_mb" in r else "")
        table.append(f"| {r['system']} | {r['mode']} | {r['passages']:,} | {r['ingest_per_s']:,} | "
                     f"{r['search_ms']['p50']} / {r['search_ms']['p95']} | {r['draft_ms']['p50']} / {r['draft_ms']['p95']} | {mem} |")
    text = "\n".join(table) + (
        f"\n\ne5 on a 2,000-passage sample: the embedder alone {sample['e5_embed_per_s']} passages/s, our ingest "
        f"{sample['e5_ingest_per_s']} passages/s ({sample['ratio']:.0%} of the embedder)."
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "e5_sample": sample}, indent=2), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
