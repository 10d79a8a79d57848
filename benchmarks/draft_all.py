"""Draft-all benchmark: the time a draft-all job takes for N activities (default 30) on the sample
corpus, e5 index, extractive generator.

    python benchmarks/draft_all.py [--activities 30] [--embedder e5] [--index-dir DIR] [--json]

The sample corpus is copied and ingested into a temporary index (or --index-dir is reused), a
report is seeded from the 2022 follow-up's unfinished activities (kvalitet.workspace.carry_forward) and cut to N
activities, and one draft-all job (kvalitet.workspace.jobs.run_job: the same code the job thread runs)
drafts all four sections of every activity. Printed: ingest time, job time, per activity and per
section, the number of suggestions, and the time of a second job that finds everything drafted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kvalitet.workspace.carry_forward import seed_from_document  # noqa: E402
from kvalitet.settings import Settings  # noqa: E402
from kvalitet.workspace.jobs import create_draft_all, run_job  # noqa: E402
from kvalitet.container import Services  # noqa: E402
from kvalitet.workspace.auth import User  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DOC = "2022-uppfoljning-verksamhetsplan-linkoping.txt"
FIELDS = ("activity", "goal", "status", "notes", "perspective", "committee", "deadline", "comment",
          "responsible", "history_ids", "carried_from")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--activities", type=int, default=30)
    ap.add_argument("--embedder", default="e5", choices=["e5", "hash"])
    ap.add_argument("--index-dir", type=Path, default=None, help="Reuse (or build) the index here.")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kvalitet-draft-all-"))
    try:
        corpus = work / "corpus"
        shutil.copytree(REPO / "corpus", corpus)
        index_dir = args.index_dir or work / "index"
        settings = Settings(index_dir=index_dir, corpus_dir=corpus, embedder=args.embedder, generator="extractive",
                            log_json=False)
        svc = Services(settings)
        t = time.perf_counter()
        ing = svc.ingest()
        ingest_s = time.perf_counter() - t
        ws = svc.workspace
        user = User.system("bench")
        seeded = seed_from_document(ws, DOC, None, f"Bench {time.time_ns()}", user)
        src = seeded.report.items
        if len(src) < args.activities:
            raise SystemExit(f"the document gives {len(src)} activities, fewer than {args.activities}")
        rep = ws.create_report(f"Draft-all {args.activities}", "verksamhetsplan_uppfoljning", 2023,
                               seeded.report.unit, user)
        for it in src[: args.activities]:
            ws.add_item(rep.id, {f: getattr(it, f) for f in FIELDS}, user)
        svc.history()  # the activity history is built once per index version; not part of a job
        job = create_draft_all(ws, rep.id, user)
        t = time.perf_counter()
        view = run_job(svc.workspace, job.id)
        job_s = time.perf_counter() - t
        again = create_draft_all(ws, rep.id, user)
        t = time.perf_counter()
        view2 = run_job(svc.workspace, again.id)
        again_s = time.perf_counter() - t
        out = {
            "activities": args.activities, "embedder": args.embedder, "generator": "extractive",
            "ingest_seconds": round(ingest_s, 2), "passages": ing.passages, "embedded": ing.embedded,
            "job_state": view.state, "sections": view.total, "drafted": view.drafted, "failed": view.failed,
            "suggestions": view.suggestions,
            "draft_all_seconds": round(job_s, 2),
            "seconds_per_activity": round(job_s / args.activities, 3),
            "seconds_per_section": round(job_s / max(1, view.total), 3),
            "second_job_seconds": round(again_s, 2), "second_job_skipped": view2.skipped,
            "cpus": os.cpu_count(),
        }
        svc.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return
    print(f"ingest ({args.embedder}): {out['ingest_seconds']} s, {out['passages']} passages")
    print(f"draft-all, {args.activities} activities × 4 sections ({out['sections']}), extractive: "
          f"{out['draft_all_seconds']} s  ({out['seconds_per_activity']} s/activity, "
          f"{out['seconds_per_section']} s/section), {out['suggestions']} suggestions, state {out['job_state']}, "
          f"failed {out['failed']}")
    print(f"second job (all {out['second_job_skipped']} sections found drafted): {out['second_job_seconds']} s")


if __name__ == "__main__":
    main()
