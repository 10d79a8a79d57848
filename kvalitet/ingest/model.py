"""The document model: what every reader returns and what recognition works on.

A reader turns a file (DOCX, PDF, HTML, text/Markdown, XLSX/CSV) into a `Document`: an ordered
list of `Block`s (heading, paragraph, list item, table) with page and line provenance, plus the
document's metadata and the reader's warnings. Recognition (kvalitet.ingest.recognise) turns
blocks into records; it never looks at the file again.

Lines: `Document.lines` is the document's text as numbered lines (1-based, with pages). It is
what citations point into and what the document view shows. Every block names the inclusive line
range it occupies (`line_start`..`line_end`), so a record built from blocks cites exactly the
lines (and pages) its text stands on. A table occupies one line per row (cells joined by tabs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # imported where used: the reader's child process stays light (no pydantic)
    from kvalitet.domain.types import DocumentText, Line, Source

BlockKind = Literal["heading", "paragraph", "list_item", "table"]


@dataclass
class Block:
    """One block of a document.

    - heading: `text`, `level` (1 = top; from styles, outline levels, font size or Markdown).
    - paragraph: `text`.
    - list_item: `text`, `level` (0 = top), `number` as written or rendered ("1.", "2.1", "a)"; None
      for bullets). `text` is the item as it is shown, marker included: "1. Läsa", "a) Skriva",
      "• Räkna" (bullets as "• "), so that lines read as the document does.
    - table: `rows` (cells as text; merged cells resolved by repeating the value into every cell
      they span), `header_rows` (how many leading rows are header: 0 when unknown); `text` is the
      rows joined with tabs and newlines.
    `page`/`page_end` are 1-based pages (None for formats without pages); `line_start`/`line_end`
    the inclusive 1-based range in `Document.lines`. `line_pages`, when set, gives the page of each
    line of `text` (a paragraph that continues across a page break: its lines keep their own
    pages); else every line has `page`. `style` keeps the source's style name when it
    has one (e.g. "Heading 2", "Rubrik 1"), for recognition hints only.
    """

    kind: BlockKind
    text: str
    line_start: int = 0
    line_end: int = 0
    level: int | None = None
    number: str | None = None
    rows: list[list[str]] | None = None
    header_rows: int = 0
    page: int | None = None
    page_end: int | None = None
    style: str | None = None
    line_pages: list[int | None] | None = None

    @property
    def header(self) -> list[str]:
        """The header row of a table (the last header row when there are several), else []."""
        if self.kind != "table" or not self.rows or self.header_rows <= 0:
            return []
        return self.rows[self.header_rows - 1]

    @property
    def body(self) -> list[list[str]]:
        """The rows of a table below its header rows."""
        return (self.rows or [])[self.header_rows:]


@dataclass
class ReadWarning:
    """Something the reader could not do perfectly, as a code with parameters.

    Codes in use: "scanned_page" (params: page), "bytes_repaired" (params: encoding, count),
    "encoding_guessed" (params: encoding), "truncated" (params: limit), and the others listed
    in kvalitet.ingest.warnings. The Swedish and English
    texts are made from the code by kvalitet.ingest.warnings (one place), never parsed back.
    """

    code: str
    params: dict = field(default_factory=dict)


@dataclass
class Document:
    """A read document: blocks in reading order, the numbered lines they occupy, metadata.

    `metadata` holds what the file says about itself: "title", "created" (ISO date), "modified",
    "author" when the format has them (DOCX core properties, PDF info, HTML <title>/<meta>).
    """

    path: str
    media_type: str
    blocks: list[Block]
    lines: list[Line]
    metadata: dict = field(default_factory=dict)
    warnings: list[ReadWarning] = field(default_factory=list)

    def as_text(self) -> "DocumentText":
        """The numbered lines as the DocumentText that passages cite and the document view shows."""
        from kvalitet.domain.types import DocumentText

        return DocumentText(path=self.path, lines=self.lines, media_type=self.media_type)

    def source(self, line_start: int, line_end: int) -> "Source":
        """A Source for an inclusive line range, with the page of its first line."""
        return self.as_text().source(line_start, line_end)


def number_blocks(blocks: list[Block]) -> "list[Line]":
    """Give blocks their line ranges and return the document's lines.

    Each block's text is split on newlines (a table has one line per row); blocks are separated
    by nothing (lines follow each other). The line's page is the block's `page`, or its entry in
    `line_pages` when the block has one. Mutates the
    blocks' `line_start`/`line_end`. Returns the lines, numbered from 1.
    """
    from kvalitet.domain.types import Line

    lines: list[Line] = []
    for block in blocks:
        texts = (
            ["\t".join(c for c in row) for row in block.rows]
            if block.kind == "table" and block.rows
            else block.text.split("\n")
        )
        pages = block.line_pages if block.line_pages and len(block.line_pages) == len(texts) else None
        block.line_start = len(lines) + 1
        for i, t in enumerate(texts):
            lines.append(Line(len(lines) + 1, t, pages[i] if pages else block.page))
        block.line_end = len(lines)
    return lines
