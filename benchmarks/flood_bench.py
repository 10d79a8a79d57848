"""Flood benchmark: a signed-in user's latency while unauthenticated clients flood the API with
well-formed wrong tokens (issue 17, item 3).

    .venv/bin/python benchmarks/flood_bench.py [--flooders 32] [--seconds 20] [--repo PATH]
                                               [--failures-per-minute N] [--json]

It builds its own server: one sample document is ingested into a temporary folder (hash
embedder: the cost measured is authentication, not search), users are made, and the service
runs as a separate process (`kvalitet serve`, the code of --repo, default this checkout; point
it at an older checkout to measure that). Then, in two phases of --seconds each:

  quiet  the signed-in user alone: GET /api/reports with a valid Bearer token, one after another
  flood  the same, while --flooders clients (in 4 processes) send GET /api/me with wrong tokens
         as fast as they can: half with the token id of a real user and a wrong secret, half with
         an unknown token id

and prints p50/p95/max of the signed-in user's requests in each phase, how many flood requests
the server answered, and with which statuses (401, or 429 once an address is throttled).
--failures-per-minute sets KVALITET_AUTH_FAILURES_PER_MINUTE for the server (default: the
service's default; a very large number measures the keyed-hash check alone, without throttling).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
SAMPLE = "2019-uppfoljning-fjolarets-aktiviteter.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flooder(url: str, tokens: list[str], threads: int, seconds: float, out) -> None:
    """One process: `threads` clients sending wrong tokens for `seconds`; puts a Counter."""
    counts: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(n: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        local: Counter = Counter()
        with httpx.Client(base_url=url, timeout=30) as c:
            while time.monotonic() < deadline:
                try:
                    local[c.get("/api/me", headers=headers).status_code] += 1
                except httpx.HTTPError as exc:
                    local[type(exc).__name__] += 1
        with lock:
            counts.update(local)

    ts = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put(dict(counts))


def measure(url: str, token: str, seconds: float) -> list[float]:
    out: list[float] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
        while time.monotonic() < deadline:
            t = time.perf_counter()
            r = c.get("/api/reports")
            out.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"the signed-in user got {r.status_code}: {r.text[:300]}")
    return out


def summary(ms: list[float]) -> dict:
    s = sorted(ms)
    return {"n": len(s), "p50_ms": round(statistics.median(s), 1),
            "p95_ms": round(s[min(len(s) - 1, int(0.95 * len(s)))], 1), "max_ms": round(s[-1], 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flooders", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--repo", type=Path, default=REPO, help="the checkout whose code the server runs")
    ap.add_argument("--failures-per-minute", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    repo = args.repo.resolve()

    root = Path(tempfile.mkdtemp(prefix="kvalitet-flood-"))
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(REPO / "corpus" / SAMPLE, corpus)
    env = {**os.environ, "PYTHONPATH": str(repo), "KVALITET_INDEX_DIR": str(root / "index"),
           "KVALITET_CORPUS_DIR": str(corpus), "KVALITET_EMBEDDER": "hash", "KVALITET_LOG_LEVEL": "WARNING",
           "ANONYMIZED_TELEMETRY": "False"}
    if args.failures_per_minute is not None:
        env["KVALITET_AUTH_FAILURES_PER_MINUTE"] = str(args.failures_per_minute)
    cli = [sys.executable, "-c", "import sys; from kvalitet.cli import app; sys.exit(app())"]

    def run_cli(*a: str) -> str:
        return subprocess.run(cli + list(a), env=env, cwd=repo, check=True, capture_output=True, text=True).stdout

    run_cli("ingest")
    tokens = {}
    for name, role, unit in (("flood-rektor", "rektor", "Åbyskolan"), ("flood-granskare", "granskare", None)):
        out = run_cli("users", "add", name, "--role", role, *(["--unit", unit] if unit else []))
        tokens[name] = next(w for w in out.split() if w.startswith("kv_"))
    good = tokens["flood-rektor"]
    victim = tokens["flood-granskare"]
    wrong = [victim[:-4] + "AAAA", "kv_000000000000_" + "x" * 43]

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(root / "server.log", "w")
    proc = subprocess.Popen(cli + ["serve", "--port", str(port)], env=env, cwd=repo, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("server did not start:\n" + (root / "server.log").read_text()[-3000:])
            time.sleep(0.2)
        measure(url, good, 2.0)  # warm up
        quiet = measure(url, good, args.seconds)

        procs_n = 4
        per = [args.flooders // procs_n + (1 if i < args.flooders % procs_n else 0) for i in range(procs_n)]
        queue: mp.Queue = mp.Queue()
        ctx = [mp.Process(target=flooder, args=(url, wrong, n, args.seconds + 3, queue)) for n in per if n]
        for p in ctx:
            p.start()
        time.sleep(1.5)  # let the flood build up
        flooded = measure(url, good, args.seconds)
        statuses: Counter = Counter()
        for _ in ctx:
            statuses.update(queue.get(timeout=120))
        for p in ctx:
            p.join(30)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)

    result = {"repo": str(repo), "flooders": args.flooders, "seconds": args.seconds,
              "failures_per_minute": args.failures_per_minute, "quiet": summary(quiet), "flood": summary(flooded),
              "flood_requests": sum(statuses.values()), "flood_statuses": {str(k): v for k, v in statuses.items()}}
    if args.json:
        print(json.dumps(result))
    else:
        q, f = result["quiet"], result["flood"]
        print(f"signed-in user, GET /api/reports ({repo}):")
        print(f"  without flood: p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms, max {q['max_ms']} ms ({q['n']} requests)")
        print(f"  {args.flooders} flooders:  p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, max {f['max_ms']} ms ({f['n']} requests)")
        print(f"  flood requests answered: {result['flood_requests']} {dict(statuses)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
