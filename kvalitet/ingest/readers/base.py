"""What every reader shares: media types, the clear errors, header-row detection, the line cap
and turning blocks into a Document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvalitet.errors import UnreadableFile, UnsupportedFile
from kvalitet.ingest.model import Block, Document, ReadWarning, number_blocks

MEDIA_PDF = "application/pdf"
MEDIA_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_CSV = "text/csv"
MEDIA_HTML = "text/html"
MEDIA_MARKDOWN = "text/markdown"
MEDIA_TEXT = "text/plain"



@dataclass
class DecodedText:
    """A text file as the text readers (HTML, CSV, text and Markdown) take it: the decoded `text`,
    the name it is shown as (`path`), its sniffed `media_type`, what decoding warned of, and
    `max_lines` (> 0: the document is cut after that many lines with a "truncated" warning)."""

    text: str
    path: str
    media_type: str
    warnings: list[ReadWarning] = field(default_factory=list)
    max_lines: int = 0


SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".csv"}
SUPPORTED_LIST = "Supported: PDF, DOCX, XLSX, CSV, HTML, Markdown, text"
# Files a school administration writes its reports in but that Kvalitet cannot read (images need
# OCR, older or other office formats need converting). In a scanned folder they are reported as
# skipped with the error that says what to save them as, so nothing is dropped silently; data
# and program files beside the documents (JSON, scripts, style sheets) are not documents at all
# and are left out without a word.
DOCUMENT_LIKE_SUFFIXES = {
    ".doc", ".dot", ".docm", ".rtf", ".odt", ".ott", ".pages", ".wpd",
    ".xls", ".xlsm", ".xlsb", ".ods", ".numbers",
    ".ppt", ".pptx", ".odp", ".key",
    ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".heic", ".webp",
    ".eml", ".msg", ".xps", ".epub",
}


def unsupported(what_sv: str, what_en: str) -> UnsupportedFile:
    """The error for a file type we do not read, saying what it is (in Swedish and in English)
    and what to save it as."""
    return UnsupportedFile(
        f"Filtypen stöds inte ({what_sv}). Spara filen som PDF, DOCX, XLSX, CSV, HTML, Markdown eller text.",
        f"unsupported file type: {what_en}. {SUPPORTED_LIST}.",
    )


def empty_file() -> UnreadableFile:
    """The error for a file without any text."""
    return UnreadableFile(
        "Filen är tom: den innehåller ingen text. Kontrollera att rätt fil valdes.",
        "the file is empty: it has no text. Check that the right file was chosen.",
    )


# --------------------------------------------------------------------------------------------
# Header rows
# --------------------------------------------------------------------------------------------

_NUMBERISH = re.compile(r"^[\s\d.,:;%/()+\-–−<>=≥≤]*$")


def is_label(cell: str, *, max_len: int = 60) -> bool:
    """True for a cell that reads as a column label: short, not a number, no final period."""
    text = cell.strip()
    if not text or len(text) > max_len:
        return False
    if _NUMBERISH.match(text):
        return False
    if text.endswith((".", "!", "?")) and not text.endswith("..."):
        return False
    return len(text.split()) <= 6


def looks_like_header(row: list[str], *, body: list[list[str]] | None = None) -> bool:
    """True when `row` looks like a table's header row: its non-empty cells (at least one, and
    at least half the row) are short labels (see is_label); when `body` is given, it has some
    text below."""
    cells = [c.strip() for c in row]
    filled = [c for c in cells if c]
    if not filled or len(filled) * 2 < len(cells):
        return False
    if not all(is_label(c) for c in filled):
        return False
    if body and len(body) >= 1 and all(len([c for c in r if c.strip()]) == 0 for r in body):
        return False
    return True


def header_row_index(rows: list[list[str]], *, max_search: int = 10) -> int | None:
    """The index of the header row among the first `max_search` rows: the first row that looks
    like a header (see looks_like_header) with mostly filled cells, followed by at least one row
    that does not (a data row); failing that, the first such row with rows below it (a table
    of short labels throughout, such as an årshjul). None when there is none."""
    width = max((len(r) for r in rows), default=0)
    candidates = []
    for i, row in enumerate(rows[:max_search]):
        filled = [c for c in row if c.strip()]
        if width > 1 and len(filled) < max(2, (width + 1) // 2):
            continue  # a title row over a wide table
        if not looks_like_header(row):
            continue
        below = rows[i + 1 :]
        if below and any(not looks_like_header(r) for r in below[:3]):
            return i
        if below:
            candidates.append(i)
    return candidates[0] if candidates else None


# --------------------------------------------------------------------------------------------
# Blocks to a Document
# --------------------------------------------------------------------------------------------


def _block_line_count(block: Block) -> int:
    if block.kind == "table" and block.rows:
        return len(block.rows)
    return block.text.count("\n") + 1


def cap_blocks(blocks: list[Block], limit: int, warnings: list[ReadWarning]) -> list[Block]:
    """The blocks up to `limit` lines in all (the last one cut), with a "truncated" warning when
    anything was cut. `limit` <= 0 means no cap."""
    if limit <= 0:
        return blocks
    out: list[Block] = []
    used = 0
    for block in blocks:
        n = _block_line_count(block)
        if used + n <= limit:
            out.append(block)
            used += n
            continue
        room = limit - used
        if room > 0:
            if block.kind == "table" and block.rows:
                block.rows = block.rows[:room]
                block.header_rows = min(block.header_rows, room)
                block.text = "\n".join("\t".join(r) for r in block.rows)
            else:
                block.text = "\n".join(block.text.split("\n")[:room])
            if block.line_pages:
                block.line_pages = block.line_pages[:room]
            out.append(block)
        warnings.append(ReadWarning("truncated", {"limit": limit}))
        break
    return out


def finish(
    blocks: list[Block],
    *,
    path: str,
    media_type: str,
    metadata: dict | None = None,
    warnings: list[ReadWarning] | None = None,
    max_lines: int = 0,
) -> Document:
    """A Document from `blocks` in reading order: empty blocks dropped, the line cap applied,
    lines numbered (model.number_blocks), table `text` filled from its rows."""
    warnings = list(warnings or [])
    kept: list[Block] = []
    for block in blocks:
        if block.kind == "table":
            if not block.rows or not any(c.strip() for r in block.rows for c in r):
                continue
            block.text = "\n".join("\t".join(r) for r in block.rows)
        elif not block.text.strip():
            continue
        kept.append(block)
    kept = cap_blocks(kept, max_lines, warnings)
    lines = number_blocks(kept)
    return Document(
        path=path, media_type=media_type, blocks=kept, lines=lines, metadata=dict(metadata or {}),
        warnings=warnings,
    )


def grid_from_spans(cells: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Resolve merged cells: `cells` is rows of (text, colspan, rowspan); returns rows of text
    with every spanned grid position holding the spanning cell's text (HTML's algorithm)."""
    grid: list[list[str | None]] = []
    for r, row in enumerate(cells):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for text, colspan, rowspan in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            colspan = max(1, min(colspan, 1000))
            rowspan = max(1, min(rowspan, 1000))
            for dr in range(rowspan):
                rr = r + dr
                if rr >= len(cells):
                    break
                while len(grid) <= rr:
                    grid.append([])
                target = grid[rr]
                while len(target) < c + colspan:
                    target.append(None)
                for dc in range(colspan):
                    target[c + dc] = text
            c += colspan
    width = max((len(r) for r in grid), default=0)
    return [[(t if t is not None else "") for t in row] + [""] * (width - len(row)) for row in grid]
