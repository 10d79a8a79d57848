"""Roll-up of 50 unit reports on the benchmark corpus (issue 20: within a minute).

    .venv/bin/python benchmarks/rollup_bench.py                 # 50 reports + 10k synthetic rows
    .venv/bin/python benchmarks/rollup_bench.py --units 100 --rows 0 --runs 5

Builds a temporary index (hash embedder: the roll-up reads the catalog, not vectors) holding
the synthetic benchmark corpus (benchmarks/synthetic.py, follow-ups of activity plans that are
no unit's report) and `--units` unit reports made from the 17 hand-written ones under
tests/data/enheter*/ (each copy renamed to a unit of its own, two more units registered without a
report). Then times, each in its own step:

  ingest          reading and indexing everything (not part of the roll-up; for scale)
  first roll-up   units recognised for every document of the index, gathered, rolled up
  roll-up         the same again (units already known): `--runs` times, median and max
  huvudman draft  a huvudman report created and its four sections drafted and stored

Prints one JSON object with the figures in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PREFIXES = ("Ask", "Bok", "Hassel", "Idegran", "Jasmin", "Kastanj", "Lind", "Mistel", "Nyponros", "Oxel",
            "Poppel", "Rosen", "Sälg", "Tuja", "Vide", "Alm", "Björnbär", "Cypress", "Druv", "En")


def unit_reports(target: Path, n: int) -> list[dict]:
    """`n` unit reports renamed from the hand-written ones; returns the register (n + 2 units)."""
    templates: list[tuple[Path, str, str]] = []
    for d in (REPO / "tests/data/enheter", REPO / "tests/data/enheter_heldout"):
        reg = json.loads((d / "units.json").read_text(encoding="utf-8"))
        truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
        kinds = {u["name"]: u["kind"] for u in reg["units"]}
        for f in sorted(d.iterdir()):
            if f.suffix == ".json":
                continue
            text = f.read_text(encoding="utf-8")
            name = next((u for u in truth["links"] if u.lower() in text.lower()), None)
            if name:
                templates.append((f, name, kinds[name]))
    units = []
    target.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        f, name, kind = templates[i % len(templates)]
        prefix = PREFIXES[i % len(PREFIXES)] + ("" if i < len(PREFIXES) else str(i // len(PREFIXES) + 1))
        new = {"förskola": f"Förskolan {prefix}", "gymnasium": f"{prefix}gymnasiet",
               "fritidshem": f"Fritidshemmet {prefix}"}.get(kind, f"{prefix}skolan")
        text = f.read_text(encoding="utf-8").replace(name, new).replace(name.upper(), new.upper())
        (target / f"enhet-{i:03d}{f.suffix}").write_text(text, encoding="utf-8")
        units.append({"name": new, "kind": kind, "parent": "Benchmark kommun"})
    units += [{"name": "Saknadskolan", "kind": "grundskola"}, {"name": "Förskolan Saknad", "kind": "förskola"}]
    return units


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--rows", type=int, default=10_000, help="synthetic benchmark rows beside the reports")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from benchmarks.synthetic import generate
    from kvalitet.container import Services
    from kvalitet.settings import Settings
    from kvalitet.workspace.auth import User

    root = Path(tempfile.mkdtemp(prefix="rollup-bench-"))
    try:
        corpus = root / "corpus"
        register = unit_reports(corpus / "enheter", args.units)
        rows = generate(corpus / "syntetisk", args.rows) if args.rows else 0
        svc = Services(Settings(index_dir=root / "index", corpus_dir=corpus, embedder="hash"))
        t = time.perf_counter()
        rep = svc.ingest()
        ingest_s = time.perf_counter() - t
        admin = User.system("bench")
        ro = svc.rollup
        for u in register:
            ro.save_unit(u, admin)
        t = time.perf_counter()
        first = ro.rollup(admin, year=2023)
        first_s = time.perf_counter() - t
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            res = ro.rollup(admin, year=2023)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        report = ro.create_huvudman_report(2023, admin)
        sgs = ro.draft_huvudman(report.id, admin)
        draft_s = time.perf_counter() - t
        out = {
            "unit_reports": args.units, "synthetic_rows": rows, "documents": rep.files, "passages": rep.passages,
            "reported": first.n_reported, "missing": first.missing, "themes": len(res.themes),
            "rollup_passages": res.passages, "ingest_s": round(ingest_s, 2), "first_rollup_s": round(first_s, 2),
            "rollup_median_s": round(statistics.median(times), 3), "rollup_max_s": round(max(times), 3),
            "huvudman_draft_s": round(draft_s, 2), "suggestions": len(sgs),
            "grounded": sum(1 for s in sgs if s.grounding.supported),
        }
        print(json.dumps(out, ensure_ascii=False))
        svc.close()
        return 0 if first.n_reported == args.units else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
