"""`kvalitet eval extraction DIR`: recognised records against hand labels.

Each document in DIR (searched recursively) with a labels file beside it (`NAME.labels.json`,
or `STEM.labels.json`, or a labels file whose "file" names it) is read and recognised exactly as
ingest does (kvalitet.ingest.pipeline.read_document_model + kvalitet.ingest.recognise), then:

- records are matched one-to-one to labelled records of the same kind, greedily, best first.
  The key is fuzzy-equal after normalisation (case, punctuation, whitespace, numbering; equal, or
  a similarity ratio ≥ 0.85, or one contains the other and is ≥ 60 % of its length):
  aktivitet → activity, indikator → indicator, kostnad → item (and amount_tkr, which then must
  be equal), process → month and activity; section kinds (uppfoljning, analys, risk, …) by title
  (numbering stripped) or by `text_contains` being in the record's text, and `fields.activity`
  when labelled.
- record recall = matched / labelled, per kind and overall; precision = matched / predicted,
  over the structured kinds (aktivitet, indikator, kostnad, process) where one labelled record
  is one predicted record; section kinds have recall only (one section may be cut into several
  passages).
- field accuracy over matched records: each labelled field compared with the predicted one
  (amount_tkr numerically, status exactly, others fuzzy-equal), per field and overall.
- doc_kind and year accuracy per document (also school_year and period when labelled).

Returns plain dicts (JSON-ready); `format_report` prints a table.
"""

from __future__ import annotations

import json
import re
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

STRUCTURED = ("aktivitet", "indikator", "kostnad", "process")
_DOC_EXT = {".docx", ".pdf", ".html", ".htm", ".xlsx", ".csv", ".md", ".txt"}


def norm(text) -> str:
    """Lower case, NFC, numbering and punctuation off, whitespace collapsed."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFC", str(text)).lower().replace("\u00ad", "")
    s = re.sub(r"^\s*\d+(?:\.\d+)*\s*[.):]?\s+", "", s)
    s = re.sub(r"[\"'”“«»‘’`´]", "", s)
    s = re.sub(r"[^\w%<>=+-]+", " ", s)
    return " ".join(s.split())


def fuzzy_equal(a, b) -> bool:
    """Equal after normalisation, or nearly so (ratio ≥ 0.85, or containment covering ≥ 60 %)."""
    x, y = norm(a), norm(b)
    if not x or not y:
        return x == y
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    if short in long_ and len(short) >= 0.6 * len(long_):
        return True
    return SequenceMatcher(None, x, y).ratio() >= 0.85


def _similarity(a, b) -> float:
    x, y = norm(a), norm(b)
    if not x or not y:
        return 0.0
    return SequenceMatcher(None, x, y).ratio()


def field_equal(name: str, want, got) -> bool:
    """A labelled field's value against a predicted one."""
    if want is None:
        return got in (None, "")
    if name == "amount_tkr":
        try:
            return got is not None and abs(float(want) - float(got)) < 0.5
        except (TypeError, ValueError):
            return False
    if name in ("status",):
        return (want or None) == (got or None)
    if name == "period":
        return norm(want) == norm(got) or (bool(got) and set(re.findall(r"\d+|t[123]", norm(want)))
                                           == set(re.findall(r"\d+|t[123]", norm(got))))
    return fuzzy_equal(want, got)


def _pred_fields(rec: dict) -> dict:
    return rec.get("fields") or {}


def _key_score(kind: str, lab: dict, pred: dict) -> float:
    """How well a predicted record matches a labelled one of the same kind; 0 = not a match."""
    lf, pf = lab.get("fields") or {}, _pred_fields(pred)
    if kind == "aktivitet":
        return _similarity(lf.get("activity"), pf.get("activity")) if fuzzy_equal(lf.get("activity"), pf.get("activity")) else 0.0
    if kind == "indikator":
        return _similarity(lf.get("indicator"), pf.get("indicator")) if fuzzy_equal(lf.get("indicator"), pf.get("indicator")) else 0.0
    if kind == "kostnad":
        amount_ok = field_equal("amount_tkr", lf.get("amount_tkr"), pf.get("amount_tkr")) if lf.get("amount_tkr") is not None else True
        if not amount_ok:
            return 0.0
        if lf.get("item"):
            if fuzzy_equal(lf.get("item"), pf.get("item")):
                return 0.5 + _similarity(lf.get("item"), pf.get("item"))
            # The amount is right and the item names the same thing loosely.
            if pf.get("item") and (norm(pf["item"]) in norm(lab.get("text_contains") or lf["item"])
                                   or norm(lf["item"]) in norm(pred.get("text") or "")):
                return 0.4
            return 0.0
        return 0.5
    if kind == "process":
        if not fuzzy_equal(lf.get("month"), pf.get("month")):
            return 0.0
        if not fuzzy_equal(lf.get("activity"), pf.get("activity")):
            return 0.0
        return _similarity(lf.get("activity"), pf.get("activity")) + 0.5
    # Section kinds: by title or by a phrase of the text; the activity when labelled.
    score = 0.0
    if lab.get("text_contains") and norm(lab["text_contains"]) in norm(pred.get("text")):
        score = 1.0
    elif lab.get("title") and pred.get("title") and norm(lab["title"]) == norm(pred["title"]):
        score = 0.6
    if score and lf.get("activity") and not fuzzy_equal(lf.get("activity"), pf.get("activity")):
        score -= 0.3
    return max(score, 0.0)


