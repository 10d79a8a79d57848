"""Start this year's report from last year's: carry forward the activities that were not finished.

Two sources:
  * a report of the workspace (`carry_forward`): its unfinished items come into a new report for
    the next year;
  * a follow-up ingested into the index (`seed_from_document`): its activity rows (section kind
    "aktivitet" in the catalog) seed a new report the same way.

What comes across: every activity that was not finished, i.e. whose status is not one of
FINISHED_STATUSES (Genomfört, Klart, Avslutad, in any spelling), or that was postponed (a deadline
with "*" or "Förskjuts"). So Pågående, Pågår, Kvarstår, Pausad, Ej påbörjad come, and so does a
status we do not know (better one item too many than a lost activity). Finished activities stay
behind, even when they were postponed on the way. A report item without a status comes across
(nobody marked it finished); an activity row of a document without any status and without a
postponement is the heading of a strategic assignment (Strategiskt utvecklingsuppdrag), not an
activity: it is skipped and said so.

Each carried item is marked carried_from = the old year (the templates print "Kvarstår från
<year>") and linked to its history: history_ids = the passage ids of the activity's path across
years (kvalitet.search.history) when the activity is found in the index; otherwise the old item's own
history_ids (the chain it carried already). The same activity listed under several goals in the
source comes across once; its goals (and statuses per goal, if they differ) go into the notes.

Everything is written in one transaction (report, items, audit rows): a failure leaves nothing.
The functions take the Workspace as their first argument and check permissions with the
workspace's own rules, so the API, the CLI and the web UI call the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kvalitet.storage.db import DocumentRow, utcnow
from kvalitet.errors import Conflict, InvalidInput, NotFound
from kvalitet.search.history import NEAR, ActivityHistory, normalize, signature, strip_carried_marker
from kvalitet.search.index import activity_history
from kvalitet.domain.types import STATUSES, Passage
from kvalitet.workspace.auth import User, require_read, require_write
from kvalitet.workspace.models import AuditRow, ItemRow, ReportRow
from kvalitet.workspace.uow import (
    SNAP_ITEM, SNAP_REPORT, ensure_open, load_report, record_audit, snapshot, touch, validation_error,
)
from kvalitet.workspace.views import KIND_LABELS, ItemIn, ReportIn, ReportView

FINISHED_STATUSES = ("Genomfört", "Klart", "Avslutad")
_FINISHED_WORDS = {"genomfort", "genomford", "genomforts", "klart", "klar", "avslutad", "avslutat", "slutford", "slutfort"}
_POSTPONED = re.compile(r"\*|förskjut|framflytt|senarelag", re.IGNORECASE)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
MAX_HISTORY = 200  # ItemIn.history_ids' limit
MAX_NOTES = 5000
DOC_KIND_TO_REPORT = {
    "verksamhetsplan_uppfoljning": "verksamhetsplan_uppfoljning",
    "aktivitetsuppfoljning": "aktivitetsuppfoljning",
    "kvalitetsrapport": "kvalitetsrapport",
}


# ---- results ------------------------------------------------------------------------------
class CarriedItem(BaseModel):
    item_id: int
    activity: str
    status: str | None = None
    deadline: str | None = None
    carried_from: int | None = None
    history_ids: list[str] = Field(default_factory=list)
    found_in_index: bool = False  # history from kvalitet.search.history (else the old item's own chain)
    goals: list[str] = Field(default_factory=list)  # every goal it was listed under in the source
    sources: list[str] = Field(default_factory=list)  # "item:<id>" or passage ids it came from


class SkippedActivity(BaseModel):
    activity: str
    status: str | None = None
    deadline: str | None = None
    reason: str
    source: str  # "item:<id>" or a passage id


class SeedResult(BaseModel):
    """What a carry-forward or a seed from a document made."""

    report: ReportView
    source: str  # "report:<id>" or the document's path
    from_year: int | None = None
    carried: list[CarriedItem] = Field(default_factory=list)
    merged: int = 0  # source rows folded into another row of the same activity
    skipped: list[SkippedActivity] = Field(default_factory=list)


# ---- what is unfinished -------------------------------------------------------------------
def _fold(text: str) -> str:
    t = (text or "").casefold()
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e")):
        t = t.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "", t)


def is_finished(status: str | None) -> bool:
    return bool(status and _fold(status) in _FINISHED_WORDS)


def is_postponed(deadline: str | None, flag: bool = False) -> bool:
    return flag or bool(deadline and _POSTPONED.search(deadline))


def canonical_status(status: str | None) -> str | None:
    """"pågående " -> "Pågående"; unknown statuses are kept as written."""
    if status is None:
        return None
    s = status.strip()
    if not s:
        return None
    folded = _fold(s)
    for known in STATUSES:
        if _fold(known) == folded:
            return known
    return s


def carry_reason(status: str | None, deadline: str | None, postponed: bool = False, *,
                 require_status: bool) -> str | None:
    """None when the activity carries forward; else why not (Swedish / English)."""
    if is_finished(status):
        return f"Avslutad ({status}) / finished"
    if status or is_postponed(deadline, postponed):
        return None
    if require_status:
        return "Ingen status och inte förskjuten: en rubrikrad, inte en aktivitet / no status, a heading row"
    return None


# ---- history ------------------------------------------------------------------------------
class HistoryLinker:
    """Finds an activity in the index (kvalitet.search.history) and gives its history's passage ids."""

    def __init__(self, hist: ActivityHistory):
        self.hist = hist
        self.exact: dict[str, list[Passage]] = {}
        for p in self.hist.items:
            self.exact.setdefault(normalize(p.activity or ""), []).append(p)
        self._sigs: list | None = None  # computed when an exact match fails

    @property
    def sigs(self) -> list:
        if self._sigs is None:
            self._sigs = [(p, signature(p.activity or "")) for p in self.hist.items]
        return self._sigs

    def find(self, activity: str, before_year: int | None = None) -> Passage | None:
        """The record of `activity` in the index (exact wording first, then near-identical,
        Jaccard >= history.NEAR); the latest one up to `before_year` is preferred."""

        def rank(p: Passage):
            late_enough = before_year is None or (p.year or 0) <= before_year
            return (late_enough, p.section_kind == "aktivitet", p.year or 0, p.id)

        same = self.exact.get(normalize(activity))
        if same:
            return max(same, key=rank)
        sig = signature(activity)
        if len(sig) < 2:
            return None
        best, best_key = None, None
        for p, s in self.sigs:
            if not s:
                continue
            j = len(sig & s) / len(sig | s)
            if j >= NEAR:
                key = (j, *rank(p))
                if best_key is None or key > best_key:
                    best, best_key = p, key
        return best

    def ids(self, pids: Iterable[str]) -> list[str]:
        """The passage ids of the histories of `pids`, oldest first, without repeats."""
        out: list[str] = []
        seen: set[str] = set()
        views = []
        for pid in pids:
            for v in self.hist.history(pid):
                if v.id not in seen:
                    seen.add(v.id)
                    views.append(v)
        views.sort(key=lambda v: (v.year or 0, v.source.path, v.source.line_start))
        out = [v.id for v in views]
        return out

    def known(self, pid: str) -> bool:
        return pid in self.hist.by_id


