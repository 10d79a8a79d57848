"""Generic recognition: records from a Document's blocks, whatever the layout.

    recognise_blocks(doc, warnings) -> list[Record]

- Sections follow the heading hierarchy; a section's kind comes from its heading
  (vocabulary.SECTION_HEADING_WORDS). Paragraphs and list items under a heading become records
  of that kind (cut at about 1,500 characters, at block boundaries).
- Tables become records through their header row (vocabulary.header_field): activity rows
  (`aktivitet`), goal–indicator–outcome rows (`indikator`), Månad/Aktivitet/Ansvarig rows
  (`process`), amount columns (`kostnad`). A table whose header maps to nothing gives one
  record per row with the header text beside each cell.
- Numbered and labelled blocks ("1. Aktivitet" + its text, "2. Utvecklingsområde: X",
  "Insats:", "Ansvarig:", "Kostnad:") open an activity; the Uppföljning/Analys sections under
  it are linked to it (`activity`).
- Planning-system rows ("uppdrag text (BUN)" or "(Tekniska nämnden) . uppdrag text", then a
  comment) become activity records with committee, comment and the status the comment states.
- Amounts with a unit anywhere (tkr, mnkr, miljoner kronor, kr) become `kostnad` records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kvalitet.domain.types import Record
from kvalitet.domain.vocabulary import (
    MONTHS,
    MORE_PERSPECTIVES,
    PERSPECTIVES,
    SECTION_HEADING_WORDS,
    fold,
    header_field,
    is_committee,
    normalise_committee,
    normalise_status,
    status_in_text,
)
from kvalitet.ingest.model import Block, Document
from kvalitet.ingest.recognise.amounts import AMOUNT_RE, find_amounts, parse_amount, unit_factor

__all__ = ["recognise_blocks", "section_kind_of", "perspective_of", "table_records"]

MAX_CHARS = 1500
SUB_KINDS = {"uppfoljning", "analys", "kommentar"}
# Formats whose headings are judged from line shapes (kvalitet.ingest.recognise.textblocks), so
# every unnumbered heading has the same level and a heading's depth cannot be read from it.
_JUDGED = ("text/plain", "application/pdf")


def section_kind_of(title: str) -> str:
    """The section kind a heading names ("Risker och hinder" -> "risk"), else "text"."""
    t = fold(re.sub(r"^\s*\d+(?:\.\d+)*\.?\s*", "", title))
    for pattern, kind in SECTION_HEADING_WORDS:
        if re.search(pattern, t):
            return kind
    return "text"


def perspective_of(title: str) -> str | None:
    """A perspective heading ("Medborgare", "MEDARBETARE", "Perspektiv: Ekonomi") as written."""
    t = re.sub(r"^(?:perspektiv(?:et)?\s*[:–-]?\s*)", "", title.strip().rstrip(":"), flags=re.I).strip()
    for p in PERSPECTIVES + MORE_PERSPECTIVES:
        if fold(t) == fold(p):
            return p
    if re.match(r"^perspektiv(?:et)?\s*[:–-]\s*\S", title.strip(), re.I):
        return t
    return None


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\u00ad", "")).strip()


def labelled_text(parts: Sequence[tuple[str, str | None]], normalise: Callable[[str], str] = _clean) -> str:
    """ "Aktivitet: X. Status: Y." from (label, value) pairs: each value passed through `normalise`
    (by default whitespace collapsed and soft hyphens dropped), a full stop added where it has no
    end mark, an empty label giving the value alone; empty values are left out."""
    out: list[str] = []
    for label, value in parts:
        v = normalise(value or "")
        if not v:
            continue
        if v[-1] not in ".!?…":
            v += "."
        out.append(f"{label}: {v}" if label else v)
    return " ".join(out)


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    """What the blocks above a record say: its section and the activity it belongs to."""

    title: str | None = None
    kind: str = "text"
    level: int = 0
    perspective: str | None = None
    activity: str | None = None
    activity_level: int = 0
    activity_title: str | None = None
    activity_kind: str = "aktivitet"
    pending_activity: bool = False  # "1. Aktivitet" heading: the next paragraph is the activity
    goal: str | None = None  # "Nämndmål: X" above a table
    municipal_goal: str | None = None  # "Kommunövergripande mål: X" above a table


def _header_map(header: list[str]) -> tuple[dict[int, str], dict[int, str | None]]:
    fields: dict[int, str] = {}
    periods: dict[int, str | None] = {}
    used: set[str] = set()
    for i, cell in enumerate(header):
        f, period = header_field(cell)
        if f is None:
            continue
        # A second Mål column after a goal column is a target ("Mål 2023" beside "Utfall 2023").
        if f == "goal" and ("outcome" in used or any(_PERIOD_HEADER_RE.match(h.strip()) for h in header[:i])):
            f = "target"  # "Mål" after the outcome columns: the target level
        if f in used and f not in ("outcome", "amount"):
            if f == "goal" and "outcome" in used:
                f = "target"
            elif f == "comment":
                pass
            else:
                continue
        fields[i] = f
        periods[i] = period
        used.add(f)
    if "indicator" in used or ("outcome" in used and "activity" not in used):
        for i, f in list(fields.items()):
            if f == "deadline" and fold(header[i]).startswith("tidplan"):
                continue
    return fields, periods


def _source(doc: Document, start: int, end: int):
    return doc.source(start, end)


def _pending_activity(ctx: _Ctx, doc: Document, b: Block, text: str) -> Record:
    """The activity named on its own line after an "Aktivitet" heading: its record, and the
    context now inside it."""
    ctx.activity = text
    ctx.pending_activity = False
    return Record(section_kind=ctx.activity_kind, text=text, title=ctx.title, activity=text,
                  perspective=ctx.perspective, source=_source(doc, b.line_start, b.line_end))


def table_records(doc: Document, block: Block, ctx: _Ctx, warnings: list[str]) -> list[Record]:
    """Records of one table block (see the module docstring)."""
    rows = [[_clean(c) for c in r] for r in (block.rows or [])]
    if not rows:
        return []
    header_rows = block.header_rows
    if header_rows == 0:
        f0, _ = _header_map(rows[0])
        cells = [c for c in rows[0] if c]
        if len(f0) >= 2 or (len(f0) == 1 and len(rows[0]) == 1) or (
            len(f0) == 1 and len(rows) > 1 and all(len(c) < 40 and not c.endswith(".") for c in cells)
        ):
            header_rows = 1
    header = _joined_header(rows[:header_rows]) if header_rows else []
    body = rows[header_rows:]
    fields, periods = _header_map(header) if header else ({}, {})
    kinds = set(fields.values())
    line0 = block.line_start + header_rows

    def src(i: int):
        ln = min(line0 + i, block.line_end) if block.line_end >= block.line_start else block.line_start
        if block.line_end - block.line_start + 1 != len(rows):
            return _source(doc, block.line_start, block.line_end)
        return _source(doc, ln, ln)

    out: list[Record] = []
    if "month" in kinds and ("activity" in kinds or "responsible" in kinds) and ctx.kind == "tidplan":
        # A timetable of a plan (När/Vad/Vem under "Tidplan"): activities with their deadline.
        for i, row in enumerate(body):
            v = {f: row[c] for c, f in fields.items() if c < len(row) and row[c]}
            if not v.get("activity") or _is_header_repeat(row, header):
                continue
            out.append(Record(
                section_kind="aktivitet",
                text=labelled_text([("Aktivitet", v.get("activity")), ("Ansvarig", v.get("responsible")),
                                ("Klart", v.get("month"))]),
                title=ctx.title, activity=v.get("activity"), responsible=v.get("responsible"),
                deadline=v.get("month"), source=src(i),
            ))
        return out
    if "month" in kinds and ("activity" in kinds or "responsible" in kinds):
        for i, row in enumerate(body):
            v = {f: row[c] for c, f in fields.items() if c < len(row) and row[c]}
            if not v.get("activity") and not v.get("responsible"):
                continue
            if _is_header_repeat(row, header):
                continue
            out.append(Record(
                section_kind="process",
                text=labelled_text([("När", v.get("month")), ("Vem", v.get("responsible")), ("Vad", v.get("activity"))]),
                title=ctx.title, month=v.get("month"), responsible=v.get("responsible"),
                role=v.get("responsible"), activity=v.get("activity"), source=src(i),
            ))
        return out
    cost_table = _is_cost_table(header, body, fields)
    if not cost_table and ("indicator" in kinds or ("outcome" in kinds and "activity" not in kinds and "amount" not in kinds)):
        out.extend(_indicator_rows(doc, header, body, fields, periods, ctx, src))
        return out
    if "activity" in kinds and not cost_table:
        goal = ctx.goal
        muni = ctx.municipal_goal
        for i, row in enumerate(body):
            if _is_header_repeat(row, header):
                continue
            v = {f: row[c] for c, f in fields.items() if c < len(row) and row[c]}
            if "goal" in v:
                goal = v["goal"]
            if "municipal_goal" in v:
                muni = v["municipal_goal"]
            act = v.get("activity")
            if not act:
                continue
            raw_status = v.get("status") or (v.get("assessment") if "status" not in fields.values() else None)
            status, assessment = normalise_status(raw_status)
            if raw_status and not status and not assessment:
                status = None
            if v.get("assessment") and not assessment:
                _, assessment = normalise_status(v.get("assessment"))
            if not status and not raw_status and v.get("comment"):
                status, _ = status_in_text(v.get("comment"))
            committee = normalise_committee(v.get("committee")) if v.get("committee") else None
            responsible = v.get("responsible")
            if committee is None and responsible and "committee" not in kinds and re.search(
                    r"nämnd|styrelse", responsible, re.I) and is_committee(responsible):
                committee = normalise_committee(responsible)
            amount = None
            for c, f in fields.items():
                if f == "amount" and c < len(row) and row[c]:
                    amount = parse_amount(row[c], unit_factor(_unit_of(header[c]), 1.0))
                    if amount is not None:
                        break
            out.append(Record(
                section_kind="aktivitet" if ctx.kind not in ("insats",) or "goal" in kinds else "aktivitet",
                text=labelled_text([
                    ("Aktivitet", act), ("Mål", v.get("goal") or goal), ("Kommunövergripande mål", muni),
                    ("Perspektiv", ctx.perspective), ("Nämnd", v.get("committee")), ("Ansvarig", responsible),
                    ("Klart", v.get("deadline")), ("Status", raw_status), ("Kommentar", v.get("comment")),
                ]),
                title=ctx.title, activity=act, goal=v.get("goal") or goal, municipal_goal=muni,
                perspective=ctx.perspective or (v.get("perspective")), committee=committee,
                responsible=responsible, deadline=v.get("deadline"), status=status, status_raw=raw_status,
                assessment=assessment, comment=v.get("comment"), amount_tkr=amount, source=src(i),
            ))
        return out
    if cost_table:
        out.extend(_cost_rows(header, body, fields, ctx, src))
        if out:
            return out
    # No header that maps: one passage per row, with the header text beside each cell.
    kind = ctx.kind if ctx.kind not in ("aktivitet",) else "text"
    for i, row in enumerate(body if header else rows):
        cells = [c for c in row if c]
        if not cells:
            continue
        if header:
            text = labelled_text([(header[c] if c < len(header) and header[c] else "", row[c])
                              for c in range(len(row)) if row[c]])
        else:
            text = " | ".join(cells)
        rec = Record(section_kind=kind, text=text, title=ctx.title, activity=ctx.activity,
                     source=src(i) if header else _source(doc, min(block.line_start + i, block.line_end),
                                                          min(block.line_start + i, block.line_end)))
        out.append(rec)
        for item, amount, _ in find_amounts(" ".join(cells)):
            out.append(Record(section_kind="kostnad", text=text, title=ctx.title, item=item or cells[0],
                              amount_tkr=amount, source=rec.source))
    return out


_PERIOD_HEADER_RE = re.compile(
    r"^(?:(?:utfall|resultat|värde|mätning)\s+)?((?:t[123]|q[1-4]|ht|vt|delår|helår)?\s*-?\s*(?:19|20)\d\d(?:\s*[/–-]\s*\d{2,4})?)"
    r"(?:\s*\(.*\))?$", re.I)
_NUMERIC_CELL_RE = re.compile(r"^[-−–]?\s*\d[\d\s\u00a0]*(?:[.,]\d+)?\s*(?:tkr|mnkr|mkr|kr)?$", re.I)


def _outcome_columns(header: list[str], fields: dict[int, str], periods: dict[int, str | None]) -> list[tuple[int, str | None]]:
    """(column, period as headed) of every outcome column: "Utfall 2022", "T1 2023", "2021/22"."""
    cols: list[tuple[int, str | None]] = []
    for c, cell in enumerate(header):
        f = fields.get(c)
        if f == "outcome":
            cols.append((c, periods.get(c)))
        elif f is None:
            m = _PERIOD_HEADER_RE.match(cell.strip())
            if m:
                cols.append((c, " ".join(m.group(1).split())))
    return cols


def _norm_period(p: str | None) -> str | None:
    if not p:
        return None
    p = " ".join(p.split())
    m = re.match(r"^([tTqQ])\s*([1-4])\s*-?\s*(\d{4})$", p)
    if m:
        return f"{m.group(1).upper()}{m.group(2)} {m.group(3)}"
    m = re.match(r"^((?:19|20)\d\d)\s*[/–-]\s*(\d{2,4})$", p)
    if m:
        return f"{m.group(1)}/{m.group(2)[-2:]}"
    return p


def _indicator_rows(doc, header, body, fields, periods, ctx, src) -> list[Record]:
    out: list[Record] = []
    outcome_cols = _outcome_columns(header, fields, periods)
    goal = ctx.goal
    for i, row in enumerate(body):
        if _is_header_repeat(row, header):
            continue
        v = {f: row[c] for c, f in fields.items() if c < len(row) and row[c] and f != "outcome"}
        if v.get("goal"):
            goal = v["goal"]
        indicator = v.get("indicator")
        if not indicator:
            unmapped = [row[c] for c in range(len(row)) if c not in fields and row[c]
                        and c not in {oc for oc, _ in outcome_cols}]
            indicator = unmapped[0] if unmapped else None
        values = [(c, p) for c, p in outcome_cols if c < len(row) and row[c]]
        if not indicator or not values:
            continue
        raw_assessment = v.get("assessment") or v.get("status")
        assessment = None
        if raw_assessment:
            _, colour = normalise_status(raw_assessment)
            assessment = colour or raw_assessment
        for k, (c, period) in enumerate(values):
            last = k == len(values) - 1
            out.append(Record(
                section_kind="indikator",
                text=labelled_text([
                    ("Mål", v.get("goal") or goal), ("Indikator", indicator),
                    (f"Utfall {period}" if period else "Utfall", row[c]),
                    ("Målnivå", v.get("target") if last else None), ("Bedömning", raw_assessment if last else None),
                    ("Kommentar", v.get("comment") if last else None), ("Perspektiv", ctx.perspective or v.get("perspective")),
                ]),
                title=ctx.title, goal=v.get("goal") or goal, indicator=indicator, outcome=row[c],
                target=v.get("target") if last else None, assessment=assessment if last else None,
                status_raw=raw_assessment if last else None, comment=v.get("comment") if last else None,
                period=_norm_period(period), perspective=ctx.perspective or v.get("perspective"), source=src(i),
            ))
    return out


def _is_cost_table(header: list[str], body: list[list[str]], fields: dict[int, str]) -> bool:
    """A table of amounts: an amount column, or a unit in the header, and numbers in the body."""
    values = set(fields.values())
    if not header or "indicator" in values:
        return False
    if "activity" in values and values & {"status", "deadline", "responsible", "goal", "committee", "comment"}:
        return False
    unit = any(_unit_of(h) for h in header)
    amount_col = "amount" in fields.values()
    if not (unit or amount_col):
        return False
    numeric = [c for c in range(1, len(header)) if _numeric_column(body, c)]
    return bool(numeric)


def _numeric_column(body: list[list[str]], c: int) -> bool:
    cells = [r[c] for r in body if c < len(r) and r[c]]
    return bool(cells) and sum(1 for x in cells if _NUMERIC_CELL_RE.match(x.strip())) >= 0.6 * len(cells)


def _cost_rows(header, body, fields, ctx, src) -> list[Record]:
    out: list[Record] = []
    table_unit = next((u for u in (_unit_of(h) for h in header) if u), None) or _unit_of(ctx.title or "")
    item_col = next((c for c, f in fields.items() if f in ("item", "activity")), None)
    if item_col is None:
        item_col = next((c for c in range(len(header)) if not _numeric_column(body, c)), 0)
    amount_cols = [c for c in range(len(header)) if c != item_col and _numeric_column(body, c)]
    for i, row in enumerate(body):
        if _is_header_repeat(row, header):
            continue
        item = row[item_col] if item_col < len(row) else ""
        if not item:
            continue
        for c in amount_cols:
            if c >= len(row) or not row[c]:
                continue
            factor = unit_factor(_unit_of(header[c]) or table_unit, 1.0)
            amount = parse_amount(row[c].replace("−", "-"), factor)
            if amount is None:
                continue
            col = header[c]
            out.append(Record(
                section_kind="kostnad", text=labelled_text([("", f"{item}: {row[c]}" + (f" ({col})" if col else ""))]),
                title=ctx.title, item=item, amount_tkr=amount, column=col or None, source=src(i),
            ))
    return out


def _joined_header(rows: list[list[str]]) -> list[str]:
    """One header from several header rows: "Utfall" over "T1 2022" -> "Utfall T1 2022"."""
    if len(rows) == 1:
        return rows[0]
    width = max(len(r) for r in rows)
    out = []
    for c in range(width):
        parts: list[str] = []
        for r in rows:
            v = r[c] if c < len(r) else ""
            if v and v not in parts:
                parts.append(v)
        out.append(" ".join(parts))
    return out


def _unit_of(header: str) -> str | None:
    m = re.search(r"\b(tkr|mnkr|mkr|kr|kronor|tusen kronor|miljoner kronor)\b", header or "", re.I)
    return m.group(1) if m else None


def _is_header_repeat(row: list[str], header: list[str]) -> bool:
    return bool(header) and [fold(c) for c in row] == [fold(c) for c in header]


# ------------------------------------------------------------------------------------------
# Labelled blocks, planning rows
# ------------------------------------------------------------------------------------------

_LABEL_FIELD = {
    "insats": "activity", "insatser": "activity", "åtgärd": "activity", "åtgärder": "activity",
    "aktivitet": "activity", "uppdrag": "activity", "utvecklingsområde": "activity",
    "ansvarig": "responsible", "ansvar": "responsible", "kostnad": "amount", "kostnader": "amount",
    "budget": "amount", "status": "status", "kommentar": "comment", "tidplan": "deadline", "klart": "deadline",
    "mål": "goal", "nämndmål": "goal", "indikator": "indicator", "utfall": "outcome", "målnivå": "target",
    "målvärde": "target", "bedömning": "assessment", "perspektiv": "perspective", "nämnd": "committee",
    "uppföljning": "uppfoljning", "analys": "analys", "resultat": "uppfoljning", "risk": "risk", "risker": "risk",
}
_LABEL_RE = re.compile(r"^\s*([A-Za-zÅÄÖåäö]+)\s*:\s*(.*)$", re.S)
# A heading that starts an activity ("3. Aktivitet: X", "Uppdrag/aktivitet 2", "Insats – X")
_ACTIVITY_WORDS = ("aktivitet", r"uppdrag(?:\s*/\s*aktivitet)?", "utvecklingsområde", "insats", "åtgärd")
_ACTIVITY_HEAD_RE = re.compile(rf"^\s*(?:(\d{{1,2}})(?:\.\d+)*\s*[.):]?\s*)?({'|'.join(_ACTIVITY_WORDS)})"
                               r"(?:\s*(?:\d{1,2})?\s*[:–-]\s*(.*)|\s*(\d{1,2})?\s*)$", re.I)
_NUMBERED_RE = re.compile(r"^\s*(\d{1,2})(?:\.\d+)*\s*[.)]?\s+(\S.*)$")
_PLAN_TAIL_RE = re.compile(r"^(?P<text>.{8,400}?)\s*\((?P<c>[^()]{2,60})\)\s*\.?\s*$", re.S)
_PLAN_HEAD_RE = re.compile(r"^\s*\((?P<c>[^()]{2,60})\)\s*\.?\s*(?P<text>.*)$", re.S)


def _label(text: str) -> tuple[str, str] | None:
    text = re.sub(r"^\s*(?:\*\*|__)([^*_:]{2,40}):?(?:\*\*|__)\s*:?\s*", r"\1: ", text)
    m = _LABEL_RE.match(text)
    if not m:
        return None
    f = _LABEL_FIELD.get(m.group(1).lower())
    return (f, _clean(m.group(2))) if f else None


def _plan_row(text: str) -> tuple[str, str] | None:
    """(committee as written, uppdrag text) of a planning-system row, else None."""
    t = _clean(text)
    m = _PLAN_TAIL_RE.match(t)
    if m and is_committee(m.group("c")):
        return m.group("c").strip(), m.group("text").strip()
    m = _PLAN_HEAD_RE.match(t)
    if m and is_committee(m.group("c")):
        return m.group("c").strip(), m.group("text").strip()
    return None


# ------------------------------------------------------------------------------------------
# The walk
# ------------------------------------------------------------------------------------------


@dataclass
class _Section:
    ctx: _Ctx
    blocks: list[Block] = field(default_factory=list)


def _split_labelled(blocks: list[Block]) -> list[Block]:
    """A paragraph of several "Label: value" lines (Markdown "**Insats:** …  " lines) as one
    paragraph per line, each citing its own line when the lines can be told apart."""
    out: list[Block] = []
    for b in blocks:
        parts = [p for p in b.text.split("\n") if p.strip()] if b.kind == "paragraph" else []
        if len(parts) >= 2 and sum(1 for p in parts if _label(p.strip())) >= 2:
            own_lines = b.line_end - b.line_start + 1 >= len(parts)
            for k, p in enumerate(parts):
                ln = b.line_start + k if own_lines else b.line_start
                out.append(Block(kind="paragraph", text=p.strip(), line_start=ln, line_end=ln if own_lines else b.line_end,
                                 page=b.page, page_end=b.page_end, style=b.style))
        else:
            out.append(b)
    return out


_GOAL_LINE_RE = re.compile(r"^(kommunövergripande mål|nämndmål|nämndens mål|strategiskt mål|mål)\s*:\s*(\S.*)$", re.I)
_MONTH_ITEM_RE = re.compile(
    r"^(?P<month>(?:" + "|".join(MONTHS) + r")(?:\s*[–-]\s*(?:" + "|".join(MONTHS) + r"))?)\s*:\s*(?P<rest>.+)$", re.I)


def recognise_blocks(doc: Document, warnings: list[str]) -> list[Record]:
    """Records of a document's blocks, in document order (see the module docstring)."""
    blocks = _split_labelled(doc.blocks)
    records: list[Record] = []
    ctx = _Ctx()
    stack: list[tuple[int, str, str]] = []  # (level, title, kind) of open headings
    pending: list[Block] = []  # body blocks of the current section
    plan_rows = sum(1 for b in blocks if b.kind in ("heading", "paragraph") and _plan_row(b.text))
    # A heading is a perspective ("Medborgare", "Ekonomi") when the document has several, or
    # when a table follows it; else "Ekonomi" is a section about money.
    persp_heads = {perspective_of(b.text) for b in blocks if b.kind == "heading"} - {None}
    table_after = {i for i, b in enumerate(blocks[:-1]) if b.kind == "heading" and blocks[i + 1].kind == "table"}
    plan: Record | None = None
    labelled: dict | None = None

    def flush_text() -> None:
        nonlocal pending
        if pending:
            records.extend(_section_records(doc, pending, ctx))
        pending = []

    def flush_labelled() -> None:
        nonlocal labelled
        if labelled:
            records.extend(_labelled_records(doc, labelled, ctx, records))
        labelled = None

    def flush_plan() -> None:
        nonlocal plan
        if plan is not None:
            if plan.comment and not plan.status:
                plan.status, _ = status_in_text(plan.comment)
            plan.text = labelled_text([("Uppdrag", plan.activity), ("Nämnd", plan.committee),
                                   ("Kommentar", plan.comment)])
            records.append(plan)
        plan = None

    i = 0
    while i < len(blocks):
        b = blocks[i]
        text = _clean(b.text)
        if plan_rows >= 2 and b.kind in ("heading", "paragraph", "list_item"):
            pr = _plan_row(b.text)
            if pr is None and plan is None and re.fullmatch(r"\((?P<c>[^()]{2,60})\)\s*\.?", text) is None:
                pass
            if pr is not None:
                flush_text()
                flush_labelled()
                flush_plan()
                committee, act = pr
                end = b
                if not act and i + 1 < len(blocks) and blocks[i + 1].kind in ("paragraph", "heading"):
                    i += 1
                    end = blocks[i]
                    act = _clean(end.text)
                plan = Record(section_kind="aktivitet", text="", title=ctx.title, activity=act,
                              committee=normalise_committee(committee), perspective=ctx.perspective,
                              period=None, source=_source(doc, b.line_start, end.line_end))
                i += 1
                continue
            if plan is not None and b.kind in ("paragraph", "list_item"):
                plan.comment = _clean(f"{plan.comment or ''} {text}")
                plan.source = _source(doc, plan.source.line_start, b.line_end)
                i += 1
                continue
        gm = _GOAL_LINE_RE.match(text) if (b.kind == "heading" or (
            b.kind == "paragraph" and labelled is None and re.match(r"(?i)kommunövergripande|nämndmål", text)
        )) and len(text) < 300 else None
        if gm:
            if gm.group(1).lower().startswith("kommun"):
                ctx.municipal_goal, ctx.goal = gm.group(2).strip(), None
            else:
                ctx.goal = gm.group(2).strip()
            if b.kind == "paragraph":
                flush_text()
                flush_labelled()
                flush_plan()
                i += 1
                continue
        if b.kind == "heading" and ctx.pending_activity and section_kind_of(text) not in SUB_KINDS \
                and not _ACTIVITY_HEAD_RE.match(text) and not _NUMBERED_RE.match(text):
            # "1. Aktivitet" then the activity's text on a short line of its own.
            records.append(_pending_activity(ctx, doc, b, text))
            i += 1
            continue
        if b.kind == "heading":
            flush_text()
            flush_labelled()
            flush_plan()
            level = b.level or 2
            while stack and stack[-1][0] >= level:
                stack.pop()
            if not gm:
                if ctx.goal and level <= ctx.level:
                    ctx.goal = None
                if perspective_of(text):
                    ctx.municipal_goal = ctx.goal = None
            title = re.sub(r"^\s*\d+(?:\.\d+)*\s*[.)]?\s+", "", text) if _NUMBERED_RE.match(text) else text
            kind = section_kind_of(text)
            persp = perspective_of(text)
            if persp and (len(persp_heads) >= 2 or i in table_after or fold(text).startswith("perspektiv")):
                ctx.perspective = persp
                kind = "text"
            am = _ACTIVITY_HEAD_RE.match(text)
            nm = _NUMBERED_RE.match(text)
            parent_kind = ctx.kind if ctx.activity is None else ctx.activity_kind
            if am:
                ctx.activity_level = level
                ctx.activity_title = text
                named = _clean(am.group(3) or "")
                word = am.group(2).lower()
                ctx.activity_kind = "insats" if word in ("insats", "åtgärd") else "aktivitet"
                if named:
                    ctx.activity = named
                    ctx.pending_activity = False
                    records.append(Record(section_kind=ctx.activity_kind, text=labelled_text([(am.group(2).capitalize(), named)]),
                                          title=text, activity=named, perspective=ctx.perspective,
                                          source=_source(doc, b.line_start, b.line_end)))
                else:
                    ctx.activity = None
                    ctx.pending_activity = True
                ctx.title, ctx.kind, ctx.level = text, ctx.activity_kind, level
                stack.append((level, text, kind))
                i += 1
                continue
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if nxt is not None and nxt.kind == "heading" and section_kind_of(_clean(nxt.text)) in SUB_KINDS \
                    and ((nxt.level or 2) > level or ((nm or doc.media_type in _JUDGED) and (nxt.level or 2) >= level)) \
                    and section_kind_of(text) not in SUB_KINDS and not am and level >= 2 \
                    and any(bb.kind == "heading" for bb in blocks[:i]):
                # "4.1 Språkutveckling med stöd av TAKK" with Uppföljning and Analys under it.
                ctx.activity = title
                ctx.activity_level = level
                ctx.activity_title = text
                ctx.activity_kind = "aktivitet"
                ctx.pending_activity = False
                records.append(Record(section_kind="aktivitet", text=title, title=text, activity=title,
                                      perspective=ctx.perspective, source=_source(doc, b.line_start, b.line_end)))
                ctx.title, ctx.kind, ctx.level = text, "aktivitet", level
                stack.append((level, text, "aktivitet"))
                i += 1
                continue
            if nm and (parent_kind == "insats" or (ctx.activity is not None and ctx.activity_kind == "insats")) \
                    and kind in ("text", "insats") and not am:
                # "1. Ökad närvaro" under "Prioriterade utvecklingsområden": an insats.
                ctx.activity = title
                ctx.activity_level = level
                ctx.activity_title = text
                ctx.activity_kind = "insats"
                ctx.pending_activity = False
                ctx.title, ctx.kind, ctx.level = text, "insats", level
                stack.append((level, text, "insats"))
                i += 1
                continue
            if ctx.activity is not None or ctx.pending_activity:
                keep = (kind in SUB_KINDS and level >= ctx.activity_level) or level > ctx.activity_level
                if not keep:
                    ctx.activity = None
                    ctx.pending_activity = False
            stack.append((level, text, kind))
            ctx.title = text
            ctx.level = level
            if kind == "text":
                # A heading without a kind of its own takes the kind of the section it is in.
                kind = next((k for _, _, k in reversed(stack[:-1]) if k != "text"), "text")
                if kind == "aktivitet":
                    kind = "text"
                parent = stack[-2][1] if len(stack) >= 2 else ""
                if kind == "text" and re.search(r"verksamhetens utveckling|verksamhetsområden|verksamheterna",
                                                fold(parent)):
                    kind = "uppfoljning"  # "Verksamhetens utveckling" › "Förskola": how each area went
            ctx.kind = kind
            i += 1
            continue
        if b.kind == "table":
            flush_text()
            flush_labelled()
            flush_plan()
            records.extend(table_records(doc, b, ctx, warnings))
            i += 1
            continue
        # paragraph or list item
        mi = _MONTH_ITEM_RE.match(_BULLET_RE.sub("", text)) if b.kind in ("list_item", "paragraph") else None
        if mi and len(text) < 250:
            flush_text()
            flush_labelled()
            rest = mi.group("rest").strip()
            who = None
            rm = re.match(r"^(?P<act>.+?)\s+[–—-]\s+(?P<who>[^–—-]{2,60})$", rest) or _ROLE_TAIL_RE.match(rest)
            if rm:
                rest, who = rm.group("act").strip(), rm.group("who").strip(" .")
            month = mi.group("month")
            records.append(Record(section_kind="process", text=labelled_text([("När", month), ("Vem", who), ("Vad", rest)]),
                                  title=ctx.title, month=month, activity=rest.rstrip("."), responsible=who, role=who,
                                  source=_source(doc, b.line_start, b.line_end)))
            i += 1
            continue
        if ctx.pending_activity and b.kind in ("paragraph", "list_item"):
            records.append(_pending_activity(ctx, doc, b, text))
            i += 1
            continue
        lab = _label(text)
        if lab:
            f, value = lab
            flush_text()
            if f in ("uppfoljning", "analys", "risk"):
                flush_labelled()
                records.append(Record(section_kind=f, text=value or text, title=ctx.title, activity=ctx.activity,
                                      perspective=ctx.perspective, source=_source(doc, b.line_start, b.line_end)))
                i += 1
                continue
            if labelled is None or (f in labelled and f != "comment"):
                flush_labelled()
                labelled = {"start": b.line_start, "end": b.line_end, "parts": []}
            labelled[f] = value
            labelled["parts"].append((text.split(":", 1)[0].strip(), value))
            labelled["end"] = b.line_end
            i += 1
            continue
        if labelled is not None:
            flush_labelled()
        pending.append(b)
        i += 1
    flush_text()
    flush_labelled()
    flush_plan()
    return records