def match_records(labelled: list[dict], predicted: list[dict]) -> list[tuple[dict, dict | None]]:
    """One-to-one matches (labelled, predicted or None), greedy by key score within each kind."""
    pairs: list[tuple[float, int, int]] = []
    for li, lab in enumerate(labelled):
        for pi, pred in enumerate(predicted):
            if pred["kind"] != lab["kind"]:
                continue
            s = _key_score(lab["kind"], lab, pred)
            if s > 0:
                pairs.append((s, li, pi))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_l: dict[int, int] = {}
    used_p: set[int] = set()
    for _, li, pi in pairs:
        if li in used_l or pi in used_p:
            continue
        used_l[li] = pi
        used_p.add(pi)
    return [(lab, predicted[used_l[li]] if li in used_l else None) for li, lab in enumerate(labelled)]


def find_labelled(directory: Path) -> list[tuple[Path, Path]]:
    """(document, labels file) pairs under `directory`."""
    out: list[tuple[Path, Path]] = []
    for lab in sorted(directory.rglob("*.labels.json")):
        name = lab.name[: -len(".labels.json")]
        cand = lab.parent / name
        doc = None
        if cand.is_file():
            doc = cand
        else:
            try:
                f = json.loads(lab.read_text(encoding="utf-8")).get("file")
            except (OSError, ValueError):
                f = None
            if f and (lab.parent / f).is_file():
                doc = lab.parent / f
            else:
                sibs = [p for p in lab.parent.iterdir() if p.is_file() and p.stem == name and p.suffix.lower() in _DOC_EXT]
                doc = sibs[0] if sibs else None
        if doc is not None:
            out.append((doc, lab))
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def evaluate_dir(directory: Path, settings) -> dict:
    """The evaluation of every labelled document under `directory` (see the module docstring)."""
    from kvalitet.ingest.pipeline import read_document_model
    from kvalitet.ingest.recognise import inspect_dict, recognise

    per_kind: dict[str, dict[str, int]] = {}
    per_field: dict[str, dict[str, int]] = {}
    doc_kind = {"right": 0, "total": 0}
    year = {"right": 0, "total": 0}
    extra = {"school_year": {"right": 0, "total": 0}, "period": {"right": 0, "total": 0}}
    docs: list[dict] = []
    misses: list[dict] = []
    wrong_fields: list[dict] = []

    def k(kind: str) -> dict[str, int]:
        return per_kind.setdefault(kind, {"labelled": 0, "predicted": 0, "matched": 0})

    for path, lab_path in find_labelled(directory):
        labels = json.loads(lab_path.read_text(encoding="utf-8"))
        rel = path.relative_to(directory).as_posix()
        try:
            parsed = recognise(read_document_model(path, rel, settings))
            got = inspect_dict(parsed, path=rel)
        except Exception as exc:  # an unreadable file counts as nothing found
            got = {"doc_kind": None, "year": None, "school_year": None, "period": None, "records": [],
                   "error": f"{type(exc).__name__}: {exc}"}
        labelled = labels.get("records") or []
        predicted = got["records"]
        pairs = match_records(labelled, predicted)
        doc_row: dict[str, Any] = {"path": rel, "labelled": len(labelled), "matched": 0,
                   "doc_kind": [labels.get("doc_kind"), got.get("doc_kind")], "year": [labels.get("year"), got.get("year")]}
        for kind in {r["kind"] for r in labelled} | {r["kind"] for r in predicted if r["kind"] in STRUCTURED}:
            k(kind)
        for r in labelled:
            k(r["kind"])["labelled"] += 1
        for r in predicted:
            if r["kind"] in STRUCTURED:
                k(r["kind"])["predicted"] += 1
        for lab, pred in pairs:
            if pred is None:
                misses.append({"path": rel, "kind": lab["kind"], "title": lab.get("title"),
                               "text_contains": lab.get("text_contains"), "fields": lab.get("fields")})
                continue
            k(lab["kind"])["matched"] += 1
            doc_row["matched"] += 1
            for name, want in (lab.get("fields") or {}).items():
                ok = field_equal(name, want, _pred_fields(pred).get(name))
                f = per_field.setdefault(name, {"right": 0, "total": 0})
                f["total"] += 1
                f["right"] += int(ok)
                if not ok:
                    wrong_fields.append({"path": rel, "kind": lab["kind"], "field": name, "want": want,
                                         "got": _pred_fields(pred).get(name)})
        if labels.get("doc_kind"):
            doc_kind["total"] += 1
            doc_kind["right"] += int(labels["doc_kind"] == got.get("doc_kind"))
        if "year" in labels:
            year["total"] += 1
            year["right"] += int(labels.get("year") == got.get("year"))
        for key in ("school_year", "period"):
            if labels.get(key):
                extra[key]["total"] += 1
                extra[key]["right"] += int(field_equal(key, labels[key], got.get(key)))
        if got.get("error"):
            doc_row["error"] = got["error"]
        docs.append(doc_row)

    lab_n = sum(v["labelled"] for v in per_kind.values())
    match_n = sum(v["matched"] for v in per_kind.values())
    s_pred = sum(v["predicted"] for kk, v in per_kind.items() if kk in STRUCTURED)
    s_match = sum(v["matched"] for kk, v in per_kind.items() if kk in STRUCTURED)
    f_total = sum(v["total"] for v in per_field.values())
    f_right = sum(v["right"] for v in per_field.values())
    return {
        "directory": str(directory),
        "documents": len(docs),
        "records": {
            "overall": {"labelled": lab_n, "matched": match_n, "recall": _ratio(match_n, lab_n),
                        "structured_predicted": s_pred, "structured_matched": s_match,
                        "precision": _ratio(s_match, s_pred)},
            "per_kind": {
                kind: {**v, "recall": _ratio(v["matched"], v["labelled"]),
                       "precision": _ratio(v["matched"], v["predicted"]) if kind in STRUCTURED else None}
                for kind, v in sorted(per_kind.items())
            },
        },
        "fields": {
            "overall": {"right": f_right, "total": f_total, "accuracy": _ratio(f_right, f_total)},
            "per_field": {n: {**v, "accuracy": _ratio(v["right"], v["total"])} for n, v in sorted(per_field.items())},
        },
        "doc_kind": {**doc_kind, "accuracy": _ratio(doc_kind["right"], doc_kind["total"])},
        "year": {**year, "accuracy": _ratio(year["right"], year["total"])},
        "school_year": {**extra["school_year"], "accuracy": _ratio(extra["school_year"]["right"], extra["school_year"]["total"])},
        "period": {**extra["period"], "accuracy": _ratio(extra["period"]["right"], extra["period"]["total"])},
        "per_document": docs,
        "misses": misses,
        "wrong_fields": wrong_fields,
    }


