"""Kolada values into the results tables: from the API (kvalitet.adapters.kolada) or an exported file.

Files: Kolada's own JSON (the API's answer, one page or a list of pages), and tables (CSV with
`,` `;` or tab, XLSX) in the two layouts Kolada's exports and municipalities' own extracts use:
- long: one value a row, columns named by synonyms (KPI id, KPI title, kommun/enhet id and
  name, år/period, kön, värde);
- wide: one row per entity (and gender), one column per year, the KPI in a column or in a title
  row above the table ("N15419 Elever i åk 9 som är behöriga …").
Every row is checked before anything is written: a bad file gives an InvalidInput naming the row
and the column to fix, and the tables are left as they were.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from sqlalchemy import select

from kvalitet.errors import InvalidInput
from kvalitet.results.values import parse_number
from kvalitet.storage.results import KoladaValueRow

_KPI_ID = re.compile(r"\b([NU]\d{5})\b")
_OU_ID = re.compile(r"^V\d{2}E\d{9}$")
_GENDERS = {"t": "T", "totalt": "T", "total": "T", "alla": "T", "k": "K", "kvinnor": "K", "flickor": "K",
            "f": "K", "m": "M", "män": "M", "pojkar": "M"}
_COLUMNS = {
    "kpi_id": ("kpi", "kpi_id", "kpi-id", "nyckeltals-id", "nyckeltalsid", "nyckeltal id", "id nyckeltal"),
    "kpi_title": ("kpi_title", "nyckeltal", "nyckeltalsnamn", "titel", "title", "namn nyckeltal"),
    "entity_id": ("municipality", "municipality_id", "kommun-id", "kommunid", "kommunkod", "kommun id", "ou",
                  "ou_id", "enhets-id", "enhetsid", "enhet id", "skolenhet id", "skolenhetskod", "organisationsenhet-id"),
    "entity_name": ("kommun", "kommunnamn", "municipality_title", "enhet", "skolenhet", "organisationsenhet",
                    "ou_title", "enhetsnamn"),
    "period": ("period", "år", "year", "ar"),
    "gender": ("kön", "gender", "kon"),
    "value": ("värde", "value", "varde", "utfall"),
}


@dataclass
class KoladaValue:
    """One value ready to store: KPI, entity ("kommun" or "enhet" with id and name), gender, period."""

    kpi_id: str
    kpi_title: str | None
    entity_kind: str
    entity_id: str
    entity_name: str | None
    gender: str
    period: str
    year: int
    value: float | None
    status: str | None = None


def _bad(msg_sv: str, msg_en: str) -> InvalidInput:
    return InvalidInput(f"{msg_sv} / {msg_en}")


def _entity_kind(entity_id: str) -> str:
    return "enhet" if _OU_ID.match(entity_id) or not re.fullmatch(r"\d{4}", entity_id) else "kommun"


def _year(period: str, where: str) -> int:
    m = re.search(r"(19|20)\d{2}", period)
    if not m:
        raise _bad(f"{where}: perioden »{period}« är inget år", f"{where}: the period is not a year")
    return int(m.group(0))


def from_api_values(values: list[dict], titles: dict[str, str | None] | None = None,
                    names: dict[str, str | None] | None = None) -> list[KoladaValue]:
    """Kolada data objects ({"kpi", "municipality"|"ou", "period", "values": [{gender, value, status}]})
    as KoladaValues. Raises InvalidInput when an object lacks its KPI, entity or period."""
    titles, names = titles or {}, names or {}
    out = []
    for i, obj in enumerate(values, 1):
        where = f"värde {i}"
        if not isinstance(obj, dict):
            raise _bad(f"{where} är inget objekt", f"value {i} is not an object")
        kpi = obj.get("kpi")
        entity = obj.get("municipality") or obj.get("ou")
        period = obj.get("period")
        if not kpi or not entity or period in (None, ""):
            raise _bad(f"{where}: kpi, municipality/ou och period krävs", f"value {i}: kpi, entity and period needed")
        kind = "enhet" if "ou" in obj else "kommun"
        for v in obj.get("values") or []:
            gender = _GENDERS.get(str(v.get("gender", "T")).lower(), "T")
            value = v.get("value")
            if value is not None and not isinstance(value, (int, float)):
                raise _bad(f"{where}: värdet »{value}« är inget tal", f"value {i}: not a number")
            out.append(KoladaValue(kpi, titles.get(kpi), kind, str(entity), names.get(str(entity)), gender,
                                   str(period), _year(str(period), where), value, v.get("status")))
    return out


def _rows_of(data: bytes, name: str) -> list[list[str]]:
    if name.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise _bad(f"{name} kunde inte läsas som Excel-fil", f"{name} is not a readable XLSX file") from exc
        ws = wb.worksheets[0]
        return [["" if c is None else str(c).strip() for c in row] for row in ws.iter_rows(values_only=True)]
    text = None
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    assert text is not None  # cp1252 decodes almost anything; the rows are checked below
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def _column_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        key = re.sub(r"\s+", " ", h.strip().lower())
        for field, names in _COLUMNS.items():
            if key in names and field not in found:
                found[field] = i
    return found


def _is_year(cell: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d{2}", cell.strip()))


def from_table(rows: list[list[str]], name: str) -> list[KoladaValue]:
    """Values from a long or wide table (see the module docstring). Raises InvalidInput naming the
    row and column when a value is not a number, a year is missing, or no KPI can be found."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    kpi_from_title: tuple[str, str | None] | None = None
    start = -1
    for i, row in enumerate(rows[:10]):
        cols = _column_map(row)
        years = [i for i, c in enumerate(row) if _is_year(c)]
        if ("value" in cols and "period" in cols) or (years and ("entity_id" in cols or "entity_name" in cols)):
            start = i
            break
        m = _KPI_ID.search(" ".join(row))
        if m:
            title = " ".join(row).replace(m.group(1), "").strip(" :-–") or None
            kpi_from_title = (m.group(1), title)
    if start < 0:
        raise _bad(f"{name}: ingen rubrikrad med Kolada-kolumner (nyckeltal, kommun/enhet, år, värde) hittades",
                   f"{name}: no header row with Kolada columns found")
    header, body = rows[start], rows[start + 1:]
    cols = _column_map(header)
    year_cols = [i for i, c in enumerate(header) if _is_year(c)]
    out: list[KoladaValue] = []
    for n, row in enumerate(body, start + 2):
        def cell(field: str, row: list[str] = row) -> str:
            i = cols.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        kpi = cell("kpi_id") or (kpi_from_title[0] if kpi_from_title else "")
        m = _KPI_ID.search(kpi) or _KPI_ID.search(cell("kpi_title"))
        if not m:
            raise _bad(f"{name} rad {n}: inget nyckeltals-id (N00000/U00000)", f"{name} row {n}: no KPI id")
        kpi = m.group(1)
        title = cell("kpi_title") or (kpi_from_title[1] if kpi_from_title else None)
        entity_id = cell("entity_id") or cell("entity_name")
        if not entity_id:
            raise _bad(f"{name} rad {n}: kommun eller enhet saknas", f"{name} row {n}: no municipality or unit")
        gender = _GENDERS.get(cell("gender").lower(), "T") if cell("gender") else "T"
        pairs = [(cell("period"), cell("value"))] if "value" in cols else [(header[i], row[i] if i < len(row) else "")
                                                                           for i in year_cols]
        for period, raw in pairs:
            if not period:
                raise _bad(f"{name} rad {n}: år saknas", f"{name} row {n}: no year")
            value = None
            if raw.strip() not in ("", "-", "–", ".", ".."):
                value = parse_number(raw)
                if value is None:
                    raise _bad(f"{name} rad {n}: »{raw}« är inget tal", f"{name} row {n}: »{raw}« is not a number")
            out.append(KoladaValue(kpi, title, _entity_kind(entity_id), entity_id, cell("entity_name") or None,
                                   gender, period, _year(period, f"{name} rad {n}"), value))
    if not out:
        raise _bad(f"{name}: inga värden", f"{name}: no values")
    return out


