"""Amounts of money in text or table cells, in tkr.

    parse_amount("1,2 mnkr") == 1200.0
    find_amounts("Läxhjälp 350 tkr och lärarlyftet 1,2 mnkr") -> [(item, 350.0, span), ...]

Units: tkr / tusen kronor (×1), mnkr / mkr / miljoner kronor (×1000), kr / kronor (÷1000).
A bare number in a table cell takes the unit of its column header ("Kostnad (tkr)"), tkr when
the header names none.
"""

from __future__ import annotations

import re

__all__ = ["parse_amount", "find_amounts", "unit_factor"]

_NUM = r"[-−–]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|[-−–]?\d+(?:[.,]\d+)?"
_UNIT = (
    r"tkr|tusen\s+kronor|tusental\s+kronor|mnkr|mkr|mdkr|miljoner\s+kronor|miljon\s+kronor|mn\s*kr|msek|"
    r"miljarder\s+kronor|kronor|kr|sek"
)
AMOUNT_RE = re.compile(rf"(?<![\w,.])(?P<num>{_NUM})\s*(?P<unit>{_UNIT})(?![\wåäö])", re.I)
_CELL_RE = re.compile(rf"^\s*(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?\s*$", re.I)


def unit_factor(unit: str | None, default: float = 1.0) -> float:
    """tkr per unit: tkr 1, mnkr 1000, kr 0.001; `default` when there is no unit."""
    if not unit:
        return default
    u = re.sub(r"\s+", " ", unit.lower())
    if u in ("tkr", "tusen kronor", "tusental kronor"):
        return 1.0
    if u in ("mnkr", "mkr", "miljoner kronor", "miljon kronor", "mn kr", "mnkr", "msek"):
        return 1000.0
    if u in ("mdkr", "miljarder kronor"):
        return 1_000_000.0
    if u in ("kr", "kronor", "sek"):
        return 0.001
    return default


def _number(text: str) -> float:
    t = re.sub(r"[ \u00a0\u202f]", "", text).replace("−", "-").replace("–", "-").replace(",", ".")
    return float(t)


def parse_amount(cell: str, default_factor: float = 1.0) -> float | None:
    """The amount in tkr of a cell that is only an amount ("1 550", "1,2 mnkr", "200 tkr"), else None."""
    m = _CELL_RE.match(cell or "")
    if not m:
        return None
    try:
        value = _number(m.group("num")) * unit_factor(m.group("unit"), default_factor)
    except ValueError:
        return None
    return round(value, 3)


# The words between an item and its amount ("Läxhjälp beräknas kosta cirka 350 tkr"), longest first
_TRAIL_WORDS = (r"har\s+en\s+budget\s+(?:på|om)", r"budgeteras\s+till", r"beräknas\s+(?:kosta|till|uppgå\s+till)",
                "beräknas", "budgeteras", "uppgår", "uppgick", "kostar", "kostade", "blir", "blev", "är", "var", "om",
                "till", "på", "med", "av", "för", "totalt", "sammanlagt", "cirka", r"ca\.?", "drygt", "knappt", "runt",
                "omkring", "beräknad", "beräknat", "kosta", "uppgå")
_ITEM_TRAIL_RE = re.compile(rf"(?:\s+(?:{'|'.join(_TRAIL_WORDS)}))+\s*$|[\s:–—=-]+$", re.I)
_CLAUSE_SPLIT_RE = re.compile(r"(?:[.;!?]\s+|,\s+|\s+och\s+|\s+samt\s+|\s+men\s+|\n)")
_BALANCE_RE = re.compile(r"\b(underskott|överskott)\s+(?:om|på|med)?\s*$", re.I)
_COPULA_RE = re.compile(r"^.*?\s(?:var|är|blev)\s+(?=\S)", re.I)


def find_amounts(text: str) -> list[tuple[str, float, tuple[int, int]]]:
    """Amounts written with a unit in running text: (item, amount_tkr, (start, end)) each.

    The item is what the clause before the amount names ("Läxhjälp", "Kostnaden för
    fortbildningen", "Värdegrundsdagarna" in "Värdegrundsdagarna beräknas kosta 12 000 kr"),
    without verbs such as "beräknas till"; a deficit ("ett underskott om 1,8 mnkr") is the item
    "underskott" with a negative amount. "" when nothing names it.
    """
    out: list[tuple[str, float, tuple[int, int]]] = []
    prev_end = 0
    for m in AMOUNT_RE.finditer(text or ""):
        try:
            value = _number(m.group("num")) * unit_factor(m.group("unit"))
        except ValueError:
            continue
        before = text[prev_end: m.start()]
        prev_end = m.end()
        parts = _CLAUSE_SPLIT_RE.split(before)
        clause = parts[-1] if parts else before
        if not clause.strip() and len(parts) > 1:
            clause = parts[-2]  # "Kostnaden, 320 tkr, …": the words before the comma
        if re.match(r"^\s*(?:vilket|som)\b", clause, re.I) and len(parts) > 1:
            clause = parts[-2]  # "X tillsätts inte, vilket beräknas ge 1,2 mnkr": X
        cost_of = re.search(r"\bkostnad(?:er|en|erna)?\s+för\s+(.+)$", clause, re.I)
        bal = _BALANCE_RE.search(clause)
        if bal:
            item = bal.group(1).lower()
            if item == "underskott" and value > 0:
                value = -value
        else:
            item = clause.strip()
            if cost_of and not re.match(r"^\s*kostnad", clause, re.I):
                item = cost_of.group(1)  # "Underskottet beror på högre kostnader för skolskjutsar"
            item = re.sub(r"\s+(?:beräknas|beror|visar|väntas|bedöms)\b.*$", "", item, flags=re.I)
            for _ in range(4):
                item = _ITEM_TRAIL_RE.sub("", item).strip()
            item = _COPULA_RE.sub("", item).strip(" :–-")
        if len(item) > 90:
            item = item[-90:].split(" ", 1)[-1]
        out.append((item, round(value, 3), (m.start(), m.end())))
    return out