def _labelled_records(doc: Document, lab: dict, ctx: _Ctx, earlier: list[Record] | None = None) -> list[Record]:
    src = _source(doc, lab["start"], lab["end"])
    if ctx.activity and not lab.get("activity") and not lab.get("indicator") and earlier and ctx.activity_kind == "aktivitet":
        # "1. Aktivitet: X" then "Status: Genomförd", "Ansvarig: …": fields of that activity.
        target = next((r for r in reversed(earlier) if r.section_kind == "aktivitet" and r.activity == ctx.activity), None)
        if target is not None:
            raw = lab.get("status")
            st, asm = normalise_status(raw)
            if raw:
                target.status, target.status_raw, target.assessment = st, raw, asm or target.assessment
            for f in ("responsible", "deadline", "goal", "comment"):
                if lab.get(f):
                    setattr(target, f, lab[f])
            if lab.get("committee"):
                target.committee = normalise_committee(lab["committee"])
            target.text = _clean(f"{target.text} {labelled_text(lab['parts'])}")
            out_cost: list[Record] = []
            if lab.get("amount"):
                found = find_amounts(lab["amount"])
                amount = found[0][1] if found else parse_amount(lab["amount"])
                if amount is not None:
                    target.amount_tkr = amount
                    out_cost.append(Record(section_kind="kostnad", text=labelled_text(lab["parts"]), title=ctx.title,
                                           item=ctx.activity, activity=ctx.activity, amount_tkr=amount, source=src))
            return out_cost
    text = labelled_text(lab["parts"])
    amount = None
    if lab.get("amount"):
        found = find_amounts(lab["amount"])
        amount = found[0][1] if found else parse_amount(lab["amount"])
    raw_status = lab.get("status")
    status, assessment = normalise_status(raw_status)
    if lab.get("assessment"):
        s2, a2 = normalise_status(lab["assessment"])
        status = status or s2
        assessment = assessment or a2 or lab["assessment"]
    out: list[Record] = []
    if lab.get("indicator"):
        out.append(Record(section_kind="indikator", text=text, title=ctx.title, goal=lab.get("goal"),
                          indicator=lab.get("indicator"), outcome=lab.get("outcome"), target=lab.get("target"),
                          assessment=assessment, status_raw=raw_status, comment=lab.get("comment"),
                          perspective=ctx.perspective, source=src))
        return out
    has_insats_label = any(p[0].lower().startswith(("insats", "åtgärd")) for p in lab["parts"])
    if ctx.activity and (ctx.activity_kind == "insats" or has_insats_label):
        # A development area with Insats/Mål/Ansvarig/Kostnad labels: the area as an insats
        # section, as an activity (goal, responsible, status) and its cost.
        area = ctx.activity
        out.append(Record(section_kind="insats", text=text, title=ctx.title, activity=area,
                          responsible=lab.get("responsible"), amount_tkr=amount, goal=lab.get("goal"),
                          perspective=ctx.perspective, source=src))
        out.append(Record(section_kind="aktivitet", text=text, title=ctx.title, activity=area,
                          goal=lab.get("goal"), responsible=lab.get("responsible"), deadline=lab.get("deadline"),
                          committee=normalise_committee(lab.get("committee")) if lab.get("committee") else None,
                          status=status, status_raw=raw_status, assessment=assessment, comment=lab.get("comment"),
                          amount_tkr=amount, perspective=ctx.perspective, source=src))
        if amount is not None:
            out.append(Record(section_kind="kostnad", text=text, title=ctx.title, item=area, activity=area,
                              amount_tkr=amount, source=src))
        return out
    activity = lab.get("activity") or ctx.activity
    kind = ctx.activity_kind if (ctx.activity or ctx.activity_title) else ("insats" if ctx.kind == "insats" else "aktivitet")
    if lab.get("activity") and not ctx.activity:
        kind = "insats" if any(p[0].lower().startswith(("insats", "åtgärd")) for p in lab["parts"]) else "aktivitet"
    title = ctx.activity or ctx.title
    if activity or lab.get("responsible") or raw_status:
        out.append(Record(section_kind=kind, text=text, title=title, activity=activity,
                          goal=lab.get("goal"), responsible=lab.get("responsible"), deadline=lab.get("deadline"),
                          committee=normalise_committee(lab.get("committee")) if lab.get("committee") else None,
                          status=status, status_raw=raw_status, assessment=assessment, comment=lab.get("comment"),
                          amount_tkr=amount, perspective=ctx.perspective, source=src))
    if amount is not None:
        out.append(Record(section_kind="kostnad", text=text, title=title, item=ctx.activity or activity,
                          activity=activity, amount_tkr=amount, source=src))
    if not out:
        out.append(Record(section_kind=ctx.kind, text=text, title=ctx.title, activity=ctx.activity, source=src))
    return out


