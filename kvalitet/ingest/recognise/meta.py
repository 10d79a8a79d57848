"""What a document says about itself: kind, title, year, läsår and period.

    find_dates(texts, metadata, path)  (year, year_source, school_year, period)
    doc_kind_from_title(text)           a kind from title words, or None

Years: a läsår ("läsåret 2016–2017", "2016/17") gives school_year "2016/17" and year = the end
year; a tertial or delår ("T3 2022", "tertial 2 2021", "delårsrapport augusti 2021") gives the
period and its year; else an explicit "verksamhetsplan 2022", "kvalitetsrapport 2020",
"Årsredovisning 2018"… near the top; else the most frequent year of the text. When the text
has none, the document's metadata (title, created date) and then the file name give it, and
`year_source` says which ("text", "metadata", "filename").
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePath

from kvalitet.domain.vocabulary import DOC_KIND_WORDS, MONTHS, fold

__all__ = ["find_dates", "doc_kind_from_title", "school_year_of", "period_of"]

_Y = r"(?:19|20)\d\d"
_SCHOOL_YEAR_RES = [
    re.compile(rf"\bläsår(?:et)?\s+({_Y})\s*[/–-]\s*((?:19|20)?\d\d)(?!\d)", re.I),
    re.compile(rf"(?<![\d/-])({_Y})\s*/\s*((?:19|20)?\d\d)(?![\d/])"),
]
_MONTH_ALT = "|".join(MONTHS)
_PERIOD_RES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b[Tt]([123])\s*[-–]?\s*({_Y})(?!\d)"), "T{0} {1}"),
    (re.compile(rf"\btertial(?:rapport|uppföljning|bokslut)?\s*([123])\s*[,-]?\s*(?:år\s+)?({_Y})(?!\d)", re.I), "T{0} {1}"),
    (re.compile(rf"\b({_Y})\s*[-–]?\s*[Tt]([123])\b"), "T{1} {0}"),
    (re.compile(rf"\bdelårs?(?:rapport|bokslut|uppföljning)?\s+(?:per\s+|t\.?o\.?m\.?\s+)?({_MONTH_ALT})\s+({_Y})", re.I),
     "delår {0} {1}"),
    (re.compile(rf"\bmånads(?:rapport|uppföljning)\s+(?:per\s+)?({_MONTH_ALT})\s+({_Y})", re.I), "{0} {1}"),
    (re.compile(rf"\bhelår(?:et)?\s+({_Y})(?!\d)", re.I), "helår {0}"),
]
# Words naming what a year is the year of ("Verksamhetsplan för 2023", "budgeten 2024")
_YEAR_OF_WORDS = ("verksamhetsplan", "kvalitetsrapport", "kvalitetsredovisning", "verksamhetsberättelse", "årsredovisning",
                  "handlingsplan", "delårsrapport", "årsberättelse", "bokslut", "budget", "verksamhetsår", "uppföljning",
                  "år", "årshjul", "aktivitetsplan", "arbetsplan")
_EXPLICIT_YEAR_RE = re.compile(
    rf"\b(?:{'|'.join(_YEAR_OF_WORDS)})(?:en|et)?\s+(?:för\s+)?(?:år\s+)?(?:{_MONTH_ALT}\s+)?({_Y})(?![\d/])", re.I)
_YEAR_RE = re.compile(rf"(?<![\d/-])({_Y})(?![\d])")
_NOT_THE_YEAR_RE = re.compile(
    rf"(?:\b(?:från|till|t\.o\.m\.?|tom|senast|inför|sedan|före)\s+(?:budget\s+|hösten\s+|våren\s+)?)({_Y})(?!\d)"
    rf"|\bdnr\b[^\n]{{0,20}}({_Y})|(?:sfs|sou|prop\.?)\s*({_Y})",
    re.I,
)


def school_year_of(text: str) -> tuple[str, int] | None:
    """("2016/17", 2017) for the first läsår written in `text`, else None."""
    for rx in _SCHOOL_YEAR_RES:
        for m in rx.finditer(text):
            y1 = int(m.group(1))
            tail = m.group(2)
            y2 = int(tail) if len(tail) == 4 else (y1 // 100) * 100 + int(tail)
            if y2 == y1 + 1:
                return f"{y1}/{str(y2)[-2:]}", y2
    return None


def period_of(text: str) -> tuple[str, int] | None:
    """("T3 2022", 2022) or ("delår augusti 2021", 2021) for the first period in `text`."""
    best: tuple[int, str, int] | None = None
    for rx, fmt in _PERIOD_RES:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            groups = [g.lower() if g and not g.isdigit() else g for g in m.groups()]
            year = int(next(g for g in m.groups() if g and re.fullmatch(_Y, g)))
            best = (m.start(), fmt.format(*groups), year)
    return (best[1], best[2]) if best else None


def _year_of_text(head: str, whole: str) -> int | None:
    title = head.split("\n", 1)[0]
    years = set(_YEAR_RE.findall(title))
    if len(years) == 1 and len(title) <= 160:
        return int(years.pop())  # the one year the title names
    for region in (head, whole):
        m = _EXPLICIT_YEAR_RE.search(region)
        if m:
            return int(m.group(1))
    masked = _NOT_THE_YEAR_RE.sub(" ", whole)
    counts = Counter(int(y) for y in _YEAR_RE.findall(masked) if 1990 <= int(y) <= 2099)
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def find_dates(texts: list[str], metadata: dict | None = None, path: str = "") -> dict:
    """The document's dates: {"year", "year_source", "school_year", "period"}.

    `texts` are the document's block texts in order (the first ones are its head: title,
    first headings). Never raises; a document without any year gets year None.
    """
    metadata = metadata or {}
    head = "\n".join(texts[:12])
    whole = "\n".join(texts)
    out: dict = {"year": None, "year_source": None, "school_year": None, "period": None}
    sy = school_year_of(head)
    per = period_of(head) or period_of(whole[:4000])
    if sy:
        out["school_year"], out["year"] = sy
    if per:
        out["period"] = per[0]
        if out["year"] is None:
            out["year"] = per[1]
    if out["year"] is None:
        out["year"] = _year_of_text(head, whole)
        if out["year"] is None:
            sy2 = school_year_of(whole)
            if sy2:
                out["school_year"], out["year"] = sy2
    if out["year"] is not None:
        out["year_source"] = "text"
        return out
    for key in ("title", "subject", "created", "modified"):
        value = str(metadata.get(key) or "")
        sy = school_year_of(value)
        if sy:
            out["school_year"], out["year"], out["year_source"] = sy[0], sy[1], "metadata"
            return out
        m = _YEAR_RE.search(value)
        if m:
            out["year"], out["year_source"] = int(m.group(1)), "metadata"
            return out
    name = PurePath(path).name if path else ""
    if name:
        sy = school_year_of(name.replace("_", " ").replace("-", "/", 0))
        m = re.search(rf"(?<!\d)({_Y})(?:[-_]?((?:19|20)?\d\d))?(?!\d)", name)
        if sy:
            out["school_year"], out["year"], out["year_source"] = sy[0], sy[1], "filename"
        elif m:
            y1 = int(m.group(1))
            tail = m.group(2)
            y2 = None
            if tail:
                y2 = int(tail) if len(tail) == 4 else (y1 // 100) * 100 + int(tail)
            if y2 == y1 + 1:
                out["school_year"], out["year"] = f"{y1}/{str(y2)[-2:]}", y2
            else:
                out["year"] = y1
            out["year_source"] = "filename"
    return out


def doc_kind_from_title(text: str) -> str | None:
    """A document kind from title words ("Delårsrapport augusti 2021" -> "delarsrapport")."""
    folded = _ascii(fold(text))
    for pattern, kind in DOC_KIND_WORDS:
        if re.search(pattern, folded):
            return kind
    return None


def _ascii(s: str) -> str:
    return s.replace("å", "a").replace("ä", "a").replace("ö", "o").replace("é", "e")
