"""Load test: concurrent clients on loopback mixing search, drafting and review.

    .venv/bin/python benchmarks/load_test.py [--clients 20] [--duration 60] [--embedder hash|e5]
                                             [--url http://127.0.0.1:8000 --admin-token …] [--json]

Without --url it builds its own server: the sample corpus is copied to a temporary folder and
ingested, users are made (an admin, a rektor per client, two granskare), and `kvalitet serve`
runs as a separate process (so the clients' threads do not share its GIL).

Each client loops until the time is up (or --max-ops), picking an operation by weight:
  search  GET  /api/search                      (a question from the retrieval gold set)
  draft   POST /api/drafts                      (extractive suggestions for an activity)
  review  GET  /api/suggestions/{id} then PATCH it with the version read (If-Match), on a
          suggestion shared by all clients, so edits collide; a stale version must get 409
  accept  POST /api/suggestions/{id}/accept with the version read
  setup   (once per client) create a report, add an activity, draft it: the shared pool

Lost updates are counted, not assumed away: every successful edit is recorded with the version
it was based on and the version it produced. An edit that did not produce exactly the next
version overwrote a change its client never saw; two edits producing the same version, or a final
text that is not the highest-versioned edit's, is a lost update too. (The API refuses an edit
without a version, 422, so every edit here is version-checked.) Errors are any 5xx, transport failure or
unexpected status; 409 on a stale version is expected and counted as a conflict.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WEIGHTS = {"search": 0.45, "draft": 0.15, "review": 0.3, "accept": 0.1}
ACTIVITIES = [
    "Förbättra struktur för uppföljning av vuxenutbildningen",
    "Processhandledning i arbetet med extra anpassningar och särskilt stöd",
    "Utveckla arbetsmiljödelen vid introduktion av nya chefer",
    "Stödja skolledare i etablering av plattform för ledning och styrning",
    "Öka andelen behöriga lärare i grundskolan",
    "Samverka med socialtjänsten kring elever med hög frånvaro",
]


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    conflicts: int = 0
    edits: dict[int, list[tuple[int, str | None]]] = field(default_factory=lambda: defaultdict(list))
    overwrites: int = 0  # edits that landed on a version other than the one the client had read
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, op: str, seconds: float) -> None:
        with self.lock:
            self.latencies[op].append(seconds)

    def error(self, op: str, what: str) -> None:
        with self.lock:
            self.errors[op] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{op}: {what}"[:300])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


# --------------------------------------------------------------------------------------------
# A server of our own
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnServer:
    def __init__(self, clients: int, embedder: str):
        from kvalitet.settings import Settings
        from kvalitet.container import Services

        self.root = Path(tempfile.mkdtemp(prefix="kvalitet-load-"))
        corpus = self.root / "corpus"
        shutil.copytree(REPO / "corpus", corpus)
        self.env = {
            **os.environ, "KVALITET_INDEX_DIR": str(self.root / "index"), "KVALITET_CORPUS_DIR": str(corpus),
            "KVALITET_EMBEDDER": embedder, "KVALITET_LOG_LEVEL": "WARNING", "ANONYMIZED_TELEMETRY": "False",
        }
        settings = Settings(index_dir=self.root / "index", corpus_dir=corpus, embedder=embedder)
        svc = Services(settings)
        t = time.perf_counter()
        report = svc.ingest()
        print(f"ingested {report.passages} passages ({embedder}) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        ws = svc.workspace
        self.admin = ws.add_user("last-admin", "admin").token
        self.rektors = [ws.add_user(f"last-rektor-{i}", "rektor", unit="Böle skola").token for i in range(clients)]
        self.reviewers = [ws.add_user(f"last-granskare-{i}", "granskare").token for i in range(2)]
        svc.close()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(self.root / "server.log", "w")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "kvalitet"), "serve", "--port", str(self.port)],
            env=self.env, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("server exited:\n" + (self.root / "server.log").read_text()[-3000:])
            time.sleep(0.2)
        raise SystemExit("server did not start in 120 s")

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------


class Pool:
    """Suggestion ids drafted by the clients, shared so that reviews collide."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.lock = threading.Lock()

    def add(self, ids: list[int]) -> None:
        with self.lock:
            self.ids.extend(ids)

    def pick(self, rng: random.Random) -> int | None:
        with self.lock:
            # A small hot set: most reviews land on the first few suggestions.
            if not self.ids:
                return None
            hot = self.ids[: max(3, len(self.ids) // 10)]
            return rng.choice(hot if rng.random() < 0.7 else self.ids)


def timed(stats: Stats, op: str, fn, expect: tuple[int, ...] = (200,), conflict_ok: bool = False):
    t = time.perf_counter()
    try:
        r = fn()
    except httpx.HTTPError as exc:
        stats.error(op, f"{type(exc).__name__}: {exc}")
        return None
    dt = time.perf_counter() - t
    if r.status_code in expect:
        stats.ok(op, dt)
        return r
    if conflict_ok and r.status_code == 409:
        stats.ok(op + " (409)", dt)
        with stats.lock:
            stats.conflicts += 1
        return r
    stats.error(op, f"{r.status_code} {r.text[:200]}")
    return None


def client_loop(i: int, url: str, rektor: str, reviewer: str, queries: list[str], pool: Pool, stats: Stats,
                deadline: float, max_ops: int, counter: list[int], counter_lock: threading.Lock) -> None:
    rng = random.Random(1000 + i)
    rk = {"Authorization": f"Bearer {rektor}"}
    gr = {"Authorization": f"Bearer {reviewer}"}
    with httpx.Client(base_url=url, timeout=60) as http:
        # Setup: a report with one activity, drafted; its suggestions join the shared pool.
        r = timed(stats, "setup:report", lambda: http.post("/api/reports", headers=rk, json={
            "title": f"Uppföljning {i}", "kind": "aktivitetsuppfoljning", "year": 2024, "unit": "Böle skola"}),
            expect=(201,))
        if r is not None:
            rid = r.json()["id"]
            r = timed(stats, "setup:item", lambda: http.post(f"/api/reports/{rid}/items", headers=rk, json={
                "activity": ACTIVITIES[i % len(ACTIVITIES)], "status": "Pågående"}), expect=(201,))
            if r is not None:
                iid = r.json()["id"]
                r = timed(stats, "setup:draft", lambda: http.post(
                    f"/api/reports/{rid}/items/{iid}/draft", headers=rk, json={}), expect=(201,))
                if r is not None:
                    pool.add([s["id"] for s in r.json()["suggestions"]])
        ops, weights = zip(*WEIGHTS.items(), strict=True)
        while time.monotonic() < deadline:
            with counter_lock:
                if counter[0] >= max_ops:
                    return
                counter[0] += 1
            op = rng.choices(ops, weights)[0]
            if op == "search":
                q = rng.choice(queries)
                timed(stats, "search", lambda q=q: http.get("/api/search", params={"q": q, "k": 10}, headers=gr))
            elif op == "draft":
                act = rng.choice(ACTIVITIES)
                timed(stats, "draft", lambda act=act: http.post("/api/drafts", headers=gr, json={
                    "activity": act, "sections": ["uppfoljning", "analys"]}))
            else:
                sid = pool.pick(rng)
                if sid is None:
                    continue
                got = timed(stats, "review:get", lambda sid=sid: http.get(f"/api/suggestions/{sid}", headers=gr))
                if got is None:
                    continue
                version = got.json()["version"]
                if op == "review":
                    marker = f"Redigerad av klient {i}, v{version}, {rng.random():.9f}"
                    r = timed(stats, "review:edit", lambda sid=sid, version=version, marker=marker: http.patch(
                        f"/api/suggestions/{sid}", headers={**gr, "If-Match": f'"{version}"'},
                        json={"text": marker}), conflict_ok=True)
                    if r is not None and r.status_code == 200:
                        with stats.lock:
                            stats.edits[sid].append((r.json()["version"], marker))
                            # The edit was made on what the client read: it must be the next
                            # version. Anything later means someone's change was overwritten.
                            if r.json()["version"] != version + 1:
                                stats.overwrites += 1
                else:
                    r = timed(stats, "review:accept", lambda sid=sid, version=version: http.post(
                        f"/api/suggestions/{sid}/accept", headers=gr, json={"version": version}), conflict_ok=True)
                    if r is not None and r.status_code == 200:
                        with stats.lock:  # accepting keeps the text; it is a new version
                            stats.edits[sid].append((r.json()["version"], None))


def lost_updates(url: str, token: str, stats: Stats) -> tuple[int, int]:
    """(lost updates, suggestions checked). Every successful edit carries a new version; two
    edits reporting the same version, a final text other than the highest-versioned edit's, or
    a final version below one already handed out, is a lost update. (Accepting an edited or
    accepted suggestion changes nothing and keeps its version, so accepts only bound it.)"""
    lost = 0
    with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
        for sid, results in stats.edits.items():
            edits = [(v, t) for v, t in results if t is not None]
            versions = [v for v, _ in edits]
            lost += len(versions) - len(set(versions))
            final = http.get(f"/api/suggestions/{sid}").json()
            if final["version"] < max(v for v, _ in results):
                lost += 1
            if edits and final["text"] != max(edits)[1]:
                lost += 1
    return lost + stats.overwrites, len(stats.edits)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--max-ops", type=int, default=200_000, help="stop after this many operations in all")
    ap.add_argument("--embedder", default="hash", choices=["hash", "e5"])
    ap.add_argument("--url", help="an existing server (then give --rektor-token/--reviewer-token)")
    ap.add_argument("--rektor-token")
    ap.add_argument("--reviewer-token")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    queries = [g["query"] for g in json.loads((REPO / "tests/data/gold_retrieval.json").read_text(encoding="utf-8"))]
    server = None
    if args.url:
        if not (args.rektor_token and args.reviewer_token):
            ap.error("--url needs --rektor-token and --reviewer-token")
        url, rektors, reviewers = args.url, [args.rektor_token] * args.clients, [args.reviewer_token]
    else:
        server = OwnServer(args.clients, args.embedder)
        url, rektors, reviewers = server.url, server.rektors, server.reviewers
    try:
        # Warm up (the embedding model, BM25 snapshot, the drafter) outside the clock.
        h = {"Authorization": f"Bearer {reviewers[0]}"}
        httpx.get(url + "/api/search", params={"q": queries[0]}, headers=h, timeout=120)
        httpx.post(url + "/api/drafts", json={"activity": ACTIVITIES[0]}, headers=h, timeout=120)
        stats, pool = Stats(), Pool()
        counter, counter_lock = [0], threading.Lock()
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(target=client_loop, args=(
                i, url, rektors[i], reviewers[i % len(reviewers)], queries, pool, stats, deadline, args.max_ops,
                counter, counter_lock), daemon=True)
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.duration + 120)
        elapsed = time.monotonic() - started
        lost, checked = lost_updates(url, reviewers[0], stats)
    finally:
        if server is not None:
            server.close()

    total = sum(len(v) for v in stats.latencies.values())
    result = {
        "clients": args.clients, "duration_s": round(elapsed, 1), "embedder": args.embedder,
        "requests_ok": total, "throughput_rps": round(total / elapsed, 1),
        "errors": dict(stats.errors), "error_samples": stats.error_samples,
        "conflicts_409": stats.conflicts, "lost_updates": lost, "suggestions_checked": checked,
        "ops": {
            op: {"n": len(v), "p50_ms": round(pct(v, 50) * 1000, 1), "p95_ms": round(pct(v, 95) * 1000, 1),
                 "max_ms": round(max(v) * 1000, 1), "mean_ms": round(statistics.fmean(v) * 1000, 1)}
            for op, v in sorted(stats.latencies.items())
        },
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(f"{args.clients} clients, {result['duration_s']} s, embedder {args.embedder}: "
              f"{total} requests ok ({result['throughput_rps']}/s), errors {sum(stats.errors.values())}, "
              f"409 conflicts {stats.conflicts}, lost updates {lost} (of {checked} suggestions edited)")
        print(f"{'operation':22} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for op, r in result["ops"].items():
            print(f"{op:22} {r['n']:6d} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f}")
        for s in stats.error_samples[:10]:
            print("  ERROR " + s)
    return 1 if stats.errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
