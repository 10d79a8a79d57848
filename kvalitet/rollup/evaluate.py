"""`kvalitet eval rollup DIR`: precision and recall of unit–theme links against hand labels.

DIR holds unit documents, `units.json` (the register: huvudman, year, units with name, kind,
parent, kolada_id) and `truth.json` ({"links": {unit: [theme keys]}, "missing": [units]}).
Documents are read and recognised as ingest would (no index, no embedder); each document's unit
is recognised from its text against the register; the roll-up runs; every predicted link is
compared with the truth, and every count is checked against its citations (each unit of a
count has a citation whose quote is verbatim in the cited passage and names the theme).
"""

from __future__ import annotations

import json
from pathlib import Path

from kvalitet.errors import InvalidInput
from kvalitet.rollup.engine import UnitDocument, roll_up
from kvalitet.rollup.model import RollupResult, UnitInfo
from kvalitet.rollup.themes import LEXICON, Theme, theme_hits
from kvalitet.rollup.units import head_text, recognise_unit


def load_dir(directory: Path, settings) -> tuple[dict, list[UnitInfo], list[UnitDocument], list[tuple[str, str]]]:
    """(register json, units, documents, problems) of an evaluation folder."""
    from kvalitet.ingest.pipeline import read_and_parse, to_passages

    reg_path = directory / "units.json"
    if not reg_path.exists():
        raise InvalidInput(f"{reg_path} saknas: ange enhetsregistret", "units.json (the register) is missing in the folder")
    register = json.loads(reg_path.read_text(encoding="utf-8"))
    units = [UnitInfo(**u) for u in register.get("units", [])]
    names = [u.name for u in units]
    docs: list[UnitDocument] = []
    problems: list[tuple[str, str]] = []
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() == ".json" or not path.is_file() or path.name.startswith("."):
            continue
        try:
            parsed, _ = read_and_parse(path, path.name, settings)
        except Exception as exc:  # one broken file never stops the rest
            problems.append((path.name, f"{type(exc).__name__}: {exc}"))
            continue
        passages = to_passages(path.name, parsed)
        unit = recognise_unit(head_text(parsed.title, passages), names)
        if unit is None:
            problems.append((path.name, "ingen enhet kändes igen / no unit recognised"))
            continue
        docs.append(UnitDocument(unit=unit.name, doc_path=path.name, passages=passages, title=parsed.title))
    return register, units, docs, problems


def check_counts(result: RollupResult, docs: list[UnitDocument]) -> list[str]:
    """Problems with the counts' evidence: a unit without a citation, a quote that is not in its
    passage, a quote that does not name the theme, n that is not the number of units."""
    texts = {p.id: p.text for d in docs for p in d.passages}
    themes: dict[str, Theme] = {t.key: t for t in LEXICON}
    bad: list[str] = []
    for t in result.themes:
        theme = themes.get(t.key) or Theme(t.key, t.label)
        for c in t.counts:
            if c.n != len(c.units) or len(c.citations) < len(c.units):
                bad.append(f"{t.key}/{c.measure}: {c.n} enheter men {len(c.citations)} källor")
            for cit in c.citations:
                if cit.quote not in texts.get(cit.passage_id, ""):
                    bad.append(f"{t.key}/{c.measure}: citatet finns inte i {cit.passage_id}")
                elif t.key in themes and not theme_hits(theme, cit.quote):
                    bad.append(f"{t.key}/{c.measure}: citatet nämner inte temat: {cit.quote[:60]}")
    return bad


def evaluate(directory: Path, settings) -> dict:
    """Precision, recall, F1 of unit–theme links; per theme; missing units; count checks."""
    truth_path = directory / "truth.json"
    if not truth_path.exists():
        raise InvalidInput(f"{truth_path} saknas", "truth.json (the hand labels) is missing in the folder")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    register, units, docs, problems = load_dir(directory, settings)
    result = roll_up(units, docs, year=register.get("year"), huvudman=register.get("huvudman"))
    predicted = {(ut.unit, t.key) for t in result.themes for ut in t.units}
    gold = {(u, k) for u, keys in truth.get("links", {}).items() for k in keys}
    tp = predicted & gold
    precision = len(tp) / len(predicted) if predicted else 0.0
    recall = len(tp) / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_theme = {}
    for key in sorted({k for _, k in gold | predicted}):
        p = {x for x in predicted if x[1] == key}
        g = {x for x in gold if x[1] == key}
        per_theme[key] = {"predicted": len(p), "truth": len(g), "right": len(p & g)}
    return {
        "dir": str(directory),
        "documents": len(docs),
        "units": len(units),
        "links_predicted": len(predicted),
        "links_truth": len(gold),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "false_positives": sorted(f"{u} → {k}" for u, k in predicted - gold),
        "false_negatives": sorted(f"{u} → {k}" for u, k in gold - predicted),
        "missing_units": result.missing,
        "missing_units_right": sorted(result.missing) == sorted(truth.get("missing", [])),
        "discovered_themes": [t.key for t in result.themes if t.discovered],
        "count_problems": check_counts(result, docs),
        "counts": sum(len(t.counts) for t in result.themes),
        "per_theme": per_theme,
        "problems": [f"{p}: {r}" for p, r in problems],
    }