def _amount_line(text: str) -> bool:
    """A line that is only "item amount unit" ("Läxhjälp 350 tkr")."""
    found = find_amounts(text)
    if len(found) != 1:
        return False
    item, _, (s, e) = found[0]
    rest = (text[:s] + text[e:]).strip(" .:–-")
    return len(rest.split()) <= 6 and not text[e:].strip(" .")


_BULLET_RE = re.compile(r"^\s*[•\u2022\u25cf\u25aa\u25e6\uf0b7\-–*]\s+")
_MONTH_HEAD_RE = re.compile(
    r"^(?:(?:" + "|".join(MONTHS) + r")(?:\s*[–-]\s*(?:" + "|".join(MONTHS) + r"))?)(?:\s+\d{4})?$", re.I)
_ROLE_TAIL_RE = re.compile(r"^(?P<act>.+?)\s*\((?P<who>[^()]{2,60})\)\s*\.?$")
_ROLE_HEAD_RE = re.compile(r"^(?P<who>[^:]{2,40}):\s*(?P<act>.+)$")
_ITEM_KINDS = {"risk", "insats", "mal"}


def _item_text(b: Block) -> str:
    return _BULLET_RE.sub("", _clean(b.text))


def _process_record(doc: Document, b: Block, month: str, ctx: _Ctx) -> Record:
    t = _item_text(b)
    who = None
    m = _ROLE_TAIL_RE.match(t)
    if m:
        t, who = m.group("act").strip(), m.group("who").strip()
    return Record(section_kind="process", text=labelled_text([("När", month), ("Vem", who), ("Vad", t)]),
                  title=ctx.title, month=month, activity=t.rstrip("."), responsible=who, role=who,
                  source=_source(doc, b.line_start, b.line_end))


