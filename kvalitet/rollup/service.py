"""The roll-up service: the unit register, documents' units, roll-ups for a year and the
huvudman's report drafted from them. Used by the API, the CLI and the web pages alike; every
permission check is made here.

Who sees what:
  admin, kvalitetsutvecklare, granskare  every unit's row, names and citations
  rektor                                 their own unit's row and citations, the totals of all
                                         (how many units raise a theme), never another unit's
                                         name or text
Changing the register or a document's unit: admin and kvalitetsutvecklare. The huvudman's
report (kind huvudmannarapport, unit "Huvudman") is written by a kvalitetsutvecklare or an
admin and reviewed like any report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy import select

from kvalitet.domain.types import Passage
from kvalitet.errors import Forbidden, InvalidInput, NotFound
from kvalitet.rollup.engine import UnitDocument, roll_up
from kvalitet.rollup.model import Cell, MatrixRow, RollupResult, UnitInfo
from kvalitet.rollup.units import head_text, kind_of, recognise_unit, school_years
from kvalitet.storage.db import DocumentRow, PassageRow, utcnow
from kvalitet.storage.rollup import UNIT_KINDS, DocumentUnitRow, UnitRow
from kvalitet.workspace.auth import HUVUDMAN_UNIT, User
from kvalitet.workspace.models import ReportRow

if TYPE_CHECKING:
    from kvalitet.adapters.llm import LLMClient
    from kvalitet.search.retriever import Retriever
    from kvalitet.settings import Settings
    from kvalitet.storage.db import Database
    from kvalitet.workspace.service import Workspace

SEE_ALL = ("admin", "kvalitetsutvecklare", "granskare")
MANAGE = ("admin", "kvalitetsutvecklare")
HUVUDMAN_SECTIONS = (
    ("samlad_bild", "Samlad bild"),
    ("analys", "Analys"),
    ("prioriteringar", "Prioriterade utvecklingsområden"),
    ("risker", "Risker"),
)


def require_rollup(user: User) -> None:
    if user.role not in SEE_ALL and not (user.role == "rektor" and user.unit):
        raise Forbidden(f"{user.name} ({user.role}) får inte se sammanställningen", "not allowed to see the roll-up")


def require_manage(user: User) -> None:
    if user.role not in MANAGE:
        raise Forbidden(
            f"Bara kvalitetsutvecklare och admin får ändra enhetsregistret; {user.name} är {user.role}",
            "quality developers and admins only: ask one of them to change the register",
        )


def _unit_view(row: UnitRow) -> UnitInfo:
    return UnitInfo(id=row.id, name=row.name, kind=row.kind, parent=row.parent, kolada_id=row.kolada_id)


def anonymise(result: RollupResult, unit: str | None) -> RollupResult:
    """What a rektor of `unit` may see: their unit's row, mentions and citations; the totals of
    every count and theme; other units neither named nor quoted."""
    r = result.model_copy(deep=True)
    own = unit or ""
    r.anonymised, r.viewer_unit = True, unit
    r.units = [u for u in r.units if u.name == own]
    r.reported = [u for u in r.reported if u == own]
    r.missing = [u for u in r.missing if u == own]
    r.matrix = [row for row in r.matrix if row.unit == own]
    for t in r.themes:
        t.units = [ut for ut in t.units if ut.unit == own]
        t.representative = [m for ut in t.units for m in ut.mentions[:1]]
        for c in t.counts:
            keep = [i for i, u in enumerate(c.units) if u == own]
            c.units = [c.units[i] for i in keep]
            c.citations = [c.citations[i] for i in keep if i < len(c.citations)]
    return r


class Rollup:
    """The roll-up service, built once per process by kvalitet.container.Services with what it
    uses: the settings it reads (generator, LLM fallback, prompts, templates), the database, the
    workspace (the huvudman's report), the retriever (the passages a roll-up cites) and `llm()`,
    the chat model (None when none is configured; asked only for the llm generator)."""

    def __init__(self, settings: Settings, db: Database, workspace: Workspace, retriever: Retriever,
                 llm: Callable[[], LLMClient | None]):
        self.settings = settings
        self.db = db
        self.workspace = workspace
        self.retriever = retriever
        self.llm = llm

    # ==== the register ==================================================================
    def list_units(self, user: User) -> list[UnitInfo]:
        """The register (a rektor sees their own unit only)."""
        require_rollup(user)
        with self.db.session() as s:
            rows = list(s.scalars(select(UnitRow).order_by(UnitRow.name)))
            units = [_unit_view(r) for r in rows]
        if user.role not in SEE_ALL:
            units = [u for u in units if u.name == user.unit]
        return units

    def save_unit(self, unit: UnitInfo | dict, user: User) -> UnitInfo:
        """Create or update a unit by name. Kind must be one of UNIT_KINDS (guessed from the
        name when missing). Raises InvalidInput for a bad name or kind, Forbidden for others
        than kvalitetsutvecklare and admin."""
        require_manage(user)
        u = unit if isinstance(unit, UnitInfo) else UnitInfo.model_validate(unit)
        name = (u.name or "").strip()
        if not name or len(name) > 200 or name == HUVUDMAN_UNIT:
            raise InvalidInput("Enhetens namn måste vara 1–200 tecken (inte \"Huvudman\")",
                               "the unit's name must be 1-200 characters (not \"Huvudman\")")
        kind = u.kind or kind_of(name) or "annan"
        if kind not in UNIT_KINDS:
            raise InvalidInput(f"Okänd enhetstyp {kind!r}; välj bland {', '.join(UNIT_KINDS)}", f"unknown unit kind: choose one of {', '.join(UNIT_KINDS)}")
        with self.db.session() as s:
            row = s.scalar(select(UnitRow).where(UnitRow.name == name))
            if row is None:
                row = UnitRow(name=name, kind=kind, created_at=utcnow())
                s.add(row)
            row.kind = kind
            row.parent = (u.parent or "").strip() or None
            row.kolada_id = (u.kolada_id or "").strip() or None
            s.flush()
            return _unit_view(row)

    def import_units(self, path: Path, user: User) -> list[UnitInfo]:
        """Units from a JSON file {"units": [{name, kind, parent, kolada_id}, …]} (or a list)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"Kunde inte läsa enhetsregistret {path}: {exc}", "could not read the unit file: JSON with {\"units\": [...]} expected") from exc
        rows = data.get("units", []) if isinstance(data, dict) else data
        return [self.save_unit(r, user) for r in rows]

    def set_document_unit(self, doc_path: str, unit: str, user: User, *, how: str = "set") -> UnitInfo:
        """Say which unit a document belongs to (a unit not in the register is added, its kind
        guessed from its name). A unit set by hand is kept when recognition runs again."""
        require_manage(user)
        name = (unit or "").strip()
        if not name:
            raise InvalidInput("Ange enhet", "a unit is required")
        with self.db.session() as s:
            if s.get(DocumentRow, doc_path) is None:
                raise NotFound(f"Inget dokument {doc_path!r} i indexet", "no such document in the index: ingest it first")
        info = self._ensure_unit(name)
        assert info.id is not None  # a unit of the register (stored by _ensure_unit)
        with self.db.session() as s:
            row = s.get(DocumentUnitRow, doc_path)
            if row is None:
                row = DocumentUnitRow(doc_path=doc_path, unit_id=info.id, how=how, set_by=user.name, set_at=utcnow())
                s.add(row)
            else:
                row.unit_id, row.how, row.set_by, row.set_at = info.id, how, user.name, utcnow()
        return info

    def _ensure_unit(self, name: str) -> UnitInfo:
        with self.db.session() as s:
            row = s.scalar(select(UnitRow).where(UnitRow.name == name))
            if row is None:
                row = UnitRow(name=name, kind=kind_of(name) or "annan", created_at=utcnow())
                s.add(row)
                s.flush()
            return _unit_view(row)

    def document_units(self, user: User) -> list[dict]:
        """Every ingested document with its unit (None when none was recognised) and how."""
        require_manage(user)
        self.assign_units()
        with self.db.session() as s:
            units = {r.id: r.name for r in s.scalars(select(UnitRow))}
            assigned = {r.doc_path: r for r in s.scalars(select(DocumentUnitRow))}
            out = []
            for d in s.scalars(select(DocumentRow).order_by(DocumentRow.path)):
                a = assigned.get(d.path)
                out.append({"path": d.path, "year": d.year, "title": d.title,
                            "unit": units.get(a.unit_id) if a else None, "how": a.how if a else None})
            return out

    def assign_units(self) -> int:
        """Recognise the unit of every ingested document that has none yet (its title and first
        passages against the register; a new name found in the text joins the register).
        Published workspace reports are skipped: their unit is the report's. Returns how many
        documents got a unit."""
        with self.db.session() as s:
            done = set(s.scalars(select(DocumentUnitRow.doc_path)))
            published = {p for p in s.scalars(select(ReportRow.published_path)) if p}
            todo = [(d.path, d.title) for d in s.scalars(select(DocumentRow)) if d.path not in done | published]
            names = list(s.scalars(select(UnitRow.name)))
        n = 0
        for path, title in todo:
            with self.db.session() as s:
                first = list(s.scalars(
                    select(PassageRow).where(PassageRow.doc_path == path).order_by(PassageRow.ordinal).limit(3)
                ))
            rec = recognise_unit(head_text(title, first), names)
            if rec is None:
                continue
            info = self._ensure_unit(rec.name)
            if not rec.known:
                names.append(rec.name)
            with self.db.session() as s:
                if s.get(DocumentUnitRow, path) is None:
                    s.add(DocumentUnitRow(doc_path=path, unit_id=info.id, how="recognised", set_at=utcnow()))
                    n += 1
        return n

    # ==== the roll-up ===================================================================
    def gather(self, year: int | None, units: list[str] | None) -> tuple[list[UnitInfo], list[UnitDocument]]:
        """The units asked for (all of the register when None) and their documents of `year`:
        published reports of the workspace and ingested unit documents."""
        self.assign_units()
        with self.db.session() as s:
            reg = {r.name: _unit_view(r) for r in s.scalars(select(UnitRow))}
            wanted = list(dict.fromkeys(units)) if units else None
            reports_q = select(ReportRow).where(ReportRow.state == "published", ReportRow.kind != "huvudmannarapport")
            if year is not None:
                reports_q = reports_q.where(ReportRow.year == year)
            reports = [r for r in s.scalars(reports_q) if r.published_path and (wanted is None or r.unit in wanted)]
            if wanted is None:
                wanted = sorted(set(reg) | {r.unit for r in reports}, key=str.casefold)
            infos = [reg.get(u) or UnitInfo(name=u, kind=kind_of(u)) for u in wanted]
            ids = {i.id: i.name for i in infos if i.id is not None}
            docs_by_path: dict[str, tuple[str, str, int | None]] = {}
            for r in reports:
                if r.published_path:  # always: only published reports were kept
                    docs_by_path[r.published_path] = (r.unit, "rapport", r.id)
            q = select(DocumentUnitRow, DocumentRow).join(DocumentRow, DocumentRow.path == DocumentUnitRow.doc_path)
            maybe: set[str] = set()  # last year's number: kept when it names the school year ending in `year`
            for du, d in s.execute(q.where(DocumentUnitRow.unit_id.in_(list(ids) or [-1]))):
                if year is not None and d.year != year:
                    if d.year != year - 1:
                        continue
                    maybe.add(d.path)
                docs_by_path.setdefault(d.path, (ids[du.unit_id], "dokument", None))
            titles = dict(s.execute(select(DocumentRow.path, DocumentRow.title)
                                    .where(DocumentRow.path.in_(list(docs_by_path) or [""]))).all())
            passages: dict[str, list[Passage]] = {p: [] for p in docs_by_path}
            if docs_by_path:
                for row in s.scalars(select(PassageRow).where(PassageRow.doc_path.in_(list(docs_by_path)))
                                     .order_by(PassageRow.doc_path, PassageRow.ordinal)):
                    passages[row.doc_path].append(row.to_passage())
        for path in maybe:
            if year not in school_years(head_text(titles.get(path), passages[path])):
                del docs_by_path[path]
        docs = [
            UnitDocument(unit=unit, doc_path=path, passages=passages[path], title=titles.get(path), origin=origin,
                         report_id=rid)
            for path, (unit, origin, rid) in sorted(docs_by_path.items())
        ]
        return infos, docs

    def rollup(self, user: User, *, year: int | None, units: list[str] | None = None,
               huvudman: str | None = None) -> RollupResult:
        """The roll-up as `user` may see it (see the module's docstring)."""
        require_rollup(user)
        infos, docs = self.gather(year, units)
        result = roll_up(infos, docs, year=year, huvudman=huvudman)
        if user.role in SEE_ALL:
            return result
        return anonymise(result, user.unit)

    def passage(self, passage_id: str, user: User) -> tuple[Passage, str | None]:
        """A cited passage and its unit, for the drill-down; a rektor only their own unit's."""
        require_rollup(user)
        with self.db.session() as s:
            row = s.get(PassageRow, passage_id)
            if row is None:
                raise NotFound(f"Inget avsnitt {passage_id}", "no such passage")
            p = row.to_passage()
            du = s.get(DocumentUnitRow, p.doc_path)
            unit_row = s.get(UnitRow, du.unit_id) if du else None
            unit = unit_row.name if unit_row else None
            if unit is None:
                rep = s.scalar(select(ReportRow).where(ReportRow.published_path == p.doc_path))
                unit = rep.unit if rep else None
        if user.role not in SEE_ALL and unit != user.unit:
            raise Forbidden("Avsnittet hör till en annan enhet", "the passage belongs to another unit")
        return p, unit

    # ==== the huvudman's report =========================================================
    def create_huvudman_report(self, year: int, user: User, *, title: str | None = None,
                               huvudman: str | None = None):
        """A huvudman report (kind huvudmannarapport, unit "Huvudman") for `year` with one item
        per huvudman section (Samlad bild, Analys, Prioriterade utvecklingsområden, Risker)."""
        ws = self.workspace
        title = title or f"Huvudmannens kvalitetsrapport {year}" + (f", {huvudman}" if huvudman else "")
        report = ws.create_report(title, "huvudmannarapport", year, HUVUDMAN_UNIT, user)
        for key, label in HUVUDMAN_SECTIONS:
            ws.add_item(report.id, {"activity": label, "perspective": key}, user)
        return ws.get_report(report.id, user)

    def draft_huvudman(self, report_id: int, user: User, *, units: list[str] | None = None,
                       generator: str | None = None, huvudman: str | None = None) -> list:
        """Draft every huvudman section of the report from the roll-up of its year (all units of
        the register unless `units`), stored as pending suggestions to review like any other."""
        from kvalitet.drafting.prompts import get_prompts
        from kvalitet.rollup.drafts import draft_section

        ws = self.workspace
        report = ws.get_report(report_id, user)
        if report.kind != "huvudmannarapport":
            raise InvalidInput("Rapporten är inte en huvudmannarapport", "not a huvudman report: draft a report of kind huvudmannarapport")
        gen = generator or self.settings.generator
        if gen not in ("extractive", "llm"):
            raise InvalidInput(f"Okänd generator {gen!r}; välj extractive eller llm", "unknown generator: choose extractive or llm")
        infos, docs = self.gather(report.year, units)
        result = roll_up(infos, docs, year=report.year, huvudman=huvudman)
        by_key = {it.perspective: it for it in report.items}
        labels = dict(HUVUDMAN_SECTIONS)
        stored = []
        lookup = self.retriever.passage
        for key, _ in HUVUDMAN_SECTIONS:
            item = by_key.get(key) or next((it for it in report.items if it.activity == labels[key]), None)
            if item is None:
                continue
            sg = draft_section(key, result, lookup, generator=gen, llm=self.llm() if gen == "llm" else None,
                               prompts=get_prompts(self.settings), fallback=self.settings.llm_fallback)
            stored += ws.add_suggestions(report_id, item.id, [sg], user)
        return stored

    # ==== export ========================================================================
    def export(self, result: RollupResult, fmt: str, *, title: str | None = None):
        """The roll-up as a file (md, html or docx): the matrix of units × themes as a table,
        every theme with its counts, units and numbered sources. Returns an ExportedFile."""
        from kvalitet.workspace.service import MEDIA_TYPES, slugify
        from kvalitet.workspace.views import ExportedFile

        if fmt not in MEDIA_TYPES:
            raise InvalidInput("Format md, html eller docx", "format must be md, html or docx")
        title = title or f"Sammanställning av enheternas rapporter {result.year or ''}".strip()
        html = render_rollup(result, "html", title, self.settings.templates_dir)
        if fmt == "docx":
            from kvalitet.workspace.docx_export import html_to_docx

            content = html_to_docx(html, base=None, title=title, subject="Sammanställning", author=HUVUDMAN_UNIT)
        elif fmt == "html":
            content = html.encode("utf-8")
        else:
            content = render_rollup(result, "md", title, self.settings.templates_dir).encode("utf-8")
        return ExportedFile(content=content, media_type=MEDIA_TYPES[fmt],
                            filename=f"{result.year or 'alla'}-{slugify(title)}.{fmt}")