def _chain(found: list[str], own: Iterable[str]) -> list[str]:
    """History from the index first, then the old item's own ids not already there."""
    out = list(dict.fromkeys([*found, *(own or [])]))
    return out[-MAX_HISTORY:]


# ---- writing ------------------------------------------------------------------------------
@dataclass
class NewItem:
    item: ItemIn
    source: dict  # for the audit row: where the item came from
    info: dict = field(default_factory=dict)


def insert_items(ws, s: Session, report: ReportRow, items: list[NewItem], user: User) -> list[ItemRow]:
    """Append `items` to `report` inside the caller's transaction, with an "item.create" audit
    row per item (as Workspace.add_item writes, plus where the item came from)."""
    require_write(user, report.unit)
    ensure_open(report)
    last = s.scalar(select(func.max(ItemRow.position)).where(ItemRow.report_id == report.id)) or 0
    rows = []
    for n, new in enumerate(items, 1):
        row = ItemRow(report_id=report.id, position=last + n, created_by=user.id, created_at=utcnow(),
                      **new.item.model_dump())
        s.add(row)
        rows.append(row)
    s.flush()
    for row, new in zip(rows, items, strict=True):
        record_audit(s, user, "item.create", "item", row.id, report.id, None,
                  {**snapshot(row, SNAP_ITEM), "source": new.source})
    if rows:
        touch(s, report.id)
    return rows


