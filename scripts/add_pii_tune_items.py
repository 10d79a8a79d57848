"""Render hand-written items into tests/data/pii_independent.json.

    python scripts/add_pii_tune_items.py              # scripts/pii_tune_items.txt -> split "tune", ids from 1001
    python scripts/add_pii_tune_items.py --heldout2   # scripts/pii_heldout2_items.txt -> split "tune" (formerly "heldout2"), ids from 3001
    python scripts/add_pii_tune_items.py --heldout3   # scripts/pii_heldout3_items.txt -> split "heldout3", ids from 5001

Items get ids from the source's first id in the order written; running it again replaces them
(items outside that id range, such as the independently written sample below 1001, are never
touched). Checks that each labelled name occurs in its text as often as it is labelled. A
name is marked {name|shape}; an identity number {number|personnummer} or
{number|samordningsnummer} (listed under that kind, not as a name).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "tests" / "data" / "pii_independent.json"
# source file, split, first id, first id of the next range, former split (a set-aside split
# whose errors were read after its one measurement is tuned on from then on)
SOURCES = {
    "tune": (REPO / "scripts" / "pii_tune_items.txt", "tune", 1001, 3001, None),
    "heldout2": (REPO / "scripts" / "pii_heldout2_items.txt", "tune", 3001, 5001, "heldout2"),
    "heldout3": (REPO / "scripts" / "pii_heldout3_items.txt", "heldout3", 5001, 7001, None),
}
_MARK = re.compile(r"\{([^{}|]+)\|(\w+)\}")
_NUMBER_KINDS = ("personnummer", "samordningsnummer")


def render(block: str, item_id: int, split: str = "tune") -> dict:
    """One written block -> an item of the sample (text, names, shapes, identity numbers)."""
    raw = block.strip("\n").replace("\\n", "\n").replace("\\t", "\t")
    marks = [(m.group(1), m.group(2)) for m in _MARK.finditer(raw)]
    names = [n for n, kind in marks if kind not in _NUMBER_KINDS]
    shapes = {n: kind for n, kind in marks if kind not in _NUMBER_KINDS}
    numbers = {k: [n for n, kind in marks if kind == k] for k in _NUMBER_KINDS}
    text = _MARK.sub(lambda m: m.group(1), raw)
    for name in set(names):
        rest = text
        for longer in sorted(set(names), key=len, reverse=True):
            if len(longer) > len(name) and name in longer:
                rest = rest.replace(longer, " ")
        occurs = len(re.findall(rf"(?<!\w){re.escape(name)}(?:s?)(?!\w)", rest))
        if occurs != names.count(name):
            raise SystemExit(f"#{item_id}: {name!r} occurs {occurs} times, labelled {names.count(name)}: {text!r}")
    return {"id": item_id, "split": split, "text": text, "names": names, "shapes": shapes, **numbers}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--heldout2", action="store_true", help="render the set-aside sample heldout2 instead of the tune items")
    ap.add_argument("--heldout3", action="store_true", help="render the set-aside sample heldout3 instead of the tune items")
    args = ap.parse_args(argv)
    source, split, first, end, formerly = SOURCES["heldout3" if args.heldout3 else "heldout2" if args.heldout2 else "tune"]
    lines = [x for x in source.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    blocks = [b for b in "\n".join(lines).split("\n---") if b.strip()]
    if len(blocks) > end - first:
        raise SystemExit(f"{len(blocks)} items do not fit ids {first}-{end - 1}")
    data = json.loads(TARGET.read_text(encoding="utf-8"))
    data["items"] = [i for i in data["items"] if not first <= i["id"] < end]
    items = [render(b, first + k, split) for k, b in enumerate(blocks)]
    if formerly:
        for item in items:
            item["formerly"] = formerly
    data["items"] += items
    data["items"].sort(key=lambda i: i["id"])
    TARGET.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(blocks)} {split} items written (ids {first}-{first + len(blocks) - 1})")


if __name__ == "__main__":
    main()