def from_file(data: bytes, name: str) -> list[KoladaValue]:
    """Values from an exported file: .json (the API's answer), .csv/.txt or .xlsx.
    Raises InvalidInput (Swedish and English, naming what to fix) for anything else."""
    lower = name.lower()
    if lower.endswith(".json"):
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _bad(f"{name} är ingen giltig JSON-fil", f"{name} is not valid JSON") from exc
        pages = doc if isinstance(doc, list) else [doc]
        values: list[dict] = []
        for page in pages:
            if isinstance(page, dict) and isinstance(page.get("values"), list):
                values.extend(page["values"])
            elif isinstance(page, dict) and "kpi" in page:
                values.append(page)
            else:
                raise _bad(f"{name}: väntade Kolada-JSON med 'values'", f"{name}: expected Kolada JSON with 'values'")
        return from_api_values(values)
    if lower.endswith((".csv", ".txt", ".tsv", ".xlsx", ".xlsm")):
        return from_table(_rows_of(data, name), name)
    raise _bad(f"{name}: filtypen stöds inte (JSON, CSV eller XLSX från Kolada)",
               f"{name}: unsupported file type (Kolada JSON, CSV or XLSX)")


def store(session, values: list[KoladaValue], source: str) -> int:
    """Insert or update the values (key: KPI, entity, gender, period) in one transaction; returns
    how many were written. The caller's session commits or rolls back the whole import."""
    existing = {
        (r.kpi_id, r.entity_kind, r.entity_id, r.gender, r.period): r
        for r in session.scalars(select(KoladaValueRow).where(
            KoladaValueRow.kpi_id.in_(sorted({v.kpi_id for v in values}))))
    }
    for v in values:
        key = (v.kpi_id, v.entity_kind, v.entity_id, v.gender, v.period)
        row = existing.get(key)
        if row is None:
            row = KoladaValueRow(kpi_id=v.kpi_id, entity_kind=v.entity_kind, entity_id=v.entity_id,
                                 gender=v.gender, period=v.period)
            session.add(row)
            existing[key] = row
        row.kpi_title = v.kpi_title or row.kpi_title
        row.entity_name = v.entity_name or row.entity_name
        row.year, row.value, row.status, row.source = v.year, v.value, v.status, source[:256]
    return len(values)