def _new_report(ws, s: Session, title: str, kind: str, year: int, unit: str, user: User) -> ReportRow:
    """As Workspace.create_report, inside the caller's transaction."""
    try:
        data = ReportIn(title=title, kind=kind, year=year, unit=unit)
    except ValidationError as exc:
        raise validation_error(exc) from exc
    if not data.unit:  # as Workspace.create_report; a carried or seeded report always names its unit
        raise InvalidInput("Ange enhet (unit) / a unit is required")
    require_write(user, data.unit)
    now = utcnow()
    row = ReportRow(title=data.title, kind=data.kind, year=data.year, unit=data.unit, owner_id=user.id,
                    state="draft", created_at=now, updated_at=now)
    s.add(row)
    s.flush()
    record_audit(s, user, "report.create", "report", row.id, row.id, None, snapshot(row, SNAP_REPORT))
    return row


def _item_in(**kw) -> ItemIn:
    try:
        return ItemIn(**kw)
    except ValidationError as exc:
        raise validation_error(exc) from exc


def _retitle(title: str, old_year: int | None, year: int) -> str:
    if old_year is not None and str(old_year) in title:
        return title.replace(str(old_year), str(year))
    if _YEAR.search(title):
        return _YEAR.sub(str(year), title, count=1)
    return f"{title} {year}"


def _notes(parts: list[str]) -> str | None:
    text = "\n".join(p for p in parts if p)
    if len(text) > MAX_NOTES:
        text = text[: MAX_NOTES - 1].rstrip() + "…"
    return text or None


def _goals_note(goals: list[str], rows: int) -> str:
    """The goals an activity listed more than once stood under (kept as context)."""
    if rows < 2 or not goals:
        return ""
    if len(goals) == 1:
        return f"Listad {rows} gånger, under målet: {goals[0]}."
    return "Listad under flera mål: " + "; ".join(goals) + "."


def _check_year(year: int, from_year: int | None) -> None:
    if from_year is not None and year <= from_year:
        raise InvalidInput(
            f"Den nya rapporten måste gälla ett senare år än {from_year} (inte {year}) / "
            f"the new report must be for a year after {from_year}"
        )


def _previous_seed(s: Session, action: str, source: str, year: int, unit: str) -> int | None:
    """The report an earlier carry-forward of `source` into (`year`, `unit`) made, if any."""
    rows = s.scalars(select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id))
    for r in rows:
        a = r.after or {}
        if a.get("source") == source and a.get("year") == year and a.get("unit") == unit:
            return r.report_id
    return None


# ---- carry forward from a report -----------------------------------------------------------
def carry_forward(ws, report_id: int, year: int | None, user: User, *, title: str | None = None) -> SeedResult:
    """A new report for `year` (default: the next year) with every unfinished item of report
    `report_id`, marked carried_from = its year and linked to its history."""
    linker = HistoryLinker(activity_history(ws.index))
    with ws.db.session() as s:
        old = load_report(s, report_id)
        require_read(user, old.unit)
        year = year if year is not None else old.year + 1
        _check_year(year, old.year)
        source = f"report:{old.id}"
        earlier = _previous_seed(s, "report.carry_forward", source, year, old.unit)
        if earlier is not None:
            raise Conflict(
                f"Rapport {old.id} är redan förd vidare till {year} (rapport {earlier}) / "
                f"already carried forward into report {earlier}", detail={"report_id": earlier},
            )
        olds = list(s.scalars(select(ItemRow).where(ItemRow.report_id == old.id).order_by(ItemRow.position, ItemRow.id)))
        new_items: list[NewItem] = []
        skipped: list[SkippedActivity] = []
        merged = 0
        by_key: dict[str, NewItem] = {}
        for it in olds:
            status = canonical_status(it.status)
            reason = carry_reason(status, it.deadline, require_status=False)
            if reason:
                skipped.append(SkippedActivity(activity=it.activity, status=status, deadline=it.deadline,
                                               reason=reason, source=f"item:{it.id}"))
                continue
            key = normalize(it.activity)
            if key in by_key:  # the same activity twice in the old report: once
                merged += 1
                prev = by_key[key]
                prev.info["sources"].append(f"item:{it.id}")
                if it.goal and it.goal not in prev.info["goals"]:
                    prev.info["goals"].append(it.goal)
                prev.info["own_ids"].extend(it.history_ids or [])
                continue
            activity = strip_carried_marker(it.activity) or it.activity
            found = linker.find(activity, before_year=old.year)
            own = [h for h in (it.history_ids or [])]
            found_ids = linker.ids([found.id] if found else [])
            known_own = [h for h in own if linker.known(h)]
            if known_own:  # the old item's history is in the index: take those groups too
                found_ids = linker.ids([*known_own, *([found.id] if found else [])])
            new = NewItem(item=None, source={"report_id": old.id, "item_id": it.id, "year": old.year},  # type: ignore[arg-type]
                          info={"row": it, "activity": activity, "status": status, "found_ids": found_ids,
                                "own_ids": own, "goals": [it.goal] if it.goal else [],
                                "sources": [f"item:{it.id}"]})
            by_key[key] = new
            new_items.append(new)
        for new in new_items:
            it, info = new.info["row"], new.info
            history = _chain(info["found_ids"], info["own_ids"])
            notes = [
                f"Kvarstår från {old.year}.",
                f"Status {old.year}: {info['status']}." if info["status"] else "",
                f"Slutfört: {it.deadline}." if it.deadline else "",
                f"Kommentar {old.year}: {it.comment}" if it.comment else "",
                _goals_note(info["goals"], len(info["sources"])),
                it.notes or "",
            ]
            new.item = _item_in(
                activity=info["activity"], goal=it.goal or (info["goals"][0] if info["goals"] else None),
                status=info["status"], notes=_notes(notes),
                perspective=it.perspective, area=it.area, committee=it.committee, deadline=it.deadline,
                comment=None, responsible=it.responsible, history_ids=history, carried_from=old.year,
            )
            new.info["found"] = bool(info["found_ids"])
        report = _new_report(ws, s, title or _retitle(old.title, old.year, year), old.kind, year, old.unit, user)
        return _seeded(ws, s, report, new_items, user, "report.carry_forward", source, old.year, merged, skipped,
                       {"from_report": old.id, "unit": old.unit})


