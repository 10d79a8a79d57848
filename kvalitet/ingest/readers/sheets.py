"""XLSX (openpyxl, read-only, in the child process) and CSV: every sheet a table.

Hidden sheets are left out. Per sheet: empty rows and trailing empty columns go; merged cells are resolved (the value
repeated into every cell of the range; read from the sheet's <mergeCells>, which openpyxl's
read-only mode does not give); the header row is found even below title rows (the first row
whose cells are mostly short non-numeric labels, followed by data rows: base.header_row_index);
rows above it become paragraphs (a title, a date line), the rest one table with one header row.
A workbook with several sheets gets a level-1 heading with each sheet's name. Numbers are
written as Swedish documents show them (decimal comma; percent-formatted cells as "29,1 %"),
dates as ISO dates. CSV: delimiter ; , or tab (csv.Sniffer, else the one giving the most
consistent columns), encodings as for text (sniff.decode_text).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re

from kvalitet.errors import UnreadableFile
from kvalitet.ingest.model import Block, Document, ReadWarning
from kvalitet.ingest.readers.base import MEDIA_CSV, MEDIA_XLSX, DecodedText, finish, header_row_index
from kvalitet.ingest.readers.normalize import normalize_text

_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def cell_text(value, number_format: str | None = None) -> str:
    """A cell value as text (see the module docstring for numbers and dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Sant" if value else "Falskt"
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if number_format and "%" in number_format:
            return f"{value * 100:.10g}".replace(".", ",") + " %"
        if isinstance(value, float):
            if value.is_integer():
                return str(int(value))
            return f"{value:.10g}".replace(".", ",")
        return str(value)
    text = normalize_text(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return " ".join(text.split()) if "\n" in text or "\t" in text else text.strip()


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _merged_ranges(xml_stream) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every <mergeCell ref="A1:C2"> in a sheet's XML."""
    from lxml import etree

    ranges = []
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"
    for _, el in etree.iterparse(xml_stream, events=("end",), tag=ns, resolve_entities=False, no_network=True, huge_tree=False):
        ref = el.get("ref") or ""
        parts = ref.split(":")
        m1 = _REF.match(parts[0]) if parts else None
        m2 = _REF.match(parts[-1]) if parts else None
        if m1 and m2:
            ranges.append((int(m1.group(2)), _col(m1.group(1)), int(m2.group(2)), _col(m2.group(1))))
        el.clear()
    return ranges


def sheet_blocks(rows: list[list[str]], *, sheet: str | None, several: bool) -> list[Block]:
    """The blocks of one sheet's rows (text cells): an optional heading, title paragraphs and
    one table (see the module docstring)."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    width = max(max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in rows)
    rows = [(r + [""] * width)[:width] for r in rows]
    blocks: list[Block] = []
    if several and sheet:
        blocks.append(Block("heading", sheet, level=1, style="sheet"))
    at = header_row_index(rows)
    if at:
        for r in rows[:at]:
            text = " ".join(c for c in r if c.strip())
            blocks.append(Block("paragraph", text))
        rows = rows[at:]
    blocks.append(Block("table", "", rows=rows, header_rows=1 if at is not None else 0))
    return blocks


def xlsx_blocks(data: bytes, limits: dict) -> tuple[list[Block], dict, list[ReadWarning]]:
    """In the child: the blocks, metadata and warnings of an XLSX workbook (see the module
    docstring). The archive is checked first with real bytes counted (archive.check_archive)."""
    import openpyxl

    from kvalitet.ingest.readers.archive import check_archive

    archive = check_archive(
        data, max_bytes=limits["max_archive_bytes"], max_members=limits["max_archive_members"], kind="XLSX"
    )
    max_lines = int(limits.get("max_lines") or 0)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        detail = f"{type(exc).__name__}: {exc}"
        raise UnreadableFile(
            f"XLSX-filen kunde inte läsas ({detail}). Öppna den i Excel och spara den igen.",
            f"the XLSX file could not be read ({detail}). Open it in Excel and save it again.",
        ) from exc
    warnings: list[ReadWarning] = []
    blocks: list[Block] = []
    metadata: dict = {}
    try:
        props = wb.properties
        if props is not None:
            if props.title:
                metadata["title"] = normalize_text(props.title)
            if props.created:
                metadata["created"] = props.created.isoformat()
            if props.modified:
                metadata["modified"] = props.modified.isoformat()
            if props.creator:
                metadata["author"] = props.creator
        sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        several = len(sheets) > 1
        total = 0
        for ws in sheets:
            rows: list[list[str]] = []
            for row in ws.iter_rows():
                cells = [cell_text(getattr(c, "value", None), getattr(c, "number_format", None)) for c in row]
                rows.append(cells)
                total += 1
                if max_lines and total > max_lines:
                    break
            path = getattr(ws, "_worksheet_path", None)
            if path and path.lstrip("/") in archive.names:
                ranges = _merged_ranges(io.BytesIO(archive.read(path.lstrip("/"))))
                for r1, c1, r2, c2 in ranges:
                    if r1 - 1 >= len(rows) or (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
                        continue
                    top = rows[r1 - 1]
                    value = top[c1 - 1] if c1 - 1 < len(top) else ""
                    for r in range(r1 - 1, min(r2, len(rows))):
                        while len(rows[r]) < c2:
                            rows[r].append("")
                        for c in range(c1 - 1, c2):
                            rows[r][c] = value
            if limits.get("raw"):
                blocks.append(Block("table", "", rows=rows, style=ws.title))
                continue
            got = sheet_blocks(rows, sheet=normalize_text(ws.title), several=several)
            if not got:
                warnings.append(ReadWarning("sheet_empty", {"sheet": ws.title}))
            blocks.extend(got)
            if max_lines and total > max_lines:
                break
    finally:
        wb.close()
        archive.close()
    return blocks, metadata, warnings


def xlsx_sheet_rows(data: bytes, settings) -> list[tuple[str, list[list[str]]]]:
    """(sheet name, every row as text cells, row 1 first) for each sheet of an XLSX workbook,
    read in the child process with the archive and memory limits (for the activity import).
    Merged cells are resolved. Raises UnreadableFile as read_xlsx."""
    from kvalitet.ingest.readers.child import run_child

    blocks, _, _ = run_child("xlsx-rows", data, settings)
    return [(b.style or "", [list(r) for r in (b.rows or [])]) for b in blocks]


def read_xlsx(data: bytes, *, path: str, settings) -> Document:
    """The Document of an XLSX workbook, read in the child process (limits: child.py).

    Raises UnreadableFile for a corrupt workbook, a zip bomb, or one without any cell text.
    """
    from kvalitet.ingest.readers.child import run_child

    blocks, metadata, warnings = run_child("xlsx", data, settings)
    doc = finish(blocks, path=path, media_type=MEDIA_XLSX, metadata=metadata, warnings=warnings,
                 max_lines=int(settings.max_document_lines))
    if not doc.lines:
        raise UnreadableFile("XLSX-filen innehåller ingen text.", "the XLSX workbook has no cell text.")
    return doc


def _delimiter(text: str) -> str:
    sample = "\n".join(text.split("\n")[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        pass
    best, best_score = ";", -1.0
    for delim in (";", "\t", ","):
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = (common - 1) * counts.count(common) / len(counts)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv(src: DecodedText) -> Document:
    """The Document of a decoded CSV file: one table (title rows above the header become
    paragraphs). Excel's "sep=;" first line names the delimiter. Raises UnreadableFile when it
    has no cell text."""
    text, path, warnings, max_lines = src.text, src.path, src.warnings, src.max_lines
    first, _, rest = text.partition("\n")
    m = re.match(r"^\s*sep=(.)\s*$", first)
    if m:
        delim, text = m.group(1), rest
    else:
        delim = _delimiter(text)
    rows: list[list[str]] = []
    for row in csv.reader(io.StringIO(text), delimiter=delim):
        rows.append([cell_text(c) for c in row])
        if max_lines and len(rows) > max_lines:
            break
    blocks = sheet_blocks(rows, sheet=None, several=False)
    doc = finish(blocks, path=path, media_type=MEDIA_CSV, metadata={"delimiter": delim}, warnings=warnings,
                 max_lines=max_lines)
    if not doc.lines:
        raise UnreadableFile("CSV-filen innehåller ingen text.", "the CSV file has no cell text.")
    return doc
