"""Reading figures as reports write them: "84 %", "29,1 %", ">80", "≥ 85 %", "231,5 poäng", "12 st".

Swedish reports write decimals with a comma, thousands with a space (also NBSP/thin space),
percent with or without a space, and targets with a comparison ("minst 85 %", ">80", "≥ 90").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number as written: optional sign, digits with space-separated thousands, comma or point decimals.
_NUMBER = re.compile(r"(?<![\w,.])([-−–]?\s?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|[-−–]?\s?\d+(?:[.,]\d+)?)(?![\w])")
_COMPARATORS = (
    (re.compile(r"^\s*(?:≥|>=|minst|lägst|över eller lika med)\s*", re.I), ">="),
    (re.compile(r"^\s*(?:≤|<=|högst|max(?:imalt)?)\s*", re.I), "<="),
    (re.compile(r"^\s*(?:>|över|mer än|fler än)\s*", re.I), ">"),
    (re.compile(r"^\s*(?:<|under|mindre än|färre än)\s*", re.I), "<"),
)
UNITS = ("%", "poäng", "antal", "kr", "dagar", "timmar")


@dataclass(frozen=True)
class Figure:
    """A figure read from a cell or phrase: `value` (float), `unit` (one of UNITS or None),
    `comparator` (">=", "<=", ">", "<" or None; targets only), `raw` (as written)."""

    value: float
    unit: str | None
    comparator: str | None
    raw: str


def parse_number(text: str) -> float | None:
    """The first number in `text` as a float ("29,1" → 29.1, "1 200" → 1200.0), else None."""
    m = _NUMBER.search(text or "")
    if not m:
        return None
    s = re.sub(r"[ \u00a0\u202f]", "", m.group(1)).replace("−", "-").replace("–", "-").replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def unit_of(text: str, indicator: str = "") -> str | None:
    """The unit a figure is in, from the figure's own text first, then from the indicator's name.

    "84 %" → "%"; "Andel elever …" → "%"; "Meritvärde …" / "… poäng" → "poäng"; "Antal …" / "st" →
    "antal"; "kr"/"kronor" → "kr". None when nothing says.
    """
    t = (text or "").lower()
    if "%" in t or "procent" in t:
        return "%"
    if "poäng" in t:
        return "poäng"
    if re.search(r"\b(?:kr|kronor|tkr)\b", t):
        return "kr"
    if re.search(r"\b(?:st|stycken|antal)\b", t):
        return "antal"
    name = (indicator or "").lower()
    if re.search(r"\bandel(?:en)?\b|\bprocent|\(%\)|%", name):
        return "%"
    if "meritvärde" in name or "poäng" in name:
        return "poäng"
    if re.search(r"\bkostnad|\bkr\b|kronor", name):
        return "kr"
    if re.search(r"\bantal(?:et)?\b", name):
        return "antal"
    return None


def parse_figure(text: str | None, indicator: str = "") -> Figure | None:
    """A cell's figure with unit and comparator, or None when the cell holds no number.

    Targets: "minst 85 %" → Figure(85.0, "%", ">=", …); ">80" → Figure(80.0, None or the
    indicator's unit, ">", …). Raises nothing: text without a number gives None.
    """
    if not text or not text.strip():
        return None
    raw = text.strip()
    comparator = None
    rest = raw
    for pattern, op in _COMPARATORS:
        m = pattern.match(rest)
        if m:
            comparator, rest = op, rest[m.end():]
            break
    value = parse_number(rest)
    if value is None:
        return None
    return Figure(value=value, unit=unit_of(raw, indicator), comparator=comparator, raw=raw)


def format_value(value: float, unit: str | None) -> str:
    """Swedish notation: 84.0, "%" → "84 %"; 29.1 → "29,1 %"; 1200 → "1 200"."""
    if abs(value - round(value)) < 1e-9:
        s = f"{int(round(value)):,}".replace(",", "\u00a0")
    else:
        s = f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")
    if unit == "%":
        return f"{s}\u00a0%"
    if unit in ("poäng", "kr", "dagar", "timmar"):
        return f"{s}\u00a0{unit}"
    return s


def meets(value: float, target: float, comparator: str | None, higher_is_better: bool = True) -> bool:
    """Whether `value` reaches `target` under the target's comparator (default: at least)."""
    op = comparator or (">=" if higher_is_better else "<=")
    return {">=": value >= target, ">": value > target, "<=": value <= target, "<": value < target}[op]