def _seeded(ws, s, report: ReportRow, new_items: list, user: User, action: str, source: str, from_year: int | None,
            merged: int, skipped: list, audit: dict) -> SeedResult:
    """The shared end of carry-forward and seeding from a document: insert the items, audit the
    report's creation (`action`, with `audit`'s fields) and say what was carried."""
    rows = insert_items(ws, s, report, new_items, user)
    carried = [
        CarriedItem(item_id=row.id, activity=row.activity, status=row.status, deadline=row.deadline,
                    carried_from=row.carried_from, history_ids=list(row.history_ids or []),
                    found_in_index=new.info["found"], goals=new.info["goals"], sources=new.info["sources"])
        for row, new in zip(rows, new_items, strict=True)
    ]
    record_audit(s, user, action, "report", report.id, report.id, None, {
        "source": source, "from_year": from_year, "year": report.year, **audit,
        "items": [c.item_id for c in carried], "merged": merged, "skipped": [x.source for x in skipped],
    })
    return SeedResult(report=ws.report_view(s, report), source=source, from_year=from_year, carried=carried,
                      merged=merged, skipped=skipped)


# ---- seed from an ingested document --------------------------------------------------------
def resolve_document(ws, path: str) -> DocumentRow:
    """The ingested document `path` names: its catalog path (relative to the corpus dir), the
    same with "corpus/" in front, an absolute path inside the corpus dir, or a unique file name."""
    from pathlib import Path, PurePosixPath

    raw = (path or "").strip().replace("\\", "/")
    if not raw:
        raise InvalidInput("Ange dokumentets sökväg (path) / a document path is required")
    corpus = Path(ws.settings.corpus_dir).resolve()
    candidates = [raw, raw.lstrip("./")]
    p = Path(raw)
    try:
        absolute = p.resolve() if p.is_absolute() else (Path.cwd() / p).resolve()
        candidates.append(absolute.relative_to(corpus).as_posix())
    except (ValueError, OSError):
        pass
    parts = PurePosixPath(raw).parts
    if len(parts) > 1 and parts[0] == corpus.name:
        candidates.append(PurePosixPath(*parts[1:]).as_posix())
    with ws.db.session() as s:
        for c in candidates:
            row = s.get(DocumentRow, c)
            if row is not None:
                return row
        name = PurePosixPath(raw).name
        rows = [r for r in s.scalars(select(DocumentRow)) if PurePosixPath(r.path).name == name]
        if len(rows) == 1:
            return rows[0]
        known = sorted(r for (r,) in s.execute(select(DocumentRow.path)))
    hint = f"; flera dokument heter {name!r} / several documents have that name" if len(rows) > 1 else ""
    raise NotFound(
        f"Dokumentet {raw!r} finns inte i indexet{hint} / no such ingested document. "
        f"Inlästa dokument: {', '.join(known[:20]) or '(inga)'}",
        detail={"documents": known[:100]},
    )


