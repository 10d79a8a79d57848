"""Personal data in Swedish documents: personnummer, samordningsnummer, e-mail addresses and
personal names; the one masking function every surface calls (`mask`, `mask_fields`,
`mask_for_display`).

Identity numbers (10 or 12 digits, with "-", "+" or a space before the last four, or none) are
kept only when the date is real and the Luhn check digit holds; a samordningsnummer is the
same with 60 added to the day.

Names: see kvalitet/pii/names.py (lexicons of first names and surnames of the origins common in
Sweden, context and shapes). Measured with benchmarks/pii_eval.py on tests/data/pii_labelled.json
and on the independently written tests/data/pii_independent.json.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TypeVar
from datetime import date
from functools import lru_cache

from stdnum import luhn

from kvalitet.pii.names import find_names

T = TypeVar("T")

__all__ = ["Finding", "find", "find_personal_data", "mask", "evaluate_names", "count_personal_data", "shown",
           "KEEP_FIELDS"]


@dataclass(frozen=True)
class Finding:
    kind: str  # "personnummer" | "samordningsnummer" | "namn" | "epost"
    text: str
    start: int
    end: int


# --------------------------------------------------------------------------------------------
# Identity numbers
# --------------------------------------------------------------------------------------------

_PNR_RE = re.compile(r"(?<![\w+\-])((?:18|19|20)?\d{6})([-+ ]?)(\d{4})(?![\w])")


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def classify_identity_number(candidate: str) -> str | None:
    """"personnummer", "samordningsnummer" or None for a 10/12-digit string with a separator."""
    digits = re.sub(r"\D", "", candidate)
    if len(digits) not in (10, 12):
        return None
    ten = digits[-10:]
    if not luhn.is_valid(ten):
        return None
    month, day = int(ten[2:4]), int(ten[4:6])
    kind = "personnummer"
    if day > 60:
        kind, day = "samordningsnummer", day - 60
    if len(digits) == 12:
        years = [int(digits[:4])]
    else:  # the century is unknown: a date valid in any of the last two will do (29 February)
        yy = int(ten[:2])
        years = [1900 + yy, 2000 + yy, 1800 + yy]
    return kind if any(_valid_date(y, month, day) for y in years) else None


_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def find(text: str) -> list[Finding]:
    """All personal data in `text`, sorted by position, never overlapping."""
    out: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for m in _PNR_RE.finditer(text):
        kind = classify_identity_number(m.group(0))
        if kind:
            out.append(Finding(kind, m.group(0), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _EMAIL_RE.finditer(text):
        out.append(Finding("epost", m.group(0), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for s, e in find_names(text):
        if any(s < te and e > ts for ts, te in taken):
            continue  # inside an e-mail address
        out.append(Finding("namn", text[s:e], s, e))
    return sorted(out, key=lambda f: f.start)


def find_personal_data(text: str) -> list[str]:
    """The kinds of personal data in `text`, sorted, for passage metadata."""
    return sorted({f.kind for f in find(text)})


_MARK_TAG = re.compile(r"</?mark>")


def mask(text: str) -> str:
    """Replace personal data with placeholders: [namn], [personnummer], [samordningsnummer],
    [epost].

    Search snippets carry ``<mark>`` tags around matched words ("Rektor <mark>Martin</mark>
    Eriksson"): names are then found on the text without the tags, and the whole name is
    replaced while the tags stay balanced ("Rektor <mark>[namn]</mark>").
    """
    if "mark>" not in text:
        return _mask_plain(text)
    tag_chars: set[int] = set()
    for m in _MARK_TAG.finditer(text):
        tag_chars.update(range(m.start(), m.end()))
    positions = [i for i in range(len(text)) if i not in tag_chars]  # plain index -> original
    plain = "".join(text[i] for i in positions)
    findings = find(plain)
    if not findings:
        return text
    placeholder_at: dict[int, str] = {}
    dropped: set[int] = set()
    for f in findings:
        span = positions[f.start : f.end]
        placeholder_at.setdefault(span[0], f"[{f.kind}]")
        dropped.update(span[1:])
    out = []
    for i, ch in enumerate(text):
        if i in placeholder_at:
            out.append(placeholder_at[i])
        elif i not in dropped:
            out.append(ch)
    return "".join(out)


def _mask_plain(text: str) -> str:
    if len(text) <= 20_000:
        return _mask_cached(text)
    return _mask_uncached(text)


@lru_cache(maxsize=8192)
def _mask_cached(text: str) -> str:
    """The same passage is shown again and again (search hits, drafts): masked once."""
    return _mask_uncached(text)


def _mask_uncached(text: str) -> str:
    findings = find(text)
    if not findings:
        return text
    out, pos = [], 0
    for f in findings:
        if f.start < pos:
            continue
        out.append(text[pos : f.start])
        out.append(f"[{f.kind}]")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# What a surface shows
# --------------------------------------------------------------------------------------------

# Fields that identify, locate or classify: never prose, never masked (a masked id or path would
# break links). Every other text field is masked, whatever its name, so a field added later is
# masked too.
KEEP_FIELDS = frozenset(
    """id ids passage_id history_id report_id item_id suggestion_id job_id unit_id user_id path
    doc_path filename media_type sha256 url href kind doc_kind section_kind section kind generator
    prompt_version pii status perspective committee deadline event mode type format role
    unit csrf version created_at updated_at ingested_at year page number line line_start line_end
    score ranks source_type ref state code conversation_id revised_from name units reported missing
    parent huvudman key aspect aspects outcome measure kolada_id how""".split()
)


def _keep(key: object, value: object = None) -> bool:
    """Left as it is: a kept field holding plain values (a kept field holding models, such as a
    theme's `units`, is still looked into)."""
    plain = (str, int, float, bool, type(None))
    if not (isinstance(value, plain) or (isinstance(value, (list, tuple)) and all(isinstance(v, plain) for v in value))):
        return False
    return isinstance(key, str) and (key in KEEP_FIELDS or key.endswith(("_id", "_ids", "_path", "_at")))


def shown(value: T, enabled: bool) -> T:
    """`value` as a surface may show it: with `enabled` (the KVALITET_MASK_PERSONAL_DATA setting),
    personal data masked in every text it holds; without, `value` itself.

    The one function every surface calls (API, web, CLI, chat, exports). Takes a string, a
    pydantic model, a dataclass, or dicts, lists and tuples of them, and gives back the same type.
    Strings under the keys in KEEP_FIELDS (ids, paths, kinds, statuses) are left as they are;
    every other string is masked with `mask`, so fields added later are masked too.
    """
    if not enabled:
        return value
    return _shown(value)


def _shown(value):
    from pydantic import BaseModel

    if isinstance(value, str):
        return mask(value)
    if isinstance(value, BaseModel):
        data = {k: (v if _keep(k, v) else _shown(v)) for k, v in value.__dict__.items()}
        return value.model_copy(update=data)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: (getattr(value, f.name) if _keep(f.name, getattr(value, f.name)) else _shown(getattr(value, f.name)))
                for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **data)
    if isinstance(value, dict):
        return {k: (v if _keep(k, v) else _shown(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_shown(v) for v in value)
    return value


def count_personal_data(text: str) -> int:
    """How many personal-data findings (names, identity numbers, e-mail addresses) `text` holds."""
    return len(find(text))


# --------------------------------------------------------------------------------------------
# Measurement against a labelled set (tests/data/pii_labelled.json)
# --------------------------------------------------------------------------------------------


def _norm(s: str) -> str:
    return " ".join(s.split())


SHAPES = ("first_last", "surname_first", "initials", "capitals", "particle", "other_origin",
          "surname_alone", "genitive", "first_alone", "lowercase", "half_masked")


def guess_shape(name: str) -> str:
    """The shape a found span is written in, for errors that have no labelled shape."""
    words = name.replace(",", " ").split()
    if "," in name:
        return "surname_first"
    if name.isupper() and len(name) > 2:
        return "capitals"
    if name.islower():
        return "lowercase"
    if re.match(r"[A-ZÅÄÖ](?:\.|-[A-ZÅÄÖ])", name):
        return "initials"
    if any(w.lower() in ("af", "von", "van", "de", "der", "den", "di", "da", "du", "la", "le") and w.islower() for w in words):
        return "particle"
    if len(words) == 1:
        return "first_alone"
    return "first_last"


def _match(gold: list[str], pred: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(matched gold, unmatched gold, unmatched predictions). A prediction matches a gold name
    when equal, or equal with a genitive -s ("Lisa Nguyens" for "Lisa Nguyen")."""
    gold_left = list(gold)
    matched, extra = [], []
    rest = []
    for p in pred:
        if p in gold_left:
            gold_left.remove(p)
            matched.append(p)
        else:
            rest.append(p)
    for p in rest:
        base = p[:-2] if p.endswith(("'s", "’s")) else p[:-1] if p.endswith("s") else None
        if base is not None and base in gold_left:
            gold_left.remove(base)
            matched.append(base)
        else:
            extra.append(p)
    return matched, gold_left, extra


def evaluate_names(items: list[dict]) -> dict:
    """Precision, recall and F1 of name detection, exact spans, over labelled items, overall and
    per shape.

    Each item: {"text": …, "names": [names as written, repeated if said twice], optional
    "shapes": {name: shape}}. A found span must equal a labelled name (a genitive -s on the found
    span is allowed: labels may be written without it). Per shape, recall counts the labelled
    names of that shape; false positives are put under the shape they are written in
    (`guess_shape`). Returns counts, "by_shape" {shape: {tp, fp, fn, precision, recall}} and the
    errors (false positives, false negatives) with their item ids.
    """
    tp = fp = fn = 0
    false_pos: list[tuple[object, str]] = []
    false_neg: list[tuple[object, str]] = []
    by_shape: dict[str, dict] = {}

    def bucket(shape: str) -> dict:
        return by_shape.setdefault(shape, {"tp": 0, "fp": 0, "fn": 0})

    for item in items:
        gold = [_norm(n) for n in item.get("names", [])]
        shapes = {_norm(k): v for k, v in (item.get("shapes") or {}).items()}
        pred = [_norm(f.text) for f in find(item["text"]) if f.kind == "namn"]
        matched, missed, extra = _match(gold, pred)
        tp += len(matched)
        fp += len(extra)
        fn += len(missed)
        for g in matched:
            bucket(shapes.get(g, "unlabelled"))["tp"] += 1
        for g in missed:
            bucket(shapes.get(g, "unlabelled"))["fn"] += 1
            false_neg.append((item.get("id"), g))
        for p in extra:
            bucket(guess_shape(p))["fp"] += 1
            false_pos.append((item.get("id"), p))
    for b in by_shape.values():
        b["precision"] = b["tp"] / (b["tp"] + b["fp"]) if b["tp"] + b["fp"] else 1.0
        b["recall"] = b["tp"] / (b["tp"] + b["fn"]) if b["tp"] + b["fn"] else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "items": len(items), "tp": tp, "fp": fp, "fn": fn,
        "precision": precision, "recall": recall, "f1": f1, "by_shape": by_shape,
        "false_positives": false_pos, "false_negatives": false_neg,
    }
