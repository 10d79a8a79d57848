"""Precision and recall of personal-name detection (kvalitet.pii) on the labelled sample.

    .venv/bin/python benchmarks/pii_eval.py [tests/data/pii_labelled.json] [--errors] [--json]

Name spans must match exactly (after collapsing whitespace); "Lars" for "Lars Gustafsson" is one
false positive and one false negative. Identity numbers are checked too (every labelled number
found with the right kind, nothing else reported as one). Figures are given per split: `dev`
(used while writing the rules) and `holdout` (written with it, not used for tuning).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kvalitet.pii import evaluate_names, find  # noqa: E402


def number_errors(items: list[dict]) -> list[str]:
    errors = []
    for item in items:
        want = {(k, n) for k in ("personnummer", "samordningsnummer") for n in item.get(k, [])}
        got = {(f.kind, f.text) for f in find(item["text"]) if f.kind in ("personnummer", "samordningsnummer")}
        if want != got:
            errors.append(f"#{item['id']}: want {sorted(want)} got {sorted(got)}")
    return errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(REPO / "tests/data/pii_labelled.json"))
    ap.add_argument("--errors", action="store_true", help="list false positives and negatives")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    items = json.loads(Path(args.path).read_text(encoding="utf-8"))["items"]
    results = {}
    for split in ("dev", "holdout", "blind", "all"):
        subset = [i for i in items if split == "all" or i.get("split") == split]
        results[split] = evaluate_names(subset)
    numbers = number_errors(items)
    if args.json:
        print(json.dumps({"names": results, "number_errors": numbers}, ensure_ascii=False, indent=1))
        return 0
    print(f"{'split':8} {'items':>5} {'names':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}")
    for split, r in results.items():
        print(f"{split:8} {r['items']:5d} {r['tp'] + r['fn']:5d} {r['tp']:4d} {r['fp']:4d} {r['fn']:4d} "
              f"{r['precision']:9.3f} {r['recall']:7.3f} {r['f1']:6.3f}")
    n_numbers = sum(len(i.get("personnummer", [])) + len(i.get("samordningsnummer", [])) for i in items)
    print(f"identity numbers: {n_numbers} labelled, {len(numbers)} items wrong")
    if args.errors:
        for split in ("dev", "holdout", "blind"):
            r = results[split]
            for i, name in r["false_positives"]:
                print(f"  FP {split} #{i}: {name!r}")
            for i, name in r["false_negatives"]:
                print(f"  FN {split} #{i}: {name!r}")
        for line in numbers:
            print("  NUMBER " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