def _pct(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def format_report(result: dict) -> str:
    """A plain-text table of `evaluate_dir`'s result."""
    r = result["records"]
    lines = [
        f"{result['documents']} dokument i {result['directory']}",
        f"poster: recall {_pct(r['overall']['recall'])} ({r['overall']['matched']}/{r['overall']['labelled']}), "
        f"precision {_pct(r['overall']['precision'])} "
        f"({r['overall']['structured_matched']}/{r['overall']['structured_predicted']}, aktivitet/indikator/kostnad/process)",
        f"fält: träffsäkerhet {_pct(result['fields']['overall']['accuracy'])} "
        f"({result['fields']['overall']['right']}/{result['fields']['overall']['total']})",
        f"dokumenttyp {_pct(result['doc_kind']['accuracy'])} ({result['doc_kind']['right']}/{result['doc_kind']['total']}), "
        f"år {_pct(result['year']['accuracy'])} ({result['year']['right']}/{result['year']['total']}), "
        f"läsår {_pct(result['school_year']['accuracy'])}, period {_pct(result['period']['accuracy'])}",
        "",
        f"{'typ':22} {'märkta':>7} {'funna':>7} {'träffar':>7} {'recall':>7} {'precision':>9}",
    ]
    for kind, v in r["per_kind"].items():
        lines.append(f"{kind:22} {v['labelled']:>7} {v['predicted']:>7} {v['matched']:>7} {_pct(v['recall']):>7} "
                     f"{_pct(v['precision']):>9}")
    lines += ["", f"{'fält':22} {'rätt':>7} {'av':>7} {'andel':>7}"]
    for name, v in result["fields"]["per_field"].items():
        lines.append(f"{name:22} {v['right']:>7} {v['total']:>7} {_pct(v['accuracy']):>7}")
    return "\n".join(lines)
