"""Precision and recall of personal-data detection (kvalitet.pii) on a labelled sample, per split
and per shape.

    .venv/bin/python benchmarks/pii_eval.py [FILE] [--split NAME] [--errors] [--json] [--speed]

FILE defaults to tests/data/pii_independent.json: split "tune" (the sample written by someone who
did not write the rules, its former "heldout" part, the items written while tuning, and the
former set-aside split "heldout2", each marked "formerly") and "heldout3", a fresh set-aside
sample written before the rules were changed for heldout2's errors, measured once at the end of
that round (its errors are not listed unless asked for with --split heldout3);
tests/data/pii_labelled.json (splits dev/holdout/blind, written with the rules) is the
regression set. Name spans must match exactly (after collapsing whitespace; a genitive -s on the
found span is allowed, since labels may be written without it); "Lars" for "Lars Gustafsson" is
one false positive and one false negative. Per shape, recall is over the labelled names of that
shape; a false positive is put under the shape it is written in. Identity numbers are checked
too: every labelled number found with the right kind, nothing else reported as one.
`--errors` lists the misses; use it on the splits you tune on only. `--speed` times `find` on the
sample corpus's paragraphs (what masking a search hit costs, before its cache).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kvalitet.pii import SHAPES, evaluate_names, find  # noqa: E402

DEFAULT = REPO / "tests/data/pii_independent.json"
SET_ASIDE = ("heldout3",)  # splits whose errors --errors lists only when named with --split


def number_errors(items: list[dict]) -> tuple[int, list[str]]:
    """(labelled identity numbers, one line per item where the found ones differ)."""
    errors = []
    total = 0
    for item in items:
        want = {(k, n) for k in ("personnummer", "samordningsnummer") for n in item.get(k, [])}
        total += len(want)
        got = {(f.kind, f.text) for f in find(item["text"]) if f.kind in ("personnummer", "samordningsnummer")}
        if want != got:
            errors.append(f"#{item['id']}: want {sorted(want)} got {sorted(got)}")
    return total, errors


def measure(items: list[dict], splits: list[str]) -> dict:
    """{split: {"names": evaluate_names(...), "numbers": {...}}} for each split and "all"."""
    out = {}
    for split in splits + ["all"]:
        subset = [i for i in items if split == "all" or i.get("split") == split]
        if not subset:
            continue
        total, errors = number_errors(subset)
        out[split] = {"names": evaluate_names(subset), "numbers": {"labelled": total, "items_wrong": len(errors), "errors": errors}}
    return out


def speed() -> int:
    """Paragraphs of corpus/*.txt through find(): first pass (cold word caches) and second."""
    import time

    paras = [p for f in sorted((REPO / "corpus").glob("*.txt"))
             for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    chars = sum(len(p) for p in paras)
    t0 = time.perf_counter()
    find("Anna")  # loads the lexicons
    load = time.perf_counter() - t0
    for label in ("cold", "warm"):
        t = time.perf_counter()
        for p in paras:
            find(p)
        dt = time.perf_counter() - t
        print(f"{label}: {len(paras)} paragraphs, {chars} chars: {dt * 1000 / len(paras):.2f} ms a paragraph, "
              f"{chars / dt / 1000:.0f} k chars/s")
    print(f"lexicons loaded in {load * 1000:.0f} ms")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--split", action="append", help="only these splits (repeatable)")
    ap.add_argument("--errors", action="store_true", help="list false positives and negatives")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--speed", action="store_true", help="time find() on the sample corpus's paragraphs")
    args = ap.parse_args(argv)
    if args.speed:
        return speed()
    items = json.loads(Path(args.path).read_text(encoding="utf-8"))["items"]
    splits = args.split or list(dict.fromkeys(i.get("split", "all") for i in items))
    if args.split:
        items = [i for i in items if i.get("split") in args.split]
    results = measure(items, splits)
    if args.json:
        slim = {s: {"names": {k: v for k, v in r["names"].items() if args.errors or k not in ("false_positives", "false_negatives")},
                    "numbers": r["numbers"]} for s, r in results.items()}
        print(json.dumps(slim, ensure_ascii=False, indent=1))
        return 0
    print(f"file: {Path(args.path).name}")
    print(f"{'split':8} {'items':>5} {'names':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}  identity numbers")
    for split, r in results.items():
        nm, nu = r["names"], r["numbers"]
        print(f"{split:8} {nm['items']:5d} {nm['tp'] + nm['fn']:5d} {nm['tp']:4d} {nm['fp']:4d} {nm['fn']:4d} "
              f"{nm['precision']:9.3f} {nm['recall']:7.3f} {nm['f1']:6.3f}  {nu['labelled']} labelled, {nu['items_wrong']} items wrong")
    for split, r in results.items():
        by = r["names"]["by_shape"]
        if set(by) <= {"unlabelled"} or (split == "all" and len(results) <= 2):
            continue
        print(f"\nper shape, split {split}:")
        print(f"  {'shape':14} {'names':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
        for shape in [s for s in SHAPES if s in by] + sorted(set(by) - set(SHAPES)):
            b = by[shape]
            print(f"  {shape:14} {b['tp'] + b['fn']:5d} {b['tp']:4d} {b['fp']:4d} {b['fn']:4d} {b['precision']:9.3f} {b['recall']:7.3f}")
    if args.errors:
        for split, r in results.items():
            if split == "all" or (split in SET_ASIDE and split not in (args.split or [])):
                continue
            for i, name in r["names"]["false_positives"]:
                print(f"  FP {split} #{i}: {name!r}")
            for i, name in r["names"]["false_negatives"]:
                print(f"  FN {split} #{i}: {name!r}")
            for line in r["numbers"]["errors"]:
                print(f"  NUMBER {split} " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
