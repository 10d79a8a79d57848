"""The report workspace: reports, activities, drafts, review, audit trail, export, publishing.

Used by the API, the CLI, the web interface and the chat alike; every permission check is
made here (auth.py says who may do what), so no caller can forget one.

Every change and its audit row are written in one transaction. A draft is asked of the
drafter first and its suggestions are then stored in one transaction, so a failure while
saving leaves nothing behind, and no database lock or connection is held while an LLM thinks.
Suggestions and reports use optimistic locking (a `version` counter): an edit made against an
old version gets Conflict (409) instead of silently overwriting a colleague's edit.

Method conventions: the acting `user` (auth.User) is the last positional parameter; options
are keyword-only. Results are the pydantic views of views.py.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kvalitet.storage.db import DocumentRow, PassageRow, utcnow
from kvalitet.errors import Conflict, InvalidInput, NotFound, Unauthorized, UnreadableFile
from kvalitet.domain.types import DRAFT_SECTIONS, Citation, DraftRequest, Grounding, Suggestion
from kvalitet.pii import find as find_pii, shown
from kvalitet.drafting.grounding import cited_ids, strip_citations
from kvalitet.workspace import render as rnd
from kvalitet.workspace.auth import (
    User,
    can_read,
    can_read_published,
    check_role,
    hash_token,
    is_legacy_hash,
    new_token,
    require_admin,
    require_read,
    require_review,
    require_write,
    token_id_of,
    token_key,
    verify_token,
)
from kvalitet.workspace.models import AuditRow, ItemRow, ReportRow, SectionRow, SuggestionRow, UserRow
from kvalitet.workspace.uow import (
    SNAP_ITEM, SNAP_REPORT, SNAP_SUGGESTION, draft_sections, ensure_open, load_report, record_audit, snapshot, touch,
    validation_error,
)
from kvalitet.workspace.views import (
    KIND_LABELS,
    AuditEntry,
    ExportedFile,
    ItemIn,
    ItemView,
    NewUser,
    Progress,
    PublishResult,
    ReportIn,
    ReportSummary,
    ReportView,
    SectionView,
    SuggestionView,
    UserView,
    report_sections,
)

if TYPE_CHECKING:
    from kvalitet.drafting import Drafter
    from kvalitet.results.service import ResultsService
    from kvalitet.search.index import KnowledgeIndex
    from kvalitet.settings import Settings
    from kvalitet.storage.db import Database

log = logging.getLogger(__name__)

MAX_TEXT = 20000
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_SECTION_ORDER: dict[str, int] = {k: i for i, k in enumerate(DRAFT_SECTIONS)}


def slugify(text: str, max_len: int = 60) -> str:
    """ASCII file-name slug: "Kvalitetsrapport Åby skola 2024" -> "kvalitetsrapport-aby-skola-2024"."""
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = re.sub(r"[^a-z0-9]+", "-", t).strip("-")
    return (t[:max_len].rstrip("-")) or "rapport"


def _require_version(expected_version: int | None) -> None:
    if expected_version is None:
        raise InvalidInput("Ange versionen du granskade (version eller If-Match) / version required: send the "
                           "version you read (body `version` or If-Match)")


def row_citations(row: SuggestionRow) -> list[Citation]:
    """The sources a suggestion's text stands on now: the drafter's citations as drafted, or, once
    a reviewer has edited the text (original_text kept), only those its [p_…] markers still name,
    in the drafter's order. A source the edited text no longer refers to is neither listed,
    numbered nor appended in an export; an edit without markers has none. Unparseable stored
    citations raise pydantic's ValidationError."""
    citations = [Citation.model_validate(c) for c in (row.citations or [])]
    if row.original_text is None:
        return citations
    cited = set(cited_ids(row.text))
    return [c for c in citations if c.passage_id in cited]


def row_grounding(row: SuggestionRow) -> Grounding:
    """The grounding check as stored by the drafter, except for an edited text that cites none of
    the sources any more: that is not grounded in them (supported False; its personal data found
    again in the reviewer's words, so the warning follows the text)."""
    grounding = Grounding.model_validate(row.grounding or {"supported": False})
    if row.original_text is None or row_citations(row):
        return grounding
    pii = sorted({f.kind for f in find_pii(strip_citations(row.text))})
    return Grounding(supported=False, unsupported=[], pii=pii, derived=[])


def section_state(states: list[str]) -> str:
    if not states:
        return "empty"
    if "pending" in states:
        return "pending"
    if any(s in ("accepted", "edited") for s in states):
        return "reviewed"
    return "rejected"


def all_reviewed(section_counts: Mapping[str, int]) -> bool:
    """Whether every section of a report is reviewed, from its sections counted by state
    (empty, pending, reviewed, rejected; section_state): none waits, none is empty (no text,
    or only a draft's notice) and at least one has approved text. The page's "Alla avsnitt är
    granskade" and the export's "Status: Granskad" both say this."""
    return (not section_counts.get("pending") and not section_counts.get("empty")
            and section_counts.get("reviewed", 0) > 0)


