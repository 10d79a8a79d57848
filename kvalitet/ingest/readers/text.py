"""Plain text and Markdown: lines exactly as in the file, blocks over them.

The lines are the file's lines (\\r\\n and \\r read as \\n; a final newline opens no line), only
normalised (NFC, NBSP, soft hyphens, ligatures): the line numbers that citations carry never
move. Blocks point into those lines and blank lines belong to no block:

- a run of lines containing tabs is a table (one row per line, cells split on tabs and kept as
  written so that a row joined with tabs is its line) when some row has two filled cells (else
  the tabs only indent: a paragraph); its first row is the header when it looks like one
  (short labels without a final period);
- Markdown only: "# ..." to "###### ..." are headings (level = number of #), "- ", "* ", "+ "
  and "1. "/"1) " lines are list items (level from the indentation, two spaces a level), and
  "| a | b |" rows with a "|---|" separator are tables with a header row;
- everything else: a run of consecutive non-blank lines is one paragraph. Heading-like lines in
  plain text are not guessed here (style None): recognition judges them.
"""

from __future__ import annotations

import re

from kvalitet.domain.types import Line
from kvalitet.ingest.model import Block, Document, ReadWarning
from kvalitet.ingest.readers.base import MEDIA_MARKDOWN, DecodedText, looks_like_header
from kvalitet.ingest.readers.normalize import normalize_text

_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(\S.*)$")
_MD_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def split_lines(text: str) -> list[str]:
    """Lines of `text` with \\r\\n and \\r normalised; a final newline does not open a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\n")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [c.strip() for c in inner.split("|")]


def read_text(src: DecodedText) -> Document:
    """The Document of a decoded text or Markdown file (see the module docstring); src.max_lines
    > 0 cuts it after that many lines with a "truncated" warning.
    """
    text, path, media_type, max_lines = src.text, src.path, src.media_type, src.max_lines
    warnings = list(src.warnings)
    raw = split_lines(text)
    if max_lines > 0 and len(raw) > max_lines:
        raw = raw[:max_lines]
        warnings.append(ReadWarning("truncated", {"limit": max_lines}))
    texts = [normalize_text(t) for t in raw]
    lines = [Line(number=i, text=t, page=None) for i, t in enumerate(texts, 1)]
    markdown = media_type == MEDIA_MARKDOWN
    blocks: list[Block] = []
    i = 0
    n = len(texts)
    in_fence = False
    while i < n:
        t = texts[i]
        if markdown and t.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            i += 1
            continue
        if not t.strip():
            i += 1
            continue
        if markdown and not in_fence:
            m = _MD_HEADING.match(t)
            if m and m.group(2):
                blocks.append(Block("heading", m.group(2), i + 1, i + 1, level=len(m.group(1)), style="Markdown"))
                i += 1
                continue
            if _MD_PIPE_ROW.match(t) and i + 1 < n and _MD_PIPE_SEP.match(texts[i + 1]):
                j = i + 2
                rows = [_pipe_cells(t)]
                while j < n and _MD_PIPE_ROW.match(texts[j]):
                    rows.append(_pipe_cells(texts[j]))
                    j += 1
                block = Block("table", "", i + 1, j, rows=rows, header_rows=1)
                block.text = "\n".join("\t".join(r) for r in rows)
                blocks.append(block)
                i = j
                continue
            m = _MD_LIST.match(t)
            if m:
                indent = len(m.group(1).expandtabs(4))
                marker = m.group(2)
                number = None if marker in "-*+" else marker
                shown = f"{number} {m.group(3)}" if number else f"• {m.group(3)}"
                j = i + 1
                extra: list[str] = []
                # Continuation lines (indented, not a new item) stay with the item.
                while j < n and texts[j].strip() and texts[j].startswith("  ") and not _MD_LIST.match(texts[j]):
                    extra.append(texts[j].strip())
                    j += 1
                text_ = "\n".join([shown, *extra])
                blocks.append(Block("list_item", text_, i + 1, j, level=indent // 2, number=number))
                i = j
                continue
        if "\t" in t and not in_fence:
            j = i
            rows = []
            while j < n and "\t" in texts[j] and texts[j].strip():
                rows.append(texts[j].split("\t"))
                j += 1
            if not any(sum(1 for c in r if c.strip()) >= 2 for r in rows):
                # Tabs used for indentation only: a paragraph, not a table.
                blocks.append(Block("paragraph", "\n".join(texts[i:j]), i + 1, j))
                i = j
                continue
            header = 1 if len(rows) > 1 and looks_like_header(rows[0]) else 0
            block = Block("table", "\n".join(texts[i:j]), i + 1, j, rows=rows, header_rows=header)
            blocks.append(block)
            i = j
            continue
        j = i + 1
        while j < n and texts[j].strip() and "\t" not in texts[j]:
            if markdown and not in_fence and (
                _MD_HEADING.match(texts[j]) or _MD_LIST.match(texts[j]) or texts[j].lstrip().startswith(("```", "~~~"))
            ):
                break
            j += 1
        blocks.append(Block("paragraph", "\n".join(texts[i:j]), i + 1, j))
        i = j
    return Document(path=path, media_type=media_type, blocks=blocks, lines=lines, metadata={}, warnings=warnings)