def render_rollup(result: RollupResult, fmt: str, title: str, templates_dir=None) -> str:
    """The roll-up through rollup.<fmt>.j2 (the report templates' environment)."""
    import re

    from kvalitet.rollup.model import ASPECT_LABELS, OUTCOME_LABELS
    from kvalitet.workspace.render import References, environment

    sources: list = []
    numbers: dict[str, int] = {}

    def source_no(obj) -> int:
        pid = obj.passage_id
        if pid not in numbers:
            sources.append(obj.source)
            numbers[pid] = len(sources)
        return numbers[pid]

    env = environment(str(templates_dir) if templates_dir else None)
    text = env.get_template(f"rollup.{fmt}.j2").render(
        result=result, title=title, refs=References(), sources=sources, source_no=source_no,
        cell_label=matrix_cell_label,
        aspects=lambda ut: ", ".join(ASPECT_LABELS.get(a, a) for a in ut.aspects),
        outcome=lambda o: OUTCOME_LABELS.get(o, o),
    )
    if fmt == "md":
        text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text


def matrix_cell_label(cell: Cell | None) -> str:
    """A matrix cell in words: "utvecklingsområde, insats · förbättrat" (or "–")."""
    from kvalitet.rollup.model import ASPECT_LABELS, OUTCOME_LABELS

    if cell is None:
        return "–"
    s = ", ".join(ASPECT_LABELS.get(a, a) for a in cell.aspects)
    if cell.outcome:
        s += " · " + OUTCOME_LABELS.get(cell.outcome, cell.outcome)
    return s


__all__ = ["Rollup", "anonymise", "HUVUDMAN_SECTIONS", "MatrixRow", "matrix_cell_label"]