class Workspace:
    """The report workspace. Built once per process by kvalitet.container.Services with what it
    uses: the settings it reads (limits, masking, templates, the corpus and index folders, the
    token key), the database, the index (publishing reads a report into it), the drafter
    (draft_item) and the results (the charts of an export)."""

    def __init__(self, settings: Settings, db: Database, index: KnowledgeIndex, drafter: Drafter,
                 results: ResultsService):
        self.settings = settings
        self.db = db
        self.index = index
        self.drafter = drafter
        self.results = results

    # ==== users =========================================================================
    @staticmethod
    def _user_view(row: UserRow) -> UserView:
        return UserView(id=row.id, name=row.name, role=row.role, unit=row.unit, active=row.active)

    def add_user(self, name: str, role: str, unit: str | None = None, *, actor: User | None = None) -> NewUser:
        """Create a user with a fresh token (returned once, stored only as an argon2 hash).
        `actor` None means the command line (an operator with access to the server)."""
        actor = actor or User.system()
        require_admin(actor)
        name = (name or "").strip()
        unit = unit.strip() if unit and unit.strip() else None
        if not name or len(name) > 200:
            raise InvalidInput("Namnet måste vara 1–200 tecken / the name must be 1-200 characters")
        check_role(role)
        if role == "rektor" and not unit:
            raise InvalidInput("En rektor behöver en enhet (--unit) / a rektor needs a unit")
        token, tid = new_token()
        try:
            with self.db.session() as s:
                if s.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
                    raise Conflict(f"Användaren {name!r} finns redan / the user exists")
                row = UserRow(name=name, role=role, unit=unit, token_id=tid, token_hash=hash_token(token, self.token_key), active=True)
                s.add(row)
                s.flush()
                record_audit(s, actor, "user.create", "user", row.id, None, None, snapshot(row, ("name", "role", "unit")))
                view = self._user_view(row)
        except IntegrityError as exc:
            raise Conflict(f"Användaren {name!r} finns redan / the user exists") from exc
        return NewUser(user=view, token=token)

    def rotate_token(self, name: str, *, actor: User | None = None) -> NewUser:
        """A new token for `name`; the old one stops working at once."""
        actor = actor or User.system()
        require_admin(actor)
        token, tid = new_token()
        with self.db.session() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            if row is None:
                raise NotFound(f"Ingen användare {name!r} / no such user")
            row.token_id, row.token_hash = tid, hash_token(token, self.token_key)
            record_audit(s, actor, "user.rotate_token", "user", row.id, None)
            view = self._user_view(row)
        return NewUser(user=view, token=token)

    def set_active(self, name: str, active: bool, *, actor: User | None = None) -> UserView:
        """Deactivate (or reactivate) a user: the row and its history stay."""
        actor = actor or User.system()
        require_admin(actor)
        with self.db.session() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            if row is None:
                raise NotFound(f"Ingen användare {name!r} / no such user")
            before = {"active": row.active}
            row.active = active
            record_audit(s, actor, "user.activate" if active else "user.deactivate", "user", row.id, None,
                        before, {"active": active})
            return self._user_view(row)

    def list_users(self, *, actor: User | None = None) -> list[UserView]:
        require_admin(actor or User.system())
        with self.db.session() as s:
            return [self._user_view(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    @cached_property
    def token_key(self) -> bytes:
        """The server key of the token hashes (auth.token_key)."""
        return token_key(self.settings)

    def authenticate(self, token: str) -> User:
        """The user a Bearer token belongs to: one indexed lookup by the token's id and one HMAC
        check (microseconds: no cache needed). A token still stored as an argon2 hash (issued by
        an older version) is checked with argon2 in a bounded slot and re-stored as the keyed
        hash. Raises Unauthorized for an unknown, wrong or deactivated token, TooManyRequests
        when the argon2 slots stay full."""
        tid = token_id_of(token)
        with self.db.session() as s:
            row = s.scalar(select(UserRow).where(UserRow.token_id == tid)) if tid else None
            ok = verify_token(row.token_hash if row is not None else None, token, self.token_key)
            if not ok or row is None or not row.active:
                raise Unauthorized("Ogiltig eller återkallad token / invalid or revoked token")
            if is_legacy_hash(row.token_hash):  # migrated on its first successful use
                row.token_hash = hash_token(token, self.token_key)
            return User(id=row.id, name=row.name, role=row.role, unit=row.unit)

    def get_user(self, user_id: int, token_id: str | None = None) -> User:
        """The active user with this id (for a session cookie that carries the id). With
        `token_id` (the key a session was signed in with), a key rotated since ends the session."""
        with self.db.session() as s:
            row = s.get(UserRow, user_id)
            if row is None or not row.active:
                raise Unauthorized("Okänd eller inaktiverad användare / unknown or deactivated user")
            if token_id is not None and row.token_id != token_id:
                raise Unauthorized("Nyckeln har bytts: logga in igen / the key was rotated, sign in again")
            return User(id=row.id, name=row.name, role=row.role, unit=row.unit)

    # ==== loading and views =============================================================
    def _item(self, s: Session, report_id: int, item_id: int) -> tuple[ReportRow, ItemRow]:
        report = load_report(s, report_id)
        item = s.get(ItemRow, item_id)
        if item is None or item.report_id != report.id:
            raise NotFound(f"Ingen aktivitet med id {item_id} i rapport {report_id} / no such item")
        return report, item

    @staticmethod
    def _suggestion_chain(s: Session, suggestion_id: int):
        row = s.get(SuggestionRow, suggestion_id)
        if row is None:
            raise NotFound(f"Inget förslag med id {suggestion_id} / no such suggestion")
        section = s.get_one(SectionRow, row.section_id)  # foreign keys: the chain exists
        item = s.get_one(ItemRow, section.item_id)
        report = s.get_one(ReportRow, item.report_id)
        return row, section, item, report

    @staticmethod
    def _names(s: Session, ids: Iterable[int | None]) -> dict[int, str]:
        ids = {i for i in ids if i is not None}
        if not ids:
            return {}
        return dict(s.execute(select(UserRow.id, UserRow.name).where(UserRow.id.in_(ids))).all())

    @staticmethod
    def _suggestion_view(row: SuggestionRow, section: SectionRow, item_id: int, report_id: int,
                         names: dict[int, str]) -> SuggestionView:
        return SuggestionView(
            id=row.id, report_id=report_id, item_id=item_id, section_id=section.id, kind=section.kind,
            text=row.text, original_text=row.original_text, generator=row.generator,
            prompt_version=row.prompt_version,
            citations=row_citations(row),
            original_citations=(
                [Citation.model_validate(c) for c in (row.citations or [])] if row.original_text is not None else []
            ),
            grounding=row_grounding(row),
            state=row.state, version=row.version, draft_ref=row.draft_ref,
            created_by=names.get(row.created_by) if row.created_by else None,
            reviewed_by=names.get(row.reviewed_by) if row.reviewed_by else None,
            created_at=row.created_at, reviewed_at=row.reviewed_at,
        )

    def _summary(self, report: ReportRow, names: dict[int, str]) -> ReportSummary:
        return ReportSummary(
            id=report.id, title=report.title, kind=report.kind, kind_label=KIND_LABELS[report.kind],
            year=report.year, unit=report.unit, owner=names.get(report.owner_id) if report.owner_id else None,
            state=report.state, published_path=report.published_path, version=report.version,
            created_at=report.created_at, updated_at=report.updated_at,
        )

    def _load_tree(self, s: Session, report: ReportRow):
        """(items, sections by item id, suggestions by section id), in display order."""
        items = list(s.scalars(
            select(ItemRow).where(ItemRow.report_id == report.id).order_by(ItemRow.position, ItemRow.id)
        ))
        item_ids = [i.id for i in items]
        sections: dict[int, list[SectionRow]] = defaultdict(list)
        suggestions: dict[int, list[SuggestionRow]] = defaultdict(list)
        if item_ids:
            for sec in s.scalars(select(SectionRow).where(SectionRow.item_id.in_(item_ids))):
                sections[sec.item_id].append(sec)
            for secs in sections.values():
                secs.sort(key=lambda x: _SECTION_ORDER.get(x.kind, 99))
            sec_ids = [x.id for secs in sections.values() for x in secs]
            if sec_ids:
                for sg in s.scalars(
                    select(SuggestionRow).where(SuggestionRow.section_id.in_(sec_ids)).order_by(SuggestionRow.id)
                ):
                    suggestions[sg.section_id].append(sg)
        return items, sections, suggestions

    def report_view(self, s: Session, report: ReportRow) -> ReportView:
        items, sections, suggestions = self._load_tree(s, report)
        user_ids = [report.owner_id] + [u for sgs in suggestions.values() for sg in sgs for u in (sg.created_by, sg.reviewed_by)]
        names = self._names(s, user_ids)
        sec_counts: Counter = Counter()
        sug_counts: Counter = Counter()
        item_views = []
        for it in items:
            sec_views = []
            # a draft kind without a section row is an empty section too (counted like one)
            sec_counts["empty"] += len(set(report_sections(report.kind)) - {sec.kind for sec in sections.get(it.id, [])})
            for sec in sections.get(it.id, []):
                sgs = suggestions.get(sec.id, [])
                state = section_state([x.state for x in sgs])
                sec_counts[state] += 1
                sug_counts.update(x.state for x in sgs)
                sec_views.append(SectionView(
                    id=sec.id, kind=sec.kind, state=state,
                    suggestions=[self._suggestion_view(x, sec, it.id, report.id, names) for x in sgs],
                ))
            item_views.append(ItemView(
                id=it.id, report_id=report.id, sections=sec_views, draft_notices=it.draft_notices or {},
                **{f: getattr(it, f) for f in SNAP_ITEM},
            ))
        sec_counts = +sec_counts  # no zero counts
        progress = Progress(
            total=sum(sec_counts.values()), sections=dict(sec_counts), suggestions=dict(sug_counts),
            ready_to_publish=report.state == "draft" and sec_counts["pending"] == 0 and sec_counts["reviewed"] > 0,
            all_reviewed=all_reviewed(sec_counts),
        )
        summary = self._summary(report, names)
        return ReportView(**summary.model_dump(), items=item_views, progress=progress)

    # ==== reports and items =============================================================
    def create_report(self, title: str, kind: str, year: int, unit: str | None, user: User) -> ReportView:
        """A new report (draft). A rektor creates reports for their own unit only; `unit`
        None means the user's own unit."""
        try:
            data = ReportIn(title=title, kind=kind, year=year, unit=unit or user.unit)
        except ValidationError as exc:
            raise validation_error(exc) from exc
        if not data.unit:
            raise InvalidInput("Ange enhet (unit) / a unit is required")
        require_write(user, data.unit)
        with self.db.session() as s:
            now = utcnow()
            row = ReportRow(
                title=data.title, kind=data.kind, year=data.year, unit=data.unit, owner_id=user.id,
                state="draft", created_at=now, updated_at=now,
            )
            s.add(row)
            s.flush()
            record_audit(s, user, "report.create", "report", row.id, row.id, None, snapshot(row, SNAP_REPORT))
            return self.report_view(s, row)

    def list_reports(self, user: User, *, year: int | None = None, kind: str | None = None) -> list[ReportSummary]:
        """The reports `user` may read, newest first."""
        q = select(ReportRow).order_by(ReportRow.year.desc(), ReportRow.id.desc())
        if user.role == "rektor":
            # Their own unit's reports, and every published report (a public document).
            q = q.where(or_(ReportRow.unit == user.unit, ReportRow.state == "published") if user.unit
                        else ReportRow.state == "published")
        elif user.role not in ("admin", "kvalitetsutvecklare", "granskare"):
            return []
        if year is not None:
            q = q.where(ReportRow.year == year)
        if kind is not None:
            q = q.where(ReportRow.kind == kind)
        with self.db.session() as s:
            rows = list(s.scalars(q))
            names = self._names(s, [r.owner_id for r in rows])
            return [self._summary(r, names) for r in rows]

    def get_report(self, report_id: int, user: User) -> ReportView:
        """The report with its items, sections (state at a glance) and suggestions. A published
        report is a public document (offentlighetsprincipen): every signed-in role may read it,
        as search and the document view already show its text; who may not read the unit's
        reports otherwise sees it as published (accepted and edited text only)."""
        with self.db.session() as s:
            report = load_report(s, report_id)
            if report.state == "published" and not can_read(user, report.unit) and can_read_published(user):
                view = self.report_view(s, report)
                for it in view.items:
                    for sec in it.sections:
                        sec.suggestions = [x for x in sec.suggestions if x.state in ("accepted", "edited")]
                return view
            require_read(user, report.unit)
            return self.report_view(s, report)

    def add_item(self, report_id: int, item: ItemIn | dict, user: User) -> ItemView:
        """Add an activity (insats) to the report, at the end."""
        try:
            data = item if isinstance(item, ItemIn) else ItemIn.model_validate(item)
        except ValidationError as exc:
            raise validation_error(exc) from exc
        with self.db.session() as s:
            report = load_report(s, report_id)
            require_write(user, report.unit)
            ensure_open(report)
            count = s.scalar(select(func.count()).select_from(ItemRow).where(ItemRow.report_id == report.id)) or 0
            if count >= self.settings.max_items_per_report:
                raise InvalidInput(
                    f"Rapporten har redan {count} aktiviteter, högst {self.settings.max_items_per_report} per rapport "
                    f"(KVALITET_MAX_ITEMS_PER_REPORT) / the report already has {count} activities, the most allowed")
            last = s.scalar(select(func.max(ItemRow.position)).where(ItemRow.report_id == report.id))
            row = ItemRow(
                report_id=report.id, position=(last or 0) + 1, created_by=user.id, created_at=utcnow(),
                **data.model_dump(),
            )
            s.add(row)
            s.flush()
            record_audit(s, user, "item.create", "item", row.id, report.id, None, snapshot(row, SNAP_ITEM))
            touch(s, report.id)
            return ItemView(id=row.id, report_id=report.id, sections=[], **{f: getattr(row, f) for f in SNAP_ITEM})

    # ==== drafts ========================================================================
    def draft_item(
        self,
        report_id: int,
        item_id: int,
        sections: Sequence[str] | None,
        user: User,
        *,
        generator=None,
        on_stored: Callable[[int], None] | None = None,
        notices: dict[str, str] | None = None,
    ) -> list[SuggestionView]:
        """Ask the drafter for suggestions for the item's `sections` (default: all) and store
        them as pending, all in one transaction. `generator` goes to Drafter.draft; `notices`, when
        given, receives {kind: notice} for the sections that got no suggestion (nothing relevant);
        `on_stored(suggestion_id)` is called after each suggestion is written (inside the
        transaction: an exception there rolls everything back)."""
        wanted = draft_sections(sections)
        with self.db.session() as s:
            report, item = self._item(s, report_id, item_id)
            require_write(user, report.unit)
            ensure_open(report)
            req = DraftRequest(
                activity=item.activity, goal=item.goal, status=item.status, notes=item.notes,
                sections=wanted, history_ids=list(item.history_ids or []),
            )
        draft = self.drafter.draft(req, generator=generator)
        suggestions = [sg for sec in draft.sections for sg in sec.suggestions]
        found: dict[str, str] = {sec.kind: sec.notice for sec in draft.sections if sec.notice}
        if notices is not None:  # sections with nothing relevant: said, never stored as a suggestion
            notices.update(found)
        with self.db.session() as s:  # kept with the item, so the page says it again after a reload
            report, item = self._item(s, report_id, item_id)
            ensure_open(report)
            kept = {k: v for k, v in (item.draft_notices or {}).items() if k not in wanted}
            item.draft_notices = {**kept, **found} or None
        if not suggestions:
            return []
        return self._store(report_id, item_id, suggestions, user, on_stored=on_stored,
                           draft_info={"sections": wanted, **({"notices": found} if found else {})})

    def add_suggestions(
        self,
        report_id: int,
        item_id: int,
        suggestions: list[Suggestion],
        user: User,
        *,
        on_stored: Callable[[int], None] | None = None,
        reopen: bool = False,
    ) -> list[SuggestionView]:
        """Store suggestions made elsewhere (a chat, an import) as pending, in one transaction.

        Placing is refused (Conflict, nothing stored) when the section already holds the same text
        or the same draft (pending, accepted or edited), and when the section has been reviewed
        (an accepted or edited text) unless a reviewer says so with `reopen=True`: a placed
        suggestion never turns an approved section back to pending on its own."""
        try:
            suggestions = [sg if isinstance(sg, Suggestion) else Suggestion.model_validate(sg) for sg in suggestions]
        except ValidationError as exc:
            raise validation_error(exc) from exc
        if reopen:
            require_review(user)
        self._check_placeable(report_id, item_id, suggestions, reopen, user)
        return self._store(report_id, item_id, suggestions, user, on_stored=on_stored, draft_info=None)

    def _check_placeable(self, report_id: int, item_id: int, suggestions: list[Suggestion], reopen: bool,
                         user: User) -> None:
        with self.db.session() as s:
            report, item = self._item(s, report_id, item_id)
            require_write(user, report.unit)  # the right first: a 403 never says what the section holds
            ensure_open(report)
            secs = {x.kind: x for x in s.scalars(select(SectionRow).where(SectionRow.item_id == item.id))}
            for sg in suggestions:
                sec = secs.get(sg.kind)
                if sec is None:
                    continue
                rows = list(s.scalars(select(SuggestionRow).where(SuggestionRow.section_id == sec.id)))
                live = [r for r in rows if r.state != "rejected"]
                same = " ".join(sg.text.split())
                if any(r.draft_ref == sg.id or " ".join(r.text.split()) == same for r in live):
                    raise Conflict(
                        f"Förslaget finns redan i avsnittet {sg.kind}; samma text läggs inte in två gånger / "
                        "this text is already in the section",
                        detail={"section": sg.kind, "reason": "duplicate"},
                    )
                if not reopen and section_state([r.state for r in rows]) == "reviewed":
                    raise Conflict(
                        f"Avsnittet {sg.kind} är redan granskat och godkänt; en granskare måste välja att öppna det "
                        "igen innan ett nytt förslag läggs in / the section is approved: a reviewer must reopen it",
                        detail={"section": sg.kind, "reason": "reviewed"},
                    )

    def _store(self, report_id, item_id, suggestions: list[Suggestion], user: User, *, on_stored, draft_info):
        for sg in suggestions:
            if not sg.text or len(sg.text) > MAX_TEXT:
                raise InvalidInput(f"Förslagets text måste vara 1–{MAX_TEXT} tecken / bad suggestion text")
        try:
            with self.db.session() as s:
                report, item = self._item(s, report_id, item_id)
                require_write(user, report.unit)
                ensure_open(report)
                secs = {x.kind: x for x in s.scalars(select(SectionRow).where(SectionRow.item_id == item.id))}
                stored: list[tuple[SuggestionRow, SectionRow]] = []
                for sg in suggestions:
                    sec = secs.get(sg.kind)
                    if sec is None:
                        sec = SectionRow(item_id=item.id, kind=sg.kind, created_at=utcnow())
                        s.add(sec)
                        s.flush()
                        secs[sg.kind] = sec
                    row = SuggestionRow(
                        section_id=sec.id, draft_ref=sg.id, text=sg.text, original_text=None,
                        generator=sg.generator, prompt_version=sg.prompt_version,
                        citations=[c.model_dump(mode="json") for c in sg.citations],
                        grounding=sg.grounding.model_dump(mode="json"), state="pending",
                        created_by=user.id, created_at=utcnow(),
                    )
                    s.add(row)
                    s.flush()
                    record_audit(s, user, "suggestion.create", "suggestion", row.id, report.id, None,
                                {**snapshot(row, SNAP_SUGGESTION), "kind": sec.kind, "item_id": item.id})
                    stored.append((row, sec))
                    if item.draft_notices and sg.kind in item.draft_notices:  # the section has a suggestion now
                        item.draft_notices = {k: v for k, v in item.draft_notices.items() if k != sg.kind} or None
                    if on_stored is not None:
                        on_stored(row.id)
                record_audit(
                    s, user, "item.draft" if draft_info is not None else "item.add_suggestions", "item", item.id,
                    report.id, None,
                    {**(draft_info or {}), "suggestions": [r.id for r, _ in stored],
                     "generators": sorted({r.generator for r, _ in stored})},
                )
                touch(s, report.id)
                names = self._names(s, [user.id])
                return [self._suggestion_view(r, sec, item.id, report.id, names) for r, sec in stored]
        except IntegrityError as exc:  # e.g. two drafts creating the same section at once
            raise Conflict("Samtidig ändring; försök igen / a concurrent change, try again") from exc

    # ==== review ========================================================================
    def get_suggestion(self, suggestion_id: int, user: User) -> SuggestionView:
        with self.db.session() as s:
            row, section, item, report = self._suggestion_chain(s, suggestion_id)
            require_read(user, report.unit)
            return self._suggestion_view(row, section, item.id, report.id,
                                         self._names(s, [row.created_by, row.reviewed_by]))

    def accept(self, suggestion_id: int, user: User, *, expected_version: int | None) -> SuggestionView:
        """Accept the text as it stands (pending/rejected -> accepted). Needs the version the
        reviewer saw, as edit does: Conflict (409) if someone changed it since, InvalidInput
        (422) without one (no last-writer-wins)."""
        return self._review(suggestion_id, user, "accepted", expected_version=expected_version)

    def reject(self, suggestion_id: int, user: User, *, expected_version: int | None) -> SuggestionView:
        """Reject: the row stays (state rejected) and its text never reaches a report. Needs the
        version the reviewer saw (see accept)."""
        return self._review(suggestion_id, user, "rejected", expected_version=expected_version)

    def edit(self, suggestion_id: int, text: str, expected_version: int | None, user: User) -> SuggestionView:
        """Replace the text (state edited; the drafter's text kept in original_text). Needs the
        version the editor saw: Conflict if someone changed the suggestion since."""
        text = (text or "").strip()
        if not text or len(text) > MAX_TEXT:
            raise InvalidInput(f"Texten måste vara 1–{MAX_TEXT} tecken / text must be 1-{MAX_TEXT} characters")
        return self._review(suggestion_id, user, "edited", expected_version=expected_version, text=text)

    def _review(self, suggestion_id, user, state, *, expected_version, text=None) -> SuggestionView:
        require_review(user)
        try:
            with self.db.session() as s:
                row, section, item, report = self._suggestion_chain(s, suggestion_id)
                require_read(user, report.unit)
                _require_version(expected_version)  # after 404/403: who may not review learns nothing more
                ensure_open(report)
                if row.version != expected_version:
                    raise Conflict(
                        f"Förslaget har ändrats (version {row.version}, du hade {expected_version}); "
                        "läs om det och försök igen / changed since you read it",
                        detail={"current_version": row.version},
                    )
                unchanged = text is None and (
                    row.state == state or (state == "accepted" and row.state == "edited")
                )
                if not unchanged:
                    before = snapshot(row, SNAP_SUGGESTION)
                    if text is not None:
                        if row.original_text is None:
                            row.original_text = row.text
                        row.text = text
                    row.state = state
                    row.reviewed_by = user.id
                    row.reviewed_at = utcnow()
                    s.flush()  # UPDATE … WHERE version = <read>: StaleDataError if overtaken
                    action = {"accepted": "suggestion.accept", "rejected": "suggestion.reject",
                              "edited": "suggestion.edit"}[state]
                    record_audit(s, user, action, "suggestion", row.id, report.id, before, snapshot(row, SNAP_SUGGESTION))
                    touch(s, report.id)
                names = self._names(s, [row.created_by, row.reviewed_by])
                return self._suggestion_view(row, section, item.id, report.id, names)
        except StaleDataError as exc:
            raise Conflict(
                "Någon annan ändrade förslaget samtidigt; läs om det och försök igen / "
                "changed concurrently, reload and retry"
            ) from exc

    # ==== audit =========================================================================
    def audit(self, report_id: int, user: User) -> list[AuditEntry]:
        """Every recorded change of the report and its items and suggestions, oldest first."""
        with self.db.session() as s:
            report = load_report(s, report_id)
            require_read(user, report.unit)
            rows = s.scalars(select(AuditRow).where(AuditRow.report_id == report.id).order_by(AuditRow.id))
            return [
                AuditEntry(id=r.id, at=r.at, actor=r.actor, user_id=r.user_id, action=r.action,
                           object_type=r.object_type, object_id=r.object_id, report_id=r.report_id,
                           before=r.before, after=r.after)
                for r in rows
            ]

    # ==== render, export, publish =======================================================
    def _render_input(self, s: Session, report: ReportRow) -> tuple[dict, list[rnd.Item]]:
        items, sections, suggestions = self._load_tree(s, report)
        out: list[rnd.Item] = []
        pending_sections = 0
        expected = set(report_sections(report.kind))
        for n, it in enumerate(items, 1):
            secs: dict[str, rnd.Section] = {}
            for kind in DRAFT_SECTIONS:
                secs[kind] = rnd.Section(kind=kind, state="empty", texts=[], pending=0)
            for sec in sections.get(it.id, []):
                sgs = suggestions.get(sec.id, [])
                state = section_state([x.state for x in sgs])
                pending_sections += state == "pending"
                secs[sec.kind] = rnd.Section(
                    kind=sec.kind, state=state,
                    texts=[
                        rnd.Text(raw=x.text, citations=row_citations(x))
                        for x in sgs if x.state in ("accepted", "edited")
                    ],
                    pending=sum(1 for x in sgs if x.state == "pending"),
                )
            out.append(rnd.Item(
                n=n, activity=it.activity, goal=it.goal, status=it.status, perspective=it.perspective,
                committee=it.committee, deadline=it.deadline, comment=it.comment, responsible=it.responsible,
                carried_from=it.carried_from, sections=secs, area=it.area,
            ))
        names = self._names(s, [report.owner_id])
        # the same counts as the page's (report_view): every draft kind of every item
        counts = Counter(sec.state for item in out for kind, sec in item.sections.items()
                         if kind in expected or sec.state != "empty")
        meta = {
            "id": report.id, "title": report.title, "kind": report.kind, "kind_label": KIND_LABELS[report.kind],
            "year": report.year, "unit": report.unit, "state": report.state,
            "owner": names.get(report.owner_id) if report.owner_id else None,
            "pending_sections": pending_sections,
            "empty_sections": counts["empty"],  # no text: nothing drafted, or only a notice
            "status": rnd.STATUS_REVIEWED if all_reviewed(counts) else rnd.STATUS_UNREVIEWED,
            "date": rnd.swedish_date(utcnow()),
        }
        return meta, out

    def _add_figures(self, items: list[rnd.Item], per_item: int = 1) -> None:
        """Each item's results over the years (issue 19): the series most about its activity, as a
        chart with alt text, sentence, data table and source, numbered through the report."""
        import base64

        from kvalitet.results.charts import alt_text, chart_png, chart_table

        results = self.results
        every = results.all_series()
        if not every:
            return
        n = 0
        for it in items:
            topic = " ".join(x for x in (it.activity, it.area, it.goal) if x)
            for series in results.relevant(topic, k=per_item, series=every):
                n += 1
                source = ("Källa: Kolada (RKA)" if series.source_kind == "kolada"
                          else "Källa: " + "; ".join(dict.fromkeys(p.source.label.removeprefix("Källa: ")
                                                                  for p in series.points)))
                it.figures.append(rnd.Figure(
                    n=n, title=series.title + (f", {series.entity}" if series.entity else ""),
                    sentence=results.describe(series), alt=alt_text([series]),
                    png_b64=base64.b64encode(chart_png([series])).decode("ascii"), table=chart_table([series]),
                    source=source,
                ))

    @staticmethod
    def _cited_documents(s: Session, items: list[rnd.Item]) -> dict[str, tuple[str | None, int | None]]:
        """path -> (title, year) from the catalog, for every document the report's text cites."""
        paths = {c.source.path for it in items for sec in it.sections.values() for t in sec.texts for c in t.citations}
        if not paths:
            return {}
        rows = s.execute(select(DocumentRow.path, DocumentRow.title, DocumentRow.year).where(DocumentRow.path.in_(paths)))
        return {p: (t, y) for p, t, y in rows}

    def _render(self, s: Session, report: ReportRow, fmt: str, *, masked: bool = False, figures: bool = True) -> str:
        """The report as text. `masked`: personal data masked in every field (exports and previews
        with KVALITET_MASK_PERSONAL_DATA; publishing keeps the text as written). `figures`: results
        beside the activities (exports); a published report leaves them out, since its copy in the
        corpus would otherwise count the same values again as indicator records."""
        meta, items = shown(self._render_input(s, report), masked)
        if figures:
            self._add_figures(items)
        text = rnd.render(
            kind=report.kind, fmt=fmt, report=meta, items=items,
            templates_dir=str(self.settings.templates_dir) if self.settings.templates_dir else None,
            generated_at=utcnow(), documents=shown(self._cited_documents(s, items), masked),
        )
        if fmt == "md":
            text = re.sub(r"[ \t]+\n", "\n", text)
            text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        return text

    @staticmethod
    def _require_read_content(user: User, report: ReportRow) -> None:
        """Reading a report's text (render, export): the unit's readers, and everyone signed in
        once it is published (its export holds accepted text only)."""
        if report.state == "published" and can_read_published(user):
            return
        require_read(user, report.unit)

    def render(self, report_id: int, fmt: str, user: User) -> str:
        """The report as Markdown or HTML text (no audit row: nothing leaves the service)."""
        if fmt not in ("md", "html"):
            raise InvalidInput("Format md eller html / format must be md or html")
        with self.db.session() as s:
            report = load_report(s, report_id)
            self._require_read_content(user, report)
            return self._render(s, report, fmt, masked=self.settings.mask_personal_data)

    def export(self, report_id: int, fmt: str, user: User) -> ExportedFile:
        """The report as a file: md, html or docx. Audited (who took out which report)."""
        if fmt not in MEDIA_TYPES:
            raise InvalidInput("Format md, html eller docx / format must be md, html or docx")
        with self.db.session() as s:
            report = load_report(s, report_id)
            self._require_read_content(user, report)
            n_items = s.scalar(select(func.count()).select_from(ItemRow).where(ItemRow.report_id == report.id)) or 0
            if n_items > self.settings.max_items_per_report:  # a report made before the limit
                raise InvalidInput(
                    f"Rapporten har {n_items} aktiviteter; en export tar högst {self.settings.max_items_per_report} "
                    "(KVALITET_MAX_ITEMS_PER_REPORT) / too many activities to export in one file")
            if fmt == "docx":
                import time

                from kvalitet.workspace.docx_export import base_document_path, check_deadline, html_to_docx

                deadline = time.monotonic() + self.settings.export_timeout_seconds
                masked = self.settings.mask_personal_data
                html = self._render(s, report, "html", masked=masked)
                check_deadline(deadline)
                meta, _ = shown(self._render_input(s, report), masked)
                base = base_document_path(report.kind, self.settings.templates_dir)
                content = html_to_docx(
                    html, base=base, title=report.title, subject=KIND_LABELS[report.kind], author=report.unit,
                    meta=meta, deadline=deadline,
                )
            else:
                content = self._render(s, report, fmt, masked=self.settings.mask_personal_data).encode("utf-8")
            filename = f"{report.year}-{slugify(report.title)}.{fmt}"
            record_audit(s, user, "report.export", "report", report.id, report.id, None,
                        {"format": fmt, "bytes": len(content), "version": report.version})
        return ExportedFile(content=content, media_type=MEDIA_TYPES[fmt], filename=filename)

    def reopen(self, report_id: int, user: User, *, expected_version: int | None = None) -> ReportView:
        """A published report back to draft so it can be changed (and published again)."""
        require_review(user)
        try:
            with self.db.session() as s:
                report = load_report(s, report_id)
                if expected_version is not None and report.version != expected_version:
                    raise Conflict("Rapporten har ändrats / the report changed", detail={"current_version": report.version})
                if report.state != "published":
                    raise Conflict("Rapporten är inte publicerad / the report is not published")
                before = snapshot(report, SNAP_REPORT)
                report.state = "draft"
                report.updated_at = utcnow()
                s.flush()
                record_audit(s, user, "report.reopen", "report", report.id, report.id, before, snapshot(report, SNAP_REPORT))
                return self.report_view(s, report)
        except StaleDataError as exc:
            raise Conflict("Rapporten ändrades samtidigt / changed concurrently") from exc

    def publish(self, report_id: int, user: User, *, expected_version: int | None = None) -> PublishResult:
        """Write the reviewed report as Markdown to <corpus>/rapporter/<year>-<slug>.md and
        ingest it, so next year's drafts can cite it. Every section must be reviewed."""
        require_review(user)
        corpus = Path(self.settings.corpus_dir)
        with self.db.session() as s:
            report = load_report(s, report_id)
            require_read(user, report.unit)
            ensure_open(report)
            if expected_version is not None and report.version != expected_version:
                raise Conflict("Rapporten har ändrats / the report changed", detail={"current_version": report.version})
            view = self.report_view(s, report)
            if view.progress.sections.get("pending"):
                raise Conflict(
                    f"{view.progress.sections['pending']} avsnitt väntar på granskning; granska dem först / "
                    "sections still wait for review"
                )
            if not view.progress.sections.get("reviewed"):
                raise Conflict("Rapporten har ingen godkänd text att publicera / nothing accepted to publish")
            markdown = self._render(s, report, "md", figures=False)
            version = report.version
            if report.published_path:
                target = corpus / report.published_path
            else:
                target = corpus / "rapporter" / f"{report.year}-{slugify(report.title)}.md"
                taken = {p for (p,) in s.execute(select(ReportRow.published_path).where(ReportRow.id != report.id))}
                if target.exists() or target.relative_to(corpus).as_posix() in taken:
                    target = target.with_name(f"{report.year}-{slugify(report.title)}-{report.id}.md")
        from kvalitet.ingest.pipeline import display_path
        from kvalitet.ingest.staging import staged_ingest

        # Written under a staging name and read into the index as `target`; renamed only once the
        # catalog holds it (ingest/staging.py). A crash before the report is marked published
        # leaves an orphan that start-up recovery takes out; an unreadable file replaces nothing.
        previous = target.read_bytes() if target.exists() else None
        doc_path = display_path(target, corpus)
        ingested = staged_ingest(self.index, target, markdown.encode("utf-8"))
        skipped = dict(ingested.skipped)
        if doc_path in skipped:
            raise UnreadableFile(
                f"Den publicerade rapporten kunde inte läsas in i indexet: {skipped[doc_path]} / "
                "the published report could not be ingested"
            )
        try:
            with self.db.session() as s:
                report = load_report(s, report_id)
                if report.version != version:
                    raise Conflict("Rapporten ändrades under publiceringen / changed while publishing")
                doc = s.get(DocumentRow, doc_path)
                passages = s.scalar(select(func.count()).select_from(PassageRow).where(PassageRow.doc_path == doc_path))
                before = snapshot(report, SNAP_REPORT)
                report.state = "published"
                report.published_path = doc_path
                report.updated_at = utcnow()
                s.flush()
                record_audit(s, user, "report.publish", "report", report.id, report.id, before,
                            {**snapshot(report, SNAP_REPORT), "doc_kind": doc.doc_kind if doc else None,
                             "passages": passages or 0})
                names = self._names(s, [report.owner_id])
                return PublishResult(report=self._summary(report, names), path=doc_path,
                                     doc_kind=doc.doc_kind if doc else None, passages=passages or 0)
        except (Conflict, StaleDataError) as exc:
            self._undo_publication(target, previous)
            if isinstance(exc, Conflict):
                raise
            raise Conflict("Rapporten ändrades samtidigt / changed concurrently") from exc

    def _undo_publication(self, target: Path, previous: bytes | None) -> None:
        """Put back the published file (and its passages) as they were before a publish that
        could not be recorded."""
        from kvalitet.ingest.pipeline import remove_document, display_path, ingest_lock
        from kvalitet.ingest.staging import staged_ingest
        from kvalitet.storage.index_lock import exclusive_index

        if previous is not None:
            staged_ingest(self.index, target, previous)
            return
        with exclusive_index(self.settings, "publicering"), ingest_lock(self.settings.index_dir):
            remove_document(self.index, display_path(target, Path(self.settings.corpus_dir)))
            target.unlink(missing_ok=True)
        self.index.invalidate()