def _section_records(doc: Document, body: list[Block], ctx: _Ctx) -> list[Record]:
    out: list[Record] = []
    kind = ctx.kind if ctx.kind not in ("aktivitet", "kostnad") else "text"
    # "Framtid och utmaningar": the prose is analysis, the listed items are risks.
    prose_kind = "analys" if kind == "risk" and re.search(r"framtid|analys|bedömning", fold(ctx.title or "")) else kind
    month = _clean(ctx.title or "") if _MONTH_HEAD_RE.match(_clean(ctx.title or "")) else None
    chunks: list[list[Block]] = [[]]
    size = 0
    costs: list[Record] = []
    for b in body:
        t = _clean(b.text)
        if not t:
            continue
        for item, amount, _ in find_amounts(t):
            costs.append(Record(section_kind="kostnad", text=t, title=ctx.title,
                                item=item or ctx.activity or ctx.title, activity=ctx.activity, amount_tkr=amount,
                                source=_source(doc, b.line_start, b.line_end)))
        if _amount_line(t):
            continue  # the cost record says it all
        if month and (b.kind == "list_item" or len(t) < 160):
            out.append(_process_record(doc, b, month, ctx))
            continue
        if b.kind == "list_item" and kind in _ITEM_KINDS:
            out.append(Record(section_kind=kind, text=_item_text(b), title=ctx.title, activity=ctx.activity,
                              perspective=ctx.perspective, source=_source(doc, b.line_start, b.line_end)))
            continue
        if chunks[-1] and size + len(t) > MAX_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(b)
        size += len(t)
    for chunk in chunks:
        if not chunk:
            continue
        texts = [_item_text(b) if b.kind == "list_item" else _clean(b.text) for b in chunk]
        # a block that does not end a sentence gets a full stop before a block that starts one (a
        # capital); a line of a two-column page carries on ("Otrygga platser är främst"
        # "omklädningsrummen", "minskade med 64" "jämfört med 2021", "i årskurs" "9 blev 212,8")
        text = " ".join(t if t[-1:] in ".!?:;…" or k == len(texts) - 1 or not texts[k + 1][:1].isupper() else t + "."
                        for k, t in enumerate(texts))
        for piece in split_long(text):
            out.append(Record(section_kind=prose_kind, text=piece, title=ctx.title, activity=ctx.activity,
                              perspective=ctx.perspective,
                              source=_source(doc, chunk[0].line_start, chunk[-1].line_end)))
    merged = out + costs
    merged.sort(key=lambda r: r.source.line_start)
    return merged


def split_long(text: str, limit: int = 2 * MAX_CHARS) -> list[str]:
    """A text too long for one passage (a line of thousands of characters) cut after sentences,
    or between words, into pieces of at most about MAX_CHARS; a text within `limit` stays whole."""
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: MAX_CHARS + 1]
        cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
        if cut < MAX_CHARS // 2:
            cut = window.rfind(" ")
        if cut < MAX_CHARS // 2:
            cut = MAX_CHARS
        out.append(rest[: cut + 1].strip())
        rest = rest[cut + 1 :].strip()
    if rest:
        out.append(rest)
    return [t for t in out if t]


__all__ += ["AMOUNT_RE"]