def seed_from_document(
    ws, path: str, year: int | None, unit: str | None, user: User,
    *, title: str | None = None, kind: str | None = None,
) -> SeedResult:
    """A new report for `year` (default: the document's year + 1) in `unit` (default: the
    user's), with the unfinished activity rows of the ingested follow-up `path`; one item per
    activity even when the document lists it under several goals."""
    doc = resolve_document(ws, path)
    linker = HistoryLinker(activity_history(ws.index))
    rows = sorted(
        (p for p in linker.hist.items if p.doc_path == doc.path and p.section_kind == "aktivitet"),
        key=lambda p: p.ordinal,
    )
    if not rows:
        raise InvalidInput(
            f"Dokumentet {doc.path} ({doc.doc_kind}) har inga aktivitetsrader att föra vidare / "
            "the document has no activity rows"
        )
    from_year = doc.year
    if year is None:
        if from_year is None:
            raise InvalidInput("Dokumentets år är okänt: ange year / the document's year is unknown, give year")
        year = from_year + 1
    _check_year(year, from_year)
    kind = kind or DOC_KIND_TO_REPORT.get(doc.doc_kind, "verksamhetsplan_uppfoljning")
    unit = (unit or user.unit or "").strip()
    if not unit:
        raise InvalidInput("Ange enhet (unit) / a unit is required")

    groups: dict[str, list[Passage]] = {}
    for p in rows:
        groups.setdefault(normalize(p.activity or ""), []).append(p)
    new_items: list[NewItem] = []
    skipped: list[SkippedActivity] = []
    merged = 0
    for occurrences in groups.values():
        carry = []
        for p in occurrences:
            reason = carry_reason(canonical_status(p.status), p.deadline, p.postponed, require_status=True)
            if reason:
                skipped.append(SkippedActivity(activity=p.activity or "", status=p.status, deadline=p.deadline,
                                               reason=reason, source=p.id))
            else:
                carry.append(p)
        if not carry:
            continue
        if len(occurrences) > 1:
            skipped = [x for x in skipped if x.source not in {o.id for o in occurrences}]
            merged += len(occurrences) - 1
        first = carry[0]
        goals = list(dict.fromkeys(o.goal for o in occurrences if o.goal))
        statuses = {(o.goal or "-"): canonical_status(o.status) for o in occurrences}
        per_goal = ""
        if len(set(statuses.values())) > 1:
            per_goal = "Status per mål: " + "; ".join(f"{g}: {st or 'ingen'}" for g, st in statuses.items()) + "."
        comments = list(dict.fromkeys(o.comment for o in occurrences if o.comment))
        carried_before = sorted({o.carried_from for o in occurrences if o.carried_from})
        history = linker.ids([o.id for o in occurrences])
        status = canonical_status(first.status)
        deadline = next((o.deadline for o in carry if is_postponed(o.deadline, o.postponed)), first.deadline)
        label = from_year if from_year is not None else "förra året"
        notes = [
            f"Kvarstår från {label}." + (f" (Fördes redan in från {', '.join(map(str, carried_before))}.)" if carried_before else ""),
            f"Status {label}: {status}." if status else "",
            f"Slutfört: {deadline}." if deadline else "",
            *[f"Kommentar {label}: {c}" for c in comments],
            _goals_note(goals, len(occurrences)),
            per_goal,
            f"Kommunövergripande mål: {first.municipal_goal}." if first.municipal_goal else "",
        ]
        try:
            item = _item_in(
                activity=first.activity, goal=first.goal, status=status, notes=_notes(notes),
                perspective=first.perspective, committee=first.committee, deadline=deadline, comment=None,
                history_ids=history[-MAX_HISTORY:], carried_from=from_year,
            )
        except InvalidInput as exc:
            skipped.append(SkippedActivity(activity=first.activity or "", status=status, deadline=deadline,
                                           reason=exc.message, source=first.id))
            continue
        new_items.append(NewItem(item=item, source={"path": doc.path, "passages": [o.id for o in occurrences]},
                                 info={"goals": goals, "sources": [o.id for o in occurrences],
                                       "found": bool(history)}))
    title = title or _retitle(doc.title or f"{KIND_LABELS[kind]} {year}", from_year, year)
    source = doc.path
    with ws.db.session() as s:
        earlier = _previous_seed(s, "report.from_document", source, year, unit)
        if earlier is not None:
            raise Conflict(
                f"{doc.path} har redan förts in i en rapport för {unit} {year} (rapport {earlier}) / "
                f"already seeded report {earlier}", detail={"report_id": earlier},
            )
        report = _new_report(ws, s, title, kind, year, unit, user)
        return _seeded(ws, s, report, new_items, user, "report.from_document", source, from_year, merged, skipped,
                       {"unit": unit, "doc_kind": doc.doc_kind})
