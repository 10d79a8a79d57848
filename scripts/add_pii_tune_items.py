"""Render scripts/pii_tune_items.txt into tests/data/pii_independent.json as split "tune".

    python scripts/add_pii_tune_items.py

Items get ids from 1001 in the order written; running it again replaces them (ids < 1001, the
independently written sample, are never touched). Checks that each labelled name occurs in
its text as often as it is labelled.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "scripts" / "pii_tune_items.txt"
TARGET = REPO / "tests" / "data" / "pii_independent.json"
FIRST_ID = 1001
_MARK = re.compile(r"\{([^{}|]+)\|(\w+)\}")


def render(block: str, item_id: int) -> dict:
    """One written block -> an item of the sample (text, names, shapes)."""
    raw = block.strip("\n").replace("\\n", "\n").replace("\\t", "\t")
    names = [m.group(1) for m in _MARK.finditer(raw)]
    shapes = {m.group(1): m.group(2) for m in _MARK.finditer(raw)}
    text = _MARK.sub(lambda m: m.group(1), raw)
    for name in set(names):
        rest = text
        for longer in sorted(set(names), key=len, reverse=True):
            if len(longer) > len(name) and name in longer:
                rest = rest.replace(longer, " ")
        occurs = len(re.findall(rf"(?<!\w){re.escape(name)}(?:s?)(?!\w)", rest))
        if occurs != names.count(name):
            raise SystemExit(f"#{item_id}: {name!r} occurs {occurs} times, labelled {names.count(name)}: {text!r}")
    return {"id": item_id, "split": "tune", "text": text, "names": names, "shapes": shapes,
            "personnummer": [], "samordningsnummer": []}


def main() -> None:
    lines = [x for x in SOURCE.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    blocks = [b for b in "\n".join(lines).split("\n---") if b.strip()]
    data = json.loads(TARGET.read_text(encoding="utf-8"))
    data["items"] = [i for i in data["items"] if i["id"] < FIRST_ID]
    data["items"] += [render(b, FIRST_ID + k) for k, b in enumerate(blocks)]
    TARGET.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(blocks)} tune items written (ids {FIRST_ID}-{FIRST_ID + len(blocks) - 1})")


if __name__ == "__main__":
    main()
