"""Import an activity list (XLSX or CSV, e.g. exported from Stratsys) into a report.

The file's type is read from its content (a zip is XLSX; old binary .xls is refused), never its
name. CSV: UTF-8 with or without BOM, or cp1252 (Excel's "CSV" on Swedish Windows), UTF-16 with
a BOM; the delimiter (; , or tab) is sniffed from the header.

Headers are recognised in Swedish and English, case-, whitespace- and punctuation-insensitive,
with å/ä/ö written or not (Nämndmål, Namndmal, "nämnd mål", Goal). The header row is the first of
the first rows that names an activity column (a title row above it is allowed). A file without an
activity column is refused with a message naming the columns it has; unknown columns are
reported, not guessed at.

Duplicate activities (the same normalised wording as history.normalize: case, punctuation and a
"Kvarstår från <year>" marker aside), within the file or already in the report, are merged, not
doubled: the first row makes the item, later rows fill its empty fields and add their goal to the
notes. The result lists added, merged and skipped rows by their row number in the file.

All rows go in in one transaction (items and audit rows), or none does.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from typing import Iterable

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from kvalitet.workspace.carry_forward import NewItem, canonical_status, insert_items
from kvalitet.errors import InvalidInput, UnreadableFile, UnsupportedFile
from kvalitet.search.history import normalize
from kvalitet.workspace.auth import User, require_write
from kvalitet.workspace.models import ItemRow
from kvalitet.workspace.uow import ensure_open, load_report, record_audit
from kvalitet.workspace.views import ItemIn

# field -> header names (folded: lower case, å/ä/ö -> a/a/o, only letters and digits)
ALIASES: dict[str, tuple[str, ...]] = {
    "activity": ("aktivitet", "aktiviteter", "aktivitetsnamn", "activity", "activities", "uppdrag",
                 "uppdragaktivitet", "aktivitetuppdrag", "insats", "insatser", "action", "actions"),
    "goal": ("namndmal", "namndsmal", "mal", "goal", "goals", "committeegoal", "boardgoal", "objective"),
    "municipal_goal": ("kommunovergripandemal", "kommunmal", "kommunensmal", "municipalgoal", "citygoal"),
    "perspective": ("perspektiv", "perspective"),
    "area": ("utvecklingsomrade", "utvecklingsomraden", "omrade", "developmentarea", "area"),
    "committee": ("namnd", "namnder", "committee", "board"),
    "deadline": ("slutfort", "slutfors", "slutdatum", "klartsenast", "klart", "deadline", "due", "duedate",
                 "enddate", "plannedcompletion", "completion", "tidplan"),
    "status": ("status", "state", "lage"),
    "comment": ("kommentar", "kommentarer", "comment", "comments"),
    "responsible": ("ansvar", "ansvarig", "ansvariga", "responsible", "owner"),
    "notes": ("anteckningar", "anteckning", "noteringar", "notes", "note"),
}
_BY_ALIAS = {alias: f for f, aliases in ALIASES.items() for alias in aliases}
LABELS = {
    "activity": "Aktivitet", "goal": "Nämndmål", "municipal_goal": "Kommunövergripande mål",
    "perspective": "Perspektiv", "area": "Utvecklingsområde", "committee": "Nämnd", "deadline": "Slutfört", "status": "Status",
    "comment": "Kommentar", "responsible": "Ansvar", "notes": "Anteckningar",
}
HEADER_SCAN_ROWS = 20
MAX_ROWS = 20000
MAX_CELL = 20000


def fold(header: str) -> str:
    t = unicodedata.normalize("NFKD", str(header or "").casefold())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", t)


def field_of(header: str) -> str | None:
    return _BY_ALIAS.get(fold(header))


# ---- result ----------------------------------------------------------------------------------
class ColumnMap(BaseModel):
    column: int  # 1-based
    header: str
    field: str | None = None  # None: not recognised


class AddedRow(BaseModel):
    row: int
    item_id: int
    activity: str


class MergedRow(BaseModel):
    row: int
    activity: str
    item_id: int | None = None  # the item it was merged into
    into_row: int | None = None  # the row of this file that made that item (None: already in the report)
    reason: str


class SkippedRow(BaseModel):
    row: int
    reason: str


class ImportResult(BaseModel):
    report_id: int
    file_type: str  # "xlsx" | "csv"
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int
    columns: list[ColumnMap]
    unknown_columns: list[str] = Field(default_factory=list)
    messages: list[str] = Field(default_factory=list)
    rows: int = 0  # data rows read (below the header)
    added: list[AddedRow] = Field(default_factory=list)
    merged: list[MergedRow] = Field(default_factory=list)
    skipped: list[SkippedRow] = Field(default_factory=list)


# ---- reading ---------------------------------------------------------------------------------
class Table(BaseModel):
    file_type: str
    rows: list[list[str]]  # every row of the sheet as text, row 1 first
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-16 with BOM, UTF-8 with or without BOM, else cp1252."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise UnsupportedFile("Filen är inte en textfil (CSV) eller XLSX / not a CSV or XLSX file")
    best: tuple | None = None
    head = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    for delim in (";", ",", "\t"):
        rows = list(csv.reader(io.StringIO(head), delimiter=delim))
        found = _find_header(rows)
        if found is None:
            score = (0, 0, max((len(r) for r in rows), default=0))
        else:
            n, mapped = found
            score = (1, len(mapped), len(rows[n - 1]))
        if best is None or score > best[0]:
            best = (score, delim)
    assert best is not None  # every delimiter was scored
    delim = best[1]
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delim)]
    return Table(file_type="csv", rows=rows, encoding=encoding, delimiter=delim)


def _read_xlsx(data: bytes, settings) -> Table:
    """The sheet to import from an XLSX workbook, read by the ingest readers' XLSX reader in
    its child process: the archive's real inflated bytes counted and capped, openpyxl under the
    memory and time limits (a zip that lies about its sizes cannot take the server down)."""
    from kvalitet.ingest.readers import MEDIA_XLSX, sniff_media_type
    from kvalitet.ingest.readers.sheets import xlsx_sheet_rows

    if sniff_media_type(data, "lista.xlsx") != MEDIA_XLSX:  # UnsupportedFile for other zips
        raise UnsupportedFile("Zip-filen är ingen Excel-arbetsbok (XLSX) / the zip is not an XLSX workbook")
    sheets = xlsx_sheet_rows(data, settings)
    # The first sheet with an activity column, else the first sheet (for the error message).
    chosen = None
    for title, rows in sheets:
        if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
            raise InvalidInput(f"Filen har fler än {MAX_ROWS} rader / more than {MAX_ROWS} rows")
        rows = [[c.strip() for c in r] for r in rows]
        if chosen is None:
            chosen = (title, rows)
        if _find_header(rows[:HEADER_SCAN_ROWS]) is not None:
            chosen = (title, rows)
            break
    if chosen is None:
        raise UnreadableFile("Arbetsboken har inga blad / the workbook has no sheets")
    return Table(file_type="xlsx", sheet=chosen[0], rows=chosen[1])


def read_table(data: bytes, settings) -> Table:
    if not data or not data.strip():
        raise UnreadableFile("Filen är tom / the file is empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, settings)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnsupportedFile(
            "Gamla Excel-filer (.xls) stöds inte: spara som .xlsx eller .csv / old .xls is not supported, "
            "save as .xlsx or .csv"
        )
    if data[:5] == b"%PDF-":
        raise UnsupportedFile("En PDF är ingen aktivitetslista: använd XLSX eller CSV / use XLSX or CSV")
    return _read_csv(data)


def _find_header(rows: list[list[str]]) -> tuple[int, dict[int, str]] | None:
    """(1-based row number, {column index: field}) of the first row naming an activity column."""
    for n, row in enumerate(rows[:HEADER_SCAN_ROWS], 1):
        mapped = {i: f for i, h in enumerate(row) if h and (f := field_of(h))}
        if "activity" in mapped.values():
            return n, mapped
    return None


def _columns_found(rows: list[list[str]]) -> list[str]:
    for row in rows[:HEADER_SCAN_ROWS]:
        cells = [c for c in row if c]
        if cells:
            return cells
    return []


# ---- import ----------------------------------------------------------------------------------
def _fold_value(v: str) -> str:
    return re.sub(r"\s+", " ", v).strip()


def import_activities(ws, report_id: int, data: bytes, user: User, *, filename: str | None = None) -> ImportResult:
    """Add the activities of an XLSX or CSV file to report `report_id`."""
    with ws.db.session() as s:  # refuse early (before reading a big file) if the user may not write
        report = load_report(s, report_id)
        require_write(user, report.unit)
        ensure_open(report)
    table = read_table(data, ws.settings)
    header = _find_header(table.rows)
    if header is None:
        found = _columns_found(table.rows)
        raise InvalidInput(
            "Filen saknar en kolumn för aktiviteten (Aktivitet / Activity) / no activity column. "
            f"Kolumner i filen: {', '.join(repr(c) for c in found) if found else '(inga)'}. "
            f"Kända kolumnnamn: {', '.join(LABELS.values())} (eller engelska: Activity, Goal, Perspective, "
            "Committee, Deadline/Due, Status, Comment).",
            detail={"columns": found},
        )
    header_row, mapped = header
    head = table.rows[header_row - 1]
    columns: list[ColumnMap] = []
    used: dict[str, int] = {}
    unknown: list[str] = []
    messages: list[str] = []
    for i, h in enumerate(head):
        if not h:
            continue
        f = mapped.get(i)
        if f is not None and f in used:
            messages.append(
                f"Kolumnen {h!r} (kolumn {i + 1}) betyder samma som kolumn {used[f] + 1} ({LABELS[f]}) och "
                f"lästes inte / duplicate column for {f}, ignored"
            )
            f = None
            unknown.append(h)
        elif f is None:
            unknown.append(h)
        else:
            used[f] = i
        columns.append(ColumnMap(column=i + 1, header=h, field=f))
    if unknown:
        messages.insert(0, "Okända kolumner lästes inte / unknown columns were not imported: "
                        + ", ".join(repr(u) for u in unknown))
    col = {f: i for f, i in used.items()}
    body = table.rows[header_row:]
    if len(body) > MAX_ROWS:
        raise InvalidInput(f"Filen har fler än {MAX_ROWS} rader / more than {MAX_ROWS} rows")
    result = ImportResult(
        report_id=report_id, file_type=table.file_type, sheet=table.sheet, encoding=table.encoding,
        delimiter=table.delimiter, header_row=header_row, columns=columns, unknown_columns=unknown,
        messages=messages, rows=len(body),
    )

    with ws.db.session() as s:
        report = load_report(s, report_id)
        require_write(user, report.unit)
        ensure_open(report)
        existing = {
            normalize(a): iid for iid, a in s.execute(
                select(ItemRow.id, ItemRow.activity).where(ItemRow.report_id == report.id)
                .order_by(ItemRow.position, ItemRow.id)
            )
        }
        pending: dict[str, dict] = {}  # key -> {"row": n, "fields": {...}, "goals": [...]}
        order: list[str] = []
        for offset, raw in enumerate(body):
            n = header_row + 1 + offset
            values = {f: _fold_value(raw[i]) if i < len(raw) else "" for f, i in col.items()}
            if not any(c.strip() for c in raw):
                continue  # blank line: not a row worth reporting
            activity = values.get("activity", "")
            if not activity:
                result.skipped.append(SkippedRow(row=n, reason="Ingen aktivitet i raden / no activity"))
                continue
            too_long = [LABELS[f] for f, v in values.items() if len(v) > MAX_CELL]
            if too_long:
                result.skipped.append(SkippedRow(row=n, reason=f"För lång text i {', '.join(too_long)} / text too long"))
                continue
            key = normalize(activity)
            if not key:
                result.skipped.append(SkippedRow(row=n, reason="Aktiviteten saknar ord / the activity has no words"))
                continue
            if key in existing:
                result.merged.append(MergedRow(
                    row=n, activity=activity, item_id=existing[key],
                    reason="Finns redan i rapporten / already in the report"))
                continue
            if key in pending:
                first = pending[key]
                _merge(first, values)
                result.merged.append(MergedRow(
                    row=n, activity=activity, into_row=first["row"],
                    reason=f"Samma aktivitet som rad {first['row']} / same activity as row {first['row']}"))
                continue
            pending[key] = {"row": n, "fields": values, "goals": [values["goal"]] if values.get("goal") else [],
                            "extra": []}
            order.append(key)

        limit = ws.settings.max_items_per_report
        fresh = sum(1 for k in order if k not in existing)
        if len(existing) + fresh > limit:
            raise InvalidInput(
                f"Rapporten skulle få {len(existing) + fresh} aktiviteter; högst {limit} per rapport "
                f"(KVALITET_MAX_ITEMS_PER_REPORT). Dela upp listan. / the report would get "
                f"{len(existing) + fresh} activities, at most {limit} per report: split the list."
            )
        new_items: list[NewItem] = []
        rows_of: list[int] = []
        for key in order:
            entry = pending[key]
            try:
                item = _item(entry)
            except ValidationError as exc:
                msg = "; ".join(f"{LABELS.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in exc.errors())
                result.skipped.append(SkippedRow(row=entry["row"], reason=f"Ogiltig rad / invalid row: {msg}"))
                continue
            new_items.append(NewItem(item=item, source={"file": filename, "row": entry["row"]}))
            rows_of.append(entry["row"])
        created = insert_items(ws, s, report, new_items, user)
        result.added = [AddedRow(row=r, item_id=row.id, activity=row.activity) for r, row in zip(rows_of, created, strict=True)]
        for m in result.merged:
            if m.into_row is not None:
                m.item_id = next((a.item_id for a in result.added if a.row == m.into_row), None)
        record_audit(s, user, "report.import", "report", report.id, report.id, None, {
            "file": filename, "file_type": table.file_type, "rows": result.rows,
            "added": len(result.added), "merged": len(result.merged), "skipped": len(result.skipped),
            "unknown_columns": unknown,
        })
    result.skipped.sort(key=lambda x: x.row)
    return result


def _merge(first: dict, values: dict) -> None:
    fields = first["fields"]
    for f, v in values.items():
        if not v:
            continue
        if not fields.get(f):
            fields[f] = v
        elif f == "goal" and v not in first["goals"]:
            first["goals"].append(v)
        elif f in ("comment", "notes") and v not in fields[f] and v not in first["extra"]:
            first["extra"].append(v)


def _item(entry: dict) -> ItemIn:
    f = entry["fields"]
    notes = [f.get("notes") or ""]
    if len(entry["goals"]) > 1:
        notes.append("Listad under flera mål: " + "; ".join(entry["goals"]) + ".")
    if f.get("municipal_goal"):
        notes.append(f"Kommunövergripande mål: {f['municipal_goal']}.")
    notes.extend(entry["extra"])
    text = "\n".join(x for x in notes if x) or None
    if text and len(text) > 5000:
        text = text[:4999].rstrip() + "…"
    return ItemIn(
        activity=f["activity"], goal=f.get("goal") or None, status=canonical_status(f.get("status")),
        notes=text, perspective=f.get("perspective") or None, area=f.get("area") or None,
        committee=f.get("committee") or None,
        deadline=f.get("deadline") or None, comment=f.get("comment") or None,
        responsible=f.get("responsible") or None,
    )


def columns_help() -> Iterable[str]:
    for f, aliases in ALIASES.items():
        yield f"{LABELS[f]}: {', '.join(aliases)}"
