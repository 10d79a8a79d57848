"""Results over the years at scale: building every series from the catalog, finding the series of a
topic, and drawing a chart, beside a baseline measured in the same run (reading the same indicator
rows from the catalog without building anything).

    python benchmarks/results_bench.py [--passages 100000] [--indicators 2000] [--runs 7]

The catalog holds `--passages` passages of which `--indicators` are indicator rows (40 indicators
× units × years with varied wordings); 500 Kolada values are imported too. Prints medians in ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402

from kvalitet.domain.types import Passage  # noqa: E402
from kvalitet.results import ResultsService  # noqa: E402
from kvalitet.results.charts import chart_png, chart_svg  # noqa: E402
from kvalitet.settings import Settings  # noqa: E402
from kvalitet.storage.db import Database, DocumentRow, PassageRow  # noqa: E402

TOPICS = ["elever som känner sig trygga", "elever behöriga till gymnasiet", "legitimerade förskollärare",
          "elever som når kunskapskraven i alla ämnen", "vårdnadshavare som är nöjda med förskolan",
          "elever med mer än 10 procent frånvaro", "elever som läser på förväntad nivå i åk 3",
          "nöjda medarbetare", "barn per förskollärare", "sjukfrånvaro bland personalen"]


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--indicators", type=int, default=2_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Settings(index_dir=Path(tmp), embedder="hash"))
        db.create_all()
        with db.session() as s:
            for d in range(100):
                s.add(DocumentRow(path=f"doc{d}.txt", sha256="0" * 64, doc_kind="delarsrapport", year=2014 + d % 10))
            s.flush()
            rows = []
            for i in range(args.passages):
                doc = i % 100
                if i < args.indicators:
                    topic = TOPICS[i % len(TOPICS)]
                    wording = ("Andel " if i % 3 else "Andelen ") + topic + (" (%)" if i % 5 == 0 else "")
                    text = f"Indikator: {wording}. Utfall: {60 + i % 30} %. Målnivå: 85 %. Bedömning: Gul."
                    kind = "indikator"
                else:
                    text = f"Uppföljning {i}: arbetet med läsförståelse och trygghet fortsätter på enhet {i % 40}."
                    kind = "uppfoljning"
                rows.append(PassageRow.from_passage(Passage(
                    id=f"p_{i:012d}", text=text, doc_path=f"doc{doc}.txt", doc_kind="delarsrapport",
                    year=2014 + doc % 10, section_kind=kind, line_start=i, line_end=i, ordinal=i)))
            s.add_all(rows)
        svc = ResultsService(db)
        csv = "Nyckeltals-ID;Kommun-ID;Kommun;År;Värde\n" + "".join(
            f"N{15400 + k:05d};{580 + m:04d};Kommun {m};{2014 + y};{70 + (k + y) % 20}\n"
            for k in range(5) for m in range(10) for y in range(10))
        svc.import_file(csv.encode(), "kolada.csv")

        def baseline():
            with db.session() as s:
                list(s.scalars(select(PassageRow).where(PassageRow.section_kind == "indikator")))

        every = svc.all_series()
        one = next(s for s in every if s.source_kind == "dokument")
        def cold():
            svc._cached = None
            svc.all_series()

        figures = {
            "baseline: read the indicator rows": median_ms(baseline, args.runs),
            "all_series, built (documents + Kolada)": median_ms(cold, args.runs),
            "all_series, unchanged tables (cached)": median_ms(svc.all_series, args.runs),
            "relevant(topic), series given": median_ms(lambda: svc.relevant(TOPICS[0], series=every), args.runs),
            "chart SVG": median_ms(lambda: chart_svg([one]), args.runs),
            "chart PNG (Word)": median_ms(lambda: chart_png([one]), args.runs),
        }
        print(f"{args.passages} passages, {args.indicators} indicator rows, 500 Kolada values -> "
              f"{len(every)} series; medians of {args.runs} runs")
        base = figures["baseline: read the indicator rows"]
        for name, ms in figures.items():
            print(f"  {name:38s} {ms:9.1f} ms   ({ms / base:.1f} x baseline)")
        db.dispose()


if __name__ == "__main__":
    main()
